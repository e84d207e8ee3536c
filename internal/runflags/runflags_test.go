package runflags

import (
	"io"
	"testing"

	"github.com/spf13/pflag"

	"github.com/quchong/quchong/corpus"
)

func newFlagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func TestRunDefaultsAndErrors(t *testing.T) {
	parse := func(args ...string) error {
		fs := newFlagSet()
		var r Run
		r.Register(fs)
		if err := fs.Parse(args); err != nil {
			return err
		}
		_, err := r.Request()
		return err
	}
	if err := parse("-o", "x"); err != nil {
		t.Errorf("defaults: %v", err)
	}
	for _, args := range [][]string{
		{},                                      // no -o
		{"-o", "x", "--compression-level", "9"}, // bad level
		{"-o", "x", "--tokens", "bytes"},
		{"-o", "x", "--keep", "last"},
		{"-o", "x", "--max-doc-bytes", "0"},
		{"-o", "x", "--format", "xml"},
		{"-o", "x", "--output-compression", "lz4"},
		// Issue 19 item 12: every numeric flag out of its range.
		{"-o", "x", "--mask-max-fill", "-1"},
		{"-o", "x", "--threshold", "0"},
		{"-o", "x", "--threshold", "1.01"},
		{"-o", "x", "--lsh-threshold", "-0.2"},
		{"-o", "x", "--lsh-threshold", "1"},
		{"-o", "x", "--min-length", "-3"},
		{"-o", "x", "--bands", "-1"},
		{"-o", "x", "--rows", "-2"},
		{"-o", "x", "-k", "0"},
		{"-o", "x", "--ngram", "0"},
		{"-o", "x", "--max-doc-bytes", "-5"},
	} {
		if err := parse(args...); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestOutputCompressionFlag(t *testing.T) {
	fs := newFlagSet()
	var r Run
	r.Register(fs)
	if err := fs.Parse([]string{"-o", "x", "--output-compression", "gzip"}); err != nil {
		t.Fatal(err)
	}
	req, err := r.Request()
	if err != nil || req.Corpus.Output != corpus.OutputGzip {
		t.Errorf("--output-compression gzip: %v, %v", req.Corpus.Output, err)
	}
	if req.OutDir != "x" {
		t.Errorf("OutDir %q, want x", req.OutDir)
	}
}
