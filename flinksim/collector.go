package flinksim

// Collector receives the records an operator emits, as Flink's Collector.
// FlatMap and Process functions call Collect zero or more times per input.
// A Collector is valid only during the call it was passed to.
type Collector[T any] interface {
	// Collect emits v.
	Collect(v T)
}
