package timeline_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/timeline"
)

var screenshot = flag.String("timeline.screenshot", "", "where TestPageInBrowser writes its screenshot (PNG); empty: the test's temporary directory")

// chromium returns the path of the Chromium binary. Without one the test
// fails, so that CI cannot pass without having looked at the page; with
// -short it skips.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if testing.Short() {
		t.Skip("no chromium binary: the HTML page is not checked in a browser (-short)")
	}
	t.Fatal("no chromium binary on PATH: install it (Debian: apt-get install chromium; .ci/run does) or run with -short to skip this test")
	return ""
}

// TestPageInBrowser opens the HTML page of a run in headless Chromium: it
// loads nothing from the network and logs no error, its elements of every
// kind are visible, pointing at one shows its details, and zoom widens the
// time axis. It writes a screenshot (see -timeline.screenshot).
//
// Mutants killed: the details panel never filled (hover handler removed);
// a script error at load; a stylesheet loaded from a URL; zoom that
// rescales nothing.
func TestPageInBrowser(t *testing.T) {
	bin := chromium(t)
	r := runJob(t, 1, flinksim.ExactlyOnce, protocolRuns[0].fault)
	page := filepath.Join(t.TempDir(), "teach.html")
	f, err := os.Create(page)
	require.NoError(t, err)
	require.NoError(t, timeline.New(r.events, timeline.Options{Title: "teach", Subtasks: r.subtasks}).WriteHTML(f))
	require.NoError(t, f.Close())

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1600, 900))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	var mu sync.Mutex
	var problems, requests []string
	require.NoError(t, chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				problems = append(problems, fmt.Sprintf("console.%s with %d arguments", ev.Type, len(ev.Args)))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				problems = append(problems, "log: "+ev.Entry.Text)
			}
		case *network.EventRequestWillBeSent:
			if !strings.HasPrefix(ev.Request.URL, "file:") && !strings.HasPrefix(ev.Request.URL, "data:") {
				requests = append(requests, ev.Request.URL)
			}
		}
	}))
	_, err = chromedp.Call(bctx, cdplog.Enable, cdp.Empty{})
	require.NoError(t, err)
	_, err = chromedp.Call(bctx, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate("file://"+page), chromedp.WaitVisible(chromedp.CSS("#timeline"))))

	visible, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]int](`(() => {
		const n = {};
		for (const el of document.querySelectorAll("#timeline [data-event]")) {
			const r = el.getBoundingClientRect(), s = getComputedStyle(el);
			if ((r.width > 0 || r.height > 0) && s.visibility !== "hidden" && s.display !== "none") {
				const k = el.getAttribute("data-event");
				n[k] = (n[k] || 0) + 1;
			}
		}
		return n;
	})()`))
	require.NoError(t, err)
	for _, k := range []string{"barrier", "blocked", "snapshot", "ack", "complete", "abort", "failure", "restore", "precommit", "commit", "batch", "channel", "lane"} {
		assert.Positive(t, visible[k], "no visible %q element", k)
	}
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)

	// Point at elements as a user does: move the mouse to a point where the
	// browser's own hit test finds the element on top.
	for _, kind := range []string{"failure", "snapshot", "commit", "blocked"} {
		at, err := chromedp.Run(bctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`((kind) => {
			const el = document.querySelector('#timeline [data-event="' + kind + '"]');
			el.scrollIntoView({block: "center", inline: "center"});
			const r = el.getBoundingClientRect();
			for (let dx = 0; dx <= r.width; dx++) for (let dy = 0; dy <= r.height; dy++) {
				const h = document.elementFromPoint(r.left + dx, r.top + dy);
				if (h && h.closest("[data-event]") === el) return [r.left + dx, r.top + dy];
			}
			return [];
		})(%q)`, kind)))
		require.NoError(t, err)
		require.Len(t, at, 2, "no point of a %s element is on top", kind)
		require.NoError(t, chromedp.Do(bctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at[0], at[1])))
		_, err = chromedp.Run(bctx, chromedp.Poll[bool](fmt.Sprintf(`document.getElementById("details").getAttribute("data-shown") === %q`, kind), chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(20*time.Second)))
		require.NoError(t, err, "hovering a %s showed no details", kind)
		details, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#details")))
		require.NoError(t, err)
		assert.Contains(t, details, "["+kind+" at ", "hovering a %s", kind)
		if kind == "failure" {
			assert.Contains(t, details, "failed: ")
		}
	}

	// Zoom in twice: the time axis is four times as long, and a barrier's
	// diamond moves with its time.
	const measure = `(() => {
		document.getElementById("scroll").scrollLeft = 0;
		const svg = document.getElementById("timeline");
		const r = svg.querySelector('[data-event="barrier"] path').getBoundingClientRect();
		return [parseFloat(svg.getAttribute("width")), (r.left + r.right) / 2 - svg.getBoundingClientRect().left];
	})()`
	before, err := chromedp.Run(bctx, chromedp.Evaluate[[]float64](measure))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(bctx, chromedp.Click(chromedp.CSS("#zoom-in")), chromedp.Click(chromedp.CSS("#zoom-in"))))
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](`document.getElementById("zoom").textContent === "×4"`, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(20*time.Second)))
	require.NoError(t, err)
	after, err := chromedp.Run(bctx, chromedp.Evaluate[[]float64](measure))
	require.NoError(t, err)
	const left = 200.0 // the lane labels do not zoom
	assert.InDelta(t, 4*(before[0]-left), after[0]-left, 2, "the time axis did not zoom")
	assert.InDelta(t, 4*(before[1]-left), after[1]-left, 2, "the barrier did not move with its time")

	mu.Lock()
	assert.Empty(t, problems, "the page logged errors")
	assert.Empty(t, requests, "the page loaded something from the network")
	mu.Unlock()

	path := *screenshot
	if path == "" {
		path = filepath.Join(t.TempDir(), "teach.png")
	}
	require.NoError(t, os.WriteFile(path, shot, 0o644))
	t.Logf("screenshot: %s (%d bytes)", path, len(shot))
}
