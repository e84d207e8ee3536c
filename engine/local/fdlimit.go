package local

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/quchong/quchong/atomicfile"
)

// The output pass copies several files at once, each holding its input,
// its kept and removed outputs and, while committing, a directory open: at
// most fdPerWriter descriptors. fdReserve more are the process's own (the
// standard streams, the runtime's poller), the work directory's files,
// the lock, and the band runs being merged.
const (
	fdPerWriter = 4
	fdReserve   = 32
)

// openFileLimit returns the process's limit of open files (Go raises the
// soft limit to the hard one at start), or 0 when it cannot be read.
func openFileLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 1<<30 {
		return 0
	}
	return int(rl.Cur)
}

// writers is how many files the output pass copies at once: one per
// worker, as far as the limit of open files allows.
func (r *run) writers() int {
	limit := openFileLimit()
	if limit == 0 {
		return r.workers
	}
	return max(1, min(r.workers, (limit-fdReserve)/fdPerWriter))
}

// batchOpen is how many committed outputs the output pass may hold open
// until their fsyncs (atomicfile.Batch): what the limit of open files
// leaves beside the writers' own.
func (r *run) batchOpen() int {
	limit := openFileLimit()
	if limit == 0 {
		return atomicfile.BatchOpen
	}
	return min(atomicfile.BatchOpen, limit-fdReserve-r.writers()*fdPerWriter)
}

// fdError turns running out of file descriptors into an error of its own,
// neither an output.InputError nor an output.OutputError (exit 1): neither the input nor
// the outputs are at fault, and the remedy is the limit. It returns nil for
// any other error.
func fdError(err error) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) || (errno != syscall.EMFILE && errno != syscall.ENFILE) {
		return nil
	}
	if strings.Contains(err.Error(), "ulimit -n") {
		return err // already said
	}
	return &fdLimitError{fmt.Sprintf("%s (the process may open %d files at once: raise ulimit -n, then continue with --resume)", err, openFileLimit()), errno}
}

// fdLimitError is fdError's error: its message, and the errno underneath.
type fdLimitError struct {
	msg   string
	errno syscall.Errno
}

func (e *fdLimitError) Error() string { return e.msg }
func (e *fdLimitError) Unwrap() error { return e.errno }
