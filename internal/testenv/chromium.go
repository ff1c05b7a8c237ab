package testenv

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// Chromium starts headless Chromium for the test and returns a tab to
// drive with chromedp; it ends with ctx or the test. Without chromium on
// PATH the test ends with SkipOrFail. opts add to the flags every page
// test runs with: no sandbox, GPU, background traffic or QUIC, and a
// profile of its own.
func Chromium(t testing.TB, ctx context.Context, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path := LookPath(t, "chromium", "apt-get install -y chromium")
	all := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	}, opts...)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, all...)
	tab, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	return tab
}
