// Package snapshot stores snapshots durably: named byte blobs plus a
// manifest, in a versioned, checksummed format, written so that a crash at
// any moment leaves either the previous snapshots or the new one complete,
// never a torn one. It knows nothing of dataflows; the runtime decides what
// the blobs hold.
//
// # The model
//
// A snapshot is a set of files (name → bytes) and a [Manifest] listing them
// with their sizes and checksums, the kind of snapshot, when it was made, and
// free-form properties. There are two kinds:
//
//   - Checkpoints are owned by the job and identified by an int64 id. When a
//     checkpoint is published, older ones beyond StoreOptions.RetainedCheckpoints
//     (default 1) are deleted. [Store.Latest] opens the newest complete one.
//   - Savepoints are owned by the user and identified by a name. The package
//     never deletes one except through [Store.DeleteSavepoint].
//
// A snapshot is written through a [Writer]:
//
//	w, err := store.BeginCheckpoint(42)
//	if err != nil { ... }
//	defer w.Abort() // does nothing once committed
//	if err := w.WriteFile("operator-a", stateA); err != nil { ... } // may run concurrently
//	if err := w.WriteFile("operator-b", stateB); err != nil { ... }
//	manifest, err := w.Commit(map[string]string{"job": "wordcount"})
//
// and read through a [Reader], which checks every file against the manifest:
//
//	r, err := store.Latest() // or OpenCheckpoint, OpenSavepoint, Open(ref)
//	data, err := r.ReadFile("operator-a")
//
// Savepoint and file names are single path elements of at most
// [MaxNameLength] bytes of printable UTF-8, without "/", "\" or "..", not
// starting with "." and not "MANIFEST"; so no name can leave the store's
// directory. [Manifest.Ref] gives a string naming a snapshot that
// [Store.Open] accepts, for "restore from this snapshot". [OpenPath] opens
// a snapshot by its directory on disk alone, for reading, creating and
// cleaning nothing. [Store.Keep] exempts a checkpoint from retention (a
// job restored from it in NO_CLAIM mode leaves it to its owner), and
// [Store.ChooseRestore] maps the managed service's restore types
// (RESTORE_FROM_LATEST_SNAPSHOT, RESTORE_FROM_CUSTOM_SNAPSHOT,
// SKIP_RESTORE_FROM_SNAPSHOT) onto the store's savepoints.
//
// # The format
//
// Within the store's root a snapshot is a directory:
//
//	checkpoints/chk-00000000000000000042/MANIFEST
//	checkpoints/chk-00000000000000000042/operator-a
//	savepoints/nightly/MANIFEST
//	savepoints/nightly/operator-a
//
// Every file, manifest included, is an envelope (integers big-endian):
//
//	magic      4 bytes   "FSNP"
//	version    uint16    FormatVersion (1)
//	file type  1 byte    1 = data, 2 = manifest
//	length     uint64    payload length, at most StoreOptions.MaxFileSize (default 1 GiB)
//	payload    length bytes
//	checksum   uint32    CRC-32C (Castagnoli) of everything before it
//
// The manifest's payload is JSON; each of its files entries records the
// payload size and the envelope checksum. A reader checks the magic, the
// version, the length against the bound and against the file's size (before
// allocating anything), the checksum, the file type, and the size and
// checksum against the manifest.
//
// # Durability and crash guarantees
//
// Each file is written to a temporary name starting with ".", synced, closed
// and renamed. Commit then syncs the directory, so that the files' names are
// durable, writes the manifest the same way, last, and syncs the directory
// again. A snapshot exists if and only if its directory holds a valid
// manifest, so a crash before the last sync leaves a directory that listing
// ignores and [Store.Cleanup] (run by [NewStore]) removes, and the previous
// snapshots intact; once Commit has returned, the snapshot survives a crash.
// Deletion removes the manifest first, durably, then the rest.
//
// These guarantees assume the filesystem honours fsync of files and
// directories, and that one [Store] at a time uses a directory.
//
// # Stores and filesystems
//
// A [Store] works over a small [FS] interface, in the spirit of
// cockroachdb/pebble's vfs:
//
//   - [DirFS] is the operating system's filesystem under a root directory.
//   - [MemFS] keeps everything in memory and tracks what is durable;
//     [MemFS.CrashClone] returns the filesystem as a power loss would leave it.
//   - [FaultyFS] wraps another FS, numbers its operations, and fails chosen
//     ones with [ErrInjected]; with [BeforeOp] and CrashClone, a test can crash
//     before every step of a sequence and check what survives.
//
// # Records and locks
//
// [WriteRecord] and [ReadRecord] keep a single file in the same envelope,
// replaced crash-safely, for a small catalog of one's own (the application
// service's); [LockFile] guards a directory so that one user at a time
// writes it.
//
// # Errors
//
// Errors wrap sentinels to test with [errors.Is]: [ErrNotFound],
// [ErrExists], [ErrCorrupt], [ErrIncompatibleVersion], [ErrInvalidName],
// [ErrInvalidProperty], [ErrTooLarge], [ErrClosed], [ErrLocked] and [ErrInjected].
// Corruption is reported as a [*CorruptError] naming the file and what failed,
// an unknown format version as a [*VersionError]; get them with [errors.As].
// Errors of the filesystem are wrapped with what was being done. No input,
// on disk or from the caller, makes the package panic.
package snapshot
