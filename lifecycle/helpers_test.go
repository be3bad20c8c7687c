package lifecycle_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
)

// testKeys is how many keys the counting job spreads its records over;
// with the default max parallelism of 128 they land in key groups on both
// sides of every range boundary a parallelism of 1 to 8 draws.
const testKeys = 97

const (
	testRole   = "arn:aws:iam::123456789012:role/flinksim"
	testBucket = "arn:aws:s3:::code"
)

// counts observes the outputs of the counting job across every job the
// service runs for an application: record i goes to key i mod testKeys,
// whose count after it must be i/testKeys+1 when the keyed state holds
// every earlier record of the key exactly once.
type counts struct {
	mu sync.Mutex
	// max is one past the highest record seen, per version; wrong counts
	// the outputs whose count says state was lost (or doubled).
	max       map[int64]int64
	first     map[int64][2]int64 // the first output (record, count), per version
	wrong     int
	firstBy   map[int64]string // the first wrong output, per version
	waiters   []waiter
	cpWaiters []*cpWaiter
	// firstWaiters wait for a version's first output.
	firstWaiters map[int64][]chan struct{}
	// hold, if set, can hold a checkpoint in the sink's flush.
	hold *holdingJob
}

// cpWaiter waits for two checkpoints completed by a count subtask that had
// seen record at: the second was triggered after the first completed, so
// its sources' position is past at.
type cpWaiter struct {
	version, at int64
	completed   int
	ch          chan struct{}
}

type waiter struct {
	version int64
	at      int64
	ch      chan struct{}
}

func newCounts() *counts {
	return &counts{max: map[int64]int64{}, first: map[int64][2]int64{}, firstBy: map[int64]string{}}
}

// observe records output (i, n) of the job of version v.
func (c *counts) observe(v, i, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i+1 > c.max[v] {
		c.max[v] = i + 1
	}
	if _, ok := c.first[v]; !ok {
		c.first[v] = [2]int64{i, n}
		for _, ch := range c.firstWaiters[v] {
			close(ch)
		}
		delete(c.firstWaiters, v)
	}
	if want := i/testKeys + 1; n != want {
		c.wrong++
		if _, ok := c.firstBy[v]; !ok {
			c.firstBy[v] = fmt.Sprintf("record %d: count %d, want %d", i, n, want)
		}
	}
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if (w.version == 0 || w.version == v) && c.max[v] >= w.at {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// reached returns a channel closed once the job of version v (0: any) has
// emitted at least at records.
func (c *counts) reached(v, at int64) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	for ver, m := range c.max {
		if (v == 0 || ver == v) && m >= at {
			close(ch)
			return ch
		}
	}
	c.waiters = append(c.waiters, waiter{version: v, at: at, ch: ch})
	return ch
}

func (c *counts) wrongOutputs() (int, map[int64]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wrong, c.firstBy
}

// checkpointCompleted records that a count subtask of version v completed
// a checkpoint, having seen records up to maxSeen.
func (c *counts) checkpointCompleted(v, maxSeen int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.cpWaiters[:0]
	for _, w := range c.cpWaiters {
		if w.version == v && maxSeen >= w.at {
			if w.completed++; w.completed == 2 {
				close(w.ch)
				continue
			}
		}
		kept = append(kept, w)
	}
	c.cpWaiters = kept
}

// checkpointedPast returns a channel closed once version v has completed a
// checkpoint whose sources' position is past record at.
func (c *counts) checkpointedPast(v, at int64) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := &cpWaiter{version: v, at: at, ch: make(chan struct{})}
	c.cpWaiters = append(c.cpWaiters, w)
	return w.ch
}

// highest is the highest record any version has emitted, plus one.
func (c *counts) highest() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := int64(0)
	for _, m := range c.max {
		h = max(h, m)
	}
	return h
}

// forgetFirst forgets the first outputs seen, so that firstOf tells of the
// next job of each version.
func (c *counts) forgetFirst() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.first)
}

