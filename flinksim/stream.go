package flinksim

import (
	"fmt"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// Stream is a typed stream of records, as Flink's DataStream. Streams are
// made by sources and transformations; the zero Stream is invalid.
type Stream[T any] struct {
	env *Environment
	ups []upstream
	err error
}

type upstream struct {
	v        *engine.Vertex
	strategy engine.Strategy
	tag      string // the side output of v ("": its main output)
}

// KeyedStream is a stream partitioned by key, as Flink's KeyedStream: every
// record of one key goes to the same subtask, and keyed state is scoped to
// the key. Make one with KeyBy.
type KeyedStream[K comparable, T any] struct {
	in       Stream[T]
	key      func(T) K
	keyCodec Codec[K]
	// customKeys: the key codec is the user's (KeyByCodec), which may read
	// keys of another type from snapshots.
	customKeys bool
}

// Err returns why the stream is invalid, or nil. Errors are also reported
// by the environment's Execute.
func (s Stream[T]) Err() error {
	if s.isZero() {
		return errZeroStream
	}
	return s.err
}

// errZeroStream is the error of a zero Stream.
var errZeroStream = fmt.Errorf("%w: zero Stream (make streams with a source or a transformation)", ErrInvalidStream)

// isZero reports whether s is a zero Stream: no environment, and no error
// of its own (an invalid stream's error was recorded where it arose).
func (s Stream[T]) isZero() bool { return s.env == nil && s.err == nil }

// zeroError returns the error of giving the zero Stream to what (a
// builder and the operator's name), recording it on the environments being
// built on this goroutine (see strayError).
func zeroError(what string) error {
	err := fmt.Errorf("%w, given to %s", errZeroStream, what)
	strayError(err)
	return err
}

// OperatorOption configures one operator; make them with Parallelism and
// MaxParallelism.
type OperatorOption struct {
	apply func(*engine.Vertex)
}

// Parallelism sets an operator's parallelism (default: the environment's).
func Parallelism(n int) OperatorOption {
	return OperatorOption{func(v *engine.Vertex) { v.Parallelism, v.ParallelismSet = n, true }}
}

// UID sets the operator's UID, the name its state has in checkpoints and
// savepoints (default: the operator's name), as Flink's uid: give a
// renamed operator its old name as UID and it keeps its state.
func UID(uid string) OperatorOption {
	return OperatorOption{func(v *engine.Vertex) { v.UID = uid }}
}

// MaxParallelism sets an operator's number of key groups.
func MaxParallelism(n int) OperatorOption {
	return OperatorOption{func(v *engine.Vertex) { v.MaxParallelism, v.MaxParallelismSet = n, true }}
}

// vertexSpec is what a transformation contributes to the graph.
type vertexSpec[Out any] struct {
	name   string
	source bool
	sink   bool
	keyed  bool
	// nonParallel: the operator runs as one subtask.
	nonParallel bool
	newOp       func(ctx *engine.OperatorContext, out engine.Collector[Out]) (engine.Operator, error)
}

// addVertex adds a vertex fed by the given edges. inputs may be empty (a
// source). It returns the stream of the vertex's output.
func addVertex[Out any](env *Environment, spec vertexSpec[Out], inputs []*engine.Edge, opts []OperatorOption) Stream[Out] {
	noteBuilding(env)
	env.mu.Lock()
	defer env.mu.Unlock()
	if env.executed {
		// The job runs (or ran) the graph as it was at Start: adding to it
		// now would change nothing, so it is refused.
		return invalid[Out](env, fmt.Errorf("%w: operator %q added after the job started", ErrAlreadyExecuted, spec.name))
	}
	v := &engine.Vertex{
		Name: spec.name, IsSource: spec.source, IsSink: spec.sink, Keyed: spec.keyed,
		New: func(ctx *engine.OperatorContext, out any) (engine.Operator, error) {
			return spec.newOp(ctx, out.(engine.Collector[Out]))
		},
		Fanout: engine.FanoutOf[Out](),
	}
	for _, o := range opts {
		if o.apply != nil { // the zero OperatorOption changes nothing
			o.apply(v)
		}
	}
	if spec.nonParallel {
		if v.ParallelismSet && v.Parallelism != 1 {
			kind := "operator"
			if spec.source {
				kind = "source"
			}
			env.addErrorLocked(fmt.Errorf("%w: %q is a non-parallel %s; its parallelism must be 1, not %d", ErrInvalidParallelism, spec.name, kind, v.Parallelism))
		}
		v.Parallelism, v.ParallelismSet = 1, true
	}
	if spec.name == "" {
		env.addErrorLocked(fmt.Errorf("%w: operator without a name", ErrInvalidOperator))
	}
	env.graph.Add(v)
	for _, e := range inputs {
		e.To = v
		v.Inputs = append(v.Inputs, e)
	}
	return Stream[Out]{env: env, ups: []upstream{{v: v}}}
}

// edgesOf returns the edges that feed a consumer of s, one per upstream.
func edgesOf[T any](s Stream[T]) []*engine.Edge {
	edges := make([]*engine.Edge, len(s.ups))
	for i, u := range s.ups {
		edges[i] = &engine.Edge{From: u.v, Strategy: u.strategy, NewWriter: engine.WriterOf[T]()}
		tagEdge[T](edges[i], u)
	}
	return edges
}

// tagEdge makes e read u's side output, if u is one.
func tagEdge[T any](e *engine.Edge, u upstream) {
	if u.tag != "" {
		e.Tag, e.Fanout = u.tag, engine.FanoutOf[T]()
	}
}

// consume checks that s can feed an operator named name with function fn.
// It returns the environment and nil, or the error. An error is recorded on
// the environment once, where it arises: an invalid s carries an error
// recorded already (or has no environment to record it on).
func consume[T any](s Stream[T], name string, fnIsNil bool) (*Environment, error) {
	if s.isZero() {
		return nil, zeroError(fmt.Sprintf("operator %q", name))
	}
	if err := s.Err(); err != nil {
		return s.env, err
	}
	if fnIsNil {
		err := fmt.Errorf("%w: operator %q has a nil function", ErrInvalidOperator, name)
		s.env.addError(err)
		return s.env, err
	}
	return s.env, nil
}

// invalid returns a stream that carries err.
func invalid[T any](env *Environment, err error) Stream[T] {
	return Stream[T]{env: env, err: err}
}

func withStrategy[T any](s Stream[T], st engine.Strategy) Stream[T] {
	ups := make([]upstream, len(s.ups))
	for i, u := range s.ups {
		ups[i] = upstream{v: u.v, strategy: st, tag: u.tag}
	}
	return Stream[T]{env: s.env, ups: ups, err: s.err}
}

// Rebalance distributes s's records round-robin over the next operator's
// subtasks.
func Rebalance[T any](s Stream[T]) Stream[T] { return withStrategy(s, engine.StrategyRebalance) }

// Broadcast sends every record of s to every subtask of the next operator.
func Broadcast[T any](s Stream[T]) Stream[T] { return withStrategy(s, engine.StrategyBroadcast) }

// Forward sends subtask i's records to subtask i of the next operator, which
// must have the same parallelism. A forward edge into an operator with no
// other input is chained: both operators run in one task, calling each
// other directly.
func Forward[T any](s Stream[T]) Stream[T] { return withStrategy(s, engine.StrategyForward) }

// Union merges streams of one type into one, as Flink's union. The next
// operator reads all of them.
func Union[T any](s Stream[T], others ...Stream[T]) Stream[T] {
	if s.isZero() {
		err := fmt.Errorf("%w, given to Union", errZeroStream)
		for _, o := range others {
			if o.env != nil {
				o.env.addError(err)
				return invalid[T](o.env, err)
			}
		}
		strayError(err)
		return invalid[T](nil, err)
	}
	if err := s.Err(); err != nil {
		return s
	}
	out := Stream[T]{env: s.env, ups: append([]upstream(nil), s.ups...)}
	for _, o := range others {
		if o.isZero() {
			err := fmt.Errorf("%w, given to Union", errZeroStream)
			s.env.addError(err)
			return invalid[T](s.env, err)
		}
		if err := o.Err(); err != nil {
			return invalid[T](s.env, err)
		}
		if o.env != s.env {
			err := fmt.Errorf("%w: union of streams from different environments", ErrInvalidStream)
			s.env.addError(err)
			return invalid[T](s.env, err)
		}
		out.ups = append(out.ups, o.ups...)
	}
	return out
}
