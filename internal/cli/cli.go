// Package cli is leakhound's command line: the command table, flag parsing
// helpers, exit codes and progress output. Libraries never exit; only this
// package decides exit codes, and only cmd/leakhound calls os.Exit.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Exit codes, shared by every command and documented in the README.
const (
	ExitClean = 0 // the command ran and found nothing above threshold
	ExitFound = 1 // contamination (or a derived model) was found
	ExitError = 2 // usage error or runtime error
)

// command is one subcommand: its name, help and entry point.
type command struct {
	Name      string
	UsageLine string // e.g. "scan [flags] CORPUS..."
	Short     string // one line for the command list
	Long      string // man-page style help
	// Run executes the command. args excludes the command name.
	Run func(ctx context.Context, e *env, args []string) int
}

// env is what a command may touch: its standard streams.
type env struct {
	cmd    *command // the command being run
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errorf prints one "leakhound: ..." line to stderr and returns ExitError.
func (e *env) errorf(format string, args ...any) int {
	fmt.Fprintf(e.stderr, "leakhound: "+format+"\n", args...)
	return ExitError
}

// stderrIsTerminal reports whether progress output should be drawn.
func (e *env) stderrIsTerminal() bool {
	f, ok := e.stderr.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Run runs leakhound with args (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return ExitError
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		return runHelp(e, args[1:])
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "leakhound: unknown command %q\nRun 'leakhound help' for the list of commands.\n", name)
		return ExitError
	}
	e.cmd = cmd
	return cmd.Run(ctx, e, args[1:])
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func runHelp(e *env, args []string) int {
	if len(args) == 0 {
		printUsage(e.stdout)
		return ExitClean
	}
	cmd := lookup(args[0])
	if cmd == nil {
		return e.errorf("help: unknown command %q", args[0])
	}
	// Each command registers its flags when it runs; -h prints the
	// manual with them and runs nothing else.
	e.cmd = cmd
	return cmd.Run(context.Background(), e, []string{"-h"})
}

const usageHeader = `leakhound finds benchmark test items in training data, tests served
models for contamination, and tells shell models from independent ones.

Usage:

	leakhound <command> [flags] [arguments]

Commands:
`

const usageFooter = `
Exit status (every command):

	0  ran, and found nothing above threshold
	1  ran, and found contamination (or, for lineage, a derived model)
	2  usage error or runtime error

Run 'leakhound help <command>' for a command's flags and details.
`

func printUsage(w io.Writer) {
	fmt.Fprint(w, usageHeader)
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	for _, c := range cmds {
		fmt.Fprintf(w, "\t%-10s %s\n", c.Name, c.Short)
	}
	fmt.Fprint(w, usageFooter)
}

// printCommandHelp writes the usage line, the long help and the flags.
func printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: leakhound %s\n\n%s\n", c.UsageLine, strings.TrimSpace(c.Long))
	if fs != nil {
		fmt.Fprint(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// newFlagSet returns a flag set for the running command whose errors are
// returned, not printed by the flag package.
func (e *env) newFlagSet() *flag.FlagSet {
	c := e.cmd
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // parseFlags prints the help on -h
	return fs
}

// parseFlags parses args, letting flags and positional arguments mix
// (`scan corpus.jsonl --bench b.jsonl` works). A lone "-" is positional
// (stdin) and "--" ends the flags. It returns the positional arguments,
// and on error or -h an exit code with ok false.
func (e *env) parseFlags(fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	c := e.cmd
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			printCommandHelp(e.stdout, c, fs)
			return nil, ExitClean, false
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "leakhound %s: %v\nRun 'leakhound help %s' for usage.\n", c.Name, err, c.Name)
			return nil, ExitError, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, ExitClean, true
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), ExitClean, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// listFlag is a repeatable string flag; each value may also hold several
// comma-separated entries.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// repeatFlag is a repeatable string flag whose values are kept whole
// (no comma splitting), for values such as field paths and file names.
type repeatFlag []string

func (l *repeatFlag) String() string { return strings.Join(*l, " ") }

func (l *repeatFlag) Set(v string) error { *l = append(*l, v); return nil }
