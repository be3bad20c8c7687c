// Package browsertest opens pages in headless Chromium, for the tests of
// the packages that draw pages (flinksim/timeline, flinksim/dashboard). It
// starts Chromium as this project's closed network needs (no background
// networking, a fresh profile) and keeps what the page did wrong: console
// errors and warnings, uncaught exceptions, error logs, and requests that
// left the page's own origin.
package browsertest

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Browser is a tab of a headless Chromium that ends with the test.
type Browser struct {
	// Ctx is the tab's context, for chromedp.Run and the like.
	Ctx context.Context

	local    func(url string) bool
	mu       sync.Mutex
	problems []string
	requests []string
}

// Open starts Chromium with a window of width × height and opens a tab.
// Requests to URLs local accepts are the page's own; the others are kept
// (see Requests). Without a Chromium binary the test fails — CI must not
// pass without looking at the page — unless -short is given, which skips
// it.
func Open(t *testing.T, width, height int, local func(url string) bool) *Browser {
	t.Helper()
	bin := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height))
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	b := &Browser{Ctx: bctx, local: local}
	if err := chromedp.Listen(bctx, b.listen); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *Browser) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
			b.problems = append(b.problems, fmt.Sprintf("console.%s with %d arguments", ev.Type, len(ev.Args)))
		}
	case *runtime.EventExceptionThrown:
		b.problems = append(b.problems, "exception: "+ev.ExceptionDetails.Text)
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			b.problems = append(b.problems, "log: "+ev.Entry.Text)
		}
	case *network.EventRequestWillBeSent:
		if b.local == nil || !b.local(ev.Request.URL) {
			b.requests = append(b.requests, ev.Request.URL)
		}
	}
}

// Problems returns the console errors and warnings, exceptions and error
// logs the page had so far.
func (b *Browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// Requests returns the requests the page sent outside its own.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// FileOrData accepts file: and data: URLs: a page on disk.
func FileOrData(url string) bool {
	return strings.HasPrefix(url, "file:") || strings.HasPrefix(url, "data:")
}

// chromium returns the path of the Chromium binary.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if testing.Short() {
		t.Skip("no chromium binary: the page is not checked in a browser (-short)")
	}
	t.Fatal("no chromium binary on PATH: install it (Debian: apt-get install chromium; .ci/run does) or run with -short to skip this test")
	return ""
}
