package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/flinksim"
)

// maxPendingCommits bounds the checkpoints whose offsets a reader keeps
// until they complete: older ones are dropped (their commit would be
// overtaken by a newer one anyway).
const maxPendingCommits = 16

// reader is the SourceReader of a Source. The task calls its methods from
// one goroutine; three goroutines of its own, started when it gets splits
// and stopped by Close, do what waits: fetch polls the brokers and hands
// batches over through a one-slot channel (so at most one fetched batch
// waits beside the one being emitted), discover lists partitions, and
// commitLoop commits the offsets of completed checkpoints.
type reader[T any] struct {
	cfg *SourceConfig[T]
	rc  *flinksim.ReaderContext
	log *zap.Logger

	cl        *kgo.Client // the consumer; nil until the reader has a partition
	splits    []*Split    // partition splits, in the order they came
	byTP      map[TopicPartition]*partition[T]
	fresh     []*partition[T] // partitions whose split output PollNext is yet to create
	unread    int             // splits not Done
	discovery *Split          // the discovery split, if this reader holds it
	noMore    bool

	cur []*kgo.Record // the batch being emitted
	pos int

	batches chan fetched                  // fetch → PollNext
	found   chan discovered               // discover → PollNext, latest wins
	commits chan map[TopicPartition]int64 // PollNext → commitLoop, latest wins
	pending []checkpointOffsets           // snapshotted, not yet complete

	committing bool // commitLoop started

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// discovered is what a discovery found: the partition counts, or why it
// failed.
type discovered struct {
	counts map[string]int32
	err    error
}

type fetched struct {
	recs []*kgo.Record
	err  error
}

type checkpointOffsets struct {
	id      int64
	offsets map[TopicPartition]int64
}

// partition is a partition split the reader reads and its output: each
// partition emits through a split output of its own
// (flinksim.ReaderOutput.Split), so that with
// flinksim.FromSourceWithWatermarks every partition has its own watermark
// generator, as in Flink's KafkaSource.
type partition[T any] struct {
	split *Split
	id    string // the split output's id: TOPIC-PARTITION
	out   flinksim.SplitOutput[T]
}

func newReader[T any](s *Source[T], rc *flinksim.ReaderContext) (*reader[T], error) {
	ctx, cancel := context.WithCancel(context.Background())
	return &reader[T]{cfg: &s.cfg, rc: rc, log: rc.Logger(), byTP: map[TopicPartition]*partition[T]{},
		batches: make(chan fetched, 1), found: make(chan discovered, 1),
		commits: make(chan map[TopicPartition]int64, 1), ctx: ctx, cancel: cancel}, nil
}

func (r *reader[T]) commitsOn() bool { return r.cfg.GroupID != "" && !r.cfg.DisableOffsetCommits }

// AddSplits implements flinksim.SourceReader.
func (r *reader[T]) AddSplits(splits []Split) error {
	var added []*Split
	for _, s := range splits {
		s := s.clone()
		switch {
		case s.Discovery:
			if r.discovery != nil {
				return fmt.Errorf("%w: a second discovery split", ErrSplit)
			}
			r.discovery = &s
			if s.Known == nil {
				s.Known = map[string]int32{}
			}
			r.wg.Go(r.discover)
		case s.Done():
		default:
			tp := TopicPartition{s.Topic, s.Partition}
			if r.byTP[tp] != nil {
				return fmt.Errorf("%w: partition %v twice", ErrSplit, tp)
			}
			r.track(tp, &s)
			added = append(added, &s)
		}
	}
	return r.consume(added)
}

// track adds split s of partition tp to the splits read. Its output is
// created at the next PollNext, before any record: a partition that has
// no record yet holds the watermark back (unless the strategy's idleness
// says it is idle), as in Flink, where the split outputs are created when
// the splits are added.
func (r *reader[T]) track(tp TopicPartition, s *Split) {
	p := &partition[T]{split: s, id: tp.String()}
	r.byTP[tp] = p
	r.fresh = append(r.fresh, p)
	r.splits = append(r.splits, s)
	r.unread++
}

// consume starts fetching splits, creating the consumer and its goroutine
// for the first ones.
func (r *reader[T]) consume(splits []*Split) error {
	if len(splits) == 0 {
		return nil
	}
	if r.commitsOn() && !r.committing {
		r.committing = true
		r.wg.Go(r.commitLoop)
	}
	offsets := map[string]map[int32]kgo.Offset{}
	for _, s := range splits {
		if offsets[s.Topic] == nil {
			offsets[s.Topic] = map[int32]kgo.Offset{}
		}
		o := kgo.NewOffset().At(s.Offset)
		if s.Offset == EarliestOffset {
			o = kgo.NewOffset().AtStart()
		}
		offsets[s.Topic][s.Partition] = o
	}
	if r.cl != nil {
		r.cl.AddConsumePartitions(offsets)
		return nil
	}
	isolation := kgo.ReadCommitted()
	if r.cfg.ReadUncommitted {
		isolation = kgo.ReadUncommitted()
	}
	opts := append([]kgo.Opt{kgo.SeedBrokers(r.cfg.Brokers...), kgo.ConsumePartitions(offsets),
		kgo.FetchIsolationLevel(isolation), kgo.KeepControlRecords(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100 * time.Millisecond)}, r.cfg.Options...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("%w: new consumer: %w", ErrConfig, err)
	}
	r.cl = cl
	r.wg.Go(r.fetch)
	return nil
}

// fetch polls the consumer and hands each batch to PollNext. It stops at
// the first error, which PollNext returns.
func (r *reader[T]) fetch() {
	for {
		fs := r.cl.PollRecords(r.ctx, r.cfg.MaxPollRecords)
		if r.ctx.Err() != nil || fs.IsClientClosed() {
			return
		}
		var err error
		fs.EachError(func(t string, p int32, e error) {
			var loss *kgo.ErrDataLoss
			switch {
			case errors.As(e, &loss):
				r.log.Warn("kafka: data loss", zap.Error(e))
			case err == nil:
				err = fmt.Errorf("%w: fetch %s-%d: %w", ErrBroker, t, p, e)
			}
		})
		recs := fs.Records()
		if len(recs) == 0 && err == nil {
			continue
		}
		select {
		case r.batches <- fetched{recs, err}:
		case <-r.ctx.Done():
			return
		}
		r.rc.Available()
		if err != nil {
			return
		}
	}
}

// discover lists the partitions of the source's topics on every tick and
// hands the counts to PollNext, which adopts the new ones. A listing that
// fails fails the subtask, as a failed discovery fails a Flink job: so a
// job whose brokers are gone fails over and restarts until they are back,
// rather than waiting unseen.
func (r *reader[T]) discover() {
	a, err := newAdmin(r.ctx, r.cfg.Brokers, r.cfg.RequestTimeout, r.cfg.Options)
	if err != nil {
		r.log.Error("kafka: partition discovery is off", zap.Error(err))
		return
	}
	defer a.close()
	t := time.NewTicker(r.cfg.DiscoveryInterval)
	defer t.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
		}
		counts, err := a.partitions(r.cfg.Topics, r.cfg.TopicPattern)
		if r.ctx.Err() != nil {
			return
		}
		if err != nil {
			err = fmt.Errorf("kafka: partition discovery: %w", err)
		}
		select { // the newest counts replace unread ones
		case <-r.found:
		default:
		}
		r.found <- discovered{counts, err} // only this goroutine sends: there is room
		r.rc.Available()
		if err != nil {
			return
		}
	}
}

