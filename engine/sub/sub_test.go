package sub

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/progress"
	"github.com/quchong/quchong/report"
	"github.com/quchong/quchong/segment"
	"github.com/quchong/quchong/stage"
)

const seedPath = "../../testdata/seed.txt"

// seedLines returns the seed sample's documents.
func seedLines(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// writeJSONL writes docs as {"id","text","src"} lines, ids d1, d2, ...
func writeJSONL(t *testing.T, path string, docs []string, extra ...string) {
	t.Helper()
	var b bytes.Buffer
	for k, d := range docs {
		line, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("d%d", k+1), "text": d, "src": "test"})
		b.Write(line)
		b.WriteByte('\n')
	}
	for _, e := range extra {
		b.WriteString(e + "\n")
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readKept returns the kept JSONL documents by id.
func readKept(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var m map[string]string
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("kept line %q: %v", sc.Text(), err)
		}
		if m["src"] != "test" {
			t.Errorf("kept line lost its other field: %q", sc.Text())
		}
		out[m["id"]] = m["text"]
	}
	return out
}

// readRemovals reads removed.jsonl.
func readRemovals(t *testing.T, dir string) []output.Removal {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, output.RemovedName))
	if err != nil {
		t.Fatal(err)
	}
	var out []output.Removal
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r output.Removal
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// checkAccounting checks read = kept + dropped + rejected and kept = changed
// + unchanged, per file and in total, and that stats.json says the same.
func checkAccounting(t *testing.T, dir string, st *output.SubStats) {
	t.Helper()
	all := append([]output.SubCounts{st.Total}, func() (cs []output.SubCounts) {
		for _, in := range st.Inputs {
			cs = append(cs, in.SubCounts)
		}
		return
	}()...)
	for _, c := range all {
		if c.Read != c.Kept+c.Dropped+c.Rejected || c.Kept != c.Changed+c.Unchanged {
			t.Errorf("accounting broken: %+v", c)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	var disk output.SubStats
	if err := json.Unmarshal(b, &disk); err != nil {
		t.Fatal(err)
	}
	if disk.Total.Read != st.Total.Read || disk.Total.Kept != st.Total.Kept {
		t.Errorf("stats.json total %+v, returned %+v", disk.Total, st.Total)
	}
}

// footerCorpus is the seed's first documents, each with a footer line
// "责任编辑：XX" in another masked form, and one with a real name.
func footerCorpus(t *testing.T) ([]string, []string) {
	seed := seedLines(t)
	footers := []string{"责任编辑：XX", "责任编辑：×××", "责任编辑: ＸＸＸ", "责任编辑：某某", "责任编辑：XX", "责任编辑：张三丰"}
	var docs []string
	for k, f := range footers {
		docs = append(docs, "导航：首页 > 新闻 > 正文\n"+seed[k+3]+"\n"+f)
	}
	return docs, footers
}

func TestLines(t *testing.T) {
	docs, footers := footerCorpus(t)
	p := stage.DefaultSubParams()
	p.MinUnit = 5
	cases := []struct {
		name        string
		edit        func(*stage.SubParams)
		wantFooter  []bool // does document k keep its footer?
		wantNav     []bool // ... its navigation line?
		wantChanged int64
	}{
		{"min-docs 3", func(p *stage.SubParams) { p.MinDocs = 3 },
			[]bool{false, false, false, false, false, true}, []bool{false, false, false, false, false, false}, 6},
		{"min-docs 7", func(p *stage.SubParams) { p.MinDocs = 7 },
			[]bool{true, true, true, true, true, true}, []bool{true, true, true, true, true, true}, 0},
		{"keep-first", func(p *stage.SubParams) { p.KeepFirst = true },
			[]bool{true, false, false, false, false, true}, []bool{true, false, false, false, false, false}, 5},
		{"min-unit above the footer", func(p *stage.SubParams) { p.KeepFirst, p.MinUnit = true, 7 },
			[]bool{true, true, true, true, true, true}, []bool{true, false, false, false, false, false}, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.jsonl")
			writeJSONL(t, in, docs, `{"id":"bad"`, `{"id":"empty","text":""}`)
			pp := p
			c.edit(&pp)
			out := filepath.Join(dir, "out")
			st, err := Lines(context.Background(), Options{Inputs: []string{in}, OutDir: out, Params: pp, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			checkAccounting(t, out, st)
			if st.Total.Read != 8 || st.Total.Rejected != 2 || st.Total.Changed != c.wantChanged {
				t.Errorf("counts %+v", st.Total)
			}
			kept := readKept(t, filepath.Join(out, "kept", "in.jsonl"))
			for k := range docs {
				text := kept[fmt.Sprintf("d%d", k+1)]
				if got := strings.Contains(text, footers[k]); got != c.wantFooter[k] {
					t.Errorf("doc %d keeps footer %v, want %v: %q", k+1, got, c.wantFooter[k], text)
				}
				if got := strings.Contains(text, "导航"); got != c.wantNav[k] {
					t.Errorf("doc %d keeps navigation %v, want %v", k+1, got, c.wantNav[k])
				}
				if !strings.Contains(text, seedLines(t)[k+3][:30]) || strings.HasSuffix(text, "\n") || strings.HasPrefix(text, "\n") {
					t.Errorf("doc %d body damaged: %q", k+1, text)
				}
			}
			checkRemovals(t, out, docs)
		})
	}
}

// checkRemovals checks that every removal's offsets point at its text in
// the original document.
func checkRemovals(t *testing.T, out string, docs []string) {
	t.Helper()
	for _, r := range readRemovals(t, out) {
		var k int
		if _, err := fmt.Sscanf(r.ID, "d%d", &k); err != nil {
			t.Fatalf("removal id %q", r.ID)
		}
		orig := []rune(docs[k-1])
		if r.Reason == "too-short" {
			continue
		}
		if r.End > len(orig) || string(orig[r.Start:r.End]) != r.Text {
			t.Errorf("removal %+v: original [%d,%d) is not its text", r, r.Start, r.End)
		}
	}
}

// TestLinesSeedSentences: the seed's lines 2 and 3 are identical, so with
// sentence units and keep-first every sentence of line 3 at least MinUnit
// long goes, and what is left ("(二)营造林工作。(三)森林病虫害工作。") is
// under MinLength: the document is dropped. Nothing else in the seed
// repeats a whole sentence but line 19, a re-anonymised copy of line 16,
// which keeps its new and re-anonymised sentences.
func TestLinesSeedSentences(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	p := stage.DefaultSubParams()
	p.KeepFirst, p.Unit, p.MinLength = true, segment.Sentence, 30
	st, err := Lines(context.Background(), Options{Inputs: []string{seedPath}, OutDir: out, Params: p})
	if err != nil {
		t.Fatal(err)
	}
	checkAccounting(t, out, st)
	if st.Total.Read != 20 || st.Total.Dropped != 1 || st.Total.Changed != 1 || st.Total.Unchanged != 18 {
		t.Errorf("counts %+v: want 20 read, line 3 dropped, line 19 changed", st.Total)
	}
	var changed []string
	for _, r := range readRemovals(t, out) {
		changed = append(changed, strings.TrimPrefix(r.ID, seedPath+":"))
	}
	if !strings.Contains(strings.Join(changed, ","), "19") || !strings.Contains(strings.Join(changed, ","), "3") {
		t.Errorf("removals in documents %v, want 3 and 19", changed)
	}
	kept, err := os.ReadFile(filepath.Join(out, "kept", "seed.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Split(strings.TrimSuffix(string(kept), "\n"), "\n")); n != 19 {
		t.Errorf("kept/seed.txt has %d documents, want 19", n)
	}
}

// TestSubstrPlanted plants one 60-character passage in several seed
// documents and checks that exactly it is removed: from all but the first
// (keep first) or from all (remove all).
func TestSubstrPlanted(t *testing.T) {
	seed := seedLines(t)
	passage := "本文由某某新闻网独家发布，未经书面授权不得转载、摘编或以其他方式使用，违者将依法追究其法律责任，特此声明。欢迎关注本网官方账号。"
	if utf8.RuneCountInString(passage) < 55 {
		t.Fatal("passage too short")
	}
	var docs []string
	planted := map[int]bool{}
	for k, line := range seed {
		if k == 2 || k == 18 { // the seed's own duplicates
			continue
		}
		d := line
		if len(docs)%3 == 1 {
			r := []rune(line)
			d = string(r[:40]) + passage + string(r[40:])
			planted[len(docs)] = true
		}
		docs = append(docs, d)
	}
	for _, removeAll := range []bool{false, true} {
		t.Run(fmt.Sprint("remove-all=", removeAll), func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.jsonl")
			writeJSONL(t, in, docs)
			out := filepath.Join(dir, "out")
			p := stage.DefaultSubParams()
			p.MinSpan, p.RemoveAll = 50, removeAll
			st, err := Substr(context.Background(), Options{Inputs: []string{in}, OutDir: out, Params: p, Workers: 3})
			if err != nil {
				t.Fatal(err)
			}
			checkAccounting(t, out, st)
			removals := readRemovals(t, out)
			checkRemovals(t, out, docs)
			firstSeen := false
			var tp, fp int
			for _, r := range removals {
				if strings.Trim(r.Text, "，。") == strings.Trim(passage, "，。") {
					tp++
				} else {
					fp++
					t.Errorf("removed %q, not the planted passage", r.Text)
				}
			}
			want := len(planted)
			if !removeAll {
				want--
			}
			if tp != want || fp != 0 {
				t.Errorf("recall %d/%d, %d false removals", tp, want, fp)
			}
			kept := readKept(t, filepath.Join(out, "kept", "in.jsonl"))
			for k := range docs {
				has := strings.Contains(kept[fmt.Sprintf("d%d", k+1)], passage[:30])
				wantHas := planted[k] && !removeAll && !firstSeen
				if planted[k] {
					firstSeen = true
				}
				if has != wantHas {
					t.Errorf("doc %d keeps the passage: %v, want %v", k+1, has, wantHas)
				}
			}
		})
	}
}

// TestWorkersSameOutput: the outputs do not depend on the number of
// workers, over inputs of several formats.
// outputFiles reads every output file under dir but stats.json (which
// holds the run's timings), by path relative to dir.
func outputFiles(dir string) map[string]string {
	files := map[string]string{}
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && !strings.HasSuffix(path, "stats.json") {
			b, _ := os.ReadFile(path)
			rel, _ := filepath.Rel(dir, path)
			files[rel] = string(b)
		}
		return nil
	})
	return files
}

func TestWorkersSameOutput(t *testing.T) {
	docs, _ := footerCorpus(t)
	dir := t.TempDir()
	var inputs []string
	for k := range 4 {
		in := filepath.Join(dir, fmt.Sprintf("in%d.jsonl", k))
		writeJSONL(t, in, append(append([]string{}, docs[k:]...), docs[:k]...))
		inputs = append(inputs, in)
	}
	txt := filepath.Join(dir, "seed.txt")
	b, _ := os.ReadFile(seedPath)
	os.WriteFile(txt, b, 0o644)
	inputs = append(inputs, txt)
	for _, method := range []string{"lines", "substr"} {
		var outs []map[string]string
		for _, w := range []int{1, 4} {
			out := filepath.Join(dir, fmt.Sprintf("%s-%d", method, w))
			p := stage.DefaultSubParams()
			p.KeepFirst, p.MinSpan, p.Unit = true, 20, segment.Sentence
			opt := Options{Inputs: inputs, OutDir: out, Params: p, Workers: w}
			var err error
			if method == "lines" {
				_, err = Lines(context.Background(), opt)
			} else {
				_, err = Substr(context.Background(), opt)
			}
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, outputFiles(out))
		}
		if len(outs[0]) < 7 {
			t.Fatalf("%s: only %d output files", method, len(outs[0]))
		}
		for name, content := range outs[0] {
			if outs[1][name] != content {
				t.Errorf("%s: %s differs between 1 and 4 workers", method, name)
			}
		}
		if outs[0][output.RemovedName] == "" {
			t.Errorf("%s removed nothing", method)
		}
	}
}

