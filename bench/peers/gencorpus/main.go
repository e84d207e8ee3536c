// Command gencorpus makes a large benchmark corpus from a smaller one, for
// quchong's scaling run (bench/peers/run.sh --scale).
//
//	gencorpus -in zh_mix_150mb.jsonl.zst -out big.jsonl.zst -copies 10
//
// The output holds -copies rounds of as many documents as the input. Round 0
// is the input itself. In every later round each input document, in a fresh
// order, becomes either
//   - a perturbed copy (probability -dup): id "<id>#c<round>", one sentence
//     dropped when the document has four or more, and about a third of its
//     punctuation switched between full and half width; a near duplicate,
//     not an exact one;
//   - a fresh mix: id "<id>#m<round>", as many sentences as the document,
//     each drawn from a random document of the input; new text with the
//     input's statistics, a duplicate of nothing in particular.
//
// So the output is about -copies times the input in bytes, and its share of
// near duplicates grows with the rounds, as in a real crawl. Output lines are
// {"id": ..., "text": ...}; the output is zstd-compressed when its name ends
// in .zst. The same flags and seed give the same bytes.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
)

// options are gencorpus's flags.
type options struct {
	in, out string
	copies  int
	dup     float64
	seed    uint64
}

func main() {
	var o options
	flag.StringVar(&o.in, "in", "", "input JSONL or JSONL.zst with id and text (required)")
	flag.StringVar(&o.out, "out", "", "output JSONL or JSONL.zst (required)")
	flag.IntVar(&o.copies, "copies", 10, "rounds: the output has copies × the input's documents")
	flag.Float64Var(&o.dup, "dup", 0.3, "share of each later round that is perturbed copies; the rest is fresh mixes")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed")
	flag.Parse()
	if o.in == "" || o.out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gencorpus -in IN.jsonl[.zst] -out OUT.jsonl[.zst] [-copies 10] [-dup 0.3] [-seed 1]")
		os.Exit(2)
	}
	n, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gencorpus: %d documents written to %s\n", n, o.out)
}

// record is one input or output line.
type record struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// run generates the corpus and returns the number of documents written.
func run(o options) (n int, err error) {
	if o.copies < 1 {
		return 0, fmt.Errorf("-copies %d: need at least 1", o.copies)
	}
	if o.dup < 0 || o.dup > 1 {
		return 0, fmt.Errorf("-dup %g: need a share in [0, 1]", o.dup)
	}
	docs, err := readDocs(o.in)
	if err != nil {
		return 0, err
	}
	if len(docs) == 0 {
		return 0, fmt.Errorf("%s: no documents", o.in)
	}

	f, err := os.Create(o.out)
	if err != nil {
		return 0, fmt.Errorf("create output: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close %s: %w", o.out, cerr)
		}
	}()
	var w io.Writer = f
	var zw *zstd.Encoder
	if strings.HasSuffix(o.out, ".zst") {
		zw, err = zstd.NewWriter(f, zstd.WithEncoderLevel(zstd.SpeedFastest))
		if err != nil {
			return 0, fmt.Errorf("zstd writer: %w", err)
		}
		w = zw
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)

	sentences := make([][]string, len(docs)) // substrings of the texts, not copies
	for i, d := range docs {
		sentences[i] = splitSentences(d.Text)
	}
	pool := make([][]string, len(docs)) // the same, less blank sentences
	for i, s := range sentences {
		for _, x := range s {
			if strings.TrimSpace(x) != "" {
				pool[i] = append(pool[i], x)
			}
		}
	}
	rng := rand.New(rand.NewPCG(o.seed, 0x9e3779b97f4a7c15))
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	for round := 0; round < o.copies; round++ {
		if round > 0 {
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		for _, i := range order {
			out := docs[i]
			switch {
			case round == 0:
			case rng.Float64() < o.dup:
				out = record{ID: fmt.Sprintf("%s#c%d", out.ID, round), Text: perturb(rng, out.Text)}
			default:
				out = record{ID: fmt.Sprintf("%s#m%d", out.ID, round), Text: freshMix(rng, pool, len(sentences[i]))}
			}
			if err := enc.Encode(out); err != nil {
				return n, fmt.Errorf("write document %d: %w", n, err)
			}
			n++
		}
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("write %s: %w", o.out, err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return n, fmt.Errorf("finish zstd stream of %s: %w", o.out, err)
		}
	}
	return n, nil
}

// readDocs reads every document of a JSONL or JSONL.zst file.
func readDocs(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".zst") {
		zr, err := zstd.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("zstd reader for %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	var docs []record
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		var d record
		if err := json.Unmarshal(raw["text"], &d.Text); err != nil {
			return nil, fmt.Errorf("%s line %d: text: %w", path, line, err)
		}
		// Ids may be strings or numbers: keep them as their JSON spelling
		// unless they are strings.
		if id, ok := raw["id"]; ok && json.Unmarshal(id, &d.ID) != nil {
			d.ID = string(id)
		}
		if d.ID == "" {
			d.ID = fmt.Sprint(line)
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return docs, nil
}

// sentenceEnds are the runes after which splitSentences cuts.
const sentenceEnds = "。｡！？!?；;\n"

// splitSentences cuts text after every sentence-ending rune (kept with its
// sentence). Concatenating the result gives text back.
func splitSentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		if strings.ContainsRune(sentenceEnds, r) {
			end := i + utf8.RuneLen(r)
			out = append(out, text[start:end])
			start = end
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// widthPairs maps full-width punctuation to half width and back.
var widthPairs = map[rune]rune{
	'，': ',', ',': '，',
	'。': '｡', '｡': '。',
	'！': '!', '!': '！',
	'？': '?', '?': '？',
	'：': ':', ':': '：',
	'；': ';', ';': '；',
	'（': '(', '(': '（',
	'）': ')', ')': '）',
}

// flipWidth switches each punctuation rune that has a counterpart of the
// other width with probability p.
func flipWidth(rng *rand.Rand, text string, p float64) string {
	var b strings.Builder
	b.Grow(len(text) + 8)
	for _, r := range text {
		if o, ok := widthPairs[r]; ok && rng.Float64() < p {
			r = o
		}
		b.WriteRune(r)
	}
	return b.String()
}

// perturb makes a near duplicate of text: one sentence dropped when there
// are at least four, and a third of the punctuation switched in width.
func perturb(rng *rand.Rand, text string) string {
	s := splitSentences(text)
	if len(s) >= 4 {
		k := rng.IntN(len(s))
		s = append(s[:k:k], s[k+1:]...)
	}
	return flipWidth(rng, strings.Join(s, ""), 1.0/3)
}

// freshMix builds a new document of n sentences (at least one), each taken
// from a random document's sentences.
func freshMix(rng *rand.Rand, sentences [][]string, n int) string {
	var b strings.Builder
	for range max(n, 1) {
		s := sentences[rng.IntN(len(sentences))]
		if len(s) > 0 {
			b.WriteString(s[rng.IntN(len(s))])
		}
	}
	if b.Len() == 0 {
		return "。" // every document drawn was empty
	}
	return b.String()
}