// commitLoop commits the offsets of completed checkpoints to the group.
// Failures are logged: the offsets are for monitoring only.
func (r *reader[T]) commitLoop() {
	a, err := newAdmin(r.ctx, r.cfg.Brokers, r.cfg.RequestTimeout, r.cfg.Options)
	if err != nil {
		r.log.Error("kafka: offset commits are off", zap.Error(err))
		return
	}
	defer a.close()
	for {
		select {
		case <-r.ctx.Done():
			return
		case offsets := <-r.commits:
			if err := a.commit(r.cfg.GroupID, offsets); err != nil && r.ctx.Err() == nil {
				r.log.Warn("kafka: offset commit failed", zap.Error(err))
			}
		}
	}
}

// NotifyNoMoreSplits implements flinksim.SourceReader.
func (r *reader[T]) NotifyNoMoreSplits() { r.noMore = true }

// finished: every split read to its stop offset, and no discovery.
func (r *reader[T]) finished() bool { return r.noMore && r.discovery == nil && r.unread == 0 }

// adopt takes the partitions discovery found that the discovery split has
// not given out yet: they are this reader's from now on.
func (r *reader[T]) adopt() error {
	var counts map[string]int32
	select {
	case d := <-r.found:
		if d.err != nil {
			return d.err
		}
		counts = d.counts
	default:
		return nil
	}
	var added []*Split
	for _, t := range slices.Sorted(maps.Keys(counts)) {
		for p := r.discovery.Known[t]; p < counts[t]; p++ {
			s := &Split{Topic: t, Partition: p, Offset: EarliestOffset, StopOffset: NoStopOffset}
			tp := TopicPartition{t, p}
			if r.byTP[tp] != nil {
				continue
			}
			r.track(tp, s)
			added = append(added, s)
			r.log.Info("kafka: new partition", zap.Stringer("partition", tp))
		}
		if counts[t] > r.discovery.Known[t] {
			r.discovery.Known[t] = counts[t]
		}
	}
	return r.consume(added)
}