// firstOf waits for the first output of version v (since forgetFirst)
// and returns its record and count.
func (c *counts) firstOf(v int64) (record, count int64) {
	c.mu.Lock()
	f, ok := c.first[v]
	if ok {
		c.mu.Unlock()
		return f[0], f[1]
	}
	ch := make(chan struct{})
	if c.firstWaiters == nil {
		c.firstWaiters = map[int64][]chan struct{}{}
	}
	c.firstWaiters[v] = append(c.firstWaiters[v], ch)
	c.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(2 * time.Minute): // a job that never outputs: the test fails below
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f = c.first[v]
	return f[0], f[1]
}

// countingBuilder is the job of the tests: an ordered, replayable source of
// record numbers, a keyed count, and a sink that checks every count.
// Property group "job" configures it: "fail" N makes the count fail at
// record N of every attempt (a version that keeps failing), "build" "fail"
// makes the builder fail (a bad JAR), "count-name" renames the count (its
// state is then not restored).
func countingBuilder(c *counts) lifecycle.JobBuilder {
	return func(env *flinksim.Environment, job lifecycle.JobContext) error {
		failAt := int64(-1)
		if v, ok := job.Property("job", "fail"); ok {
			if _, err := fmt.Sscan(v, &failAt); err != nil {
				return err
			}
		}
		if v, ok := job.Property("job", "build"); ok && v == "fail" {
			return fmt.Errorf("version %d cannot build its job", job.ApplicationVersionID)
		}
		countName := "count"
		if v, ok := job.Property("job", "count-name"); ok {
			countName = v
		}
		records := flinksim.Generate(env, "records", 1<<40, func(i int64) (int64, error) { return i, nil },
			flinksim.Parallelism(1))
		keyed := flinksim.KeyBy(records, func(i int64) int64 { return i % testKeys })
		counted := flinksim.Process(keyed, countName,
			func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, int64, [2]int64], error) {
				return &countFn{n: flinksim.NewValueState[int64](rt, "n"), failAt: failAt, c: c, version: job.ApplicationVersionID}, nil
			})
		flinksim.SinkTo(counted, "check", func(*flinksim.RuntimeContext) (flinksim.SinkWriter[[2]int64], error) {
			return checkWriter{c: c, version: job.ApplicationVersionID}, nil
		})
		return nil
	}
}

// checkWriter is the sink of countingBuilder: it checks every count, and
// its flush before a checkpoint is held when c.hold is armed.
type checkWriter struct {
	c       *counts
	version int64
}

func (w checkWriter) Write(r [2]int64) error {
	w.c.observe(w.version, r[0], r[1])
	return nil
}

func (w checkWriter) Flush(bool) error {
	if w.c.hold != nil {
		w.c.hold.wait()
	}
	return nil
}

// countFn is the keyed count of countingBuilder. It tells c of every
// checkpoint it completes, with the highest record it had seen.
type countFn struct {
	n       flinksim.ValueState[int64]
	failAt  int64
	seen    int64
	maxSeen int64
	c       *counts
	version int64
}

func (f *countFn) ProcessElement(_ *flinksim.KeyedContext[int64], i int64, out flinksim.Collector[[2]int64]) error {
	if f.seen++; f.failAt >= 0 && f.seen > f.failAt {
		return fmt.Errorf("version %d fails on purpose", f.version)
	}
	f.maxSeen = max(f.maxSeen, i)
	v, _ := f.n.Value()
	f.n.Update(v + 1)
	out.Collect([2]int64{i, v + 1})
	return nil
}

func (f *countFn) NotifyCheckpointComplete(int64) error {
	f.c.checkpointCompleted(f.version, f.maxSeen)
	return nil
}

func (f *countFn) NotifyCheckpointAborted(int64) {}

// newService opens a service in dir ("" in memory) with the counting
// builder registered under "count", and code packages v1 and v2 of it in
// the code store.
func newService(t *testing.T, opts lifecycle.Options, c *counts) *lifecycle.Service {
	t.Helper()
	if opts.RestartStrategy == nil {
		opts.RestartStrategy = func() flinksim.RestartStrategy { return flinksim.FixedDelayRestart(1<<30, time.Millisecond) }
	}
	s, err := lifecycle.New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	require.NoError(t, s.RegisterBuilder("count", countingBuilder(c)))
	require.NoError(t, s.Code().Put("code", "count-v1.zip", lifecycle.NewCodePackage("count", map[string]string{"version": "v1"})))
	require.NoError(t, s.Code().Put("code", "count-v2.zip", lifecycle.NewCodePackage("count", map[string]string{"version": "v2"})))
	return s
}

