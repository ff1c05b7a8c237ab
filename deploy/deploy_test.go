package deploy

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// modulePath is the module whose root the tests look for.
const modulePath = "github.com/up-status/up"

// repoRoot is the directory holding up's go.mod, found upwards from the
// test's working directory (deploy/ under go test).
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module "+modulePath+"\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod of %s above the working directory", modulePath)
		}
		dir = parent
	}
}

// deployFile is the path of a file under deploy/.
func deployFile(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(repoRoot(t), "deploy", filepath.FromSlash(rel))
}

func readDeployFile(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(deployFile(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runTool runs a command in dir with a time limit and returns its combined
// output.
func runTool(t testing.TB, timeout time.Duration, dir, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return out.String(), err
}
