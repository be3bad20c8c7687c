package flinksim_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/flinksim/go-flinksim/flinksim"
)

func ExampleProcessStream() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	lines := flinksim.FromSlice(env, "lines", []string{"ok", "", "fine"})
	empty := flinksim.NewOutputTag[int]("empty")
	lengths := flinksim.ProcessStream(lines, "lengths",
		func(rt *flinksim.RuntimeContext) (flinksim.ProcessFunction[string, string], error) {
			prefix := fmt.Sprintf("%s/%d: ", rt.OperatorName(), rt.Subtask())
			return flinksim.ProcessStreamFunc[string, string](func(ctx *flinksim.ProcessContext, line string, out flinksim.Collector[string]) error {
				if line == "" {
					flinksim.Output(ctx, empty, 1)
					return nil
				}
				out.Collect(fmt.Sprintf("%s%s has %d bytes", prefix, line, len(line)))
				return nil
			}), nil
		})
	out := flinksim.Collect(lengths, "out")
	empties := flinksim.Collect(flinksim.SideOutput(lengths, empty), "empties")
	if _, err := env.Execute(context.Background(), "lengths"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Join(out.Values(), "\n"))
	fmt.Println("empty lines:", len(empties.Values()))
	// Output:
	// lengths/0: ok has 2 bytes
	// lengths/0: fine has 4 bytes
	// empty lines: 1
}

// upper is a MapFunction with per-subtask setup and a Close.
type upper struct {
	cache map[string]string
}

func (u *upper) Map(_ *flinksim.ProcessContext, s string) (string, error) {
	if r, ok := u.cache[s]; ok {
		return r + " (cached)", nil
	}
	u.cache[s] = strings.ToUpper(s)
	return u.cache[s], nil
}

func (u *upper) Close() error {
	fmt.Println("closing a cache of", len(u.cache))
	return nil
}

func ExampleRichMap() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	words := flinksim.FromSlice(env, "words", []string{"go", "flink", "go"})
	shouted := flinksim.RichMap(words, "upper", func(rt *flinksim.RuntimeContext) (flinksim.MapFunction[string, string], error) {
		return &upper{cache: make(map[string]string)}, nil // one cache per subtask
	})
	out := flinksim.Collect(shouted, "out")
	if _, err := env.Execute(context.Background(), "shout"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Values())
	// Output:
	// closing a cache of 2
	// [GO FLINK GO (cached)]
}
