// Package flinksimtest runs one operator of a flinksim job by itself, for
// unit tests, as Flink's KeyedOneInputStreamOperatorTestHarness and Kafka
// Streams' TopologyTestDriver: push records with timestamps and
// watermarks into one process function, move processing time, and read
// what it emitted, its side outputs, its watermarks and the timers it
// registered; snapshot it and restore another harness from the snapshot —
// in microseconds, without a job.
//
// The harness runs the operator that flinksim.Process (NewKeyedHarness)
// or flinksim.ProcessStream (NewHarness) builds, inside the task the job
// would run it in: records reach it through the same partitioning writer,
// watermarks through the same input valve, timers fire on the same
// processing-time step and snapshots are taken by the same checkpoint
// path. What passes here behaves the same in a job.
//
// # Example
//
//	h, err := flinksimtest.NewKeyedHarness(func(t Transaction) int64 { return t.AccountID }, OpenFraudDetector)
//	if err != nil {
//		t.Fatal(err)
//	}
//	defer h.Close()
//	h.ProcessElement(Transaction{AccountID: 1, Amount: 0.5}, flinksim.NoTimestamp)
//	h.SetProcessingTime(30_000)                                   // within the minute
//	h.ProcessElement(Transaction{AccountID: 1, Amount: 600}, flinksim.NoTimestamp)
//	// h.Values() is [Alert{AccountID: 1}]; h.ProcessingTimeTimers() is empty
//
// examples/frauddetection tests Flink's fraud detection walkthrough this
// way.
//
// # Input and time
//
// ProcessElement(v, ts) hands the operator one record with event timestamp
// ts (flinksim.NoTimestamp for none), ProcessWatermark(wm) a watermark:
// a keyed operator fires the event-time timers it reached, in order, then
// forwards it. SetProcessingTime(ms) moves processing time, in
// milliseconds since the epoch (WithProcessingTime sets where it starts,
// default 0), and fires the processing-time timers due. EndInput ends the
// input as a bounded job does: the final watermark fires every event-time
// timer.
//
// # Output
//
// Output returns the records emitted so far with their timestamps (Values
// just the values), SideOutput(h, tag) those emitted to a side output —
// every side output is captured — and Watermarks the watermarks
// forwarded. ClearOutput forgets them. A keyed harness lists its timers
// with EventTimeTimers and ProcessingTimeTimers, in firing order.
//
// # Snapshots
//
// Snapshot takes the operator's state as a checkpoint does — keyed state,
// timers, operator list state. WithRestore starts a new harness from the
// snapshots of one or more old subtasks, dealt to it as a job's restore
// deals them, so WithSubtask(i, p) tests a rescale: a keyed harness then
// owns subtask i's key groups, and refuses a record of another key group
// with ErrKeyNotInSubtask. The max parallelism (WithMaxParallelism,
// default 128 or the snapshot's) cannot change across a restore.
// NotifyCheckpointComplete and NotifyCheckpointAborted reach a function
// that is a flinksim.CheckpointListener.
//
// # Errors
//
// An error the function returns, or a panic in it, comes back from the
// call that caused it as an *flinksim.OperatorError (errors.Is finds the
// function's error, or flinksim.ErrPanic). The operator has failed then, as
// its subtask would in a job: every later call returns the same error.
// An error of the open function comes back from NewKeyedHarness or
// NewHarness. After Close, calls return ErrClosed.
//
// A harness is not safe for concurrent use: drive it from one goroutine.
package flinksimtest
