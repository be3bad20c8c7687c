package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalyticsv2/types"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// readCounts reads the committed "key<TAB>n" lines of dir: the counts of
// each key, in the order of each file.
func readCounts(t *testing.T, dir string) map[string][]int64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	got := map[string][]int64{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(string(data)) {
			k, n, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
			v, err := strconv.ParseInt(n, 10, 64)
			if !ok || err != nil {
				t.Fatalf("%s: line %q", e.Name(), line)
			}
			got[k] = append(got[k], v)
		}
	}
	for k := range got {
		slices.Sort(got[k])
	}
	return got
}

// exactlyOnce checks that every key's counts are 1, 2, …, n: no record lost
// or repeated. It returns the number of records.
func exactlyOnce(t *testing.T, counts map[string][]int64) int {
	t.Helper()
	total := 0
	for k, ns := range counts {
		for i, n := range ns {
			if n != int64(i+1) {
				t.Fatalf("key %s: counts %v are not 1..%d", k, ns[max(0, i-2):min(len(ns), i+3)], len(ns))
			}
		}
		total += len(ns)
	}
	return total
}

// TestCounterExactlyOnceThroughStopAndStart: the counter writes every
// record's count once, through a stop with a snapshot and a start from it;
// its keys are k0..k(keys-1).
//
// Mutants killed: SnapshotState returning a split at position 0 (the
// restarted job emits records 0.. again, which the watching sink sees
// twice: the keyed counts alone would not show it); the key taken as
// i mod keys + 1.
func TestCounterExactlyOnceThroughStopAndStart(t *testing.T) {
	ctx := ctxT(t)
	svc, err := lifecycle.New(lifecycle.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	// The counter, with a sink that sees the records themselves and says
	// when 2,000 were emitted.
	var mu sync.Mutex
	seen := map[int64]int{}
	enough := make(chan struct{})
	if err := svc.RegisterBuilder(counterJob, func(env *flinksim.Environment, job lifecycle.JobContext) error {
		records, counts, err := counterStreams(env, job)
		if err != nil {
			return err
		}
		dir, _ := job.Property("counter", "output.dir")
		flinksim.FileSink(counts, "counts", dir, appendKeyCount)
		flinksim.Sink(records, "watch", func(i int64) error {
			mu.Lock()
			defer mu.Unlock()
			if seen[i]++; len(seen) == 2000 && seen[i] == 1 {
				close(enough)
			}
			return nil
		})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	_ = svc.Code().Put("b", "counter.json", lifecycle.NewCodePackage(counterJob, nil))
	_, err = svc.CreateApplication(ctx, lifecycle.CreateApplicationRequest{
		ApplicationName: "counter", RuntimeEnvironment: lifecycle.RuntimeFlink1_20, ServiceExecutionRole: "arn:aws:iam::1:role/r",
		ApplicationConfiguration: &lifecycle.ApplicationConfiguration{
			ApplicationCodeConfiguration: &lifecycle.ApplicationCodeConfiguration{CodeContentType: lifecycle.CodeZipFile,
				CodeContent: lifecycle.CodeContent{S3ContentLocation: &lifecycle.S3ContentLocation{BucketARN: "arn:aws:s3:::b", FileKey: "counter.json"}}},
			ApplicationSnapshotConfiguration: &lifecycle.ApplicationSnapshotConfiguration{SnapshotsEnabled: true},
			EnvironmentProperties: &lifecycle.EnvironmentProperties{PropertyGroups: []lifecycle.PropertyGroup{{PropertyGroupID: "counter",
				PropertyMap: map[string]string{"output.dir": out, "keys": "7", "rate": "100000"}}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		st, err := svc.StartApplication(ctx, lifecycle.StartApplicationRequest{ApplicationName: "counter"})
		if err != nil {
			t.Fatal(err)
		}
		if op, err := svc.WaitForOperation(ctx, "counter", st.OperationID); err != nil || op.OperationStatus != lifecycle.OperationSuccessful {
			t.Fatalf("start: %v %v %+v", op.OperationStatus, err, op.OperationFailureDetails)
		}
		if round == 0 {
			select {
			case <-enough:
			case <-ctx.Done():
				t.Fatal("the counter emitted fewer than 2000 records")
			}
		}
		sp, err := svc.StopApplication(ctx, lifecycle.StopApplicationRequest{ApplicationName: "counter"})
		if err != nil {
			t.Fatal(err)
		}
		if op, err := svc.WaitForOperation(ctx, "counter", sp.OperationID); err != nil || op.OperationStatus != lifecycle.OperationSuccessful {
			t.Fatalf("stop: %v %v", op.OperationStatus, err)
		}
	}
	mu.Lock()
	for i, n := range seen {
		if n != 1 || i < 0 || i >= int64(len(seen)) {
			t.Fatalf("record %d emitted %d times (of %d records): the position was not restored", i, n, len(seen))
		}
	}
	mu.Unlock()
	counts := readCounts(t, out)
	if n := exactlyOnce(t, counts); n != len(seen) {
		t.Errorf("%d records written, %d emitted", n, len(seen))
	}
	for k := range counts {
		if i, err := strconv.Atoi(strings.TrimPrefix(k, "k")); err != nil || i < 0 || i >= 7 || !strings.HasPrefix(k, "k") {
			t.Errorf("key %q", k)
		}
	}
	if len(counts) != 7 {
		t.Errorf("%d keys, want 7", len(counts))
	}
}

// server runs realMain on data until the returned stop is called; it
// returns the URL it printed.
func server(t *testing.T, data string) (url string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	done := make(chan int, 1)
	var stderr strings.Builder
	go func() {
		done <- realMain(ctx, []string{"--listen", "127.0.0.1:0", "--data", data}, w, &stderr)
		w.Close()
	}()
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no listening line: %v (stderr %s)", err, stderr.String())
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Fatalf("printed %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("exit status %d: %s", code, stderr.String())
			}
		})
	}
	t.Cleanup(stop)
	return url, stop
}

func client(url string) *kinesisanalyticsv2.Client {
	return kinesisanalyticsv2.New(kinesisanalyticsv2.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	})
}

// waitStatus polls DescribeApplication through the SDK, as a user's
// automation does, until the status is want (bounded by ctx).
func waitStatus(ctx context.Context, t *testing.T, c *kinesisanalyticsv2.Client, app string, want types.ApplicationStatus) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		out, err := c.DescribeApplication(ctx, &kinesisanalyticsv2.DescribeApplicationInput{ApplicationName: aws.String(app)})
		if err != nil {
			t.Fatal(err)
		}
		if out.ApplicationDetail.ApplicationStatus == want {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s is %s, never %s", app, out.ApplicationDetail.ApplicationStatus, want)
		case <-tick.C:
		}
	}
}

// TestServerWordcountAndRestart: the server prints its address; a
// wordcount application, its package in DATA/s3, runs to the end and
// returns to READY with every word counted; a new server on the same data
// lists it again.
//
// Mutants killed: the listening line printed with the flag's address
// (":0"); Code not a DirCodeStore under DATA/s3 (create fails: no such
// package); Dir not set (the restarted server lists nothing).
func TestServerWordcountAndRestart(t *testing.T) {
	ctx := ctxT(t)
	data := t.TempDir()
	input := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(input, []byte("to be or not to be\nthat is\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	url, stop := server(t, data)
	c := client(url)
	createFromBucket(ctx, t, c, data, "wc", wordcountJob, map[string]string{"input": input, "output.dir": out})
	if _, err := c.StartApplication(ctx, &kinesisanalyticsv2.StartApplicationInput{ApplicationName: aws.String("wc")}); err != nil {
		t.Fatal(err)
	}
	waitStatus(ctx, t, c, "wc", types.ApplicationStatusRunning)
	waitStatus(ctx, t, c, "wc", types.ApplicationStatusReady)
	counts := readCounts(t, out)
	exactlyOnce(t, counts)
	if len(counts["to"]) != 2 || len(counts["be"]) != 2 || len(counts["is"]) != 1 || len(counts) != 6 {
		t.Errorf("counts %v", counts)
	}
	stop()

	url, _ = server(t, data)
	list, err := client(url).ListApplications(ctx, &kinesisanalyticsv2.ListApplicationsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ApplicationSummaries) != 1 || aws.ToString(list.ApplicationSummaries[0].ApplicationName) != "wc" {
		t.Errorf("after restart: %+v", list.ApplicationSummaries)
	}
}

// TestUsage: a bad flag exits 2, --help 0.
func TestUsage(t *testing.T) {
	var out, errOut strings.Builder
	if code := realMain(context.Background(), []string{"--nope"}, &out, &errOut); code != 2 {
		t.Errorf("bad flag: %d", code)
	}
	if code := realMain(context.Background(), []string{"--help"}, &out, &errOut); code != 0 {
		t.Errorf("--help: %d", code)
	}
	if code := realMain(context.Background(), []string{"--listen", "nope"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "nope") {
		t.Errorf("bad address: %d %s", code, errOut.String())
	}
}

// createFromBucket puts the code package of job in the bucket "code" of
// the server's data directory, DATA/s3/code/NAME.json, and creates
// application name from it, with job's property group set to props.
func createFromBucket(ctx context.Context, t *testing.T, c *kinesisanalyticsv2.Client, data, name, job string, props map[string]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(data, "s3", "code"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "s3", "code", name+".json"), []byte(`{"job":"`+job+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateApplication(ctx, &kinesisanalyticsv2.CreateApplicationInput{
		ApplicationName: aws.String(name), RuntimeEnvironment: types.RuntimeEnvironmentFlink120, ServiceExecutionRole: aws.String("arn:aws:iam::1:role/r"),
		ApplicationConfiguration: &types.ApplicationConfiguration{
			ApplicationCodeConfiguration: &types.ApplicationCodeConfiguration{CodeContentType: types.CodeContentTypeZipfile,
				CodeContent: &types.CodeContent{S3ContentLocation: &types.S3ContentLocation{BucketARN: aws.String("arn:aws:s3:::code"), FileKey: aws.String(name + ".json")}}},
			EnvironmentProperties: &types.EnvironmentProperties{PropertyGroups: []types.PropertyGroup{{PropertyGroupId: aws.String(job),
				PropertyMap: props}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestServerDashboardAndMetrics: the server's /metrics has each running
// application's metrics under the service's names, and the presigned
// dashboard URL serves Flink's dashboard and REST API for its job.
func TestServerDashboardAndMetrics(t *testing.T) {
	ctx := ctxT(t)
	data := t.TempDir()
	url, _ := server(t, data)
	c := client(url)
	createFromBucket(ctx, t, c, data, "counter", counterJob, map[string]string{"output.dir": t.TempDir(), "rate": "100"})
	if _, err := c.StartApplication(ctx, &kinesisanalyticsv2.StartApplicationInput{ApplicationName: aws.String("counter")}); err != nil {
		t.Fatal(err)
	}
	waitStatus(ctx, t, c, "counter", types.ApplicationStatusRunning)

	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"uptime", "fullRestarts", "lastCheckpointSize", "numRecordsIn", "KPUs"} {
		f := families[name]
		if f == nil || len(f.Metric) != 1 || f.Metric[0].Label[0].GetValue() != "counter" {
			t.Errorf("/metrics: %s is %v", name, f)
		}
	}

	out, err := c.CreateApplicationPresignedUrl(ctx, &kinesisanalyticsv2.CreateApplicationPresignedUrlInput{
		ApplicationName: aws.String("counter"), UrlType: types.UrlTypeFlinkDashboardUrl})
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	for _, u := range []string{aws.ToString(out.AuthorizedUrl), url + "/dashboard/counter/jobs/overview"} {
		resp, err := browser.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", u, resp.StatusCode, body)
		}
		if strings.HasSuffix(u, "overview") && !strings.Contains(string(body), `"state":"RUNNING"`) {
			t.Errorf("jobs/overview: %s", body)
		}
	}
}