// TestMinLength: documents left short are dropped and counted.
func TestMinLength(t *testing.T) {
	docs, _ := footerCorpus(t)
	docs = append(docs, "短文。\n导航：首页 > 新闻 > 正文")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writeJSONL(t, in, docs)
	p := stage.DefaultSubParams()
	p.MinDocs, p.MinUnit, p.MinLength = 3, 5, 10
	st, err := Lines(context.Background(), Options{Inputs: []string{in}, OutDir: filepath.Join(dir, "a"), Params: p})
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Dropped != 1 || st.Total.Kept != 6 {
		t.Errorf("counts %+v, want the short document dropped", st.Total)
	}
	checkAccounting(t, filepath.Join(dir, "a"), st)
}

// TestSubstrParts: a memory budget too small for the corpus sorts it in
// parts, with the same outputs as one suffix array, counts included; at
// 64,000 bytes the merge holds the parts' texts in memory, below it holds
// the first third or twelfth of each and reads the other windows from the
// spilled parts.
func TestSubstrParts(t *testing.T) {
	seed := seedLines(t)
	passage := "本文由某某新闻网独家发布，未经书面授权不得转载、摘编或以其他方式使用，违者将依法追究其法律责任，特此声明。"
	var docs []string
	for k, line := range seed {
		if k%4 == 1 {
			line = passage + line
		}
		docs = append(docs, line)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writeJSONL(t, in, docs)
	for _, removeAll := range []bool{false, true} {
		outs := map[int64]string{}
		var removed []string
		mems := []int64{1 << 30, 64000, 20000, 5000}
		for _, mem := range mems {
			p := stage.DefaultSubParams()
			p.RemoveAll = removeAll
			out := filepath.Join(dir, fmt.Sprint(removeAll, mem))
			st, err := Substr(context.Background(), Options{Inputs: []string{in}, OutDir: out, Params: p, Memory: mem, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			checkAccounting(t, out, st)
			if wantOne := mem == 1<<30; (st.Parts == 1) != wantOne {
				t.Errorf("memory %d: %d parts", mem, st.Parts)
			}
			b, err := os.ReadFile(filepath.Join(out, "kept", "in.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			outs[mem] = string(b)
			var rs []string
			for _, r := range readRemovals(t, out) {
				rs = append(rs, fmt.Sprint(r.ID, r.Start, r.End, r.Text, r.Count))
			}
			removed = append(removed, strings.Join(rs, "\n"))
			t.Logf("remove-all %v, memory %d: %d parts, %d removals, %d chars", removeAll, mem, st.Parts, st.Total.Removals, st.CorpusChars)
		}
		for k, mem := range mems {
			if outs[mem] != outs[mems[0]] || removed[k] != removed[0] {
				t.Errorf("remove-all %v: %d bytes of memory change the output", removeAll, mem)
			}
		}
		if removed[0] == "" {
			t.Errorf("remove-all %v: nothing removed", removeAll)
		}
	}
}

// TestTruncatedInput: a corrupt input stops the run with an error naming
// the file; nothing is left at the final names, nor work files.
func TestTruncatedInput(t *testing.T) {
	docs, _ := footerCorpus(t)
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.jsonl")
	writeJSONL(t, plain, docs)
	b, _ := os.ReadFile(plain)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(b)
	zw.Close()
	in := filepath.Join(dir, "cut.jsonl.gz")
	os.WriteFile(in, gz.Bytes()[:gz.Len()*2/3], 0o644)
	for _, method := range []string{"lines", "substr"} {
		out := filepath.Join(dir, method)
		p := stage.DefaultSubParams()
		p.KeepFirst = true
		opt := Options{Inputs: []string{in}, OutDir: out, Params: p}
		var err error
		if method == "lines" {
			_, err = Lines(context.Background(), opt)
		} else {
			_, err = Substr(context.Background(), opt)
		}
		var fault *corpus.ReadFault
		if !errors.As(err, &fault) || !strings.Contains(err.Error(), "cut.jsonl.gz") {
			t.Errorf("%s: error %v, want a read fault naming the file", method, err)
		}
		for _, name := range []string{"kept", "stats.json", output.RemovedName, workName} {
			if _, err := os.Stat(filepath.Join(out, name)); err == nil {
				t.Errorf("%s: %s exists after a failed run", method, name)
			}
		}
	}
}

// TestLinesHeldInputs: compressed inputs whose decoded content pass 1 holds
// are rewritten from it, and the outputs are those of a run that holds
// nothing (a budget too small) and decompresses them again, whatever the
// number of workers.
func TestLinesHeldInputs(t *testing.T) {
	docs, _ := footerCorpus(t)
	dir := t.TempDir()
	var inputs []string
	for k, ext := range []string{".jsonl.gz", ".jsonl.zst", ".jsonl"} {
		plain := filepath.Join(dir, fmt.Sprintf("plain%d.jsonl", k))
		writeJSONL(t, plain, append(append([]string{}, docs[k:]...), docs[:k]...), `{"id":"broken","text":`)
		b, err := os.ReadFile(plain)
		if err != nil {
			t.Fatal(err)
		}
		var z bytes.Buffer
		switch ext {
		case ".jsonl.gz":
			w := gzip.NewWriter(&z)
			w.Write(b)
			w.Close()
		case ".jsonl.zst":
			w, _ := zstd.NewWriter(&z)
			w.Write(b)
			w.Close()
		default:
			z.Write(b)
		}
		in := filepath.Join(dir, fmt.Sprintf("in%d%s", k, ext))
		if err := os.WriteFile(in, z.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	var ref map[string]string
	for _, c := range []struct {
		memory  int64
		workers int
		once    int
	}{{0, 1, 2}, {0, 3, 2}, {2, 1, 0}, {2, 3, 0}} {
		out := filepath.Join(dir, fmt.Sprintf("out-%d-%d", c.memory, c.workers))
		p := stage.DefaultSubParams()
		p.MinDocs = 3
		st, err := Lines(context.Background(), Options{Inputs: inputs, OutDir: out, Params: p, Workers: c.workers, Memory: c.memory})
		if err != nil {
			t.Fatal(err)
		}
		if st.DecodedOnce != c.once {
			t.Errorf("memory %d, %d workers: %d files read once, want %d", c.memory, c.workers, st.DecodedOnce, c.once)
		}
		if st.Total.Rejected != 3 || st.Total.Changed == 0 {
			t.Errorf("memory %d, %d workers: %d rejected (want 3), %d changed", c.memory, c.workers, st.Total.Rejected, st.Total.Changed)
		}
		files := outputFiles(out)
		if ref == nil {
			ref = files
			if len(ref) < 6 {
				t.Fatalf("only %d output files", len(ref))
			}
			continue
		}
		if len(files) != len(ref) {
			t.Errorf("memory %d, %d workers: %d output files, want %d", c.memory, c.workers, len(files), len(ref))
		}
		for name, content := range ref {
			if files[name] != content {
				t.Errorf("memory %d, %d workers: %s differs", c.memory, c.workers, name)
			}
		}
	}
}

// TestProgressEvents: each stage of lines and substr starts and ends once,
// in order, and the reading pass reports its documents and bytes.
func TestProgressEvents(t *testing.T) {
	docs, _ := footerCorpus(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writeJSONL(t, in, docs)
	fi, _ := os.Stat(in)
	for _, method := range []string{"lines", "substr"} {
		var events []progress.Event
		p := stage.DefaultSubParams()
		p.KeepFirst, p.MinSpan = true, 20
		opt := Options{Inputs: []string{in}, OutDir: filepath.Join(dir, method), Params: p,
			Progress: func(e progress.Event) { events = append(events, e) }}
		var err error
		want := []string{"count units", "rewrite", "write"}
		if method == "lines" {
			_, err = Lines(context.Background(), opt)
		} else {
			_, err = Substr(context.Background(), opt)
			want = []string{"normalise", "suffix array", "rewrite", "write"}
		}
		if err != nil {
			t.Fatal(err)
		}
		var started, done []string
		var readDocs, readBytes, total int64
		for _, e := range events {
			switch e.Kind {
			case progress.StageStart:
				started = append(started, e.Stage)
				if e.Stage == want[0] {
					total = e.TotalBytes
				}
			case progress.StageDone:
				done = append(done, e.Stage)
			case progress.StageProgress:
				if e.Stage == want[0] {
					readDocs, readBytes = e.Docs, e.Bytes
				}
			}
		}
		if !slices.Equal(started, want) || !slices.Equal(done, want) {
			t.Errorf("%s: stages started %q, done %q; want %q", method, started, done, want)
		}
		if readDocs != int64(len(docs)) || readBytes != fi.Size() || total != fi.Size() {
			t.Errorf("%s: reading reported %d documents, %d of %d bytes; want %d, %d of %d", method, readDocs, readBytes, total, len(docs), fi.Size(), fi.Size())
		}
	}
}

// TestParquetKeptTexts: a Parquet input's kept/ holds each changed
// document's own new text (the rows of a batch wait for their write while
// the rewriting reuses its buffer), as the same documents in JSONL get.
func TestParquetKeptTexts(t *testing.T) {
	docs, _ := footerCorpus(t)
	type row struct {
		ID   string `parquet:"id"`
		Text string `parquet:"text"`
	}
	dir := t.TempDir()
	var rows []row
	for k, d := range docs {
		rows = append(rows, row{ID: fmt.Sprintf("d%d", k+1), Text: d})
	}
	pq := filepath.Join(dir, "in.parquet")
	if err := parquet.WriteFile(pq, rows); err != nil {
		t.Fatal(err)
	}
	js := filepath.Join(dir, "in.jsonl")
	writeJSONL(t, js, docs)
	p := stage.DefaultSubParams()
	p.MinDocs = 3
	for _, in := range []string{pq, js} {
		if _, err := Lines(context.Background(), Options{Inputs: []string{in}, OutDir: in + ".out", Params: p}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := parquet.ReadFile[row](filepath.Join(pq+".out", "kept", "in.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(js+".out", "kept", "in.jsonl"))
	var want []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r row
		json.Unmarshal([]byte(line), &r)
		want = append(want, r.Text)
	}
	changed := 0
	for k := range got {
		if k >= len(want) || got[k].Text != want[k] {
			t.Fatalf("row %d: %q, want %q", k, got[k].Text, want[k])
		}
		if got[k].Text != docs[k] {
			changed++
		}
	}
	if len(got) != len(want) || changed < 3 {
		t.Errorf("%d rows (want %d), %d changed", len(got), len(want), changed)
	}
}

// TestLinesHeldDeterministic: which compressed inputs pass 1 holds depends
// on the inputs and --memory only: nine files of about 60 KB in a quarter
// of 2 MiB hold the first eight in input order, whatever the workers.
func TestLinesHeldDeterministic(t *testing.T) {
	docs, _ := footerCorpus(t)
	dir := t.TempDir()
	var inputs []string
	for k := range 9 {
		var b bytes.Buffer
		for n := 0; b.Len() < 60_000; n++ {
			line, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("f%d-%d", k, n), "text": fmt.Sprintf("%s\n第%d条", docs[n%len(docs)], n)})
			b.Write(line)
			b.WriteByte('\n')
		}
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		w.Write(b.Bytes())
		w.Close()
		in := filepath.Join(dir, fmt.Sprintf("in%d.jsonl.gz", k))
		if err := os.WriteFile(in, z.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	var ref []byte
	for _, workers := range []int{1, 3, 9} {
		out := filepath.Join(dir, fmt.Sprintf("out%d", workers))
		p := stage.DefaultSubParams()
		p.MinDocs = 20
		st, err := Lines(context.Background(), Options{Inputs: inputs, OutDir: out, Params: p, Workers: workers, Memory: 2 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if st.DecodedOnce != 8 {
			t.Errorf("%d workers: %d files read once, want 8", workers, st.DecodedOnce)
		}
		removed, _ := os.ReadFile(filepath.Join(out, output.RemovedName))
		if ref == nil {
			ref = removed
		} else if !bytes.Equal(removed, ref) {
			t.Errorf("%d workers: removed.jsonl differs", workers)
		}
	}
	if len(ref) == 0 {
		t.Error("nothing removed")
	}
}

// TestReportTally: the report's tally holds at most report.SubTextCap+1
// characters of a removed text, tells texts apart beyond them by hash, and
// pruneTally keeps the entries the page ranks first.
func TestReportTally(t *testing.T) {
	long := strings.Repeat("长", report.SubTextCap+500)
	for _, tc := range []struct {
		in   string
		want int // characters kept
	}{{"", 0}, {"责任编辑：XX", 7}, {long, report.SubTextCap + 1}, {long[:3*report.SubTextCap], report.SubTextCap}} {
		if got := utf8.RuneCountInString(newTallyKey([]byte(tc.in)).text); got != tc.want {
			t.Errorf("key of %d characters holds %d, want %d", utf8.RuneCountInString(tc.in), got, tc.want)
		}
	}
	if a, b := newTallyKey([]byte(long+"甲")), newTallyKey([]byte(long+"乙")); a == b {
		t.Errorf("two texts equal over their first %d characters have one key", report.SubTextCap+1)
	}
	tally := map[tallyKey]*report.SubUnit{}
	for i, n := range []int{3, 9, 1, 9, 5} {
		k := newTallyKey([]byte{byte('a' + i)})
		tally[k] = &report.SubUnit{Text: k.text, Removed: n}
	}
	pruneTally(tally, 3)
	var got []string
	for k := range tally {
		got = append(got, k.text)
	}
	slices.Sort(got)
	if want := []string{"b", "d", "e"}; !slices.Equal(got, want) {
		t.Errorf("pruned to %v, want %v (9, 9, 5 removals)", got, want)
	}
}
