// Package explain tells why quchong does or does not merge two documents:
// it takes the decision trail stage.Explain records (the path a run takes
// for the pair, with the values each step compared) and renders it, as
// text for people (Report.WriteText) and as JSON for machines
// (Report.WriteJSON), with what a reader needs beside it: the normalised
// texts, what each placeholder mask was filled with, the shingle Jaccard
// similarity and the character differences. The verdict is the trail's,
// never derived a second time here.
package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/quchong/quchong/stage"
	"github.com/quchong/quchong/textdiff"
	"github.com/quchong/quchong/verify"
)

// MaskSymbol shows a placeholder mask in normalised text.
const MaskSymbol = "◆"

// Doc is one document of the pair. The caller sets ID, Path, Record,
// Order and Text; New fills in the rest.
type Doc struct {
	ID     string `json:"id"`
	Path   string `json:"path"`
	Record int64  `json:"record,omitempty"` // line or row; 0 for a whole file
	// Order is the document's position in the inputs, as the engine's dense
	// index: the engine screens (earlier, later), and the keep rule first
	// keeps the earlier.
	Order int    `json:"-"`
	Text  []byte `json:"-"`

	Length           int    `json:"length"`
	NormalizedLength int    `json:"normalized_length"`
	Masks            int    `json:"masks"`
	Signed           bool   `json:"signed"`
	Normalized       string `json:"normalized"`
	Fills            []Fill `json:"fills"`
	norm             []rune
}

// Fill is what one mask stood for in the mask-aware similarity.
type Fill struct {
	// Offset is the mask's position in the normalised text, in characters.
	Offset int    `json:"offset"`
	Before string `json:"before"`
	After  string `json:"after"`
	// Filled is false when no span of the other text fits the mask's
	// context, or the span is a mask too (Fill is then MaskSymbol); the
	// mask then matches nothing.
	Filled bool   `json:"filled"`
	Fill   string `json:"fill"`
}

// Params are the parameters the verdict depends on.
type Params struct {
	Threshold        float64 `json:"threshold"`
	MinLength        int     `json:"min_length"`
	K                int     `json:"k"`
	Ngram            int     `json:"ngram"`
	Tokens           string  `json:"tokens"`
	Bands            int     `json:"bands"`
	Rows             int     `json:"rows"`
	AcceptAt         float64 `json:"accept_at"`
	RejectBelow      float64 `json:"reject_below"`
	MaskRejectBelow  float64 `json:"mask_reject_below"`
	MaskMaxFill      int     `json:"mask_max_fill"`
	NormalizeMasks   bool    `json:"masks"`
	TraditionalFold  bool    `json:"t2s"`
	NormalizeStrings string  `json:"normalize"`
	Keep             string  `json:"keep"`
	Cluster          string  `json:"cluster"`
}

// Op is one operation of the difference of the normalised texts.
type Op struct {
	Op   string `json:"op"` // equal, delete (only in A) or insert (only in B)
	Text string `json:"text"`
}

