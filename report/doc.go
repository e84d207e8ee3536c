// Package report writes report.html: one self-contained page that lets a
// person decide whether to trust a deduplication run by looking at what it
// merged.
//
// The page needs no network (inline CSS, JavaScript and SVG only) and works
// from file://. It shows:
//
//   - the summary: documents read, kept, removed (exact and near), rejected,
//     per input file, every parameter, and the time each stage took, all
//     taken from the run's stats.json;
//   - plots drawn here as SVG: the similarity distribution of verified
//     candidate pairs with the threshold marked, the cluster-size
//     distribution, and the removal rate per input file;
//   - a cluster browser (largest clusters first, or lowest similarity first),
//     paginated so that 100,000 clusters stay responsive, searchable by
//     cluster id, document id and text. Opening a cluster shows the kept
//     document beside each removed one with character-level differences
//     (del/ins) and placeholder masks (XX, **, 20**, ××, 某某, ○○, □□, the
//     rules of package normalize) highlighted.
//
// Reports of large runs stay bounded: only the largest clusters carry their
// texts (Input.MaxClustersWithText), each text is cut at Input.TextCap
// characters and the total at Input.MaxTextBytes, and at most
// Input.MaxClusters clusters and Input.MaxMembers members per cluster are
// listed. The page says whenever something was left out.
//
// An engine builds an Input with every cluster but no texts, asks
// Input.NeedsText which members' texts the page will show, loads only those,
// and calls Write.
//
// Stable hooks for tests: #summary carries data-read, data-kept,
// data-removed, data-removed-exact, data-removed-near and data-rejected;
// the opened cluster is #cluster-detail .cluster[data-cluster-id] with
// data-members, data-ins, data-del and data-masks; differences are ins/del
// elements and masks are .mask spans; body[data-rendered="1"] once the
// script has run. The URL hash #cluster=ID opens cluster ID.
package report
