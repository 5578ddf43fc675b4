package cli

// commands returns the command table. Each command lives in its own file
// (cmd_<name>.go) and adds one line here.
func commands() []*command {
	return []*command{
		cmdVersion,
		cmdScan,
		cmdProbe,
		cmdLM,
		cmdLineage,
		cmdBench,
		cmdEval,
		cmdReport,
	}
}
