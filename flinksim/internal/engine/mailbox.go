package engine

import "sync"

// mailbox is an unbounded queue that never blocks its senders: control
// events and acknowledgements travel through mailboxes so that a task and
// the coordinator can never wait on each other.
type mailbox[T any] struct {
	mu     sync.Mutex
	q      []T
	signal chan struct{} // has a value while q may be non-empty
}

func newMailbox[T any]() *mailbox[T] { return &mailbox[T]{signal: make(chan struct{}, 1)} }

func (m *mailbox[T]) put(v T) {
	m.mu.Lock()
	m.q = append(m.q, v)
	m.mu.Unlock()
	select {
	case m.signal <- struct{}{}:
	default:
	}
}

func (m *mailbox[T]) take() []T {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q
	m.q = nil
	return q
}
