package output

import (
	"encoding/json"
	"strconv"
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
