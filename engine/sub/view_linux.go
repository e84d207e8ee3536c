package sub

import (
	"encoding/binary"
	"fmt"
	"os"
	"syscall"
	"unsafe"

	"github.com/quchong/quchong/substr"
)

// view maps part k's file read-only and returns its text, for the merge of
// the parts' suffix arrays, which reads windows of it at random: the page
// cache holds the file, and Evict drops the pages read from the process's
// resident memory (madvise DONTNEED; the page cache keeps them).
func (pf *partFiles) view(k int) (substr.View, error) {
	f, err := os.Open(pf.paths[k])
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() < 8 || fi.Size() != int64(int(fi.Size())) {
		return nil, fmt.Errorf("read %s: %d bytes", pf.paths[k], fi.Size())
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", pf.paths[k], err)
	}
	docs := int64(binary.LittleEndian.Uint32(data))
	off := 4 * (docs + 2)
	if off > fi.Size() || (fi.Size()-off)%4 != 0 || binary.NativeEndian.Uint32([]byte{1, 0, 0, 0}) != 1 {
		syscall.Munmap(data)
		return pf.readView(k)
	}
	n := int((fi.Size() - off) / 4)
	var chars []int32
	if n > 0 {
		chars = unsafe.Slice((*int32)(unsafe.Pointer(&data[off])), n)
	}
	return &mapView{data: data, chars: chars}, nil
}

// mapView is a mapped part file.
type mapView struct {
	data  []byte
	chars []int32
}

func (v *mapView) Chars() []int32 { return v.chars }

func (v *mapView) Evict() { syscall.Madvise(v.data, syscall.MADV_DONTNEED) }

func (v *mapView) Close() error {
	v.chars = nil
	return syscall.Munmap(v.data)
}
