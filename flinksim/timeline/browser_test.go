package timeline_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/internal/browsertest"
	"github.com/flinksim/go-flinksim/flinksim/timeline"
)

var screenshot = flag.String("timeline.screenshot", "", "where TestPageInBrowser writes its screenshot (PNG); empty: the test's temporary directory")

// TestPageInBrowser opens the HTML page of a run in headless Chromium: it
// loads nothing from the network and logs no error, its elements of every
// kind are visible, pointing at one shows its details, and zoom widens the
// time axis. It writes a screenshot (see -timeline.screenshot).
//
// Mutants killed: the details panel never filled (hover handler removed);
// a script error at load; a stylesheet loaded from a URL; zoom that
// rescales nothing.
func TestPageInBrowser(t *testing.T) {
	r := runJob(t, 1, flinksim.ExactlyOnce, protocolRuns[0].fault)
	page := filepath.Join(t.TempDir(), "teach.html")
	f, err := os.Create(page)
	require.NoError(t, err)
	require.NoError(t, timeline.New(r.events, timeline.Options{Title: "teach", Subtasks: r.subtasks}).WriteHTML(f))
	require.NoError(t, f.Close())

	b := browsertest.Open(t, 1600, 900, browsertest.FileOrData)
	bctx := b.Ctx
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

	assert.Empty(t, b.Problems(), "the page logged errors")
	assert.Empty(t, b.Requests(), "the page loaded something from the network")

	path := *screenshot
	if path == "" {
		path = filepath.Join(t.TempDir(), "teach.png")
	}
	require.NoError(t, os.WriteFile(path, shot, 0o644))
	t.Logf("screenshot: %s (%d bytes)", path, len(shot))
}
