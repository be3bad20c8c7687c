package flinksim_test

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// With a source of parallelism p and operators chained to it, subtask s
// handles the s-th contiguous part of the input in order, and CollectSink's
// Values concatenates the subtasks in order: the output order is exact.

func TestMap(t *testing.T) {
	in := seq(0, 1000)
	want := mapSlice(in, func(v int) string { return "v" + strconv.Itoa(2*v) })
	for _, p := range []int{1, 3} {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			runCollect(t, []flinksim.Option{flinksim.WithParallelism(p)}, func(env *flinksim.Environment) *flinksim.CollectSink[string] {
				src := parallelSlice(env, "src", in)
				m := flinksim.Map(src, "fmt", func(v int) (string, error) { return "v" + strconv.Itoa(2*v), nil })
				return flinksim.Collect(m, "out")
			}, func(t *testing.T, out *flinksim.CollectSink[string]) {
				assert.Equal(t, want, out.Values())
			})
		})
	}
	t.Run("other parallelism", func(t *testing.T) {
		runCollect(t, []flinksim.Option{flinksim.WithParallelism(2)}, func(env *flinksim.Environment) *flinksim.CollectSink[string] {
			src := parallelSlice(env, "src", in)
			m := flinksim.Map(src, "fmt", func(v int) (string, error) { return "v" + strconv.Itoa(2*v), nil }, flinksim.Parallelism(5))
			return flinksim.Collect(m, "out", flinksim.Parallelism(3))
		}, func(t *testing.T, out *flinksim.CollectSink[string]) {
			assertSameMultiset(t, want, out.Values())
		})
	})
}

func TestFlatMap(t *testing.T) {
	in := seq(0, 200)
	var want []int
	for _, v := range in {
		for range v % 4 { // 0 to 3 copies
			want = append(want, v)
		}
	}
	runCollect(t, []flinksim.Option{flinksim.WithParallelism(3)}, func(env *flinksim.Environment) *flinksim.CollectSink[int] {
		src := parallelSlice(env, "src", in)
		fm := flinksim.FlatMap(src, "copies", func(v int, out flinksim.Collector[int]) error {
			for range v % 4 {
				out.Collect(v)
			}
			return nil
		})
		return flinksim.Collect(fm, "out")
	}, func(t *testing.T, out *flinksim.CollectSink[int]) {
		assert.Equal(t, want, out.Values())
	})
}

func TestFilter(t *testing.T) {
	in := seq(0, 500)
	want := slices.DeleteFunc(slices.Clone(in), func(v int) bool { return v%3 != 0 })
	runCollect(t, []flinksim.Option{flinksim.WithParallelism(4)}, func(env *flinksim.Environment) *flinksim.CollectSink[int] {
		src := parallelSlice(env, "src", in)
		f := flinksim.Filter(src, "thirds", func(v int) (bool, error) { return v%3 == 0, nil })
		return flinksim.Collect(f, "out")
	}, func(t *testing.T, out *flinksim.CollectSink[int]) {
		assert.Equal(t, want, out.Values())
	})
}

func TestKeyByReduce(t *testing.T) {
	// One producer: the records of a key reach the reducer in input order,
	// so each key's rolling sums are exact.
	var in []kv
	for i := range 300 {
		in = append(in, kv{K: "k" + strconv.Itoa(i%7), V: i})
	}
	want := make(map[string][]int)
	sums := make(map[string]int)
	for _, r := range in {
		sums[r.K] += r.V
		want[r.K] = append(want[r.K], sums[r.K])
	}
	sum := func(a, b kv) (kv, error) { return kv{K: a.K, V: a.V + b.V}, nil }
	t.Run("one producer", func(t *testing.T) {
		runCollect(t, []flinksim.Option{flinksim.WithParallelism(3)}, func(env *flinksim.Environment) *flinksim.CollectSink[kv] {
			src := parallelSlice(env, "src", in, flinksim.Parallelism(1))
			return flinksim.Collect(flinksim.Reduce(flinksim.KeyBy(src, kvKey), "sum", sum), "out")
		}, func(t *testing.T, out *flinksim.CollectSink[kv]) {
			assert.Equal(t, want, byKey(out.Values()))
		})
	})
	t.Run("many producers", func(t *testing.T) {
		// Records of a key come from several producers in any interleaving:
		// the key emits one rolling sum per record and the largest is the
		// total (values are positive).
		// (The intermediate sums depend on the interleaving: no comparison
		// between executors.)
		forEachExecutor(t, func(t *testing.T, ex executor) {
			env := ex.newEnv(flinksim.WithParallelism(4))
			src := parallelSlice(env, "src", in)
			out := flinksim.Collect(flinksim.Reduce(flinksim.KeyBy(src, kvKey), "sum", sum, flinksim.Parallelism(3)), "out", flinksim.Parallelism(2))
			_, err := env.Execute(t.Context(), "reduce")
			require.NoError(t, err)
			got := byKey(out.Values())
			require.Len(t, got, len(want))
			for k, vs := range got {
				assert.Len(t, vs, len(want[k]), k)
				assert.Equal(t, sums[k], slices.Max(vs), k)
			}
		})
	})
}

