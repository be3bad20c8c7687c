//go:build !unix

package nexmark

// cpuSeconds is not measured here: the per-core metrics read 0.
func cpuSeconds() float64 { return 0 }
