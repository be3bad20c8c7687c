package lifecycle

import (
	"context"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// ApplicationMetrics are an application's metrics under the names the
// service publishes them (CloudWatch's AWS/KinesisAnalytics namespace), for
// the job that runs now; all zero when none runs.
type ApplicationMetrics struct {
	// Uptime is how long the job has run without interruption, Downtime
	// how long it has been down (restarting) now.
	Uptime   time.Duration
	Downtime time.Duration
	// FullRestarts counts the job's restarts.
	FullRestarts int64
	// NumberOfCompletedCheckpoints, NumberOfFailedCheckpoints,
	// LastCheckpointDuration and LastCheckpointSize describe its
	// checkpoints.
	NumberOfCompletedCheckpoints int64
	NumberOfFailedCheckpoints    int64
	LastCheckpointDuration       time.Duration
	LastCheckpointSize           int64
	// NumRecordsIn and NumRecordsOut are the job's records in, at its
	// sources' outputs, and out, into its sinks.
	NumRecordsIn  int64
	NumRecordsOut int64
	// CurrentParallelism is the parallelism the job runs with, and KPUs
	// the KPUs it takes: CurrentParallelism over ParallelismPerKPU,
	// rounded up.
	CurrentParallelism int
	KPUs               int
}

// ApplicationMetrics returns the application's metrics.
func (s *Service) ApplicationMetrics(ctx context.Context, name string) (ApplicationMetrics, error) {
	if err := ctx.Err(); err != nil {
		return ApplicationMetrics{}, err
	}
	s.mu.Lock()
	a, err := s.lookup(name)
	if err != nil {
		s.mu.Unlock()
		return ApplicationMetrics{}, err
	}
	j := a.job
	p := a.rec.current().Config.Parallelism
	m := ApplicationMetrics{CurrentParallelism: p.CurrentParallelism,
		KPUs: (p.CurrentParallelism + p.ParallelismPerKPU - 1) / max(p.ParallelismPerKPU, 1)}
	s.mu.Unlock()
	if j == nil {
		return ApplicationMetrics{}, nil
	}
	c := j.client
	cp := c.Checkpoints()
	m.Uptime, m.Downtime, m.FullRestarts = c.Uptime(), c.Downtime(), c.Restarts()
	m.NumberOfCompletedCheckpoints, m.NumberOfFailedCheckpoints = cp.NumberOfCompletedCheckpoints, cp.NumberOfFailedCheckpoints
	m.LastCheckpointDuration, m.LastCheckpointSize = cp.LastCheckpointDuration, cp.LastCheckpointSize
	for _, om := range c.Metrics() {
		m.NumRecordsIn += om.RecordsIn
		m.NumRecordsOut += om.RecordsOut
	}
	return m, nil
}

// JobClient returns the client of the job that runs the application now,
// or nil when none does: for a dashboard (flinksim/dashboard) or a test
// that looks at the job itself. The service owns the job; do not cancel
// or stop it through the client.
func (s *Service) JobClient(name string) (*flinksim.JobClient, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(name)
	if err != nil || a.job == nil {
		return nil, err
	}
	return a.job.client, nil
}
