package eval

import (
	"errors"
	"fmt"
	"io"

	"github.com/quchong/quchong/corpus"
)

// FindIDs reads the documents of a run's input files, as the run read them
// (opt holds the run's format, field names and size limit), and reports
// which of ids are among their ids. Records the reader rejects are skipped,
// as the run skipped them. It stops reading once every id has been found.
// Memory is bounded by the number of ids, not by the inputs.
func FindIDs(inputs []string, opt corpus.Options, ids []string) (map[string]bool, error) {
	found := make(map[string]bool, len(ids))
	for _, id := range ids {
		found[id] = false
	}
	missing := len(found)
	for source, path := range inputs {
		if missing == 0 {
			break
		}
		err := eachID(path, source, opt, func(id string) {
			if done, want := found[id]; want && !done {
				found[id] = true
				missing--
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return found, nil
}

// eachID calls fn with the id of every document of one input file.
func eachID(path string, source int, opt corpus.Options, fn func(id string)) (err error) {
	r, err := corpus.Open(path, source, opt)
	if err != nil {
		return fmt.Errorf("open input: %w", err)
	}
	defer func() {
		if cerr := r.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close %s: %w", path, cerr)
		}
	}()
	for {
		d, err := r.Next()
		if err == io.EOF {
			return nil
		}
		var rej *corpus.RejectError
		if errors.As(err, &rej) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read input: %w", err)
		}
		fn(d.ID)
	}
}
