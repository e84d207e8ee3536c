package spark

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/quchong/quchong/atomicfile"
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// ---- write: each file's meta and removals in, kept/ and removed/ written ----
//
// In: src, kind, idx, flag, meta
//   kind 0: the file's meta (idx = its first index, flag = its count)
//   kind 1: a removal (flag = exact copy)
// Out: src, kept, removed exact, removed near

func (w *worker) write() error {
	rows, err := w.all(5)
	if err != nil {
		return err
	}
	type file struct {
		first   uint32
		meta    *fileMeta
		removed map[uint32]bool
	}
	files := make(map[int]*file)
	for _, r := range rows {
		src, err := atoi(r[0])
		if err != nil {
			return err
		}
		if src < 0 || int(src) >= len(w.cfg.Files) {
			return fmt.Errorf("input file number %d of %d", src, len(w.cfg.Files))
		}
		f := files[int(src)]
		if f == nil {
			f = &file{removed: make(map[uint32]bool)}
			files[int(src)] = f
		}
		idx, err := atou32(r[2])
		if err != nil {
			return err
		}
		if r[1] == "0" {
			m, err := parseJSON[fileMeta](r[4])
			if err != nil {
				return err
			}
			f.first, f.meta = idx, &m
			continue
		}
		f.removed[idx] = r[3] == "1"
	}
	srcs := make([]int, 0, len(files))
	for s := range files {
		srcs = append(srcs, s)
	}
	slices.Sort(srcs)
	for _, src := range srcs {
		f := files[src]
		if f.meta == nil {
			return fmt.Errorf("no metadata for input %d", src)
		}
		kept, rx, rn, err := w.writeFile(src, f.first, f.meta, f.removed)
		if err != nil {
			return err
		}
		if err := w.out.row(itoa(src), itoa(kept), itoa(rx), itoa(rn)); err != nil {
			return err
		}
	}
	return nil
}

// writeFile copies one input file to kept/ (and removed/), routing each
// record by its dense index.
func (w *worker) writeFile(src int, first uint32, meta *fileMeta, removed map[uint32]bool) (kept, rmExact, rmNear int64, err error) {
	cfg := w.cfg
	spec := cfg.Files[src]
	if meta.Fault != "" && meta.Count == 0 && len(meta.Rejected) == 0 {
		return 0, 0, 0, nil // nothing could be read: there is nothing to write
	}
	keptPath := filepath.Join(cfg.OutDir, "kept", spec.Output)
	removedPath := ""
	if cfg.WriteRemoved {
		removedPath = filepath.Join(cfg.OutDir, "removed", spec.Output)
	}
	rt := &stage.Router{
		First: first, Count: meta.Count, Rejected: meta.Rejected,
		Faulted: meta.Fault != "", FaultAfter: meta.FaultAfter,
		Fate: func(i uint32) (bool, bool) { exact, ok := removed[i]; return ok, exact },
	}
	copt := cfg.Corpus
	copt.Salvage = meta.Fault != ""
	if err := corpus.Partition(spec.Path, copt, keptPath, removedPath, rt.Route); err != nil {
		var rf *corpus.ReadFault
		if meta.Fault == "" || !errors.As(err, &rf) {
			return 0, 0, 0, fmt.Errorf("input %s: %w", spec.Path, err)
		}
		// The fault of the first pass, at the same place (checked below).
	}
	if err := rt.Check(spec.Path); err != nil {
		return 0, 0, 0, err
	}
	return rt.Kept, rt.RemovedExact, rt.RemovedNear, nil
}

// ---- finish: cluster lines, metas and counts in (one partition), the run's files written ----
//
// In: kind, a, b, c, d, e, f
//   kind 0: a clusters.jsonl line: key, idx, kept, reason, similarity, id
//   kind 1: a file meta: src, -, -, -, -, meta
//   kind 2: a file's write counts: src, kept, removed exact, removed near
//   kind 3: a decide partition's counts: -, -, -, -, -, JSON
//   kind 9: nothing (makes sure the worker runs)
// Out: stats.json, base64

// lineRec is one line of clusters.jsonl before encoding.
type lineRec = output.ClusterLine

