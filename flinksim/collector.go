package flinksim

import "github.com/flinksim/go-flinksim/flinksim/internal/engine"

// Collector receives the records an operator emits, as Flink's Collector:
//
//	type Collector[T any] interface {
//		Collect(v T)
//	}
//
// FlatMap and Process functions call Collect zero or more times per input.
// A Collector is valid only during the call it was passed to. (It is an
// alias of the runtime's collector, so handing it to user code costs no
// conversion.)
type Collector[T any] = engine.Collector[T]
