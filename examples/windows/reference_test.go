package main

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ms = time.Millisecond

// evs builds events from timestamp, key pairs.
func evs(pairs ...any) []event {
	var out []event
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, event{TimestampMs: int64(pairs[i].(int)), Key: pairs[i+1].(string)})
	}
	return out
}

// runReference returns the reference's output as the example prints it:
// the sorted firing lines and the late file.
func runReference(t *testing.T, events []event, spec windowSpec) (out, late string) {
	t.Helper()
	firings, lateEvents, err := reference(events, spec)
	require.NoError(t, err)
	var o, l bytes.Buffer
	require.NoError(t, writeFirings(&o, firings))
	require.NoError(t, writeEvents(&l, lateEvents))
	return o.String(), l.String()
}

// TestReference: hand-computed outputs (each case's comment walks the
// watermark) for tumbling windows out of order, the watermark exactly at
// end−1 with zero out-of-orderness, sliding windows, sliding windows with
// gaps, sessions merging when they touch, a late record bridging two
// sessions within the allowed lateness, a late record joining a live
// session, late drops, late firings within the allowed lateness,
// negative timestamps, and a record whose window's max timestamp is the
// watermark.
//
// Mutants: the late-window check with < instead of <= (the "exactly at
// end−1" and late-drop cases fail); firing at once when max timestamp <
// watermark instead of <= (the max-is-watermark case fails); no firing at
// once (the lateness case fails); session intersects with < (the touching
// case fails); the watermark without the −1 ms (fails); not dropping the
// windows a session merge took (the session cases fail); cleanups before
// firings at one time (the zero-lateness cases lose firings); tumbling
// starts without the negative correction (the negative case fails); a
// record counted nowhere being late without checking t+L <= W (the
// sliding-gap case fails); a counted record also written as late (fails);
// a firing timer also for windows whose max the watermark passed (they
// fire twice); a session window that merged with nothing made live twice
// (fails); a timer heap that sifts neither up nor down (windows fire
// late or never). Each fails this test.
func TestReference(t *testing.T) {
	for _, tc := range []struct {
		name   string
		spec   windowSpec
		events []event
		out    string
		late   string
	}{{
		// wm after each: -5, 6, 6, 6, 14 (fires [0,10) a=2 b=1), 14; 8 is late.
		name:   "tumbling out of order",
		spec:   windowSpec{Kind: tumbling, Size: 10 * ms, OutOfOrderness: 5 * ms},
		events: evs(1, "a", 12, "a", 3, "a", 9, "b", 20, "a", 8, "a"),
		out:    "0\t10\ta\t2\n0\t10\tb\t1\n10\t20\ta\t1\n20\t30\ta\t1\n",
		late:   "8\ta\n",
	}, {
		// wm: 4, 8, 8 (9 still counts: max 9 > 8), 9 (fires [0,10) with 3), 9; the last 9 is late.
		name:   "watermark exactly at end-1, zero out-of-orderness",
		spec:   windowSpec{Kind: tumbling, Size: 10 * ms},
		events: evs(5, "a", 9, "a", 9, "a", 10, "a", 9, "a"),
		out:    "0\t10\ta\t3\n10\t20\ta\t1\n",
		late:   "9\ta\n",
	}, {
		// 7 → [5,15) [0,10); 12 → [10,20) [5,15), wm 11 fires [0,10) a=1; 3 b only in
		// late windows; 8 counts in [5,15) though [0,10) is late.
		name:   "sliding",
		spec:   windowSpec{Kind: sliding, Size: 10 * ms, Slide: 5 * ms},
		events: evs(7, "a", 12, "a", 3, "b", 8, "a"),
		out:    "0\t10\ta\t1\n5\t15\ta\t3\n10\t20\ta\t1\n",
		late:   "3\tb\n",
	}, {
		// Windows [0,5), [10,15), [20,25): 7 a is in none and not late (wm 2), 7 b in
		// none and late (wm 19).
		name:   "sliding with gaps",
		spec:   windowSpec{Kind: sliding, Size: 5 * ms, Slide: 10 * ms},
		events: evs(3, "a", 7, "a", 20, "a", 7, "b"),
		out:    "0\t5\ta\t1\n20\t25\ta\t1\n",
		late:   "7\tb\n",
	}, {
		// [0,10) and [10,20) touch: [0,20) a=2 (the timer of [0,10) at 9 is stale);
		// [25,35) does not touch [0,20).
		name:   "session merge of touching windows",
		spec:   windowSpec{Kind: session, Gap: 10 * ms},
		events: evs(0, "a", 10, "a", 25, "a", 40, "b"),
		out:    "0\t20\ta\t2\n25\t35\ta\t1\n40\t50\tb\t1\n",
	}, {
		// [0,10) fires at wm 14, [15,25) at wm 39; then 8 → [8,18) bridges both into
		// [0,25) = 3, max 24 <= wm 39: it fires at once, and not again at the end.
		name:   "late record bridges two sessions",
		spec:   windowSpec{Kind: session, Gap: 10 * ms, AllowedLateness: 100 * ms},
		events: evs(0, "a", 15, "a", 40, "a", 8, "a"),
		out:    "0\t10\ta\t1\n0\t25\ta\t3\n15\t25\ta\t1\n40\t50\ta\t1\n",
	}, {
		// [0,10) fires at wm 29; 5 → [5,15) merges with nothing and is late; 38 → [30,48);
		// 25 is behind the watermark (37) but joins [30,48) into [25,48) = 3.
		name:   "session late drop and a late record joining a live session",
		spec:   windowSpec{Kind: session, Gap: 10 * ms},
		events: evs(0, "a", 30, "a", 5, "a", 38, "a", 25, "a"),
		out:    "0\t10\ta\t1\n25\t48\ta\t3\n",
		late:   "5\ta\n",
	}, {
		// wm 4, 11 (fires [0,10) a=1, cleanup at 14); 7 → a=2 fires at once; 3 b → a new
		// window already past its max, fires at once (once); wm 15 drops [0,10); 8 late.
		name:   "late firing within allowed lateness",
		spec:   windowSpec{Kind: tumbling, Size: 10 * ms, AllowedLateness: 5 * ms},
		events: evs(5, "a", 12, "a", 7, "a", 3, "b", 16, "a", 8, "a"),
		out:    "0\t10\ta\t1\n0\t10\ta\t2\n0\t10\tb\t1\n10\t20\ta\t2\n",
		late:   "8\ta\n",
	}, {
		// 10 → wm 9; 5 → [0,10), max 9 = wm, not late (cleanup 14): fires at once, and
		// only then (no timer for a max the watermark has reached).
		name:   "record for a window whose max timestamp is the watermark",
		spec:   windowSpec{Kind: tumbling, Size: 10 * ms, AllowedLateness: 5 * ms},
		events: evs(10, "a", 5, "a"),
		out:    "0\t10\ta\t1\n10\t20\ta\t1\n",
	}, {
		// -1 and -10 → [-10,0); wm -2 makes [-20,-10) (max -11) late; 0 → wm -1 fires [-10,0).
		name:   "negative timestamps",
		spec:   windowSpec{Kind: tumbling, Size: 10 * ms},
		events: evs(-1, "a", -10, "a", -11, "a", 0, "a"),
		out:    "-10\t0\ta\t2\n0\t10\ta\t1\n",
		late:   "-11\ta\n",
	}, {
		name: "empty input",
		spec: windowSpec{Kind: session, Gap: 10 * ms},
	}} {
		out, late := runReference(t, tc.events, tc.spec)
		assert.Equal(t, tc.out, out, tc.name)
		assert.Equal(t, tc.late, late, tc.name)
	}
}

