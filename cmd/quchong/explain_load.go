package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/explain"
	"github.com/quchong/quchong/internal/units"
)

// readWholeFile reads one file as one document.
func readWholeFile(path string, order, maxBytes int) (*explain.Doc, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory; --files compares two files", path)
	}
	if fi.Size() > int64(maxBytes) {
		return nil, fmt.Errorf("%s: %d bytes, larger than --max-doc-bytes %d", path, fi.Size(), maxBytes)
	}
	// The size stat gives is not a bound (a device, a pipe, /proc say 0):
	// the read itself stops one byte past the limit.
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, int64(maxBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(text) > maxBytes {
		return nil, fmt.Errorf("%s: more than --max-doc-bytes %d bytes", path, maxBytes)
	}
	return &explain.Doc{ID: path, Path: path, Order: order, Text: text}, nil
}

// findDocs reads the inputs in order until it has found the first document
// with id a and the first with id b.
func findDocs(files []string, opt corpus.Options, a, b string) (*explain.Doc, *explain.Doc, error) {
	var da, db *explain.Doc
	rejected := make(map[string]*corpus.RejectError)
	nRejected := 0
	order := 0
	for si, path := range files {
		rd, err := corpus.Open(path, si, opt)
		if err != nil {
			return nil, nil, err
		}
		for da == nil || db == nil {
			d, err := rd.Next()
			if err == io.EOF {
				break
			}
			var rej *corpus.RejectError
			if errors.As(err, &rej) {
				// A rejected record keeps its PATH:LINE id, so say why an id
				// that names one is missing.
				nRejected++
				id := fmt.Sprintf("%s:%d", rej.Path, rej.Record)
				if id == a || id == b {
					rejected[id] = rej
				}
				continue
			}
			if err != nil {
				rd.Close()
				return nil, nil, err
			}
			order++
			if d.ID == a && da == nil {
				da = &explain.Doc{ID: d.ID, Path: path, Record: d.Record, Order: order, Text: append([]byte(nil), d.Text...)}
			} else if d.ID == b && db == nil {
				db = &explain.Doc{ID: d.ID, Path: path, Record: d.Record, Order: order, Text: append([]byte(nil), d.Text...)}
			}
		}
		if err := rd.Close(); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		if da != nil && db != nil {
			return da, db, nil
		}
	}
	var missing []string
	for _, x := range []struct {
		id string
		d  *explain.Doc
	}{{a, da}, {b, db}} {
		switch {
		case x.d != nil:
		case rejected[x.id] != nil:
			missing = append(missing, fmt.Sprintf("id %q is a rejected record (%v)", x.id, rejected[x.id]))
		default:
			missing = append(missing, fmt.Sprintf("id %q not found", x.id))
		}
	}
	hint := ""
	if nRejected > 0 {
		hint = fmt.Sprintf(" (%s skipped; their id fields cannot be read)", units.Plural(nRejected, "rejected record was", "rejected records were"))
	}
	return nil, nil, fmt.Errorf("%s in %s%s", strings.Join(missing, "; "), strings.Join(files, ", "), hint)
}
