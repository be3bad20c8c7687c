//go:build !unix

package nexmark

// CPUSeconds is not measured on this system: it returns 0, and per-core
// figures derived from it are not reported.
func CPUSeconds() float64 { return 0 }
