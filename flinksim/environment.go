package flinksim

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

// Config configures an Environment. The zero value means the defaults
// documented on each field.
type Config struct {
	// Parallelism is the default parallelism of operators
	// (default: GOMAXPROCS, as Flink's local environment uses the cores).
	Parallelism int
	// MaxParallelism is the number of key groups of keyed operators. The
	// default is Flink's rule per operator: parallelism × 1.5 rounded up
	// to a power of two, at least 128.
	MaxParallelism int
	// TaskManagers is the number of task managers (default: as many as the
	// job's slots need). SlotsPerTaskManager is their slot count
	// (default 1). Subtask i of every operator shares slot i, as with
	// Flink's default slot sharing, so a job needs as many slots as its
	// highest parallelism.
	TaskManagers        int
	SlotsPerTaskManager int
	// BatchSize is the number of records sent between tasks at once
	// (default 256, at most MaxBatchSize).
	BatchSize int
	// BuffersPerChannel is how many batches an input channel holds before
	// its producer waits (default 8, at most MaxBuffersPerChannel), as
	// Flink's buffers per channel: backpressure is per channel, and an
	// input blocked by exactly-once alignment holds at most this many
	// batches, plus what one step of its producer emits (one batch, for
	// sources and operators that emit a record per record), whatever the
	// speed of its producer.
	BuffersPerChannel int
	// BufferTimeout bounds how long a partly filled batch waits before it
	// is sent while its task is busy taking steps (default 100ms, as
	// Flink's execution.buffer-timeout); a task with nothing left to read
	// sends its partial batches at once. A task held back by backpressure
	// takes no steps: its partial batches go when it runs again.
	BufferTimeout time.Duration
	// WatermarkInterval is how often watermark generators emit their
	// periodic watermark, on the job's clock (default 200ms, as Flink's
	// pipeline.auto-watermark-interval).
	WatermarkInterval time.Duration
	// Logger receives structured logs (default: none).
	Logger *zap.Logger
	// Clock is the source of processing time (default: SystemClock).
	Clock Clock
	// Simulation, when set, runs the job on one goroutine with a seeded
	// choice of the next event instead of a goroutine per task.
	Simulation *Simulation
	// Checkpointing, when set, takes checkpoints (see CheckpointConfig).
	Checkpointing *CheckpointConfig
	// RestartStrategy decides how a failed job restarts (default:
	// ExponentialDelayRestart(1s, 1min, 1.5) with checkpointing, NoRestart
	// without).
	RestartStrategy RestartStrategy
	// RestoreFrom is the snapshot the job starts from ("" starts empty):
	// a reference in the checkpoint store (CheckpointRecord.Ref,
	// snapshot.Manifest.Ref), or the path of a snapshot directory on disk
	// — a savepoint in CheckpointConfig.SavepointDir — which needs no
	// store.
	RestoreFrom string
	// RestoreMode says who owns a restored checkpoint (Flink's restore
	// modes). RestoreNoClaim, the default, leaves it to its owner: the job
	// never deletes it, however many newer checkpoints it takes (name a
	// checkpoint of the job's own store by its reference, not its path on
	// disk, for the store to know it).
	// RestoreClaim makes it the job's, removed as the store's retention
	// removes the job's own once newer ones complete. Savepoints are never
	// removed in either mode.
	RestoreMode RestoreMode
	// AllowNonRestoredState skips state in RestoreFrom of operators the
	// job no longer has, instead of failing with ErrNonRestoredState.
	AllowNonRestoredState bool
	// Faults injects failures, for tests (default: none).
	Faults Faults
	// SavepointsAt asks for savepoints at exact points of the run, for
	// tests (see SavepointAt).
	SavepointsAt []SavepointAt
	// Tracer, when set, receives every trace event of the job (see
	// TraceEvent). Its calls never overlap; it runs on the job's
	// goroutines, so it must not block.
	Tracer func(TraceEvent)
}

// Bounds of Config values; larger ones are refused with ErrInvalidConfig.
const (
	MaxBatchSize         = engine.MaxBatchSize
	MaxBuffersPerChannel = engine.MaxGateCapacity
)

