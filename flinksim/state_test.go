package flinksim_test

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// cmd is an instruction to a state test's process function, for key K.
type cmd struct {
	K  string
	Op string
	A  string
	V  int
}

// runState runs cmds, from one producer so that each key's commands arrive
// in order, through a keyed Process of parallelism 3 whose function fn
// answers each command with one string; it returns the answers per key,
// in order.
func runState(t *testing.T, cmds []cmd, open func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error),
	check func(t *testing.T, got map[string][]string)) {
	t.Helper()
	runCollect(t, []flinksim.Option{flinksim.WithParallelism(3)}, func(env *flinksim.Environment) *flinksim.CollectSink[kvs] {
		src := parallelSlice(env, "cmds", cmds, flinksim.Parallelism(1))
		p := flinksim.Process(flinksim.KeyBy(src, func(c cmd) string { return c.K }), "state", func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, kvs], error) {
			fn, err := open(rt)
			if err != nil {
				return nil, err
			}
			return flinksim.ProcessFunc[string, cmd, kvs](func(ctx *flinksim.KeyedContext[string], c cmd, out flinksim.Collector[kvs]) error {
				if ctx.Key() != c.K {
					return fmt.Errorf("Key() = %q, record key %q", ctx.Key(), c.K)
				}
				return fn.ProcessElement(ctx, c, collectorFunc[string](func(s string) { out.Collect(kvs{K: c.K, S: s}) }))
			}), nil
		})
		return flinksim.Collect(p, "out")
	}, func(t *testing.T, out *flinksim.CollectSink[kvs]) {
		got := make(map[string][]string)
		for _, r := range out.Values() {
			got[r.K] = append(got[r.K], r.S)
		}
		check(t, got)
	})
}

type kvs struct{ K, S string }

type collectorFunc[T any] func(T)

func (f collectorFunc[T]) Collect(v T) { f(v) }

// interleave returns the commands of every key, round-robin across keys.
func interleave(perKey map[string][]cmd) []cmd {
	var out []cmd
	keys := slices.Sorted(maps.Keys(perKey))
	for i := 0; ; i++ {
		added := false
		for _, k := range keys {
			if i < len(perKey[k]) {
				c := perKey[k][i]
				c.K = k
				out = append(out, c)
				added = true
			}
		}
		if !added {
			return out
		}
	}
}

func TestValueState(t *testing.T) {
	script := []cmd{{Op: "get"}, {Op: "inc"}, {Op: "inc"}, {Op: "get"}, {Op: "clear"}, {Op: "get"}, {Op: "inc"}}
	want := []string{"none", "1", "2", "2", "cleared", "none", "1"}
	perKey := map[string][]cmd{}
	for i := range 20 {
		perKey["key"+strconv.Itoa(i)] = script
	}
	runState(t, interleave(perKey), func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error) {
		n := flinksim.NewValueState[int](rt, "n")
		return flinksim.ProcessFunc[string, cmd, string](func(_ *flinksim.KeyedContext[string], c cmd, out flinksim.Collector[string]) error {
			switch c.Op {
			case "get":
				if v, ok := n.Value(); ok {
					out.Collect(strconv.Itoa(v))
				} else {
					out.Collect("none")
				}
			case "inc":
				v, _ := n.Value()
				n.Update(v + 1)
				out.Collect(strconv.Itoa(v + 1))
			case "clear":
				n.Clear()
				out.Collect("cleared")
			}
			return nil
		}), nil
	}, func(t *testing.T, got map[string][]string) {
		require.Len(t, got, 20)
		for k, answers := range got {
			assert.Equal(t, want, answers, k)
		}
	})
}

