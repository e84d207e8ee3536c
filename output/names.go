package output

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/stage"
)

// Names gives each input its relative name under kept/ and removed/: its
// path relative to the deepest directory that holds every input, so names
// never collide and a single file keeps its base name. Standard input
// (corpus.Stdin) is named "stdin"; a URL (scheme://host/p) is placed as if
// it were the local path /scheme/host/p.
func Names(files []string) ([]string, error) {
	abs := make([]string, len(files))
	root := ""
	for i, f := range files {
		switch {
		case f == corpus.Stdin:
			continue
		case strings.Contains(f, "://"):
			abs[i] = "/" + strings.Replace(f, "://", "/", 1)
		default:
			a, err := filepath.Abs(f)
			if err != nil {
				return nil, err
			}
			abs[i] = filepath.ToSlash(a)
		}
		if root == "" {
			root = path.Dir(abs[i])
		}
		for !within(abs[i], root) {
			root = path.Dir(root)
		}
	}
	names := make([]string, len(abs))
	for i, a := range abs {
		if files[i] == corpus.Stdin {
			names[i] = "stdin"
			continue
		}
		names[i] = filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(a, root), "/"))
	}
	return names, nil
}

// within reports whether the slash-separated path p lies in dir.
func within(p, dir string) bool {
	return dir == "/" || p == dir || strings.HasPrefix(p, dir+"/")
}

// File is one input as a run reads and names it.
type File struct {
	// Path is the input as given.
	Path string
	// Output is its relative name under kept/ and removed/, with the
	// extension of its output compression.
	Output string
	// Format and Compression are as detected (or forced by the options).
	Format      corpus.Format
	Compression corpus.Compression
}

// ErrNames marks inputs that cannot be told apart or typed by their names:
// two inputs that would be written under one name, standard input with no
// --format. The command line must change, not the data.
var ErrNames = errors.New("inputs cannot be told apart by their names")

type namesError struct{ msg string }

func (e namesError) Error() string        { return e.msg }
func (e namesError) Is(target error) bool { return target == ErrNames }

// Files detects each input's format and compression (the options' format
// wins over the extension) and names its outputs (Names, then
// corpus.OutputName), refusing two inputs that would share an output name.
// Standard input needs a forced format.
func Files(inputs []string, copt corpus.Options) ([]File, error) {
	names, err := Names(inputs)
	if err != nil {
		return nil, err
	}
	var files []File
	for i, p := range inputs {
		f, c := copt.Format, corpus.None
		if det, dc, err := corpus.Detect(p); err == nil {
			if f == corpus.Auto {
				f = det
			}
			c = dc
		} else if f == corpus.Auto {
			if p == corpus.Stdin {
				return nil, namesError{"standard input (-) has no name to tell its format from: give --format txt, jsonl or parquet"}
			}
			return nil, err
		}
		name := names[i]
		if p == corpus.Stdin {
			name += map[corpus.Format]string{corpus.Text: ".txt", corpus.JSONL: ".jsonl", corpus.Parquet: ".parquet"}[f]
		}
		out := corpus.OutputName(name, f, c, copt)
		if j := slices.IndexFunc(files, func(g File) bool { return g.Output == out }); j >= 0 {
			return nil, namesError{fmt.Sprintf("inputs %s and %s would both be written as %s: rename one, or keep each input's compression (--output-compression same)", files[j].Path, p, out)}
		}
		files = append(files, File{Path: p, Output: out, Format: f, Compression: c})
	}
	return files, nil
}

// Job is what every executor settles before it reads anything: the request
// with its detection parameters resolved and its reader options asking for
// the keep rule's field when it reads one, and the inputs, named and with
// their formats.
type Job struct {
	Request
	// Field is the record field the keep rule reads; "" when none.
	Field string
	Files []File
}

// MaxInputs is the most input files one run takes.
const MaxInputs = 1 << 20

// Job resolves the request's parameters and names its inputs (Files).
func (r Request) Job() (Job, error) {
	st, err := stage.New(r.Params)
	if err != nil {
		return Job{}, fmt.Errorf("parameters: %w", err)
	}
	j := Job{Request: r}
	j.Params = st.Params()
	if f, ok := j.Params.Keep.NeedsField(); ok {
		j.Field = f
		j.Corpus.Fields = append(slices.Clone(j.Corpus.Fields), f)
	}
	switch {
	case len(r.Inputs) == 0:
		return j, fmt.Errorf("no input files")
	case len(r.Inputs) > MaxInputs:
		return j, fmt.Errorf("%d input files: at most %d are supported", len(r.Inputs), MaxInputs)
	}
	j.Files, err = Files(r.Inputs, j.Corpus)
	return j, err
}
