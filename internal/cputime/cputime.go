//go:build unix

// Package cputime measures the CPU time a process uses, for throughput per
// CPU-second. On a shared machine wall-clock MB/s swings with the load of
// other processes; the CPU time a process used does not
// (shared/reference/performance.md gives its reference figures the same
// way).
package cputime

import (
	"syscall"
	"time"
)

// Used returns the CPU time (user + system) this process has used.
func Used() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Reporter is the part of *testing.B that Report needs.
type Reporter interface {
	ReportMetric(n float64, unit string)
}

// Report adds the metric "MB/cpu-s" to a benchmark: bytesPerOp times ops
// (b.N) over the CPU seconds used since start (a value of Used taken before
// the loop). It takes an interface so that this package, which the scan
// imports, does not link the testing package into the binary.
func Report(b Reporter, ops int, start time.Duration, bytesPerOp int64) {
	if cpu := Used() - start; cpu > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(ops)/cpu.Seconds()/1e6, "MB/cpu-s")
	}
}
