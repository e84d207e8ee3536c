package output

import (
	"bufio"
	"cmp"
	"encoding/json"
	"io"
	"slices"
	"strconv"

	"github.com/quchong/quchong/corpus"
)

// ClusterRecord is one line of clusters.jsonl: a document of a cluster of
// two or more, with the cluster's number, whether it is the kept document,
// the reason (exact or near) and its similarity to the kept document. Its
// format is stable: other tools read it.
type ClusterRecord struct {
	ID         string          `json:"id"`
	Cluster    int             `json:"cluster"`
	Kept       bool            `json:"kept"`
	Reason     string          `json:"reason"`
	Similarity json.RawMessage `json:"similarity"`
}

// NewClusterRecord returns the line of clusters.jsonl for a document:
// reason "exact" when exact, else "near"; the similarity with four decimals.
func NewClusterRecord(id string, cluster int, kept, exact bool, sim float64) ClusterRecord {
	r := ClusterRecord{ID: id, Cluster: cluster, Kept: kept, Reason: "near", Similarity: json.RawMessage(strconv.FormatFloat(sim, 'f', 4, 64))}
	if exact {
		r.Reason = "exact"
	}
	return r
}

// Rejection is one line of rejected.jsonl: a record that could not be used,
// where it is and why.
type Rejection struct {
	File   string `json:"file"`
	Record int64  `json:"record"`
	Unit   string `json:"unit"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// ClusterLine is a document's line of clusters.jsonl as an engine gathers
// it before the clusters are numbered: Key is the smallest member of its
// cluster (clusters are numbered in the order of their keys), Idx the
// document's dense index.
type ClusterLine struct {
	Key, Idx uint32
	ID       string
	Kept     bool
	Exact    bool
	Sim      float64
}

// EncodeClusters writes lines as clusters.jsonl, in the order every engine
// gives it: clusters numbered by their smallest member, in that order; in
// each, the kept document first, then the removed ones by index. It sorts
// lines in place.
func EncodeClusters(w io.Writer, lines []ClusterLine) error {
	slices.SortFunc(lines, func(x, y ClusterLine) int {
		if c := cmp.Compare(x.Key, y.Key); c != 0 {
			return c
		}
		if x.Kept != y.Kept {
			if x.Kept {
				return -1
			}
			return 1
		}
		return cmp.Compare(x.Idx, y.Idx)
	})
	bw := bufio.NewWriterSize(w, 1<<20)
	e := json.NewEncoder(bw)
	e.SetEscapeHTML(false)
	cluster := -1
	for i, l := range lines {
		if i == 0 || l.Key != lines[i-1].Key {
			cluster++
		}
		rec := NewClusterRecord(l.ID, cluster, l.Kept, l.Exact, l.Sim)
		if err := e.Encode(&rec); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// EncodeRejections writes rejects as rejected.jsonl, one line each, in the
// order given (input order in every engine).
func EncodeRejections(w io.Writer, rejects []Rejection) error {
	bw := bufio.NewWriter(w)
	e := json.NewEncoder(bw)
	e.SetEscapeHTML(false)
	for i := range rejects {
		if err := e.Encode(&rejects[i]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// NewRejection is the line of rejected.jsonl for a record a reader of the
// given format rejected in the input path: its unit is a line, or a row
// for Parquet.
func NewRejection(path string, format corpus.Format, rej *corpus.RejectError) Rejection {
	unit := "line"
	if format == corpus.Parquet {
		unit = "row"
	}
	return Rejection{File: path, Record: rej.Record, Unit: unit, Reason: string(rej.Reason), Detail: rej.Detail}
}

// Reading is the reading of one input file as a run reports it: its counts
// (records read and rejected by reason, bytes read), the rejected record
// numbers (increasing), their rejected.jsonl lines and, for a file that
// could not be read to its end, why and after which record.
type Reading struct {
	Counts     Counts
	Rejected   []int64
	Rejects    []Rejection
	Fault      string
	FaultAfter int64
}

// NewReading reports a, the account of reading the input named path in the
// given format.
func NewReading(path string, format corpus.Format, a corpus.Account) Reading {
	r := Reading{FaultAfter: a.FaultAfter}
	r.Counts.Read = a.Read
	r.Counts.InputBytes = a.InputBytes
	for _, rej := range a.Rejects {
		r.Counts.Reject(string(rej.Reason))
		r.Rejected = append(r.Rejected, rej.Record)
		r.Rejects = append(r.Rejects, NewRejection(path, format, rej))
	}
	if a.Fault != nil {
		r.Fault = a.Fault.Error()
	}
	return r
}
