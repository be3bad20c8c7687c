package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

// waitingSource reports the statuses of its script, one per poll, and
// signals availability during a poll when signalIn is set.
type waitingSource struct {
	ctx      *OperatorContext
	script   []SourceStatus
	polls    int
	signalIn bool
}

func (s *waitingSource) Poll(int) SourceStatus {
	st := s.script[min(s.polls, len(s.script)-1)]
	s.polls++
	if s.signalIn {
		s.ctx.SignalAvailable()
	}
	return st
}
func (s *waitingSource) ProcessBatch(any, int, int) {}
func (s *waitingSource) EndInput()                  {}
func (s *waitingSource) Close() error               { return nil }

// waitingTask returns the initialised source task of a source -> sink
// graph whose source is src.
func waitingTask(t *testing.T, src *waitingSource) *Task {
	g := &Graph{}
	v := g.Add(&Vertex{Name: "src", IsSource: true, Parallelism: 1, MaxParallelism: 128, Fanout: FanoutOf[int](),
		New: func(ctx *OperatorContext, _ any) (Operator, error) { src.ctx = ctx; return src, nil }})
	sink := g.Add(&Vertex{Name: "sink", IsSink: true, Parallelism: 2, MaxParallelism: 128})
	sink.Inputs = []*Edge{{From: v, To: sink, Strategy: StrategyRebalance, NewWriter: WriterOf[int]()}}
	eg, err := Expand(g, Config{Logger: zap.NewNop(), Clock: NewVirtualClock(time.Unix(0, 0))})
	require.NoError(t, err)
	task := eg.Tasks[0]
	require.NoError(t, task.Init(nil))
	return task
}

func offersPoll(task *Task) bool {
	works, _ := task.Ready(nil, nil)
	for _, w := range works {
		if w.Kind == WorkPoll {
			return true
		}
	}
	return false
}

// TestWaitingSourceIsNotPolled: a source that reported SourceWaiting is
// not offered to poll again — no poll loop, no timer — until it signals;
// the signal wakes the task, and a signal sent during the poll itself is
// not lost.
//
// Mutants this catches: pollable ignoring SourceWaiting (a poll is
// offered while waiting); the available flag cleared after the poll
// instead of before (the signal sent during the poll is lost: no poll is
// offered, the task would wait forever); signalAvailable not waking the
// task (nothing on WakeC).
func TestWaitingSourceIsNotPolled(t *testing.T) {
	src := &waitingSource{script: []SourceStatus{SourceWaiting, SourceMore}}
	task := waitingTask(t, src)
	require.True(t, offersPoll(task), "a new source is polled")
	_, err := task.Do(Work{Kind: WorkPoll})
	require.NoError(t, err)
	assert.False(t, offersPoll(task), "a waiting source is offered a poll")
	assert.True(t, task.AwaitsSource())
	select {
	case <-task.WakeC(): // drain what Init or the poll left
	default:
	}

	done := make(chan struct{})
	go func() { // from another goroutine, as a reader's own would
		defer close(done)
		src.ctx.SignalAvailable()
	}()
	select {
	case <-task.WakeC():
	case <-time.After(time.Minute): // a guard, not a wait: the wake comes at once
		t.Fatal("the signal did not wake the task")
	}
	<-done
	assert.True(t, offersPoll(task), "the signal should make the source pollable")
	_, err = task.Do(Work{Kind: WorkPoll})
	require.NoError(t, err)
	assert.False(t, task.AwaitsSource())
	assert.Equal(t, 2, src.polls)

	during := &waitingSource{script: []SourceStatus{SourceWaiting}, signalIn: true}
	task = waitingTask(t, during)
	_, err = task.Do(Work{Kind: WorkPoll})
	require.NoError(t, err)
	assert.True(t, offersPoll(task), "a signal sent during the poll should count for the next one")
}
