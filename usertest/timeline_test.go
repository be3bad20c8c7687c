package usertest

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/timeline"
)

// A newcomer follows go doc ./flinksim/timeline: record a seeded run with
// a failure, draw it, and read the picture. The failure strikes during
// the snapshot of checkpoint 2, so checkpoint 1 has completed and is the
// one restored.
func TestTimelineOfARunWithAFailure(t *testing.T) {
	draw := func() (svg, text string) {
		var rec timeline.Recorder
		env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(2),
			flinksim.WithSimulation(11, nil), flinksim.WithTracer(rec.Trace),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 4 * time.Millisecond}),
			flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, 0)),
			flinksim.WithFaults(flinksim.NewFaultInjector(flinksim.Fault{Operator: "sum", Point: flinksim.FaultSnapshot, After: 2})))
		nums := flinksim.Generate(env, "nums", 40, func(i int64) (int, error) { return int(i), nil })
		sums := flinksim.Reduce(flinksim.KeyBy(nums, func(n int) int { return n % 4 }), "sum", func(a, b int) (int, error) { return a + b, nil })
		out := flinksim.NewTransactionalCollector[int]()
		flinksim.CollectTransactional(sums, "out", out)
		job, err := env.Start(context.Background(), "sums")
		if err != nil {
			t.Fatal(err)
		}
		if err := job.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		tl := timeline.New(rec.Events(), timeline.Options{Title: "sums", Subtasks: job.Subtasks()})
		var s, x bytes.Buffer
		if err := tl.WriteSVG(&s); err != nil {
			t.Fatal(err)
		}
		if err := tl.WriteText(&x, 80); err != nil {
			t.Fatal(err)
		}
		return s.String(), x.String()
	}
	svg, text := draw()
	t.Log("\n" + text)
	if again, _ := draw(); again != svg {
		t.Error("the same seed drew another picture")
	}

	// The SVG is XML; its elements say what they draw.
	events := map[string][]map[string]string{}
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			attrs := map[string]string{}
			for _, a := range se.Attr {
				attrs[a.Name.Local] = a.Value
			}
			if ev := attrs["data-event"]; ev != "" {
				events[ev] = append(events[ev], attrs)
			}
		}
	}
	for _, kind := range []string{"barrier", "blocked", "snapshot", "ack", "complete", "failure", "restore", "precommit", "commit"} {
		if len(events[kind]) == 0 {
			t.Errorf("nothing drawn as %q", kind)
		}
	}
	if f := events["failure"]; len(f) != 1 || f[0]["data-task"] != "sum -> out" {
		t.Errorf("failures drawn: %v", f)
	}
	for _, r := range events["restore"] {
		if r["data-checkpoint"] != "1" {
			t.Errorf("%s (%s) restored from checkpoint %s, want 1", r["data-task"], r["data-subtask"], r["data-checkpoint"])
		}
	}
	for _, want := range []string{"task manager", "nums (0)", "sum -> out (1)", "checkpoint 1 completed", "restored from checkpoint 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the terminal timeline does not say %q", want)
		}
	}
}