// Simulation configures the deterministic executor: all tasks run on one
// goroutine, and at every step the next event — a source poll or the
// delivery of the oldest batch of some channel — is chosen by a PRNG
// seeded with Seed. The same seed and job give the same run, event for
// event, so a failing seed can be replayed exactly.
type Simulation struct {
	Seed uint64
	// Trace, when set, receives one line per event.
	Trace io.Writer
}

// Option changes a Config.
type Option func(*Config)

// WithParallelism sets the default operator parallelism.
func WithParallelism(n int) Option { return func(c *Config) { c.Parallelism = n } }

// WithMaxParallelism sets the number of key groups of keyed operators.
func WithMaxParallelism(n int) Option { return func(c *Config) { c.MaxParallelism = n } }

// WithTaskManagers sets the number of task managers and their slots.
func WithTaskManagers(n, slotsEach int) Option {
	return func(c *Config) { c.TaskManagers, c.SlotsPerTaskManager = n, slotsEach }
}

// WithBatchSize sets how many records travel between tasks at once.
func WithBatchSize(n int) Option { return func(c *Config) { c.BatchSize = n } }

// WithLogger sets the logger.
func WithLogger(l *zap.Logger) Option { return func(c *Config) { c.Logger = l } }

// WithClock sets the processing-time clock.
func WithClock(clk Clock) Option { return func(c *Config) { c.Clock = clk } }

// WithSimulation runs jobs on the deterministic executor with the given
// seed; trace, if not nil, receives one line per event.
func WithSimulation(seed uint64, trace io.Writer) Option {
	return func(c *Config) { c.Simulation = &Simulation{Seed: seed, Trace: trace} }
}

// WithCheckpointing enables checkpointing with cfg.
func WithCheckpointing(cfg CheckpointConfig) Option {
	return func(c *Config) { c.Checkpointing = &cfg }
}

// WithRestartStrategy sets the restart strategy.
func WithRestartStrategy(s RestartStrategy) Option { return func(c *Config) { c.RestartStrategy = s } }

// WithRestoreFrom starts jobs from the snapshot ref (see
// Config.RestoreFrom: a reference in the checkpoint store or a savepoint's
// path), skipping state of removed operators if allowNonRestored.
func WithRestoreFrom(ref string, allowNonRestored bool) Option {
	return func(c *Config) { c.RestoreFrom, c.AllowNonRestoredState = ref, allowNonRestored }
}

// RestoreMode is who owns the snapshot a job restores from, as Flink's
// restore modes; see Config.RestoreMode.
type RestoreMode uint8

// Restore modes.
const (
	// RestoreNoClaim: the job never deletes the snapshot it restored from.
	RestoreNoClaim RestoreMode = iota
	// RestoreClaim: the job owns the restored checkpoint; retention
	// removes it once newer checkpoints complete.
	RestoreClaim
)

func (m RestoreMode) String() string {
	switch m {
	case RestoreNoClaim:
		return "NO_CLAIM"
	case RestoreClaim:
		return "CLAIM"
	}
	return fmt.Sprintf("RestoreMode(%d)", uint8(m))
}

// WithRestoreMode sets Config.RestoreMode.
func WithRestoreMode(m RestoreMode) Option { return func(c *Config) { c.RestoreMode = m } }

// WithTracer subscribes fn to the job's trace events (see Config.Tracer).
func WithTracer(fn func(TraceEvent)) Option { return func(c *Config) { c.Tracer = fn } }

// WithFaults injects failures, for tests.
func WithFaults(f Faults) Option { return func(c *Config) { c.Faults = f } }

// ErrInvalidConfig reports a Config that cannot run.
var ErrInvalidConfig = errors.New("flinksim: invalid configuration")

