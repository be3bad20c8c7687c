package snapshot

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A crashScenario is a sequence of store operations run over a FaultyFS
// wrapping a MemFS that already holds a store, so that the tests can crash
// before, or fail, each of its filesystem operations in turn.
type crashScenario struct {
	name string
	// setup prepares the store on base; everything it writes is durable.
	setup func(t *testing.T, s *Store)
	// run opens a store on fsys and performs the operations under test,
	// returning the first error. It must be deterministic.
	run func(fsys FS) error
	// check inspects a store opened on fsys after a crash or a failed run;
	// ran says that run completed without error before. It returns "old" or
	// "new": the state it found.
	check func(t *testing.T, s *Store, fsys FS, ran bool) string
	// atomicFailure says that a failed run leaves the old state. Deletion
	// is not so: once the manifest is durably gone, a later failure leaves
	// the snapshot deleted, and its directory to Cleanup.
	atomicFailure bool
}

var crashOpts = StoreOptions{RetainedCheckpoints: 1}

var crashScenarios = []crashScenario{
	{
		name:  "checkpoint 2 over checkpoint 1",
		setup: func(t *testing.T, s *Store) { writeCheckpoint(t, s, 1, snapshotFiles("1")) },
		run: func(fsys FS) error {
			s, err := NewStore(fsys, crashOpts)
			if err != nil {
				return err
			}
			w, err := s.BeginCheckpoint(2)
			if err != nil {
				return err
			}
			_, err = writeAll(w, snapshotFiles("2"), map[string]string{"k": "v"})
			return err
		},
		check: func(t *testing.T, s *Store, fsys FS, ran bool) string {
			latest, err := s.Latest()
			require.NoError(t, err)
			id := latest.Manifest().CheckpointID
			require.Contains(t, []int64{1, 2}, id)
			if ran {
				require.Equal(t, int64(2), id, "a successful commit is durable")
			}
			requireContents(t, latest, snapshotFiles(fmt.Sprint(id)))
			require.NoError(t, latest.Verify())
			// Cleanup has left nothing but the retained checkpoint.
			names, err := fsys.ReadDir(checkpointsDir)
			require.NoError(t, err)
			require.Equal(t, []string{checkpointAt(id).dir()[len(checkpointsDir)+1:]}, names)
			return map[int64]string{1: "old", 2: "new"}[id]
		},
		atomicFailure: true,
	},
	{
		name:  "first savepoint",
		setup: func(t *testing.T, s *Store) { writeCheckpoint(t, s, 1, snapshotFiles("1")) },
		run: func(fsys FS) error {
			s, err := NewStore(fsys, crashOpts)
			if err != nil {
				return err
			}
			w, err := s.BeginSavepoint("sp")
			if err != nil {
				return err
			}
			_, err = writeAll(w, snapshotFiles("sp"), nil)
			return err
		},
		check: func(t *testing.T, s *Store, fsys FS, ran bool) string {
			latest, err := s.Latest()
			require.NoError(t, err)
			requireContents(t, latest, snapshotFiles("1"))
			r, err := s.OpenSavepoint("sp")
			if !ran && err != nil {
				require.ErrorIs(t, err, ErrNotFound)
				names, err := fsys.ReadDir(savepointsDir)
				require.NoError(t, err)
				require.Empty(t, names, "the incomplete savepoint was cleaned up")
				return "old"
			}
			require.NoError(t, err)
			requireContents(t, r, snapshotFiles("sp"))
			return "new"
		},
		atomicFailure: true,
	},
	{
		name: "delete savepoint",
		setup: func(t *testing.T, s *Store) {
			writeSavepoint(t, s, "doomed", snapshotFiles("doomed"))
			writeSavepoint(t, s, "kept", snapshotFiles("kept"))
		},
		run: func(fsys FS) error {
			s, err := NewStore(fsys, crashOpts)
			if err != nil {
				return err
			}
			return s.DeleteSavepoint("doomed")
		},
		check: func(t *testing.T, s *Store, fsys FS, ran bool) string {
			kept, err := s.OpenSavepoint("kept")
			require.NoError(t, err)
			requireContents(t, kept, snapshotFiles("kept"))
			r, err := s.OpenSavepoint("doomed")
			if ran || err != nil {
				require.ErrorIs(t, err, ErrNotFound)
				return "new"
			}
			requireContents(t, r, snapshotFiles("doomed"))
			return "old"
		},
	},
}

