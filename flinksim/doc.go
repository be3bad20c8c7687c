// Package flinksim runs Apache Flink–style stream jobs inside a Go process.
//
// A job is a dataflow graph of typed operators — sources, transformations,
// keyed process functions with keyed state, sinks — built on an
// [Environment] and executed in parallel subtasks, with Flink's partitioning,
// operator chaining, key groups, job and subtask statuses and record
// counters. It is meant for unit tests of streaming logic, small streaming
// services, and teaching how Flink runs a job. A job runs either on a
// goroutine per task or, for tests, on one goroutine whose order of events is
// chosen by a seeded PRNG, so a run can be replayed exactly.
//
// # Example
//
// Count words: split lines into words, key by word, keep a running count per
// word in keyed state, and collect the counts.
//
//	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
//	lines := flinksim.FromSlice(env, "lines", []string{"to be or not to be", "that is the question"})
//	words := flinksim.FlatMap(lines, "split", func(line string, out flinksim.Collector[string]) error {
//		for _, w := range strings.Fields(line) {
//			out.Collect(w)
//		}
//		return nil
//	})
//	counts := flinksim.Process(flinksim.KeyBy(words, func(w string) string { return w }), "count",
//		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, string, string], error) {
//			seen := flinksim.NewValueState[int](rt, "seen")
//			return flinksim.ProcessFunc[string, string, string](
//				func(ctx *flinksim.KeyedContext[string], w string, out flinksim.Collector[string]) error {
//					n, _ := seen.Value()
//					seen.Update(n + 1)
//					out.Collect(fmt.Sprintf("%s=%d", ctx.Key(), n+1))
//					return nil
//				}), nil
//		})
//	sink := flinksim.Collect(counts, "collect")
//	if _, err := env.Execute(ctx, "wordcount"); err != nil {
//		return err
//	}
//	fmt.Println(sink.Values()) // "to=1", "to=2", "be=1", … in an order that depends on the run
//
// # Environment and configuration
//
// [NewEnvironment] takes functional options ([WithParallelism],
// [WithMaxParallelism], [WithTaskManagers], [WithBatchSize], [WithLogger],
// [WithClock], [WithSimulation]); [NewEnvironmentFromConfig] takes a
// [Config], whose zero value means the defaults: parallelism GOMAXPROCS,
// max parallelism by Flink's rule (see Key groups), one slot per task
// manager and as many task managers as the job needs, batches of 256
// records, no logging, the system clock, and the concurrent executor. The
// configuration is checked when the job starts; its errors match
// [ErrInvalidConfig].
//
// An environment builds and runs one job: a second Execute or Start returns
// [ErrAlreadyExecuted]. Building a graph is not safe for concurrent use.
//
// # Streams and functions
//
// A [Stream][T] is a typed stream of records, Flink's DataStream. Go methods
// cannot have type parameters of their own, so transformations that may
// change the record type are free generic functions taking the input stream
// first — Map(s, …), not s.Map(…):
//
//   - sources: [FromSlice], [Generate], [TextFile], [FromChan], and
//     [FromSource] for a source of your own (see Sources);
//   - transformations: [Map], [FlatMap], [Filter], [Union], their rich
//     forms [RichMap], [RichFlatMap], [RichFilter], [ProcessStream], and
//     on a [KeyedStream], [Process] and [Reduce];
//   - sinks: [Sink], [SinkTo], [Print], [Collect].
//
// Mistakes in building a graph — an empty name, a nil function, a zero
// Stream — are recorded on the environment and reported by Execute or Start,
// not by panics. A zero Stream (a declared but never assigned variable, say)
// belongs to no environment, so a builder given one — a transformation,
// KeyBy, Process, Reduce, Union, a sink, or a source given a nil
// Environment — records its [ErrInvalidStream] on every environment that
// graph building on the same goroutine has touched and that has not been
// executed yet; jobs built on other goroutines are not affected. Build a
// job on one goroutine, as the environment requires anyway, and the
// mistake fails its Execute. [CollectSink.Err] tells the same of a
// Collect.
//
// # Operators and names
//
// Every source, transformation and sink is an operator and takes a name,
// which must be unique within the job ([ErrDuplicateName]). By default it
// is also the operator's UID, under which its state is found in
// checkpoints and savepoints; the [UID] option sets another, as Flink's
// uid, so that an operator renamed in a new version of the job keeps its
// state (UIDs are unique too). [KeyBy], [Union], [Rebalance], [Broadcast]
// and [Forward] are not operators and take no name. [OperatorOption]
// values set an operator's [Parallelism], [MaxParallelism] and [UID]; by
// default the first two come from the environment.
//
// # Sources
//
// Sources follow Flink's split model (FLIP-27). A [Source] divides its
// input into splits — a range of numbers, a byte range of a file, a Kafka
// partition — and gives each subtask a [SourceReader] that reads the
// splits it is handed. A job that starts without state asks the source
// for its splits once and deals split i to subtask i mod parallelism.
// Every checkpoint records each reader's unfinished splits, with the
// position after the last record it emitted (the [Source.SplitCodec]
// writes them); a job restored from it deals those splits out again, at
// whatever parallelism it now has, so each record is read once.
//
// A reader never blocks the task. [SourceReader.PollNext] emits a record
// (or a few) and reports [MoreAvailable], [NothingAvailable] or
// [EndOfInput]. After NothingAvailable the task does not poll the reader
// again — it takes checkpoints, answers Cancel — until the reader calls
// [ReaderContext.Available], from any goroutine: a reader that waits on a
// network connection or a channel does so on a goroutine of its own,
// started in NewReader or AddSplits and stopped in Close. A reader that
// reports NothingAvailable and never calls Available stops its source
// for good, as in Flink.
//
// The built-in sources are sources of this kind. [Generate] and
// [TextFile] are parallel: each subtask reads a contiguous range.
// [FromSlice] is non-parallel, as Flink's fromCollection, so the records
// of one key keep their order. [FromChan] reads what Go code sends on a
// channel, for tests that feed a job step by step and services that hand
// it work; a channel cannot be replayed, so it gives no exactly-once
// guarantee across a failure (see FromChan).
//
// # Partitioning and chaining
//
// Each operator runs as parallelism subtasks. An edge between two operators
// distributes records over the consumer's subtasks by a strategy, as in
// Flink:
//
//   - forward ([Forward]): subtask i sends to subtask i; both sides must have
//     the same parallelism ([ErrForwardParallelism]);
//   - rebalance ([Rebalance]): round-robin over all consumer subtasks;
//   - broadcast ([Broadcast]): every record to every consumer subtask;
//   - hash ([KeyBy]): each record to the subtask that owns its key group.
//
// An edge with no strategy is forward when both sides have the same
// parallelism and rebalance otherwise.
//
// An operator whose only input is a forward edge is chained into its
// producer's task: both run on the same goroutine and records pass by a
// plain function call, with no batching or copying. A task is named by its
// chain, as "lines -> split". Every other edge becomes channels, one per pair
// of producer and consumer subtasks it connects.
//
// # Keyed streams and key groups
//
// [KeyBy] partitions a stream by a key of a comparable type K. As in Flink,
// keys are hashed into max-parallelism key groups and each subtask of a keyed
// operator owns a contiguous range of them:
//
//	keyGroup = murmur3_32(codec.Append(nil, key), seed 0) % maxParallelism
//	subtask  = keyGroup * parallelism / maxParallelism
//
// The bytes hashed are the key's encoding by [CodecFor][K], or by the codec
// given to [KeyByCodec], so the placement of a key is the same in every
// process and release; changing the codec moves keys. CodecFor has such a
// stable encoding for strings, bools, numbers, and structs and fixed
// arrays built of them with exported fields (fields in declaration order,
// strings length-prefixed); KeyBy refuses other key types with
// [ErrUnstableKey]. A key a KeyByCodec codec fails to encode fails the
// operator that emits it, with an [*OperatorError] wrapping [ErrEncode]. An operator's max
// parallelism is its [MaxParallelism] option, else [Config.MaxParallelism],
// else Flink's default: parallelism × 1.5 rounded up to a power of two, at
// least 128 and at most 32768. No operator's parallelism may exceed its max
// parallelism ([ErrInvalidParallelism]).
//
// # Keyed state
//
// [Process] runs a [KeyedProcessFunction] on a keyed stream. Its open
// function is called once per subtask, before any record; it declares state
// on the [KeyedRuntimeContext] with [NewValueState], [NewListState],
// [NewMapState], [NewReducingState] or [NewAggregatingState] and returns the
// function. A state handle reads and writes the entry of the key being
// processed ([KeyedContext.Key]). Declaring a name twice with the same type
// returns the same state; with another type the subtask fails with
// [ErrStateConflict]. Using a handle in open, where no key is current, fails
// it with [ErrNoKey]. [Reduce] is Process with a ReducingState.
//
// State lives in memory, in one map per key group. Checkpoints write it per
// key group, so it can be restored at another parallelism (see
// Checkpoints), encoded with [CodecFor] codecs unless the declaration
// gives its own with [WithCodec]:
//
//	sessions := flinksim.NewMapState[string, Session](rt, "sessions",
//		flinksim.WithCodec[Session](flinksim.JSONCodec[Session]{}))
//
// Every kind of state takes WithCodec options for the types it encodes
// (values, list elements, map keys and values, accumulators). CodecFor
// falls back to [GobCodec] for types without a built-in encoding, and gob
// silently drops unexported fields and fields of func or chan type and
// needs the concrete types behind interfaces registered; so a state whose
// type gob cannot round-trip — a struct with unexported fields, a func, a
// channel, an interface, or a slice, map, array or pointer of one — is
// refused when it is declared: the subtask fails as it opens with an
// [*OperatorError] wrapping [ErrNeedsCodec] that names the state and the
// type and says what gob would lose. [JSONCodec] is offered beside gob. A
// value a codec cannot encode fails the snapshot, and with it the subtask:
// no checkpoint is ever written with state missing or empty. Snapshots
// record each state's kind and value type, and the key type; a state
// restored into a job that declares it with another type, or keys it by
// another type, is refused ([ErrIncompatibleState], Start's error) —
// unless the declaration gives its own codec with WithCodec (for keys,
// KeyByCodec), which then must read the old values (that is how a state's
// type evolves). Changing a state's codec makes it unreadable in existing
// snapshots.
//
// Any keyed state takes a time to live, as Flink's StateTtlConfig, with
// [WithTTL] and a [TTLConfig]: an entry — a key's value or accumulator, a
// list element, a map entry — not refreshed for TTL expires. Writes refresh
// it ([OnCreateAndWrite]), or reads too ([OnReadAndWrite]); an expired
// entry reads as absent ([NeverReturnExpired]) or is returned by the one
// read that removes it ([ReturnExpiredIfNotCleanedUp]). Time is processing
// time, from the environment's Clock, so a [ManualClock] makes expiry
// exact in tests. Expired entries are removed when accessed and left out
// of every checkpoint and savepoint; the others keep their timestamps
// there, so after a restore they expire on their original schedule. A
// snapshot records whether a state had a time to live: restoring it into
// a declaration that differs in that is [ErrIncompatibleState] (the TTL
// itself may change).
//
// # Operator state
//
// State that belongs to a subtask rather than to a key — what a sink
// buffers, a source's offsets — is an [OperatorListState], declared with
// [NewOperatorListState] on the [RuntimeContext] of a SinkTo, SinkTwoPhase,
// Process, ProcessStream or rich transformation open function. Each has a name and a [Redistribution] mode
// that says how a restore deals the subtasks' lists out: split (each
// element to one new subtask, round-robin), union (every element to every
// subtask) or broadcast (every subtask the same copy). A restored list
// that no operator declares is kept in the next snapshot as it was.
//
// # Event time
//
// Every record may carry an event timestamp, in milliseconds since the
// epoch ([NoTimestamp] if it has none), and watermarks — "no record at or
// below this timestamp will come" — travel among the records. A
// [WatermarkStrategy] says where timestamps come from and how watermarks
// are made: [ForBoundedOutOfOrderness] (the highest timestamp seen − the
// bound − 1 ms), [ForMonotonousTimestamps] (the bound 0), [ForGenerator]
// for a [WatermarkGenerator] of one's own (periodic, called every
// Config.WatermarkInterval of the job's clock, or punctuated, emitting in
// OnEvent after the record), or [NoWatermarks];
// WithTimestampAssigner takes the timestamp from the record.
// [AssignTimestampsAndWatermarks] applies a strategy to a stream (chained
// to it when it can be); [FromSourceWithWatermarks] applies it in the
// source, per split when the reader emits through [ReaderOutput].Split:
// the subtask's watermark is the minimum over its splits, and
// ReleaseSplit takes a finished split out of it.
//
// An operator's watermark is the minimum over its inputs, through chains
// and every partitioner. WithIdleness marks an input idle once it has
// emitted nothing for the timeout (a source subtask that has emitted
// nothing at all too): an idle input does not hold the minimum back, and
// holds it again with its next record. At the end of input (and on a stop
// with drain) the final watermark [MaxWatermark] fires every event-time
// timer; a stop without drain fires none. [OperatorMetrics] report each
// subtask's current input and output watermark.
//
// Timers: a keyed function reads its [TimerService] from
// KeyedContext.TimerService and registers or deletes event-time and
// processing-time timers for the current key; one per key, time and
// domain. A function that also implements [TimerFunction] gets OnTimer
// with the key current, the timer's time as the context's timestamp (none
// for processing time) and its [TimeDomain]; an OnTimer of another
// signature is refused when the job starts ([ErrInvalidOperator]).
// Processing time is the job's clock, so a [ManualClock] or the
// simulation's virtual time drives processing-time timers without
// sleeping; they do not fire after the end of input. Timers are keyed
// state (names beginning with "_timer/" are theirs): in checkpoints and
// savepoints by key group, restored at any parallelism. [Output] sends a
// record to a side output ([NewOutputTag]), read with [SideOutput];
// watermarks flow to side outputs too.
//
// # Functions that are not keyed
//
// [ProcessStream] runs a [ProcessFunction] on a stream that is not keyed,
// as Flink's DataStream.process; [RichMap], [RichFlatMap] and [RichFilter]
// are Map, FlatMap and Filter whose function is returned by an open. Each
// open runs once per subtask, before any record, with the subtask's
// [RuntimeContext]: the place for per-subtask setup (a connection, a
// cache) and operator list state, without keyed state. The function gets a
// [ProcessContext] with each record (its timestamp, the watermark, the
// processing time; side outputs through [Output]). If it has a Close()
// error method, Close runs when the subtask ends; if it implements
// [CheckpointListener], it hears of checkpoints. There are no timers
// without a key, as in Flink: a non-keyed function with an OnTimer method
// is refused as the operator opens ([ErrInvalidOperator]). Plain Map,
// FlatMap and Filter stay the cheapest per record.
//
// Function interfaces grow without breaking their implementations: the
// contexts ([ProcessContext], [KeyedContext], [OnTimerContext]) are
// structs that gain methods, and extra capabilities (OnTimer, Close,
// CheckpointListener) are optional interfaces checked when the operator
// opens, a near miss refused rather than never called.
//
// # Testing an operator
//
// Package flinksimtest runs one Process or ProcessStream operator without
// a job, as Flink's operator test harnesses: push records with timestamps
// and watermarks, move processing time, read the output, side outputs,
// watermarks and registered timers, snapshot and restore — the operator
// and task code a job runs, a few microseconds a record.
//
// # Snapshot format
//
// A checkpoint or savepoint (format 2) is a directory of the snapshot
// store: a manifest (files, sizes, checksums), a metadata file (JSON:
// format version, checkpoint ID, and per operator its UID, parallelism,
// max parallelism and one state file per subtask that has state), and the
// state files. A state file holds the subtask's keyed state — per key
// group, per state name, the encoded keys and values, behind an index of
// key-group offsets so a subtask restored at another parallelism reads
// only its key groups — and its named operator list states, each with its
// mode and encoded elements; a source's splits (with their positions) and
// a two-phase-commit sink's transactions are such lists. Every value is
// written with its state's codec, so a snapshot restores into a newer
// version of the job as long as the codecs still read it. Format 1
// snapshots (one anonymous list per operator) are refused with
// [ErrIncompatibleState].
//
// # Executors
//
// By default a job runs on the concurrent executor: one goroutine per task.
// Records travel between tasks in batches of up to [Config.BatchSize]; a
// task sends its partial batches when it has nothing left to read, at a
// step after they have waited [Config.BufferTimeout] (100ms), and at the
// end of its input. Sources emit up to BatchSize records per step, and
// flush what they emitted when their reader has nothing more.
//
// Each task owns an input gate: a queue per input channel holding up to
// [Config.BuffersPerChannel] batches (8). A producer with a full output
// channel is not run until its consumer reads from it, so backpressure is
// per channel, and a channel holds at most BuffersPerChannel batches plus
// what one step of its producer emits ([SubtaskInfo.PeakQueuedRecords]
// shows what a task queued). Barriers and end-of-input markers are never
// held back by a full channel, and the coordinator's notices travel on a
// lane of their own, never queued behind records: the concurrent executor
// takes them first; the simulation interleaves them with the other steps
// at random, as they may arrive at any moment.
//
// [WithSimulation] selects the simulation executor: every task runs on one
// goroutine, and at each step a PRNG seeded with the seed picks the next
// step among all those the tasks can take — a poll of a source, the next
// event of a readable input channel (a batch, a barrier, an end of input),
// or a notice from the checkpoint coordinator. The tasks, their gates and
// backpressure are the same as on the concurrent executor: only the choice
// of the next step is the simulation's. Time is virtual: the clock starts
// at [Config.Clock]'s time and moves 1ms per step, so checkpoint
// intervals and restart delays cost no real time. A source fed from
// outside the job ([FromChan], a reader with a goroutine of its own) is
// waited for when nothing else can run, with the virtual clock moving to
// its next timed event (a checkpoint trigger) only as fast as real time;
// such a run replays the same only as far as the records arrive the same. The same seed and job
// give the same sequence of events, byte for byte; the trace writer, if
// any, gets one line per [TraceEvent] but sent batches:
//
//	40ms src (1) poll -> 8 records
//	41ms count (0) <- in1 barrier 3
//	41ms count (0) blocked in1 (checkpoint 3)
//	42ms count (0) <- in0 batch n=8
//
// (the time since the job started, the task and subtask, then what
// happened; "job" for the coordinator's events).
//
// # Tracing
//
// [WithTracer] subscribes a function to every [TraceEvent] of a job, on
// either executor: polls, batches in and out per channel, barriers,
// inputs blocked and unblocked by alignment, snapshots with their size,
// acknowledgements, checkpoint completions and aborts, two-phase-commit
// transactions pre-committed, committed and aborted, failures, restores
// (from which checkpoint, which source positions), end of input. The
// events are the task's own account of what it did, stamped with the job's
// clock; calls never overlap.
//
// # Checkpoints
//
// [WithCheckpointing] turns on Flink's asynchronous barrier snapshotting.
// Every [CheckpointConfig.Interval] the coordinator triggers checkpoint n
// at the sources: each records its position (its splits) and emits barrier
// n on every output, in line with its records. A task snapshots its
// operators when barrier n has arrived on all its inputs and forwards it.
// In [ExactlyOnce] mode an input that delivered barrier n is blocked until
// the others deliver it too (alignment), so the snapshot reflects exactly
// the records before the barriers; a blocked input is simply not read, its
// events waiting in its channel. In [AtLeastOnce] mode nothing blocks and
// records after a barrier may be in the snapshot, to be replayed after a
// restore. Before a task acknowledges, its sinks flush what they buffer
// (see [SinkWriter]). A checkpoint that times out is aborted: its
// alignments are released, and its late barriers count for nothing. When every task acknowledged, the coordinator writes one file
// per stateful operator subtask and a metadata file to the
// [CheckpointConfig.Store] (a snapshot.Store; in memory by default),
// publishes the manifest last, and notifies every operator that the
// checkpoint completed. At most one checkpoint is in flight; MinPause,
// Timeout and TolerableFailures act as in Flink. [JobClient.Checkpoints]
// gives the counts, the last duration and size, and the last 10
// checkpoints with per-subtask alignment, sync and async times.
//
// When every source has emitted all its records, a final checkpoint is
// taken before the job finishes, so that two-phase-commit sinks commit the
// end of their output exactly once.
//
// # Recovery
//
// When a task fails, every task is cancelled and, as the
// [RestartStrategy] allows ([FixedDelayRestart], [ExponentialDelayRestart]
// — the default with checkpointing —, [FailureRateRestart], [NoRestart]),
// all are restarted from the latest completed checkpoint: keyed state per
// key group, sources rewound to their recorded splits. The job is
// RESTARTING meanwhile and [JobClient.Restarts] counts the restarts (Flink's
// fullRestarts); a job that keeps failing shows it rising, and
// [JobClient.Exceptions] (Flink's exception history: the last 10 failures
// with time, operator, subtask and cause) and [JobClient.String] say why.
// When the strategy gives up, the job is FAILED with the cause; a job
// cancelled while it loops on restarts returns an error that matches
// [ErrCanceled] and carries the last cause.
//
// A [TwoPhaseCommitSink] makes the output exactly-once too: records go into
// a transaction that is pre-committed at the barrier and committed when the
// checkpoint completes; a restored subtask commits what the checkpoint had
// pre-committed and aborts the rest. [CollectTransactional] is one for
// tests. [WithFaults] and [FaultInjector] fail a chosen subtask after n
// records, during a snapshot, a restore or a commit.
//
// # Savepoints and restore
//
// [JobClient.TriggerSavepoint] writes a savepoint: a snapshot the user
// owns, never deleted by the job. As in Flink 1.15+, a savepoint commits no
// side effects: two-phase-commit sinks commit at the next checkpoint. So a
// savepoint followed by Cancel is not a stop — a checkpoint in between
// commits output past the savepoint, which a job resumed from it emits
// again. [JobClient.StopWithSavepoint] is the stop, as Flink's `stop
// --savepointPath [--drain]`: the sources emit nothing after the
// savepoint's barrier, sinks commit up to it, and the job ends FINISHED;
// without drain no operator is told its input ended (nothing is flushed
// that the resumed job would emit again), with drain the sources end their
// input first and the savepoint is the final checkpoint.
//
// Savepoints go to the checkpoint store unless [CheckpointConfig.SavepointDir]
// names a directory on disk: there they outlive the job and the process,
// and a savepoint's Ref is its path, which [WithRestoreFrom] takes with no
// store configured at all. A job restored from a checkpoint of its own
// store never deletes it by default ([RestoreNoClaim], Flink's NO_CLAIM);
// with [RestoreClaim] the job owns it and retention removes it once newer
// checkpoints complete.
//
// Tests take a savepoint at an exact point with [WithSavepointAt]: once
// an operator subtask has processed n records, the job asks for a
// savepoint (or a stop, drained or not); in the simulation it is taken at
// the same point of every run with the seed, so a test stops a job
// half-way with no sleep. [WithRestoreFrom] starts a job from a
// savepoint or checkpoint reference ([CheckpointRecord.Ref]) of the store:
// state is mapped by operator UID, keyed state is redistributed by key
// group and each operator list state by its [Redistribution] mode, so the
// parallelism may change, up to the max parallelism. An operator whose max parallelism is not set
// (by its [MaxParallelism] option or [WithMaxParallelism]) adopts the one
// its state had; an explicitly different one is [ErrIncompatibleState] for
// a keyed operator, whose key groups cannot change. State of an operator
// the job no longer has fails the start with [ErrNonRestoredState] unless
// [Config.AllowNonRestoredState] is set.
//
// A restoring job's Start returns once every operator has taken its state.
// A restore that cannot succeed — a corrupt snapshot, a max parallelism
// that changed, state the declared codec does not decode (a ValueState
// whose type changed) — is Start's error, wrapping [ErrRestore]; it is
// never retried by the restart strategy, and it commits nothing: a
// two-phase-commit sink commits the transactions its restored state
// pre-committed only once every operator of the job took its state. The
// job never runs on half-read state.
//
// # Windows
//
// KeyedStream.Window cuts a keyed stream into windows, as Flink's window
// operator does; a window function ends it. The assigner gives each record
// its windows: [TumblingEventTimeWindows] and [SlidingEventTimeWindows]
// (aligned to the epoch, or shifted by WithOffset), [EventTimeSessionWindows]
// (a record's window [t, t+gap) merges with every window of its key that it
// overlaps or touches, so one record can bridge two sessions), their
// processing-time twins, which read the job's clock when the record
// arrives, and [GlobalWindows] (one window per key, to the end of the
// input). A [Window] is [Start, End) in milliseconds; its max timestamp is
// End−1.
//
// The trigger decides when a window fires. By default an event-time
// window fires when the watermark reaches its max timestamp (the end of
// input fires the rest), a processing-time one when the clock does (never
// after the end of input: processing-time timers stop with the input), and
// GlobalWindows never. [CountTrigger](n) fires every n records of a window
// (merged sessions add their counts); [PurgingTrigger] empties a window
// each time it fires — GlobalWindows with PurgingTrigger(CountTrigger(n))
// is Flink's countWindow(n), whose incomplete last window is not emitted
// at the end of input.
//
// AllowedLateness(d) keeps an event-time window for d after it fired: a
// record that arrives for it within d fires it again at once with the
// updated result (a late firing); once the watermark passes max timestamp
// + d the window is cleared, and records for it are late: dropped, or
// sent with their own timestamps to the side output of
// SideOutputLateData(tag), read with [SideOutput]. A record without a
// timestamp in an event-time window fails the job with
// [ErrWindowTimestamp].
//
// Window functions: [ReduceWindow] and [AggregateWindow] keep one value per
// window, combined as records arrive; [ProcessWindow] keeps the records and
// hands them all to a [ProcessWindowFunction], which also sees the key and
// the window ([WindowContext]); [ReduceProcessWindow] and
// [AggregateProcessWindow] combine incrementally and hand the one result to
// a ProcessWindowFunction. What a window emits carries the window's max
// timestamp, so windows downstream of windows line up. [WindowAll] windows
// a stream that is not keyed, on one subtask (asking for another
// parallelism is an error when the job is built).
//
// A key's open windows, with their accumulators and trigger counts, are one
// entry of the operator's keyed state, and their timers are keyed timers:
// both are in checkpoints and savepoints per key group, so windows, merged
// sessions and pending firings survive a failure and a restore at another
// parallelism. Invalid settings — the zero assigner, a count below 1, a
// negative lateness, an empty late tag — are errors when the job is built.
//
// # Two inputs
//
// [Connect] joins two streams of different types into one operator:
// [CoMap] and [CoFlatMap] take a function per input, [CoProcess] a
// [CoProcessFunction] (ProcessElement1 and ProcessElement2, with a
// [ProcessContext]). [ConnectKeyed] connects two keyed streams whose keys
// have one type and one encoding, so a key lands in one subtask whichever
// input it comes on; [KeyedCoProcess] runs a [KeyedCoProcessFunction] that
// sees the key's state and timers from both inputs. The operator's
// watermark is the minimum of its inputs'.
//
// The broadcast state pattern: [ConnectBroadcast] and
// [ConnectKeyedBroadcast] connect a stream with one broadcast to every
// subtask, and [ProcessBroadcast] and [ProcessKeyedBroadcast] run a
// [BroadcastProcessFunction] or [KeyedBroadcastProcessFunction]. State
// declared with [NewBroadcastState] is a map every subtask holds the same
// copy of: only ProcessBroadcastElement may change it (elsewhere a change
// fails the operator with [ErrBroadcastReadOnly]), and in the keyed form
// it can reach every key's state with
// [KeyedBroadcastContext.ApplyToKeyedState]. Broadcast state is
// snapshotted once, by subtask 0, and every subtask of a restored job, at
// any parallelism, starts from that copy.
//
// Joins on keyed streams, in event time: [IntervalJoin] pairs a record of
// the first stream with every record of the second of its key whose
// timestamp is within [lower, upper] of its own, keeping each side's
// records only until the watermark shows nothing more can match them (a
// record behind the watermark is late and dropped, as in Flink);
// [JoinWindow] pairs the records of one key in one window of an assigner,
// and [CoGroupWindow] hands a function both sides' records of each key and
// window.
//
// # Jobs
//
// [Environment.Execute] runs the job and waits for it to end, returning a
// [JobResult] with its duration and metrics. [Environment.Start] runs it in
// the background and returns a [JobClient] to watch or cancel it.
// Cancelling the context passed to either cancels the job.
//
// A job is RUNNING once Start returns and ends FINISHED (every task
// finished), FAILED (a task failed and the restart strategy gave up) or
// CANCELED; [JobClient.Cancel] moves it through CANCELLING, a restart
// through RESTARTING. A subtask ([SubtaskStatus], Flink's ExecutionState)
// goes DEPLOYING → INITIALIZING (its operators open) → RUNNING → FINISHED;
// when the job fails, the failed subtask is FAILED and every unfinished one
// CANCELED. [JobClient.Subtasks] also shows where each runs: subtask i of
// every task takes the job's i-th slot, as with Flink's default slot
// sharing, counting [Config.SlotsPerTaskManager] slots per task manager.
// Placement is bookkeeping: it does not change how tasks run, but a job
// needing more slots than the task managers offer does not start
// ([ErrNotEnoughSlots]).
//
// [OperatorMetrics] count, per operator subtask, the records it received
// and emitted (Flink's numRecordsIn and numRecordsOut). They are updated
// after every step of a task; [JobClient.Metrics] reads them while the job
// runs. [SubtaskInfo.BusyTime] is how long a task has been busy in the
// current attempt, on the job's clock: the time its steps took, apart from
// polls of a source that had nothing to emit or send. A task waiting for input,
// for room on a full output channel (backpressure) or for its source to
// signal is not busy. Sampled twice, its growth divided by how far the
// job's clock moved in between is Flink's busyTimeMsPerSecond (as a
// fraction: 1 is always busy); the busiest subtask's shows a job's
// bottleneck. On the simulation every working step counts one tick of
// virtual time.
//
// # Errors
//
// Execute and Start report an invalid configuration or else every graph
// error, joined; each matches its sentinel with [errors.Is]. An error
// returned by a user function fails the job with an [*OperatorError] naming
// the operator and subtask; a panic in one is recovered into an
// OperatorError whose Err wraps [ErrPanic] and whose Stack holds the stack.
// A user function that ends its goroutine with runtime.Goexit — as
// testing's Fatal, FailNow and SkipNow do, so do not call them inside a
// job's functions — fails its subtask with [ErrGoexit].
// The first failure cancels the rest of the job's attempt; when no restart
// follows, it is what Execute and [JobClient.Err] return. A cancelled job's error matches [ErrCanceled].
//
// # The caller's duties
//
// User functions run on the job's goroutines, not the caller's. The function
// of an operator with parallelism above 1 is called by each of its subtasks,
// concurrently under the concurrent executor: anything it shares must be
// safe for concurrent use. In particular a [Sink] function is called from
// several goroutines at once when the sink's parallelism is above 1;
// [SinkTo] gives each subtask its own writer instead.
//
// A [Collector] is valid only during the call it was passed to, and state
// handles only on the subtask that declared them. Cancellation is seen
// between steps: a user function that blocks delays it.
//
// Nothing outlives the job: Execute returns, and [JobClient.Done] is
// closed, only after every goroutine of the job has exited and every
// operator has been closed. A checkpoint being written when the job is
// cancelled stops after the file in progress and is never published.
//
// The graph is fixed when the job starts: an operator added to an
// Environment after Start is refused ([ErrAlreadyExecuted], reported by the
// stream's Err).
//
// # Planned
//
// Unaligned checkpoints and dynamic split assignment (splits handed to
// readers on request, and new splits found while the job runs) are
// planned. The Kafka source and sink are package flinksim/kafka.
package flinksim
