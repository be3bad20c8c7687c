// Command msf-local is a local Amazon Managed Service for Apache Flink: the
// kinesisanalyticsv2 API (package lifecycle/endpoint) at a local endpoint,
// running real flinksim applications in this process, so that the AWS CLI,
// boto3, the AWS SDKs and the tools built on them can be pointed at it:
//
//	go run ./examples/msf-local [--listen ADDR] [--data DIR]
//
// It listens on ADDR (default 127.0.0.1:9700; 127.0.0.1:0 picks a free
// port) and prints "listening on http://HOST:PORT" once it serves. The
// service's catalog, and every application's checkpoints and snapshots,
// live in DIR (default msf-data); the S3 bucket NAME is the directory
// DIR/s3/NAME, so the code package of S3ContentLocation
// {BucketARN: arn:aws:s3:::NAME, FileKey: KEY} is the file DIR/s3/NAME/KEY.
//
// A code package is a JSON document naming a job builder compiled into the
// server, {"job": "counter"} or {"job": "wordcount"}:
//
//   - counter: an unbounded stream of records 0, 1, 2, … with key
//     k<i mod keys>, counted per key in keyed state; an exactly-once file
//     sink writes "key<TAB>n" per record into the directory of property
//     group "counter", key "output.dir" (committed files only; files being
//     written are hidden, with a leading dot). Keys "keys" (default 100) and
//     "rate" (records per second, default 10000).
//   - wordcount: bounded; counts the words of the file of property group
//     "wordcount", key "input", into "output.dir" in the same way, and
//     finishes: the application returns to READY.
//
// It also serves the Prometheus metrics of every running application, under
// the service's names and labelled Application, at /metrics, and the Flink
// dashboard of each (its page and Flink's REST API) at the URL
// CreateApplicationPresignedUrl returns.
//
// SIGTERM or SIGINT stops it cleanly. Stopped or killed, a new server on the
// same DIR brings back every application, and those that were RUNNING run
// again from their latest checkpoint.
//
// The program exits with status 0 when stopped by a signal (and with
// --help), 1 with a one-line message when it fails, and 2 on bad flags or
// arguments.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/flinksim/go-flinksim/lifecycle"
	"github.com/flinksim/go-flinksim/lifecycle/endpoint"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is a bad flag or argument: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// realMain runs the server until ctx is done and returns the exit status.
func realMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := run(ctx, args, stdout, stderr)
	var usage usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		fmt.Fprintln(stderr, "msf-local:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "msf-local:", err)
		return 1
	}
}

// shutdownTimeout bounds how long a stop waits for requests in flight.
const shutdownTimeout = 10 * time.Second

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("msf-local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:9700", "listen on `ADDR` (HOST:PORT; port 0 picks a free one)")
	data := fs.String("data", "msf-data", "keep the catalog, checkpoints, snapshots and the S3 buckets (`DIR`/s3/BUCKET) in DIR")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: msf-local [--listen ADDR] [--data DIR]")
		fmt.Fprintln(stderr, "serves the kinesisanalyticsv2 API, running flinksim applications")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}

	svc, err := lifecycle.New(lifecycle.Options{Dir: *data, Code: lifecycle.DirCodeStore{Dir: filepath.Join(*data, "s3")}})
	if err != nil {
		return err
	}
	defer svc.Close()
	// Register the builders right after New: applications that were
	// running resume once theirs is registered.
	for name, b := range map[string]lifecycle.JobBuilder{counterJob: buildCounter, wordcountJob: buildWordcount} {
		if err := svc.RegisterBuilder(name, b); err != nil {
			return err
		}
	}
	h, err := endpoint.New(svc, endpoint.Options{})
	if err != nil {
		return err
	}
	defer h.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(endpoint.Metrics(svc))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/", h)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	<-served
	if err != nil {
		return fmt.Errorf("stopping the server: %w", err)
	}
	h.Close()
	return svc.Close()
}