func TestListState(t *testing.T) {
	script := []cmd{
		{Op: "get"}, {Op: "add", A: "a"}, {Op: "add", A: "b"}, {Op: "get"},
		{Op: "addall", A: "c,d"}, {Op: "get"}, {Op: "mutate"}, {Op: "get"},
		{Op: "update", A: "x,y"}, {Op: "get"}, {Op: "update"}, {Op: "get"},
		{Op: "add", A: "z"}, {Op: "clear"}, {Op: "get"},
	}
	want := []string{
		"[]", "ok", "ok", "[a b]",
		"ok", "[a b c d]", "ok", "[a b c d]",
		"ok", "[x y]", "ok", "[]",
		"ok", "ok", "[]",
	}
	perKey := map[string][]cmd{"a": script, "b": script, "c": script, "d": script, "e": script}
	runState(t, interleave(perKey), func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error) {
		l := flinksim.NewListState[string](rt, "l")
		return flinksim.ProcessFunc[string, cmd, string](func(_ *flinksim.KeyedContext[string], c cmd, out flinksim.Collector[string]) error {
			split := func() []string {
				if c.A == "" {
					return nil
				}
				return strings.Split(c.A, ",")
			}
			switch c.Op {
			case "get":
				out.Collect(fmt.Sprint(l.Get()))
				return nil
			case "add":
				l.Add(c.A)
			case "addall":
				l.AddAll(split())
			case "update":
				l.Update(split())
			case "clear":
				l.Clear()
			case "mutate":
				// Get returns a copy: changing it changes nothing.
				if got := l.Get(); len(got) > 0 {
					got[0] = "mutated"
				}
			}
			out.Collect("ok")
			return nil
		}), nil
	}, func(t *testing.T, got map[string][]string) {
		require.Len(t, got, 5)
		for k, answers := range got {
			assert.Equal(t, want, answers, k)
		}
	})
}

func TestMapState(t *testing.T) {
	script := []cmd{
		{Op: "dump"}, {Op: "put", A: "a", V: 1}, {Op: "put", A: "b", V: 2}, {Op: "put", A: "c", V: 3},
		{Op: "dump"},
		{Op: "put", A: "b", V: 20}, // update keeps b's place
		{Op: "dump"}, {Op: "get", A: "b"}, {Op: "get", A: "z"}, {Op: "has", A: "c"}, {Op: "has", A: "z"},
		{Op: "put", A: "d", V: 4},
		{Op: "rm", A: "a"}, // documented: the last entry (d) moves into a's place
		{Op: "dump"},
		{Op: "rm", A: "z"}, // absent: no change
		{Op: "dump"},
		{Op: "rm", A: "b"}, {Op: "dump"},
		{Op: "rm", A: "d"}, {Op: "rm", A: "c"}, {Op: "dump"}, {Op: "rm", A: "c"},
		{Op: "put", A: "e", V: 5}, {Op: "dump"}, {Op: "clear"}, {Op: "dump"},
		{Op: "put", A: "x", V: 1}, {Op: "put", A: "y", V: 2}, {Op: "stop-early"},
	}
	want := []string{
		"0:[]", "ok", "ok", "ok",
		"3:[a=1 b=2 c=3]",
		"ok",
		"3:[a=1 b=20 c=3]", "b=20", "z absent", "has c", "no z",
		"ok",
		"ok",
		"3:[d=4 b=20 c=3]",
		"ok",
		"3:[d=4 b=20 c=3]",
		"ok", "2:[d=4 c=3]",
		"ok", "ok", "0:[]", "ok",
		"ok", "1:[e=5]", "ok", "0:[]",
		"ok", "ok", "first x=1",
	}
	perKey := map[string][]cmd{}
	for i := range 10 {
		perKey[strconv.Itoa(i)] = script
	}
	runState(t, interleave(perKey), func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error) {
		m := flinksim.NewMapState[string, int](rt, "m")
		return flinksim.ProcessFunc[string, cmd, string](func(_ *flinksim.KeyedContext[string], c cmd, out flinksim.Collector[string]) error {
			switch c.Op {
			case "dump":
				var es []string
				for k, v := range m.All() {
					es = append(es, fmt.Sprintf("%s=%d", k, v))
				}
				out.Collect(fmt.Sprintf("%d:[%s]", m.Len(), strings.Join(es, " ")))
				return nil
			case "stop-early":
				for k, v := range m.All() {
					out.Collect(fmt.Sprintf("first %s=%d", k, v))
					break
				}
				return nil
			case "get":
				if v, ok := m.Get(c.A); ok {
					out.Collect(fmt.Sprintf("%s=%d", c.A, v))
				} else {
					out.Collect(c.A + " absent")
				}
				return nil
			case "has":
				if m.Contains(c.A) {
					out.Collect("has " + c.A)
				} else {
					out.Collect("no " + c.A)
				}
				return nil
			case "put":
				m.Put(c.A, c.V)
			case "rm":
				m.Remove(c.A)
			case "clear":
				m.Clear()
			}
			out.Collect("ok")
			return nil
		}), nil
	}, func(t *testing.T, got map[string][]string) {
		require.Len(t, got, 10)
		for k, answers := range got {
			assert.Equal(t, want, answers, k)
		}
	})
}

