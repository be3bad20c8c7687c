package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// generateText returns a text of about words words from a seeded PRNG:
// a skewed vocabulary, lines of 0 to 15 words, separated by spaces or
// tabs, some lines ending in "\r\n".
func generateText(seed uint64, words int) string {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var sb strings.Builder
	for n := 0; n < words; {
		k := rng.IntN(16)
		for i := range k {
			if i > 0 {
				sb.WriteString([]string{" ", " ", " ", "\t", "  "}[rng.IntN(5)])
			}
			// Skewed: a few words are frequent, most are rare.
			sb.WriteString("w")
			sb.WriteString(strconv.Itoa(int(rng.ExpFloat64() * rng.ExpFloat64() * 100)))
		}
		n += k
		if rng.IntN(20) == 0 {
			sb.WriteByte('\r')
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// expectedLines is the output of --output for text, sorted: for every
// word, the lines "word<TAB>1" to "word<TAB>count".
func expectedLines(text string) []string {
	var lines []string
	for w, c := range referenceCounts(text) {
		for n := int64(1); n <= c; n++ {
			lines = append(lines, w+"\t"+strconv.FormatInt(n, 10))
		}
	}
	slices.Sort(lines)
	return lines
}

// committedLines returns the lines of the visible files of dir, sorted,
// and the names of the hidden ones but the lock file.
func committedLines(t *testing.T, dir string) (lines, hidden []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		if e.Name() == outputLockFile {
			continue
		}
		if strings.HasPrefix(e.Name(), ".") {
			hidden = append(hidden, e.Name())
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		require.True(t, strings.HasSuffix(string(data), "\n"), "%s ends inside a line", e.Name())
		lines = append(lines, strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")...)
	}
	slices.Sort(lines)
	return lines, hidden
}

// checkRunningCounts checks that, per word, the counts 1 to the word's
// count each appear once in lines.
func checkRunningCounts(t *testing.T, text string, lines []string) {
	t.Helper()
	seen := make(map[string][]int64)
	for _, l := range lines {
		w, n, ok := strings.Cut(l, "\t")
		require.True(t, ok, "line %q", l)
		c, err := strconv.ParseInt(n, 10, 64)
		require.NoError(t, err, "line %q", l)
		seen[w] = append(seen[w], c)
	}
	want := referenceCounts(text)
	require.Len(t, seen, len(want))
	for w, c := range want {
		ns := seen[w]
		slices.Sort(ns)
		require.Len(t, ns, int(c), "word %q", w)
		for i, n := range ns {
			require.Equal(t, int64(i+1), n, "word %q", w)
		}
	}
}

// outputArgs returns the arguments of an --output run.
func outputArgs(cp, out, in string, extra ...string) []string {
	args := append([]string{"--checkpoint-dir", cp, "--output", out}, extra...)
	return append(args, in)
}

func writeInput(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.txt")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

func TestWordcountOutput(t *testing.T) {
	text := generateText(1, 30_000)
	in := writeInput(t, text)
	want := expectedLines(text)
	for p := 1; p <= 3; p++ {
		t.Run(fmt.Sprintf("parallelism=%d", p), func(t *testing.T) {
			cp, out := filepath.Join(t.TempDir(), "cp"), filepath.Join(t.TempDir(), "out")
			args := outputArgs(cp, out, in, "--parallelism", strconv.Itoa(p), "--checkpoint-interval", "5ms")
			var stdout, stderr bytes.Buffer
			require.NoError(t, run(context.Background(), args, &stdout, &stderr))
			assert.Empty(t, stdout.String())
			assert.Contains(t, stderr.String(), "done")
			got, hidden := committedLines(t, out)
			assert.Equal(t, want, got)
			assert.Empty(t, hidden)
			checkRunningCounts(t, text, got)
			_, err := os.Stat(filepath.Join(cp, completeFile))
			require.NoError(t, err)

			// The job is complete: a further run says so.
			stdout.Reset()
			stderr.Reset()
			require.NoError(t, run(context.Background(), args, &stdout, &stderr))
			assert.Empty(t, stdout.String())
			assert.Contains(t, stderr.String(), "already complete")
			got2, _ := committedLines(t, out)
			assert.Equal(t, want, got2)
		})
	}
}

// A process that dies after the final checkpoint, before it records the
// end, is resumed from the final checkpoint: the commits are redone as
// no-ops and the output stays the same.
func TestWordcountOutputResumeAfterEnd(t *testing.T) {
	text := generateText(2, 5000)
	in := writeInput(t, text)
	cp, out := filepath.Join(t.TempDir(), "cp"), filepath.Join(t.TempDir(), "out")
	args := outputArgs(cp, out, in, "--parallelism", "2")
	require.NoError(t, run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{}))
	first, _ := committedLines(t, out)
	for range 2 {
		require.NoError(t, os.Remove(filepath.Join(cp, completeFile)))
		var stderr bytes.Buffer
		require.NoError(t, run(context.Background(), args, &bytes.Buffer{}, &stderr))
		assert.Contains(t, stderr.String(), "resuming from checkpoint")
		got, hidden := committedLines(t, out)
		assert.Equal(t, first, got)
		assert.Empty(t, hidden)
	}
	assert.Equal(t, expectedLines(text), first)
	// Each resume's final checkpoint follows the one it restored, so the
	// store keeps only the newest.
	chks, err := os.ReadDir(filepath.Join(cp, "checkpoints"))
	require.NoError(t, err)
	require.Len(t, chks, 1)
}

// Cancelled runs (as by Ctrl-C) resume too.
func TestWordcountOutputCancelAndResume(t *testing.T) {
	text := generateText(3, 100_000)
	in := writeInput(t, text)
	cp, out := filepath.Join(t.TempDir(), "cp"), filepath.Join(t.TempDir(), "out")
	args := outputArgs(cp, out, in, "--parallelism", "2", "--checkpoint-interval", "5ms")
	cancelled := 0
	for i := 1; ; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(10*i)*time.Millisecond)
		err := run(ctx, args, &bytes.Buffer{}, &bytes.Buffer{})
		cancel()
		if err == nil {
			break
		}
		cancelled++
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	t.Logf("%d cancelled runs", cancelled)
	got, _ := committedLines(t, out)
	assert.Equal(t, expectedLines(text), got)
}

func TestWordcountOutputBadArguments(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, "a b a\n")
	cp, out := filepath.Join(dir, "cp"), filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--output", out, in}, "--checkpoint-dir"},
		{[]string{"--checkpoint-dir", cp, in}, "--output"},
		{[]string{"--checkpoint-interval", "1s", in}, "--output"},
		{[]string{"--checkpoint-dir", cp, "--output", out}, "FILE"},
		{[]string{"--checkpoint-dir", cp, "--output", "", in}, "--output needs a directory"},
		{[]string{"--checkpoint-dir", "", "--output", out, in}, "--checkpoint-dir needs a directory"},
		{outputArgs(cp, out, in, "--checkpoint-interval", "0s"), "positive"},
		{outputArgs(cp, out, in, "--checkpoint-interval", "-1s"), "positive"},
		{outputArgs(cp, out, in, "--parallelism", "0"), "--parallelism"},
		{outputArgs(cp, cp, in), "separate"},
		{outputArgs(cp, filepath.Join(cp, "out"), in), "separate"},
		{outputArgs(filepath.Join(out, "cp"), out, in), "separate"},
		{outputArgs(cp, out, filepath.Join(dir, "missing.txt")), "missing.txt"},
		{outputArgs(cp, out, dir), "is a directory"},
	} {
		var stdout bytes.Buffer
		err := run(context.Background(), tc.args, &stdout, &bytes.Buffer{})
		if assert.Error(t, err, "%q", tc.args) {
			assert.Contains(t, err.Error(), tc.want, "%q", tc.args)
		}
		assert.Empty(t, stdout.String())
	}

	// A checkpoint dir is tied to its job.
	require.NoError(t, run(context.Background(), outputArgs(cp, out, in), &bytes.Buffer{}, &bytes.Buffer{}))
	other := writeInput(t, "c d\n")
	err := run(context.Background(), outputArgs(cp, filepath.Join(dir, "out2"), other), &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "writes to")
	err = run(context.Background(), outputArgs(cp, out, other), &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "changed since the job")
	// An output directory that holds files of another job is refused.
	err = run(context.Background(), outputArgs(filepath.Join(dir, "cp2"), out, other), &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already holds files")
}
