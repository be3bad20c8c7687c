package flinksim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

const (
	cpRestoreRecords = 2000
	cpRestoreKeys    = 17
)

// cpKeyedCounts is the keyed-count job of the restore tests: numbers →
// keyBy → count (ValueState) → transactional sink. extra adds a second
// stateful operator, "extra", on a branch of its own.
func cpKeyedCounts(env *flinksim.Environment, out *flinksim.TransactionalCollector[keyCount], extra bool, countOpts ...flinksim.OperatorOption) {
	src := flinksim.Generate(env, "numbers", cpRestoreRecords, func(i int64) (int, error) { return int(i) % cpRestoreKeys, nil })
	counts := flinksim.Process(flinksim.KeyBy(src, func(k int) int { return k }), "count", cpCounter, countOpts...)
	flinksim.CollectTransactional(counts, "sink", out)
	if extra {
		more := flinksim.Process(flinksim.KeyBy(src, func(k int) int { return k }), "extra", cpCounter)
		flinksim.Sink(more, "extra-sink", func(keyCount) error { return nil })
	}
}

// cpStraightCounts is the committed output of a run without savepoint,
// restore nor failure.
func cpStraightCounts(t *testing.T) []keyCount {
	t.Helper()
	out := flinksim.NewTransactionalCollector[keyCount]()
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithSimulation(1, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{}))
	cpKeyedCounts(env, out, false)
	_, err := env.Execute(t.Context(), "straight")
	require.NoError(t, err)
	got := sortedCounts(out.Committed())
	require.Len(t, got, cpRestoreRecords)
	return got
}

// cpFinalCounts returns each key's final count: its highest running count.
func cpFinalCounts(vs []keyCount) map[int]int64 {
	m := make(map[int]int64)
	for _, v := range vs {
		m[v.Key] = max(m[v.Key], v.Count)
	}
	return m
}

// cpSavepointHook is the trace writer of a simulated job: at trace line
// at it asks the job for savepoint name (without waiting: the simulation
// runs on the goroutine that writes the trace), and once the savepoint has
// completed it cancels the job. The same seed makes the same run, so the
// savepoint is taken at the same point every time.
//
// With stop set it asks for a stop with savepoint (drain if drain is set)
// instead, and the job ends by itself.
type cpSavepointHook struct {
	ready       chan *flinksim.JobClient
	job         *flinksim.JobClient
	at, lines   int
	name        string
	stop, drain bool
	requested   bool
	done        bool
}

func (h *cpSavepointHook) Write(p []byte) (int, error) {
	if h.job == nil {
		h.job = <-h.ready
	}
	h.lines++
	switch {
	case !h.requested && h.lines >= h.at:
		h.requested = true
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		// With ctx already done, TriggerSavepoint (StopWithSavepoint)
		// queues the request and returns at once; the coordinator takes it
		// at its next tick.
		var err error
		if h.stop {
			_, err = h.job.StopWithSavepoint(ctx, h.name, h.drain)
		} else {
			_, err = h.job.TriggerSavepoint(ctx, h.name)
		}
		if err != nil && err != context.Canceled {
			return 0, err
		}
	case h.requested && !h.done:
		for _, r := range h.job.Checkpoints().History {
			if r.Savepoint == h.name && r.Status == flinksim.CheckpointCompleted {
				h.done = true
				if !h.stop {
					h.job.Cancel()
				}
			}
		}
	}
	return len(p), nil
}

// cpSavepointMidway runs the keyed-count job (with the "extra" operator if
// extra) at parallelism par on the simulation, takes savepoint name about
// at trace line at, cancels the job and returns the savepoint's record.
func cpSavepointMidway(t *testing.T, store *snapshot.Store, out *flinksim.TransactionalCollector[keyCount], par int, name string, extra bool) flinksim.CheckpointRecord {
	t.Helper()
	hook := &cpSavepointHook{ready: make(chan *flinksim.JobClient, 1), at: 150, name: name}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(par), flinksim.WithBatchSize(8), flinksim.WithSimulation(uint64(par), hook),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}))
	cpKeyedCounts(env, out, extra)
	job := startJob(t, env)
	hook.ready <- job
	err := job.Wait(cpDeadline(t))
	require.ErrorIs(t, err, flinksim.ErrCanceled, "the job should have been cancelled after savepoint %q", name)
	require.True(t, hook.done)
	for _, r := range job.Checkpoints().History {
		if r.Savepoint == name {
			require.Equal(t, flinksim.CheckpointCompleted, r.Status)
			require.Equal(t, "savepoints/"+name, r.Ref)
			return r
		}
	}
	t.Fatalf("savepoint %q not in the history", name)
	return flinksim.CheckpointRecord{}
}

