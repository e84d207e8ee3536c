package local

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/quchong/quchong/atomicfile"
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/report"
	"github.com/quchong/quchong/stage"
)

// reportPlan is the report being prepared: its input, and the report
// members that want each document's original text.
type reportPlan struct {
	in   *report.Input
	want map[uint32][]*report.Member
	// captured marks the input files whose wanted texts the output pass
	// already handed over (corpus.PartitionCapture).
	captured []bool
}

// planReport builds the report's clusters and decides which documents' texts
// it shows (the largest clusters first, capped by the report package), so
// the output pass can capture those texts as it copies the records.
func (r *run) planReport() *reportPlan {
	in := &report.Input{Threshold: r.p.Threshold, PairSimilarities: r.pairSimilarities()}
	docOf := make([][]uint32, len(r.clusters.Members)) // report member → document
	for c, members := range r.clusters.Members {
		k := r.keptOf[c]
		cl := report.Cluster{ID: c}
		order := append([]uint32{k}, slices.DeleteFunc(slices.Clone(members), func(m uint32) bool { return m == k })...)
		for _, m := range order {
			reason := "near"
			if r.exactOf(m) {
				reason = "exact"
			}
			cl.Members = append(cl.Members, report.Member{
				ID: r.side.id(m), Kept: m == k, Reason: reason,
				Similarity: output.Round(r.simOf(m), 4), Source: r.files[r.fileOf(m)].path,
			})
		}
		in.Clusters = append(in.Clusters, cl)
		docOf[c] = order
	}
	plan := &reportPlan{in: in, want: make(map[uint32][]*report.Member), captured: make([]bool, len(r.files))}
	for _, ref := range in.NeedsText() {
		d := docOf[ref.Cluster][ref.Member]
		plan.want[d] = append(plan.want[d], &in.Clusters[ref.Cluster].Members[ref.Member])
	}
	return plan
}

// pairSimilarities returns the similarity of every verified candidate pair
// for the report's histogram: one similarity per pair, the one
// clusters.jsonl and the cluster panel give where the pair is a kept
// document and a removed one (the similarity stage may have measured its
// texts after the signatures decided it), else the one verification
// decided with (the texts' for a borderline pair, the signatures' for a
// clear one).
func (r *run) pairSimilarities() []float64 {
	toKept := make(map[pairKey]float64)
	for c, members := range r.clusters.Members {
		k := r.keptOf[c]
		for _, m := range members {
			ra, rb := r.groups.rep[k], r.groups.rep[m]
			if m != k && ra != rb {
				toKept[pairKey{min(ra, rb), max(ra, rb)}] = output.Round(r.simOf(m), 4)
			}
		}
	}
	var sims []float64
	for _, p := range r.groups.pairs {
		if p.Verdict == stage.NeedText { // NeedText pairs were all decided by Confirm
			continue
		}
		s := p.Similarity
		if v, ok := toKept[pairKey{min(p.A, p.B), max(p.A, p.B)}]; ok {
			s = v
		}
		sims = append(sims, s)
	}
	return sims
}

// writeReport writes DIR/report.html with the run's stats, reading back
// the original texts the output pass did not capture (Parquet inputs, files
// copied whole), from just the files that hold them.
func (r *run) writeReport(ctx context.Context, plan *reportPlan, statsJSON []byte) error {
	plan.in.Stats = statsJSON
	rest := make(map[uint32][]*report.Member)
	for d, ms := range plan.want {
		if !plan.captured[r.fileOf(d)] {
			rest[d] = ms
		}
	}
	if err := r.loadOriginals(ctx, rest); err != nil {
		return err
	}
	path := r.stagePath("report.html")
	f, err := atomicfile.Create(path)
	if err != nil {
		return &output.OutputError{Err: err}
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := report.Write(w, plan.in); err != nil {
		f.Abort()
		return &output.OutputError{Err: fmt.Errorf("write %s: %w", path, err)}
	}
	if err := w.Flush(); err != nil {
		f.Abort()
		return &output.OutputError{Err: fmt.Errorf("write %s: %w", path, err)}
	}
	if err := f.Commit(); err != nil {
		return &output.OutputError{Err: err}
	}
	return nil
}

// fileOf returns the input file of document i.
func (r *run) fileOf(i uint32) int {
	j, _ := slices.BinarySearchFunc(r.files, i, func(f *fileInfo, i uint32) int {
		switch {
		case i < f.first:
			return 1
		case i >= f.first+f.count:
			return -1
		}
		return 0
	})
	return j
}

// loadOriginals sets the Text of the report members of each wanted
// document, reading the inputs again.
func (r *run) loadOriginals(ctx context.Context, want map[uint32][]*report.Member) error {
	last := make(map[int]uint32) // file → its last wanted document
	for d := range want {
		fi := r.fileOf(d)
		if l, ok := last[fi]; !ok || d > l {
			last[fi] = d
		}
	}
	for si, f := range r.files {
		end, ok := last[si]
		if !ok {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		copt := r.opt.Corpus
		copt.Name = f.path
		rd, err := corpus.Open(f.read, si, copt)
		if err != nil {
			return &output.InputError{Err: err}
		}
		idx := f.first
		for idx <= end {
			d, err := rd.Next()
			if err == io.EOF {
				break
			}
			var rej *corpus.RejectError
			if errors.As(err, &rej) {
				continue
			}
			if err != nil {
				rd.Close()
				return &output.InputError{Err: err}
			}
			for _, m := range want[idx] {
				m.Text = string(d.Text)
			}
			idx++
		}
		rd.Close()
	}
	return nil
}

// statsJSON is the content of stats.json.
func statsJSON(s *output.Stats) ([]byte, error) {
	return json.Marshal(s)
}
