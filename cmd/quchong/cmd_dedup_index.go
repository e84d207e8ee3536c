package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/quchong/quchong/engine/local"
	"github.com/quchong/quchong/index"
)

// indexFlags are dedup's flags for a saved index.
type indexFlags struct {
	dir      string
	readOnly bool
}

func (f *indexFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.dir, "index", "", "deduplicate against the saved index in `DIR` as well (created when absent), then add the kept documents to it as a new version")
	fs.BoolVar(&f.readOnly, "index-readonly", false, "with --index: check against the index without adding to it")
}

// open opens the index the flags name into opt (nothing without --index)
// and returns its closer; ok is false when the run must end with code.
func (f *indexFlags) open(opt *local.Options, stderr io.Writer) (closer func(), code int, ok bool) {
	if f.dir == "" {
		if f.readOnly {
			fmt.Fprintln(stderr, "quchong dedup: --index-readonly needs --index DIR")
			return nil, exitUsage, false
		}
		return func() {}, exitOK, true
	}
	p := opt.Params
	ix, err := index.Open(f.dir, index.Options{Params: &p, ReadOnly: f.readOnly, Create: !f.readOnly})
	if err != nil {
		fmt.Fprintf(stderr, "quchong dedup: %v\n", err)
		if errors.Is(err, index.ErrParams) || errors.Is(err, index.ErrNotIndex) {
			return nil, exitUsage, false
		}
		return nil, exitFail, false
	}
	opt.Index, opt.IndexReadOnly = ix, f.readOnly
	return func() {
		if err := ix.Close(); err != nil {
			fmt.Fprintf(stderr, "quchong dedup: %v\n", err)
		}
	}, exitOK, true
}
