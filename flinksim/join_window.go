package flinksim

import "fmt"

// joinSide is a record of either input of a window join, in one stream.
type joinSide[A, B any] struct {
	First bool // the record is the first stream's, A
	A     A
	B     B
}

// CoGroupFunc computes the result of one window of a co-group from the
// records of each input that fell into it, as Flink's CoGroupFunction;
// either list may be empty, not both.
type CoGroupFunc[K comparable, A, B, O any] func(ctx *WindowContext[K], first []A, second []B, out Collector[O]) error

// CoGroupWindow groups the records of two keyed streams by key and window,
// as Flink's first.coGroup(second).where(…).equalTo(…).window(assigner)
// .apply(fn): for every key and window that holds records of either
// stream, fn gets both lists, each in arrival order. The window's trigger
// is the assigner's default.
func CoGroupWindow[K comparable, A, B, O any](first KeyedStream[K, A], second KeyedStream[K, B], assigner WindowAssigner,
	name string, fn CoGroupFunc[K, A, B, O], opts ...OperatorOption) Stream[O] {
	if fn == nil {
		env, err := consume(first.in, name, true)
		return invalid[O](env, err)
	}
	for _, err := range []error{first.Err(), second.Err()} {
		if err != nil {
			return invalid[O](first.in.env, err)
		}
	}
	sides := Union(
		Map(first.in, name+"/first", func(a A) (joinSide[A, B], error) { return joinSide[A, B]{First: true, A: a}, nil }),
		Map(second.in, name+"/second", func(b B) (joinSide[A, B], error) { return joinSide[A, B]{B: b}, nil }))
	keyA, keyB := first.key, second.key
	key := func(s joinSide[A, B]) K {
		if s.First {
			return keyA(s.A)
		}
		return keyB(s.B)
	}
	var keyed KeyedStream[K, joinSide[A, B]]
	if first.customKeys {
		keyed = KeyByCodec(sides, key, first.keyCodec)
	} else {
		keyed = KeyBy(sides, key)
	}
	return ProcessWindow(keyed.Window(assigner), name,
		ProcessWindowFunc[K, joinSide[A, B], O](func(ctx *WindowContext[K], all []joinSide[A, B], out Collector[O]) error {
			var as []A
			var bs []B
			for _, s := range all {
				if s.First {
					as = append(as, s.A)
				} else {
					bs = append(bs, s.B)
				}
			}
			return fn(ctx, as, bs, out)
		}), opts...)
}

// JoinWindow joins the records of two keyed streams of the same key and
// window, as Flink's first.join(second).where(…).equalTo(…)
// .window(assigner).apply(fn): fn is called for every pair of a record of
// each stream in one window (an inner join), and what it returns is
// emitted with the window's max timestamp.
func JoinWindow[K comparable, A, B, O any](first KeyedStream[K, A], second KeyedStream[K, B], assigner WindowAssigner,
	name string, fn func(a A, b B) (O, error), opts ...OperatorOption) Stream[O] {
	var cg CoGroupFunc[K, A, B, O]
	if fn != nil {
		cg = func(_ *WindowContext[K], as []A, bs []B, out Collector[O]) error {
			for _, a := range as {
				for _, b := range bs {
					o, err := fn(a, b)
					if err != nil {
						return fmt.Errorf("join: %w", err)
					}
					out.Collect(o)
				}
			}
			return nil
		}
	}
	return CoGroupWindow(first, second, assigner, name, cg, opts...)
}
