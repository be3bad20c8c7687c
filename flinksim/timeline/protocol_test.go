package timeline_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/timeline"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata/")

// elem is a drawn element with its data attributes, as the SVG says them.
type elem struct {
	event       string
	time, end   int64
	seq         int
	checkpoint  int64
	task        string
	subtask     int
	channel     int
	input       int
	records     int
	hasChannel  bool
	hasTimeSpan bool
}

func (e elem) lane() string { return fmt.Sprintf("%s (%d)", e.task, e.subtask) }

// parseSVG returns the elements of an SVG document that have a data-event
// attribute, in document order; it fails the test if the document is not
// well-formed XML.
func parseSVG(t *testing.T, svg []byte) []elem {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	var out []elem
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the SVG is not well-formed")
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var e elem
		num := func(v string) int64 {
			n, err := strconv.ParseInt(v, 10, 64)
			require.NoError(t, err)
			return n
		}
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "data-event":
				e.event = a.Value
			case "data-time":
				e.time = num(a.Value)
			case "data-end":
				e.end, e.hasTimeSpan = num(a.Value), true
			case "data-seq":
				e.seq = int(num(a.Value))
			case "data-checkpoint":
				e.checkpoint = num(a.Value)
			case "data-task":
				e.task = a.Value
			case "data-subtask":
				e.subtask = int(num(a.Value))
			case "data-channel":
				e.channel, e.hasChannel = int(num(a.Value)), true
			case "data-input":
				e.input = int(num(a.Value))
			case "data-records":
				e.records = int(num(a.Value))
			}
		}
		if e.event != "" {
			out = append(out, e)
		}
	}
	return out
}

func svgOf(t *testing.T, r run) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, timeline.New(r.events, timeline.Options{Title: "teach", Subtasks: r.subtasks}).WriteSVG(&b))
	return b.Bytes()
}

func having(es []elem, event string) []elem {
	var out []elem
	for _, e := range es {
		if e.event == event {
			out = append(out, e)
		}
	}
	return out
}

// checkProtocol checks that a drawing says what Flink's protocol allows:
//
//   - every completed checkpoint has a barrier on every channel and a
//     snapshot on every subtask before its completion rule;
//   - every blocked band starts with its channel's barrier and ends
//     within its subtask's alignment, by the snapshot of the checkpoint
//     (or an abort, a failure or a restart that cancels it);
//   - every commit comes after the completion of its checkpoint;
//   - every restore names the last checkpoint completed before it, and
//     follows a failure.
//
// It returns the number of completions, blocked bands, commits and
// restores it checked, so that a caller can tell it checked something.
func checkProtocol(t *testing.T, es []elem) (completes, bands, commits, restores int) {
	t.Helper()
	channels := having(es, "channel")
	lanes := having(es, "lane")
	require.NotEmpty(t, channels)
	for _, c := range having(es, "complete") {
		completes++
		for _, ch := range channels {
			found := false
			for _, b := range having(es, "barrier") {
				found = found || (b.channel == ch.channel && b.checkpoint == c.checkpoint && b.seq < c.seq && b.time <= c.time)
			}
			assert.True(t, found, "checkpoint %d completed without a barrier on channel %d", c.checkpoint, ch.channel)
		}
		for _, l := range lanes {
			found := false
			for _, s := range having(es, "snapshot") {
				found = found || (s.lane() == l.lane() && s.checkpoint == c.checkpoint && s.seq < c.seq && s.time <= c.time)
			}
			assert.True(t, found, "checkpoint %d completed without a snapshot of %s", c.checkpoint, l.lane())
		}
	}
	for _, band := range having(es, "blocked") {
		bands++
		var barrier, ends *elem
		for _, e := range es {
			switch {
			case e.event == "barrier" && e.lane() == band.lane() && e.channel == band.channel && e.checkpoint == band.checkpoint && e.seq < band.seq:
				barrier = &e
			case ends == nil && e.seq > band.seq && (e.event == "snapshot" && e.lane() == band.lane() && e.checkpoint == band.checkpoint ||
				e.event == "abort" && e.checkpoint == band.checkpoint || e.event == "failure" || e.event == "attempt"):
				ends = &e
			}
		}
		if assert.NotNil(t, barrier, "%s blocked channel %d for checkpoint %d before its barrier", band.lane(), band.channel, band.checkpoint) {
			assert.Equal(t, barrier.time, band.time, "%s: the band of channel %d does not start at its barrier", band.lane(), band.channel)
		}
		if assert.NotNil(t, ends, "%s: the alignment of checkpoint %d never ends", band.lane(), band.checkpoint) {
			assert.LessOrEqual(t, band.end, ends.time, "%s: channel %d stays blocked after the alignment of checkpoint %d ended", band.lane(), band.channel, band.checkpoint)
		}
		assert.LessOrEqual(t, band.time, band.end)
	}
	for _, cm := range having(es, "commit") {
		commits++
		completed := false
		for _, c := range having(es, "complete") {
			completed = completed || (c.checkpoint == cm.checkpoint && c.seq < cm.seq && c.time <= cm.time)
		}
		assert.True(t, completed, "%s committed the transaction of checkpoint %d at %d before its completion", cm.lane(), cm.checkpoint, cm.time)
	}
	for _, r := range having(es, "restore") {
		restores++
		var last int64
		failed := false
		for _, e := range es {
			if e.seq < r.seq && e.event == "complete" {
				last = e.checkpoint
			}
			failed = failed || (e.seq < r.seq && e.event == "failure")
		}
		assert.True(t, failed, "%s restored without a failure", r.lane())
		assert.Equal(t, last, r.checkpoint, "%s restored from checkpoint %d, not from the last completed one", r.lane(), r.checkpoint)
	}
	return
}

