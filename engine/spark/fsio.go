package spark

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// outputNames mirrors the local engine: each input's name under kept/ is its
// path relative to the deepest directory holding every input.
func outputNames(files []string) ([]string, error) {
	abs := make([]string, len(files))
	for i, f := range files {
		a, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		abs[i] = filepath.ToSlash(a)
	}
	root := path.Dir(abs[0])
	for _, a := range abs[1:] {
		for !within(a, root) {
			root = path.Dir(root)
		}
	}
	names := make([]string, len(abs))
	for i, a := range abs {
		rel := strings.TrimPrefix(strings.TrimPrefix(a, root), "/")
		names[i] = filepath.FromSlash(rel)
	}
	return names, nil
}

func within(p, dir string) bool {
	return dir == "/" || p == dir || strings.HasPrefix(p, dir+"/")
}

// writeOutput writes one output file through a temporary file in the same
// directory and a rename, so that a reader (or a task Spark runs again)
// never sees a partial file.
func writeOutput(p string, fill func(w io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