// TestKeyTypes: KeyBy works with integer, named and struct keys; struct
// keys with unexported fields need KeyByCodec.
func TestKeyTypes(t *testing.T) {
	type region struct {
		Name string
		Zone int
	}
	type hiddenRegion struct {
		Name string
		zone int
	}
	type myKey int16
	in := seq(0, 300)
	want := map[int]int{}
	for _, v := range in {
		want[v%6]++
	}
	check := func(t *testing.T, got map[int]int) { assert.Equal(t, want, got) }
	countBy := func(t *testing.T, env *flinksim.Environment, build func(s flinksim.Stream[int]) flinksim.Stream[kv]) *flinksim.CollectSink[kv] {
		return flinksim.Collect(build(parallelSlice(env, "src", in)), "out")
	}
	finalCounts := func(out *flinksim.CollectSink[kv]) map[int]int {
		got := map[int]int{}
		for k, vs := range byKey(out.Values()) {
			n, _ := strconv.Atoi(k)
			got[n] = slices.Max(vs)
		}
		return got
	}
	count := func(a, b kv) (kv, error) { return kv{a.K, a.V + b.V}, nil }
	toKV := func(v int) kv { return kv{strconv.Itoa(v % 6), 1} }
	forEachExecutor(t, func(t *testing.T, ex executor) {
		t.Run("int", func(t *testing.T) {
			env := ex.newEnv(flinksim.WithParallelism(3))
			out := countBy(t, env, func(s flinksim.Stream[int]) flinksim.Stream[kv] {
				m := flinksim.Map(s, "kv", func(v int) (kv, error) { return toKV(v), nil })
				return flinksim.Reduce(flinksim.KeyBy(m, func(r kv) int { n, _ := strconv.Atoi(r.K); return n }), "count", count)
			})
			_, err := env.Execute(t.Context(), "int")
			require.NoError(t, err)
			check(t, finalCounts(out))
		})
		t.Run("named int", func(t *testing.T) {
			env := ex.newEnv(flinksim.WithParallelism(3))
			out := countBy(t, env, func(s flinksim.Stream[int]) flinksim.Stream[kv] {
				m := flinksim.Map(s, "kv", func(v int) (kv, error) { return toKV(v), nil })
				return flinksim.Reduce(flinksim.KeyBy(m, func(r kv) myKey { n, _ := strconv.Atoi(r.K); return myKey(n) }), "count", count)
			})
			_, err := env.Execute(t.Context(), "named")
			require.NoError(t, err)
			check(t, finalCounts(out))
		})
		t.Run("struct", func(t *testing.T) {
			env := ex.newEnv(flinksim.WithParallelism(3))
			out := countBy(t, env, func(s flinksim.Stream[int]) flinksim.Stream[kv] {
				m := flinksim.Map(s, "kv", func(v int) (kv, error) { return toKV(v), nil })
				return flinksim.Reduce(flinksim.KeyBy(m, func(r kv) region { return region{Name: "r" + r.K, Zone: len(r.K)} }), "count", count)
			})
			_, err := env.Execute(t.Context(), "struct")
			require.NoError(t, err)
			check(t, finalCounts(out))
		})
		t.Run("struct with an unexported field needs a codec", func(t *testing.T) {
			env := ex.newEnv(flinksim.WithParallelism(3))
			countBy(t, env, func(s flinksim.Stream[int]) flinksim.Stream[kv] {
				m := flinksim.Map(s, "kv", func(v int) (kv, error) { return toKV(v), nil })
				return flinksim.Reduce(flinksim.KeyBy(m, func(r kv) hiddenRegion { return hiddenRegion{Name: "r" + r.K, zone: len(r.K)} }), "count", count)
			})
			_, err := env.Execute(t.Context(), "struct")
			require.ErrorIs(t, err, flinksim.ErrUnstableKey)
			assert.ErrorContains(t, err, "field zone")
			assert.NotErrorIs(t, err, flinksim.ErrNoSink, "follow-on errors are not reported")
		})
		t.Run("custom codec", func(t *testing.T) {
			env := ex.newEnv(flinksim.WithParallelism(3))
			out := countBy(t, env, func(s flinksim.Stream[int]) flinksim.Stream[kv] {
				m := flinksim.Map(s, "kv", func(v int) (kv, error) { return toKV(v), nil })
				return flinksim.Reduce(flinksim.KeyByCodec(m, kvKey, flinksim.Codec[string](flinksim.StringCodec{})), "count", count)
			})
			_, err := env.Execute(t.Context(), "codec")
			require.NoError(t, err)
			check(t, finalCounts(out))
		})
	})
}

