package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// referenceCounts is the plain single-goroutine word count.
func referenceCounts(text string) map[string]int64 {
	counts := make(map[string]int64)
	for _, line := range strings.Split(text, "\n") {
		for _, w := range strings.Fields(line) {
			counts[w]++
		}
	}
	return counts
}

func render(t *testing.T, counts map[string]int64) string {
	var buf bytes.Buffer
	require.NoError(t, printCounts(&buf, counts))
	return buf.String()
}

func TestWordcountBuiltinText(t *testing.T) {
	for p := 1; p <= 4; p++ {
		var out, errOut bytes.Buffer
		require.NoError(t, run(context.Background(), []string{"--parallelism", strconv.Itoa(p)}, &out, &errOut))
		assert.Equal(t, render(t, referenceCounts(builtinText)), out.String(), "parallelism %d", p)
		assert.Empty(t, errOut.String())
	}
}

func TestWordcountFile(t *testing.T) {
	// Tabs, carriage returns, blank lines, a unicode space, a long line,
	// no trailing newline: the count must equal strings.Fields'.
	text := "a b\tc\r\n\n  a  \u2003b\nZ z z " + strings.Repeat("long ", 70000) + "\nend"
	path := filepath.Join(t.TempDir(), "in.txt")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	for p := 1; p <= 5; p++ {
		var out bytes.Buffer
		require.NoError(t, run(context.Background(), []string{"--parallelism", strconv.Itoa(p), path}, &out, &bytes.Buffer{}))
		assert.Equal(t, render(t, referenceCounts(text)), out.String(), "parallelism %d", p)
	}
}

func TestWordcountBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"--parallelism", "0"},
		{"a", "b"},
		{"--no-such-flag"},
		{filepath.Join(t.TempDir(), "missing.txt")},
	} {
		err := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{})
		assert.Error(t, err, "%q", args)
	}
	// A missing FILE is reported before the job runs, in a line (see
	// TestWordcountInputErrors), not as the source operator's failure.
	var oe *flinksim.OperatorError
	err := run(context.Background(), []string{filepath.Join(t.TempDir(), "missing.txt")}, &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	assert.False(t, errors.As(err, &oe), "%v", err)
}

// benchmarkLines is the input: 100,000 lines of 10 words, word k
// being "w" + (k*7919 % 1000).
func benchmarkLines() []string {
	lines := make([]string, 100_000)
	var sb strings.Builder
	k := 0
	for i := range lines {
		sb.Reset()
		for j := 0; j < 10; j++ {
			if j > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString("w")
			sb.WriteString(strconv.Itoa(k * 7919 % 1000))
			k++
		}
		lines[i] = sb.String()
	}
	return lines
}

const benchmarkWords = 1_000_000

// BenchmarkWordcount compares the dataflow at parallelism 1 and 2 with a
// plain single-goroutine loop on the same input, in one run.
func BenchmarkWordcount(b *testing.B) {
	lines := benchmarkLines()
	b.Run("plain-loop", func(b *testing.B) {
		measure(b, func() map[string]int64 {
			counts := make(map[string]int64)
			for _, line := range lines {
				for _, w := range strings.Fields(line) {
					counts[w]++
				}
			}
			return counts
		})
	})
	for _, p := range []int{1, 2} {
		b.Run(fmt.Sprintf("parallelism-%d", p), func(b *testing.B) {
			measure(b, func() map[string]int64 {
				env := flinksim.NewEnvironment(flinksim.WithParallelism(p))
				result := countWords(parallelLines(env, lines))
				if _, err := env.Execute(context.Background(), "wordcount"); err != nil {
					b.Fatal(err)
				}
				return result.byWord
			})
		})
	}
}

func measure(b *testing.B, count func() map[string]int64) {
	measureWords(b, benchmarkWords, count, 1000)
}

// measureWords runs count, which counts words words in which "w0" appears
// w0 times, and reports words/s and allocations per word.
func measureWords(b *testing.B, words int, count func() map[string]int64, w0 int64) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for b.Loop() {
		if got := count(); len(got) != 1000 || got["w0"] != w0 {
			b.Fatalf("wrong counts: %d words, w0=%d", len(got), got["w0"])
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	total := float64(words) * float64(b.N)
	b.ReportMetric(total/elapsed.Seconds(), "words/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/word")
}

// BenchmarkCheckpointOverhead runs the word count at parallelism 2 on 5M
// words (the benchmark input five times) with checkpointing off and with
// exactly-once checkpoints every 100ms, in one run.
func BenchmarkCheckpointOverhead(b *testing.B) {
	var lines []string
	for range 5 {
		lines = append(lines, benchmarkLines()...)
	}
	for _, bc := range []struct {
		name string
		opts []flinksim.Option
	}{
		{"off", nil},
		{"exactly-once-100ms", []flinksim.Option{flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 100 * time.Millisecond})}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			checkpoints := int64(0)
			measureWords(b, 5*benchmarkWords, func() map[string]int64 {
				env := flinksim.NewEnvironment(append([]flinksim.Option{flinksim.WithParallelism(2)}, bc.opts...)...)
				result := countWords(parallelLines(env, lines))
				res, err := env.Execute(context.Background(), "wordcount")
				if err != nil {
					b.Fatal(err)
				}
				checkpoints += res.Checkpoints.NumberOfCompletedCheckpoints
				return result.byWord
			}, 5000)
			b.ReportMetric(float64(checkpoints)/float64(b.N), "checkpoints/op")
		})
	}
}

// parallelLines is a parallel source of lines: each subtask reads a
// contiguous part. (FromSlice is non-parallel.)
func parallelLines(env *flinksim.Environment, lines []string) flinksim.Stream[string] {
	return flinksim.Generate(env, "lines", int64(len(lines)), func(i int64) (string, error) { return lines[i], nil })
}
