package lifecycle

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// TestMeasuredUtilization: with no Options.Utilization, autoscaling reads
// the runtime's busy time: a job that counts records as fast as it can is
// busy nearly all the time, one that waits for input nearly never.
//
// Mutant killed: the utilisation taken from the least busy subtask.
func TestMeasuredUtilization(t *testing.T) {
	var processed atomic.Int64
	half, full := make(chan struct{}), make(chan struct{})
	s, err := New(Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	require.NoError(t, s.RegisterBuilder("busy", func(env *flinksim.Environment, _ JobContext) error {
		n := flinksim.Generate(env, "n", 1<<40, func(i int64) (int64, error) { return i, nil })
		sq := flinksim.Map(flinksim.Rebalance(n), "work", func(i int64) (int64, error) {
			for range 200 { // some work per record
				i = i*31 + 7
			}
			return i, nil
		})
		flinksim.Sink(sq, "out", func(int64) error {
			switch processed.Add(1) {
			case 100_000:
				close(half)
			case 300_000:
				close(full)
			}
			return nil
		})
		return nil
	}))
	require.NoError(t, s.RegisterBuilder("idle", func(env *flinksim.Environment, _ JobContext) error {
		flinksim.Sink(flinksim.FromChan(env, "in", make(chan int)), "out", func(int) error { return nil })
		return nil
	}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, name := range []string{"busy", "idle"} {
		_, err := s.CreateApplication(ctx, CreateApplicationRequest{ApplicationName: name, RuntimeEnvironment: RuntimeFlink1_20,
			ServiceExecutionRole: "arn:aws:iam::1:role/r", ApplicationConfiguration: &ApplicationConfiguration{
				ApplicationCodeConfiguration: &ApplicationCodeConfiguration{CodeContentType: CodeZipFile,
					CodeContent: CodeContent{ZipFileContent: NewCodePackage(name, nil)}}}})
		require.NoError(t, err)
		out, err := s.StartApplication(ctx, StartApplicationRequest{ApplicationName: name})
		require.NoError(t, err)
		op, err := s.WaitForOperation(ctx, name, out.OperationID)
		require.NoError(t, err)
		require.Equal(t, OperationSuccessful, op.OperationStatus, "%+v", op)
	}
	sample := func(name string) float64 {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.utilization(s.apps[name])
	}
	<-half
	sample("busy")
	sample("idle")
	<-full // an interval in which the busy job processed 200,000 records
	busy, idle := sample("busy"), sample("idle")
	t.Logf("utilisation: busy job %.3f, idle job %.3f", busy, idle)
	require.Greater(t, busy, 0.5)
	require.LessOrEqual(t, busy, 1.0)
	require.Less(t, idle, 0.1)
}
