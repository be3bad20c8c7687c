package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// jobOutput returns the job's output as the example prints it: the sorted
// firing lines and the late file.
func jobOutput(t *testing.T, events []event, spec windowSpec, opts ...flinksim.Option) (out, late string) {
	t.Helper()
	firings, lateEvents, err := count(context.Background(), events, spec, opts...)
	require.NoError(t, err)
	var o, l bytes.Buffer
	require.NoError(t, writeFirings(&o, firings))
	require.NoError(t, writeEvents(&l, lateEvents))
	return o.String(), l.String()
}

// TestJobMatchesReference runs the example's job over random out-of-order
// input — late records, late firings within the allowed lateness, sessions
// bridged by late records — for tumbling, sliding and session windows, at
// parallelism 1, 2 and 4, on the concurrent executor and the simulation
// with several seeds and batch sizes, and checks that its output is the
// reference's, line for line.
func TestJobMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	specs := []windowSpec{
		{Kind: tumbling, Size: 10 * ms, OutOfOrderness: 3 * ms, AllowedLateness: 5 * ms},
		{Kind: tumbling, Size: 7 * ms},
		{Kind: sliding, Size: 12 * ms, Slide: 4 * ms, OutOfOrderness: 2 * ms, AllowedLateness: 3 * ms},
		{Kind: sliding, Size: 5 * ms, Slide: 7 * ms, OutOfOrderness: 4 * ms},
		{Kind: session, Gap: 3 * ms, OutOfOrderness: 2 * ms, AllowedLateness: 4 * ms},
		{Kind: session, Gap: 5 * ms},
	}
	for round := range 4 {
		events := make([]event, 400)
		for i := range events {
			events[i] = event{TimestampMs: int64(i)/2 + rng.Int64N(30) - 15, Key: fmt.Sprint("k", rng.IntN(5))}
		}
		for _, spec := range specs {
			want, wantLate := runReference(t, events, spec)
			require.NotEmpty(t, want)
			for _, p := range []int{1, 2, 4} {
				got, gotLate := jobOutput(t, events, spec, flinksim.WithParallelism(p))
				require.Equal(t, want, got, "round %d %+v parallelism %d", round, spec, p)
				require.Equal(t, wantLate, gotLate, "round %d %+v parallelism %d: late", round, spec, p)
				seed := uint64(round*10 + p)
				got, gotLate = jobOutput(t, events, spec, flinksim.WithParallelism(p), flinksim.WithBatchSize(1+int(seed%5)),
					flinksim.WithSimulation(seed, nil))
				require.Equal(t, want, got, "round %d %+v parallelism %d seed %d", round, spec, p, seed)
				require.Equal(t, wantLate, gotLate, "round %d %+v parallelism %d seed %d: late", round, spec, p, seed)
			}
		}
	}
}

// TestSampleFile runs the example as README.md shows it, on
// testdata/clicks.tsv, and checks its output and late file against the
// reference and against the lines README.md prints.
func TestSampleFile(t *testing.T) {
	late := t.TempDir() + "/late.tsv"
	cfg, err := parseArgs([]string{"--window", "tumbling", "--size", "10s", "--out-of-orderness", "2s", "--late", late, "testdata/clicks.tsv"}, io.Discard)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), cfg, &out))
	events, err := readEvents("testdata/clicks.tsv")
	require.NoError(t, err)
	want, wantLate := runReference(t, events, cfg.windowSpec)
	require.Equal(t, want, out.String())
	gotLate, err := os.ReadFile(late)
	require.NoError(t, err)
	require.Equal(t, wantLate, string(gotLate))
	require.Equal(t, "0\t10000\tann\t3\n0\t10000\tbob\t2\n10000\t20000\tann\t2\n10000\t20000\tbob\t1\n20000\t30000\tann\t1\n30000\t40000\tbob\t1\n", out.String())
	require.Equal(t, "3000\tann\n", string(gotLate))
}
