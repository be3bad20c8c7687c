package dashboard

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metric names follow Flink's Prometheus reporter: flink_<scope>_<name>,
// with the scope's variables as labels. Flink reports its counters as
// gauges, and so do these.
var (
	jobLabels      = []string{"job_id", "job_name"}
	taskLabels     = []string{"job_id", "job_name", "task_id", "task_name", "subtask_index", "tm_id"}
	operatorLabels = []string{"job_id", "job_name", "task_id", "task_name", "subtask_index", "tm_id", "operator_name"}

	descUptime       = jobDesc("uptime", "Time the job has run since its last restart, in milliseconds.")
	descDowntime     = jobDesc("downtime", "Time the job has been down since its last failure, in milliseconds.")
	descFullRestarts = jobDesc("fullRestarts", "Restarts of the job since it was submitted.")
	descCompleted    = jobDesc("numberOfCompletedCheckpoints", "Completed checkpoints.")
	descFailed       = jobDesc("numberOfFailedCheckpoints", "Failed checkpoints.")
	descLastDuration = jobDesc("lastCheckpointDuration", "Duration of the last completed checkpoint, in milliseconds.")
	descLastSize     = jobDesc("lastCheckpointSize", "Size of the last completed checkpoint, in bytes.")

	descBusy = prometheus.NewDesc("flink_taskmanager_job_task_busyTimeMsPerSecond",
		"Milliseconds per second the task is busy.", taskLabels, nil)
	descBackPressured = prometheus.NewDesc("flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
		"Milliseconds per second the task waits for room on a full output.", taskLabels, nil)

	descRecordsIn = prometheus.NewDesc("flink_taskmanager_job_task_operator_numRecordsIn",
		"Records the operator received.", operatorLabels, nil)
	descRecordsOut = prometheus.NewDesc("flink_taskmanager_job_task_operator_numRecordsOut",
		"Records the operator emitted.", operatorLabels, nil)
	descRecordsInRate = prometheus.NewDesc("flink_taskmanager_job_task_operator_numRecordsInPerSecond",
		"Records the operator receives per second.", operatorLabels, nil)
	descInputWatermark = prometheus.NewDesc("flink_taskmanager_job_task_operator_currentInputWatermark",
		"The operator's input watermark, in milliseconds; Long.MIN_VALUE before the first.", operatorLabels, nil)
	descOutputWatermark = prometheus.NewDesc("flink_taskmanager_job_task_operator_currentOutputWatermark",
		"The last watermark the operator emitted, in milliseconds; Long.MIN_VALUE before the first.", operatorLabels, nil)
)

func jobDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("flink_jobmanager_job_"+name, help, jobLabels, nil)
}

// collector reports the handler's jobs' metrics when gathered.
type collector struct{ h *Handler }

// Describe implements prometheus.Collector.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUptime, descDowntime, descFullRestarts, descCompleted, descFailed, descLastDuration,
		descLastSize, descBusy, descBackPressured, descRecordsIn, descRecordsOut, descRecordsInRate, descInputWatermark, descOutputWatermark} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	for _, e := range c.h.entries() {
		collectJob(ch, e)
	}
}

func collectJob(ch chan<- prometheus.Metric, e *entry) {
	job := e.job
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	name := job.Name()
	cp := job.Checkpoints()
	gauge(descUptime, float64(job.Uptime().Milliseconds()), e.id, name)
	gauge(descDowntime, float64(job.Downtime().Milliseconds()), e.id, name)
	gauge(descFullRestarts, float64(job.Restarts()), e.id, name)
	gauge(descCompleted, float64(cp.NumberOfCompletedCheckpoints), e.id, name)
	gauge(descFailed, float64(cp.NumberOfFailedCheckpoints), e.id, name)
	gauge(descLastDuration, float64(cp.LastCheckpointDuration.Milliseconds()), e.id, name)
	gauge(descLastSize, float64(cp.LastCheckpointSize), e.id, name)

	v := e.view(job)
	taskOf := map[string]string{} // operator → task
	for _, pt := range job.Plan().Tasks {
		for _, op := range pt.Operators {
			taskOf[op.Name] = pt.Name
		}
	}
	tm := map[[2]string]string{} // task, subtask → task manager id
	for i, s := range v.subtasks {
		sub := strconv.Itoa(s.Subtask)
		tm[[2]string{s.Task, sub}] = taskManagerID(s.TaskManager)
		labels := []string{e.id, name, vertexID(s.Task), s.Task, sub, taskManagerID(s.TaskManager)}
		gauge(descBusy, v.busy[i], labels...)
		gauge(descBackPressured, v.backpressured[i], labels...)
	}
	for i, m := range v.metrics {
		task, sub := taskOf[m.Operator], strconv.Itoa(m.Subtask)
		labels := []string{e.id, name, vertexID(task), task, sub, tm[[2]string{task, sub}], m.Operator}
		gauge(descRecordsIn, float64(m.RecordsIn), labels...)
		gauge(descRecordsOut, float64(m.RecordsOut), labels...)
		gauge(descRecordsInRate, v.recordsIn[i], labels...)
		gauge(descInputWatermark, float64(m.InputWatermark), labels...)
		gauge(descOutputWatermark, float64(m.OutputWatermark), labels...)
	}
}
