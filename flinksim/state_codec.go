package flinksim

import (
	"errors"
	"fmt"
	"reflect"
)

// StateOption configures a state being declared (NewValueState and
// friends): WithCodec, WithTTL.
type StateOption struct {
	typ   reflect.Type
	codec any
	ttl   *TTLConfig // set by WithTTL
}

// WithCodec makes a state encode its values of type T with c instead of
// CodecFor[T], in checkpoints and savepoints. The type says which values
// it is for:
//
//   - ValueState[T], ReducingState[T]: the values, T;
//   - ListState[T]: the elements, T;
//   - MapState[UK, UV]: the map keys (UK) and the map values (UV), one
//     WithCodec each, or one for both when UK and UV are the same type;
//   - AggregatingState[IN, OUT] of an AggregateFunction[IN, ACC, OUT]:
//     the accumulators, ACC.
//
// For example:
//
//	s := flinksim.NewValueState[Session](rt, "session",
//		flinksim.WithCodec[Session](flinksim.JSONCodec[Session]{}))
//
// A codec for a type the state does not encode, or a nil codec, fails the
// operator as it opens, as does a type CodecFor cannot round-trip
// (ErrNeedsCodec) when no WithCodec covers it. Changing a state's codec
// makes the state in existing snapshots unreadable.
func WithCodec[T any](c Codec[T]) StateOption {
	return StateOption{typ: reflect.TypeFor[T](), codec: c}
}

// stateCodecs resolves the options of one state declaration — its codecs
// and its time to live — and collects what is wrong with them.
type stateCodecs struct {
	name string
	opts []StateOption
	used []bool
	errs []error
	// ttlConfig names the WithTTL configuration (TTLConfig.String), ""
	// without one; set by ttl.
	ttlConfig string
}

func newStateCodecs(name string, opts []StateOption) *stateCodecs {
	return &stateCodecs{name: name, opts: opts, used: make([]bool, len(opts))}
}

// codecOf returns the codec the state uses for values of type T: the one
// of a WithCodec for T, else CodecFor[T] if it round-trips T. Otherwise it
// records the error and returns a codec that fails every call with it.
func codecOf[T any](sc *stateCodecs) Codec[T] {
	t := reflect.TypeFor[T]()
	for i, o := range sc.opts {
		if o.ttl != nil || o.typ != t {
			continue
		}
		sc.used[i] = true
		c, _ := o.codec.(Codec[T])
		if c == nil {
			return refusedCodec[T](sc, fmt.Errorf("%w: state %q: WithCodec[%s] with a nil codec", ErrInvalidOperator, sc.name, t))
		}
		return c
	}
	c := CodecFor[T]()
	if _, isGob := c.(GobCodec[T]); isGob {
		if err := gobCheck(t, true); err != nil {
			return refusedCodec[T](sc, fmt.Errorf("%w: state %q of %s: %w; give it a codec with WithCodec[%s]", ErrNeedsCodec, sc.name, t, err, t))
		}
	}
	return c
}

func refusedCodec[T any](sc *stateCodecs, err error) Codec[T] {
	sc.errs = append(sc.errs, err)
	return failingCodec[T]{err}
}

// custom reports whether the state uses a codec of a WithCodec option.
func (sc *stateCodecs) custom() bool {
	for i, o := range sc.opts {
		if sc.used[i] && o.ttl == nil {
			return true
		}
	}
	return false
}

// err returns what is wrong with the declaration's codecs, including
// options no codec lookup used.
func (sc *stateCodecs) err() error {
	for i, o := range sc.opts {
		switch {
		case sc.used[i]:
		case o.ttl != nil:
			sc.errs = append(sc.errs, fmt.Errorf("%w: state %q: WithTTL is for keyed state only", ErrInvalidConfig, sc.name))
		default:
			sc.errs = append(sc.errs, fmt.Errorf("%w: state %q holds no values of type %s for its WithCodec", ErrInvalidOperator, sc.name, o.typ))
		}
	}
	return errors.Join(sc.errs...)
}

// failingCodec is the codec of a state declared wrongly: the operator
// fails as it opens, and until then every use returns the error.
type failingCodec[T any] struct{ err error }

func (c failingCodec[T]) Append([]byte, T) ([]byte, error) { return nil, c.err }
func (c failingCodec[T]) Decode([]byte) (T, error) {
	var zero T
	return zero, c.err
}
