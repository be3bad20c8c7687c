// Package examples holds runnable programs that use go-flinksim. Each is a
// main package in its own directory; run one from the repository root:
//
//	go run ./examples/wordcount [--parallelism N] [FILE]
//
// wordcount counts the words of FILE (or of a built-in text) with a
// FlatMap → KeyBy → Process dataflow that keeps each word's count in keyed
// state, and prints "word<TAB>count" lines sorted by word. With
// checkpoints it writes one line per word occurrence, exactly once, and
// survives kill -9:
//
//	go run ./examples/wordcount --checkpoint-dir DIR [--checkpoint-interval 100ms] --output OUT [--parallelism N] FILE
//
// lifecycle walks an application of the in-process Managed Service for
// Apache Flink (package lifecycle) through create, start, update with its
// state kept, scaling, stop with a snapshot, starts from the latest and
// from an older snapshot, and delete, printing every status change:
//
//	go run ./examples/lifecycle [--dir DIR]
//
// kafka reads a topic, keeps each key's running count and sum in keyed
// state, and writes one record per input to another topic exactly once,
// in Kafka transactions. Without --brokers it starts an in-process Kafka
// cluster, writes a demo stream, runs the job and checks its output:
//
//	go run ./examples/kafka [--brokers HOST:PORT] [--in in] [--out out] [--bounded] [--fail-after N] [--parallelism N] [--checkpoint-interval D]
//
// teach runs a small job with a two-phase-commit sink and one failure in
// the seeded simulation and draws it (package flinksim/timeline): barriers,
// alignment, snapshots, the failure, the restore and the transactions, as
// teach.html, teach.svg and a terminal timeline:
//
//	go run ./examples/teach [--out DIR] [--mode exactly-once|at-least-once] [--seed N]
//
// nexmark runs a query of the Nexmark benchmark, q0 … q9, as a DataStream
// job over generated events, with exactly-once checkpoints, and prints a
// summary of its result and its throughput per CPU-second; --verify checks
// the result against a plain reference computation:
//
//	go run ./examples/nexmark --query q5 [--events N] [--parallelism N] [--checkpoint-interval D] [--verify]
package examples
