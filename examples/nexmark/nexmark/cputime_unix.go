//go:build unix

package nexmark

import "syscall"

// CPUSeconds returns the CPU time the process has used so far, user and
// system, on all its threads (getrusage RUSAGE_SELF). The difference of
// two readings over a run, with the run's events, gives events per
// CPU-second: the per-core figure the Nexmark benchmark compares.
func CPUSeconds() float64 {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}
