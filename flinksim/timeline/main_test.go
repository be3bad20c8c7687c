package timeline_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if they leave goroutines behind,
// the browser's included.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
