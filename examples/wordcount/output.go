package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

// The output mode keeps, next to the checkpoint store in the checkpoint
// directory:
//
//	JOB       what the job is (the input's size and SHA-256, the output
//	          directory relative to the checkpoint directory), written before
//	          it first starts, so that a directory is never resumed by
//	          another job or over another input
//	COMPLETE  written once the job has finished and its output is committed
//	LOCK      locked while a process runs the job
//
// and in the output directory:
//
//	.LOCK     locked while a process writes into it (hidden: not output)
const (
	jobFile        = "JOB"
	completeFile   = "COMPLETE"
	lockFile       = "LOCK"
	outputLockFile = ".LOCK"
)

// outputConfig is the configuration of the output mode.
type outputConfig struct {
	input, output, checkpointDir string
	interval                     time.Duration
	parallelism                  int
	// savepointDir, if set, keeps the savepoint an interrupt stops the job
	// with; fromSavepoint, if set, is the savepoint the job starts from.
	savepointDir, fromSavepoint string
	// dashboard, if set, is where the job's dashboard is served.
	dashboard string
}

// runOutput runs (or resumes) the job that writes the running counts of
// the words of cfg.input into cfg.output, exactly once. Messages go to
// stderr.
func runOutput(ctx context.Context, cfg outputConfig, stderr io.Writer) error {
	var err error
	for _, p := range []*string{&cfg.input, &cfg.output, &cfg.checkpointDir, &cfg.savepointDir, &cfg.fromSavepoint} {
		if *p == "" {
			continue
		}
		if *p, err = filepath.Abs(*p); err != nil {
			return err
		}
	}
	info, err := checkInput(cfg.input)
	if err != nil {
		return err
	}
	if within(cfg.output, cfg.checkpointDir) || within(cfg.checkpointDir, cfg.output) {
		return fmt.Errorf("--output %s and --checkpoint-dir %s must be separate directories, neither inside the other", cfg.output, cfg.checkpointDir)
	}
	for _, dir := range []string{cfg.checkpointDir, cfg.output} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	// Both directories: two processes with different checkpoint
	// directories must not write one output twice.
	for _, lock := range []string{filepath.Join(cfg.checkpointDir, lockFile), filepath.Join(cfg.output, outputLockFile)} {
		unlock, err := lockDir(lock)
		if err != nil {
			return err
		}
		defer unlock()
	}

	digest, err := fileSHA256(cfg.input)
	if err != nil {
		return err
	}
	job := jobDesc{input: cfg.input, size: info.Size(), sha256: digest, output: relativeTo(cfg.checkpointDir, cfg.output)}
	recorded, err := os.ReadFile(filepath.Join(cfg.checkpointDir, jobFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		recorded = nil
	case err != nil:
		return err
	default:
		if err := job.matches(string(recorded), cfg); err != nil {
			return err
		}
	}
	desc := job.String()
	if _, err := os.Stat(filepath.Join(cfg.checkpointDir, completeFile)); err == nil {
		if recorded == nil {
			return fmt.Errorf("checkpoint dir %s has a %s file but no %s file", cfg.checkpointDir, completeFile, jobFile)
		}
		fmt.Fprintf(stderr, "wordcount: the job of %s is already complete; its output is in %s\n", cfg.checkpointDir, cfg.output)
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}

	store, err := snapshot.NewStore(snapshot.DirFS(cfg.checkpointDir), snapshot.StoreOptions{})
	if err != nil {
		return fmt.Errorf("checkpoint store: %w", err)
	}
	ref, from, err := resumePoint(store)
	if err != nil {
		return fmt.Errorf("checkpoint store %s: %w", cfg.checkpointDir, err)
	}
	if cfg.fromSavepoint != "" {
		sp, err := snapshot.OpenPath(cfg.fromSavepoint)
		if err != nil {
			return fmt.Errorf("--from-savepoint: %w", err)
		}
		// A run from the savepoint that was interrupted left newer
		// checkpoints: resume from those, or its output would repeat.
		spID, _ := strconv.ParseInt(sp.Manifest().Props["checkpoint-id"], 10, 64)
		if latest, err := store.Latest(); err != nil || latest.Manifest().CheckpointID <= spID {
			ref, from = cfg.fromSavepoint, "savepoint "+cfg.fromSavepoint
		} else {
			from += ", newer than the savepoint " + cfg.fromSavepoint
		}
		if recorded == nil { // a new checkpoint dir for a savepoint's job
			if err := writeFileDurably(cfg.checkpointDir, jobFile, []byte(desc)); err != nil {
				return err
			}
			recorded = []byte(desc)
		}
	}
	opts := []flinksim.Option{
		flinksim.WithParallelism(cfg.parallelism),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: cfg.interval, Store: store, SavepointDir: cfg.savepointDir}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(3, time.Second)),
		// The job owns its checkpoints: retention may remove the one it
		// resumed from once newer ones complete.
		flinksim.WithRestoreMode(flinksim.RestoreClaim),
	}
	if cfg.fromSavepoint != "" {
		opts[len(opts)-1] = flinksim.WithRestoreMode(flinksim.RestoreNoClaim) // the user's savepoint
	}
	if ref != "" {
		if recorded == nil {
			return fmt.Errorf("checkpoint dir %s has checkpoints but no %s file", cfg.checkpointDir, jobFile)
		}
		fmt.Fprintf(stderr, "wordcount: resuming from %s\n", from)
		opts = append(opts, flinksim.WithRestoreFrom(ref, false))
	} else {
		// Committed output exists only once a checkpoint did, so visible
		// files here are another job's.
		if names, err := visibleFiles(cfg.output); err != nil {
			return err
		} else if len(names) > 0 {
			return fmt.Errorf("--output %s already holds files (%s, ...), and %s has no checkpoint to resume from", cfg.output, names[0], cfg.checkpointDir)
		}
		if recorded == nil {
			if err := writeFileDurably(cfg.checkpointDir, jobFile, []byte(desc)); err != nil {
				return err
			}
		}
	}

	env := flinksim.NewEnvironment(opts...)
	running := runningCounts(flinksim.TextFile(env, "lines", cfg.input))
	flinksim.FileSink(running, "output", cfg.output, appendLine)
	stopped, err := execute(ctx, env, cfg.savepointDir != "", cfg.dashboard, stderr)
	if err != nil {
		return err
	}
	if stopped != "" {
		fmt.Fprintf(stderr, "wordcount: stopped with savepoint %s\n", stopped)
		return nil
	}
	// Every transaction of a checkpoint has been committed: hidden files
	// left now belong to transactions no checkpoint completed.
	if err := removeHiddenParts(cfg.output); err != nil {
		return err
	}
	if err := writeFileDurably(cfg.checkpointDir, completeFile, []byte("complete\n")); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wordcount: done; the output is in %s\n", cfg.output)
	return nil
}

