package engine

// FanoutOf returns a function that combines the collectors of a vertex's
// consumers into one Collector[T] that counts what it emits.
func FanoutOf[T any]() func(outs []any, counter *int64) any {
	return func(outs []any, counter *int64) any {
		switch len(outs) {
		case 0:
			return counting[T]{n: counter, out: discard[T]{}}
		case 1:
			return counting[T]{n: counter, out: outs[0].(Collector[T])}
		}
		cs := make([]Collector[T], len(outs))
		for i, o := range outs {
			cs[i] = o.(Collector[T])
		}
		return counting[T]{n: counter, out: fanout[T](cs)}
	}
}

type counting[T any] struct {
	n   *int64
	out Collector[T]
}

func (c counting[T]) Collect(v T) {
	*c.n++
	c.out.Collect(v)
}

type fanout[T any] []Collector[T]

func (f fanout[T]) Collect(v T) {
	for _, c := range f {
		c.Collect(v)
	}
}

type discard[T any] struct{}

func (discard[T]) Collect(T) {}
