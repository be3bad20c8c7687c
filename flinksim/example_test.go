package flinksim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// This example is the quick start of README.md, line for line: keep the two
// in step.
func Example() {
	type wordCount struct {
		Word string
		N    int
	}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	lines := flinksim.FromSlice(env, "lines", []string{"to be or not to be", "that is the question"})
	words := flinksim.FlatMap(lines, "split", func(line string, out flinksim.Collector[wordCount]) error {
		for _, w := range strings.Fields(line) {
			out.Collect(wordCount{w, 1})
		}
		return nil
	})
	byWord := flinksim.KeyBy(words, func(c wordCount) string { return c.Word })
	counts := flinksim.Reduce(byWord, "count", func(acc, c wordCount) (wordCount, error) {
		return wordCount{acc.Word, acc.N + c.N}, nil
	})
	sink := flinksim.Collect(counts, "collect")
	if _, err := env.Execute(context.Background(), "wordcount"); err != nil {
		log.Fatal(err)
	}
	total := map[string]int{}
	for _, c := range sink.Values() {
		total[c.Word] = c.N // Reduce emits a running count: the last one is the total
	}
	for _, w := range slices.Sorted(maps.Keys(total)) {
		fmt.Printf("%s\t%d\n", w, total[w])
	}
	// Output:
	// be	2
	// is	1
	// not	1
	// or	1
	// question	1
	// that	1
	// the	1
	// to	2
}

func ExampleMap() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	nums := flinksim.FromSlice(env, "numbers", []int{1, 2, 3})
	squares := flinksim.Map(nums, "square", func(n int) (int, error) { return n * n, nil })
	sink := flinksim.Collect(squares, "collect")
	if _, err := env.Execute(context.Background(), "squares"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sink.Values())
	// Output:
	// [1 4 9]
}

func ExampleFlatMap() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	lines := flinksim.FromSlice(env, "lines", []string{"a b", "", "c"})
	words := flinksim.FlatMap(lines, "split", func(line string, out flinksim.Collector[string]) error {
		for _, w := range strings.Fields(line) {
			out.Collect(w)
		}
		return nil
	})
	sink := flinksim.Collect(words, "collect")
	if _, err := env.Execute(context.Background(), "split"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sink.Values())
	// Output:
	// [a b c]
}

func ExampleFilter() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	nums := flinksim.Generate(env, "numbers", 10, func(i int64) (int64, error) { return i, nil })
	even := flinksim.Filter(nums, "even", func(n int64) (bool, error) { return n%2 == 0, nil })
	sink := flinksim.Collect(even, "collect")
	if _, err := env.Execute(context.Background(), "even"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sink.Values())
	// Output:
	// [0 2 4 6 8]
}

func ExampleKeyBy() {
	type sale struct {
		Shop   string
		Amount int
	}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(4))
	sales := flinksim.FromSlice(env, "sales", []sale{
		{"north", 10}, {"south", 5}, {"north", 7}, {"east", 1}, {"south", 3},
	})
	byShop := flinksim.KeyBy(sales, func(s sale) string { return s.Shop })
	totals := flinksim.Reduce(byShop, "total", func(acc, s sale) (sale, error) {
		return sale{acc.Shop, acc.Amount + s.Amount}, nil
	})
	sink := flinksim.Collect(totals, "collect")
	if _, err := env.Execute(context.Background(), "totals"); err != nil {
		fmt.Println(err)
		return
	}
	// Every record of a shop went to the same subtask, in order, so the
	// last running total of each shop is its final one.
	final := map[string]int{}
	for _, s := range sink.Values() {
		final[s.Shop] = s.Amount
	}
	for _, shop := range slices.Sorted(maps.Keys(final)) {
		fmt.Println(shop, final[shop])
	}
	// Output:
	// east 1
	// north 17
	// south 8
}

func ExampleProcess() {
	type login struct {
		User string
		Day  int
	}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	// One source subtask keeps each user's logins in order.
	logins := flinksim.FromSlice(env, "logins", []login{
		{"ann", 1}, {"bob", 1}, {"ann", 2}, {"ann", 9}, {"bob", 3},
	}, flinksim.Parallelism(1))
	// Report a user who comes back after a gap of more than five days.
	alerts := flinksim.Process(flinksim.KeyBy(logins, func(l login) string { return l.User }), "returning",
		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, login, string], error) {
			last := flinksim.NewValueState[int](rt, "last-day")
			return flinksim.ProcessFunc[string, login, string](
				func(ctx *flinksim.KeyedContext[string], l login, out flinksim.Collector[string]) error {
					if prev, ok := last.Value(); ok && l.Day-prev > 5 {
						out.Collect(fmt.Sprintf("%s is back on day %d after %d days", ctx.Key(), l.Day, l.Day-prev))
					}
					last.Update(l.Day)
					return nil
				}), nil
		})
	sink := flinksim.Collect(alerts, "collect")
	if _, err := env.Execute(context.Background(), "returning-users"); err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range sink.Values() {
		fmt.Println(a)
	}
	// Output:
	// ann is back on day 9 after 7 days
}