// execute runs the job. When ctx ends (an interrupt) and withSavepoint is
// set, it stops the job with a savepoint and returns the savepoint's path;
// otherwise the job is cancelled. It returns "" when the job ran to its
// end.
func execute(ctx context.Context, env *flinksim.Environment, withSavepoint bool, dash string, stderr io.Writer) (savepoint string, err error) {
	if !withSavepoint {
		job, stop, err := startJob(ctx, env, dash, stderr)
		if err != nil {
			return "", err
		}
		defer stop()
		return "", job.Wait(context.WithoutCancel(ctx))
	}
	job, stop, err := startJob(context.WithoutCancel(ctx), env, dash, stderr)
	if err != nil {
		return "", err
	}
	defer stop()
	select {
	case <-job.Done():
		return "", job.Err()
	case <-ctx.Done():
	}
	name := "stop-" + time.Now().UTC().Format("20060102T150405.000000000Z")
	rec, err := job.StopWithSavepoint(context.Background(), name, false)
	if err != nil {
		if job.Status() == flinksim.JobFinished && job.Err() == nil {
			return "", nil // it finished before it could stop
		}
		job.Cancel()
		return "", errors.Join(fmt.Errorf("stop with savepoint: %w", err), job.Wait(context.Background()))
	}
	return rec.Ref, nil
}

