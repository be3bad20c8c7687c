package endpoint

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/flinksim/go-flinksim/lifecycle"
)

// Metrics returns a Prometheus collector of every running application's
// metrics under the names Managed Service for Apache Flink publishes them
// (CloudWatch's AWS/KinesisAnalytics namespace), with the application's
// name as the label Application, as the service's dimension: uptime and
// downtime (ms), fullRestarts, numberOfCompletedCheckpoints,
// numberOfFailedCheckpoints, lastCheckpointDuration (ms),
// lastCheckpointSize (bytes), numRecordsIn, numRecordsOut and KPUs.
// Register it with a registry that /metrics serves (promhttp.HandlerFor);
// examples/msf-local does.
func Metrics(svc *lifecycle.Service) prometheus.Collector { return metricsCollector{svc} }

type metricsCollector struct{ svc *lifecycle.Service }

var msfMetrics = []struct {
	name, help string
	value      func(m lifecycle.ApplicationMetrics) float64
}{
	{"uptime", "How long the job has run without interruption, in milliseconds.",
		func(m lifecycle.ApplicationMetrics) float64 { return float64(m.Uptime.Milliseconds()) }},
	{"downtime", "How long the job has been down now, in milliseconds.",
		func(m lifecycle.ApplicationMetrics) float64 { return float64(m.Downtime.Milliseconds()) }},
	{"fullRestarts", "How many times the job restarted.",
		func(m lifecycle.ApplicationMetrics) float64 { return float64(m.FullRestarts) }},
	{"numberOfCompletedCheckpoints", "Checkpoints completed.",
		func(m lifecycle.ApplicationMetrics) float64 { return float64(m.NumberOfCompletedCheckpoints) }},
	{"numberOfFailedCheckpoints", "Checkpoints failed.",
		func(m lifecycle.ApplicationMetrics) float64 { return float64(m.NumberOfFailedCheckpoints) }},
	{"lastCheckpointDuration", "How long the last checkpoint took, in milliseconds.",
		func(m lifecycle.ApplicationMetrics) float64 {
			return float64(m.LastCheckpointDuration.Milliseconds())
		}},
	{"lastCheckpointSize", "The size of the last checkpoint, in bytes.",
		func(m lifecycle.ApplicationMetrics) float64 { return float64(m.LastCheckpointSize) }},
	{"numRecordsIn", "Records the job's operators received.",
		func(m lifecycle.ApplicationMetrics) float64 { return float64(m.NumRecordsIn) }},
	{"numRecordsOut", "Records the job's operators emitted.",
		func(m lifecycle.ApplicationMetrics) float64 { return float64(m.NumRecordsOut) }},
	{"KPUs", "KPUs the application uses: its current parallelism over its parallelism per KPU, rounded up.",
		func(m lifecycle.ApplicationMetrics) float64 { return float64(m.KPUs) }},
}

var msfDescs = func() []*prometheus.Desc {
	out := make([]*prometheus.Desc, len(msfMetrics))
	for i, m := range msfMetrics {
		out[i] = prometheus.NewDesc(m.name, m.help, []string{"Application"}, nil)
	}
	return out
}()

// Describe implements prometheus.Collector.
func (c metricsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range msfDescs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c metricsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx := context.Background()
	in := lifecycle.ListApplicationsRequest{}
	for {
		page, err := c.svc.ListApplications(ctx, in)
		if err != nil {
			return
		}
		for _, a := range page.ApplicationSummaries {
			if a.ApplicationStatus != lifecycle.StatusRunning {
				continue
			}
			m, err := c.svc.ApplicationMetrics(ctx, a.ApplicationName)
			if err != nil {
				continue
			}
			for i, mm := range msfMetrics {
				ch <- prometheus.MustNewConstMetric(msfDescs[i], prometheus.GaugeValue, mm.value(m), a.ApplicationName)
			}
		}
		if page.NextToken == "" {
			return
		}
		in.NextToken = page.NextToken
	}
}
