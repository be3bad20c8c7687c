package kafka

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/flinksim"
)

// The exactly-once sink, as Flink's KafkaSink with EXACTLY_ONCE.
//
// Each subtask writes a chain of transactional IDs, PREFIX-CHAIN-N, one
// transaction per ID, N counting up from where the chain stood; the chain
// is the subtask index. A transaction gets its ID, and a franz-go producer,
// with its first record, so subtasks with nothing to write use no IDs. At
// a checkpoint the producer is flushed, its producer ID and epoch noted
// in the transaction, and closed with the transaction still open; when
// the checkpoint completes the transaction is committed by an EndTxn
// request with that ID and epoch, from any client: the same request
// commits it after a restore, in another process.
//
// Every checkpoint also records, in union list state, each chain's next
// N. A restored subtask i of p takes the chains c with c mod p = i, and
// its own: from each chain's recorded next N (or, for a chain the state
// does not know, the highest next N it records) it aborts transaction
// after transaction — the ones written after the checkpoint, which
// nothing will commit — until it meets an ID the brokers never saw
// (epoch 0); its own chain goes on from there. The transactions before
// the recorded N are the checkpoint's, committed by the restore.

// maxAbortProbe bounds the lingering transactions one chain may hold.
const maxAbortProbe = 100000

// maxTransactionalIDPrefix bounds SinkConfig.TransactionalIDPrefix, so
// that an ID with its subtask and number stays far below the 1,024 bytes
// a checkpointed transaction may name.
const maxTransactionalIDPrefix = 200

// transactionalIDsState names the sink's union list state of chains.
const transactionalIDsState = "kafka-transactional-ids"

// chainState is a chain's next transaction number, in the union state.
type chainState struct {
	Chain int32
	Next  int64
}

// transaction is the exactly-once sink's transaction. ID is "" until its
// first record; ProducerID and Epoch are set at the pre-commit.
type transaction struct {
	ID         string
	ProducerID int64
	Epoch      int16

	cl  *kgo.Client // the producer, until the pre-commit
	mu  sync.Mutex
	err error // the first failed record
}

func (t *transaction) String() string {
	if t.ID == "" {
		return "(empty)"
	}
	return fmt.Sprintf("%s[%d/%d]", t.ID, t.ProducerID, t.Epoch)
}

func (t *transaction) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		t.err = err
	}
}

func (t *transaction) failure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// maxTransactionalIDLen bounds a decoded transactional ID.
const maxTransactionalIDLen = 1024

// transactionCodec writes a transaction as its ID (uint16 length, bytes),
// producer ID (int64) and epoch (int16), after a version byte (1).
type transactionCodec struct{}

func (transactionCodec) Append(dst []byte, t *transaction) ([]byte, error) {
	if len(t.ID) > maxTransactionalIDLen {
		return dst, fmt.Errorf("%w: transactional ID of %d bytes", ErrConfig, len(t.ID))
	}
	dst = append(dst, 1)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(t.ID)))
	dst = append(dst, t.ID...)
	dst = binary.BigEndian.AppendUint64(dst, uint64(t.ProducerID))
	return binary.BigEndian.AppendUint16(dst, uint16(t.Epoch)), nil
}

func (transactionCodec) Decode(b []byte) (*transaction, error) {
	if len(b) < 3 || b[0] != 1 {
		return nil, fmt.Errorf("%w: kafka transaction of %d bytes", flinksim.ErrDecode, len(b))
	}
	n := int(binary.BigEndian.Uint16(b[1:]))
	if n > maxTransactionalIDLen || len(b) != 3+n+10 {
		return nil, fmt.Errorf("%w: kafka transaction with an ID of %d bytes in %d", flinksim.ErrDecode, n, len(b))
	}
	t := &transaction{ID: string(b[3 : 3+n])}
	t.ProducerID = int64(binary.BigEndian.Uint64(b[3+n:]))
	t.Epoch = int16(binary.BigEndian.Uint16(b[3+n+8:]))
	return t, nil
}

// txnSink is one subtask's exactly-once sink.
type txnSink[T any] struct {
	cfg   *SinkConfig[T]
	admin *admin
	log   *zap.Logger
	chain int32
	next  int64 // the chain's next transaction number
	ids   flinksim.OperatorListState[chainState]
	part  partitioner
	kopts []kgo.Opt
}

