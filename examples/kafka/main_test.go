package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemo runs the program as its docs say, without flags and with a
// failure: it checks its own output and says every record is in out once.
func TestDemo(t *testing.T) {
	for _, args := range [][]string{nil, {"--fail-after", "200", "--parallelism", "3", "--checkpoint-interval", "10ms"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, &out); err != nil {
			t.Fatalf("%q: %v\n%s", args, err, out.String())
		}
		if !strings.Contains(out.String(), "every one of the 2000 input records is reflected exactly once in \"out\", read committed") {
			t.Fatalf("%q: %s", args, out.String())
		}
		if args != nil && strings.Contains(out.String(), "(0 restarts)") {
			t.Fatalf("--fail-after did not fail: %s", out.String())
		}
	}
}

// TestBrokersBounded runs against a cluster given with --brokers, bounded.
func TestBrokersBounded(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--brokers", c.ListenAddrs()[0], "--in", "a", "--out", "b", "--bounded"}, &out, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "job done") {
		t.Fatal(out.String())
	}
}

func TestUsage(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, &out, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"--parallelism", "0"}, &out, &out); err == nil {
		t.Fatal("parallelism 0 accepted")
	}
}
