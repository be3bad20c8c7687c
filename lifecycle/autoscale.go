package lifecycle

import (
	"time"

	"go.uber.org/zap"
)

// Autoscaling, as the service does it: once a minute the service reads the
// utilisation of every running application that enables autoscaling — the
// busy time per second of its busiest subtask. 15 consecutive points at or
// above 75 % double CurrentParallelism; 360 consecutive points below 10 %
// halve it, rounded up. It never goes below the configured Parallelism, nor
// above ParallelismPerKPU × KPULimit or the job's max parallelism. A
// scaling is an operation: AUTOSCALING, a snapshot, the job restarted at
// the new parallelism from it, RUNNING.
const (
	scaleUpUtilization   = 0.75
	scaleUpPoints        = 15
	scaleDownUtilization = 0.10
	scaleDownPoints      = 360
)

// scaleState is an application's run of consecutive points.
type scaleState struct {
	last time.Time // the last point, or when the job started
	high int       // consecutive points at or above scaleUpUtilization
	low  int       // consecutive points below scaleDownUtilization
}

// autoscaler takes the one-minute points until the service closes.
func (s *Service) autoscaler() {
	for {
		s.mu.Lock()
		tick := s.tick
		s.mu.Unlock()
		select {
		case <-s.ctx.Done():
			return
		case <-tick:
		}
		s.mu.Lock()
		s.tick = s.clock.After(time.Minute)
		s.mu.Unlock()
		s.takePoints()
	}
}

// takePoints adds the points due for every application since its last one:
// a clock that jumped several minutes adds as many points, all with the
// utilisation read now.
func (s *Service) takePoints() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, a := range s.sortedApps() {
		cfg := a.rec.current().Config.Parallelism
		if a.rec.Status != StatusRunning || a.job == nil || a.op != nil || !cfg.AutoScalingEnabled {
			a.scale = scaleState{last: now} // points count from when it can scale
			continue
		}
		n := int(now.Sub(a.scale.last) / time.Minute)
		if n < 1 {
			continue
		}
		a.scale.last = a.scale.last.Add(time.Duration(n) * time.Minute)
		u := s.utilization(a)
		switch {
		case u >= scaleUpUtilization:
			a.scale.high, a.scale.low = a.scale.high+n, 0
		case u < scaleDownUtilization:
			a.scale.high, a.scale.low = 0, a.scale.low+n
		default:
			a.scale.high, a.scale.low = 0, 0
		}
		target := scaleTarget(cfg, a.scale, a.job.client.MaxParallelism())
		if target == cfg.CurrentParallelism {
			if a.scale.high >= scaleUpPoints || a.scale.low >= scaleDownPoints {
				a.scale.high, a.scale.low = 0, 0 // at a bound: start counting again
			}
			continue
		}
		a.scale = scaleState{}
		s.log.Info("autoscaling", zap.String("application", a.rec.Name), zap.Int("from", cfg.CurrentParallelism),
			zap.Int("to", target), zap.Float64("utilization", u))
		s.autoscaleLocked(a, target)
	}
}

// scaleTarget is the parallelism the points st call for: double after
// scaleUpPoints high points, half (rounded up) after scaleDownPoints low
// ones, within the configured parallelism, the KPU limit and the job's max
// parallelism.
func scaleTarget(cfg ParallelismConfigurationDescription, st scaleState, maxParallelism int) int {
	switch {
	case st.high >= scaleUpPoints:
		return max(min(cfg.CurrentParallelism*2, cfg.ParallelismPerKPU*KPULimit, maxParallelism), cfg.CurrentParallelism)
	case st.low >= scaleDownPoints:
		return max((cfg.CurrentParallelism+1)/2, cfg.Parallelism)
	}
	return cfg.CurrentParallelism
}

// utilization reads an application's utilisation: the busiest subtask's
// busy time over the job's time since the last reading.
func (s *Service) utilization(a *app) float64 {
	j := a.job
	if s.opts.Utilization != nil {
		return s.opts.Utilization(a.rec.Name, j.client)
	}
	now := s.opts.JobClock.Now()
	var busiest time.Duration
	for _, st := range j.client.Subtasks() {
		busiest = max(busiest, st.BusyTime)
	}
	elapsed := now.Sub(j.sampled)
	delta := busiest - j.busy
	j.busy, j.sampled = busiest, now
	if elapsed <= 0 || delta < 0 { // a restart reset the counters
		return 0
	}
	return min(float64(delta)/float64(elapsed), 1)
}

// autoscaleLocked starts an autoscaling to parallelism p: a new version
// with CurrentParallelism p, under s.mu.
func (s *Service) autoscaleLocked(a *app, p int) {
	cur := a.rec.current()
	next := versionRecord{ID: cur.ID + 1, Created: s.now(), UpdatedFrom: cur.ID, Config: cur.Config}
	next.Config.Parallelism.CurrentParallelism = p
	a.rec.Versions = append(a.rec.Versions, next)
	a.rec.VersionID = next.ID
	restore := ApplicationRestoreConfiguration{ApplicationRestoreType: RestoreFromLatestSnapshot}
	s.beginLocked(a, OpAutoscale, StatusAutoscaling, cur.ID, next.ID, s.redeployWork(a, "autoscale", next.ID, restore, false))
}
