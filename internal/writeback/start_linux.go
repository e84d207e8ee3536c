//go:build linux && (amd64 || arm64)

package writeback

import (
	"os"
	"syscall"
)

// syncFileRangeWrite is SYNC_FILE_RANGE_WRITE: start writing the range's
// dirty pages, without waiting for them.
const syncFileRangeWrite = 2

// Start asks the kernel to begin writing bytes [off, off+n) of f to the
// disk and returns without waiting for them (sync_file_range with
// SYNC_FILE_RANGE_WRITE). Errors are ignored: the fsync that follows
// reports any.
func Start(f *os.File, off, n int64) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		syscall.Syscall6(syscall.SYS_SYNC_FILE_RANGE, fd, uintptr(off), uintptr(n), syncFileRangeWrite, 0, 0)
	})
}
