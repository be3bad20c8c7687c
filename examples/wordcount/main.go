// Command wordcount counts the words of a text with a flinksim dataflow and
// prints "word<TAB>count" lines sorted by word.
//
//	go run ./examples/wordcount [--parallelism N] [FILE]
//
// Words are whitespace-separated tokens, as strings.Fields splits them,
// case-sensitive. Without FILE it counts a built-in text.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"

	"github.com/flinksim/go-flinksim/flinksim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "wordcount:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wordcount", flag.ContinueOnError)
	fs.SetOutput(stderr)
	parallelism := fs.Int("parallelism", runtime.GOMAXPROCS(0), "parallelism of every operator")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wordcount [--parallelism N] [FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return fmt.Errorf("want at most one FILE, got %d", fs.NArg())
	}
	if *parallelism < 1 {
		return fmt.Errorf("--parallelism must be at least 1, got %d", *parallelism)
	}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(*parallelism))
	var lines flinksim.Stream[string]
	if fs.NArg() == 1 {
		lines = flinksim.TextFile(env, "lines", fs.Arg(0))
	} else {
		lines = flinksim.FromSlice(env, "lines", strings.Split(builtinText, "\n"))
	}
	result := countWords(lines)
	if _, err := env.Execute(ctx, "wordcount"); err != nil {
		return err
	}
	return printCounts(stdout, result.byWord)
}

func printCounts(w io.Writer, byWord map[string]int64) error {
	words := make([]string, 0, len(byWord))
	for word := range byWord {
		words = append(words, word)
	}
	slices.Sort(words)
	bw := bufio.NewWriterSize(w, 64<<10)
	for _, word := range words {
		fmt.Fprintf(bw, "%s\t%d\n", word, byWord[word])
	}
	return bw.Flush()
}
