package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

// The output mode keeps, next to the checkpoint store in the checkpoint
// directory:
//
//	JOB       what the job is (input, its size, output), written before it
//	          first starts, so that a directory is never resumed by another job
//	COMPLETE  written once the job has finished and its output is committed
//	LOCK      locked while a process runs the job
const (
	jobFile      = "JOB"
	completeFile = "COMPLETE"
	lockFile     = "LOCK"
)

// outputConfig is the configuration of the output mode.
type outputConfig struct {
	input, output, checkpointDir string
	interval                     time.Duration
	parallelism                  int
}

// runOutput runs (or resumes) the job that writes the running counts of
// the words of cfg.input into cfg.output, exactly once. Messages go to
// stderr.
func runOutput(ctx context.Context, cfg outputConfig, stderr io.Writer) error {
	var err error
	for _, p := range []*string{&cfg.input, &cfg.output, &cfg.checkpointDir} {
		if *p, err = filepath.Abs(*p); err != nil {
			return err
		}
	}
	info, err := os.Stat(cfg.input)
	if err != nil {
		return fmt.Errorf("input: %w", err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("input %s is not a regular file", cfg.input)
	}
	if within(cfg.output, cfg.checkpointDir) || within(cfg.checkpointDir, cfg.output) {
		return fmt.Errorf("--output %s and --checkpoint-dir %s must be separate directories, neither inside the other", cfg.output, cfg.checkpointDir)
	}
	for _, dir := range []string{cfg.checkpointDir, cfg.output} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	unlock, err := lockDir(filepath.Join(cfg.checkpointDir, lockFile))
	if err != nil {
		return err
	}
	defer unlock()

	desc := fmt.Sprintf("wordcount job\ninput: %s\ninput size: %d\noutput: %s\n", cfg.input, info.Size(), cfg.output)
	recorded, err := os.ReadFile(filepath.Join(cfg.checkpointDir, jobFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		recorded = nil
	case err != nil:
		return err
	case string(recorded) != desc:
		return fmt.Errorf("checkpoint dir %s belongs to another job (or the input changed):\n%s\nnot:\n%s\nuse a new --checkpoint-dir", cfg.checkpointDir, recorded, desc)
	}
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
	opts := []flinksim.Option{
		flinksim.WithParallelism(cfg.parallelism),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: cfg.interval, Store: store}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(3, time.Second)),
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
	if _, err := env.Execute(ctx, "wordcount"); err != nil {
		return err
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
