package flinksim

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// TwoPhaseCommitSink writes to an external system in transactions that
// become visible only when the checkpoint covering them completes, as
// Flink's TwoPhaseCommitSinkFunction. With exactly-once checkpoints the
// committed output then holds every record exactly once, whatever fails.
//
// One sink value serves one subtask. The lifecycle of a transaction:
// BeginTransaction; Write for each record; PreCommit at the checkpoint
// barrier (make it durable, take no more writes); Commit once the
// checkpoint completed; Abort if it is abandoned. After a failure, the
// restored subtask commits the transactions pre-committed for the restored
// checkpoint again, and aborts the one that was open, so Commit and Abort
// must be idempotent, and must work on transactions begun by another
// subtask or process. A restored transaction the external system no
// longer has (it expired, or a restore of an older checkpoint aborted
// it) cannot be committed: Commit then returns an error wrapping
// ErrTransactionGone, and the sink logs it and goes on, as Flink's Kafka
// sink does — the restart is not blocked, and the records of that
// transaction are lost (restoring a snapshot older than what the external
// system keeps loses data). Without checkpointing, a transaction spans
// the whole input and is committed at its end. A sink that holds
// connections may also have a Close() error method: it is called once
// when the subtask ends, whatever the outcome, after the open
// transaction was aborted.
type TwoPhaseCommitSink[T, TXN any] interface {
	BeginTransaction() (TXN, error)
	Write(txn TXN, v T) error
	PreCommit(txn TXN) error
	Commit(txn TXN) error
	Abort(txn TXN) error
}

// SinkTwoPhase adds a two-phase-commit sink named name: open makes each
// subtask's sink, and codec encodes transactions into checkpoints.
func SinkTwoPhase[T, TXN any](s Stream[T], name string, open func(rt *RuntimeContext) (TwoPhaseCommitSink[T, TXN], error), codec Codec[TXN], opts ...OperatorOption) {
	env, err := consume(s, name, open == nil || codec == nil)
	if err != nil {
		return
	}
	addVertex(env, vertexSpec[struct{}]{name: name, sink: true,
		newOp: func(ctx *engine.OperatorContext, _ engine.Collector[struct{}]) (engine.Operator, error) {
			rt := &RuntimeContext{op: ctx}
			sink, err := open(rt)
			if err := rt.open(err); err != nil {
				return nil, err
			}
			if sink == nil {
				return nil, fmt.Errorf("%w: open returned a nil sink", ErrInvalidOperator)
			}
			op := &twoPhaseOp[T, TXN]{ctx: ctx, rt: rt, sink: sink, codec: codec}
			if err := op.recover(); err != nil {
				return nil, errors.Join(err, op.Close())
			}
			if op.current, err = sink.BeginTransaction(); err != nil {
				return nil, errors.Join(fmt.Errorf("begin transaction: %w", err), op.Close())
			}
			op.open = true
			return op, nil
		}}, edgesOf(s), opts)
}

// transactionsState is the name of a two-phase-commit sink's list state
// of transactions.
const transactionsState = "transactions"

// ErrTransactionGone marks a Commit of a transaction the external system
// no longer has; see TwoPhaseCommitSink.
var ErrTransactionGone = errors.New("flinksim: transaction no longer exists")

type pendingTxn[TXN any] struct {
	checkpoint int64
	txn        TXN
}

type twoPhaseOp[T, TXN any] struct {
	ctx     *engine.OperatorContext
	rt      *RuntimeContext
	sink    TwoPhaseCommitSink[T, TXN]
	codec   Codec[TXN]
	current TXN
	open    bool
	pending []pendingTxn[TXN] // pre-committed, oldest first
	// restored holds the transactions of the restored state until Start
	// commits (pre-committed) or aborts (open) them.
	restored []restoredTxn[TXN]
}

type restoredTxn[TXN any] struct {
	txn       TXN
	committed bool // pre-committed: commit it; else abort it
}

// State entries: one byte tag, the checkpoint ID (pending only), the
// transaction.
const (
	txnPending byte = 1
	txnOpen    byte = 2
)

// recover decodes the transactions of the restored state, for Start.
func (o *twoPhaseOp[T, TXN]) recover() error {
	if o.ctx.Restored == nil {
		return nil
	}
	restored, _, _ := o.ctx.Restored.List(transactionsState)
	for _, e := range restored {
		if len(e) < 1 {
			return fmt.Errorf("%w: empty transaction entry", ErrIncompatibleState)
		}
		body := e[1:]
		if e[0] == txnPending {
			if len(body) < 8 {
				return fmt.Errorf("%w: short transaction entry", ErrIncompatibleState)
			}
			body = body[8:]
		} else if e[0] != txnOpen {
			return fmt.Errorf("%w: transaction tag %d", ErrIncompatibleState, e[0])
		}
		txn, err := o.codec.Decode(body)
		if err != nil {
			return fmt.Errorf("%w: transaction: %w", ErrIncompatibleState, err)
		}
		o.restored = append(o.restored, restoredTxn[TXN]{txn: txn, committed: e[0] == txnPending})
	}
	return nil
}