// Report is everything explain reports; WriteJSON writes it as is.
type Report struct {
	A      *Doc   `json:"a"`
	B      *Doc   `json:"b"`
	Params Params `json:"params"`

	// Merged and Reason are the verdict of the trail (linked or not, and
	// why); Detail says it in a sentence.
	Merged bool   `json:"merged"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
	// Trail is the decision path, step by step.
	Trail []Step `json:"trail"`

	ExactEqual     bool    `json:"exact_equal"`
	ShingleJaccard float64 `json:"shingle_jaccard"`
	// SignatureEstimate is the MinHash estimate of the Jaccard similarity;
	// null when a document is too short to be signed.
	SignatureEstimate   *float64 `json:"signature_estimate"`
	MaskAwareSimilarity float64  `json:"mask_aware_similarity"`
	// BandsCollided counts the LSH bands whose keys are equal; one makes the
	// pair a candidate.
	BandsCollided int `json:"bands_collided"`
	// CandidateProbability is the chance that LSH makes a pair of this
	// shingle Jaccard similarity a candidate.
	CandidateProbability float64 `json:"candidate_probability"`
	// Screen is the signature screen's verdict (accept, reject, need-text)
	// when the pair got that far.
	Screen string `json:"screen,omitempty"`
	// Removal is what a run does once the pair is linked (absent when it
	// is not): which one the keep rule keeps, and whether the other is
	// removed in its place.
	Removal *Removal `json:"removal,omitempty"`
	Note    string   `json:"note"`

	MaskSymbol string `json:"mask_symbol"`
	Deleted    int    `json:"diff_deleted"`
	Inserted   int    `json:"diff_inserted"`
	Equal      int    `json:"diff_equal"`
	Diff       []Op   `json:"diff"`
	diffOps    []textdiff.Op
}

// Removal is the cluster decision (stage.Decide, as every engine makes it)
// for the pair as a component of its own.
type Removal struct {
	// Kept is "a" or "b": the document the keep rule keeps.
	Kept string `json:"kept"`
	// Removed says whether the other is removed in its place; Reason
	// (exact or near) and Similarity are what clusters.jsonl would say.
	Removed    bool    `json:"removed"`
	Reason     string  `json:"reason,omitempty"`
	Similarity float64 `json:"similarity"`
	Detail     string  `json:"detail"`
}

// Note is the caveat every report carries.
const Note = "This judges the pair alone. In a full dedup run two documents can also be linked through others (A ~ C ~ B), and a candidate in a crowded LSH bucket is screened against the bucket's first documents rather than every member. A link only starts the decision: a document is removed only when it is verified against the document kept in its place (--cluster verified, the default)."

// New judges the pair with st.Explain and builds its report. a and b are
// reported in the order given; the trail takes them in input order.
func New(st *stage.Stages, a, b *Doc) (*Report, error) {
	first, second := a, b
	if b.Order < a.Order {
		first, second = b, a
	}
	tr, err := st.Explain(first.Text, second.Text)
	if err != nil {
		return nil, fmt.Errorf("explain %s and %s: %w", a.ID, b.ID, err)
	}
	p := tr.Params
	docs := [2]*Doc{first, second}
	for i, d := range docs {
		td := tr.Docs[i]
		d.norm = td.Normalized
		d.Length = utf8.RuneCount(d.Text)
		d.NormalizedLength = len(d.norm)
		d.Masks = td.Fingerprint.Masks
		d.Signed = td.Fingerprint.Signed
		d.Normalized = showRunes(d.norm)
	}
	r := &Report{A: a, B: b, Params: paramsOf(p), MaskSymbol: MaskSymbol, Note: Note,
		Merged: tr.Linked(), Reason: tr.Reason.String(), ExactEqual: tr.Exact}
	r.diagnose(st, tr, docs)
	w := &words{r: r, tr: tr, docs: docs}
	r.Trail, r.Detail = w.steps()
	r.Removal = w.removal()
	if tr.Screen != nil {
		r.Screen = tr.Screen.Verdict.String()
	}

	r.diffOps = textdiff.Cleanup(textdiff.Runes(a.norm, b.norm))
	r.Equal, r.Inserted, r.Deleted = textdiff.Count(r.diffOps)
	r.Diff = make([]Op, len(r.diffOps))
	for i, op := range r.diffOps {
		r.Diff[i] = Op{Op: op.Kind.String(), Text: showRunes(op.Text)}
	}
	return r, nil
}

// diagnose adds the measures a reader wants whatever path the decision
// took: the decision's own values where the trail has them, else the value
// the same stage function gives (the signature estimate and shared bands
// of a pair the run never screened, the text similarity of one it never
// read).
func (e *Report) diagnose(st *stage.Stages, tr *stage.Trail, docs [2]*Doc) {
	p := tr.Params
	a, b := e.A, e.B
	e.ShingleJaccard = verify.Jaccard(a.norm, b.norm, p.Verify)
	e.CandidateProbability = p.LSH().Probability(e.ShingleJaccard)
	var vsc verify.Scratch
	a.Fills = maskFills(a.norm, verify.Fill(nil, a.norm, b.norm, p.Verify, &vsc), b.norm, p.Verify)
	b.Fills = maskFills(b.norm, verify.Fill(nil, b.norm, a.norm, p.Verify, &vsc), a.norm, p.Verify)

	sa, sb := tr.Docs[0].Signature, tr.Docs[1].Signature
	switch {
	case tr.Screen != nil:
		e.SignatureEstimate = &tr.Screen.Estimate
		e.BandsCollided = len(tr.SharedBands)
	case sa != nil && sb != nil:
		est, _ := st.Screen(sa, sb, docs[0].Masks+docs[1].Masks > 0)
		e.SignatureEstimate = &est
		ka, kb := st.BandKeys(nil, sa), st.BandKeys(nil, sb)
		for i := range ka {
			if ka[i] == kb[i] {
				e.BandsCollided++
			}
		}
	}

	var sc stage.Scratch
	switch {
	case tr.Confirm != nil:
		e.MaskAwareSimilarity = tr.Confirm.Similarity
	case len(tr.Checks) > 0 && tr.Checks[0].ByText:
		e.MaskAwareSimilarity = tr.Checks[0].Similarity
	default:
		e.MaskAwareSimilarity, _ = st.Confirm(docs[0].norm, docs[1].norm, &sc)
	}
}

// WriteJSON writes the report as indented JSON.
func (e *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(e)
}

func paramsOf(p stage.Params) Params {
	tokens := "chars"
	if p.Shingle.Mode != 0 {
		tokens = "words"
	}
	n := p.Normalize
	var rules []string
	for _, r := range []struct {
		on   bool
		name string
	}{{n.NFKC, "nfkc"}, {n.Masks, "masks"}, {n.T2S, "t2s"}, {n.Fold, "case-fold"}, {n.StripSpace, "strip-space"}, {n.StripPunct, "strip-punct"}} {
		if r.on {
			rules = append(rules, r.name)
		}
	}
	return Params{
		Threshold: p.Threshold, MinLength: p.MinLength, K: p.K, Ngram: p.Shingle.N, Tokens: tokens,
		Bands: p.Bands, Rows: p.Rows,
		AcceptAt: p.Threshold + p.AcceptMargin, RejectBelow: p.Threshold - p.RejectMargin,
		MaskRejectBelow: p.Threshold - p.MaskRejectMargin, MaskMaxFill: p.Verify.MaxFill,
		NormalizeMasks: n.Masks, TraditionalFold: n.T2S, NormalizeStrings: strings.Join(rules, ","),
		Keep: p.Keep.String(), Cluster: p.Cluster.String(),
	}
}
