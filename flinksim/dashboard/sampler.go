package dashboard

import (
	"sync"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// rateWindow is how far apart, on the job's clock, the two samples a rate
// is measured between are at least (unless the job restarted).
const rateWindow = time.Second

// sample is what a job showed at one moment.
type sample struct {
	restarts int64
	uptime   time.Duration // on the job's clock
	subtasks []flinksim.SubtaskInfo
	metrics  []flinksim.OperatorMetrics
}

// view is a sample with its rates: per subtask busy and backpressured
// milliseconds per second, per operator subtask records in per second.
type view struct {
	sample
	busy, backpressured []float64
	recordsIn           []float64
}

// sampler keeps the last two samples of a job whose rates are measured
// between them, so memory stays bounded however often it is read.
type sampler struct {
	smu  sync.Mutex
	base *sample // the sample rates are measured from
	last *sample
}

// view samples job and measures its rates since the base sample, or since
// the attempt started when there is none of this attempt.
func (s *sampler) view(job *flinksim.JobClient) view {
	now := sample{restarts: job.Restarts(), uptime: job.Uptime(), subtasks: job.Subtasks(), metrics: job.Metrics()}
	s.smu.Lock()
	if s.last == nil || s.last.restarts != now.restarts || now.uptime-s.last.uptime >= rateWindow {
		s.base, s.last = s.last, &now
	}
	base := s.base
	s.smu.Unlock()
	if base != nil && (base.restarts != now.restarts || len(base.subtasks) != len(now.subtasks) ||
		len(base.metrics) != len(now.metrics) || base.uptime >= now.uptime) {
		base = nil
	}
	v := view{sample: now, busy: make([]float64, len(now.subtasks)), backpressured: make([]float64, len(now.subtasks)),
		recordsIn: make([]float64, len(now.metrics))}
	elapsed := now.uptime
	if base != nil {
		elapsed = now.uptime - base.uptime
	}
	if elapsed <= 0 {
		return v
	}
	perSecond := func(d time.Duration) float64 { return float64(d) / float64(elapsed) * 1000 }
	for i, st := range now.subtasks {
		busy, bp := st.BusyTime, st.BackPressuredTime
		if base != nil {
			busy -= base.subtasks[i].BusyTime
			bp -= base.subtasks[i].BackPressuredTime
		}
		v.busy[i], v.backpressured[i] = min(perSecond(busy), 1000), min(perSecond(bp), 1000)
	}
	for i, m := range now.metrics {
		n := m.RecordsIn
		if base != nil {
			n -= base.metrics[i].RecordsIn
		}
		v.recordsIn[i] = float64(n) / elapsed.Seconds()
	}
	return v
}