func TestUnion(t *testing.T) {
	a, b, c := seq(0, 100), seq(1000, 1050), seq(2000, 2333)
	want := slices.Concat(a, b, c)
	t.Run("three streams", func(t *testing.T) {
		runCollect(t, []flinksim.Option{flinksim.WithParallelism(2)}, func(env *flinksim.Environment) *flinksim.CollectSink[int] {
			sa := parallelSlice(env, "a", a, flinksim.Parallelism(1))
			sb := parallelSlice(env, "b", b)
			sc := parallelSlice(env, "c", c, flinksim.Parallelism(3))
			u := flinksim.Union(sa, sb, sc)
			return flinksim.Collect(flinksim.Map(u, "id", identity[int]), "out")
		}, func(t *testing.T, out *flinksim.CollectSink[int]) {
			assertSameMultiset(t, want, out.Values())
		})
	})
	t.Run("keyed", func(t *testing.T) {
		runCollect(t, []flinksim.Option{flinksim.WithParallelism(3)}, func(env *flinksim.Environment) *flinksim.CollectSink[kv] {
			toKV := func(v int) (kv, error) { return kv{K: strconv.Itoa(v % 5), V: 1}, nil }
			sa := flinksim.Map(parallelSlice(env, "a", a), "ka", toKV)
			sb := flinksim.Map(parallelSlice(env, "b", b), "kb", toKV)
			sc := flinksim.Map(parallelSlice(env, "c", c), "kc", toKV)
			n := flinksim.Reduce(flinksim.KeyBy(flinksim.Union(sa, sb, sc), kvKey), "count",
				func(x, y kv) (kv, error) { return kv{K: x.K, V: x.V + y.V}, nil })
			return flinksim.Collect(n, "out")
		}, func(t *testing.T, out *flinksim.CollectSink[kv]) {
			wantN := make(map[string]int)
			for _, v := range want {
				wantN[strconv.Itoa(v%5)]++
			}
			for k, vs := range byKey(out.Values()) {
				assert.Equal(t, wantN[k], slices.Max(vs), k)
			}
		})
	})
	t.Run("with itself", func(t *testing.T) {
		// As in Flink, a stream united with itself delivers every record twice.
		runCollect(t, []flinksim.Option{flinksim.WithParallelism(2)}, func(env *flinksim.Environment) *flinksim.CollectSink[int] {
			sa := parallelSlice(env, "a", a)
			return flinksim.Collect(flinksim.Map(flinksim.Union(sa, sa), "id", identity[int]), "out")
		}, func(t *testing.T, out *flinksim.CollectSink[int]) {
			assertSameMultiset(t, slices.Concat(a, a), out.Values())
		})
	})
	t.Run("one stream", func(t *testing.T) {
		runCollect(t, []flinksim.Option{flinksim.WithParallelism(2)}, func(env *flinksim.Environment) *flinksim.CollectSink[int] {
			return flinksim.Collect(flinksim.Union(parallelSlice(env, "a", a)), "out")
		}, func(t *testing.T, out *flinksim.CollectSink[int]) {
			assert.Equal(t, a, out.Values())
		})
	})
}

func TestRebalance(t *testing.T) {
	in := seq(0, 100)
	runCollect(t, nil, func(env *flinksim.Environment) *flinksim.CollectSink[int] {
		src := parallelSlice(env, "src", in, flinksim.Parallelism(1))
		return flinksim.Collect(flinksim.Rebalance(src), "out", flinksim.Parallelism(4))
	}, func(t *testing.T, out *flinksim.CollectSink[int]) {
		// Round-robin from one producer: 25 records each, in input order.
		for i := range 4 {
			got := out.Subtask(i)
			assert.Len(t, got, 25, "subtask %d", i)
			assert.True(t, slices.IsSorted(got), "subtask %d: %v", i, got)
		}
		assertSameMultiset(t, in, out.Values())
	})
}

