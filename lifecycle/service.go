package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

// Options configures a Service. The zero value is a service in memory on the
// system clock.
type Options struct {
	// Dir is the directory of the catalog — applications, versions,
	// snapshot records, operations, tags, code copies — and of every
	// application's checkpoints and snapshots. A new Service over the same
	// directory sees everything, and resumes the applications that were
	// running. One Service at a time uses it: New locks it (a file named
	// lock), and a second New fails with an error matching
	// snapshot.ErrLocked until the first is closed or its process ends.
	// "" keeps everything in memory.
	Dir string
	// FS, if set, is the filesystem the catalog is written through instead
	// of Dir (snapshot.NewMemFS, or a snapshot.FaultyFS for tests).
	FS snapshot.FS
	// Code is the code store that configurations name objects of (default:
	// an empty MemCodeStore, see Service.Code).
	Code CodeStore
	// Clock gives the service's time: timestamps, the one-minute points of
	// autoscaling, the system-rollback window (default: the system clock).
	// A flinksim.ManualClock makes those tests take milliseconds.
	Clock flinksim.Clock
	// JobClock is the clock of the applications' jobs: checkpoint
	// intervals, restart delays (default: the system clock).
	JobClock flinksim.Clock
	// Logger receives the service's and the jobs' logs (default: none).
	Logger *zap.Logger
	// Region and AccountID make the applications' ARNs (default us-east-1
	// and 123456789012).
	Region    string
	AccountID string
	// RestartStrategy makes the restart strategy of each job (default: the
	// service's, a fixed delay of 10 s with no limit on attempts: a job that
	// keeps failing loops on restarts).
	RestartStrategy func() flinksim.RestartStrategy
	// RollbackRestarts and RollbackWindow say when system rollback (if the
	// application enables it) undoes an update: when the new version's job
	// restarts RollbackRestarts times (default 3) before all its subtasks
	// run, or within RollbackWindow (default 10 min) after they do.
	RollbackRestarts int
	RollbackWindow   time.Duration
	// Utilization, if set, replaces the measured utilisation autoscaling
	// reads once a minute: the busiest subtask's busy time per second of
	// the job (Flink's busyTimeMsPerSecond / 1000). For tests; it is called
	// with the service locked, so it must not call the Service.
	Utilization func(application string, job *flinksim.JobClient) float64
}

// Service is a Managed Service for Apache Flink in a process: its methods
// are the API's actions, by name, and run flinksim jobs. It is safe for
// concurrent use.
type Service struct {
	opts  Options
	fs    snapshot.FS
	code  CodeStore
	clock flinksim.Clock
	log   *zap.Logger

	ctx    context.Context // ends at Close: every job and operation
	cancel context.CancelFunc
	unlock func()         // releases Options.Dir
	wg     sync.WaitGroup // every goroutine of the service

	// codeMu serialises the writes and removals of code copies; pending
	// counts the copies a create or update has written and not yet put in
	// a version, which collectCode must keep.
	codeMu  sync.Mutex
	pending map[string]int

	mu       sync.Mutex
	apps     map[string]*app
	builders map[string]JobBuilder
	closed   bool
	// tick is the autoscaler's next one-minute point.
	tick <-chan time.Time
}

// app is an application: its record and what runs for it.
type app struct {
	rec   *appRecord
	store *snapshot.Store
	job   *runningJob
	op    *inflight
	// changed is closed and replaced at every change.
	changed chan struct{}
	scale   scaleState
}

// inflight is the operation running in the background.
type inflight struct {
	id     string
	cancel context.CancelFunc
	done   chan struct{}
}

// New opens the service over opts.Dir (or opts.FS), reading the catalog and
// resuming every application that was running, from its latest checkpoint
// or snapshot. Operations that were in progress end FAILED. A catalog file
// that fails its checks is an error: nothing is silently reset.
func New(opts Options) (*Service, error) {
	if opts.Clock == nil {
		opts.Clock = flinksim.SystemClock{}
	}
	if opts.JobClock == nil {
		opts.JobClock = flinksim.SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	if opts.RestartStrategy == nil {
		opts.RestartStrategy = func() flinksim.RestartStrategy {
			return flinksim.FixedDelayRestart(math.MaxInt32, 10*time.Second)
		}
	}
	if opts.RollbackRestarts <= 0 {
		opts.RollbackRestarts = 3
	}
	if opts.RollbackWindow <= 0 {
		opts.RollbackWindow = 10 * time.Minute
	}
	fsys, unlock := opts.FS, func() {}
	switch {
	case fsys != nil:
	case opts.Dir != "":
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("lifecycle: %w", err)
		}
		var err error
		if unlock, err = snapshot.LockFile(filepath.Join(opts.Dir, lockFile)); err != nil {
			return nil, fmt.Errorf("lifecycle: %s is in use by another Service: %w", opts.Dir, err)
		}
		fsys = snapshot.DirFS(opts.Dir)
	default:
		fsys = snapshot.NewMemFS()
	}
	code := opts.Code
	if code == nil {
		code = &MemCodeStore{}
	}
	ctx, stop := context.WithCancel(context.Background())
	cancel := func() { stop(); unlock() }
	s := &Service{opts: opts, fs: fsys, code: code, clock: opts.Clock, log: opts.Logger,
		ctx: ctx, cancel: stop, unlock: unlock, apps: map[string]*app{}, builders: map[string]JobBuilder{},
		pending: map[string]int{}}
	for _, dir := range []string{catalogDir, codeDir, appsDir} {
		if err := fsys.MkdirAll(dir); err != nil {
			cancel()
			return nil, fmt.Errorf("lifecycle: %w", err)
		}
	}
	if err := fsys.SyncDir("."); err != nil {
		cancel()
		return nil, fmt.Errorf("lifecycle: %w", err)
	}
	if err := s.load(); err != nil {
		cancel()
		return nil, err
	}
	s.tick = s.clock.After(time.Minute)
	s.wg.Go(s.autoscaler)
	return s, nil
}