// newCrashBase returns a MemFS holding the scenario's store, all durable, and
// the number of filesystem operations the scenario's run performs on it.
func newCrashBase(t *testing.T, sc crashScenario) (*MemFS, int64) {
	base := NewMemFS()
	sc.setup(t, newTestStore(t, base, crashOpts))
	base = base.CrashClone() // all the setup wrote was synced: nothing is lost
	probe := NewFaultyFS(base.CrashClone())
	require.NoError(t, sc.run(probe))
	return base, probe.Count(OpAny)
}

// TestCrashAtEveryStep crashes before each filesystem operation of each
// scenario, and checks that a store opened on what survived holds either
// the old state or the new one, complete.
func TestCrashAtEveryStep(t *testing.T) {
	for _, sc := range crashScenarios {
		t.Run(sc.name, func(t *testing.T) {
			base, steps := newCrashBase(t, sc)
			seen := map[string]int{}
			for k := int64(1); k <= steps+1; k++ {
				mem := base.CrashClone()
				var crashed *MemFS
				ffs := NewFaultyFS(mem, BeforeOp(func(_ Op, _ string, seq int64) {
					if seq == k {
						crashed = mem.CrashClone()
					}
				}))
				require.NoError(t, sc.run(ffs))
				require.Equal(t, steps, ffs.Count(OpAny), "the scenario is deterministic")
				ran := crashed == nil
				if ran {
					crashed = mem.CrashClone()
				}
				t.Run(fmt.Sprintf("before op %d", k), func(t *testing.T) {
					seen[sc.check(t, newTestStore(t, crashed, crashOpts), crashed, ran)]++
				})
			}
			t.Logf("%d operations; outcomes %v", steps, seen)
			assert.Positive(t, seen["old"], "some crash leaves the old state")
			assert.Positive(t, seen["new"], "some crash leaves the new state")
		})
	}
}

// TestFaultAtEveryStep fails each filesystem operation of each scenario in
// turn, and checks that the error surfaces, and that the store — as it is,
// and after a crash — holds the old state if the scenario failed, the new one
// if it did not.
func TestFaultAtEveryStep(t *testing.T) {
	for _, sc := range crashScenarios {
		t.Run(sc.name, func(t *testing.T) {
			base, steps := newCrashBase(t, sc)
			for k := int64(1); k <= steps; k++ {
				mem := base.CrashClone()
				err := sc.run(NewFaultyFS(mem, FailOn(Fault{Op: OpAny, N: k})))
				if err != nil {
					assert.ErrorIs(t, err, ErrInjected, "op %d", k)
				}
				t.Run(fmt.Sprintf("fail op %d", k), func(t *testing.T) {
					for _, fsys := range []*MemFS{mem, mem.CrashClone()} {
						got := sc.check(t, newTestStore(t, fsys, crashOpts), fsys, err == nil)
						if err != nil && sc.atomicFailure {
							assert.Equal(t, "old", got, "a failed operation leaves the old state")
						}
					}
				})
			}
		})
	}
}

// TestReadFaults fails each filesystem operation of opening and reading the
// latest checkpoint in turn: each either fails with the injected error or
// returns the right data, never anything else.
func TestReadFaults(t *testing.T) {
	base := NewMemFS()
	writeCheckpoint(t, newTestStore(t, base, crashOpts), 1, snapshotFiles("1"))
	read := func(fsys FS) (map[string][]byte, error) {
		s, err := NewStore(fsys, crashOpts)
		if err != nil {
			return nil, err
		}
		r, err := s.Latest()
		if err != nil {
			return nil, err
		}
		files := map[string][]byte{}
		for _, f := range r.Manifest().Files {
			if files[f.Name], err = r.ReadFile(f.Name); err != nil {
				return nil, err
			}
		}
		return files, nil
	}
	probe := NewFaultyFS(base)
	_, err := read(probe)
	require.NoError(t, err)
	for k := int64(1); k <= probe.Count(OpAny); k++ {
		files, err := read(NewFaultyFS(base, FailOn(Fault{Op: OpAny, N: k})))
		if err != nil {
			require.ErrorIs(t, err, ErrInjected, "op %d", k)
			require.NotErrorIs(t, err, ErrCorrupt, "op %d", k)
			continue
		}
		require.Equal(t, snapshotFiles("1"), files, "op %d", k)
	}
}