// createCounting creates application name running code key, with a
// checkpoint every 20 ms.
func createCounting(t *testing.T, s *lifecycle.Service, name, key string, snapshots bool, parallelism int) lifecycle.ApplicationDetail {
	t.Helper()
	return createApp(t, s, name, key, snapshots, &lifecycle.FlinkApplicationConfiguration{
		CheckpointConfiguration: &lifecycle.CheckpointConfiguration{ConfigurationType: lifecycle.ConfigurationCustom,
			CheckpointInterval: 20, MinPauseBetweenCheckpoints: ptr(int64(0))},
		ParallelismConfiguration: &lifecycle.ParallelismConfiguration{ConfigurationType: lifecycle.ConfigurationCustom,
			Parallelism: parallelism, AutoScalingEnabled: ptr(false)},
	})
}

// createApp creates application name from object key of bucket "code",
// with the Flink configuration flink (nil: the defaults).
func createApp(t *testing.T, s *lifecycle.Service, name, key string, snapshots bool, flink *lifecycle.FlinkApplicationConfiguration) lifecycle.ApplicationDetail {
	t.Helper()
	out, err := s.CreateApplication(ctx(t), lifecycle.CreateApplicationRequest{
		ApplicationName: name, RuntimeEnvironment: lifecycle.RuntimeFlink1_20, ServiceExecutionRole: testRole,
		ApplicationConfiguration: &lifecycle.ApplicationConfiguration{
			ApplicationCodeConfiguration: &lifecycle.ApplicationCodeConfiguration{CodeContentType: lifecycle.CodeZipFile,
				CodeContent: lifecycle.CodeContent{S3ContentLocation: &lifecycle.S3ContentLocation{BucketARN: testBucket, FileKey: key}}},
			ApplicationSnapshotConfiguration: &lifecycle.ApplicationSnapshotConfiguration{SnapshotsEnabled: snapshots},
			FlinkApplicationConfiguration:    flink,
		},
	})
	require.NoError(t, err)
	return out.ApplicationDetail
}

func ptr[T any](v T) *T { return &v }

// ctx is a test's context, with a deadline so that a wait that never ends
// fails the test instead of hanging it.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// start starts an application and waits until it runs.
func start(t *testing.T, s *lifecycle.Service, name string, restore *lifecycle.ApplicationRestoreConfiguration) lifecycle.ApplicationOperationInfoDetails {
	t.Helper()
	in := lifecycle.StartApplicationRequest{ApplicationName: name}
	if restore != nil {
		in.RunConfiguration = &lifecycle.RunConfiguration{ApplicationRestoreConfiguration: restore}
	}
	out, err := s.StartApplication(ctx(t), in)
	require.NoError(t, err)
	op, err := s.WaitForOperation(ctx(t), name, out.OperationID)
	require.NoError(t, err)
	return op
}

// stop stops an application and waits until it is READY.
func stop(t *testing.T, s *lifecycle.Service, name string, force bool) lifecycle.ApplicationOperationInfoDetails {
	t.Helper()
	out, err := s.StopApplication(ctx(t), lifecycle.StopApplicationRequest{ApplicationName: name, Force: force})
	require.NoError(t, err)
	op, err := s.WaitForOperation(ctx(t), name, out.OperationID)
	require.NoError(t, err)
	return op
}

func describe(t *testing.T, s *lifecycle.Service, name string) lifecycle.ApplicationDetail {
	t.Helper()
	out, err := s.DescribeApplication(ctx(t), lifecycle.DescribeApplicationRequest{ApplicationName: name})
	require.NoError(t, err)
	return out.ApplicationDetail
}

func wait(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-ctx(t).Done():
		t.Fatal("timed out waiting for the job's output")
	}
}