// Start commits the restored pre-committed transactions and aborts the
// restored open ones, once every operator of the job took its state: a
// restore that fails elsewhere commits nothing.
func (o *twoPhaseOp[T, TXN]) Start() error {
	for _, r := range o.restored {
		if r.committed {
			if err := o.sink.Commit(r.txn); errors.Is(err, ErrTransactionGone) {
				o.ctx.Logger.Warn("restored transaction is gone; its records are lost",
					zap.String("operator", o.ctx.Name), zap.Int("subtask", o.ctx.Subtask), zap.Any("transaction", r.txn), zap.Error(err))
				o.ctx.Trace(engine.TraceTxnAbort, 0, fmt.Sprintf("%v (gone)", r.txn))
				continue
			} else if err != nil {
				return fmt.Errorf("commit restored transaction: %w", err)
			}
			o.ctx.Trace(engine.TraceCommit, 0, fmt.Sprint(r.txn))
			continue
		}
		if err := o.sink.Abort(r.txn); err != nil {
			return fmt.Errorf("abort restored transaction: %w", err)
		}
		o.ctx.Trace(engine.TraceTxnAbort, 0, fmt.Sprint(r.txn))
	}
	o.restored = nil
	return nil
}

func (o *twoPhaseOp[T, TXN]) Collect(v T) {
	defer o.ctx.Recover()
	if o.ctx.Failed() {
		return
	}
	o.ctx.RecordsIn++
	if err := o.sink.Write(o.current, v); err != nil {
		o.ctx.Fail(err)
	}
}

func (o *twoPhaseOp[T, TXN]) ProcessBatch(b any, from, to int) {
	processBatch[T](o.ctx, o, b, from, to)
}

// EndInput commits the whole output at once when there are no checkpoints;
// with them, the final checkpoint pre-commits and commits it.
func (o *twoPhaseOp[T, TXN]) EndInput() {
	defer o.ctx.Recover()
	if o.ctx.Checkpointing() {
		return
	}
	txn := o.current
	o.open = false
	if err := o.sink.PreCommit(txn); err != nil {
		o.ctx.Fail(fmt.Errorf("pre-commit: %w", err))
		return
	}
	if err := o.sink.Commit(txn); err != nil {
		o.ctx.Fail(fmt.Errorf("commit: %w", err))
		return
	}
	o.ctx.Trace(engine.TraceCommit, 0, fmt.Sprint(txn))
}

func (o *twoPhaseOp[T, TXN]) SnapshotState(id int64) (engine.OperatorState, error) {
	if err := o.sink.PreCommit(o.current); err != nil {
		return engine.OperatorState{}, fmt.Errorf("pre-commit: %w", err)
	}
	o.ctx.Trace(engine.TracePreCommit, id, fmt.Sprint(o.current))
	o.pending = append(o.pending, pendingTxn[TXN]{checkpoint: id, txn: o.current})
	o.open = false
	txn, err := o.sink.BeginTransaction()
	if err != nil {
		return engine.OperatorState{}, fmt.Errorf("begin transaction: %w", err)
	}
	o.current, o.open = txn, true
	list := make([][]byte, 0, len(o.pending)+1)
	for _, p := range o.pending {
		e, err := o.codec.Append(binary.BigEndian.AppendUint64([]byte{txnPending}, uint64(p.checkpoint)), p.txn)
		if err != nil {
			return engine.OperatorState{}, fmt.Errorf("encode the transaction of checkpoint %d: %w", p.checkpoint, err)
		}
		list = append(list, e)
	}
	e, err := o.codec.Append([]byte{txnOpen}, o.current)
	if err != nil {
		return engine.OperatorState{}, fmt.Errorf("encode the open transaction: %w", err)
	}
	lists, err := o.rt.lists.snapshot(o.ctx.Restored, o.ctx.Subtask)
	if err != nil {
		return engine.OperatorState{}, err
	}
	return engine.OperatorState{Lists: append(lists, engine.NamedList{Name: transactionsState, Mode: engine.RedistributeSplit, Entries: append(list, e)})}, nil
}

func (o *twoPhaseOp[T, TXN]) NotifyCheckpointComplete(id int64) error {
	var errs []error
	kept := o.pending[:0]
	for _, p := range o.pending {
		if p.checkpoint > id {
			kept = append(kept, p)
			continue
		}
		if err := o.sink.Commit(p.txn); err != nil {
			errs = append(errs, fmt.Errorf("commit transaction of checkpoint %d: %w", p.checkpoint, err))
			continue
		}
		o.ctx.Trace(engine.TraceCommit, p.checkpoint, fmt.Sprint(p.txn))
	}
	o.pending = kept
	return errors.Join(errs...)
}

// NotifyCheckpointAborted keeps the transactions: the next completed
// checkpoint commits them.
func (o *twoPhaseOp[T, TXN]) NotifyCheckpointAborted(int64) {}

// Close aborts the open transaction, then closes a sink that has a
// Close method. Pre-committed ones stay: a restore commits those whose
// checkpoint completed.
func (o *twoPhaseOp[T, TXN]) Close() error {
	var err error
	if o.open {
		o.open = false
		o.ctx.Trace(engine.TraceTxnAbort, 0, fmt.Sprint(o.current))
		err = o.sink.Abort(o.current)
	}
	if c, ok := o.sink.(interface{ Close() error }); ok {
		err = errors.Join(err, c.Close())
	}
	return err
}
