package usertest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/dashboard"
)

// A user follows go doc ./flinksim/dashboard: serve a running job, find
// it in /jobs/overview as a Flink client does, take a savepoint over REST
// and read its location, and scrape /metrics.
func TestDashboardOfARunningJob(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: time.Hour, SavepointDir: t.TempDir()}))
	ch := make(chan int)
	flinksim.Sink(flinksim.FromChan(env, "in", ch), "out", func(int) error { return nil })
	job, err := env.Start(t.Context(), "user-job")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { job.Cancel(); <-job.Done() }()
	h := dashboard.ForJobs(job)
	srv := httptest.NewServer(h)
	defer func() { srv.Close(); _ = h.Close() }()

	get := func(path string, v any) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(path, err)
		}
	}
	var overview struct {
		Jobs []struct{ JID, Name, State string }
	}
	get("/jobs/overview", &overview)
	if len(overview.Jobs) != 1 || overview.Jobs[0].Name != "user-job" || overview.Jobs[0].State != "RUNNING" {
		t.Fatalf("overview: %+v", overview)
	}
	jid := overview.Jobs[0].JID

	resp, err := http.Post(srv.URL+"/jobs/"+jid+"/savepoints", "application/json", strings.NewReader(`{"target-directory": "mine"}`))
	if err != nil {
		t.Fatal(err)
	}
	var trig struct {
		RequestID string `json:"request-id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&trig)
	resp.Body.Close()
	deadline := time.After(30 * time.Second)
	for {
		var st struct {
			Status    struct{ ID string }
			Operation struct{ Location string }
		}
		get("/jobs/"+jid+"/savepoints/"+trig.RequestID, &st)
		if st.Status.ID == "COMPLETED" {
			if !strings.HasSuffix(st.Operation.Location, "/mine") {
				t.Fatalf("savepoint location %q", st.Operation.Location)
			}
			break
		}
		select {
		case <-deadline:
			t.Fatal("the savepoint never completed")
		case <-time.After(5 * time.Millisecond): // polled, as a client does
		}
	}

	mresp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer mresp.Body.Close()
	var body strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := mresp.Body.Read(buf)
		body.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if !strings.Contains(body.String(), `flink_jobmanager_job_uptime{job_id="`+jid+`",job_name="user-job"}`) {
		t.Fatalf("no uptime of the job in /metrics:\n%s", body.String())
	}
}
