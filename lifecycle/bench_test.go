package lifecycle_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
)

// benchKeys is the state of the start and update benchmarks.
const benchKeys = 100_000

// keyedBuilder is a job of keyed state fed by a channel: every value sent
// is a key, whose state it updates. all is closed once the sink has seen
// benchKeys records.
func keyedBuilder(in <-chan int64, all chan struct{}) lifecycle.JobBuilder {
	var seen atomic.Int64
	return func(env *flinksim.Environment, _ lifecycle.JobContext) error {
		keys := flinksim.FromChan(env, "keys", in)
		counted := flinksim.Reduce(flinksim.KeyBy(keys, func(k int64) int64 { return k }), "count",
			func(a, b int64) (int64, error) { return a + 1, nil })
		flinksim.Sink(counted, "seen", func(int64) error {
			if seen.Add(1) == benchKeys {
				close(all)
			}
			return nil
		})
		return nil
	}
}

// benchApp creates and starts application "app" with benchKeys keys of
// state and snapshots enabled.
func benchApp(b *testing.B) *lifecycle.Service {
	b.Helper()
	ch, all := make(chan int64), make(chan struct{})
	s, err := lifecycle.New(lifecycle.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.RegisterBuilder("keyed", keyedBuilder(ch, all)); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	_, err = s.CreateApplication(ctx, lifecycle.CreateApplicationRequest{ApplicationName: "app",
		RuntimeEnvironment: lifecycle.RuntimeFlink1_20, ServiceExecutionRole: testRole,
		ApplicationConfiguration: &lifecycle.ApplicationConfiguration{
			ApplicationCodeConfiguration: &lifecycle.ApplicationCodeConfiguration{CodeContentType: lifecycle.CodeZipFile,
				CodeContent: lifecycle.CodeContent{ZipFileContent: lifecycle.NewCodePackage("keyed", nil)}},
			ApplicationSnapshotConfiguration: &lifecycle.ApplicationSnapshotConfiguration{SnapshotsEnabled: true},
			FlinkApplicationConfiguration: &lifecycle.FlinkApplicationConfiguration{
				ParallelismConfiguration: &lifecycle.ParallelismConfiguration{ConfigurationType: lifecycle.ConfigurationCustom,
					Parallelism: 2, AutoScalingEnabled: ptr(false)}}}})
	if err != nil {
		b.Fatal(err)
	}
	out, err := s.StartApplication(ctx, lifecycle.StartApplicationRequest{ApplicationName: "app"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.WaitForOperation(ctx, "app", out.OperationID); err != nil {
		b.Fatal(err)
	}
	for k := range int64(benchKeys) {
		ch <- k
	}
	<-all
	return s
}

func await(b *testing.B, s *lifecycle.Service, id string) {
	b.Helper()
	op, err := s.WaitForOperation(context.Background(), "app", id)
	if err != nil || op.OperationStatus != lifecycle.OperationSuccessful {
		b.Fatalf("%+v %v", op, err)
	}
}

// BenchmarkStartWithState: StartApplication of a READY application whose
// latest snapshot holds 100,000 keys, from the call to RUNNING with every
// subtask restored (the start's operation SUCCESSFUL), beside the stop that
// takes the snapshot.
func BenchmarkStartWithState(b *testing.B) {
	s := benchApp(b)
	b.ReportAllocs()
	ctx := context.Background()
	var stopTime, startTime time.Duration
	for b.Loop() {
		t0 := time.Now()
		out, err := s.StopApplication(ctx, lifecycle.StopApplicationRequest{ApplicationName: "app"})
		if err != nil {
			b.Fatal(err)
		}
		await(b, s, out.OperationID)
		t1 := time.Now()
		start, err := s.StartApplication(ctx, lifecycle.StartApplicationRequest{ApplicationName: "app"})
		if err != nil {
			b.Fatal(err)
		}
		await(b, s, start.OperationID)
		stopTime += t1.Sub(t0)
		startTime += time.Since(t1)
	}
	b.ReportMetric(float64(startTime.Milliseconds())/float64(b.N), "start-ms/op")
	b.ReportMetric(float64(stopTime.Milliseconds())/float64(b.N), "stop-ms/op")
}

// BenchmarkUpdateWithState: UpdateApplication of a RUNNING application
// with 100,000 keys (a new parallelism each time), from the call to
// RUNNING again with every subtask restored (the update's operation
// SUCCESSFUL).
func BenchmarkUpdateWithState(b *testing.B) {
	s := benchApp(b)
	b.ReportAllocs()
	ctx := context.Background()
	p := 2
	for b.Loop() {
		p = 5 - p // 2, 3, 2, 3, …
		d, err := s.DescribeApplication(ctx, lifecycle.DescribeApplicationRequest{ApplicationName: "app"})
		if err != nil {
			b.Fatal(err)
		}
		out, err := s.UpdateApplication(ctx, lifecycle.UpdateApplicationRequest{ApplicationName: "app",
			CurrentApplicationVersionID: d.ApplicationDetail.ApplicationVersionID, ApplicationConfigurationUpdate: parallelismUpdate(p)})
		if err != nil {
			b.Fatal(err)
		}
		await(b, s, out.OperationID)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "update-ms/op")
}

// BenchmarkIdleApplications: 100 applications running at once, each a
// source → keyed count → sink job with nothing to read: the heap they
// hold, and the CPU the process spends over a second of idling.
func BenchmarkIdleApplications(b *testing.B) {
	const apps = 100
	b.ReportAllocs()
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		s, err := lifecycle.New(lifecycle.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.RegisterBuilder("keyed", keyedBuilder(make(chan int64), make(chan struct{}))); err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		var ops []string
		for i := range apps {
			name := fmt.Sprintf("app-%03d", i)
			_, err := s.CreateApplication(ctx, lifecycle.CreateApplicationRequest{ApplicationName: name,
				RuntimeEnvironment: lifecycle.RuntimeFlink1_20, ServiceExecutionRole: testRole,
				ApplicationConfiguration: &lifecycle.ApplicationConfiguration{
					ApplicationCodeConfiguration: &lifecycle.ApplicationCodeConfiguration{CodeContentType: lifecycle.CodeZipFile,
						CodeContent: lifecycle.CodeContent{ZipFileContent: lifecycle.NewCodePackage("keyed", nil)}}}})
			if err != nil {
				b.Fatal(err)
			}
			out, err := s.StartApplication(ctx, lifecycle.StartApplicationRequest{ApplicationName: name})
			if err != nil {
				b.Fatal(err)
			}
			ops = append(ops, name, out.OperationID)
		}
		for i := 0; i < len(ops); i += 2 {
			if op, err := s.WaitForOperation(ctx, ops[i], ops[i+1]); err != nil || op.OperationStatus != lifecycle.OperationSuccessful {
				b.Fatalf("%s: %+v %v", ops[i], op, err)
			}
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		cpu0 := cpuTime()
		t0 := time.Now()
		time.Sleep(time.Second) // the measurement is of idling itself
		cpu := cpuTime() - cpu0
		wall := time.Since(t0)
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/apps/1024, "heap-KiB/app")
		b.ReportMetric(100*float64(cpu)/float64(wall), "idle-cpu-%")
		b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
		s.Close()
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
