package main

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

// The counter's reader owns the goroutine of its timer's callback: Close
// waits for a callback that has begun and cancels one that has not. These
// tests run in a synctest bubble, so time is fake and synctest.Wait says
// when every goroutine is blocked: they are deterministic.
//
// Mutants killed: Close without calls.Wait (TestSequenceReaderCloseWaitsForTheCallback
// sees Close return while the callback runs); Close not counting a
// stopped timer's callback as done (TestSequenceReaderCloseCancelsAPendingCallback
// deadlocks: the bubble reports it); wakeAt counting a Reset that moved a
// pending callback (TestSequenceReaderResetMovesThePendingCallback deadlocks
// in Close); wakeAt arming a timer after Close (the cancel test sees a
// wake).

// TestMain checks that no test of the package leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSequenceReaderCloseWaitsForTheCallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var returned atomic.Bool
		r := &sequenceReader{rate: 1, wake: func() {
			<-release
			returned.Store(true)
		}}
		r.wakeAt(time.Second)
		time.Sleep(time.Second)
		synctest.Wait() // the callback runs, blocked on release
		done := make(chan struct{})
		go func() {
			_ = r.Close()
			close(done)
		}()
		synctest.Wait() // Close has returned, or waits for the callback
		select {
		case <-done:
			t.Fatal("Close returned while the timer's callback runs")
		default:
		}
		close(release)
		<-done
		if !returned.Load() {
			t.Fatal("Close returned before the callback did")
		}
	})
}

func TestSequenceReaderCloseCancelsAPendingCallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var wakes atomic.Int64
		r := &sequenceReader{rate: 1, wake: func() { wakes.Add(1) }}
		r.wakeAt(time.Second)
		_ = r.Close()
		r.wakeAt(time.Second) // after Close: nothing
		time.Sleep(time.Hour)
		synctest.Wait()
		if n := wakes.Load(); n != 0 {
			t.Fatalf("%d wakes after Close", n)
		}
	})
}

func TestSequenceReaderResetMovesThePendingCallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var wakes atomic.Int64
		r := &sequenceReader{rate: 1, wake: func() { wakes.Add(1) }}
		r.wakeAt(time.Second)
		r.wakeAt(2 * time.Second) // moves the pending one
		time.Sleep(time.Second + time.Millisecond)
		synctest.Wait()
		if n := wakes.Load(); n != 0 {
			t.Fatalf("%d wakes at 1s; the callback was moved to 2s", n)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := wakes.Load(); n != 1 {
			t.Fatalf("%d wakes at 2s, want 1", n)
		}
		r.wakeAt(time.Second) // the timer fired: a new callback
		time.Sleep(time.Second)
		synctest.Wait()
		if n := wakes.Load(); n != 2 {
			t.Fatalf("%d wakes at 3s, want 2", n)
		}
		_ = r.Close()
	})
}