// resumePoint returns the latest checkpoint to restore from ("" for none)
// and a description of it. Checkpoint IDs of a resumed job continue after
// the restored one, so the latest checkpoint is always the newest state.
func resumePoint(store *snapshot.Store) (ref, from string, err error) {
	r, err := store.Latest()
	switch {
	case errors.Is(err, snapshot.ErrNotFound):
		return "", "", nil
	case err != nil:
		return "", "", err
	}
	m := r.Manifest()
	return m.Ref(), fmt.Sprintf("checkpoint %d of an earlier run", m.CheckpointID), nil
}

// within reports whether path is dir or inside it; both are absolute and
// clean.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// visibleFiles returns the names in dir that do not start with ".".
func visibleFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// removeHiddenParts removes the in-progress and pending part files of
// FileSink from dir.
func removeHiddenParts(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".part-") && (strings.HasSuffix(name, ".inprogress") || strings.HasSuffix(name, ".pending")) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// writeFileDurably writes data to dir/name so that a crash leaves either
// no file or all of it: into a temporary file, synced, renamed, and the
// directory synced.
func writeFileDurably(dir, name string, data []byte) (err error) {
	tmp := filepath.Join(dir, "."+name+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	return nil
}

// syncDir makes the names in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkInput returns the input file's information, or an error that says
// in a line what is wrong with it.
func checkInput(path string) (os.FileInfo, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("input %s does not exist", path)
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot read input %s: %v", path, err)
	case info.IsDir():
		return nil, fmt.Errorf("input %s is a directory, not a file", path)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("input %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot read input %s: %v", path, err)
	}
	f.Close()
	return info, nil
}

// fileSHA256 returns the hex SHA-256 of the file at path.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("fingerprint input: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("fingerprint input %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// relativeTo returns path relative to dir when it can, else path; both
// are absolute and clean.
func relativeTo(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil {
		return rel
	}
	return path
}

// jobDesc is what the JOB file records. The input's path is there for
// people; the job is the input's contents (size and SHA-256) and where
// the output goes, relative to the checkpoint directory.
type jobDesc struct {
	input  string
	size   int64
	sha256 string
	output string
}

func (j jobDesc) String() string {
	return fmt.Sprintf("wordcount job\ninput: %s\ninput size: %d\ninput sha256: %s\noutput: %s\n", j.input, j.size, j.sha256, j.output)
}

// matches checks that recorded (a JOB file) describes the job j of cfg.
func (j jobDesc) matches(recorded string, cfg outputConfig) error {
	fields := make(map[string]string)
	lines := strings.Split(strings.TrimSuffix(recorded, "\n"), "\n")
	for _, l := range lines[min(1, len(lines)):] {
		if k, v, ok := strings.Cut(l, ": "); ok {
			fields[k] = v
		}
	}
	if len(lines) == 0 || lines[0] != "wordcount job" || fields["input sha256"] == "" || fields["output"] == "" {
		return fmt.Errorf("checkpoint dir %s holds a %s file this version does not understand; use a new --checkpoint-dir", cfg.checkpointDir, jobFile)
	}
	out := fields["output"]
	if !filepath.IsAbs(out) {
		out = filepath.Join(cfg.checkpointDir, out)
	}
	if out != cfg.output {
		return fmt.Errorf("the job of checkpoint dir %s writes to %s, not %s; give that --output, or use a new --checkpoint-dir", cfg.checkpointDir, out, cfg.output)
	}
	if fields["input sha256"] != j.sha256 || fields["input size"] != strconv.FormatInt(j.size, 10) {
		return fmt.Errorf("input %s changed since the job of %s started (sha256 %.12s…, was %.12s…); restore it, or start over with a new --checkpoint-dir and --output", cfg.input, cfg.checkpointDir, j.sha256, fields["input sha256"])
	}
	return nil
}