// PollNext implements flinksim.SourceReader. It never waits: with no
// fetched batch at hand it reports NothingAvailable, and the fetch
// goroutine calls Available when the next one is there.
//
// Each record goes out through its partition's split output with the
// record's timestamp as its event timestamp; a bounded partition read to
// its stop offset releases its output.
func (r *reader[T]) PollNext(out flinksim.Collector[T]) (flinksim.InputStatus, error) {
	ro, ok := out.(flinksim.ReaderOutput[T])
	if !ok {
		return flinksim.MoreAvailable, fmt.Errorf("kafka: the source's output %T is not a flinksim.ReaderOutput", out)
	}
	if err := r.adopt(); err != nil {
		return flinksim.MoreAvailable, err
	}
	for _, p := range r.fresh {
		p.out = ro.Split(p.id)
	}
	clear(r.fresh)
	r.fresh = r.fresh[:0]
	if r.pos >= len(r.cur) {
		select {
		case f := <-r.batches:
			if f.err != nil {
				return flinksim.MoreAvailable, f.err
			}
			r.cur, r.pos = f.recs, 0
		default:
			if r.finished() {
				return flinksim.EndOfInput, nil
			}
			return flinksim.NothingAvailable, nil
		}
	}
	for emitted := 0; r.pos < len(r.cur) && emitted < r.cfg.MaxPollRecords; {
		rec := r.cur[r.pos]
		r.cur[r.pos] = nil
		r.pos++
		p := r.byTP[TopicPartition{rec.Topic, rec.Partition}]
		if p == nil || p.split.Done() || (p.split.Offset != EarliestOffset && rec.Offset < p.split.Offset) {
			continue
		}
		s := p.split
		if s.StopOffset != NoStopOffset && rec.Offset >= s.StopOffset {
			s.Offset = s.StopOffset
			r.finish(p, ro)
			continue
		}
		s.Offset = rec.Offset + 1
		if !rec.Attrs.IsControl() {
			v, err := r.cfg.Deserializer(recordOf(rec))
			if err != nil {
				return flinksim.MoreAvailable, fmt.Errorf("kafka: deserialize %s-%d at offset %d: %w", rec.Topic, rec.Partition, rec.Offset, err)
			}
			p.out.CollectAt(v, rec.Timestamp.UnixMilli())
			emitted++
		}
		if s.Done() {
			r.finish(p, ro)
		}
	}
	if r.pos >= len(r.cur) {
		r.cur, r.pos = r.cur[:0], 0
		if r.finished() {
			return flinksim.EndOfInput, nil
		}
	}
	return flinksim.MoreAvailable, nil
}

// finish stops fetching a split read to its stop offset, and releases its
// output: its watermark holds the others back no more.
func (r *reader[T]) finish(p *partition[T], ro flinksim.ReaderOutput[T]) {
	r.unread--
	r.cl.RemoveConsumePartitions(map[string][]int32{p.split.Topic: {p.split.Partition}})
	ro.ReleaseSplit(p.id)
}

func recordOf(rec *kgo.Record) *Record {
	out := &Record{Topic: rec.Topic, Partition: rec.Partition, Offset: rec.Offset,
		Key: rec.Key, Value: rec.Value, Timestamp: rec.Timestamp}
	if len(rec.Headers) > 0 {
		out.Headers = make([]Header, len(rec.Headers))
		for i, h := range rec.Headers {
			out.Headers[i] = Header{h.Key, h.Value}
		}
	}
	return out
}

// SnapshotState implements flinksim.SourceReader: the splits not read to
// their end, each at the offset after the last record emitted, and the
// discovery split.
func (r *reader[T]) SnapshotState(id int64) ([]Split, error) {
	out := make([]Split, 0, len(r.splits)+1)
	var offsets map[TopicPartition]int64
	if r.commitsOn() {
		offsets = make(map[TopicPartition]int64, len(r.splits))
	}
	kept := r.splits[:0]
	for _, s := range r.splits {
		if s.Done() {
			continue // read to the end: out of the state for good
		}
		kept = append(kept, s)
		out = append(out, *s)
		if offsets != nil && s.Offset >= 0 {
			offsets[TopicPartition{s.Topic, s.Partition}] = s.Offset
		}
	}
	clear(r.splits[len(kept):])
	r.splits = kept
	if r.discovery != nil {
		out = append(out, r.discovery.clone())
	}
	if len(offsets) > 0 {
		if len(r.pending) == maxPendingCommits {
			r.pending = slices.Delete(r.pending, 0, 1)
		}
		r.pending = append(r.pending, checkpointOffsets{id, offsets})
	}
	return out, nil
}

// NotifyCheckpointComplete implements flinksim.CheckpointListener: the
// checkpoint's offsets go to the group, without waiting.
func (r *reader[T]) NotifyCheckpointComplete(id int64) error {
	var latest map[TopicPartition]int64
	kept := r.pending[:0]
	for _, p := range r.pending {
		switch {
		case p.id == id:
			latest = p.offsets
		case p.id > id:
			kept = append(kept, p)
		}
	}
	clear(r.pending[len(kept):])
	r.pending = kept
	if latest != nil {
		select { // a newer checkpoint's offsets replace unsent ones
		case <-r.commits:
		default:
		}
		r.commits <- latest // only the task sends: there is room
	}
	return nil
}

// NotifyCheckpointAborted implements flinksim.CheckpointListener.
func (r *reader[T]) NotifyCheckpointAborted(id int64) {
	r.pending = slices.DeleteFunc(r.pending, func(p checkpointOffsets) bool { return p.id == id })
}

// Close implements flinksim.SourceReader: it stops the goroutines, waits
// for them, and closes the consumer.
func (r *reader[T]) Close() error {
	r.cancel()
	r.wg.Wait()
	if r.cl != nil {
		r.cl.Close()
	}
	return nil
}
