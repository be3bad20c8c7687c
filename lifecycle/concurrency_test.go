package lifecycle_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/lifecycle"
)

// TestConcurrentUpdatesOneWins: updates that all carry the same version id,
// at once, of a READY and of a RUNNING application: exactly one creates
// the next version; every other is a ConcurrentModificationException.
//
// Mutant killed: UpdateApplication not checking the version again after
// copying the code (two updates both win).
func TestConcurrentUpdatesOneWins(t *testing.T) {
	for _, running := range []bool{false, true} {
		c := newCounts()
		s := newService(t, lifecycle.Options{}, c)
		createCounting(t, s, "app", "count-v1.zip", true, 1)
		if running {
			start(t, s, "app", nil)
		}
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.UpdateApplication(ctx(t), lifecycle.UpdateApplicationRequest{ApplicationName: "app",
					CurrentApplicationVersionID: 1, ApplicationConfigurationUpdate: codeUpdate("count-v2.zip")})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			var stale *lifecycle.ConcurrentModificationException
			switch {
			case err == nil:
				won++
			case errors.As(err, &stale):
			default:
				t.Fatalf("running=%v: %v", running, err)
			}
		}
		require.Equal(t, 1, won, "running=%v", running)
		require.Equal(t, int64(2), describe(t, s, "app").ApplicationVersionID)
	}
}
