// Command wordcount counts the words of a text with a flinksim dataflow.
//
//	go run ./examples/wordcount [--parallelism N] [FILE]
//
// prints "word<TAB>count" lines sorted by word. Words are
// whitespace-separated tokens, as strings.Fields splits them,
// case-sensitive. Without FILE it counts a built-in text.
//
//	go run ./examples/wordcount --checkpoint-dir DIR --output OUT \
//		[--checkpoint-interval 100ms] [--parallelism N] FILE
//
// writes, for every occurrence of a word in FILE, one line "word<TAB>n",
// n being the count of the word so far, exactly once into files in the
// directory OUT, and nothing on standard output. It takes a checkpoint
// every checkpoint interval into DIR, and a file of OUT becomes visible
// only once a checkpoint covering it completed; files of OUT whose names
// start with "." are unfinished and are not output, so "cat OUT/*" reads
// the output. If the process dies, even by kill -9, running the same
// command again resumes from the latest checkpoint, and once the input is
// done OUT holds exactly the lines of an uninterrupted run. The end of the
// job is recorded in DIR: a run that finds the job complete says so and
// exits with status 0. One process at a time runs a job: DIR and OUT are
// locked while it does. DIR records a SHA-256 of FILE, so a FILE changed
// since the job started is refused, and OUT relative to DIR, so the two
// directories can be moved together.
//
// With --savepoint-dir SP, an interrupt (Ctrl-C, SIGTERM) stops the job
// with a savepoint in SP instead of cancelling it: it prints the
// savepoint's path and exits with status 0. --from-savepoint PATH starts
// the job from such a savepoint (in a new --checkpoint-dir, or the same
// one), and --parallelism may differ from the run that took it, as it may
// when resuming from the latest checkpoint: the state is rescaled.
//
// With --help, wordcount prints its usage and exits with status 0; on any
// error it prints one line and exits with status 2.
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
	"syscall"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // the usage was asked for, and printed
		}
		fmt.Fprintln(os.Stderr, "wordcount:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wordcount", flag.ContinueOnError)
	fs.SetOutput(stderr)
	parallelism := fs.Int("parallelism", runtime.GOMAXPROCS(0), "parallelism of every operator")
	output := fs.String("output", "", "write a line \"word<TAB>n\" per word occurrence, exactly once, into files in directory `OUT` (needs --checkpoint-dir and FILE)")
	checkpointDir := fs.String("checkpoint-dir", "", "keep checkpoints in directory `DIR`, and resume from the latest one (with --output)")
	interval := fs.Duration("checkpoint-interval", 100*time.Millisecond, "time between checkpoints (with --output)")
	savepointDir := fs.String("savepoint-dir", "", "on an interrupt, stop with a savepoint in directory `SP` and print its path (with --output)")
	fromSavepoint := fs.String("from-savepoint", "", "start from the savepoint at `PATH` (with --output)")
	dash := fs.String("dashboard", "", "serve the job's dashboard, Flink's REST API and /metrics at `ADDR` (HOST:PORT; loopback if no HOST) while it runs")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wordcount [--parallelism N] [--dashboard ADDR] [FILE]")
		fmt.Fprintln(stderr, "       wordcount --checkpoint-dir DIR --output OUT [--checkpoint-interval D] [--parallelism N]")
		fmt.Fprintln(stderr, "                 [--savepoint-dir SP] [--from-savepoint PATH] FILE")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if fs.NArg() > 1 {
		fs.Usage()
		return fmt.Errorf("want at most one FILE, got %d", fs.NArg())
	}
	if *parallelism < 1 {
		return fmt.Errorf("--parallelism must be at least 1, got %d", *parallelism)
	}
	if set["output"] || set["checkpoint-dir"] || set["checkpoint-interval"] || set["savepoint-dir"] || set["from-savepoint"] {
		switch {
		case set["output"] && *output == "":
			return errors.New("--output needs a directory, got \"\"")
		case *output == "":
			return errors.New("--checkpoint-dir, --checkpoint-interval, --savepoint-dir and --from-savepoint are for --output mode: add --output OUT")
		case set["savepoint-dir"] && *savepointDir == "":
			return errors.New("--savepoint-dir needs a directory, got \"\"")
		case set["from-savepoint"] && *fromSavepoint == "":
			return errors.New("--from-savepoint needs a savepoint's path, got \"\"")
		case *checkpointDir == "" && set["checkpoint-dir"]:
			return errors.New("--checkpoint-dir needs a directory, got \"\"")
		case *checkpointDir == "":
			return errors.New("--output needs --checkpoint-dir DIR, a directory")
		case fs.NArg() != 1:
			return errors.New("--output needs an input FILE")
		case *interval <= 0:
			return fmt.Errorf("--checkpoint-interval must be positive, got %v", *interval)
		}
		return runOutput(ctx, outputConfig{
			input: fs.Arg(0), output: *output, checkpointDir: *checkpointDir,
			interval: *interval, parallelism: *parallelism,
			savepointDir: *savepointDir, fromSavepoint: *fromSavepoint, dashboard: *dash,
		}, stderr)
	}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(*parallelism))
	var lines flinksim.Stream[string]
	if fs.NArg() == 1 {
		if _, err := checkInput(fs.Arg(0)); err != nil {
			return err
		}
		lines = flinksim.TextFile(env, "lines", fs.Arg(0))
	} else {
		lines = flinksim.FromSlice(env, "lines", strings.Split(builtinText, "\n"))
	}
	result := countWords(lines)
	job, stop, err := startJob(ctx, env, *dash, stderr)
	if err != nil {
		return err
	}
	err = job.Wait(context.WithoutCancel(ctx))
	stop()
	if err != nil {
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