func TestBroadcast(t *testing.T) {
	in := seq(0, 300)
	runCollect(t, nil, func(env *flinksim.Environment) *flinksim.CollectSink[int] {
		src := parallelSlice(env, "src", in, flinksim.Parallelism(2))
		return flinksim.Collect(flinksim.Broadcast(src), "out", flinksim.Parallelism(3))
	}, func(t *testing.T, out *flinksim.CollectSink[int]) {
		for i := range 3 {
			assertSameMultiset(t, in, out.Subtask(i), "subtask %d", i)
		}
		assert.Len(t, out.Values(), 3*len(in))
	})
}

func TestForwardAndChaining(t *testing.T) {
	in := seq(0, 50)
	for _, tc := range []struct {
		name  string
		build func(env *flinksim.Environment) *flinksim.CollectSink[int]
		// want is every task with its parallelism, in graph order.
		want []string
		par  map[string]int
	}{
		{
			name: "default forward chain",
			build: func(env *flinksim.Environment) *flinksim.CollectSink[int] {
				return flinksim.Collect(flinksim.Map(parallelSlice(env, "a", in), "b", identity[int]), "c")
			},
			want: []string{"a -> b -> c"}, par: map[string]int{"a -> b -> c": 2},
		},
		{
			name: "explicit Forward",
			build: func(env *flinksim.Environment) *flinksim.CollectSink[int] {
				b := flinksim.Map(flinksim.Forward(parallelSlice(env, "a", in)), "b", identity[int])
				return flinksim.Collect(flinksim.Forward(b), "c")
			},
			want: []string{"a -> b -> c"}, par: map[string]int{"a -> b -> c": 2},
		},
		{
			name: "rebalance breaks the chain",
			build: func(env *flinksim.Environment) *flinksim.CollectSink[int] {
				return flinksim.Collect(flinksim.Map(flinksim.Rebalance(parallelSlice(env, "a", in)), "b", identity[int]), "c")
			},
			want: []string{"a", "b -> c"}, par: map[string]int{"a": 2, "b -> c": 2},
		},
		{
			name: "parallelism change breaks the chain",
			build: func(env *flinksim.Environment) *flinksim.CollectSink[int] {
				b := flinksim.Map(parallelSlice(env, "a", in), "b", identity[int], flinksim.Parallelism(3))
				return flinksim.Collect(b, "c", flinksim.Parallelism(3))
			},
			want: []string{"a", "b -> c"}, par: map[string]int{"a": 2, "b -> c": 3},
		},
		{
			name: "keyBy breaks the chain",
			build: func(env *flinksim.Environment) *flinksim.CollectSink[int] {
				b := flinksim.Reduce(flinksim.KeyBy(parallelSlice(env, "a", in), func(v int) int { return v % 3 }), "b",
					func(x, y int) (int, error) { return x + y, nil })
				return flinksim.Collect(b, "c")
			},
			want: []string{"a", "b -> c"}, par: map[string]int{"a": 2, "b -> c": 2},
		},
		{
			name: "union input is not chained",
			build: func(env *flinksim.Environment) *flinksim.CollectSink[int] {
				u := flinksim.Union(parallelSlice(env, "a", in), parallelSlice(env, "a2", in))
				return flinksim.Collect(u, "c")
			},
			want: []string{"a", "a2", "c"}, par: map[string]int{"a": 2, "a2": 2, "c": 2},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachExecutor(t, func(t *testing.T, ex executor) {
				env := ex.newEnv(flinksim.WithParallelism(2))
				out := tc.build(env)
				job := startJob(t, env)
				require.NoError(t, job.Wait(t.Context()))
				names, par := taskNames(job)
				assert.Equal(t, tc.want, names)
				assert.Equal(t, tc.par, par)
				assert.NotEmpty(t, out.Values())
			})
		})
	}
}

