package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestCommit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		previous string // existing content at the final path, "" for none
		data     string
	}{
		{"new file", "", "hello\n"},
		{"replaces existing", "old content\n", "new\n"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.txt")
			if tc.previous != "" {
				if err := os.WriteFile(path, []byte(tc.previous), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			f, err := Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Abort()
			if !strings.HasPrefix(filepath.Base(f.TempName()), ".out.txt.tmp-") {
				t.Errorf("temp name %q, want .out.txt.tmp-*", f.TempName())
			}
			if filepath.Dir(f.TempName()) != dir {
				t.Errorf("temp file in %s, want %s", filepath.Dir(f.TempName()), dir)
			}
			if _, err := f.Write([]byte(tc.data)); err != nil {
				t.Fatal(err)
			}
			// Before Commit the final name holds the previous content or nothing.
			got, err := os.ReadFile(path)
			if tc.previous == "" {
				if !os.IsNotExist(err) {
					t.Fatalf("final name exists before Commit (err=%v)", err)
				}
			} else if string(got) != tc.previous {
				t.Fatalf("before Commit: %q, want previous %q", got, tc.previous)
			}
			if err := f.Commit(); err != nil {
				t.Fatal(err)
			}
			got, err = os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.data {
				t.Errorf("after Commit: %q, want %q", got, tc.data)
			}
			if names := listDir(t, dir); len(names) != 1 || names[0] != "out.txt" {
				t.Errorf("directory holds %v, want only out.txt", names)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm()&0o044 == 0 {
				t.Errorf("mode %v: not readable by others", fi.Mode())
			}
			// Abort after Commit is a no-op.
			f.Abort()
			if _, err := os.Stat(path); err != nil {
				t.Errorf("Abort after Commit removed the file: %v", err)
			}
			if _, err := f.Write([]byte("x")); err == nil {
				t.Error("Write after Commit succeeded")
			}
			if err := f.Commit(); err == nil {
				t.Error("second Commit succeeded")
			}
		})
	}
}

func TestAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("partial")); err != nil {
		t.Fatal(err)
	}
	f.Abort()
	f.Abort() // twice is fine
	if names := listDir(t, dir); len(names) != 0 {
		t.Errorf("after Abort directory holds %v, want nothing", names)
	}
	if err := f.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("final name exists after Abort (err=%v)", err)
	}
}

func TestCreateErrors(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{
		filepath.Join(dir, "missing-dir", "out.txt"),
		dir + string(filepath.Separator),
	} {
		if f, err := Create(path); err == nil {
			f.Abort()
			t.Errorf("Create(%q) succeeded", path)
		}
	}
}

func TestCommitFailsWhenTargetIsDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "target")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("x"))
	if err := f.Commit(); err == nil {
		t.Fatal("Commit over a non-empty directory succeeded")
	}
	if names := listDir(t, dir); len(names) != 1 || names[0] != "target" {
		t.Errorf("temp file left behind: %v", names)
	}
}

// Files committed into a Batch appear under their final names at Commit,
// complete; the batch holds at most BatchOpen of them open, and Sync
// empties it.
func TestBatch(t *testing.T) {
	dir := t.TempDir()
	var b Batch
	n := BatchOpen + 10
	for i := range n {
		path := filepath.Join(dir, "sub", fmt.Sprintf("f%03d", i))
		if err := WriteFileIn(path, &b, func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "file %d\n", i)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != fmt.Sprintf("file %d\n", i) {
			t.Fatalf("%s after Commit: %q, %v", path, got, err)
		}
	}
	if len(b.files) != BatchOpen || b.pending != 0 {
		t.Errorf("batch holds %d files (%d pending), want %d", len(b.files), b.pending, BatchOpen)
	}
	held := b.files[0]
	if err := b.Sync(); err != nil {
		t.Fatal(err)
	}
	if len(b.files) != 0 {
		t.Errorf("%d files left after Sync", len(b.files))
	}
	if _, err := held.Write([]byte("x")); err == nil {
		t.Error("a synced file is still open")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "sub"))
	if len(entries) != n {
		t.Errorf("%d files in the directory, want %d (no temporary left)", len(entries), n)
	}
	// A failed fill leaves nothing, batch or not.
	if err := WriteFileIn(filepath.Join(dir, "bad"), &b, func(io.Writer) error { return io.ErrUnexpectedEOF }); err == nil {
		t.Error("a failed fill committed")
	}
	if _, err := os.Stat(filepath.Join(dir, "bad")); err == nil || len(b.files) != 0 || b.pending != 0 {
		t.Errorf("a failed fill left a file or a place in the batch (%d, %d)", len(b.files), b.pending)
	}
}

// A Batch bounded by NewBatch holds no more files open than it was given;
// one of 0 holds none, and its Commits sync at once.
func TestBatchBound(t *testing.T) {
	for _, max := range []int{0, 3} {
		dir := t.TempDir()
		b := NewBatch(max)
		for i := range 5 {
			if err := WriteFileIn(filepath.Join(dir, fmt.Sprint(i)), b, func(w io.Writer) error {
				_, err := io.WriteString(w, "x")
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		if len(b.files) != max {
			t.Errorf("NewBatch(%d) holds %d files open", max, len(b.files))
		}
		if err := b.Sync(); err != nil {
			t.Fatal(err)
		}
	}
}
