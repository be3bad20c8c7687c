// Package engine is the runtime of flinksim with the types erased: the
// logical graph (vertices and edges), its expansion into tasks and channels,
// the task step machine, and the two executors that drive tasks (one
// goroutine per task, or one goroutine for all tasks with a seeded choice of
// the next step).
//
// Records stay typed end to end: operators and partitioning writers are
// generic values built by the public package, and the engine moves batches
// (Batch[T] or Batch[Keyed[K, T]]) between tasks as opaque values. Within a task,
// chained operators call each other through Collector[T] directly.
//
// # The task core
//
// A Task is a synchronous step machine in the shape of etcd-io/raft's
// RawNode: it never blocks and never starts a goroutine. Work reaches it on
// two lanes:
//
//   - its InputGate: one bounded queue per input channel, filled by the
//     producers (batches, barriers, end of data, end of partition, in
//     order);
//   - its control lane: coordinator events (trigger, complete, abort,
//     finish), never queued behind data, coalesced when superseded. Next
//     takes them first; the simulation picks among them and the other
//     steps at random, since on a real machine they arrive at any moment.
//
// An executor asks the task what it can do now — Ready lists every step
// (control, a source poll, each readable input), Next picks the first —
// and has it take one step with Do. A producer whose output channel is
// full is not offered input or polls (backpressure per channel); an input
// blocked by exactly-once alignment is not readable, so its events wait in
// its queue and the memory of an alignment is bounded by the gate. The
// concurrent executor runs Next/Do on a goroutine per task and sleeps on
// the task's wake channel; the simulation picks among all tasks' Ready
// steps with a seeded PRNG. Both run the same task code: the executors only
// choose what runs next. Flushing partial batches, alignment, end of input
// and finishing are decided by the task.
//
// The task reports what it does as TraceEvents (batches in and out,
// barriers, blocking, snapshots, acknowledgements, completions, aborts,
// transactions, failures, restores, end of input); the job serializes them
// to one Tracer. The text trace of the simulation and later views (the
// teaching timeline, the dashboard) are renderings of these events.
//
// # Event time
//
// Records carry an event timestamp: a Batch holds the values, a timestamp
// per value, and the watermarks (Marks) the producer emitted between them.
// A watermark thus keeps its place among the records without a flush of
// its own, and a producer emitting one per record costs a mark per record,
// not a batch. The writer stamps each record with the task's current
// timestamp (OperatorContext.SetTimestamp), which operators set from the
// record they process, a timer, or a window.
//
// The task keeps each input's last watermark and watermark status, and
// hands its head operator the combined watermark — the minimum over the
// active inputs whose data has not ended; when all of them are idle, the
// maximum of their watermarks, and idle goes downstream (Flink's
// StatusWatermarkValve). An operator that handles watermarks
// (WatermarkHandler) fires its event-time timers and forwards the
// watermark with EmitWatermark; others forward it unchanged, through the
// chain and to every channel of every writer. End of data on every input
// is the final watermark, MaxWatermark, handed through the chain before
// EndInput: bounded jobs and stops with drain fire every event-time timer.
//
// Processing time is the job's clock. An operator asks for a call at a
// time (WakeAt); the task offers a timer step once the clock reaches the
// earliest, between records and only while its outputs have room; the
// concurrent executor waits for it on the clock beside the wake channel,
// and the simulation moves its virtual clock there when nothing else can
// run. Timers stop with the end of input, as Flink quiesces them.
//
// Side outputs are more edges of the same vertex, each reading a tag
// (Edge.Tag); operators find their collectors by tag in
// OperatorContext.SideOutputs. Two logical inputs: each channel knows the
// logical input of its edge, and an operator with several (MultiInput)
// gets each batch with the input it came on, and each input's end.
//
// # How the next features plug in
//
// Unaligned checkpoints. A barrier may overtake the data queued before it:
// the gate moves the barrier to the front of its queue (the queue is the
// task's own, so it can), and the task snapshots the overtaken in-flight
// events of each input as channel state with the operators' state. The
// control lane already never waits behind data; what the gate adds is a
// priority pop, and restore replays the channel state before the gate.
package engine
