package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/dashboard"
)

// startJob starts the job and, if addr is set, serves its dashboard, REST
// API and metrics there (on loopback unless addr names a host) until the
// returned stop is called; stop waits for the server to end.
func startJob(ctx context.Context, env *flinksim.Environment, addr string, stderr io.Writer) (*flinksim.JobClient, func(), error) {
	job, err := env.Start(ctx, "wordcount")
	if err != nil {
		return nil, nil, err
	}
	if addr == "" {
		return job, func() {}, nil
	}
	ln, err := net.Listen("tcp", dashboard.LoopbackAddr(addr))
	if err != nil {
		job.Cancel()
		<-job.Done()
		return nil, nil, fmt.Errorf("--dashboard: %w", err)
	}
	h := dashboard.ForJobs(job)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(stderr, "wordcount: dashboard:", err)
		}
	}()
	fmt.Fprintf(stderr, "wordcount: dashboard at http://%s/\n", ln.Addr())
	return job, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		<-served
		_ = h.Close()
	}, nil
}
