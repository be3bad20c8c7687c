package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/dashboard"
)

// Serve a running job's REST API and read it as a Flink client would.
func Example() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	ch := make(chan string)
	words := flinksim.Map(flinksim.FromChan(env, "words", ch), "upper", func(s string) (string, error) { return s, nil })
	flinksim.Sink(words, "out", func(string) error { return nil })
	job, err := env.Start(context.Background(), "example")
	if err != nil {
		panic(err)
	}
	h := dashboard.ForJobs(job)
	srv := httptest.NewServer(h)

	var overview struct {
		Jobs []struct {
			JID   string `json:"jid"`
			Name  string `json:"name"`
			State string `json:"state"`
		} `json:"jobs"`
	}
	resp, err := http.Get(srv.URL + "/jobs/overview")
	if err != nil {
		panic(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&overview)
	resp.Body.Close()
	j := overview.Jobs[0]
	fmt.Println(j.Name, j.State, len(j.JID))

	var details struct {
		Vertices []struct {
			Name        string `json:"name"`
			Parallelism int    `json:"parallelism"`
		} `json:"vertices"`
	}
	resp, err = http.Get(srv.URL + "/jobs/" + j.JID)
	if err != nil {
		panic(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&details)
	resp.Body.Close()
	for _, v := range details.Vertices {
		fmt.Println(v.Name, v.Parallelism)
	}

	srv.Close()
	_ = h.Close()
	close(ch)
	_ = job.Wait(context.Background())
	// Output:
	// example RUNNING 32
	// words 1
	// upper -> out 2
}
