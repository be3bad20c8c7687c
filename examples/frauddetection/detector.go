package main

import (
	"strconv"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Transaction is a card transaction of an account.
type Transaction struct {
	AccountID int64
	// Timestamp is when it happened, in milliseconds since the epoch.
	Timestamp int64
	Amount    float64
}

// Alert reports a suspicious transaction of an account.
type Alert struct {
	AccountID int64
}

func (a Alert) String() string { return "Alert{id=" + strconv.FormatInt(a.AccountID, 10) + "}" }

// The fraud pattern: a small transaction followed, within a minute of
// processing time, by a large one — a thief testing a stolen card with a
// small purchase before a big one.
const (
	smallAmount = 1.00
	largeAmount = 500.00
	oneMinute   = 60 * 1000 // ms
)

// FraudDetector is the keyed process function of Flink's fraud detection
// walkthrough, per account: flag remembers that the last transaction was
// small, and timer when the flag expires; the processing-time timer at
// that time clears both.
type FraudDetector struct {
	flag  flinksim.ValueState[bool]
	timer flinksim.ValueState[int64]
}

// OpenFraudDetector declares the detector's state; it is the open of
// flinksim.Process.
func OpenFraudDetector(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, Transaction, Alert], error) {
	return &FraudDetector{
		flag:  flinksim.NewValueState[bool](rt, "flag"),
		timer: flinksim.NewValueState[int64](rt, "timer"),
	}, nil
}

// ProcessElement alerts on a large transaction that follows a small one,
// and flags a small one for a minute.
func (d *FraudDetector) ProcessElement(ctx *flinksim.KeyedContext[int64], t Transaction, out flinksim.Collector[Alert]) error {
	if _, lastWasSmall := d.flag.Value(); lastWasSmall {
		if t.Amount > largeAmount {
			out.Collect(Alert{AccountID: t.AccountID})
		}
		d.cleanUp(ctx)
	}
	if t.Amount < smallAmount {
		d.flag.Update(true)
		at := ctx.TimerService().CurrentProcessingTime() + oneMinute
		ctx.TimerService().RegisterProcessingTimeTimer(at)
		d.timer.Update(at)
	}
	return nil
}

// OnTimer clears the flag a minute after the small transaction.
func (d *FraudDetector) OnTimer(*flinksim.OnTimerContext[int64], int64, flinksim.Collector[Alert]) error {
	d.flag.Clear()
	d.timer.Clear()
	return nil
}

// cleanUp deletes the flag's timer and clears the state.
func (d *FraudDetector) cleanUp(ctx *flinksim.KeyedContext[int64]) {
	if at, ok := d.timer.Value(); ok {
		ctx.TimerService().DeleteProcessingTimeTimer(at)
	}
	d.flag.Clear()
	d.timer.Clear()
}

// FraudDetection adds the walkthrough's job to a graph: transactions keyed
// by account into the detector that open opens (OpenFraudDetector), whose
// alerts go to sink.
func FraudDetection(transactions flinksim.Stream[Transaction],
	open func(*flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, Transaction, Alert], error),
	sink func(Alert) error) {
	alerts := flinksim.Process(flinksim.KeyBy(transactions, func(t Transaction) int64 { return t.AccountID }),
		"fraud-detector", open)
	flinksim.Sink(alerts, "send-alerts", sink)
}