// TestDrawingFollowsTheProtocol checks the drawing of seeded runs with one
// failure against the protocol (see checkProtocol), in exactly-once mode,
// and that no band is drawn in at-least-once mode.
//
// Mutants it killed (each planted once in model.go, seen failing, removed):
//   - blocked bands drawn from the mode (from each barrier to the
//     snapshot) instead of from the blocked/unblocked events: the
//     at-least-once run fails "no blocked band";
//   - a blocked band ended at the checkpoint's completion instead of at
//     its unblocked event: "stays blocked after the alignment";
//   - a commit drawn at its pre-commit: "before its completion";
//   - a restored commit given the checkpoint of the event (0) instead of
//     that of its pre-commit: "before its completion";
//   - the restore labelled with the newest checkpoint any subtask
//     snapshotted: "not from the last completed one";
//   - one barrier drawn per subtask and checkpoint instead of per
//     channel: "without a barrier on channel".
func TestDrawingFollowsTheProtocol(t *testing.T) {
	for _, tc := range protocolRuns {
		t.Run(tc.name, func(t *testing.T) {
			es := parseSVG(t, svgOf(t, runJob(t, tc.seed, flinksim.ExactlyOnce, tc.fault)))
			completes, bands, commits, restores := checkProtocol(t, es)
			assert.Positive(t, completes)
			assert.Positive(t, bands)
			assert.Positive(t, commits)
			assert.Positive(t, restores)
			assert.Empty(t, having(es, "duplicate"), "exactly-once counted records twice")

			alo := parseSVG(t, svgOf(t, runJob(t, tc.seed, flinksim.AtLeastOnce, tc.fault)))
			_, bands, _, restores = checkProtocol(t, alo)
			assert.Zero(t, bands, "no blocked band in at-least-once mode")
			assert.Positive(t, restores)
		})
	}
}

// protocolRun is a seeded run whose failure strikes after a checkpoint
// completed, in both modes.
type protocolRun struct {
	name  string
	seed  uint64
	fault flinksim.Fault
}

// protocolRuns fail during the snapshot of checkpoint 2 (in the middle of
// an alignment), or after some records.
var protocolRuns = func() []protocolRun {
	var runs []protocolRun
	for seed := range uint64(6) {
		runs = append(runs, protocolRun{fmt.Sprintf("snapshot/%d", seed), seed,
			flinksim.Fault{Operator: "count", Subtask: 1, Point: flinksim.FaultSnapshot, After: 2}})
	}
	for _, seed := range []uint64{1, 2, 4, 5} {
		runs = append(runs, protocolRun{fmt.Sprintf("record/%d", seed), seed,
			flinksim.Fault{Operator: "count", Subtask: 1, Point: flinksim.FaultRecord, After: 14}})
	}
	return runs
}()

