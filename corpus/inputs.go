package corpus

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// ErrDuplicateInput means a file was named twice among the inputs.
var ErrDuplicateInput = errors.New("input listed twice")

// Stdin is the input argument that names standard input.
const Stdin = "-"

// Skipped counts the entries of input directories that ExpandInputs did
// not take, by why.
type Skipped struct {
	// NotCorpus are files without a corpus extension (with Auto format).
	NotCorpus int
	// Hidden are files and directories whose name starts with ".".
	Hidden int
	// Special are pipes, sockets and devices.
	Special int
	// Broken are symbolic links to nothing, or to what cannot be read.
	Broken int
	// Loops are links to a directory being walked already.
	Loops int
	// Same are files reached twice through links, taken once.
	Same int
}

// Total is the number of entries skipped.
func (s Skipped) Total() int {
	return s.NotCorpus + s.Hidden + s.Special + s.Broken + s.Loops + s.Same
}

// String says what was skipped, e.g. "3 without a corpus extension, 1
// broken link".
func (s Skipped) String() string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{
		{s.NotCorpus, "without a corpus extension"}, {s.Hidden, "hidden"},
		{s.Special, "not a regular file (pipe, socket, device)"}, {s.Broken, "broken or unreadable link"},
		{s.Loops, "link looping back to a directory above it"}, {s.Same, "the same file as another input, through a link"},
	} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return strings.Join(parts, ", ")
}

// ExpandInputs turns the command line's files, directories and globs into
// the run's ordered list of input files (see ExpandInputsSkipped).
func ExpandInputs(args []string, format Format) ([]string, error) {
	files, _, err := ExpandInputsSkipped(args, format)
	return files, err
}

// ExpandInputsSkipped turns the command line's files, directories and globs
// into the run's ordered list of input files, and counts what it skipped
// in directories. Arguments keep their order; "-" is standard input; a
// directory contributes every file below it with a known extension (or
// every regular file when format is set), in lexical order, following
// symbolic links (a link back to a directory being walked is skipped); a
// glob contributes its matches in lexical order. An argument that matches
// nothing is an error, and so is a file listed twice.
func ExpandInputsSkipped(args []string, format Format) ([]string, Skipped, error) {
	var skipped Skipped
	if len(args) == 0 {
		return nil, skipped, fmt.Errorf("no input files")
	}
	var out []string
	seen := make(map[any]string)
	key := func(p string) (any, error) {
		if fi, err := os.Stat(p); err == nil {
			if id, ok := IDOf(fi); ok {
				return id, nil
			}
		}
		return filepath.Abs(p)
	}
	add := func(arg, p string, walked bool) error {
		k, err := key(p)
		if err != nil {
			return fmt.Errorf("input %s: %w", p, err)
		}
		if prev, ok := seen[k]; ok {
			if walked && prev == arg {
				skipped.Same++
				return nil
			}
			return fmt.Errorf("%w: %s (also from %q)", ErrDuplicateInput, p, prev)
		}
		seen[k] = arg
		out = append(out, p)
		return nil
	}
	for _, arg := range args {
		if arg == Stdin {
			if _, ok := seen[Stdin]; ok {
				return nil, skipped, fmt.Errorf("%w: - (standard input)", ErrDuplicateInput)
			}
			seen[Stdin] = arg
			out = append(out, arg)
			continue
		}
		info, err := os.Stat(arg)
		switch {
		case err == nil && info.IsDir():
			var files []string
			if err := walkInputDir(arg, format, &files, &skipped); err != nil {
				return nil, skipped, fmt.Errorf("input directory %s: %w", arg, err)
			}
			if len(files) == 0 {
				msg := fmt.Sprintf("input directory %s holds no .txt, .jsonl, .json or .parquet file (optionally .gz or .zst)", arg)
				if skipped.Total() > 0 {
					msg += "; skipped: " + skipped.String()
				}
				return nil, skipped, errors.New(msg)
			}
			slices.Sort(files)
			for _, f := range files {
				if err := add(arg, f, true); err != nil {
					return nil, skipped, err
				}
			}
		case err == nil:
			if err := add(arg, arg, false); err != nil {
				return nil, skipped, err
			}
		case strings.ContainsAny(arg, "*?["):
			matches, gerr := filepath.Glob(arg)
			if gerr != nil {
				return nil, skipped, fmt.Errorf("input pattern %q: %w", arg, gerr)
			}
			var files []string
			for _, m := range matches {
				if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() {
					files = append(files, m)
				}
			}
			if len(files) == 0 {
				return nil, skipped, fmt.Errorf("input pattern %q matches no file", arg)
			}
			slices.Sort(files)
			for _, f := range files {
				if err := add(arg, f, false); err != nil {
					return nil, skipped, err
				}
			}
		default:
			return nil, skipped, fmt.Errorf("input %s: %w", arg, err)
		}
	}
	return out, skipped, nil
}

// walkInputDir appends the corpus files below dir to files, following
// symbolic links to files and directories. A link to a directory that is
// being walked already (an ancestor) is counted as a loop and not followed.
func walkInputDir(root string, format Format, files *[]string, skipped *Skipped) error {
	var walk func(dir string, ancestors []FileID) error
	walk = func(dir string, ancestors []FileID) error {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if strings.HasPrefix(e.Name(), ".") {
				skipped.Hidden++
				continue
			}
			fi, err := os.Stat(p) // follows links
			if err != nil {
				if e.Type()&fs.ModeSymlink != 0 {
					skipped.Broken++
					continue
				}
				return err
			}
			switch {
			case fi.IsDir():
				id, ok := IDOf(fi)
				if ok && slices.Contains(ancestors, id) {
					skipped.Loops++
					continue
				}
				if err := walk(p, append(slices.Clip(ancestors), id)); err != nil {
					return err
				}
			case !fi.Mode().IsRegular():
				skipped.Special++
			case format == Auto:
				if _, _, err := Detect(p); err != nil {
					skipped.NotCorpus++
					continue
				}
				*files = append(*files, p)
			default:
				*files = append(*files, p)
			}
		}
		return nil
	}
	fi, err := os.Stat(root)
	if err != nil {
		return err
	}
	id, _ := IDOf(fi)
	return walk(root, []FileID{id})
}

// Within reports whether path lies inside dir.
func Within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// FileID identifies a file whatever path names it: its device and inode.
type FileID struct{ dev, ino uint64 }

// IDOf returns the FileID of fi, and false where the system gives none.
func IDOf(fi os.FileInfo) (FileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return FileID{}, false
	}
	return FileID{uint64(st.Dev), uint64(st.Ino)}, true
}
