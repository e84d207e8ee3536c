//go:build linux

package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// mountTmpfs mounts a tmpfs of size bytes at a new directory, or skips the
// test where that is not allowed (not root, no mount namespace rights).
func mountTmpfs(t *testing.T, size int, flags uintptr) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", flags, fmt.Sprintf("size=%d", size)); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): the disk-full test needs root", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// A full disk or a read-only output directory gives an output.OutputError naming
// the problem, leaves no complete-looking output, and never touches the input.
func TestOutputFailures(t *testing.T) {
	in := filepath.Join(t.TempDir(), "corpus.jsonl")
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "{\"id\":\"d%d\",\"text\":\"第%d篇文档：%s\"}\n", i, i, strings.Repeat(fmt.Sprintf("内容%d", i*7919), 40))
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	before := mustRead(t, in)
	tests := []struct {
		name  string
		size  int
		flags uintptr
		want  string
	}{
		{"disk full", 512 << 10, 0, "no space left"},
		{"read-only", 1 << 20, syscall.MS_RDONLY, "read-only file system"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mnt := mountTmpfs(t, tt.size, tt.flags)
			out := filepath.Join(mnt, "out")
			_, err := Run(context.Background(), Options{Request: output.Request{Inputs: []string{in}, Params: stage.DefaultParams(), OutDir: out}})
			var oe *output.OutputError
			if !errors.As(err, &oe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an output.OutputError saying %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(out, "stats.json")); err == nil {
				t.Errorf("stats.json written by a failed run")
			}
			if !bytes.Equal(mustRead(t, in), before) {
				t.Errorf("the input changed")
			}
		})
	}
}
