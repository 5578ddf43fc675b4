//go:build unix

package corpus

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the metric "MB/cpu-s": bytes per op over the process's
// CPU seconds since start. On a shared machine wall-clock MB/s swings with
// the load; CPU time does not (shared/reference/performance.md).
func reportCPU(b *testing.B, start time.Duration, bytesPerOp int64) {
	if cpu := cpuTime() - start; cpu > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/cpu.Seconds()/1e6, "MB/cpu-s")
	}
}
