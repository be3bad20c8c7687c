package main

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/lifecycle"
)

// The built-in job builders: what a code package's "job" member names.
const (
	counterJob   = "counter"
	wordcountJob = "wordcount"
)

// keyCount is a key and how many records of it the job has counted.
type keyCount struct {
	Key string
	N   int64
}

// appendKeyCount appends c as the line "key<TAB>n\n".
func appendKeyCount(dst []byte, c keyCount) []byte {
	dst = append(dst, c.Key...)
	dst = append(dst, '\t')
	dst = strconv.AppendInt(dst, c.N, 10)
	return append(dst, '\n')
}

// countByKey counts the records of ks per key in keyed state, emitting
// every record's key with its count so far.
func countByKey[T any](ks flinksim.KeyedStream[string, T]) flinksim.Stream[keyCount] {
	return flinksim.Process(ks, "count",
		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, T, keyCount], error) {
			seen := flinksim.NewValueState[int64](rt, "seen")
			return flinksim.ProcessFunc[string, T, keyCount](
				func(ctx *flinksim.KeyedContext[string], _ T, out flinksim.Collector[keyCount]) error {
					n, _ := seen.Value()
					n++
					seen.Update(n)
					out.Collect(keyCount{Key: ctx.Key(), N: n})
					return nil
				}), nil
		})
}

// property returns a required property of group.
func property(job lifecycle.JobContext, group, key string) (string, error) {
	v, ok := job.Property(group, key)
	if !ok || v == "" {
		return "", fmt.Errorf("property group %q has no %q", group, key)
	}
	return v, nil
}

// positiveProperty returns an optional positive integer property of group.
func positiveProperty(job lifecycle.JobContext, group, key string, def int64) (int64, error) {
	v, ok := job.Property(group, key)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("property %s.%s is %q, not a positive integer", group, key, v)
	}
	return n, nil
}

// buildCounter is the counter job: an unbounded generated stream, record
// i = 0, 1, 2, … with key k<i mod keys>, counted per key, written
// exactly-once as "key<TAB>n" lines into the directory of property
// counter.output.dir, at counter.rate records per second.
func buildCounter(env *flinksim.Environment, job lifecycle.JobContext) error {
	dir, err := property(job, "counter", "output.dir")
	if err != nil {
		return err
	}
	_, counts, err := counterStreams(env, job)
	if err != nil {
		return err
	}
	flinksim.FileSink(counts, "counts", dir, appendKeyCount)
	return nil
}

// counterStreams is the counter job up to its sink: the records, and their
// counts.
func counterStreams(env *flinksim.Environment, job lifecycle.JobContext) (flinksim.Stream[int64], flinksim.Stream[keyCount], error) {
	keys, err := positiveProperty(job, "counter", "keys", 100)
	if err != nil {
		return flinksim.Stream[int64]{}, flinksim.Stream[keyCount]{}, err
	}
	rate, err := positiveProperty(job, "counter", "rate", 10000)
	if err != nil {
		return flinksim.Stream[int64]{}, flinksim.Stream[keyCount]{}, err
	}
	records := flinksim.FromSource(env, "sequence", sequence{rate: rate})
	return records, countByKey(flinksim.KeyBy(records, func(i int64) string { return "k" + strconv.FormatInt(i%keys, 10) })), nil
}

// buildWordcount is the wordcount job: bounded, it counts the words of the
// file wordcount.input and writes "word<TAB>n" lines (each occurrence with
// its count so far) into wordcount.output.dir, then finishes.
func buildWordcount(env *flinksim.Environment, job lifecycle.JobContext) error {
	input, err := property(job, "wordcount", "input")
	if err != nil {
		return err
	}
	dir, err := property(job, "wordcount", "output.dir")
	if err != nil {
		return err
	}
	lines := flinksim.TextFile(env, "input", input)
	words := flinksim.FlatMap(lines, "split", func(line string, out flinksim.Collector[string]) error {
		for w := range strings.FieldsSeq(line) {
			out.Collect(w)
		}
		return nil
	})
	flinksim.FileSink(countByKey(flinksim.KeyBy(words, func(w string) string { return w })), "counts", dir, appendKeyCount)
	return nil
}

// sequence is the counter's source: one split, the position of the next
// record, read at most rate records per second. Its position is in every
// checkpoint and snapshot.
type sequence struct{ rate int64 }

// sequenceSplit is the one split: the next record to emit.
type sequenceSplit struct {
	Next int64 `json:"next"`
}

func (sequence) Splits(int) ([]sequenceSplit, error) { return []sequenceSplit{{}}, nil }

func (sequence) SplitCodec() flinksim.Codec[sequenceSplit] {
	return flinksim.JSONCodec[sequenceSplit]{}
}

func (s sequence) NewReader(ctx *flinksim.ReaderContext) (flinksim.SourceReader[int64, sequenceSplit], error) {
	return &sequenceReader{wake: ctx.Available, rate: s.rate}, nil
}

// sequenceReader emits the split's records at the rate, measured from its
// first poll: when it is ahead, it reports NothingAvailable and sets a
// timer that calls wake (ReaderContext.Available) when the next record is
// due, so it never spins. The timer's callback runs on a goroutine of its
// own, which the reader owns: calls counts the callbacks scheduled and not
// yet returned, and Close waits for them.
type sequenceReader struct {
	wake   func()
	rate   int64
	splits []sequenceSplit
	// began and emitted measure the rate.
	began   time.Time
	emitted int64

	mu     sync.Mutex
	timer  *time.Timer
	closed bool
	calls  sync.WaitGroup
}

// maxBatch bounds the records of one PollNext.
const maxBatch = 512

func (r *sequenceReader) AddSplits(splits []sequenceSplit) error {
	r.splits = append(r.splits, splits...)
	return nil
}

func (r *sequenceReader) NotifyNoMoreSplits() {}

func (r *sequenceReader) PollNext(out flinksim.Collector[int64]) (flinksim.InputStatus, error) {
	if len(r.splits) == 0 {
		return flinksim.NothingAvailable, nil // a subtask without the split idles
	}
	now := time.Now()
	if r.began.IsZero() {
		r.began = now
	}
	due := int64(now.Sub(r.began).Seconds()*float64(r.rate)) + 1 - r.emitted
	if due <= 0 {
		r.wakeAt(r.began.Add(time.Duration(float64(r.emitted) / float64(r.rate) * float64(time.Second))).Sub(now))
		return flinksim.NothingAvailable, nil
	}
	sp := &r.splits[0]
	for range min(due, maxBatch) {
		out.Collect(sp.Next)
		sp.Next++
		r.emitted++
	}
	return flinksim.MoreAvailable, nil
}

// wakeAt calls wake after d, unless the reader is closed first.
func (r *sequenceReader) wakeAt(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.calls.Add(1) // a callback to come, unless Reset only moves a pending one
	if r.timer == nil {
		r.timer = time.AfterFunc(d, r.fire)
		return
	}
	if r.timer.Reset(d) { // the pending callback moved: no new one
		r.calls.Done()
	}
}

// fire is the timer's callback.
func (r *sequenceReader) fire() {
	defer r.calls.Done()
	r.wake()
}

func (r *sequenceReader) SnapshotState(int64) ([]sequenceSplit, error) {
	return append([]sequenceSplit(nil), r.splits...), nil
}

// Close stops the timer and waits for a callback that has begun.
func (r *sequenceReader) Close() error {
	r.mu.Lock()
	r.closed = true
	if r.timer != nil && r.timer.Stop() { // the pending callback will not run
		r.calls.Done()
	}
	r.mu.Unlock()
	r.calls.Wait()
	return nil
}
