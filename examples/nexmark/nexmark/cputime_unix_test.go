//go:build unix

package nexmark

import "syscall"

// cpuSeconds returns the CPU time the process has used, user and system,
// on all its threads.
func cpuSeconds() float64 {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}