// RegisterBuilder registers the JobBuilder that code packages naming name
// run (see NewCodePackage). Applications that were running when the
// service opened resume once their builder is registered: register every
// builder right after New.
func (s *Service) RegisterBuilder(name string, b JobBuilder) error {
	if name == "" || strings.ContainsAny(name, "\n") || b == nil {
		return fmt.Errorf("lifecycle: RegisterBuilder: a builder needs a one-line name and a function")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if _, ok := s.builders[name]; ok {
		return fmt.Errorf("lifecycle: RegisterBuilder: %q is registered already", name)
	}
	s.builders[name] = b
	for _, a := range s.sortedApps() {
		if a.rec.Status == StatusStarting && a.op == nil && a.job == nil && a.rec.current().Config.Code.Builder == name {
			s.resumeLocked(a)
		}
	}
	return nil
}

// Code returns the code store configurations name objects of.
func (s *Service) Code() CodeStore { return s.code }

// Close stops every job without a snapshot, as a crash of the host would,
// and leaves the catalog as it was: a new Service over the same directory
// resumes the applications that were running from their checkpoints, and
// ends the operations that were in progress FAILED. Close returns once every
// goroutine of the service has ended.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.unlock()
	return nil
}

// ErrClosed is returned by the actions of a closed Service.
var ErrClosed = errors.New("lifecycle: the service is closed")

// lookup returns the application name, under s.mu.
func (s *Service) lookup(name string) (*app, error) {
	if s.closed {
		return nil, ErrClosed
	}
	if err := checkApplicationName(name); err != nil {
		return nil, err
	}
	a, ok := s.apps[name]
	if !ok {
		return nil, notFound("application %s does not exist", name)
	}
	return a, nil
}

// changedLocked persists a's record and wakes its waiters, under s.mu.
func (s *Service) changedLocked(a *app) error {
	a.rec.LastUpdate = s.now()
	err := s.persist(a.rec)
	notifyLocked(a)
	return err
}

// liveLocked reports whether a is still the service's application of its
// name (not deleted, the service not closing): work that ends late must
// not write a record back; under s.mu.
func (s *Service) liveLocked(a *app) bool {
	return s.ctx.Err() == nil && s.apps[a.rec.Name] == a
}

// notifyLocked wakes the waiters of a, under s.mu.
func notifyLocked(a *app) {
	close(a.changed)
	a.changed = make(chan struct{})
}

func (s *Service) now() time.Time { return s.clock.Now().UTC() }

func (s *Service) sortedApps() []*app {
	names := make([]string, 0, len(s.apps))
	for n := range s.apps {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*app, len(names))
	for i, n := range names {
		out[i] = s.apps[n]
	}
	return out
}

// Wait waits until cond holds for the application's description, and
// returns that description. It waits on the application's changes, never
// by polling: any change of its record (status, version, operation,
// snapshot, tags) and every restart of its job wakes it to call cond
// again. cond runs without the service locked, so it may call the
// Service (to list snapshots, say). An application that is deleted
// meanwhile is a ResourceNotFoundException.
func (s *Service) Wait(ctx context.Context, name string, cond func(ApplicationDetail) bool) (ApplicationDetail, error) {
	for {
		s.mu.Lock()
		a, err := s.lookup(name)
		if err != nil {
			s.mu.Unlock()
			return ApplicationDetail{}, err
		}
		d := s.detailLocked(a, a.rec.current(), false)
		changed := a.changed
		s.mu.Unlock()
		if cond(d) {
			return d, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return d, fmt.Errorf("lifecycle: waiting for %s (now %s): %w", name, d.ApplicationStatus, ctx.Err())
		case <-s.ctx.Done():
			return d, ErrClosed
		}
	}
}

// WaitForStatus waits until the application has one of the statuses.
func (s *Service) WaitForStatus(ctx context.Context, name string, statuses ...ApplicationStatus) (ApplicationDetail, error) {
	return s.Wait(ctx, name, func(d ApplicationDetail) bool {
		for _, st := range statuses {
			if d.ApplicationStatus == st {
				return true
			}
		}
		return false
	})
}

// WaitForOperation waits until the operation is no longer IN_PROGRESS and
// returns its details.
func (s *Service) WaitForOperation(ctx context.Context, name, operationID string) (ApplicationOperationInfoDetails, error) {
	for {
		s.mu.Lock()
		a, err := s.lookup(name)
		if err != nil {
			s.mu.Unlock()
			return ApplicationOperationInfoDetails{}, err
		}
		op := a.rec.operation(operationID)
		if op == nil {
			s.mu.Unlock()
			return ApplicationOperationInfoDetails{}, notFound("application %s has no operation %s", name, operationID)
		}
		d, changed := operationDetails(op), a.changed
		s.mu.Unlock()
		if d.OperationStatus != OperationInProgress {
			return d, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return d, fmt.Errorf("lifecycle: waiting for operation %s of %s: %w", operationID, name, ctx.Err())
		case <-s.ctx.Done():
			return d, ErrClosed
		}
	}
}
