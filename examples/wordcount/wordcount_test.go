package main

import (
	"bytes"
	"context"
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
	var oe *flinksim.OperatorError
	err := run(context.Background(), []string{filepath.Join(t.TempDir(), "missing.txt")}, &bytes.Buffer{}, &bytes.Buffer{})
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "lines", oe.Operator)
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
				result := countWords(flinksim.FromSlice(env, "lines", lines))
				if _, err := env.Execute(context.Background(), "wordcount"); err != nil {
					b.Fatal(err)
				}
				return result.byWord
			})
		})
	}
}

func measure(b *testing.B, count func() map[string]int64) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for b.Loop() {
		if got := count(); len(got) != 1000 || got["w0"] != 1000 {
			b.Fatalf("wrong counts: %d words, w0=%d", len(got), got["w0"])
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	words := float64(benchmarkWords) * float64(b.N)
	b.ReportMetric(words/elapsed.Seconds(), "words/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/words, "allocs/word")
}
