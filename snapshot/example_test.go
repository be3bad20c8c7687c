package snapshot_test

import (
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/flinksim/go-flinksim/snapshot"
)

// fixedClock makes the examples' output deterministic.
func fixedClock() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }

func Example() {
	store, err := snapshot.NewStore(snapshot.NewMemFS(), snapshot.StoreOptions{Clock: fixedClock})
	if err != nil {
		log.Fatal(err)
	}

	// Write checkpoint 1: files first, the manifest last.
	w, err := store.BeginCheckpoint(1)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort()
	for name, state := range map[string]string{"counts-0": "apple=3", "counts-1": "pear=5"} {
		if err := w.WriteFile(name, []byte(state)); err != nil {
			log.Fatal(err)
		}
	}
	if _, err := w.Commit(map[string]string{"job": "wordcount"}); err != nil {
		log.Fatal(err)
	}

	// List the checkpoints.
	checkpoints, err := store.ListCheckpoints()
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range checkpoints {
		fmt.Println(m.Ref(), m.CreatedAt.Format(time.RFC3339), m.Props["job"], len(m.Files), "files")
	}

	// Read a file of the latest checkpoint back.
	r, err := store.Latest()
	if err != nil {
		log.Fatal(err)
	}
	data, err := r.ReadFile("counts-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(data))
	// Output:
	// checkpoints/chk-00000000000000000001 2025-06-01T12:00:00Z wordcount 2 files
	// pear=5
}

func ExampleStore_BeginSavepoint() {
	store, err := snapshot.NewStore(snapshot.NewMemFS(), snapshot.StoreOptions{Clock: fixedClock})
	if err != nil {
		log.Fatal(err)
	}
	w, err := store.BeginSavepoint("before-upgrade")
	if err != nil {
		log.Fatal(err)
	}
	if err := w.WriteFile("state", []byte("v1 state")); err != nil {
		log.Fatal(err)
	}
	m, err := w.Commit(nil)
	if err != nil {
		log.Fatal(err)
	}

	// Later, perhaps in another process: restore from the reference.
	r, err := store.Open(m.Ref())
	if err != nil {
		log.Fatal(err)
	}
	data, err := r.ReadFile("state")
	fmt.Println(m.Ref(), string(data), err)

	_, err = store.BeginSavepoint("../escape")
	fmt.Println(errors.Is(err, snapshot.ErrInvalidName))
	// Output:
	// savepoints/before-upgrade v1 state <nil>
	// true
}

// A crash before Commit has made the manifest durable leaves the previous
// checkpoint; the incomplete one is ignored and cleaned up.
func ExampleMemFS_CrashClone() {
	fsys := snapshot.NewMemFS()
	store, err := snapshot.NewStore(fsys, snapshot.StoreOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for id := int64(1); id <= 2; id++ {
		w, err := store.BeginCheckpoint(id)
		if err != nil {
			log.Fatal(err)
		}
		if err := w.WriteFile("state", fmt.Appendf(nil, "state %d", id)); err != nil {
			log.Fatal(err)
		}
		if id == 2 {
			break // crash before committing checkpoint 2
		}
		if _, err := w.Commit(nil); err != nil {
			log.Fatal(err)
		}
	}

	afterCrash, err := snapshot.NewStore(fsys.CrashClone(), snapshot.StoreOptions{})
	if err != nil {
		log.Fatal(err)
	}
	r, err := afterCrash.Latest()
	if err != nil {
		log.Fatal(err)
	}
	data, err := r.ReadFile("state")
	fmt.Println(r.Manifest().CheckpointID, string(data), err)
	// Output:
	// 1 state 1 <nil>
}

// FaultyFS fails chosen operations, here the first rename, as a full disk might.
func ExampleNewFaultyFS() {
	fsys := snapshot.NewFaultyFS(snapshot.NewMemFS(),
		snapshot.FailOn(snapshot.Fault{Op: snapshot.OpRename, N: 1}))
	store, err := snapshot.NewStore(fsys, snapshot.StoreOptions{})
	if err != nil {
		log.Fatal(err)
	}
	w, err := store.BeginCheckpoint(1)
	if err != nil {
		log.Fatal(err)
	}
	err = w.WriteFile("state", []byte("x"))
	fmt.Println(errors.Is(err, snapshot.ErrInjected))
	fmt.Println(w.Abort())
	_, err = store.Latest()
	fmt.Println(errors.Is(err, snapshot.ErrNotFound))
	// Output:
	// true
	// <nil>
	// true
}

// The managed service's three restore choices over a store: a first start
// is empty whatever the choice; afterwards the latest snapshot, a named
// one, or none.
func ExampleStore_ChooseRestore() {
	store, err := snapshot.NewStore(snapshot.NewMemFS(), snapshot.StoreOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ref, _ := store.ChooseRestore(snapshot.RestoreFromLatestSnapshot, "")
	fmt.Printf("first start: %q\n", ref)
	for _, name := range []string{"nightly", "before-upgrade"} {
		w, err := store.BeginSavepoint(name)
		if err != nil {
			fmt.Println(err)
			return
		}
		if _, err := w.Commit(nil); err != nil {
			fmt.Println(err)
			return
		}
	}
	for _, c := range []struct {
		typ  snapshot.RestoreType
		name string
	}{
		{snapshot.RestoreFromCustomSnapshot, "nightly"},
		{snapshot.SkipRestoreFromSnapshot, ""},
		{snapshot.RestoreFromCustomSnapshot, "missing"},
	} {
		ref, err := store.ChooseRestore(c.typ, c.name)
		fmt.Printf("%s %q: %q %v\n", c.typ, c.name, ref, err)
	}
	// Output:
	// first start: ""
	// RESTORE_FROM_CUSTOM_SNAPSHOT "nightly": "savepoints/nightly" <nil>
	// SKIP_RESTORE_FROM_SNAPSHOT "": "" <nil>
	// RESTORE_FROM_CUSTOM_SNAPSHOT "missing": "" snapshot: not found: snapshot "missing"
}
