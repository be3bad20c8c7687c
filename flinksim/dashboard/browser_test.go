package dashboard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/dashboard"
	"github.com/flinksim/go-flinksim/flinksim/internal/browsertest"
)

// waitFor polls a JavaScript condition on every DOM mutation until it
// holds.
func waitFor(t *testing.T, ctx context.Context, cond, what string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(30*time.Second)))
	require.NoError(t, err, "waiting until %s", what)
}

// TestDashboardInBrowser opens the dashboard, served under a path prefix
// as msf-local serves it, in headless Chromium: the graph shows every
// operator; a subtask held in its open shows INITIALIZING, then RUNNING
// once released; the checkpoint count grows; a failure appears in the
// exception list; the savepoint button produces a savepoint; nothing
// logs an error and nothing is loaded from elsewhere.
//
// Mutants this catches: the page fetching "/jobs/overview" (absolute:
// 404 under the prefix, the graph never shows); subtask rows not
// re-rendered (INITIALIZING stays); the savepoint button posting to a
// wrong path (an error, not a location); the exception list not
// rendered.
func TestDashboardInBrowser(t *testing.T) {
	release := make(chan struct{})
	var releaseOnce sync.Once
	open := func() { releaseOnce.Do(func() { close(release) }) }
	faults := flinksim.NewFaultInjector(flinksim.Fault{Operator: "double", Subtask: 0, Point: flinksim.FaultRecord, After: 2})
	job, ch, _ := pushedJob(t, 20*time.Millisecond, release, faults)
	t.Cleanup(open) // before the job's cleanup: a failing test must not leave the job held in its open
	h := dashboard.ForJobs(job)
	mux := http.NewServeMux()
	mux.Handle("/apps/demo/", http.StripPrefix("/apps/demo", h))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); require.NoError(t, h.Close()) })

	b := browsertest.Open(t, 1400, 900, func(u string) bool { return strings.HasPrefix(u, srv.URL+"/") })
	bctx := b.Ctx
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/apps/demo/")))

	waitFor(t, bctx, `document.querySelectorAll(".graph .node").length === 3`, "the graph shows its three tasks")
	graph, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".graph")))
	require.NoError(t, err)
	for _, op := range []string{"pushed", "double", "count", "sink", "HASH", "REBALANCE"} {
		assert.Contains(t, graph, op)
	}
	waitFor(t, bctx, `document.querySelector('tr[data-task="count"][data-subtask="0"]')?.dataset.status === "INITIALIZING"`,
		"count (0), held in its open, shows INITIALIZING")
	open()
	waitFor(t, bctx, `[...document.querySelectorAll("tr[data-status]")].every(r => r.dataset.status === "RUNNING")`,
		"every subtask shows RUNNING")
	waitFor(t, bctx, `Number(document.querySelector(".completed")?.textContent) >= 2`, "the checkpoint count grows")

	restarted := job.Restarted()
	ch <- 1
	ch <- 2 // double fails after its second record
	<-restarted
	waitFor(t, bctx, `[...document.querySelectorAll("ul[id^=exceptions] li")].some(li => li.textContent.includes("double (1/1)"))`,
		"the failure shows in the exception list")

	require.NoError(t, chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`button[id^="savepoint-"]`))))
	waitFor(t, bctx, `document.querySelector('div[id^="result-"]').textContent.includes("completed:")`, "the savepoint completes")
	result, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`div[id^="result-"]`)))
	require.NoError(t, err)
	location := strings.TrimSpace(result[strings.Index(result, "completed:")+len("completed:"):])
	assert.Contains(t, location, "/savepoints/savepoint-", "the page shows the savepoint's location: %q", result)
	_, err = os.Stat(location)
	assert.NoError(t, err, "the savepoint is on disk")
	assert.Empty(t, b.Problems())
	assert.Empty(t, b.Requests(), "the page loaded something from elsewhere")
}