func ExampleUnion() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	web := flinksim.FromSlice(env, "web", []string{"w1", "w2", "w3"})
	app := flinksim.FromSlice(env, "app", []string{"a1", "a2"})
	all := flinksim.Map(flinksim.Union(web, app), "upper", func(s string) (string, error) {
		return strings.ToUpper(s), nil
	})
	sink := flinksim.Collect(all, "collect")
	if _, err := env.Execute(context.Background(), "union"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(slices.Sorted(slices.Values(sink.Values())))
	// Output:
	// [A1 A2 W1 W2 W3]
}

func ExampleEnvironment_Execute() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	nums := flinksim.FromSlice(env, "numbers", []int{1, 2, 3, 4})
	odd := flinksim.Filter(nums, "odd", func(n int) (bool, error) { return n%2 == 1, nil })
	flinksim.Sink(odd, "discard", func(int) error { return nil })
	res, err := env.Execute(context.Background(), "odd-numbers")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range res.Metrics {
		fmt.Printf("%s[%d] numRecordsIn=%d numRecordsOut=%d\n", m.Operator, m.Subtask, m.RecordsIn, m.RecordsOut)
	}
	// Output:
	// numbers[0] numRecordsIn=0 numRecordsOut=4
	// odd[0] numRecordsIn=4 numRecordsOut=2
	// discard[0] numRecordsIn=2 numRecordsOut=0
}

// Graph errors are all reported by Execute (or Start), joined; each matches
// its sentinel.
func ExampleEnvironment_Execute_graphErrors() {
	env := flinksim.NewEnvironment()
	a := flinksim.FromSlice(env, "numbers", []int{1})
	b := flinksim.Map(a, "numbers", func(n int) (int, error) { return n, nil })
	_ = flinksim.Map(b, "double", func(n int) (int, error) { return 2 * n, nil })
	_, err := env.Execute(context.Background(), "broken")
	fmt.Println(errors.Is(err, flinksim.ErrDuplicateName))
	fmt.Println(errors.Is(err, flinksim.ErrNoSink))
	// Output:
	// true
	// true
}

func ExampleOperatorError() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	nums := flinksim.FromSlice(env, "numbers", []int{1, 2, 0, 4})
	inv := flinksim.Map(nums, "invert", func(n int) (int, error) {
		if n == 0 {
			return 0, errors.New("division by zero")
		}
		return 12 / n, nil
	})
	flinksim.Sink(inv, "discard", func(int) error { return nil })
	_, err := env.Execute(context.Background(), "invert")
	var oe *flinksim.OperatorError
	if errors.As(err, &oe) {
		fmt.Printf("operator %q, subtask %d: %v\n", oe.Operator, oe.Subtask, oe.Err)
	}
	// Output:
	// operator "invert", subtask 0: division by zero
}

func ExampleWithSimulation() {
	run := func(seed uint64) (trace string, sum int) {
		var buf bytes.Buffer
		env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(2),
			flinksim.WithSimulation(seed, &buf))
		nums := flinksim.FromSlice(env, "numbers", []int{1, 2, 3, 4, 5, 6})
		doubled := flinksim.Map(flinksim.Rebalance(nums), "double", func(n int) (int, error) { return 2 * n, nil })
		sink := flinksim.Collect(doubled, "collect")
		if _, err := env.Execute(context.Background(), "simulated"); err != nil {
			log.Fatal(err)
		}
		for _, v := range sink.Values() {
			sum += v
		}
		return buf.String(), sum
	}
	trace, sum := run(42)
	again, _ := run(42)
	fmt.Println("sum:", sum)
	fmt.Println("same seed, same trace:", trace == again)
	fmt.Print(strings.Join(strings.SplitAfter(trace, "\n")[:8], ""))
	// Output:
	// sum: 42
	// same seed, same trace: true
	// 0s job attempt 1
	// 1ms numbers (0) poll -> 2 records
	// 2ms numbers (0) poll -> 2 records
	// 3ms double -> collect (1) <- in0 batch n=2
	// 4ms numbers (0) poll -> 2 records
	// 4ms numbers (0) end-of-input
	// 4ms numbers (0) finished
	// 5ms double -> collect (0) <- in0 batch n=2
}

