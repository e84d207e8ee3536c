package corpus_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/quchong/quchong/corpus"
)

// Read a JSONL corpus, then write the documents worth keeping in a second
// pass, with every field of the kept lines intact.
func Example() {
	dir, err := os.MkdirTemp("", "corpus-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "news.jsonl")
	os.WriteFile(in, []byte(`{"id":"n1","text":"今天天气很好。","lang":"zh"}
{"id":"n2","text":"今天天气很好。","lang":"zh"}
{"id":"n3","text":""}
{"text":"明天下雨。"}
`), 0o644)

	r, err := corpus.Open(in, 0, corpus.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	seen := map[string]bool{}
	keep := map[int64]bool{}
	for {
		d, err := r.Next()
		if err == io.EOF {
			break
		}
		var rej *corpus.RejectError
		if errors.As(err, &rej) {
			fmt.Println("rejected:", rej.Reason, "at record", rej.Record)
			continue
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("record %d id %s: %s\n", d.Record, filepath.Base(d.ID), d.Text)
		if !seen[string(d.Text)] {
			seen[string(d.Text)] = true
			keep[d.Record] = true
		}
	}
	r.Close()

	kept := filepath.Join(dir, "out", "news.jsonl")
	err = corpus.Partition(in, corpus.Options{}, kept, "", func(record int64) corpus.Route {
		if keep[record] {
			return corpus.Keep
		}
		return corpus.Drop
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := os.ReadFile(kept)
	fmt.Print(string(out))
	// Output:
	// record 1 id n1: 今天天气很好。
	// record 2 id n2: 今天天气很好。
	// rejected: empty at record 3
	// record 4 id news.jsonl:4: 明天下雨。
	// {"id":"n1","text":"今天天气很好。","lang":"zh"}
	// {"text":"明天下雨。"}
}
