// Package engine is the runtime of flinksim with the types erased: the
// logical graph (vertices and edges), its expansion into tasks and channels,
// the task step machine, and the two executors that drive tasks (one
// goroutine per task, or one goroutine for all tasks with a seeded choice of
// the next event).
//
// Records stay typed end to end: operators and partitioning writers are
// generic values built by the public package, and the engine moves batches
// ([]T or []Keyed[K, T]) between tasks as opaque values. Within a task,
// chained operators call each other through Collector[T] directly.
package engine
