package local

import (
	"io"
	"os"
	"strconv"

	"github.com/quchong/quchong/output"

	"github.com/zeebo/xxh3"
)

// stampBlock is how much of each end of an input its stamp hashes: a
// change that keeps the size and modification time (a restored mtime, an
// edit in place) is caught when it touches either end, or anywhere in a
// file of up to two blocks.
const stampBlock = 64 << 10

// stampFile identifies the content of the regular file at path cheaply: its
// size, modification time and a hash of its first and last stampBlock
// bytes (of all of it when it is smaller than two blocks).
func stampFile(name, path string) (inputStamp, error) {
	st, err := os.Stat(path)
	if err != nil {
		return inputStamp{}, err
	}
	stamp := inputStamp{Path: name, Size: st.Size(), ModTime: st.ModTime().UnixNano()}
	f, err := os.Open(path)
	if err != nil {
		return stamp, nil // unreadable: the read records the fault
	}
	defer f.Close()
	h := xxh3.New()
	buf := make([]byte, min(st.Size(), 2*stampBlock))
	if st.Size() <= 2*stampBlock {
		_, err = io.ReadFull(f, buf)
	} else if _, err = f.ReadAt(buf[:stampBlock], 0); err == nil {
		_, err = f.ReadAt(buf[stampBlock:], st.Size()-stampBlock)
	}
	if err != nil {
		return stamp, nil // as above
	}
	h.Write(buf)
	stamp.Hash = strconv.FormatUint(h.Sum64(), 16)
	return stamp, nil
}

// spoolInput copies the input f (standard input, a pipe, a device) whole to
// dst in the work directory (output.Spool), which the run then reads
// instead. Its stamp hashes all of its content: a pipe has no modification
// time to compare on resume.
func spoolInput(f *fileInfo, dst string) error {
	n, sum, err := output.Spool(f.arg, dst)
	if err != nil {
		return err
	}
	f.read = dst
	f.stamp = inputStamp{Path: f.path, Size: n, Hash: "all:" + strconv.FormatUint(sum, 16)}
	return nil
}
