package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// The floor: what one HTTP probe costs with nothing but the standard
// library, measured in the same run as up so that both see the same
// machine. It runs as a child process so /proc can tell its CPU from the
// target server's.

type floorProc struct {
	cmd *exec.Cmd
}

// startFloor re-runs this program as the floor client.
func startFloor(ctx context.Context, addrs []string, checks int, interval, timeout time.Duration) *floorProc {
	self, err := os.Executable()
	if err != nil {
		log.Fatalf("floor: %v", err)
	}
	cmd := exec.CommandContext(ctx, self,
		"-floor-child", strings.Join(addrs, ","),
		"-checks", strconv.Itoa(checks), "-interval", interval.String(), "-timeout", timeout.String())
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		log.Fatalf("floor: %v", err)
	}
	return &floorProc{cmd: cmd}
}

func (f *floorProc) stop() {
	_ = f.cmd.Process.Kill()
	_ = f.cmd.Wait()
}

// runFloor sends checks requests per interval, evenly spread, each on a
// fresh connection (keep-alives off), reading the whole answer, until it
// is killed.
func runFloor(addrs []string, checks int, interval, timeout time.Duration) {
	client := &http.Client{
		Timeout:   timeout,
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	}
	urls := make([]string, checks)
	for i := range urls {
		urls[i] = fmt.Sprintf("http://%s/floor/%d", addrs[i%len(addrs)], i)
	}
	step := interval / time.Duration(checks)
	start := time.Now()
	for k := 0; ; k++ {
		if d := time.Until(start.Add(time.Duration(k) * step)); d > 0 {
			time.Sleep(d)
		}
		go func(url string) {
			resp, err := client.Get(url)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}(urls[k%checks])
	}
}