func (c Config) withDefaults() Config {
	if c.Parallelism == 0 {
		c.Parallelism = runtime.GOMAXPROCS(0)
	}
	if c.SlotsPerTaskManager == 0 {
		c.SlotsPerTaskManager = 1
	}
	if c.BatchSize == 0 {
		c.BatchSize = 256
	}
	if c.BuffersPerChannel == 0 {
		c.BuffersPerChannel = 8
	}
	if c.BufferTimeout == 0 {
		c.BufferTimeout = 100 * time.Millisecond
	}
	if c.WatermarkInterval == 0 {
		c.WatermarkInterval = 200 * time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if cp := c.Checkpointing; cp != nil {
		cc := *cp
		if cc.Timeout == 0 {
			cc.Timeout = 10 * time.Minute
		}
		c.Checkpointing = &cc
	}
	if c.RestartStrategy == nil {
		c.RestartStrategy = NoRestart()
		if c.Checkpointing != nil {
			c.RestartStrategy = ExponentialDelayRestart(time.Second, time.Minute, 1.5)
		}
	}
	return c
}

func (c Config) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...))
		}
	}
	check(c.Parallelism >= 1, "parallelism %d < 1", c.Parallelism)
	check(c.MaxParallelism >= 0 && c.MaxParallelism <= keygroup.UpperBound, "max parallelism %d not in [1, %d]", c.MaxParallelism, keygroup.UpperBound)
	check(c.TaskManagers >= 0, "task managers %d < 0", c.TaskManagers)
	check(c.SlotsPerTaskManager >= 1, "slots per task manager %d < 1", c.SlotsPerTaskManager)
	check(c.BatchSize >= 1 && c.BatchSize <= MaxBatchSize, "batch size %d not in [1, %d]", c.BatchSize, MaxBatchSize)
	check(c.BuffersPerChannel >= 1 && c.BuffersPerChannel <= MaxBuffersPerChannel, "buffers per channel %d not in [1, %d]", c.BuffersPerChannel, MaxBuffersPerChannel)
	check(c.BufferTimeout > 0, "buffer timeout %v <= 0", c.BufferTimeout)
	check(c.WatermarkInterval > 0, "watermark interval %v <= 0", c.WatermarkInterval)
	if cp := c.Checkpointing; cp != nil {
		check(cp.Interval >= 0 && cp.MinPause >= 0 && cp.Timeout > 0, "checkpoint interval %v, min pause %v, timeout %v", cp.Interval, cp.MinPause, cp.Timeout)
		check(cp.Mode == ExactlyOnce || cp.Mode == AtLeastOnce, "checkpointing mode %d", cp.Mode)
		check(cp.TolerableFailures >= 0, "tolerable checkpoint failures %d < 0", cp.TolerableFailures)
	}
	switch s := c.RestartStrategy.(type) {
	case *engine.FixedDelay:
		check(s.Attempts >= 0 && s.Delay >= 0, "fixed-delay restart with %d attempts and delay %v", s.Attempts, s.Delay)
	case *engine.ExponentialDelay:
		check(s.Initial >= 0 && s.Max >= s.Initial && s.Multiplier >= 1,
			"exponential-delay restart from %v to %v, multiplier %v (want 0 <= initial <= max, multiplier >= 1)", s.Initial, s.Max, s.Multiplier)
	case *engine.FailureRate:
		check(s.MaxFailures >= 0 && s.Interval > 0 && s.Delay >= 0,
			"failure-rate restart with %d failures per %v, delay %v", s.MaxFailures, s.Interval, s.Delay)
	}
	check(c.RestoreMode <= RestoreClaim, "restore mode %v", c.RestoreMode)
	return errors.Join(errs...)
}

// Environment is where a dataflow is built and from which it is executed,
// as Flink's StreamExecutionEnvironment. Build the graph with the free
// functions of this package (sources, transformations, sinks), then call
// Execute or Start once.
//
// An Environment is not safe for concurrent graph building.
type Environment struct {
	cfg      Config
	graph    engine.Graph
	errs     []error
	mu       sync.Mutex
	executed bool
}

// NewEnvironment returns an environment configured by opts.
func NewEnvironment(opts ...Option) *Environment {
	var cfg Config
	for _, o := range opts {
		o(&cfg)
	}
	return NewEnvironmentFromConfig(cfg)
}

// NewEnvironmentFromConfig returns an environment configured by cfg.
func NewEnvironmentFromConfig(cfg Config) *Environment {
	return &Environment{cfg: cfg.withDefaults()}
}

// Config returns the environment's configuration, defaults filled in.
func (e *Environment) Config() Config { return e.cfg }

// addError records a graph-building error; Execute reports it.
func (e *Environment) addError(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.addErrorLocked(err)
}

func (e *Environment) addErrorLocked(err error) { e.errs = append(e.errs, err) }
