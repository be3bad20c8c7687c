package lifecycle

import "testing"

// TestScaleTarget is the service's rule on its own: double, or halve
// rounded up, within the bounds.
//
// Mutants killed: halving rounded down (3 → 1); the floor ignored (4 → 2
// below 3); the job's max parallelism ignored (8 → 16 above 10); a scale
// "up" that lowers a parallelism already above a bound.
func TestScaleTarget(t *testing.T) {
	cfg := func(configured, current, perKPU int) ParallelismConfigurationDescription {
		return ParallelismConfigurationDescription{Parallelism: configured, CurrentParallelism: current, ParallelismPerKPU: perKPU}
	}
	up, down, none := scaleState{high: scaleUpPoints}, scaleState{low: scaleDownPoints}, scaleState{high: scaleUpPoints - 1, low: scaleDownPoints - 1}
	for _, tc := range []struct {
		name string
		cfg  ParallelismConfigurationDescription
		st   scaleState
		maxP int
		want int
	}{
		{"double", cfg(1, 4, 1), up, 128, 8},
		{"the KPU limit", cfg(1, 40, 1), up, 128, 64},
		{"the KPU limit, 2 per KPU", cfg(1, 100, 2), up, 256, 128},
		{"the job's max parallelism", cfg(1, 8, 1), up, 10, 10},
		{"already above a bound: stays", cfg(1, 12, 1), up, 10, 12},
		{"halve", cfg(1, 8, 1), down, 128, 4},
		{"halve rounded up", cfg(1, 3, 1), down, 128, 2},
		{"halve rounded up from 1", cfg(1, 1, 1), down, 128, 1},
		{"not below the configured parallelism", cfg(3, 4, 1), down, 128, 3},
		{"too few points", cfg(1, 4, 1), none, 128, 4},
	} {
		if got := scaleTarget(tc.cfg, tc.st, tc.maxP); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
}
