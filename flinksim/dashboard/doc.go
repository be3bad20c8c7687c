// Package dashboard serves a running flinksim job as a Flink cluster shows
// its jobs: Flink's REST API (the read side and the common actions), the
// web dashboard built on it, and Prometheus metrics under Flink's names.
//
// # Example
//
//	job, err := env.Start(ctx, "wordcount")
//	if err != nil {
//		return err
//	}
//	h := dashboard.ForJobs(job)
//	defer h.Close()
//	srv := &http.Server{Addr: dashboard.LoopbackAddr(":8081"), Handler: h}
//	go srv.ListenAndServe() // the page at http://127.0.0.1:8081/
//
// A Handler may be mounted under a prefix (http.StripPrefix): the page
// calls the endpoints relative to its own URL, as Flink's UI does, so
// wherever it is served its API is beside it (<page URL>/jobs/overview).
//
// # REST API
//
// The paths, field names and JSON types are Flink's (1.20): /overview,
// /jobs/overview, /jobs/{id}, /jobs/{id}/vertices/{vid} (subtasks),
// /jobs/{id}/vertices/{vid}/backpressure, /jobs/{id}/vertices/{vid}/watermarks,
// /jobs/{id}/checkpoints, /jobs/{id}/checkpoints/config,
// /jobs/{id}/checkpoints/details/{checkpointid}/subtasks/{vid},
// /jobs/{id}/exceptions; POST /jobs/{id}/savepoints ({"target-directory",
// "cancel-job"}) and POST /jobs/{id}/stop ({"targetDirectory", "drain"})
// answer 202 with a "request-id" whose outcome GET
// /jobs/{id}/savepoints/{triggerid} reports (IN_PROGRESS, then COMPLETED
// with the savepoint's "location" or a "failure-cause"); PATCH
// /jobs/{id}?mode=cancel cancels. Errors are Flink's {"errors": [...]}.
//
// What flinksim does not have is reported as Flink reports its absence:
// a vertex is a task (a chain of operators) and its id is 32 hex digits
// derived from its name; job ids are random 32 hex digits, as Flink's
// JobID, kept while the job is listed; byte counters are 0 (records move
// as values). /watermarks lists, as Flink's does, each subtask's input
// watermark (its chain head's) as "SUBTASK.currentInputWatermark" with
// the milliseconds as a string, Long.MIN_VALUE before the first, and
// nothing for a source task, which has no input; a subtask of
// /vertices/{vid} also carries currentInputWatermark and
// currentOutputWatermark (its chain tail's) as numbers, flinksim's
// addition. The target directory of a savepoint names it (its last path
// element); the savepoint goes where the job's CheckpointConfig puts
// savepoints. Start and end times are when the handler first saw the job
// running and ended. Backpressure ratios are
// SubtaskInfo.BackPressuredTime per second, busy ratios BusyTime per
// second, with Flink's levels (ok up to 0.1, low up to 0.5, high above).
//
// Rates (busyTimeMsPerSecond, backPressuredTimeMsPerSecond,
// numRecordsInPerSecond) are measured on the job's clock between the
// current sample and one at least a second older, or since the attempt
// started; the handler keeps two samples per job.
//
// # Metrics
//
// GET /metrics is the Prometheus text exposition of every job, through
// client_golang, named as Flink's Prometheus reporter names them, each
// scope's variables as labels: flink_jobmanager_job_{uptime, downtime,
// fullRestarts, numberOfCompletedCheckpoints, numberOfFailedCheckpoints,
// lastCheckpointDuration, lastCheckpointSize} with job_id and job_name;
// flink_taskmanager_job_task_{busyTimeMsPerSecond,
// backPressuredTimeMsPerSecond} adding task_id, task_name, subtask_index
// and tm_id; flink_taskmanager_job_task_operator_{numRecordsIn,
// numRecordsOut, numRecordsInPerSecond, currentInputWatermark,
// currentOutputWatermark} adding operator_name (watermarks in
// milliseconds, Long.MIN_VALUE before the first). As in Flink's reporter,
// counters are gauges.
//
// # The page
//
// GET / is a self-contained page (no script or style from elsewhere) that
// polls the endpoints four times a second: the job graph (tasks with
// their operators, parallelism and the partitioning of their inputs), the
// subtasks with status, task manager, records in and out, busy and
// backpressured time and input and output watermark ("none" before the
// first and for a source's input), the checkpoint history, the exception
// history, and buttons that trigger a savepoint and stop with one.
//
// # The caller's duties
//
// The handler listens nowhere: serve it on loopback unless the network is
// trusted (LoopbackAddr), since its actions stop and cancel jobs and it
// checks no credentials. Close it once the server is shut down: it cancels
// the savepoints and stops the handler triggered that are under way (the
// jobs go on) and waits for their goroutines.
package dashboard
