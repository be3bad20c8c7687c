package engine

import "sync"

// InputGate is a task's input: one bounded queue per input channel, filled
// by the producers and read by the task alone (Flink's InputGate of
// InputChannels).
//
// A channel holding Capacity batches is full: its producer is not
// offered input or polls until the consumer reads one (backpressure, per
// channel). A step of the producer may still add what it emits in that
// step — a full batch and, if it flushes, the partial one — and its control
// steps may flush partial batches it holds; so a channel holds at most
// (Capacity+1) × BatchSize records when every step emits at most a batch's
// worth of records per channel (sources, and one-to-one operators). Events
// other than batches — barriers, end of data, end of partition — never
// count against the capacity and are always accepted, so a barrier is never
// stuck behind a full queue.
//
// An input blocked by exactly-once alignment is simply not read: its
// events wait in its queue, and once it is full its producer waits too.
// So the memory an alignment takes is bounded by the gate's capacity,
// whatever the speeds of the inputs.
//
// One mutex guards the gate: producers push under it, the task pops under
// it. Queues are allocated on first use, so a task with a thousand inputs
// that see a few records costs a few bytes per input.
type InputGate struct {
	mu       sync.Mutex
	task     *Task
	capacity int // batches per channel
	queues   []inputQueue
	// available lists inputs that may be readable, in the order they
	// became so; entries whose queue emptied or got blocked are dropped
	// lazily, when they come to the front.
	available ring[int]
	records   int // records queued now
	peak      int // the most records ever queued at once
}

type inputQueue struct {
	ch      *Channel
	events  ring[Event]
	batches int
	blocked bool
	listed  bool // has an entry in available
}

func (q *inputQueue) readable() bool { return q.events.n > 0 && !q.blocked }

func newInputGate(t *Task, capacity int) *InputGate {
	return &InputGate{task: t, capacity: capacity}
}

// addInput registers channel ch as the gate's next input.
func (g *InputGate) addInput(ch *Channel) {
	g.queues = append(g.queues, inputQueue{ch: ch})
}

// push appends ev to input i's queue. It is called by the producer.
func (g *InputGate) push(i int, ev Event) {
	g.mu.Lock()
	q := &g.queues[i]
	q.events.push(ev)
	if ev.Kind == EventBatch {
		q.batches++
		g.records += ev.Records
		g.peak = max(g.peak, g.records)
		if q.batches == g.capacity {
			q.ch.From.fullOutputs.Add(1)
		}
	}
	g.listLocked(i)
	g.mu.Unlock()
	g.task.Wake()
}

// listLocked puts input i on the available list if it is readable and not
// listed yet.
func (g *InputGate) listLocked(i int) {
	q := &g.queues[i]
	if !q.listed && q.readable() {
		q.listed = true
		g.available.push(i)
	}
}

// pop takes the head event of input i, which must be readable, and
// reports whether the gate has nothing readable left.
func (g *InputGate) pop(i int) (Event, bool) {
	g.mu.Lock()
	q := &g.queues[i]
	ev := q.events.pop()
	var producer *Task
	if ev.Kind == EventBatch {
		q.batches--
		g.records -= ev.Records
		if q.batches == g.capacity-1 {
			producer = q.ch.From
			producer.fullOutputs.Add(-1)
		}
	}
	// Round robin: an input that was read goes to the back of the line.
	if g.available.n > 0 && g.available.peek() == i {
		g.available.pop()
		q.listed = false
		g.listLocked(i)
	}
	_, more := g.nextLocked(true)
	g.mu.Unlock()
	if producer != nil {
		producer.Wake()
	}
	return ev, !more
}

// next returns the first readable input in line whose head event can be
// handled: any event when room, only non-batch events when the task's
// outputs are full.
func (g *InputGate) next(room bool) (int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.nextLocked(room)
}

func (g *InputGate) nextLocked(room bool) (int, bool) {
	// Drop stale entries at the front.
	for g.available.n > 0 {
		i := g.available.peek()
		if g.queues[i].readable() {
			break
		}
		g.available.pop()
		g.queues[i].listed = false
	}
	for k := 0; k < g.available.n; k++ {
		i := g.available.at(k)
		if q := &g.queues[i]; q.readable() && (room || q.events.peek().Kind != EventBatch) {
			return i, true
		}
	}
	return 0, false
}

// appendReadable appends to dst the inputs that can be read now (see
// next), in line order.
func (g *InputGate) appendReadable(dst []int, room bool) []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	for k := 0; k < g.available.n; k++ {
		i := g.available.at(k)
		if q := &g.queues[i]; q.readable() && (room || q.events.peek().Kind != EventBatch) {
			dst = append(dst, i)
		}
	}
	return dst
}

// empty reports whether no input has anything readable.
func (g *InputGate) empty() bool {
	_, ok := g.next(true)
	return !ok
}

// block stops reading input i; unblock resumes it.
func (g *InputGate) block(i int) {
	g.mu.Lock()
	g.queues[i].blocked = true
	g.mu.Unlock()
}

func (g *InputGate) unblock(i int) {
	g.mu.Lock()
	g.queues[i].blocked = false
	g.listLocked(i)
	g.mu.Unlock()
}

// Queued returns the records queued in the gate now and the most ever
// queued at once.
func (g *InputGate) Queued() (now, peak int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.records, g.peak
}

// Pending returns the events queued on input i (batches or not).
func (g *InputGate) Pending(i int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.queues[i].events.n
}

// ring is a FIFO queue that grows by doubling; its zero value is empty
// and allocates nothing.
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

func (r *ring[T]) push(v T) {
	if r.n == len(r.buf) {
		buf := make([]T, max(2*len(r.buf), 2))
		for k := 0; k < r.n; k++ {
			buf[k] = r.buf[(r.head+k)%len(r.buf)]
		}
		r.buf, r.head = buf, 0
	}
	r.buf[(r.head+r.n)%len(r.buf)] = v
	r.n++
}

func (r *ring[T]) pop() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return v
}

func (r *ring[T]) peek() T { return r.buf[r.head] }

func (r *ring[T]) at(k int) T { return r.buf[(r.head+k)%len(r.buf)] }
