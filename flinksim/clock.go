package flinksim

import (
	"time"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// Clock is the source of processing time and of timed waits (checkpoint
// intervals, restart delays). The default is the system clock; tests
// inject a ManualClock so that time moves only when they say so.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock reads the system's wall clock.
type SystemClock struct{}

// Now implements Clock.
func (SystemClock) Now() time.Time { return time.Now() }

// After implements Clock.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// ManualClock is a Clock that moves only when told to, for tests: time
// stands still until Advance or AdvanceTo, which wake the waiters whose
// time has come. It is safe for concurrent use. The simulation executor
// runs its virtual time on a clock of the same kind.
type ManualClock struct {
	c *engine.VirtualClock
}

// NewManualClock returns a clock that reads start until advanced.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{c: engine.NewVirtualClock(start)}
}

// Now implements Clock.
func (m *ManualClock) Now() time.Time { return m.c.Now() }

// After implements Clock: the channel receives once the clock has moved d.
func (m *ManualClock) After(d time.Duration) <-chan time.Time { return m.c.After(d) }

// Advance moves the clock forward by d, waking the waiters due by then.
func (m *ManualClock) Advance(d time.Duration) { m.c.Advance(d) }

// AdvanceTo moves the clock to t, if t is later.
func (m *ManualClock) AdvanceTo(t time.Time) { m.c.AdvanceTo(t) }
