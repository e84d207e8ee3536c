package spark

import (
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
