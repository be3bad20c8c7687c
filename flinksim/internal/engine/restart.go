package engine

import (
	"fmt"
	"time"
)

// RestartStrategy decides, after each failure, whether and when the job
// restarts, as Flink's restart strategies. A strategy holds the state of
// one job's failures: use one per job.
type RestartStrategy interface {
	// Next returns the delay before restarting after a failure at now, or
	// false when the job must fail.
	Next(now time.Time) (time.Duration, bool)
	fmt.Stringer
}

// NoRestart fails the job at its first failure.
type NoRestart struct{}

// Next implements RestartStrategy.
func (NoRestart) Next(time.Time) (time.Duration, bool) { return 0, false }

func (NoRestart) String() string { return "no restart" }

// FixedDelay restarts at most Attempts times, waiting Delay each time.
type FixedDelay struct {
	Attempts int
	Delay    time.Duration
	used     int
}

// Next implements RestartStrategy.
func (s *FixedDelay) Next(time.Time) (time.Duration, bool) {
	if s.used >= s.Attempts {
		return 0, false
	}
	s.used++
	return s.Delay, true
}

func (s *FixedDelay) String() string {
	return fmt.Sprintf("fixed delay (%d attempts, %v)", s.Attempts, s.Delay)
}

// ExponentialDelay restarts with a delay that starts at Initial and grows
// by Multiplier up to Max; after ResetThreshold without failure it starts
// over from Initial. Attempts (0: unlimited) bounds the restarts between
// resets. It is Flink's default when checkpointing is on.
type ExponentialDelay struct {
	Initial, Max   time.Duration
	Multiplier     float64
	ResetThreshold time.Duration
	Attempts       int

	next        time.Duration
	used        int
	lastFailure time.Time
}

// Next implements RestartStrategy.
func (s *ExponentialDelay) Next(now time.Time) (time.Duration, bool) {
	if s.next == 0 || (!s.lastFailure.IsZero() && now.Sub(s.lastFailure) >= s.ResetThreshold) {
		s.next, s.used = s.Initial, 0
	}
	s.lastFailure = now
	if s.Attempts > 0 && s.used >= s.Attempts {
		return 0, false
	}
	s.used++
	d := s.next
	s.next = min(time.Duration(float64(s.next)*max(s.Multiplier, 1)), s.Max)
	if s.next <= 0 {
		s.next = s.Max
	}
	return d, true
}

func (s *ExponentialDelay) String() string {
	return fmt.Sprintf("exponential delay (%v to %v, x%.1f)", s.Initial, s.Max, s.Multiplier)
}

// FailureRate restarts after Delay unless more than MaxFailures failures
// happened within Interval.
type FailureRate struct {
	MaxFailures int
	Interval    time.Duration
	Delay       time.Duration
	failures    []time.Time
}

// Next implements RestartStrategy.
func (s *FailureRate) Next(now time.Time) (time.Duration, bool) {
	kept := s.failures[:0]
	for _, f := range s.failures {
		if now.Sub(f) < s.Interval {
			kept = append(kept, f)
		}
	}
	s.failures = append(kept, now)
	if len(s.failures) > s.MaxFailures {
		return 0, false
	}
	return s.Delay, true
}

func (s *FailureRate) String() string {
	return fmt.Sprintf("failure rate (%d per %v, %v)", s.MaxFailures, s.Interval, s.Delay)
}