func TestParallelismOption(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(2))
		var mu sync.Mutex
		seen := make(map[string][]int) // operator -> parallelism seen by each subtask
		open := func(rt *flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
			mu.Lock()
			defer mu.Unlock()
			seen[rt.OperatorName()] = append(seen[rt.OperatorName()], rt.Parallelism())
			return flinksim.SinkWriterFunc[int](func(int) error { return nil }), nil
		}
		src := parallelSlice(env, "src", seq(0, 10))
		flinksim.SinkTo(src, "default", open)
		flinksim.SinkTo(flinksim.Rebalance(src), "five", open, flinksim.Parallelism(5))
		flinksim.SinkTo(flinksim.Rebalance(src), "one", open, flinksim.Parallelism(1))
		job := startJob(t, env)
		require.NoError(t, job.Wait(t.Context()))
		assert.Equal(t, map[string][]int{"default": {2, 2}, "five": {5, 5, 5, 5, 5}, "one": {1}}, seen)
		_, par := taskNames(job)
		assert.Equal(t, map[string]int{"src -> default": 2, "five": 5, "one": 1}, par)
	})
}

func TestMaxParallelismOption(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(2), flinksim.WithMaxParallelism(64))
		var mu sync.Mutex
		seen := make(map[string]int)
		open := func(rt *flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
			mu.Lock()
			defer mu.Unlock()
			seen[rt.OperatorName()] = rt.MaxParallelism()
			return flinksim.SinkWriterFunc[int](func(int) error { return nil }), nil
		}
		src := parallelSlice(env, "src", seq(0, 10))
		flinksim.SinkTo(src, "env", open)
		flinksim.SinkTo(src, "op", open, flinksim.MaxParallelism(7))
		require.NoError(t, startJob(t, env).Wait(t.Context()))
		assert.Equal(t, map[string]int{"env": 64, "op": 7}, seen)
	})
	forEachExecutor(t, func(t *testing.T, ex executor) {
		// Flink's default: 1.5 × parallelism rounded up to a power of two,
		// at least 128.
		env := ex.newEnv(flinksim.WithParallelism(1))
		var mu sync.Mutex
		seen := make(map[int]int)
		open := func(rt *flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
			mu.Lock()
			defer mu.Unlock()
			seen[rt.Parallelism()] = rt.MaxParallelism()
			return flinksim.SinkWriterFunc[int](func(int) error { return nil }), nil
		}
		src := parallelSlice(env, "src", seq(0, 10))
		flinksim.SinkTo(src, "p1", open)
		flinksim.SinkTo(flinksim.Rebalance(src), "p8", open, flinksim.Parallelism(8))
		require.NoError(t, startJob(t, env).Wait(t.Context()))
		assert.Equal(t, map[int]int{1: 128, 8: 128}, seen)
	})
}

func TestSourceSplitting(t *testing.T) {
	for _, tc := range []struct{ count, p int }{{10, 3}, {0, 2}, {2, 5}, {1000, 7}, {1, 1}} {
		t.Run(fmt.Sprintf("count=%d/p=%d", tc.count, tc.p), func(t *testing.T) {
			// Subtask s gets [count*s/p, count*(s+1)/p), in order.
			check := func(t *testing.T, out *flinksim.CollectSink[int]) {
				for s := range tc.p {
					want := seq(tc.count*s/tc.p, tc.count*(s+1)/tc.p)
					if len(want) == 0 {
						want = nil
					}
					assert.Equal(t, want, out.Subtask(s), "subtask %d", s)
				}
			}
			opts := []flinksim.Option{flinksim.WithParallelism(tc.p)}
			t.Run("Generate", func(t *testing.T) {
				runCollect(t, opts, func(env *flinksim.Environment) *flinksim.CollectSink[int] {
					return flinksim.Collect(flinksim.Generate(env, "gen", int64(tc.count), func(i int64) (int, error) { return int(i), nil }), "out")
				}, check)
			})
			t.Run("FromSlice", func(t *testing.T) {
				runCollect(t, opts, func(env *flinksim.Environment) *flinksim.CollectSink[int] {
					return flinksim.Collect(parallelSlice(env, "slice", seq(0, tc.count)), "out")
				}, check)
			})
		})
	}
}

func TestPrint(t *testing.T) {
	in := seq(0, 30)
	for _, p := range []int{1, 3} {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) {
			forEachExecutor(t, func(t *testing.T, ex executor) {
				var buf bytes.Buffer
				env := ex.newEnv(flinksim.WithParallelism(p))
				flinksim.Print(parallelSlice(env, "src", in), "print", &buf)
				_, err := env.Execute(t.Context(), "print")
				require.NoError(t, err)
				var want []string
				for s := range p {
					for _, v := range seq(len(in)*s/p, len(in)*(s+1)/p) {
						if p > 1 {
							want = append(want, fmt.Sprintf("%d> %d", s+1, v))
						} else {
							want = append(want, strconv.Itoa(v))
						}
					}
				}
				got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
				assert.True(t, strings.HasSuffix(buf.String(), "\n"))
				assertSameMultiset(t, want, got)
				if p == 1 {
					assert.Equal(t, want, got)
				}
			})
		})
	}
}

