package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is the leakhound release; builds from a checkout report the VCS
// revision as well.
const Version = "0.1.0-dev"

var cmdVersion = &command{
	Name:      "version",
	UsageLine: "version",
	Short:     "print the leakhound version",
	Long: `
Version prints the leakhound version, the Go version it was built with, and
the source revision when the binary was built from a git checkout.
`,
	Run: runVersion,
}

func runVersion(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet()
	if _, code, ok := e.parseFlags(fs, args); !ok {
		return code
	}
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				rev = " " + s.Value
			}
		}
	}
	fmt.Fprintf(e.stdout, "leakhound %s%s %s %s/%s\n", Version, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return ExitClean
}
