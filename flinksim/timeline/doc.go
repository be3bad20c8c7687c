// Package timeline draws a run of a flinksim job as pictures of Flink's
// checkpoint protocol: where the barriers travel, which input alignment
// blocks and for how long, when each subtask snapshots and acknowledges,
// when a checkpoint completes, where a failure strikes, what the restore
// brings back and replays, and when a two-phase-commit sink's output
// becomes visible. It is for learning and teaching why the output is
// exactly-once, and for seeing what at-least-once gives up.
//
// # Recording a run
//
// The pictures are views of the job's typed trace events
// (flinksim.TraceEvent). Record them with a Recorder passed to
// flinksim.WithTracer, run the job, and draw:
//
//	var rec timeline.Recorder
//	env := flinksim.NewEnvironment(flinksim.WithSimulation(seed, nil), flinksim.WithTracer(rec.Trace),
//		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond}))
//	// … build the job …
//	job, err := env.Start(ctx, "teach")
//	// … job.Wait(ctx) …
//	tl := timeline.New(rec.Events(), timeline.Options{Subtasks: job.Subtasks()})
//	err = tl.WriteHTML(f) // or WriteSVG, or WriteText(os.Stdout, 100)
//
// Options.Subtasks (JobClient.Subtasks) groups the lanes by task manager;
// without it they form one group. Times are the run's clock, as the events
// carry it: on the simulation executor virtual time, so the same seed and
// job draw the same picture, byte for byte. Any run can be drawn, on
// either executor; a run of the concurrent executor draws real time.
//
// # What is drawn
//
// Each subtask is a lane, with one row per input channel (named by the
// channel and its producer), a row of its own events and, for a
// two-phase-commit sink, a row of transactions:
//
//   - batches that arrived, as thin ticks with their record counts, and
//     a source's polls on its own row;
//   - barriers, as diamonds labelled with their checkpoint on the input
//     they arrived on, with a dashed line from the producer's snapshot;
//   - each input's blocked interval during alignment, as a shaded band
//     from its blocked to its unblocked event (or to the failure that
//     cut the alignment short): drawn from the events, never assumed from
//     the checkpointing mode;
//   - snapshots, with their state size, and acknowledgements;
//   - checkpoint completions as vertical rules, aborts as dashed ones,
//     and a restart as a dotted one;
//   - a failure as a red cross on its subtask;
//   - the restore of each subtask, with the checkpoint it restored from
//     and, for a source, how many records it replays: those its subtasks
//     had emitted after their snapshots of that checkpoint, counted from
//     their polls (a restore deals splits out anew, so the count is the
//     source's, told at its first subtask);
//   - on each source subtask, the span from its snapshot of the restored
//     checkpoint to the failure: what it emitted there is emitted again;
//   - a sink's transactions: hollow from their start to their commit
//     (open, then pre-committed at the barrier and pending), filled from
//     the commit on, when their output is visible;
//   - batches that a subtask read on an input after that input's barrier
//     and before its snapshot, when the run later restores from that
//     checkpoint: their records are in the snapshot and are replayed, so
//     they count twice. Alignment never reads such batches; at-least-once
//     checkpoints do.
//
// # Machine-readable attributes
//
// Every drawn element carries data attributes, so that a test can check
// the picture against the run: data-event (barrier, blocked, snapshot,
// ack, complete, abort, attempt, failure, restore, replay, precommit,
// commit, txn-abort, batch, poll, duplicate, end-of-input; lane and channel for
// the lanes and their input rows), data-time (nanoseconds since the run
// started, on its clock), data-seq (the index of the event in the run,
// which orders events of the same time), data-checkpoint, data-task,
// data-subtask, data-channel and data-input, and data-end for spans. A
// commit's data-checkpoint is that of the transaction's pre-commit, also
// for a transaction that a restore committed (whose event says 0).
//
// # The page
//
// WriteHTML writes one self-contained file: the SVG, a legend, a panel
// that shows the details of the element under the pointer, and zoom on
// the time axis (buttons, or Ctrl and the mouse wheel). It loads no
// script, style or font from anywhere. WriteSVG writes the picture
// alone, with the same details as SVG titles (tooltips). WriteText writes
// a fixed-width plain-text timeline, one character per column of time,
// followed by the moments that matter, for go test -v and terminals.
package timeline