func TestSink(t *testing.T) {
	in := seq(0, 1000)
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(3))
		var mu sync.Mutex // Sink's function runs on several subtasks at once
		var got []int
		flinksim.Sink(flinksim.Rebalance(parallelSlice(env, "src", in)), "sink", func(v int) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, v)
			return nil
		})
		_, err := env.Execute(t.Context(), "sink")
		require.NoError(t, err)
		assertSameMultiset(t, in, got)
	})
}

// lifecycleWriter records the calls a sink subtask gets.
type lifecycleWriter struct {
	log     *[]string
	mu      *sync.Mutex
	subtask int
	n       int
}

func (w *lifecycleWriter) Write(int) error { w.n++; return nil }

func (w *lifecycleWriter) Flush(end bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	*w.log = append(*w.log, fmt.Sprintf("%d flush(%t) after %d", w.subtask, end, w.n))
	return nil
}

func (w *lifecycleWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	*w.log = append(*w.log, fmt.Sprintf("%d close", w.subtask))
	return nil
}

func TestSinkToLifecycle(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(3))
		var mu sync.Mutex
		var log []string
		flinksim.SinkTo(parallelSlice(env, "src", seq(0, 30)), "sink", func(rt *flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
			assert.Equal(t, "sink", rt.OperatorName())
			assert.Equal(t, 3, rt.Parallelism())
			return &lifecycleWriter{log: &log, mu: &mu, subtask: rt.Subtask()}, nil
		})
		_, err := env.Execute(t.Context(), "sinkto")
		require.NoError(t, err)
		// Per subtask: one Flush(true) after all its 10 records, then Close.
		for s := range 3 {
			var mine []string
			for _, l := range log {
				if strings.HasPrefix(l, strconv.Itoa(s)+" ") {
					mine = append(mine, l)
				}
			}
			assert.Equal(t, []string{fmt.Sprintf("%d flush(true) after 10", s), fmt.Sprintf("%d close", s)}, mine)
		}
	})
}

func TestCollectSink(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(2))
		out := flinksim.Collect(parallelSlice(env, "src", []string{"a", "b", "c", "d"}), "out")
		assert.Empty(t, out.Values(), "nothing before the job runs")
		_, err := env.Execute(t.Context(), "collect")
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b"}, out.Subtask(0))
		assert.Equal(t, []string{"c", "d"}, out.Subtask(1))
		assert.Nil(t, out.Subtask(2))
		assert.Nil(t, out.Subtask(-1))
		assert.Equal(t, []string{"a", "b", "c", "d"}, out.Values())
		// Subtask returns a copy.
		out.Subtask(0)[0] = "x"
		assert.Equal(t, "a", out.Subtask(0)[0])
	})
}

// TestFanOut: one stream feeding several operators gives each all records.
func TestFanOut(t *testing.T) {
	in := seq(0, 200)
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(2))
		src := parallelSlice(env, "src", in)
		a := flinksim.Collect(src, "a")
		b := flinksim.Collect(flinksim.Rebalance(src), "b", flinksim.Parallelism(3))
		c := flinksim.Collect(flinksim.Map(src, "m", identity[int]), "c")
		_, err := env.Execute(t.Context(), "fanout")
		require.NoError(t, err)
		assert.Equal(t, in, a.Values())
		assertSameMultiset(t, in, b.Values())
		assert.Equal(t, in, c.Values())
	})
}

// TestBatchSizes runs a shuffle with batch sizes around the record count.
func TestBatchSizes(t *testing.T) {
	in := seq(0, 97)
	for _, bs := range []int{1, 2, 96, 97, 98, 1000} {
		t.Run(strconv.Itoa(bs), func(t *testing.T) {
			runCollect(t, []flinksim.Option{flinksim.WithBatchSize(bs), flinksim.WithParallelism(2)},
				func(env *flinksim.Environment) *flinksim.CollectSink[int] {
					return flinksim.Collect(flinksim.Rebalance(parallelSlice(env, "src", in)), "out", flinksim.Parallelism(3))
				}, func(t *testing.T, out *flinksim.CollectSink[int]) {
					assertSameMultiset(t, in, out.Values())
				})
		})
	}
}