func TestReducingState(t *testing.T) {
	script := []cmd{{Op: "get"}, {Op: "add", V: 5}, {Op: "add", V: 3}, {Op: "add", V: 9}, {Op: "add", V: -1}, {Op: "clear"}, {Op: "get"}, {Op: "add", V: -7}}
	want := []string{"none", "5", "5", "9", "9", "cleared", "none", "-7"}
	perKey := map[string][]cmd{"x": script, "y": script, "z": script, "w": script}
	runState(t, interleave(perKey), func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error) {
		maxState := flinksim.NewReducingState(rt, "max", func(a, b int) (int, error) { return max(a, b), nil })
		return flinksim.ProcessFunc[string, cmd, string](func(_ *flinksim.KeyedContext[string], c cmd, out flinksim.Collector[string]) error {
			switch c.Op {
			case "add":
				if err := maxState.Add(c.V); err != nil {
					return err
				}
				fallthrough
			case "get":
				if v, ok := maxState.Get(); ok {
					out.Collect(strconv.Itoa(v))
				} else {
					out.Collect("none")
				}
			case "clear":
				maxState.Clear()
				out.Collect("cleared")
			}
			return nil
		}), nil
	}, func(t *testing.T, got map[string][]string) {
		require.Len(t, got, 4)
		for k, answers := range got {
			assert.Equal(t, want, answers, k)
		}
	})
}

// average is an AggregateFunction from int to the mean as a string.
type average struct{}

type avgAcc struct{ Sum, N int }

func (average) CreateAccumulator() avgAcc    { return avgAcc{} }
func (average) Add(v int, acc avgAcc) avgAcc { return avgAcc{acc.Sum + v, acc.N + 1} }
func (average) Result(acc avgAcc) string     { return fmt.Sprintf("%d/%d", acc.Sum, acc.N) }
func (average) Merge(a, b avgAcc) avgAcc     { return avgAcc{a.Sum + b.Sum, a.N + b.N} }

func TestAggregatingState(t *testing.T) {
	script := []cmd{{Op: "get"}, {Op: "add", V: 4}, {Op: "add", V: 6}, {Op: "add", V: 11}, {Op: "clear"}, {Op: "get"}, {Op: "add", V: 1}}
	want := []string{"none", "4/1", "10/2", "21/3", "cleared", "none", "1/1"}
	perKey := map[string][]cmd{"p": script, "q": script, "r": script}
	runState(t, interleave(perKey), func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error) {
		avg := flinksim.NewAggregatingState[int, avgAcc, string](rt, "avg", average{})
		return flinksim.ProcessFunc[string, cmd, string](func(_ *flinksim.KeyedContext[string], c cmd, out flinksim.Collector[string]) error {
			switch c.Op {
			case "add":
				avg.Add(c.V)
				fallthrough
			case "get":
				if v, ok := avg.Get(); ok {
					out.Collect(v)
				} else {
					out.Collect("none")
				}
			case "clear":
				avg.Clear()
				out.Collect("cleared")
			}
			return nil
		}), nil
	}, func(t *testing.T, got map[string][]string) {
		require.Len(t, got, 3)
		for k, answers := range got {
			assert.Equal(t, want, answers, k)
		}
	})
}

// TestStateSameNameSameType: declaring one name twice with one type gives
// the same state; states of different names are independent.
func TestStateSameNameSameType(t *testing.T) {
	perKey := map[string][]cmd{"a": {{Op: "inc"}, {Op: "inc"}}, "b": {{Op: "inc"}}}
	runState(t, interleave(perKey), func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error) {
		n1 := flinksim.NewValueState[int](rt, "n")
		n2 := flinksim.NewValueState[int](rt, "n")
		other := flinksim.NewValueState[int](rt, "other")
		return flinksim.ProcessFunc[string, cmd, string](func(_ *flinksim.KeyedContext[string], _ cmd, out flinksim.Collector[string]) error {
			v, _ := n1.Value()
			n2.Update(v + 1)
			o, _ := other.Value()
			other.Update(o + 10)
			v, _ = n1.Value()
			o, _ = other.Value()
			out.Collect(fmt.Sprintf("%d %d", v, o))
			return nil
		}), nil
	}, func(t *testing.T, got map[string][]string) {
		assert.Equal(t, map[string][]string{"a": {"1 10", "2 20"}, "b": {"1 10"}}, got)
	})
}

