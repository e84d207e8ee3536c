package spark

import (
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/record"
	"github.com/quchong/quchong/stage"
)

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
	k := cfg.Params.K
	sc := new(stage.Scratch)
	sig := make([]uint32, k)
	keys := make([]uint64, 0, cfg.Params.Bands)
	var hb [16]byte
	acct, format, err := corpus.ReadFile(spec.Path, src, cfg.Corpus, spec.Format, cfg.Strict, func(d record.Document) error {
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
		return nil
	})
	if err != nil {
		return fmt.Errorf("input: %w", err)
	}
	return emitMeta(format)
}
