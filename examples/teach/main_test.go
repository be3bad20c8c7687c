package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// dupRecords sums the records of the batches an SVG marks as counted twice.
func dupRecords(t *testing.T, svg []byte) int {
	t.Helper()
	n := 0
	for _, m := range regexp.MustCompile(`data-event="duplicate"[^>]*data-records="(\d+)"`).FindAllSubmatch(svg, -1) {
		v, _ := strconv.Atoi(string(m[1]))
		n += v
	}
	return n
}

// TestTeach runs the program as its docs say, in both modes and a few
// seeds: it writes both files, prints the timeline, and the sink commits
// each key's records exactly once in exactly-once mode; in at-least-once
// mode the committed counts exceed the records by exactly as many records
// as the picture marks as counted twice (the picture explains the
// output). Mutant killed: marking every batch read after a barrier, not
// only those before the snapshot, as counted twice.
func TestTeach(t *testing.T) {
	for _, seed := range []string{"1", "2", "4"} {
		for _, mode := range []string{"exactly-once", "at-least-once"} {
			t.Run(seed+"/"+mode, func(t *testing.T) {
				dir := t.TempDir()
				var out bytes.Buffer
				if err := run(context.Background(), []string{"--out", dir, "--seed", seed, "--mode", mode}, &out, &out); err != nil {
					t.Fatalf("%v\n%s", err, out.String())
				}
				s := out.String()
				if strings.Contains(s, "never struck") || !strings.Contains(s, "restored from checkpoint") {
					t.Fatalf("no failure and restore:\n%s", s)
				}
				page, err := os.ReadFile(filepath.Join(dir, "teach.html"))
				if err != nil || !bytes.Contains(page, []byte("<svg")) {
					t.Fatalf("teach.html: %v", err)
				}
				svg, err := os.ReadFile(filepath.Join(dir, "teach.svg"))
				if err != nil {
					t.Fatal(err)
				}
				m := regexp.MustCompile(`committed (\d+) counts`).FindStringSubmatch(s)
				if m == nil {
					t.Fatalf("no report:\n%s", s)
				}
				committed, _ := strconv.Atoi(m[1])
				extra, dups := committed-2*records, dupRecords(t, svg)
				if mode == "exactly-once" {
					if extra != 0 || dups != 0 || !strings.Contains(s, "0→8 1→8 2→8 3→8 4→8 5→8") {
						t.Errorf("exactly-once: %d extra counts, %d records marked twice:\n%s", extra, dups, s)
					}
					return
				}
				if bytes.Contains(svg, []byte(`data-event="blocked"`)) {
					t.Error("at-least-once drew a blocked band")
				}
				if extra != dups || extra == 0 {
					t.Errorf("at-least-once: %d extra counts committed, %d records marked as counted twice", extra, dups)
				}
			})
		}
	}
}

// TestSameSeedSameFiles: the files of a seed are the same bytes every run.
func TestSameSeedSameFiles(t *testing.T) {
	var files [2][]byte
	for i := range files {
		dir := t.TempDir()
		if err := run(context.Background(), []string{"--out", dir, "--seed", "7"}, new(bytes.Buffer), new(bytes.Buffer)); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"teach.html", "teach.svg"} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			files[i] = append(files[i], b...)
		}
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("seed 7 drew two different pictures")
	}
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "twice"}, `--mode "twice"`},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		err := run(context.Background(), append(tc.args, "--out", t.TempDir()), new(bytes.Buffer), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.want)
		}
	}
	if err := run(context.Background(), []string{"--help"}, new(bytes.Buffer), new(bytes.Buffer)); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v", err)
	}
}

// TestReadmePicture: the picture README.md shows is what the program
// draws by default. Regenerate it with:
//
//	go run ./examples/teach --out examples/teach && rm examples/teach/teach.html
func TestReadmePicture(t *testing.T) {
	dir := t.TempDir()
	if err := run(context.Background(), []string{"--out", dir}, new(bytes.Buffer), new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "teach.svg"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("teach.svg")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("examples/teach/teach.svg is not what the program draws; regenerate it (see the comment)")
	}
}
