package flinksim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// TestTraceProducer: every event of a channel names the channel's
// producer, the task that sends its batches, whether or not the channel
// ever carries one; other events name none. (Mutant killed: the
// consumer's own task ID as the producer.)
func TestTraceProducer(t *testing.T) {
	var events []flinksim.TraceEvent
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(4),
		flinksim.WithSimulation(3, nil), flinksim.WithTracer(func(ev flinksim.TraceEvent) { events = append(events, ev) }),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 3 * time.Millisecond}))
	shuffleJob(env, 40)
	_, err := env.Execute(t.Context(), "producer")
	require.NoError(t, err)

	producer := map[int]int{} // channel -> producer, from the sent batches
	for _, ev := range events {
		if ev.Kind == flinksim.TraceBatchOut {
			assert.Equal(t, ev.TaskID, ev.Producer, "%v", ev)
			producer[ev.Channel] = ev.TaskID
		}
	}
	barriers := 0
	for _, ev := range events {
		switch {
		case ev.Channel < 0:
			assert.Equal(t, -1, ev.Producer, "%v", ev)
		case ev.Kind != flinksim.TraceBatchOut:
			assert.NotEqual(t, ev.TaskID, ev.Producer, "%v", ev)
			if p, ok := producer[ev.Channel]; ok {
				assert.Equal(t, p, ev.Producer, "%v", ev)
			}
			if ev.Kind == flinksim.TraceBarrier {
				barriers++
				assert.GreaterOrEqual(t, ev.Producer, 0, "%v", ev)
			}
		}
	}
	assert.Positive(t, barriers)
}
