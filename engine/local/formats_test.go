package local

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/keep"
)

type pqRow struct {
	ID    string  `parquet:"id"`
	Text  string  `parquet:"text"`
	Score float64 `parquet:"score"`
}

// Every input format and compression runs end to end: the duplicates are
// found, and kept/ holds the rest in the input's own format.
func TestFormats(t *testing.T) {
	seed := strings.Split(strings.TrimSpace(string(mustRead(t, seedPath))), "\n")
	dir := t.TempDir()
	var jsonl, txt bytes.Buffer
	var rows []pqRow
	for i, line := range seed {
		fmt.Fprintf(&jsonl, "{\"id\":\"d%d\",\"text\":%q,\"score\":%d}\n", i+1, line, i)
		txt.WriteString(line + "\n")
		rows = append(rows, pqRow{ID: fmt.Sprintf("d%d", i+1), Text: line, Score: float64(i)})
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(jsonl.Bytes())
	zw.Close()
	enc, _ := zstd.NewWriter(nil)
	var pq bytes.Buffer
	if err := parquet.Write(&pq, rows); err != nil {
		t.Fatal(err)
	}
	inputs := map[string]string{
		"txt":      write("a.txt", txt.Bytes()),
		"jsonl":    write("a.jsonl", jsonl.Bytes()),
		"jsonl.gz": write("b.jsonl.gz", gz.Bytes()),
		"txt.zst":  write("c.txt.zst", enc.EncodeAll(txt.Bytes(), nil)),
		"parquet":  write("d.parquet", pq.Bytes()),
	}
	for kind, in := range inputs {
		t.Run(kind, func(t *testing.T) {
			rule := "max:score" // the field exists in JSONL and Parquet
			if strings.HasPrefix(kind, "txt") {
				rule = "first"
			}
			out, stats := runDedup(t, []string{in}, func(o *Options) {
				var err error
				if o.Params.Keep, err = keep.Parse(rule); err != nil {
					t.Fatal(err)
				}
			})
			if stats.Total.Read != 20 || stats.Total.Kept != 18 || stats.Clusters != 2 {
				t.Fatalf("read %d kept %d clusters %d, want 20, 18, 2", stats.Total.Read, stats.Total.Kept, stats.Clusters)
			}
			if rule == "max:score" {
				var kept []string
				for _, c := range readClusters(t, out) {
					if c.Kept {
						kept = append(kept, c.ID)
					}
				}
				if strings.Join(kept, " ") != "d3 d19" {
					t.Errorf("kept %v, want d3 d19 (the higher scores)", kept)
				}
			}
			kept := filepath.Join(out, "kept", filepath.Base(in))
			rd, err := corpus.Open(kept, 0, corpus.Options{})
			if err != nil {
				t.Fatalf("kept/ is not readable as %s: %v", kind, err)
			}
			defer rd.Close()
			n := 0
			for {
				if _, err := rd.Next(); err != nil {
					break
				}
				n++
			}
			if n != 18 {
				t.Errorf("kept/%s holds %d documents, want 18", filepath.Base(in), n)
			}
			if kind == "parquet" {
				f, err := os.Open(kept)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				fi, _ := f.Stat()
				pf, err := parquet.OpenFile(f, fi.Size())
				if err != nil {
					t.Fatal(err)
				}
				if got, want := pf.Schema().String(), parquet.SchemaOf(pqRow{}).String(); got != want {
					t.Errorf("kept parquet schema\n%s\nwant\n%s", got, want)
				}
			}
		})
	}
}
