// Package testcorpus gives tests and benchmarks the texts of the shared
// sample corpora (../shared/data/corpus), read with the project's own
// reader, and says when a corpus is not there, so that they can skip.
package testcorpus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/quchong/quchong/corpus"
)

// Texts returns the texts of the file at path, in order, up to limit bytes
// in all (the last one may pass it), rejected records left out; nil and no
// error when the file is missing.
func Texts(path string, limit int) ([][]byte, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	rd, err := corpus.Open(path, 0, corpus.Options{})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var texts [][]byte
	for total := 0; total < limit; {
		d, err := rd.Next()
		if err == io.EOF {
			break
		}
		if corpus.IsReject(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		texts = append(texts, bytes.Clone(d.Text))
		total += len(d.Text)
	}
	return texts, nil
}
