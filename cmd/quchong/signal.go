package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes of a run stopped by a signal, as a shell reports a process
// killed by it: 128 + the signal's number.
const (
	exitInterrupt = 130 // SIGINT (Ctrl-C)
	exitTerminate = 143 // SIGTERM
)

// signalError is the cause of a context canceled by a signal.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "interrupted by " + e.sig.String() }

// interruptible returns a context canceled, with a signalError as its
// cause, by the first SIGINT or SIGTERM. After the first, the signals take
// their default action again: a second Ctrl-C ends the process at once.
func interruptible(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			signal.Stop(sigs)
			cancel(signalError{sig})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

// interruptedBy reports the signal that canceled ctx, if one did.
func interruptedBy(ctx context.Context) (os.Signal, bool) {
	var se signalError
	if errors.As(context.Cause(ctx), &se) {
		return se.sig, true
	}
	return nil, false
}

// exitSignal is the exit code for a run stopped by sig.
func exitSignal(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return exitTerminate
	}
	return exitInterrupt
}

// resumeCommand is the command line that continues an interrupted run: the
// run's own arguments with --resume, quoted for a POSIX shell.
func resumeCommand(args []string) string {
	words := []string{"quchong", "dedup"}
	resume := false
	for _, a := range args {
		if a == "--" {
			break
		}
		switch a {
		case "--resume", "-resume", "--resume=true", "-resume=true":
			resume = true
		}
	}
	if !resume {
		words = append(words, "--resume")
	}
	for _, a := range args {
		switch a {
		case "--resume=false", "-resume=false":
			continue
		}
		words = append(words, shellQuote(a))
	}
	return strings.Join(words, " ")
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
