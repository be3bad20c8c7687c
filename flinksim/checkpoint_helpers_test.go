package flinksim_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Helpers of the checkpoint & recovery suite (checkpoint_*_test.go). Their
// names start with cp so as not to collide with the package's other tests.

// cpAlwaysFail is a Faults that fails every time the operator reaches the
// point: a job with it can never finish, so it shows restart loops.
type cpAlwaysFail struct {
	op    string
	point flinksim.FaultPoint

	mu      sync.Mutex
	strikes int
}

func (f *cpAlwaysFail) Strike(op string, _ int, point flinksim.FaultPoint, _ int64) error {
	if op != f.op || point != f.point {
		return nil
	}
	f.mu.Lock()
	f.strikes++
	n := f.strikes
	f.mu.Unlock()
	return &cpStrikeError{n: n}
}

func (f *cpAlwaysFail) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.strikes
}

type cpStrikeError struct{ n int }

func (e *cpStrikeError) Error() string { return "always-failing fault, strike " + strconv.Itoa(e.n) }
func (e *cpStrikeError) Unwrap() error { return flinksim.ErrInjected }

// cpWaitClock is a ManualClock that reports every timed wait of at least
// min (restart delays, not the executors' short backoffs) on waits, so a
// test can wait for the job to reach its restart delay instead of sleeping.
type cpWaitClock struct {
	*flinksim.ManualClock
	min   time.Duration
	waits chan time.Duration
}

func newCPWaitClock(min time.Duration) *cpWaitClock {
	return &cpWaitClock{ManualClock: flinksim.NewManualClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)), min: min,
		waits: make(chan time.Duration, 1000)}
}

func (c *cpWaitClock) After(d time.Duration) <-chan time.Time {
	ch := c.ManualClock.After(d)
	if d >= c.min {
		c.waits <- d
	}
	return ch
}

// cpNextWait waits for the next long wait the job asks of the clock.
func (c *cpWaitClock) next(ctx context.Context) (time.Duration, bool) {
	select {
	case d := <-c.waits:
		return d, true
	case <-ctx.Done():
		return 0, false
	}
}

// cpDeadline is a safety net for waits on events: a bug that loses the
// event fails the test after a minute instead of hanging the suite. Tests
// never wait on it otherwise.
func cpDeadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// cpCounter counts records per key in ValueState and emits (key, count).
func cpCounter(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, keyCount], error) {
	c := flinksim.NewValueState[int64](rt, "c")
	return flinksim.ProcessFunc[int, int, keyCount](func(_ *flinksim.KeyedContext[int], k int, out flinksim.Collector[keyCount]) error {
		v, _ := c.Value()
		v++
		c.Update(v)
		out.Collect(keyCount{k, v})
		return nil
	}), nil
}

// cpMultiset counts the elements of vs.
func cpMultiset[T comparable](vs []T) map[T]int {
	m := make(map[T]int, len(vs))
	for _, v := range vs {
		m[v]++
	}
	return m
}

// cpMissing returns how many elements of want are missing from got (as
// multisets), and how many elements got has beyond want.
func cpMissing[T comparable](want, got []T) (missing, extra int) {
	w, g := cpMultiset(want), cpMultiset(got)
	for v, n := range w {
		if g[v] < n {
			missing += n - g[v]
		}
	}
	for v, n := range g {
		if n > w[v] {
			extra += n - w[v]
		}
	}
	return missing, extra
}
