package flinksim

import (
	"fmt"
	"sync"
)

// TransactionalCollector stands for an external transactional system in
// tests: records written in a transaction become visible in Committed
// only when the transaction commits. It outlives jobs and restarts, so a
// test can run a job with failures and check that the committed output
// holds every record exactly once. It is safe for concurrent use.
type TransactionalCollector[T any] struct {
	mu        sync.Mutex
	next      int64
	open      map[int64][]T
	prepared  map[int64][]T
	committed []T
	done      map[int64]bool
	gone      map[int64]bool // aborted or expired
}

// NewTransactionalCollector returns an empty collector.
func NewTransactionalCollector[T any]() *TransactionalCollector[T] {
	return &TransactionalCollector[T]{open: make(map[int64][]T), prepared: make(map[int64][]T),
		done: make(map[int64]bool), gone: make(map[int64]bool)}
}

// Expire aborts every pre-committed transaction, as an external system
// aborts transactions older than its timeout (Kafka's
// transaction.timeout.ms): a job restored from a snapshot taken before
// then finds them gone (see TwoPhaseCommitSink).
func (c *TransactionalCollector[T]) Expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for txn := range c.prepared {
		delete(c.prepared, txn)
		c.gone[txn] = true
	}
}

// Committed returns the committed records, in commit order.
func (c *TransactionalCollector[T]) Committed() []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]T(nil), c.committed...)
}

// Uncommitted returns how many records sit in open or pre-committed
// transactions.
func (c *TransactionalCollector[T]) Uncommitted() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, vs := range c.open {
		n += len(vs)
	}
	for _, vs := range c.prepared {
		n += len(vs)
	}
	return n
}

// CollectTransactional adds a two-phase-commit sink named name that writes
// into c.
func CollectTransactional[T any](s Stream[T], name string, c *TransactionalCollector[T], opts ...OperatorOption) {
	SinkTwoPhase(s, name, func(*RuntimeContext) (TwoPhaseCommitSink[T, int64], error) {
		return collectorSink[T]{c}, nil
	}, CodecFor[int64](), opts...)
}

type collectorSink[T any] struct{ c *TransactionalCollector[T] }

func (s collectorSink[T]) BeginTransaction() (int64, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.c.next++
	s.c.open[s.c.next] = nil
	return s.c.next, nil
}

func (s collectorSink[T]) Write(txn int64, v T) error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	vs, ok := s.c.open[txn]
	if !ok {
		return fmt.Errorf("write to transaction %d that is not open", txn)
	}
	s.c.open[txn] = append(vs, v)
	return nil
}

func (s collectorSink[T]) PreCommit(txn int64) error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	vs, ok := s.c.open[txn]
	if !ok {
		return fmt.Errorf("pre-commit of transaction %d that is not open", txn)
	}
	delete(s.c.open, txn)
	s.c.prepared[txn] = vs
	return nil
}

func (s collectorSink[T]) Commit(txn int64) error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if s.c.done[txn] {
		return nil // committed before: commits are idempotent
	}
	vs, ok := s.c.prepared[txn]
	if s.c.gone[txn] {
		return fmt.Errorf("%w: transaction %d was aborted", ErrTransactionGone, txn)
	}
	if !ok {
		return fmt.Errorf("commit of transaction %d that was not pre-committed", txn)
	}
	delete(s.c.prepared, txn)
	s.c.done[txn] = true
	s.c.committed = append(s.c.committed, vs...)
	return nil
}

func (s collectorSink[T]) Abort(txn int64) error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	delete(s.c.open, txn)
	delete(s.c.prepared, txn)
	if !s.c.done[txn] {
		s.c.gone[txn] = true
	}
	return nil
}
