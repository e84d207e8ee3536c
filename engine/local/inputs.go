package local

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/quchong/quchong/corpus"
)

// ErrDuplicateInput means a file was named twice among the inputs.
var ErrDuplicateInput = errors.New("input listed twice")

// ExpandInputs turns the command line's files, directories and globs into
// the run's ordered list of input files. Arguments keep their order; a
// directory contributes every file below it with a known extension (or every
// regular file when format is set), in lexical order; a glob contributes its
// matches in lexical order. An argument that matches nothing is an error, and
// so is a file listed twice.
func ExpandInputs(args []string, format corpus.Format) ([]string, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("no input files")
	}
	var out []string
	seen := make(map[string]string)
	add := func(arg, p string) error {
		abs, err := filepath.Abs(p)
		if err != nil {
			return fmt.Errorf("input %s: %w", p, err)
		}
		if prev, ok := seen[abs]; ok {
			return fmt.Errorf("%w: %s (also from %q)", ErrDuplicateInput, p, prev)
		}
		seen[abs] = arg
		out = append(out, p)
		return nil
	}
	for _, arg := range args {
		info, err := os.Stat(arg)
		switch {
		case err == nil && info.IsDir():
			var files []string
			err := filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() {
					if p != arg && strings.HasPrefix(d.Name(), ".") {
						return filepath.SkipDir
					}
					return nil
				}
				if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
					return nil
				}
				if format == corpus.Auto {
					if _, _, err := corpus.Detect(p); err != nil {
						return nil // not a corpus file
					}
				}
				files = append(files, p)
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("input directory %s: %w", arg, err)
			}
			if len(files) == 0 {
				return nil, fmt.Errorf("input directory %s holds no .txt, .jsonl, .json or .parquet file (optionally .gz or .zst)", arg)
			}
			slices.Sort(files)
			for _, f := range files {
				if err := add(arg, f); err != nil {
					return nil, err
				}
			}
		case err == nil:
			if err := add(arg, arg); err != nil {
				return nil, err
			}
		case strings.ContainsAny(arg, "*?["):
			matches, gerr := filepath.Glob(arg)
			if gerr != nil {
				return nil, fmt.Errorf("input pattern %q: %w", arg, gerr)
			}
			var files []string
			for _, m := range matches {
				if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() {
					files = append(files, m)
				}
			}
			if len(files) == 0 {
				return nil, fmt.Errorf("input pattern %q matches no file", arg)
			}
			slices.Sort(files)
			for _, f := range files {
				if err := add(arg, f); err != nil {
					return nil, err
				}
			}
		default:
			return nil, fmt.Errorf("input %s: %w", arg, err)
		}
	}
	return out, nil
}

// outputNames gives each input file its relative name under kept/ and
// removed/: its path relative to the deepest directory that holds every
// input, so names never collide and a single file keeps its base name.
func outputNames(files []string) ([]string, error) {
	abs := make([]string, len(files))
	for i, f := range files {
		a, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		abs[i] = a
	}
	root := filepath.Dir(abs[0])
	for _, a := range abs[1:] {
		for !within(a, root) {
			root = filepath.Dir(root)
		}
	}
	names := make([]string, len(abs))
	for i, a := range abs {
		rel, err := filepath.Rel(root, a)
		if err != nil {
			return nil, err
		}
		names[i] = rel
	}
	return names, nil
}

// within reports whether path lies inside dir.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
