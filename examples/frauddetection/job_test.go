package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/flinksim/go-flinksim/flinksim"
)

// observedDetector is the detector, telling the test when it handled a
// transaction and when a timer fired, so the test waits on those events.
type observedDetector struct {
	*FraudDetector
	processed chan<- struct{}
	fired     chan<- int64
}

func (d observedDetector) ProcessElement(ctx *flinksim.KeyedContext[int64], t Transaction, out flinksim.Collector[Alert]) error {
	err := d.FraudDetector.ProcessElement(ctx, t, out)
	d.processed <- struct{}{}
	return err
}

func (d observedDetector) OnTimer(ctx *flinksim.OnTimerContext[int64], ts int64, out flinksim.Collector[Alert]) error {
	err := d.FraudDetector.OnTimer(ctx, ts, out)
	d.fired <- ts
	return err
}

// TestFraudDetectionJob runs the whole job on a manual clock: account 1's
// small-then-large alerts, and account 2's large transaction comes after
// the clock moved past the minute, when the timer has cleared its flag.
// No sleeping: the test moves the clock and waits on the detector.
//
// Mutants: the detector's timer an hour instead of a minute (account 2
// alerts); processing-time timers not fired by the task (fireTimers'
// OnProcessingTime call removed: the test's wait for the timer ends at its
// deadline); each fails this test.
func TestFraudDetectionJob(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	clock := flinksim.NewManualClock(time.UnixMilli(0))
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithClock(clock))
	in := make(chan Transaction)
	processed, fired := make(chan struct{}), make(chan int64)
	var alerts []Alert
	FraudDetection(flinksim.FromChan(env, "transactions", in),
		func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, Transaction, Alert], error) {
			fn, err := OpenFraudDetector(rt)
			return observedDetector{FraudDetector: fn.(*FraudDetector), processed: processed, fired: fired}, err
		},
		func(a Alert) error { alerts = append(alerts, a); return nil })
	job, err := env.Start(ctx, "fraud-detection")
	require.NoError(t, err)
	defer job.Cancel()

	wait := func(c <-chan struct{}) {
		t.Helper()
		select {
		case <-c:
		case <-ctx.Done():
			t.Fatal("the detector did not handle the transaction")
		}
	}
	send := func(tx Transaction) {
		t.Helper()
		select {
		case in <- tx:
		case <-ctx.Done():
			t.Fatal("the source did not take the transaction")
		}
		wait(processed)
	}
	send(small(1))
	send(large(1))
	send(small(2))
	clock.Advance(time.Minute)
	select {
	case ts := <-fired:
		assert.Equal(t, int64(60_000), ts, "account 2's timer, account 1's being deleted")
	case <-ctx.Done():
		t.Fatal("the timer did not fire")
	}
	send(large(2))
	close(in)
	require.NoError(t, job.Wait(ctx))
	assert.Equal(t, []Alert{{AccountID: 1}}, alerts)
}

// TestRunAlertsAccount3: the command's built-in transactions alert on
// account 3, as the walkthrough's do.
func TestRunAlertsAccount3(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	var mu sync.Mutex // the sink's subtasks call it concurrently
	var alerts []Alert
	FraudDetection(flinksim.FromSlice(env, "transactions", transactions()), OpenFraudDetector,
		func(a Alert) error {
			mu.Lock()
			defer mu.Unlock()
			alerts = append(alerts, a)
			return nil
		})
	_, err := env.Execute(context.Background(), "fraud-detection")
	require.NoError(t, err)
	assert.Equal(t, []Alert{{AccountID: 3}}, alerts)
}
