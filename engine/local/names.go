package local

import (
	"path/filepath"

	"github.com/quchong/quchong/corpus"
)

// outputNames gives each input file its relative name under kept/ and
// removed/: its path relative to the deepest directory that holds every
// input, so names never collide and a single file keeps its base name.
func outputNames(files []string) ([]string, error) {
	abs := make([]string, len(files))
	root := ""
	for i, f := range files {
		if f == corpus.Stdin {
			continue // named by prepare, from the format
		}
		a, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		abs[i] = a
		if root == "" {
			root = filepath.Dir(a)
		}
		for !corpus.Within(a, root) {
			root = filepath.Dir(root)
		}
	}
	names := make([]string, len(abs))
	for i, a := range abs {
		if files[i] == corpus.Stdin {
			names[i] = "stdin"
			continue
		}
		rel, err := filepath.Rel(root, a)
		if err != nil {
			return nil, err
		}
		names[i] = rel
	}
	return names, nil
}
