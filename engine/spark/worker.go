package spark

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// Worker runs one stage on a partition: rows in on in, rows out on out. It
// is what `quchong-spark worker STAGE CONFIG` runs under Spark's TRANSFORM.
// Stages: read, link, texts, confirm, decide, write, finish.
func Worker(stageName, config string, in io.Reader, out io.Writer) error {
	cfg, err := DecodeConfig(config)
	if err != nil {
		return err
	}
	// Executors run the worker in their own directories; relative inputs
	// are the driver's.
	for _, f := range cfg.Files {
		if !filepath.IsAbs(f.Path) {
			if err := os.Chdir(cfg.Dir); err != nil {
				return fmt.Errorf("input %s is relative to the driver's directory, which this executor lacks: %w", f.Path, err)
			}
			break
		}
	}
	st, err := stage.New(cfg.Params)
	if err != nil {
		return fmt.Errorf("parameters: %w", err)
	}
	w := &worker{cfg: cfg, st: st, in: newTSVReader(in), out: newTSVWriter(out)}
	fns := map[string]func() error{
		"read": w.read, "link": w.link, "texts": w.texts, "confirm": w.confirm,
		"decide": w.decide, "write": w.write, "finish": w.finish,
	}
	fn, ok := fns[stageName]
	if !ok {
		return fmt.Errorf("unknown worker stage %q", stageName)
	}
	if err := fn(); err != nil {
		return fmt.Errorf("worker %s: %w", stageName, err)
	}
	return w.out.flush()
}

type worker struct {
	cfg *Config
	st  *stage.Stages
	in  *tsvReader
	out *tsvWriter
}

// all reads every row of the partition.
func (w *worker) all(fields int) ([][]string, error) {
	var rows [][]string
	for {
		f, err := w.in.next(fields)
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, f)
	}
}

// fileMeta is what the first pass learns about one input file.
type fileMeta struct {
	Source int
	Count  uint32 // documents that got an index
	// Reading is the file's accounting: counts, rejects and, for a file
	// that could not be read to its end, its fault. Documents after the
	// fault get no index and are not written.
	output.Reading
}

func boolField(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func splitFields(s string) []string { return strings.Split(s, "\t") }
