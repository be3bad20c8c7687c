package flinksim_test

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// fileLines is the reference split of a file into lines: "\n" ends a line,
// a final line needs no "\n", and one "\r" before the end is dropped.
func fileLines(content string) []string {
	if content == "" {
		return nil
	}
	lines := strings.Split(content, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

func TestTextFile(t *testing.T) {
	long := strings.Repeat("0123456789abcdef", (300<<10)/16) // 300 KiB, above the 256 KiB reader buffer
	files := map[string]string{
		"trailing newline":    "alpha\nbeta\ngamma\n",
		"no trailing newline": "alpha\nbeta\ngamma",
		"crlf":                "alpha\r\nbeta\r\n\r\ngamma\r\n",
		"empty lines":         "\n\n\nx\n\n\ny\n\n",
		"only newline":        "\n",
		"empty":               "",
		"one char":            "x",
		"long line first":     long + "\nshort\n" + long + "x",
		"long lines":          "a\n" + long + "\n" + long + long + "\n\nb\n" + long,
		"long line then many": long + "\n" + strings.Repeat("ab\n", 1000),
		"random":              randomText(rand.New(rand.NewPCG(1, 2)), 2000),
		"random crlf":         strings.ReplaceAll(randomText(rand.New(rand.NewPCG(3, 4)), 1500), "\n", "\r\n"),
	}
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".txt")
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		want := fileLines(content)
		t.Run(name, func(t *testing.T) {
			for p := 1; p <= 5; p++ {
				forEachExecutor(t, func(t *testing.T, ex executor) {
					env := ex.newEnv(flinksim.WithParallelism(p))
					out := flinksim.Collect(flinksim.TextFile(env, "lines", path), "out")
					_, err := env.Execute(t.Context(), "text")
					require.NoError(t, err, "parallelism %d", p)
					// Subtask i reads the lines that start in the i-th byte
					// range, in order: subtask 0's, then 1's... is the file.
					got := out.Values()
					if !assert.Equal(t, len(want), len(got), "parallelism %d: line count", p) {
						return
					}
					for i := range want {
						if want[i] != got[i] {
							assert.Failf(t, "line differs", "parallelism %d, line %d: want %.40q (len %d), got %.40q (len %d)",
								p, i, want[i], len(want[i]), got[i], len(got[i]))
							return
						}
					}
				})
			}
		})
	}
}

// randomText returns lines of random lengths (many empty, a few long),
// with or without a final newline.
func randomText(r *rand.Rand, lines int) string {
	var sb strings.Builder
	for i := range lines {
		n := r.IntN(20)
		switch r.IntN(10) {
		case 0:
			n = 0
		case 1:
			n = r.IntN(3000)
		}
		for range n {
			sb.WriteByte(byte('a' + r.IntN(26)))
		}
		if i < lines-1 || r.IntN(2) == 0 {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// TestTextFileSmallSplits: with small files some subtask's byte range
// starts at byte 1; that subtask must skip the line that starts at byte 0.
func TestTextFileSmallSplits(t *testing.T) {
	dir := t.TempDir()
	for _, content := range []string{"single", "ab", "abc", "a\nb", "ab\ncd\n"} {
		path := filepath.Join(dir, "f.txt")
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		for p := 1; p <= 6; p++ {
			forEachExecutor(t, func(t *testing.T, ex executor) {
				env := ex.newEnv(flinksim.WithParallelism(p))
				out := flinksim.Collect(flinksim.TextFile(env, "lines", path), "out")
				_, err := env.Execute(t.Context(), "text")
				require.NoError(t, err)
				assert.Equal(t, fileLines(content), out.Values(), "%q, parallelism %d", content, p)
			})
		}
	}
}

func TestTextFileMissing(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(2))
		flinksim.Collect(flinksim.TextFile(env, "lines", filepath.Join(t.TempDir(), "missing.txt")), "out")
		_, err := env.Execute(t.Context(), "missing")
		require.ErrorIs(t, err, fs.ErrNotExist)
		var oe *flinksim.OperatorError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "lines", oe.Operator)
	})
}
