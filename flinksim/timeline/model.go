package timeline

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Recorder keeps the trace events of a run, in order: pass its Trace
// method to flinksim.WithTracer. It is safe for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	events []flinksim.TraceEvent
}

// Trace records ev.
func (r *Recorder) Trace(ev flinksim.TraceEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

// Events returns a copy of the recorded events.
func (r *Recorder) Events() []flinksim.TraceEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// Options set what New draws beside the events.
type Options struct {
	// Title heads the picture; empty: "flinksim run".
	Title string
	// Subtasks places the lanes on task managers (JobClient.Subtasks);
	// nil draws every lane in one unnamed group.
	Subtasks []flinksim.SubtaskInfo
	// PixelsPerMillisecond is the horizontal scale of the SVG; 0 chooses
	// one that fits the run in 600 to 2400 pixels.
	PixelsPerMillisecond float64
}

// Timeline is the drawing of one run, built by New; its Write methods
// render it. The same events and options always give the same bytes.
type Timeline struct {
	title    string
	lanes    []*lane // in drawing order: by task manager, then task ID
	byID     map[int]*lane
	channels []*channel // by ID
	marks    []*mark
	end      time.Duration
	pxPerMs  float64
	grouped  bool
}

// lane is one subtask's row.
type lane struct {
	taskID, subtask int
	task            string
	tm              int // -1 unknown
	inputs          int // number of input rows
	source          bool
	txns            bool
	y, h            float64 // set by layout
}

func (l *lane) name() string { return fmt.Sprintf("%s (%d)", l.task, l.subtask) }

// operator is the name of the first operator of the lane's chain.
func (l *lane) operator() string {
	op, _, _ := strings.Cut(l.task, " -> ")
	return op
}

// channel is one channel between a producer and a consumer subtask.
type channel struct {
	id, from, to, input int // from: -1 while unknown
}

// mark is one drawn element: an event, or a span between two.
type mark struct {
	event      string // the data-event attribute
	seq        int    // index of the (first) event in the run
	t, end     time.Duration
	begin      time.Duration // a transaction's start, for its span
	hasSpan    bool
	checkpoint int64
	taskID     int // -1: the job
	channel    int
	input      int
	records    int
	size       int64
	label      string
	detail     string
	from       time.Duration // a barrier's departure from its producer
	hasFrom    bool
	txn        string
}

// New draws the run of events (in the order a tracer received them).
func New(events []flinksim.TraceEvent, opts Options) *Timeline {
	tl := &Timeline{title: opts.Title, byID: make(map[int]*lane)}
	if tl.title == "" {
		tl.title = "flinksim run"
	}
	b := builder{tl: tl, chans: make(map[int]*channel), bands: make(map[[2]int]*mark),
		emitted: make(map[int]int), base: make(map[string]int), atSnapshot: make(map[string]map[int64]int), atFailure: make(map[string]int),
		txnBegin: make(map[int]time.Duration), txns: make(map[string][]*mark), restores: make(map[[2]int]*mark)}
	for i, ev := range events {
		b.add(i, ev)
	}
	b.finish()
	tl.place(opts.Subtasks)
	tl.pxPerMs = opts.PixelsPerMillisecond
	if tl.pxPerMs <= 0 {
		ms := max(float64(tl.end)/float64(time.Millisecond), 1)
		tl.pxPerMs = min(max(600/ms, 12), 2400/ms)
	}
	return tl
}

type builder struct {
	tl      *Timeline
	chans   map[int]*channel
	bands   map[[2]int]*mark // open blocked bands by task ID and input
	attempt int
	// A source operator's progress is the number of its records it has
	// emitted, over all its subtasks: base (where the attempt started)
	// plus what each subtask emitted in the attempt. Splits move between
	// subtasks at a restore, so only the operator's sum is well defined.
	emitted    map[int]int              // by task ID, in this attempt
	base       map[string]int           // by source operator
	atSnapshot map[string]map[int64]int // progress in a checkpoint, by operator and checkpoint
	atFailure  map[string]int           // progress when the last attempt ended
	txnBegin   map[int]time.Duration
	txns       map[string][]*mark // pre-committed transactions by operator and name, pending first
	restores   map[[2]int]*mark   // by task ID and attempt
	barriers   []*mark
	commits    []*mark
	replayed   map[[2]any]bool // source operator and attempt
	attemptSeq int             // the start of the current attempt
	attemptT   time.Duration
}

func (b *builder) lane(ev flinksim.TraceEvent) *lane {
	l, ok := b.tl.byID[ev.TaskID]
	if !ok {
		l = &lane{taskID: ev.TaskID, subtask: ev.Subtask, task: ev.Task, tm: -1}
		b.tl.byID[ev.TaskID] = l
		b.tl.lanes = append(b.tl.lanes, l)
	}
	return l
}

func (b *builder) channel(id int) *channel {
	c, ok := b.chans[id]
	if !ok {
		c = &channel{id: id, from: -1, to: -1, input: -1}
		b.chans[id] = c
	}
	return c
}

func (b *builder) mark(seq int, event string, ev flinksim.TraceEvent) *mark {
	m := &mark{event: event, seq: seq, t: ev.Elapsed, end: ev.Elapsed, checkpoint: ev.Checkpoint,
		taskID: ev.TaskID, channel: ev.Channel, input: ev.Input, records: ev.Records, size: ev.Size}
	if ev.Task == "" {
		m.taskID, m.channel, m.input = -1, -1, -1
	}
	if ev.Channel < 0 {
		m.channel, m.input = -1, -1
	}
	b.tl.marks = append(b.tl.marks, m)
	return m
}

func txnKey(ev flinksim.TraceEvent) string { return ev.Operator + "/" + ev.Detail }

// pending finds the pre-commit of the transaction ev names: the pending
// one of ev's subtask, else a pending one of another subtask (a restore
// deals transactions out anew), else the last one committed or aborted.
func (b *builder) pending(ev flinksim.TraceEvent) (m *mark, open bool) {
	ms := b.txns[txnKey(ev)]
	for _, p := range ms {
		if p.end < 0 && p.taskID == ev.TaskID {
			return p, true
		}
	}
	for _, p := range ms {
		if p.end < 0 {
			return p, true
		}
	}
	if len(ms) > 0 {
		return ms[len(ms)-1], false
	}
	return nil, false
}

func (b *builder) add(seq int, ev flinksim.TraceEvent) {
	b.tl.end = max(b.tl.end, ev.Elapsed)
	if ev.Task == "" {
		b.job(seq, ev)
		return
	}
	l := b.lane(ev)
	if ev.Channel >= 0 && ev.Kind != flinksim.TraceBatchOut {
		l.inputs = max(l.inputs, ev.Input+1)
		c := b.channel(ev.Channel)
		c.from, c.to, c.input = ev.Producer, ev.TaskID, ev.Input
	}
	switch ev.Kind {
	case flinksim.TracePoll:
		l.source = true
		b.emitted[l.taskID] += ev.Records
		m := b.mark(seq, "poll", ev)
		m.label = fmt.Sprint(ev.Records)
		m.detail = fmt.Sprintf("%s emitted %d records", l.name(), ev.Records)
	case flinksim.TraceTrigger:
		l.source = true
	case flinksim.TraceBatchIn:
		m := b.mark(seq, "batch", ev)
		m.label = fmt.Sprint(ev.Records)
		m.detail = fmt.Sprintf("%s: a batch of %d records arrived on input %d (channel %d)", l.name(), ev.Records, ev.Input, ev.Channel)
	case flinksim.TraceBarrier:
		m := b.mark(seq, "barrier", ev)
		m.label = fmt.Sprint(ev.Checkpoint)
		m.detail = fmt.Sprintf("%s: barrier of checkpoint %d arrived on input %d (channel %d)", l.name(), ev.Checkpoint, ev.Input, ev.Channel)
		b.barriers = append(b.barriers, m)
	case flinksim.TraceBlocked:
		m := b.mark(seq, "blocked", ev)
		m.hasSpan = true
		m.detail = fmt.Sprintf("%s: input %d (channel %d) blocked by the alignment of checkpoint %d", l.name(), ev.Input, ev.Channel, ev.Checkpoint)
		b.bands[[2]int{l.taskID, ev.Input}] = m
	case flinksim.TraceUnblocked:
		if m := b.bands[[2]int{l.taskID, ev.Input}]; m != nil {
			m.end = ev.Elapsed
			m.detail += fmt.Sprintf("; read again at %v, %d events had waited", ev.Elapsed, ev.Records)
			delete(b.bands, [2]int{l.taskID, ev.Input})
		}
	case flinksim.TraceSnapshot:
		if l.source {
			op := l.operator()
			if b.atSnapshot[op] == nil {
				b.atSnapshot[op] = make(map[int64]int)
			}
			if _, ok := b.atSnapshot[op][ev.Checkpoint]; !ok {
				b.atSnapshot[op][ev.Checkpoint] = b.base[op]
			}
			b.atSnapshot[op][ev.Checkpoint] += b.emitted[l.taskID]
		}
		m := b.mark(seq, "snapshot", ev)
		m.label = sizeLabel(ev.Size)
		m.detail = fmt.Sprintf("%s snapshotted its state for checkpoint %d: %d bytes; the barrier goes on", l.name(), ev.Checkpoint, ev.Size)
	case flinksim.TraceAck:
		m := b.mark(seq, "ack", ev)
		m.detail = fmt.Sprintf("%s acknowledged checkpoint %d to the coordinator", l.name(), ev.Checkpoint)
	case flinksim.TracePreCommit:
		l.txns = true
		m := b.mark(seq, "precommit", ev)
		m.hasSpan, m.begin, m.txn = true, b.txnBegin[l.taskID], ev.Detail
		m.end = -1 // pending until committed or aborted
		m.label = "txn " + ev.Detail
		m.detail = fmt.Sprintf("%s: %s pre-committed transaction %s at the barrier of checkpoint %d; its records stay invisible until the checkpoint completes",
			l.name(), ev.Operator, ev.Detail, ev.Checkpoint)
		b.txns[txnKey(ev)] = append(b.txns[txnKey(ev)], m)
		b.txnBegin[l.taskID] = ev.Elapsed
	case flinksim.TraceCommit:
		l.txns = true
		m := b.mark(seq, "commit", ev)
		m.txn, m.hasSpan = ev.Detail, true
		m.label = "txn " + ev.Detail
		how := "the checkpoint completed"
		if p, open := b.pending(ev); p != nil {
			if open {
				p.end = ev.Elapsed
			}
			m.checkpoint = p.checkpoint
			if ev.Checkpoint == 0 {
				how = "the restore found it pre-committed"
			}
		}
		m.detail = fmt.Sprintf("%s: %s committed transaction %s of checkpoint %d (%s): its records are visible now", l.name(), ev.Operator, ev.Detail, m.checkpoint, how)
		b.commits = append(b.commits, m)
	case flinksim.TraceTxnAbort:
		l.txns = true
		m := b.mark(seq, "txn-abort", ev)
		m.txn = ev.Detail
		m.detail = fmt.Sprintf("%s: %s aborted transaction %s: its records are dropped", l.name(), ev.Operator, ev.Detail)
		if p, open := b.pending(ev); open {
			p.end = ev.Elapsed
			m.checkpoint = p.checkpoint
		} else {
			m.hasSpan, m.begin = true, b.txnBegin[l.taskID]
		}
	case flinksim.TraceFailure:
		m := b.mark(seq, "failure", ev)
		m.detail = fmt.Sprintf("%s failed: %s", l.name(), ev.Detail)
		b.closeBands(l.taskID, ev.Elapsed)
	case flinksim.TraceRestore:
		b.restore(seq, l, ev)
	case flinksim.TraceEndOfInput:
		m := b.mark(seq, "end-of-input", ev)
		m.detail = fmt.Sprintf("%s: all its input ended", l.name())
	}
}

// closeBands ends the open blocked bands of a task (of every task if
// taskID is -1) at t: a failure or a new attempt ends an alignment.
func (b *builder) closeBands(taskID int, t time.Duration) {
	for k, m := range b.bands {
		if taskID < 0 || k[0] == taskID {
			m.end = t
			delete(b.bands, k)
		}
	}
}

func (b *builder) job(seq int, ev flinksim.TraceEvent) {
	switch ev.Kind {
	case flinksim.TraceAttempt:
		b.attempt++
		b.attemptSeq, b.attemptT = seq, ev.Elapsed
		b.closeBands(-1, ev.Elapsed)
		for op, n := range b.base {
			b.atFailure[op] = n
			b.base[op] = 0 // unless a restore says otherwise
		}
		for id, n := range b.emitted {
			b.atFailure[b.tl.byID[id].operator()] += n
			b.emitted[id] = 0
		}
		for id := range b.txnBegin {
			b.txnBegin[id] = ev.Elapsed
		}
		if b.attempt > 1 {
			m := b.mark(seq, "attempt", ev)
			m.label = ev.Detail
			m.detail = "the job restarts: " + ev.Detail
		}
	case flinksim.TraceCompleted:
		m := b.mark(seq, "complete", ev)
		m.label = fmt.Sprintf("cp %d", ev.Checkpoint)
		m.detail = fmt.Sprintf("checkpoint %d completed (%d bytes): every subtask acknowledged it; two-phase-commit sinks commit now", ev.Checkpoint, ev.Size)
	case flinksim.TraceAborted:
		m := b.mark(seq, "abort", ev)
		m.label = fmt.Sprintf("cp %d aborted", ev.Checkpoint)
		m.detail = fmt.Sprintf("checkpoint %d aborted: %s", ev.Checkpoint, ev.Detail)
	}
}

// restore draws one restore mark per subtask and attempt, naming its
// operators, the checkpoint and, for a source, the range it replays: the
// records it had emitted after its snapshot of that checkpoint.
func (b *builder) restore(seq int, l *lane, ev flinksim.TraceEvent) {
	k := [2]int{l.taskID, b.attempt}
	m := b.restores[k]
	if m == nil {
		m = b.mark(seq, "restore", ev)
		m.label = fmt.Sprintf("← cp %d", ev.Checkpoint)
		m.detail = fmt.Sprintf("%s restored from checkpoint %d:", l.name(), ev.Checkpoint)
		b.restores[k] = m
	}
	m.detail += " " + ev.Operator
	if ev.Detail != "" {
		m.detail += " at " + ev.Detail
	}
	op := l.operator()
	if ev.Operator != op || !(l.source || ev.Detail != "") {
		return
	}
	l.source = true
	if b.replayed[[2]any{op, b.attempt}] {
		return // the operator's replay is told at its first subtask
	}
	if b.replayed == nil {
		b.replayed = make(map[[2]any]bool)
	}
	b.replayed[[2]any{op, b.attempt}] = true
	from, to := b.atSnapshot[op][ev.Checkpoint], b.atFailure[op]
	b.base[op] = from
	m.records = to - from
	if to > from {
		m.label += fmt.Sprintf(", %s replays %d", op, to-from)
		m.detail += fmt.Sprintf("; source %s emits again the %d records it had emitted after checkpoint %d (it had emitted %d, %d of them before the barrier)",
			op, to-from, ev.Checkpoint, to, from)
	}
	b.replaySpans(op, ev)
}

// replaySpans draws, on each subtask of source op, the span from its
// snapshot of the restored checkpoint to the end of the failed attempt:
// the records it emitted in it are emitted again (by whichever subtask
// the restore deals their split to).
func (b *builder) replaySpans(op string, ev flinksim.TraceEvent) {
	tl := b.tl
	for _, l := range tl.lanes {
		if !l.source || l.operator() != op {
			continue
		}
		var snap *mark
		for _, s := range tl.marks {
			if s.event == "snapshot" && s.taskID == l.taskID && s.checkpoint == ev.Checkpoint && s.seq < b.attemptSeq {
				snap = s
			}
		}
		if snap == nil {
			continue
		}
		n := 0
		for _, p := range tl.marks {
			if p.event == "poll" && p.taskID == l.taskID && p.seq > snap.seq && p.seq < b.attemptSeq {
				n += p.records
			}
		}
		if n == 0 {
			continue
		}
		m := b.mark(snap.seq, "replay", ev)
		m.taskID, m.t, m.end, m.hasSpan, m.records = l.taskID, snap.t, b.attemptT, true, n
		m.detail = fmt.Sprintf("%s emitted %d records after its snapshot of checkpoint %d and before the failure: the restore rewinds to that snapshot, so they are emitted again", l.name(), n, ev.Checkpoint)
	}
}

func (b *builder) finish() {
	tl := b.tl
	b.closeBands(-1, tl.end)
	for _, c := range b.chans {
		tl.channels = append(tl.channels, c)
	}
	slices.SortFunc(tl.channels, func(x, y *channel) int { return cmp.Compare(x.id, y.id) })
	// A barrier departs from its producer's snapshot of its checkpoint.
	for _, m := range b.barriers {
		c := b.chans[m.channel]
		var dep *mark
		for _, s := range tl.marks {
			if s.event == "snapshot" && s.taskID == c.from && s.checkpoint == m.checkpoint && s.seq < m.seq {
				dep = s
			}
		}
		if dep != nil {
			m.from, m.hasFrom = dep.t, true
		}
	}
	// A committed transaction's output stays visible from its commit to
	// the next commit of its subtask.
	for i, m := range b.commits {
		m.end = tl.end
		for _, n := range b.commits[i+1:] {
			if n.taskID == m.taskID {
				m.end = n.t
				break
			}
		}
	}
	for _, m := range tl.marks {
		if m.event == "precommit" && m.end < 0 {
			m.end = tl.end
		}
	}
	b.duplicates()
	slices.SortStableFunc(tl.lanes, func(x, y *lane) int { return cmp.Compare(x.taskID, y.taskID) })
}

// duplicates marks the batches a restore counts twice: those a subtask
// read on an input after its barrier and before its snapshot of the
// checkpoint restored. Their records are in that snapshot, and the
// sources emit them again. Alignment (exactly-once) never reads them.
func (b *builder) duplicates() {
	tl := b.tl
	var dups []*mark
	seen := make(map[int]bool)
	for _, r := range tl.marks {
		if r.event != "restore" {
			continue
		}
		for _, bar := range tl.marks {
			if bar.event != "barrier" || bar.taskID != r.taskID || bar.checkpoint != r.checkpoint {
				continue
			}
			snap := -1
			for _, s := range tl.marks {
				if s.event == "snapshot" && s.taskID == bar.taskID && s.checkpoint == bar.checkpoint && s.seq > bar.seq {
					snap = s.seq
					break
				}
			}
			for _, bt := range tl.marks {
				if bt.event == "batch" && bt.taskID == bar.taskID && bt.input == bar.input && bt.seq > bar.seq && bt.seq < snap && !seen[bt.seq] {
					seen[bt.seq] = true
					d := *bt
					d.event = "duplicate"
					d.checkpoint = r.checkpoint
					d.detail = fmt.Sprintf("%s read these %d records after the barrier of checkpoint %d and before its snapshot: the snapshot counts them, and the restore replays them, so they count twice",
						tl.byID[bt.taskID].name(), bt.records, r.checkpoint)
					dups = append(dups, &d)
				}
			}
		}
	}
	tl.marks = append(tl.marks, dups...)
}

// place groups the lanes by task manager.
func (tl *Timeline) place(subtasks []flinksim.SubtaskInfo) {
	for _, s := range subtasks {
		for _, l := range tl.lanes {
			if l.task == s.Task && l.subtask == s.Subtask {
				l.tm = s.TaskManager
				tl.grouped = true
			}
		}
	}
	slices.SortStableFunc(tl.lanes, func(x, y *lane) int { return cmp.Compare(x.tm, y.tm) })
}

// sizeLabel writes a state size briefly.
func sizeLabel(n int64) string {
	switch {
	case n >= 10<<10:
		return fmt.Sprintf("%dkB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1fkB", float64(n)/1024)
	}
	return fmt.Sprintf("%dB", n)
}