// TestDrawingMatchesTheEvents checks the drawing against the run it draws:
// each barrier, snapshot, ack, failure, pre-commit, commit, and the
// coordinator's completions and aborts, is drawn once, at its time, on its
// subtask and channel; each blocked band spans from a blocked event to the
// unblocked event of its input. (Mutants: see TestDrawingFollowsTheProtocol.)
func TestDrawingMatchesTheEvents(t *testing.T) {
	for _, tc := range protocolRuns[:3] {
		for _, mode := range []flinksim.CheckpointingMode{flinksim.ExactlyOnce, flinksim.AtLeastOnce} {
			r := runJob(t, tc.seed, mode, tc.fault)
			want := map[string]int{}
			open := map[string]flinksim.TraceEvent{}
			cut := map[int64]bool{}
			key := func(event string, time, end int64, task string, subtask, channel int, checkpoint int64) string {
				return fmt.Sprintf("%s@%d-%d %s(%d) ch%d cp%d", event, time, end, task, subtask, channel, checkpoint)
			}
			names := map[flinksim.TraceKind]string{flinksim.TraceBarrier: "barrier", flinksim.TraceSnapshot: "snapshot",
				flinksim.TraceAck: "ack", flinksim.TraceFailure: "failure", flinksim.TracePreCommit: "precommit", flinksim.TraceCommit: "commit"}
			for _, ev := range r.events {
				ch := ev.Channel
				if ev.Kind != flinksim.TraceBarrier {
					ch = -1
				}
				cp := ev.Checkpoint
				if ev.Kind == flinksim.TraceCommit || ev.Kind == flinksim.TraceFailure {
					cp = -1 // a commit names its transaction's checkpoint; see checkProtocol
				}
				if ev.Kind == flinksim.TraceFailure || ev.Kind == flinksim.TraceAttempt {
					cut[int64(ev.Elapsed)] = true
				}
				switch {
				case names[ev.Kind] != "":
					want[key(names[ev.Kind], int64(ev.Elapsed), 0, ev.Task, ev.Subtask, ch, cp)]++
				case ev.Task == "" && (ev.Kind == flinksim.TraceCompleted || ev.Kind == flinksim.TraceAborted):
					want[key(map[bool]string{true: "complete", false: "abort"}[ev.Kind == flinksim.TraceCompleted], int64(ev.Elapsed), 0, "", 0, -1, cp)]++
				case ev.Kind == flinksim.TraceBlocked:
					open[fmt.Sprint(ev.TaskID, ev.Input)] = ev
				case ev.Kind == flinksim.TraceUnblocked:
					b := open[fmt.Sprint(ev.TaskID, ev.Input)]
					delete(open, fmt.Sprint(ev.TaskID, ev.Input))
					want[key("blocked", int64(b.Elapsed), int64(ev.Elapsed), b.Task, b.Subtask, b.Channel, b.Checkpoint)]++
				}
			}
			got := map[string]int{}
			for _, e := range parseSVG(t, svgOf(t, r)) {
				switch e.event {
				case "barrier", "snapshot", "ack", "failure", "precommit", "commit", "complete", "abort", "blocked":
					ch, cp, end := -1, e.checkpoint, int64(0)
					if e.event == "barrier" || e.event == "blocked" {
						ch = e.channel
					}
					if e.event == "commit" || e.event == "failure" {
						cp = -1
					}
					if e.event == "blocked" {
						end = e.end
						if cut[e.end] && want[key(e.event, e.time, end, e.task, e.subtask, ch, cp)] == 0 {
							continue // cut by a failure or a restart: no unblocked event
						}
					}
					got[key(e.event, e.time, end, e.task, e.subtask, ch, cp)]++
				}
			}
			assert.Equal(t, want, got, "%s %v", tc.name, mode)
		}
	}
}

// TestReplayedRecords: the restore of each source says how many records it
// replays: those it had emitted before the failure and emits again. A run
// with one failure emits each source's 24 records once, plus those, so
// the count is what the source emitted in both attempts, less 24. Splits
// move between subtasks at a restore (in these runs they do), so this is
// the source's sum over its subtasks.
//
// The replay spans, one per source subtask from its snapshot of the
// restored checkpoint to the failure, hold the same records between them.
//
// Mutants killed: counting as replayed every record emitted before the
// failure, not only those after the checkpoint; a replay span that starts
// at the subtask's last snapshot instead of its snapshot of the restored
// checkpoint.
func TestReplayedRecords(t *testing.T) {
	for _, tc := range protocolRuns {
		r := runJob(t, tc.seed, flinksim.ExactlyOnce, tc.fault)
		polled := map[string]int{}
		for _, ev := range r.events {
			if ev.Kind == flinksim.TracePoll {
				polled[ev.Task] += ev.Records
			}
		}
		es := parseSVG(t, svgOf(t, r))
		want := map[string]int{"a": polled["a"] - 24, "b": polled["b"] - 24}
		got, spans := map[string]int{}, map[string]int{}
		for _, e := range having(es, "restore") {
			if e.task == "a" || e.task == "b" {
				got[e.task] += e.records
			}
		}
		for _, e := range having(es, "replay") {
			spans[e.task] += e.records
		}
		assert.Equal(t, want, got, "%s: the restores' counts", tc.name)
		assert.Equal(t, want, spans, "%s: the replay spans' records", tc.name)
	}
}