// cpRestoredEnv is an environment that restores ref from store, on the
// concurrent executor.
func cpRestoredEnv(store *snapshot.Store, ref string, par int, allowNonRestored bool) *flinksim.Environment {
	return flinksim.NewEnvironment(flinksim.WithParallelism(par),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store, Interval: time.Millisecond}),
		flinksim.WithRestartStrategy(flinksim.NoRestart()),
		flinksim.WithRestoreFrom(ref, allowNonRestored))
}

func cpRecordsIn(res *flinksim.JobResult, op string) int64 {
	var n int64
	for _, m := range res.Metrics {
		if m.Operator == op {
			n += m.RecordsIn
		}
	}
	return n
}

// TestSavepointRestoreRescaled: a savepoint taken mid-way, restored by a new
// job at another parallelism, gives the same committed output (so the same
// final keyed counts) as a straight run: keyed state is redistributed by
// key group, source splits round-robin, pending transactions committed.
func TestSavepointRestoreRescaled(t *testing.T) {
	want := cpStraightCounts(t)
	for _, c := range []struct{ from, to int }{{1, 3}, {4, 2}, {2, 2}, {3, 1}} {
		t.Run(fmt.Sprintf("%d-to-%d", c.from, c.to), func(t *testing.T) {
			store, _ := cpMemStore(t)
			out := flinksim.NewTransactionalCollector[keyCount]()
			sp := cpSavepointMidway(t, store, out, c.from, "mid", false)
			before := len(out.Committed())

			env := cpRestoredEnv(store, sp.Ref, c.to, false)
			cpKeyedCounts(env, out, false)
			res, err := env.Execute(t.Context(), "restored")
			require.NoError(t, err)
			in := cpRecordsIn(res, "count")
			assert.Positive(t, in, "the savepoint should leave records to the restored job")
			assert.Less(t, in, int64(cpRestoreRecords), "the savepoint should hold some records' state")
			for _, s := range res.Metrics {
				if s.Operator == "count" {
					assert.Less(t, s.Subtask, c.to)
				}
			}
			got := sortedCounts(out.Committed())
			assert.Equal(t, cpFinalCounts(want), cpFinalCounts(got), "final keyed counts")
			assertSameMultiset(t, want, got, "committed output of both jobs")
			t.Logf("%d records committed by the first job, %d processed by the restored one", before, in)
		})
	}
}

// TestRestoreNonRestoredState: a savepoint with state of an operator the
// new job lacks is refused, unless AllowNonRestoredState.
func TestRestoreNonRestoredState(t *testing.T) {
	want := cpStraightCounts(t)
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	sp := cpSavepointMidway(t, store, out, 2, "with-extra", true)
	committed, uncommitted := len(out.Committed()), out.Uncommitted()

	env := cpRestoredEnv(store, sp.Ref, 2, false)
	cpKeyedCounts(env, out, false)
	_, err := env.Execute(t.Context(), "without-extra")
	require.ErrorIs(t, err, flinksim.ErrNonRestoredState)
	require.ErrorIs(t, err, flinksim.ErrRestore)
	assert.Contains(t, err.Error(), `"extra"`)
	assert.Len(t, out.Committed(), committed, "the refused job must not run")
	assert.Equal(t, uncommitted, out.Uncommitted(), "the refused job must not run")

	env = cpRestoredEnv(store, sp.Ref, 2, true)
	cpKeyedCounts(env, out, false)
	_, err = env.Execute(t.Context(), "without-extra-allowed")
	require.NoError(t, err)
	assertSameMultiset(t, want, out.Committed())
}

// TestRestoreChangedMaxParallelism: key groups cannot change, so a keyed
// operator with another explicit max parallelism cannot take the
// savepoint's state; Start says so.
func TestRestoreChangedMaxParallelism(t *testing.T) {
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	sp := cpSavepointMidway(t, store, out, 2, "mp", false)
	committed := len(out.Committed())

	env := cpRestoredEnv(store, sp.Ref, 2, false)
	cpKeyedCounts(env, out, false, flinksim.MaxParallelism(256))
	_, err := env.Start(t.Context(), "changed")
	require.ErrorIs(t, err, flinksim.ErrRestore)
	require.ErrorIs(t, err, flinksim.ErrIncompatibleState)
	assert.Contains(t, err.Error(), "max parallelism")
	assert.Len(t, out.Committed(), committed)
}

// cpFlipByte flips a byte in the middle of the file at path of fsys.
func cpFlipByte(t *testing.T, fsys *snapshot.MemFS, path string) {
	t.Helper()
	r, err := fsys.Open(path)
	require.NoError(t, err)
	data, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NotEmpty(t, data)
	data[len(data)/2] ^= 0x5a
	f, err := fsys.Create(path)
	require.NoError(t, err)
	_, err = f.Write(data)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
}

