//go:build !unix

package corpus

import "errors"

func syscallMkfifo(string) error { return errors.New("not supported") }
