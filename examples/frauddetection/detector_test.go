package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/flinksimtest"
)

func byAccount(t Transaction) int64 { return t.AccountID }

// newDetector opens the detector in a harness.
func newDetector(t *testing.T, opts ...flinksimtest.Option) *flinksimtest.KeyedHarness[int64, Transaction, Alert] {
	t.Helper()
	h, err := flinksimtest.NewKeyedHarness(byAccount, OpenFraudDetector, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	return h
}

func small(account int64) Transaction { return Transaction{AccountID: account, Amount: 0.5} }
func large(account int64) Transaction { return Transaction{AccountID: account, Amount: 600} }

// TestDetectorAlertsOnSmallThenLarge: a small transaction, then a large one
// of the same account within the minute, alerts; the pattern across two
// accounts, or a large one alone, does not.
//
// Mutants: "t.Amount > largeAmount" as "t.Amount < largeAmount"; the flag's
// Update(true) removed; each fails this test.
func TestDetectorAlertsOnSmallThenLarge(t *testing.T) {
	h := newDetector(t)
	require.NoError(t, h.ProcessElement(large(1), flinksim.NoTimestamp))
	require.NoError(t, h.ProcessElement(small(1), flinksim.NoTimestamp))
	require.NoError(t, h.ProcessElement(large(2), flinksim.NoTimestamp))
	require.NoError(t, h.SetProcessingTime(59_999))
	require.NoError(t, h.ProcessElement(large(1), flinksim.NoTimestamp))
	assert.Equal(t, []Alert{{AccountID: 1}}, h.Values())
	require.NoError(t, h.ProcessElement(large(1), flinksim.NoTimestamp))
	assert.Len(t, h.Values(), 1, "the alert cleared the flag")
}

// TestDetectorForgetsAfterAMinute: the timer a minute after the small
// transaction clears the flag, so a large one after it does not alert.
//
// Mutants: OnTimer's flag.Clear removed; "+ oneMinute" as "+ 2*oneMinute";
// each fails this test.
func TestDetectorForgetsAfterAMinute(t *testing.T) {
	h := newDetector(t, flinksimtest.WithProcessingTime(1_000))
	require.NoError(t, h.ProcessElement(small(7), flinksim.NoTimestamp))
	assert.Equal(t, []flinksimtest.Timer[int64]{{Key: 7, Time: 61_000}}, h.ProcessingTimeTimers())
	require.NoError(t, h.SetProcessingTime(61_000))
	assert.Empty(t, h.ProcessingTimeTimers(), "the timer fired")
	require.NoError(t, h.ProcessElement(large(7), flinksim.NoTimestamp))
	assert.Empty(t, h.Output())
}

// TestDetectorDeletesTheTimer: the transaction after a small one deletes
// the flag's timer, so it does not clear a later flag early.
//
// Mutants: cleanUp's DeleteProcessingTimeTimer removed; each fails this
// test. (cleanUp's timer.Clear removed is not observable: the timer state
// is read only while the flag is set, and both are set together.)
func TestDetectorDeletesTheTimer(t *testing.T) {
	h := newDetector(t)
	require.NoError(t, h.ProcessElement(small(3), flinksim.NoTimestamp))
	require.NoError(t, h.SetProcessingTime(30_000))
	require.NoError(t, h.ProcessElement(large(3), flinksim.NoTimestamp))
	assert.Empty(t, h.ProcessingTimeTimers(), "the large transaction deleted the timer")
	require.NoError(t, h.SetProcessingTime(50_000))
	require.NoError(t, h.ProcessElement(small(3), flinksim.NoTimestamp))
	assert.Equal(t, []flinksimtest.Timer[int64]{{Key: 3, Time: 110_000}}, h.ProcessingTimeTimers())
	require.NoError(t, h.SetProcessingTime(60_000)) // the first small one's minute: no timer left for it
	require.NoError(t, h.ProcessElement(large(3), flinksim.NoTimestamp))
	assert.Equal(t, []Alert{{3}, {3}}, h.Values())
}

// TestDetectorSnapshotRestore: the flag and its timer are in the snapshot:
// a harness restored from it alerts on a large transaction within the
// minute, and forgets the flag when the restored timer fires — at the
// same parallelism or another.
//
// Mutants: the harness restoring nothing (newOperator's restored left
// nil); the timer tables not registered at open when the restored state
// has them (keyedTimers.open's HasRestored branch removed); each fails
// this test.
func TestDetectorSnapshotRestore(t *testing.T) {
	h := newDetector(t)
	require.NoError(t, h.ProcessElement(small(1), flinksim.NoTimestamp))
	require.NoError(t, h.ProcessElement(small(2), flinksim.NoTimestamp))
	snap, err := h.Snapshot()
	require.NoError(t, err)

	r := newDetector(t, flinksimtest.WithRestore(snap), flinksimtest.WithProcessingTime(30_000))
	assert.Equal(t, []flinksimtest.Timer[int64]{{Key: 1, Time: 60_000}, {Key: 2, Time: 60_000}}, r.ProcessingTimeTimers())
	require.NoError(t, r.ProcessElement(large(1), flinksim.NoTimestamp))
	assert.Equal(t, []Alert{{1}}, r.Values())
	require.NoError(t, r.SetProcessingTime(60_000))
	require.NoError(t, r.ProcessElement(large(2), flinksim.NoTimestamp))
	assert.Equal(t, []Alert{{1}}, r.Values(), "the restored timer cleared account 2's flag")

	// Rescaled to two subtasks: each account's flag is where its key group is.
	alerts := 0
	for sub := range 2 {
		s := newDetector(t, flinksimtest.WithRestore(snap), flinksimtest.WithSubtask(sub, 2))
		for _, acct := range []int64{1, 2} {
			err := s.ProcessElement(large(acct), flinksim.NoTimestamp)
			if err != nil {
				require.ErrorIs(t, err, flinksimtest.ErrKeyNotInSubtask)
			}
		}
		alerts += len(s.Values())
	}
	assert.Equal(t, 2, alerts, "both flags survived the rescale")
}