func openTxnSink[T any](rt *flinksim.RuntimeContext, cfg *SinkConfig[T]) (*txnSink[T], error) {
	ids := flinksim.NewOperatorListState[chainState](rt, transactionalIDsState, flinksim.RedistributeUnion)
	a, err := newAdmin(context.Background(), cfg.Brokers, cfg.RequestTimeout, cfg.Options)
	if err != nil {
		return nil, err
	}
	s := &txnSink[T]{cfg: cfg, admin: a, log: rt.Logger(), chain: int32(rt.Subtask()), ids: ids}
	s.kopts = append([]kgo.Opt{kgo.SeedBrokers(cfg.Brokers...), kgo.TransactionTimeout(cfg.TransactionTimeout),
		kgo.RecordDeliveryTimeout(cfg.RequestTimeout),
		kgo.RecordPartitioner(kgo.BasicConsistentPartitioner(func(string) func(*kgo.Record, int) int {
			return func(r *kgo.Record, n int) int { return s.part.choose(r.Partition, r.Key, n) }
		}))}, cfg.Options...)
	if err := s.abortLingering(rt.Subtask(), rt.Parallelism()); err != nil {
		a.close()
		return nil, err
	}
	return s, nil
}

// abortLingering aborts the transactions of earlier attempts that the
// restored checkpoint does not cover, in the chains this subtask takes,
// and sets where its own chain goes on.
func (s *txnSink[T]) abortLingering(subtask, parallelism int) error {
	from := map[int32]int64{}
	var highest int64
	for _, e := range s.ids.Get() {
		highest = max(highest, e.Next)
		if int(e.Chain)%parallelism == subtask {
			from[e.Chain] = e.Next
		}
	}
	if _, ok := from[s.chain]; !ok {
		from[s.chain] = highest
	}
	for _, chain := range slices.Sorted(maps.Keys(from)) {
		end, err := s.abortChain(chain, from[chain])
		if err != nil {
			return err
		}
		if chain == s.chain {
			s.next = end
		}
	}
	s.ids.Update([]chainState{{s.chain, s.next}})
	return nil
}

func (s *txnSink[T]) transactionalID(chain int32, n int64) string {
	return fmt.Sprintf("%s-%d-%d", s.cfg.TransactionalIDPrefix, chain, n)
}

// abortChain aborts chain's transactions from n on until one the brokers
// never saw, and returns its number.
func (s *txnSink[T]) abortChain(chain int32, n int64) (int64, error) {
	for end := n + maxAbortProbe; n < end; n++ {
		id := s.transactionalID(chain, n)
		pid, epoch, err := s.initProducer(id)
		if err != nil {
			return 0, fmt.Errorf("abort lingering transactions: %w", err)
		}
		if epoch == 0 {
			return n, nil // a new ID: the chain ends here
		}
		if err := s.endTxn(id, pid, epoch, false); err != nil && !errors.Is(err, flinksim.ErrTransactionGone) {
			return 0, fmt.Errorf("abort lingering transaction %s: %w", id, err)
		}
		s.log.Debug("kafka: aborted a lingering transaction", zap.String("transactional.id", id))
	}
	return 0, fmt.Errorf("%w: more than %d transactions of %s-%d- to abort", ErrBroker, maxAbortProbe, s.cfg.TransactionalIDPrefix, chain)
}

// initProducer fences every producer of id and returns the new producer
// ID and epoch, trying again while the coordinator is busy with an
// earlier transaction of id.
func (s *txnSink[T]) initProducer(id string) (pid int64, epoch int16, err error) {
	err = s.admin.retryBusy(func() error {
		pid, epoch, err = s.initProducerOnce(id)
		return err
	})
	return pid, epoch, err
}

func (s *txnSink[T]) initProducerOnce(id string) (int64, int16, error) {
	req := kmsg.NewPtrInitProducerIDRequest()
	req.TransactionalID = kmsg.StringPtr(id)
	req.TransactionTimeoutMillis = int32(s.cfg.TransactionTimeout.Milliseconds())
	req.ProducerID, req.ProducerEpoch = -1, -1
	r, err := s.admin.request(req)
	if err != nil {
		return 0, 0, err
	}
	resp := r.(*kmsg.InitProducerIDResponse)
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return 0, 0, fmt.Errorf("%w: init producer of %s: %w", ErrBroker, id, err)
	}
	return resp.ProducerID, resp.ProducerEpoch, nil
}

// endTxn commits or aborts the transaction of id at producer ID and
// epoch, trying again while the coordinator is busy. One that the brokers already ended otherwise, fenced or forgot
// is an error wrapping flinksim.ErrTransactionGone; ending it again the
// same way succeeds.
func (s *txnSink[T]) endTxn(id string, pid int64, epoch int16, commit bool) error {
	return s.admin.retryBusy(func() error { return s.endTxnOnce(id, pid, epoch, commit) })
}