// TestReferenceTimestampRange: timestamps with no window in int64 and
// math.MinInt64 are errors, not wrapped windows; the largest timestamps
// whose windows fit are counted.
//
// Mutants: dropping the end-overflow check of tumbling and sliding windows
// (a wrapped window is counted); dropping the session one (fails). Each fails this
// test.
func TestReferenceTimestampRange(t *testing.T) {
	for _, tc := range []struct {
		spec windowSpec
		ts   int64
	}{
		{windowSpec{Kind: tumbling, Size: 10 * ms}, math.MaxInt64},
		{windowSpec{Kind: tumbling, Size: 10 * ms}, math.MinInt64},
		{windowSpec{Kind: tumbling, Size: 10 * ms}, math.MinInt64 + 1},
		{windowSpec{Kind: sliding, Size: 10 * ms, Slide: 5 * ms}, math.MaxInt64 - 3},
		{windowSpec{Kind: session, Gap: 10 * ms}, math.MaxInt64 - 5},
	} {
		_, _, err := reference([]event{{TimestampMs: tc.ts, Key: "k"}}, tc.spec)
		assert.Error(t, err, "%v at %d", tc.spec.Kind, tc.ts)
	}
	firings, _, err := reference([]event{{TimestampMs: math.MaxInt64 - 10, Key: "k"}}, windowSpec{Kind: session, Gap: 10 * ms})
	require.NoError(t, err)
	assert.Equal(t, []firing{{StartMs: math.MaxInt64 - 10, EndMs: math.MaxInt64, Key: "k", Count: 1}}, firings)
}

