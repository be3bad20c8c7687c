package main

import (
	"bytes"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/examples/nexmark/nexmark"
)

// TestCommandVerifies runs the command on every query at parallelism 2
// with checkpoints and --verify, and checks that it prints the summary and
// throughput and finds the result equal to the reference; the summaries of
// parallelism 1 and 2 are the same.
//
// Mutants (each fails this test): summary.merge not adding the subtasks'
// row counts; summary.sample keeping the largest lines.
func TestCommandVerifies(t *testing.T) {
	for _, q := range nexmark.Queries {
		cfg := config{Query: q, Events: 20_000, Parallelism: 2, CheckpointInterval: 10 * time.Millisecond, Verify: true}
		var out bytes.Buffer
		require.NoError(t, run(t.Context(), cfg, &out), "%s", q)
		text := out.String()
		for _, want := range []string{q + ": 20000 events, parallelism 2, checkpoints exactly-once every 10ms", "rows: ", "checksum: ",
			"events/s", "verified: equal to the reference"} {
			require.Contains(t, text, want, "%s output:\n%s", q, text)
		}
		cfg.Parallelism, cfg.Verify, cfg.CheckpointInterval = 1, false, 0
		var one bytes.Buffer
		require.NoError(t, run(t.Context(), cfg, &one))
		require.Equal(t, summaryPart(text), summaryPart(one.String()), "%s: parallelism 1 and 2 differ", q)
	}
}

// summaryPart returns the lines of a command's output from "rows:" up to
// the throughput.
func summaryPart(out string) string {
	start := strings.Index(out, "rows:")
	end := strings.Index(out, "wall:")
	return out[start:end]
}

// TestParseArgs checks the command's flags and their errors.
func TestParseArgs(t *testing.T) {
	cfg, err := parseArgs([]string{"--query", "q5", "--events", "100", "--parallelism", "4", "--checkpoint-interval", "0"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, config{Query: "q5", Events: 100, Parallelism: 4}, cfg)
	cfg, err = parseArgs(nil, io.Discard)
	require.NoError(t, err)
	require.Equal(t, config{Query: "q0", Events: 1_000_000, Parallelism: 1, CheckpointInterval: 10 * time.Second}, cfg)
	for _, args := range [][]string{
		{"--query", "q10"}, {"--events", "-1"}, {"--parallelism", "0"}, {"--checkpoint-interval", "-1s"}, {"extra"}, {"--nope"},
	} {
		_, err := parseArgs(args, io.Discard)
		require.Error(t, err, "%v", args)
	}
	_, err = parseArgs([]string{"--query", "q10"}, io.Discard)
	require.ErrorIs(t, err, nexmark.ErrUnknownQuery)
	_, err = parseArgs([]string{"--help"}, io.Discard)
	require.ErrorIs(t, err, flag.ErrHelp)
}

// TestErrorLine checks that the command names itself once in its errors.
func TestErrorLine(t *testing.T) {
	_, err := parseArgs([]string{"--query", "q10"}, io.Discard)
	require.Equal(t, `nexmark: unknown query: "q10" (known: [q0 q1 q2 q3 q4 q5 q6 q7 q8 q9])`, errorLine(err))
	_, err = parseArgs([]string{"--parallelism", "0"}, io.Discard)
	require.Equal(t, "nexmark: --parallelism 0: at least 1", errorLine(err))
}