func (w *worker) finish() error {
	rows, err := w.all(7)
	if err != nil {
		return err
	}
	cfg := w.cfg
	var lines []lineRec
	metas := make([]*fileMeta, len(cfg.Files))
	counts := make([]output.Counts, len(cfg.Files))
	var decided []decideStat
	srcOf := func(s string) (int, error) {
		v, err := atoi(s)
		if err != nil || v < 0 || int(v) >= len(cfg.Files) {
			return 0, fmt.Errorf("input file number %q of %d", s, len(cfg.Files))
		}
		return int(v), nil
	}
	for _, r := range rows {
		switch r[0] {
		case "0":
			key, err := atou32(r[1])
			if err != nil {
				return err
			}
			idx, err := atou32(r[2])
			if err != nil {
				return err
			}
			sim, err := strconv.ParseFloat(r[5], 64)
			if err != nil {
				return fmt.Errorf("similarity %q: %w", r[5], err)
			}
			id, err := unb64(r[6])
			if err != nil {
				return err
			}
			lines = append(lines, lineRec{Key: key, Idx: idx, ID: string(id), Kept: r[3] == "1", Exact: r[4] == "exact", Sim: sim})
		case "1":
			src, err := srcOf(r[1])
			if err != nil {
				return err
			}
			m, err := parseJSON[fileMeta](r[6])
			if err != nil {
				return err
			}
			metas[src] = &m
		case "2":
			src, err := srcOf(r[1])
			if err != nil {
				return err
			}
			var v [3]int64
			for j := range v {
				if v[j], err = atoi(r[2+j]); err != nil {
					return err
				}
			}
			c := &counts[src]
			c.Kept, c.RemovedExact, c.RemovedNear, c.Removed = v[0], v[1], v[2], v[1]+v[2]
		case "3":
			d, err := parseJSON[decideStat](r[6])
			if err != nil {
				return err
			}
			decided = append(decided, d)
		}
	}
	for i, m := range metas {
		if m == nil {
			return fmt.Errorf("no metadata for input %s", cfg.Files[i].Path)
		}
	}
	if err := writeClusters(cfg.OutDir, lines); err != nil {
		return err
	}
	s := assembleStats(cfg, metas, counts, decided)
	var rejects []output.Rejection
	for _, m := range metas {
		rejects = append(rejects, m.Rejects...)
	}
	if err := atomicfile.WriteFile(filepath.Join(cfg.OutDir, "rejected.jsonl"), func(w io.Writer) error {
		return output.EncodeRejections(w, rejects)
	}); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(cfg.OutDir, "stats.json"), func(w io.Writer) error {
		return output.EncodeStats(w, s)
	}); err != nil {
		return err
	}
	sf, err := jsonField(s)
	if err != nil {
		return err
	}
	return w.out.row(sf)
}

// writeClusters writes clusters.jsonl (output.EncodeClusters orders it).
func writeClusters(outDir string, lines []lineRec) error {
	return atomicfile.WriteFile(filepath.Join(outDir, "clusters.jsonl"), func(w io.Writer) error {
		return output.EncodeClusters(w, lines)
	})
}

// assembleStats builds stats.json (output.Stats). Timings,
// wall and CPU time are not measured here.
func assembleStats(cfg *Config, metas []*fileMeta, counts []output.Counts, decided []decideStat) *output.Stats {
	s := &output.Stats{Tool: "quchong", Version: output.Version}
	s.Clustering.Mode = cfg.Params.Cluster.String()
	s.Verification = cfg.Verification
	for _, d := range decided {
		s.Clusters += int(d.Clusters)
		s.Clustering.Merge(d.Clustering)
	}
	s.Inputs = []output.FileStats{}
	for i, f := range cfg.Files {
		m := metas[i]
		c := counts[i]
		c.Read, c.Rejected, c.RejectedBy, c.InputBytes = m.Counts.Read, m.Counts.Rejected, m.Counts.RejectedBy, m.Counts.InputBytes
		s.Inputs = append(s.Inputs, output.FileStats{Path: f.Path, Output: f.Output, Format: f.Format.String(), Compression: f.Compression.String(), Fault: m.Fault, Counts: c})
		s.Total.Add(c)
		if m.Fault != "" {
			s.Faults = append(s.Faults, m.Fault)
		}
	}
	s.Params = output.NewParamsReport(cfg.Params, cfg.Corpus, cfg.Strict)
	s.Stages = []output.StageTiming{}
	return s
}
