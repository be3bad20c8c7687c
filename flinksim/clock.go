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

// ManualClock is a Clock that moves only when told to, for tests. It is
// safe for concurrent use. Its methods:
//
//	Now() time.Time                          // the clock's time
//	After(d time.Duration) <-chan time.Time  // receives once the clock moved d
//	Advance(d time.Duration)                 // moves forward, waking waiters
//	AdvanceTo(t time.Time)                   // moves to t, if t is later
//
// It is the clock the simulation executor runs its virtual time on.
type ManualClock = engine.VirtualClock

// NewManualClock returns a clock that reads start until advanced.
func NewManualClock(start time.Time) *ManualClock { return engine.NewVirtualClock(start) }
