package cli

// The detectors built outside package match register themselves in their
// init functions; importing them here puts them in the binary.
import (
	_ "github.com/leakhound/leakhound/neardup"
	_ "github.com/leakhound/leakhound/rephrase"
)
