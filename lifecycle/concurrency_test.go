package lifecycle_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/lifecycle"
)

// barrierStore, once armed for n, holds every Get until n of them wait, so
// that n updates are all past their first look at the version before any
// goes on.
type barrierStore struct {
	lifecycle.CodeStore
	mu      sync.Mutex
	n       int // 0: not armed
	arrived chan struct{}
}

func (b *barrierStore) arm(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n, b.arrived = n, make(chan struct{})
}

func (b *barrierStore) Get(bucket, key string) ([]byte, error) {
	b.mu.Lock()
	arrived := b.arrived
	if b.n > 0 {
		if b.n--; b.n == 0 {
			close(b.arrived)
		}
	}
	b.mu.Unlock()
	if arrived != nil {
		<-arrived
	}
	return b.CodeStore.Get(bucket, key)
}

// TestConcurrentUpdatesOneWins: updates that all carry the same version id,
// at once, of a READY and of a RUNNING application: exactly one creates
// the next version; every other is a ConcurrentModificationException.
//
// Mutant killed: UpdateApplication not checking the version again after
// copying the code, which it does without the lock (every update wins).
func TestConcurrentUpdatesOneWins(t *testing.T) {
	for _, running := range []bool{false, true} {
		const n = 16
		c := newCounts()
		code := &barrierStore{CodeStore: &lifecycle.MemCodeStore{}}
		s := newService(t, lifecycle.Options{Code: code}, c)
		createCounting(t, s, "app", "count-v1.zip", true, 1)
		if running {
			start(t, s, "app", nil)
		}
		code.arm(n)
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
