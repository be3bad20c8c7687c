package engine

import "sync"

// mailbox is a queue that never blocks its senders: control events and
// acknowledgements travel through mailboxes so that a task and the
// coordinator can never wait on each other. Its zero value is empty.
type mailbox[T any] struct {
	mu sync.Mutex
	q  ring[T]
}

func (m *mailbox[T]) put(v T) {
	m.mu.Lock()
	m.q.push(v)
	m.mu.Unlock()
}

// pop takes the oldest value, if any.
func (m *mailbox[T]) pop() (T, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.q.n == 0 {
		var zero T
		return zero, false
	}
	return m.q.pop(), true
}