func ExampleCollect() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	letters := flinksim.Generate(env, "letters", 5, func(i int64) (string, error) { return string(rune('a' + i)), nil })
	sink := flinksim.Collect(letters, "collect")
	if _, err := env.Execute(context.Background(), "letters"); err != nil {
		fmt.Println(err)
		return
	}
	// Generate gives each subtask a contiguous part of its range, and the
	// forward edge keeps it on the same subtask of the sink.
	fmt.Println(sink.Subtask(0), sink.Subtask(1))
	fmt.Println(sink.Values())
	// Output:
	// [a b] [c d e]
	// [a b c d e]
}

func ExamplePrint() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	greetings := flinksim.FromSlice(env, "greetings", []string{"hello", "world"})
	flinksim.Print(greetings, "print", nil)
	if _, err := env.Execute(context.Background(), "print"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// hello
	// world
}

func ExampleCodecFor() {
	type userID string
	ints := flinksim.CodecFor[int]()
	b, _ := ints.Append(nil, 258)
	n, err := ints.Decode(b)
	fmt.Printf("%x %d %v\n", b, n, err)

	ids := flinksim.CodecFor[userID]()
	b, _ = ids.Append(nil, "ann")
	id, err := ids.Decode(b)
	fmt.Printf("%q %q %v\n", b, id, err)

	_, err = ints.Decode([]byte{1, 2})
	fmt.Println(errors.Is(err, flinksim.ErrDecode))
	// Output:
	// 0000000000000102 258 <nil>
	// "ann" "ann" <nil>
	// true
}

func ExampleJSONCodec() {
	type session struct {
		User  string `json:"user"`
		Pages int    `json:"pages"`
	}
	c := flinksim.JSONCodec[session]{}
	b, err := c.Append(nil, session{User: "ann", Pages: 3})
	fmt.Println(string(b), err)
	s, err := c.Decode(b)
	fmt.Println(s, err)
	// Output:
	// {"user":"ann","pages":3} <nil>
	// {ann 3} <nil>
}

// WithCodec chooses how a state is written into snapshots: here as JSON.
// A state whose type the default codec cannot round-trip (a struct with
// unexported fields, say) must be given one; without it the operator fails
// as it opens, with ErrNeedsCodec.
func ExampleWithCodec() {
	type visits struct {
		Count int `json:"count"`
	}
	codec := flinksim.JSONCodec[visits]{}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	pages := flinksim.FromSlice(env, "pages", []string{"/a", "/b", "/a"})
	counts := flinksim.Process(flinksim.KeyBy(pages, func(p string) string { return p }), "count",
		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, string, string], error) {
			v := flinksim.NewValueState[visits](rt, "visits", flinksim.WithCodec[visits](codec))
			return flinksim.ProcessFunc[string, string, string](func(ctx *flinksim.KeyedContext[string], p string, out flinksim.Collector[string]) error {
				n, _ := v.Value()
				n.Count++
				v.Update(n)
				out.Collect(fmt.Sprintf("%s %d", p, n.Count))
				return nil
			}), nil
		})
	sink := flinksim.Collect(counts, "out")
	if _, err := env.Execute(context.Background(), "visits"); err != nil {
		fmt.Println(err)
	}
	fmt.Println(sink.Values())
	// Output:
	// [/a 1 /b 1 /a 2]
}

func ExampleWithTracer() {
	var kinds []string
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithSimulation(7, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond}),
		flinksim.WithTracer(func(ev flinksim.TraceEvent) {
			switch ev.Kind {
			case flinksim.TraceBlocked, flinksim.TraceSnapshot, flinksim.TraceCompleted:
				if ev.Checkpoint == 1 {
					kinds = append(kinds, ev.String())
				}
			}
		}))
	a := flinksim.FromSlice(env, "a", []int{1, 2, 3})
	b := flinksim.FromSlice(env, "b", []int{10, 20, 30})
	flinksim.Collect(flinksim.Map(flinksim.Union(a, b), "merge", func(n int) (int, error) { return n, nil }), "out")
	if _, err := env.Execute(context.Background(), "traced"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Join(kinds, "\n"))
	// Output:
	// a (0) snapshot 1 (0 bytes)
	// b (0) snapshot 1 (0 bytes)
	// merge -> out (0) blocked in1 (checkpoint 1)
	// merge -> out (0) snapshot 1 (0 bytes)
	// job complete 1 (357 bytes)
	// merge -> out (0) complete 1
	// b (0) complete 1
	// a (0) complete 1
}
