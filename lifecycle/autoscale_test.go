package lifecycle_test

import (
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
)

// utilization is a settable utilisation, for Options.Utilization. Each
// reading — one per one-minute point the autoscaler takes — is sent on
// read, so that a test knows the point was taken: the autoscaler decides
// with the service locked, so what a test reads after it includes the
// decision.
type utilization struct {
	bits atomic.Uint64
	read chan float64
}

func newUtilization() *utilization { return &utilization{read: make(chan float64, 1000)} }

func (u *utilization) set(v float64) { u.bits.Store(math.Float64bits(v)) }

func (u *utilization) get(string, *flinksim.JobClient) float64 {
	v := math.Float64frombits(u.bits.Load())
	u.read <- v
	return v
}

// point advances the clock by d and waits for the autoscaler's reading.
func (u *utilization) point(t *testing.T, clock *flinksim.ManualClock, d time.Duration) {
	t.Helper()
	clock.Advance(d)
	select {
	case <-u.read:
	case <-ctx(t).Done():
		t.Fatal("no autoscaling point taken")
	}
}

func enableAutoscaling(t *testing.T, s *lifecycle.Service, name string, parallelism, perKPU int) {
	t.Helper()
	update(t, s, name, lifecycle.UpdateApplicationRequest{ApplicationConfigurationUpdate: &lifecycle.ApplicationConfigurationUpdate{
		FlinkApplicationConfigurationUpdate: &lifecycle.FlinkApplicationConfigurationUpdate{
			ParallelismConfigurationUpdate: &lifecycle.ParallelismConfigurationUpdate{ConfigurationTypeUpdate: lifecycle.ConfigurationCustom,
				ParallelismUpdate: parallelism, ParallelismPerKPUUpdate: perKPU, AutoScalingEnabledUpdate: ptr(true)}}}})
}

func currentParallelism(d lifecycle.ApplicationDetail) int {
	return d.ApplicationConfigurationDescription.FlinkApplicationConfigurationDescription.ParallelismConfigurationDescription.CurrentParallelism
}

// scaledTo waits until the application runs at parallelism p.
func scaledTo(t *testing.T, s *lifecycle.Service, name string, p int) lifecycle.ApplicationDetail {
	t.Helper()
	d, err := s.Wait(ctx(t), name, func(d lifecycle.ApplicationDetail) bool {
		return d.ApplicationStatus == lifecycle.StatusRunning && currentParallelism(d) == p
	})
	require.NoError(t, err)
	return d
}

// TestAutoscaling runs the service's rule on a manual clock: 15 one-minute
// points at or above 75 % double the parallelism, 360 below 10 % halve it
// (rounded up), never below the configured parallelism nor above
// ParallelismPerKPU × 64; each scaling is an AUTOSCALING operation, a new
// version, through a snapshot that keeps the keyed count.
//
// Mutants killed: scaling up after 14 points; scaling down after 359;
// halving rounded down (3 → 1, below the floor of 2 would also catch it);
// the KPU bound ignored (4 → 8 with 2 per KPU and... see the bound case).
func TestAutoscaling(t *testing.T) {
	clock := flinksim.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	u := newUtilization()
	c := newCounts()
	s := newService(t, lifecycle.Options{Clock: clock, Utilization: u.get}, c)
	createCounting(t, s, "app", "count-v1.zip", true, 1)
	enableAutoscaling(t, s, "app", 2, 1) // version 2: parallelism 2, autoscaling on
	start(t, s, "app", nil)
	progress(t, s, c, "app", 1000)

	u.set(0.80)
	u.point(t, clock, 14*time.Minute)
	clock.Advance(30 * time.Second) // no point
	d := describe(t, s, "app")
	require.Equal(t, 2, currentParallelism(d), "14 points are not enough")
	require.Equal(t, lifecycle.StatusRunning, d.ApplicationStatus)
	u.point(t, clock, 30*time.Second) // the 15th
	d = scaledTo(t, s, "app", 4)
	require.Equal(t, int64(3), d.ApplicationVersionID, "a scaling is a new version")
	ops, err := s.ListApplicationOperations(ctx(t), lifecycle.ListApplicationOperationsRequest{ApplicationName: "app", Operation: lifecycle.OpAutoscale})
	require.NoError(t, err)
	require.Len(t, ops.ApplicationOperationInfoList, 1)
	require.Equal(t, lifecycle.OperationSuccessful, ops.ApplicationOperationInfoList[0].OperationStatus)
	progress(t, s, c, "app", 2000)

	u.set(0.05)
	u.point(t, clock, 359*time.Minute)
	d = describe(t, s, "app")
	require.Equal(t, 4, currentParallelism(d), "359 points are not enough")
	require.Equal(t, lifecycle.StatusRunning, d.ApplicationStatus)
	u.point(t, clock, time.Minute)
	scaledTo(t, s, "app", 2)
	progress(t, s, c, "app", 2000)
	u.point(t, clock, 360*time.Minute)
	d = describe(t, s, "app")
	require.Equal(t, lifecycle.StatusRunning, d.ApplicationStatus)
	require.Equal(t, 2, currentParallelism(d), "never below the configured parallelism")

	wrong, first := c.wrongOutputs()
	require.Zero(t, wrong, "the count survives every scaling: %v", first)
}

// TestAutoscalingBound: the parallelism never exceeds ParallelismPerKPU ×
// the KPU limit (64), and a point between the thresholds resets the run.
//
// Mutants killed: the KPU bound ignored (64 → 128); a point in between not
// resetting the run of high points.
func TestAutoscalingBound(t *testing.T) {
	clock := flinksim.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	u := newUtilization()
	c := newCounts()
	s := newService(t, lifecycle.Options{Clock: clock, Utilization: u.get}, c)
	createCounting(t, s, "app", "count-v1.zip", true, 1)
	enableAutoscaling(t, s, "app", 16, 1)
	start(t, s, "app", nil)
	u.set(0.80)
	u.point(t, clock, 10*time.Minute)
	u.set(0.5) // one point in between
	u.point(t, clock, time.Minute)
	u.set(1)
	u.point(t, clock, 14*time.Minute)
	require.Equal(t, 16, currentParallelism(describe(t, s, "app")), "the point in between reset the run: 14 in a row")
	u.point(t, clock, time.Minute)
	scaledTo(t, s, "app", 32)
	u.point(t, clock, 15*time.Minute)
	scaledTo(t, s, "app", 64)
	u.point(t, clock, 15*time.Minute)
	d := describe(t, s, "app")
	require.Equal(t, lifecycle.StatusRunning, d.ApplicationStatus, "at the bound: no scaling")
	require.Equal(t, 64, currentParallelism(d), "1 per KPU: at most 64")
	progress(t, s, c, "app", 1000)
	wrong, first := c.wrongOutputs()
	require.Zero(t, wrong, first)
}
