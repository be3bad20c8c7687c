// Command frauddetection runs the fraud detection job of Flink's DataStream
// API walkthrough on a built-in stream of transactions and prints its
// alerts:
//
//	go run ./examples/frauddetection
//
// prints "Alert{id=3}": account 3 makes a small transaction (under 1.00)
// and, within a minute, a large one (over 500.00). The detector is in
// detector.go; its tests (detector_test.go) run it in the operator harness
// of package flinksimtest, and job_test.go runs the whole job on a manual
// clock.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/flinksim/go-flinksim/flinksim"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "frauddetection:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context) error {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	FraudDetection(flinksim.FromSlice(env, "transactions", transactions()), OpenFraudDetector, func(a Alert) error {
		fmt.Println(a)
		return nil
	})
	_, err := env.Execute(ctx, "fraud-detection")
	return err
}

// amounts are the walkthrough's transaction amounts: transaction i is of
// account i mod 5 + 1, and happens six minutes after transaction i-1.
var amounts = []float64{
	188.23, 374.79, 112.15, 478.75, 208.85, 379.64, 351.44, 320.75, 259.42, 273.44,
	267.25, 397.15, 0.219, 231.94, 384.73, 419.62, 412.91, 0.77, 22.10, 377.54,
	375.44, 230.18, 0.80, 350.89, 127.55, 483.91, 228.22, 871.15, 64.19, 79.43,
	56.12, 256.48, 148.16, 199.95, 252.37, 274.73, 473.54, 119.92, 323.59, 353.16,
	211.90, 280.93, 347.89, 459.86, 82.31, 373.26, 479.83, 454.25, 83.64, 292.44,
}

// transactions returns the built-in transactions.
func transactions() []Transaction {
	const start = 1546272000000 // 2019-01-01, as the walkthrough's
	ts := make([]Transaction, len(amounts))
	for i, a := range amounts {
		ts[i] = Transaction{AccountID: int64(i%5 + 1), Timestamp: start + int64(i)*6*60*1000, Amount: a}
	}
	return ts
}