// cpStateFile returns the name of a state file of operator uid in the
// snapshot ref, from its metadata.
func cpStateFile(t *testing.T, store *snapshot.Store, ref, uid string) string {
	t.Helper()
	r, err := store.Open(ref)
	require.NoError(t, err)
	data, err := r.ReadFile("metadata")
	require.NoError(t, err)
	var md struct {
		Operators []struct {
			UID      string `json:"uid"`
			Subtasks []struct {
				File string `json:"file"`
			} `json:"subtasks"`
		} `json:"operators"`
	}
	require.NoError(t, json.Unmarshal(data, &md))
	for _, op := range md.Operators {
		if op.UID == uid && len(op.Subtasks) > 0 {
			return op.Subtasks[0].File
		}
	}
	t.Fatalf("no state of %q in %s", uid, ref)
	return ""
}

// TestRestoreCorruptSnapshot: a snapshot whose state file, metadata or
// manifest was damaged is refused with ErrRestore and snapshot.ErrCorrupt,
// and the job produces nothing.
func TestRestoreCorruptSnapshot(t *testing.T) {
	for _, target := range []string{"count", "numbers", "metadata", "MANIFEST"} {
		t.Run(target, func(t *testing.T) {
			fsys := snapshot.NewMemFS()
			store, err := snapshot.NewStore(fsys, snapshot.StoreOptions{})
			require.NoError(t, err)
			// The transactional collector stands for the external system:
			// all jobs write to the same one.
			out := flinksim.NewTransactionalCollector[keyCount]()
			sp := cpSavepointMidway(t, store, out, 2, "sp", false)

			// Intact, the savepoint restores and the job has work left.
			env := cpRestoredEnv(store, sp.Ref, 2, false)
			cpKeyedCounts(env, out, false)
			res, err := env.Execute(t.Context(), "intact")
			require.NoError(t, err)
			require.Positive(t, cpRecordsIn(res, "count"))
			committed, uncommitted := len(out.Committed()), out.Uncommitted()

			file := target
			if target == "count" || target == "numbers" {
				file = cpStateFile(t, store, sp.Ref, target)
			}
			cpFlipByte(t, fsys, sp.Ref+"/"+file)

			env = cpRestoredEnv(store, sp.Ref, 2, false)
			cpKeyedCounts(env, out, false)
			job, err := env.Start(t.Context(), "corrupt")
			if err == nil {
				t.Cleanup(func() { job.Cancel(); <-job.Done() })
				err = job.Wait(cpDeadline(t))
				assert.Equal(t, flinksim.JobFailed, job.Status())
				assert.Zero(t, job.Restarts())
				for _, m := range job.Metrics() {
					assert.Zero(t, m.RecordsOut, "%s (%d) ran", m.Operator, m.Subtask)
				}
			}
			require.ErrorIs(t, err, flinksim.ErrRestore)
			require.ErrorIs(t, err, snapshot.ErrCorrupt)
			assert.True(t, strings.Contains(err.Error(), file), "the error names the file: %v", err)
			assert.Len(t, out.Committed(), committed, "the job must not run")
			assert.Equal(t, uncommitted, out.Uncommitted(), "the job must not run")
		})
	}
}

// TestRestoreThenFailBeforeFirstCheckpoint: a job restored from a savepoint
// that fails before its own first checkpoint restarts from the savepoint
// again (its latest state), and still commits every record exactly once.
func TestRestoreThenFailBeforeFirstCheckpoint(t *testing.T) {
	want := cpStraightCounts(t)
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	sp := cpSavepointMidway(t, store, out, 2, "sp", false)
	faults := flinksim.NewFaultInjector(
		flinksim.Fault{Operator: "count", Subtask: 0, Point: flinksim.FaultRecord, After: 50},
		flinksim.Fault{Operator: "count", Subtask: 1, Point: flinksim.FaultRecord, After: 50})
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(8), flinksim.WithSimulation(4, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(2, 0)),
		flinksim.WithRestoreFrom(sp.Ref, false), flinksim.WithFaults(faults))
	cpKeyedCounts(env, out, false)
	res, err := env.Execute(t.Context(), "restored-then-failed")
	require.NoError(t, err)
	assert.Equal(t, 2, faults.Struck())
	assert.Equal(t, int64(2), res.Restarts)
	assert.Equal(t, int64(1), res.Checkpoints.NumberOfCompletedCheckpoints, "only the final checkpoint")
	assertSameMultiset(t, want, out.Committed())
}
