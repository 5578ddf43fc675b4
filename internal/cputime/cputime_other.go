//go:build !unix

package cputime

import "time"

// Used returns 0 where the process's CPU time is not available.
func Used() time.Duration { return 0 }

// Reporter is the part of *testing.B that Report needs.
type Reporter interface {
	ReportMetric(n float64, unit string)
}

// Report does nothing where CPU time is not available.
func Report(b Reporter, ops int, start time.Duration, bytesPerOp int64) {}
