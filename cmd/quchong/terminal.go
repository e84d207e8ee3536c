package main

import (
	"fmt"
	"io"
	"os"
)

// useColor decides whether to mark differences with ANSI colours.
func useColor(mode string, stdout io.Writer) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if os.Getenv("NO_COLOR") != "" {
			return false, nil
		}
		return isTerminal(stdout), nil
	}
	return false, fmt.Errorf("--color %q: want auto, always or never", mode)
}

// isTerminal reports whether w is a character device (a terminal), without
// a terminal library: Stat's mode says so on every platform Go supports.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
