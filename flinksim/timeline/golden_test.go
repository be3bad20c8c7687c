package timeline_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/timeline"
)

// renderings returns the SVG, the HTML page and the terminal timeline of
// a run.
func renderings(t *testing.T, r run) (svg, page, text []byte) {
	t.Helper()
	tl := timeline.New(r.events, timeline.Options{Title: "teach", Subtasks: r.subtasks})
	var s, h, x bytes.Buffer
	require.NoError(t, tl.WriteSVG(&s))
	require.NoError(t, tl.WriteHTML(&h))
	require.NoError(t, tl.WriteText(&x, 100))
	return s.Bytes(), h.Bytes(), x.Bytes()
}

// TestSameSeedSamePicture: two runs of one seed draw the same bytes, in
// every form; another seed draws another picture.
func TestSameSeedSamePicture(t *testing.T) {
	fault := protocolRuns[0].fault
	s1, h1, x1 := renderings(t, runJob(t, 3, flinksim.ExactlyOnce, fault))
	s2, h2, x2 := renderings(t, runJob(t, 3, flinksim.ExactlyOnce, fault))
	assert.Equal(t, string(s1), string(s2))
	assert.Equal(t, string(h1), string(h2))
	assert.Equal(t, string(x1), string(x2))
	s3, _, _ := renderings(t, runJob(t, 4, flinksim.ExactlyOnce, fault))
	assert.NotEqual(t, string(s1), string(s3))
}

// TestGolden pins the SVG and the terminal timeline of a few seeds in
// both modes. A change to them should be deliberate; regenerate with:
//
//	go test ./flinksim/timeline -run TestGolden -rewrite
func TestGolden(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		for _, mode := range []flinksim.CheckpointingMode{flinksim.ExactlyOnce, flinksim.AtLeastOnce} {
			name := fmt.Sprintf("seed%d-%s", seed, map[bool]string{true: "exactly-once", false: "at-least-once"}[mode == flinksim.ExactlyOnce])
			t.Run(name, func(t *testing.T) {
				svg, _, text := renderings(t, runJob(t, seed, mode, protocolRuns[0].fault))
				for ext, got := range map[string][]byte{".svg": svg, ".txt": text} {
					path := filepath.Join("testdata", name+ext)
					if *rewrite {
						require.NoError(t, os.WriteFile(path, got, 0o644))
						continue
					}
					want, err := os.ReadFile(path)
					require.NoError(t, err, "run with -rewrite to create it")
					assert.Equal(t, string(want), string(got), "%s changed; if on purpose, rerun with -rewrite", path)
				}
			})
		}
	}
}
