// Package engine is the runtime of flinksim with the types erased: the
// logical graph (vertices and edges), its expansion into tasks and channels,
// the task step machine, and the two executors that drive tasks (one
// goroutine per task, or one goroutine for all tasks with a seeded choice of
// the next step).
//
// Records stay typed end to end: operators and partitioning writers are
// generic values built by the public package, and the engine moves batches
// ([]T or []Keyed[K, T]) between tasks as opaque values. Within a task,
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
// # How the next features plug in
//
// Watermarks. A watermark is a channel event like a barrier, queued in
// order with the batches. The task keeps the last watermark per input in
// inputState and the combined input watermark as the minimum over the
// inputs that are active; handleInput forwards a new minimum to the
// operators and, when it advances, downstream through the writers (which
// send it on every channel, as a barrier is sent). End of data on an input
// is a watermark of +inf for it, which gives the final max watermark.
//
// Watermark idleness. A source's split or an input channel can be marked
// idle by a watermark-status event on the same lane; idle inputs are left
// out of the minimum, and the task emits idle downstream when all its
// inputs are idle. The source side will decide idleness on the job's
// clock (timed work, as timers; neither exists yet).
//
// Timers. Event-time timers fire inside handleInput when the combined
// watermark advances, before the watermark is forwarded. Processing-time
// timers are timed work: a task method (WakeAt) will return the earliest
// one, the concurrent executor wait until then on the job's clock beside
// the wake channel, the simulation jump its virtual clock there; Ready
// then offers a timer step, so timers fire between records, never inside
// a batch.
//
// Sources that wait. A source that has nothing now reports SourceWaiting
// and is not polled again until it calls OperatorContext.SignalAvailable
// (from any goroutine): the flag is cleared before each poll, so a signal
// during the poll is kept. The concurrent executor hears the signal on the
// task's wake channel; the simulation, when nothing else can run, waits
// for it on a channel of its own (Task.NotifyExternal), pacing its timed
// work in real time meanwhile.
//
// Two logical inputs. A vertex's input edges are numbered; each channel
// knows its edge (its logical input), and the gate hands the task events
// with their channel index. A two-input operator gets ProcessBatch1 and
// ProcessBatch2 (and per-input end of input and watermarks) from the task,
// chosen by the channel's logical input; alignment and the gate do not
// change, since they work per channel.
//
// Side outputs. An operator's output collectors are per tag: the vertex
// gets one Fanout per output tag, and edges carry the tag they read, so
// side outputs are more edges of the same vertex; writers and channels do
// not change.
//
// Unaligned checkpoints. A barrier may overtake the data queued before it:
// the gate moves the barrier to the front of its queue (the queue is the
// task's own, so it can), and the task snapshots the overtaken in-flight
// events of each input as channel state with the operators' state. The
// control lane already never waits behind data; what the gate adds is a
// priority pop, and restore replays the channel state before the gate.
package engine