func (s *txnSink[T]) endTxnOnce(id string, pid int64, epoch int16, commit bool) error {
	req := kmsg.NewPtrEndTxnRequest()
	req.TransactionalID, req.ProducerID, req.ProducerEpoch, req.Commit = id, pid, epoch, commit
	r, err := s.admin.request(req)
	if err != nil {
		return err
	}
	switch err := kerr.ErrorForCode(r.(*kmsg.EndTxnResponse).ErrorCode); err {
	case nil:
		return nil
	case kerr.ProducerFenced, kerr.InvalidProducerEpoch, kerr.InvalidProducerIDMapping,
		kerr.InvalidTxnState, kerr.TransactionalIDNotFound:
		return fmt.Errorf("%w: end transaction %s: %w", flinksim.ErrTransactionGone, id, err)
	default:
		return fmt.Errorf("%w: end transaction %s: %w", ErrBroker, id, err)
	}
}

// BeginTransaction implements flinksim.TwoPhaseCommitSink. The
// transaction gets its ID with its first record.
func (s *txnSink[T]) BeginTransaction() (*transaction, error) { return &transaction{}, nil }

// Write implements flinksim.TwoPhaseCommitSink.
func (s *txnSink[T]) Write(t *transaction, v T) error {
	if err := t.failure(); err != nil {
		return err
	}
	m, err := message(s.cfg, v)
	if err != nil {
		return err
	}
	if t.cl == nil {
		if err := s.start(t); err != nil {
			return err
		}
	}
	rec := &kgo.Record{Topic: m.Topic, Partition: m.wanted(), Key: m.Key, Value: m.Value, Timestamp: m.Timestamp}
	for _, h := range m.Headers {
		rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
	}
	t.cl.Produce(context.Background(), rec, func(_ *kgo.Record, err error) {
		if err != nil {
			t.fail(fmt.Errorf("%w: produce to %s in %s: %w", ErrBroker, m.Topic, t.ID, err))
		}
	})
	return nil
}

// start gives t the chain's next transactional ID and a producer.
func (s *txnSink[T]) start(t *transaction) error {
	id := s.transactionalID(s.chain, s.next)
	s.next++
	s.ids.Update([]chainState{{s.chain, s.next}})
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.TransactionalID(id)}, s.kopts...)...)
	if err != nil {
		return fmt.Errorf("%w: new producer: %w", ErrConfig, err)
	}
	if err := cl.BeginTransaction(); err != nil {
		cl.Close()
		return fmt.Errorf("%w: begin transaction %s: %w", ErrBroker, id, err)
	}
	t.ID, t.cl = id, cl
	return nil
}

// PreCommit implements flinksim.TwoPhaseCommitSink: the producer is
// flushed and closed, the transaction left open for Commit.
func (s *txnSink[T]) PreCommit(t *transaction) error {
	if t.cl == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	if err := t.cl.Flush(ctx); err != nil {
		return fmt.Errorf("%w: flush %s: %w", ErrBroker, t.ID, err)
	}
	if err := t.failure(); err != nil {
		return err
	}
	pid, epoch, err := t.cl.ProducerID(ctx)
	if err != nil {
		return fmt.Errorf("%w: producer ID of %s: %w", ErrBroker, t.ID, err)
	}
	t.ProducerID, t.Epoch = pid, epoch
	t.cl.Close()
	t.cl = nil
	return nil
}

// Commit implements flinksim.TwoPhaseCommitSink.
func (s *txnSink[T]) Commit(t *transaction) error {
	if t.ID == "" {
		return nil
	}
	if t.cl != nil {
		return fmt.Errorf("kafka: commit of transaction %s before its pre-commit", t.ID)
	}
	return s.endTxn(t.ID, t.ProducerID, t.Epoch, true)
}

// Abort implements flinksim.TwoPhaseCommitSink. A transaction that is
// already gone counts as aborted.
func (s *txnSink[T]) Abort(t *transaction) error {
	if t.ID == "" {
		return nil
	}
	if t.cl != nil {
		cl := t.cl
		t.cl = nil
		defer cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
		defer cancel()
		if err := cl.AbortBufferedRecords(ctx); err != nil {
			return fmt.Errorf("%w: abort %s: %w", ErrBroker, t.ID, err)
		}
		if err := cl.EndTransaction(ctx, kgo.TryAbort); err != nil {
			// A restore aborts it anyway: it is past the chain's recorded next number.
			s.log.Warn("kafka: abort failed", zap.String("transactional.id", t.ID), zap.Error(err))
		}
		return nil
	}
	if err := s.endTxn(t.ID, t.ProducerID, t.Epoch, false); err != nil && !errors.Is(err, flinksim.ErrTransactionGone) {
		return err
	}
	return nil
}

// Close releases the sink's client; flinksim calls it when the subtask
// ends.
func (s *txnSink[T]) Close() error {
	s.admin.close()
	return nil
}
