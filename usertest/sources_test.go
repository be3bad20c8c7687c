package usertest

import (
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// A newcomer's own source, written from the Source and SourceReader docs:
// a log that a producer goroutine appends to while the job runs, read at
// offsets the checkpoints record — the shape of a Kafka partition.

type appendLog struct {
	mu      sync.Mutex
	records []int
	closed  bool
	grew    chan struct{} // closed and replaced on every append
}

func newAppendLog() *appendLog { return &appendLog{grew: make(chan struct{})} }

func (l *appendLog) append(v int) {
	l.mu.Lock()
	l.records = append(l.records, v)
	close(l.grew)
	l.grew = make(chan struct{})
	l.mu.Unlock()
}

func (l *appendLog) close() {
	l.mu.Lock()
	l.closed = true
	close(l.grew)
	l.grew = make(chan struct{})
	l.mu.Unlock()
}

// at returns the record at offset, whether there is one, whether the log
// is closed, and a channel closed when the log changes.
func (l *appendLog) at(offset int) (v int, ok, closed bool, changed <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if offset < len(l.records) {
		return l.records[offset], true, l.closed, l.grew
	}
	return 0, false, l.closed, l.grew
}

type offset struct{ Next int }

type offsetCodec struct{}

func (offsetCodec) Append(dst []byte, o offset) ([]byte, error) {
	return binary.AppendUvarint(dst, uint64(o.Next)), nil
}

func (offsetCodec) Decode(b []byte) (offset, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 || n != len(b) {
		return offset{}, fmt.Errorf("%w: offset %x", flinksim.ErrDecode, b)
	}
	return offset{Next: int(v)}, nil
}

type logSource struct{ log *appendLog }

func (s logSource) Splits(int) ([]offset, error)       { return []offset{{}}, nil }
func (s logSource) SplitCodec() flinksim.Codec[offset] { return offsetCodec{} }
func (s logSource) NewReader(ctx *flinksim.ReaderContext) (flinksim.SourceReader[int, offset], error) {
	return &logReader{log: s.log, ctx: ctx, stop: make(chan struct{})}, nil
}

// logReader waits for the log to grow on a goroutine of its own, as the
// docs say a reader that waits must, and says Available when it does.
type logReader struct {
	log     *appendLog
	ctx     *flinksim.ReaderContext
	splits  []offset
	stop    chan struct{}
	watcher sync.WaitGroup
	waiting chan (<-chan struct{}) // changed-channels for the watcher
}

func (r *logReader) AddSplits(s []offset) error {
	r.splits = append(r.splits, s...)
	if r.waiting == nil {
		r.waiting = make(chan (<-chan struct{}), 1)
		r.watcher.Go(func() {
			for {
				select {
				case changed := <-r.waiting:
					select {
					case <-changed:
						r.ctx.Available()
					case <-r.stop:
						return
					}
				case <-r.stop:
					return
				}
			}
		})
	}
	return nil
}

func (r *logReader) NotifyNoMoreSplits() {}

func (r *logReader) PollNext(out flinksim.Collector[int]) (flinksim.InputStatus, error) {
	if len(r.splits) == 0 {
		return flinksim.EndOfInput, nil
	}
	v, ok, closed, changed := r.log.at(r.splits[0].Next)
	switch {
	case ok:
		out.Collect(v)
		r.splits[0].Next++
		return flinksim.MoreAvailable, nil
	case closed:
		return flinksim.EndOfInput, nil
	}
	r.waiting <- changed // never blocks: one wait at a time
	return flinksim.NothingAvailable, nil
}

func (r *logReader) SnapshotState(int64) ([]offset, error) {
	return append([]offset(nil), r.splits...), nil
}

func (r *logReader) Close() error {
	close(r.stop)
	r.watcher.Wait()
	return nil
}

// TestOwnSourceFedWhileRunningIsExactlyOnce: records appended while the
// job runs, with a failure in the sink, reach a transactional sink once
// each — the reader resumes at the offset of the last checkpoint.
func TestOwnSourceFedWhileRunningIsExactlyOnce(t *testing.T) {
	const n = 500
	log := newAppendLog()
	faults := flinksim.NewFaultInjector(flinksim.Fault{Operator: "sink", Point: flinksim.FaultRecord, After: 200})
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 2 * time.Millisecond}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(3, 0)),
		flinksim.WithFaults(faults))
	out := flinksim.NewTransactionalCollector[int]()
	flinksim.CollectTransactional(flinksim.FromSource(env, "log", flinksim.Source[int, offset](logSource{log})), "sink", out)
	job, err := env.Start(t.Context(), "fed")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		log.append(i)
	}
	log.close()
	if err := job.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if job.Restarts() != 1 {
		t.Errorf("restarts = %d, want 1", job.Restarts())
	}
	got := out.Committed()
	seen := make(map[int]int)
	for _, v := range got {
		seen[v]++
	}
	for i := range n {
		if seen[i] != 1 {
			t.Errorf("record %d committed %d times", i, seen[i])
		}
	}
	if len(got) != n {
		t.Errorf("%d records committed, want %d", len(got), n)
	}
}

// hits is a user's request count.
type hits struct {
	User string
	N    int
}

// TestChannelFedService: a service hands its requests to a job over a
// channel, keyed counts come out, and stopping the service (closing the
// channel) ends the job cleanly.
func TestChannelFedService(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	requests := make(chan string)
	one := flinksim.Map(flinksim.FromChan(env, "requests", requests), "one", func(u string) (hits, error) { return hits{u, 1}, nil })
	perUser := flinksim.Reduce(flinksim.KeyBy(one, func(h hits) string { return h.User }), "count",
		func(a, b hits) (hits, error) { return hits{a.User, a.N + b.N}, nil })
	sink := flinksim.Collect(perUser, "out")
	job, err := env.Start(t.Context(), "service")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		requests <- []string{"ann", "bob", "cy"}[i%3]
	}
	close(requests)
	if err := job.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	final := map[string]int{}
	for _, r := range sink.Values() {
		final[r.User] = max(final[r.User], r.N)
	}
	for _, u := range []string{"ann", "bob", "cy"} {
		if final[u] != 100 {
			t.Errorf("%s: %d requests counted, want 100", u, final[u])
		}
	}
}