// TestStateDeclaredLazily: state may be declared while processing; the
// same name returns the same state.
func TestStateDeclaredLazily(t *testing.T) {
	perKey := map[string][]cmd{"a": {{}, {}, {}}, "b": {{}, {}}}
	runState(t, interleave(perKey), func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error) {
		return flinksim.ProcessFunc[string, cmd, string](func(ctx *flinksim.KeyedContext[string], _ cmd, out flinksim.Collector[string]) error {
			n := flinksim.NewValueState[int](ctx.Runtime(), "n")
			v, _ := n.Value()
			n.Update(v + 1)
			out.Collect(strconv.Itoa(v + 1))
			return nil
		}), nil
	}, func(t *testing.T, got map[string][]string) {
		assert.Equal(t, map[string][]string{"a": {"1", "2", "3"}, "b": {"1", "2"}}, got)
	})
}

// closingFunc is a process function with a Close method.
type closingFunc struct{ closed *atomic.Int32 }

func (closingFunc) ProcessElement(_ *flinksim.KeyedContext[string], c cmd, out flinksim.Collector[string]) error {
	out.Collect(c.Op)
	return nil
}

func (f closingFunc) Close() error { f.closed.Add(1); return nil }

func TestProcessFunctionClose(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		var closed, opened atomic.Int32
		env := ex.newEnv(flinksim.WithParallelism(3))
		src := parallelSlice(env, "src", []cmd{{K: "a", Op: "x"}, {K: "b", Op: "y"}})
		p := flinksim.Process(flinksim.KeyBy(src, func(c cmd) string { return c.K }), "p",
			func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error) {
				opened.Add(1)
				assert.Equal(t, "p", rt.OperatorName())
				assert.Equal(t, 3, rt.Parallelism())
				assert.Equal(t, 128, rt.MaxParallelism())
				assert.False(t, rt.Now().IsZero())
				assert.NotNil(t, rt.Logger())
				return closingFunc{&closed}, nil
			})
		out := flinksim.Collect(p, "out")
		_, err := env.Execute(t.Context(), "close")
		require.NoError(t, err)
		assert.Equal(t, int32(3), opened.Load())
		assert.Equal(t, int32(3), closed.Load(), "Close once per subtask")
		assertSameMultiset(t, []string{"x", "y"}, out.Values())
	})
}

// TestMapStateRemoveWhileIterating: removing entries while ranging over
// All is the Go idiom for maps (and Flink's iterator.remove()); every entry
// must be visited once and the removals must take effect.
func TestMapStateRemoveWhileIterating(t *testing.T) {
	perKey := map[string][]cmd{"a": {{Op: "fill"}, {Op: "drain"}}, "b": {{Op: "fill"}, {Op: "drain"}}}
	runState(t, interleave(perKey), func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, cmd, string], error) {
		m := flinksim.NewMapState[string, int](rt, "m")
		return flinksim.ProcessFunc[string, cmd, string](func(_ *flinksim.KeyedContext[string], c cmd, out flinksim.Collector[string]) error {
			switch c.Op {
			case "fill":
				for i := range 5 {
					m.Put(strconv.Itoa(i), i)
				}
				out.Collect(strconv.Itoa(m.Len()))
			case "drain":
				visited := 0
				for k := range m.All() {
					visited++
					m.Remove(k)
				}
				out.Collect(fmt.Sprintf("visited %d, left %d", visited, m.Len()))
			}
			return nil
		}), nil
	}, func(t *testing.T, got map[string][]string) {
		assert.Equal(t, map[string][]string{"a": {"5", "visited 5, left 0"}, "b": {"5", "visited 5, left 0"}}, got)
	})
}
