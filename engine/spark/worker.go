package spark

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/record"
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

// ---- read: one row per input file in, fingerprints out ----
//
// Out: tag, src, ord, band, key, h, id, len, masks, val, sig, meta
//   m: a file's meta (ord = its document count)
//   d: a document (ord = its position among the file's indexed documents)
//   b: a band key of a signed document

func (w *worker) read() error {
	rows, err := w.all(1)
	if err != nil {
		return err
	}
	var srcs []int
	for _, r := range rows {
		s, err := atoi(r[0])
		if err != nil || s < 0 || int(s) >= len(w.cfg.Files) {
			return fmt.Errorf("input file number %q of %d", r[0], len(w.cfg.Files))
		}
		srcs = append(srcs, int(s))
	}
	slices.Sort(srcs)
	for _, src := range slices.Compact(srcs) {
		if err := w.readFile(src); err != nil {
			return err
		}
	}
	return nil
}

func (w *worker) readFile(src int) error {
	cfg := w.cfg
	spec := cfg.Files[src]
	meta := fileMeta{Source: src}
	var acct corpus.Account
	// The reading rules (rejects, faults, Strict) are corpus.ReadAccounted's, as
	// in every engine: without Strict, a file that cannot be opened or read
	// to its end is recorded as faulty and keeps the documents read before.
	emitMeta := func(format corpus.Format) error {
		meta.Reading = output.NewReading(spec.Path, format, acct)
		m, err := jsonField(meta)
		if err != nil {
			return err
		}
		return w.out.row("m", itoa(src), itoa(meta.Count), "0", "0", none, none, "0", "0", none, none, m)
	}
	rd, err := corpus.Open(spec.Path, src, cfg.Corpus)
	if err != nil {
		if err := acct.Failed(err, cfg.Strict); err != nil {
			return fmt.Errorf("input %s: %w", spec.Path, err)
		}
		return emitMeta(spec.Format)
	}
	k := cfg.Params.K
	sc := new(stage.Scratch)
	sig := make([]uint32, k)
	keys := make([]uint64, 0, cfg.Params.Bands)
	var hb [16]byte
	defer rd.Close()
	acct, err = corpus.ReadAccounted(rd, cfg.Strict, func(d record.Document) error {
		fp := w.st.Fingerprint(sig, d.Text, sc)
		for j := range 8 {
			hb[j] = byte(fp.Exact.Hi >> (56 - 8*j))
			hb[8+j] = byte(fp.Exact.Lo >> (56 - 8*j))
		}
		ord := itoa(meta.Count)
		val := none
		if cfg.Field != "" {
			val = valueField(d.Fields[cfg.Field])
		}
		sf := none
		if fp.Signed {
			sf = sigField(sig)
		}
		if err := w.out.row("d", itoa(src), ord, "0", "0", hex.EncodeToString(hb[:]), b64([]byte(d.ID)), itoa(fp.Length), itoa(fp.Masks), val, sf, none); err != nil {
			return err
		}
		if fp.Signed {
			keys = w.st.BandKeys(keys[:0], sig)
			for band, key := range keys {
				if err := w.out.row("b", itoa(src), ord, itoa(band), itoa(int64(key)), none, none, "0", "0", none, none, none); err != nil {
					return err
				}
			}
		}
		meta.Count++
		if meta.Count == 1<<32-1 {
			return fmt.Errorf("%s: more than %d documents: split the file", spec.Path, uint32(1<<32-2))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("input: %w", err)
	}
	return emitMeta(rd.Format())
}

// ---- link: bucket members in, candidate pairs out ----
//
// In: band, key, idx, h, masks, sig (members of distinct buckets of ≥ 2)
// Out: a, b, verdict, similarity

func (w *worker) link() error {
	rows, err := w.all(6)
	if err != nil {
		return err
	}
	type ref struct {
		band, key string
		idx       uint32
		h         string
		masked    bool
		sig       string
	}
	refs := make([]ref, len(rows))
	for i, r := range rows {
		idx, err := atou32(r[2])
		if err != nil {
			return err
		}
		refs[i] = ref{band: r[0], key: r[1], idx: idx, h: r[3], masked: r[4] != "0", sig: r[5]}
	}
	rows = nil
	slices.SortFunc(refs, func(x, y ref) int {
		return cmp.Or(cmp.Compare(x.band, y.band), cmp.Compare(x.key, y.key), cmp.Compare(x.idx, y.idx))
	})
	k := w.cfg.Params.K
	sigs := make(map[uint32][]uint32)
	masked := make(map[uint32]bool)
	var bucket []uint32
	seen := make(map[string]bool)
	emit := func(p stage.Pair) {
		if err == nil {
			err = w.out.row(itoa(p.A), itoa(p.B), itoa(int(p.Verdict)), ftoa(p.Similarity))
		}
	}
	for j := 0; j < len(refs); {
		e := j + 1
		for e < len(refs) && refs[e].band == refs[j].band && refs[e].key == refs[j].key {
			e++
		}
		// The local engine buckets exact-duplicate representatives only:
		// all copies of a text share its band keys, so the bucket holds
		// each exact group whole, and its smallest index represents it.
		bucket = bucket[:0]
		clear(seen)
		clear(sigs)
		clear(masked)
		for _, r := range refs[j:e] {
			if seen[r.h] {
				continue
			}
			seen[r.h] = true
			sig, perr := parseSig(r.sig, k)
			if perr != nil {
				return perr
			}
			if sig == nil {
				return fmt.Errorf("bucket member %d has no signature", r.idx)
			}
			sigs[r.idx], masked[r.idx] = sig, r.masked
			bucket = append(bucket, r.idx)
		}
		w.st.Link(bucket, func(i uint32) []uint32 { return sigs[i] }, func(i uint32) bool { return masked[i] }, emit)
		if err != nil {
			return err
		}
		j = e
	}
	return nil
}

// ---- texts: (file, its first index, its count, a needed index) in, normalised texts out ----
//
// In: src, first, count, idx
// Out: idx, runes

func (w *worker) texts() error {
	rows, err := w.all(4)
	if err != nil {
		return err
	}
	type want struct {
		src          int
		first, count uint32
		idx          uint32
	}
	ws := make([]want, len(rows))
	for i, r := range rows {
		var v [4]int64
		for j := range v {
			if v[j], err = atoi(r[j]); err != nil {
				return err
			}
		}
		ws[i] = want{int(v[0]), uint32(v[1]), uint32(v[2]), uint32(v[3])}
	}
	slices.SortFunc(ws, func(x, y want) int { return cmp.Or(cmp.Compare(x.src, y.src), cmp.Compare(x.idx, y.idx)) })
	for j := 0; j < len(ws); {
		e := j + 1
		for e < len(ws) && ws[e].src == ws[j].src {
			e++
		}
		needed := make(map[uint32]bool, e-j)
		for _, x := range ws[j:e] {
			needed[x.idx] = true
		}
		if err := w.rereadFile(ws[j].src, ws[j].first, ws[j].first+ws[j].count, needed); err != nil {
			return err
		}
		j = e
	}
	return nil
}

// rereadFile reads input src again and emits the normalised texts of the
// needed documents (indices lo ≤ i < hi).
func (w *worker) rereadFile(src int, lo, hi uint32, needed map[uint32]bool) error {
	if src < 0 || src >= len(w.cfg.Files) {
		return fmt.Errorf("input file number %d of %d", src, len(w.cfg.Files))
	}
	spec := w.cfg.Files[src]
	rd, err := corpus.Open(spec.Path, src, w.cfg.Corpus)
	if err != nil {
		return fmt.Errorf("input %s: %w", spec.Path, err)
	}
	var runes []rune
	err = corpus.Reread(rd, int64(hi-lo), func(i int64, d record.Document) error {
		idx := lo + uint32(i)
		if !needed[idx] {
			return nil
		}
		runes, _ = w.st.Normalize(runes[:0], d.Text)
		return w.out.row(itoa(idx), runesField(runes))
	})
	if err != nil {
		return fmt.Errorf("input: %w", err)
	}
	return nil
}

// ---- confirm: borderline pairs with both texts in, true similarities out ----
//
// In: a, b, text a, text b
// Out: a, b, ok (similarity ≥ threshold), similarity

func (w *worker) confirm() error {
	sc := new(stage.Scratch)
	for {
		r, err := w.in.next(4)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		ta, okA, err := parseRunes(r[2])
		if err != nil {
			return err
		}
		tb, okB, err := parseRunes(r[3])
		if err != nil {
			return err
		}
		if !okA || !okB {
			return fmt.Errorf("no text for pair %s, %s", r[0], r[1])
		}
		sim, ok := w.st.Confirm(ta, tb, sc)
		flag := "0"
		if ok {
			flag = "1"
		}
		if err := w.out.row(r[0], r[1], flag, ftoa(sim)); err != nil {
			return err
		}
	}
}

func boolField(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func splitFields(s string) []string { return strings.Split(s, "\t") }
