package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWordcountDashboardFlag: --dashboard with no host listens on
// loopback, says where, and the job's output is what it is without the
// flag; an address that cannot be listened on is an error.
//
// Mutants this catches: the address used without LoopbackAddr (the
// server listens on every interface: "[::]:" in the message); the flag
// not passed on (no message).
func TestWordcountDashboardFlag(t *testing.T) {
	var plain, out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"--parallelism", "2"}, &plain, &bytes.Buffer{}))
	require.NoError(t, run(context.Background(), []string{"--parallelism", "2", "--dashboard", ":0"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "wordcount: dashboard at http://127.0.0.1:")
	assert.Equal(t, plain.String(), out.String())
	err := run(context.Background(), []string{"--dashboard", "256.0.0.1:1"}, &bytes.Buffer{}, &bytes.Buffer{})
	assert.ErrorContains(t, err, "--dashboard")
}
