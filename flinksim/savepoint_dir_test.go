package flinksim_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

// TestSavepointDirOutlivesTheJob: with CheckpointConfig.SavepointDir, a
// stop's savepoint lands on disk and its Ref is its path; a new job with
// no checkpoint store at all restores from that path alone and finishes
// the work exactly once. The savepoint is still there afterwards.
//
// Mutants this catches: savepoints written to the in-memory store despite
// SavepointDir (no directory at Ref); the restore refusing a path
// without a store (Start fails).
func TestSavepointDirOutlivesTheJob(t *testing.T) {
	want := cpStraightCounts(t)
	dir := t.TempDir()
	out := flinksim.NewTransactionalCollector[keyCount]()
	hook := &cpSavepointHook{ready: make(chan *flinksim.JobClient, 1), at: 150, name: "before-upgrade", stop: true}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(8), flinksim.WithSimulation(9, hook),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 20 * time.Millisecond, SavepointDir: dir}))
	cpKeyedCounts(env, out, false)
	job := startJob(t, env)
	hook.ready <- job
	require.NoError(t, job.Wait(cpDeadline(t)))
	var ref string
	for _, r := range job.Checkpoints().History {
		if r.Savepoint == "before-upgrade" {
			ref = r.Ref
		}
	}
	assert.Equal(t, filepath.Join(dir, "savepoints", "before-upgrade"), ref)
	_, err := os.Stat(filepath.Join(ref, "MANIFEST"))
	require.NoError(t, err, "the savepoint should be on disk")

	env = flinksim.NewEnvironment(flinksim.WithParallelism(3), flinksim.WithRestoreFrom(ref, false))
	cpKeyedCounts(env, out, false)
	_, err = env.Execute(cpDeadline(t), "upgraded")
	require.NoError(t, err)
	assertSameMultiset(t, want, out.Committed(), "committed output of both jobs")
	_, err = snapshot.OpenPath(ref)
	assert.NoError(t, err, "the restored savepoint should still be there")
}

// TestRestoreNoClaimKeepsTheCheckpoint: a job restored from a checkpoint of
// its store in the default NO_CLAIM mode never deletes it, however many
// checkpoints it takes; in CLAIM mode retention removes it
// (TestCheckpointIDsContinueAfterRestore).
//
// Mutant this catches: NO_CLAIM not keeping the restored checkpoint
// (retention removes it after the job's first checkpoint).
func TestRestoreNoClaimKeepsTheCheckpoint(t *testing.T) {
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	sp := cpSavepointMidway(t, store, out, 2, "mid", false)
	// A checkpoint to restore from: the restored job's first.
	env := cpRestoredEnv(store, sp.Ref, 2, false)
	cpKeyedCounts(env, out, false)
	_, err := env.Execute(t.Context(), "make a checkpoint")
	require.NoError(t, err)
	latest, err := store.Latest()
	require.NoError(t, err)
	ref := latest.Manifest().Ref()

	env = cpRestoredEnv(store, ref, 2, false) // checkpoints every ms, retention 1
	cpKeyedCounts(env, out, false)
	_, err = env.Execute(t.Context(), "no claim")
	require.NoError(t, err)
	_, err = store.Open(ref)
	assert.NoError(t, err, "NO_CLAIM: the restored checkpoint must survive")
}