// TestReferenceConservation: over random inputs, every record is either
// counted or late, never both: without allowed lateness each window fires
// once, the counts of a tumbling run's firings plus its late records add
// up to the input, and a sliding run's to size/slide times it.
//
// Mutants: counting a record twice in a window (the sums fail). It fails
// this test.
func TestReferenceConservation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		events := make([]event, 500)
		for i := range events {
			events[i] = event{TimestampMs: int64(i) + rng.Int64N(60) - 30, Key: fmt.Sprint("k", rng.IntN(7))}
		}
		for _, spec := range []windowSpec{
			{Kind: tumbling, Size: 10 * ms, OutOfOrderness: time.Duration(rng.IntN(20)) * ms},
			{Kind: sliding, Size: 12 * ms, Slide: 4 * ms, OutOfOrderness: time.Duration(rng.IntN(20)) * ms},
		} {
			firings, late, err := reference(events, spec)
			require.NoError(t, err)
			perWindow := 1
			if spec.Kind == sliding {
				perWindow = 3
			}
			var counted int64
			seen := map[firing]bool{}
			for _, f := range firings {
				key := firing{StartMs: f.StartMs, EndMs: f.EndMs, Key: f.Key}
				assert.False(t, seen[key], "round %d: %v fired twice", round, key)
				seen[key] = true
				counted += f.Count
			}
			// A late record of a sliding run lost all its windows; others
			// lost none or some — so only the tumbling sum is exact.
			if spec.Kind == tumbling {
				assert.Equal(t, int64(len(events)), counted+int64(len(late)), "round %d", round)
			} else {
				assert.LessOrEqual(t, counted+int64(perWindow*len(late)), int64(perWindow*len(events)), "round %d", round)
			}
		}
	}
}

// BenchmarkReference measures the reference over one million records of
// 1000 keys, slightly out of order, in tumbling, sliding and session
// windows.
func BenchmarkReference(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	events := make([]event, 1_000_000)
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprint("key-", i)
	}
	for i := range events {
		events[i] = event{TimestampMs: int64(i) + rng.Int64N(100), Key: keys[rng.IntN(len(keys))]}
	}
	for _, spec := range []windowSpec{
		{Kind: tumbling, Size: time.Second, OutOfOrderness: 100 * ms},
		{Kind: sliding, Size: time.Second, Slide: 250 * ms, OutOfOrderness: 100 * ms},
		{Kind: session, Gap: 2 * time.Second, OutOfOrderness: 100 * ms},
	} {
		b.Run(spec.Kind.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := reference(events, spec); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(events))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
