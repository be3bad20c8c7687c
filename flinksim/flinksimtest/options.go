package flinksimtest

import (
	"fmt"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Option configures a harness; make them with the With functions.
type Option struct {
	apply func(*config)
}

type config struct {
	name           string
	maxParallelism int // 0: the snapshot's, or defaultMaxParallelism
	subtask        int
	parallelism    int
	restore        []Snapshot
	start          int64
}

// defaultMaxParallelism is the number of key groups of a harness that
// neither sets it nor restores a snapshot: Flink's default for small
// parallelism.
const defaultMaxParallelism = 128

// WithName names the operator under test (default "process"): the name its
// RuntimeContext and its errors report.
func WithName(name string) Option { return Option{func(c *config) { c.name = name }} }

// WithMaxParallelism sets the operator's number of key groups (default: the
// restored snapshot's, or 128).
func WithMaxParallelism(n int) Option { return Option{func(c *config) { c.maxParallelism = n }} }

// WithSubtask runs the harness as subtask subtask of parallelism subtasks
// (default 0 of 1): a keyed operator then owns that subtask's key groups
// only, and a record of another key group is refused with
// ErrKeyNotInSubtask.
func WithSubtask(subtask, parallelism int) Option {
	return Option{func(c *config) { c.subtask, c.parallelism = subtask, parallelism }}
}

// WithRestore starts the operator from snapshots taken by harnesses of the
// same operator, as a job restores from a checkpoint: the snapshots of
// every old subtask, dealt to this subtask as a job deals them — keyed
// state by key group, operator list state by its redistribution mode — so
// a restore may change the parallelism (see WithSubtask), but not the
// max parallelism.
func WithRestore(snapshots ...Snapshot) Option {
	return Option{func(c *config) { c.restore = append(c.restore, snapshots...) }}
}

// WithProcessingTime sets the processing time the harness starts at, in
// milliseconds since the epoch (default 0).
func WithProcessingTime(ms int64) Option { return Option{func(c *config) { c.start = ms }} }

// newConfig applies opts and checks the result.
func newConfig(opts []Option) (config, error) {
	c := config{name: "process", parallelism: 1}
	for _, o := range opts {
		if o.apply != nil {
			o.apply(&c)
		}
	}
	for _, s := range c.restore {
		switch {
		case s.maxParallelism == 0:
			return c, fmt.Errorf("%w: restore from a zero Snapshot", flinksim.ErrIncompatibleState)
		case c.maxParallelism == 0:
			c.maxParallelism = s.maxParallelism
		case c.maxParallelism != s.maxParallelism:
			return c, fmt.Errorf("%w: snapshot of max parallelism %d restored at max parallelism %d (key groups cannot change)",
				flinksim.ErrIncompatibleState, s.maxParallelism, c.maxParallelism)
		}
	}
	if c.maxParallelism == 0 {
		c.maxParallelism = defaultMaxParallelism
	}
	if c.parallelism < 1 || c.subtask < 0 || c.subtask >= c.parallelism || c.parallelism > c.maxParallelism || c.maxParallelism > 1<<15 {
		return c, fmt.Errorf("%w: harness subtask %d of parallelism %d at max parallelism %d (want 0 <= subtask < parallelism <= max parallelism <= 32768)",
			flinksim.ErrInvalidParallelism, c.subtask, c.parallelism, c.maxParallelism)
	}
	if c.name == "" {
		return c, fmt.Errorf("%w: harness operator without a name", flinksim.ErrInvalidOperator)
	}
	return c, nil
}

// startTime is the harness's initial processing time.
func (c config) startTime() time.Time { return time.UnixMilli(c.start) }
