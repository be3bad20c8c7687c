package snapshot

import (
	"fmt"
	"math"
	"time"
)

// StoreOptions configures a [Store]. The zero value means the defaults.
type StoreOptions struct {
	// RetainedCheckpoints is how many of the newest checkpoints are kept when a
	// checkpoint is published; older ones are deleted. Zero means 1.
	RetainedCheckpoints int
	// MaxFileSize bounds the payload of every file, manifests included, when
	// writing and when reading; a longer length field is reported as corrupt
	// before anything is allocated. Zero means DefaultMaxFileSize (1 GiB).
	MaxFileSize int64
	// Clock gives the creation time recorded in manifests. Nil means time.Now.
	Clock func() time.Time
}

// maxMaxFileSize is the largest MaxFileSize: an envelope must fit in an int.
const maxMaxFileSize = math.MaxInt - envelopeOverhead

// withDefaults validates o and fills in the defaults.
func (o StoreOptions) withDefaults() (StoreOptions, error) {
	if o.RetainedCheckpoints < 0 {
		return o, fmt.Errorf("snapshot: StoreOptions.RetainedCheckpoints is %d, want at least 0", o.RetainedCheckpoints)
	}
	if o.MaxFileSize < 0 || o.MaxFileSize > maxMaxFileSize {
		return o, fmt.Errorf("snapshot: StoreOptions.MaxFileSize is %d, want 0 to %d", o.MaxFileSize, int64(maxMaxFileSize))
	}
	if o.RetainedCheckpoints == 0 {
		o.RetainedCheckpoints = 1
	}
	if o.MaxFileSize == 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return o, nil
}
