package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/internal/runflags"
	"github.com/quchong/quchong/internal/units"
	"github.com/quchong/quchong/keep"
	"github.com/quchong/quchong/stage"
	"github.com/quchong/quchong/textdiff"
	"github.com/quchong/quchong/verify"
)

const explainLong = `Shows how quchong dedup judges one pair of documents, and why: the two
normalised texts, the shingle Jaccard similarity, the MinHash signature
estimate, the mask-aware similarity and what each placeholder mask was filled
with, how many LSH bands the two share, the verdict at the current threshold
with its reason, and the character differences of the normalised texts.

A and B are document ids as dedup assigns them (the id field, else
PATH:LINE with PATH as given on the command line); the first document with
each id in the inputs is used. With --files, FILE1 and FILE2 are each read
whole as one document. Give the same detection flags as the dedup run to see
its decision. Exit status: 0 when the pair was explained, whatever the verdict;
2 for a bad command line; 3 when an id is not found or an input is unreadable.
`

// maskSymbol shows a placeholder mask in normalised text.
const maskSymbol = "◆"

// Reasons for a verdict, as printed and in --json.
const (
	reasonExact          = "exact"
	reasonNearSignature  = "near-by-signature"
	reasonNearText       = "near-by-text"
	reasonNotCandidate   = "not-a-candidate"
	reasonBelowThreshold = "below-threshold"
	reasonTooShort       = "too-short"
)

// explainFlags holds the command line of explain.
type explainFlags struct {
	input                runflags.Input     // as dedup reads
	detection            runflags.Detection // as dedup judges
	color                string
	keep                 string
	inputs               []string
	files, full, jsonOut bool
}

// newExplainCmd is `quchong explain`.
func newExplainCmd(a *app) *cobra.Command {
	var f explainFlags
	c := &cobra.Command{
		Use:     "explain [flags] A B --input INPUT...\nexplain [flags] --files FILE1 FILE2",
		Short:   "why two documents are (not) duplicates",
		Long:    explainLong,
		GroupID: groupMain,
		RunE: func(_ *cobra.Command, pos []string) error {
			return status(cmdExplain(&f, pos, a.stdout, a.stderr))
		},
	}
	fs := c.Flags()
	fs.StringArrayVar(&f.inputs, "input", nil, "an input `FILE`, directory or glob to look the ids up in (repeatable; further arguments after A B are inputs too)")
	fs.BoolVar(&f.files, "files", false, "compare two whole files, each one document, instead of two ids")
	f.input.Register(fs)
	f.detection.Register(fs)
	fs.StringVar(&f.keep, "keep", "first", "keep rule of the run to explain: first, longest or fewest-masks (which of the two a run keeps when it links them)")
	fs.BoolVar(&f.full, "full", false, "print the whole normalised texts and differences instead of shortening long stretches")
	fs.StringVar(&f.color, "color", "auto", "mark differences with colours: auto (when stdout is a terminal and NO_COLOR is unset), always or never")
	fs.BoolVar(&f.jsonOut, "json", false, "print the explanation as JSON")
	return c
}

// explainDoc is one side of the pair.
type explainDoc struct {
	ID     string `json:"id"`
	Path   string `json:"path"`
	Record int64  `json:"record,omitempty"` // line or row; 0 with --files
	// order is the document's position in the inputs, as the engine's dense
	// index: the engine always screens (smaller, larger).
	order            int
	text             []byte
	norm             []rune
	Length           int           `json:"length"`
	NormalizedLength int           `json:"normalized_length"`
	Masks            int           `json:"masks"`
	Signed           bool          `json:"signed"`
	Normalized       string        `json:"normalized"`
	Fills            []explainFill `json:"fills"`
}

// explainFill is what one mask stood for in the mask-aware similarity.
type explainFill struct {
	// Offset is the mask's position in the normalised text, in characters.
	Offset int    `json:"offset"`
	Before string `json:"before"`
	After  string `json:"after"`
	// Filled is false when no span of the other text fits the mask's
	// context, or the span is a mask too (Fill is then the mask symbol); the
	// mask then matches nothing.
	Filled bool   `json:"filled"`
	Fill   string `json:"fill"`
}

// explainParams are the parameters the verdict depends on.
type explainParams struct {
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
}

// explainOp is one operation of the difference of the normalised texts.
type explainOp struct {
	Op   string `json:"op"` // equal, delete (only in A) or insert (only in B)
	Text string `json:"text"`
}

// explanation is everything explain reports; --json prints it as is.
type explanation struct {
	A      *explainDoc   `json:"a"`
	B      *explainDoc   `json:"b"`
	Params explainParams `json:"params"`

	// Merged and Reason are the verdict; Detail says it in a sentence.
	Merged bool   `json:"merged"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`

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
	Removal *explainRemoval `json:"removal,omitempty"`
	Note    string          `json:"note"`

	MaskSymbol string      `json:"mask_symbol"`
	Deleted    int         `json:"diff_deleted"`
	Inserted   int         `json:"diff_inserted"`
	Equal      int         `json:"diff_equal"`
	Diff       []explainOp `json:"diff"`
	diffOps    []textdiff.Op
}

// explainRemoval is the cluster decision (stage.Decide, as every engine
// makes it) for the pair as a component of its own.
type explainRemoval struct {
	// Kept is "a" or "b": the document the keep rule keeps.
	Kept string `json:"kept"`
	// Removed says whether the other is removed in its place; Reason
	// (exact or near) and Similarity are what clusters.jsonl would say.
	Removed    bool    `json:"removed"`
	Reason     string  `json:"reason,omitempty"`
	Similarity float64 `json:"similarity"`
	Detail     string  `json:"detail"`
}

const transitiveNote = "This judges the pair alone. In a full dedup run two documents can also be linked through others (A ~ C ~ B), and a candidate in a crowded LSH bucket is screened against the bucket's first documents rather than every member. A link only starts the decision: a document is removed only when it is verified against the document kept in its place (--cluster verified, the default)."

func cmdExplain(f *explainFlags, pos []string, stdout, stderr io.Writer) int {
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "quchong explain: "+format+"\n", a...)
		return code
	}
	p, err := f.detection.Params()
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	if p.Keep, err = keep.Parse(f.keep); err != nil {
		return fail(exitUsage, "%v", err)
	}
	if _, ok := p.Keep.NeedsField(); ok {
		return fail(exitUsage, "--keep %s: explain compares two texts and reads no field; use first, longest or fewest-masks", f.keep)
	}
	copt, err := f.input.Options()
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	color, err := useColor(f.color, stdout)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	st, err := stage.New(p)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}

	var a, b *explainDoc
	switch {
	case f.files:
		if len(pos) != 2 || len(f.inputs) > 0 {
			return fail(exitUsage, "--files takes exactly two files and no --input (see quchong help explain)")
		}
		if a, err = readWholeFile(pos[0], 0, copt.MaxDocBytes); err == nil {
			b, err = readWholeFile(pos[1], 1, copt.MaxDocBytes)
		}
		if err != nil {
			return fail(exitInput, "%v", err)
		}
	default:
		if len(pos) < 2 {
			return fail(exitUsage, "give two document ids and --input FILE..., or --files FILE1 FILE2 (see quchong help explain)")
		}
		inputs := append(f.inputs, pos[2:]...)
		if len(f.inputs) == 0 {
			return fail(exitUsage, "no input: give --input FILE... to look %q and %q up in", pos[0], pos[1])
		}
		if pos[0] == pos[1] {
			return fail(exitUsage, "A and B are the same id %q", pos[0])
		}
		files, err := corpus.ExpandInputs(inputs, copt.Format)
		if err != nil {
			return fail(exitInput, "%v", err)
		}
		a, b, err = findDocs(files, copt, pos[0], pos[1])
		if err != nil {
			return fail(exitInput, "%v", err)
		}
	}

	e := explain(st, a, b)
	if f.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(e); err != nil {
			return fail(exitOutput, "%v", err)
		}
		return exitOK
	}
	printExplanation(stdout, e, f.full, color)
	return exitOK
}

// readWholeFile reads one file as one document.
func readWholeFile(path string, order, maxBytes int) (*explainDoc, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory; --files compares two files", path)
	}
	if fi.Size() > int64(maxBytes) {
		return nil, fmt.Errorf("%s: %d bytes, larger than --max-doc-bytes %d", path, fi.Size(), maxBytes)
	}
	// The size stat gives is not a bound (a device, a pipe, /proc say 0):
	// the read itself stops one byte past the limit.
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, int64(maxBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(text) > maxBytes {
		return nil, fmt.Errorf("%s: more than --max-doc-bytes %d bytes", path, maxBytes)
	}
	return &explainDoc{ID: path, Path: path, order: order, text: text}, nil
}

// findDocs reads the inputs in order until it has found the first document
// with id a and the first with id b.
func findDocs(files []string, opt corpus.Options, a, b string) (*explainDoc, *explainDoc, error) {
	var da, db *explainDoc
	rejected := make(map[string]*corpus.RejectError)
	nRejected := 0
	order := 0
	for si, path := range files {
		rd, err := corpus.Open(path, si, opt)
		if err != nil {
			return nil, nil, err
		}
		for da == nil || db == nil {
			d, err := rd.Next()
			if err == io.EOF {
				break
			}
			var rej *corpus.RejectError
			if errors.As(err, &rej) {
				// A rejected record keeps its PATH:LINE id, so say why an id
				// that names one is missing.
				nRejected++
				id := fmt.Sprintf("%s:%d", rej.Path, rej.Record)
				if id == a || id == b {
					rejected[id] = rej
				}
				continue
			}
			if err != nil {
				rd.Close()
				return nil, nil, err
			}
			order++
			if d.ID == a && da == nil {
				da = &explainDoc{ID: d.ID, Path: path, Record: d.Record, order: order, text: append([]byte(nil), d.Text...)}
			} else if d.ID == b && db == nil {
				db = &explainDoc{ID: d.ID, Path: path, Record: d.Record, order: order, text: append([]byte(nil), d.Text...)}
			}
		}
		if err := rd.Close(); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		if da != nil && db != nil {
			return da, db, nil
		}
	}
	var missing []string
	for _, x := range []struct {
		id string
		d  *explainDoc
	}{{a, da}, {b, db}} {
		switch {
		case x.d != nil:
		case rejected[x.id] != nil:
			missing = append(missing, fmt.Sprintf("id %q is a rejected record (%v)", x.id, rejected[x.id]))
		default:
			missing = append(missing, fmt.Sprintf("id %q not found", x.id))
		}
	}
	hint := ""
	if nRejected > 0 {
		hint = fmt.Sprintf(" (%s skipped; their id fields cannot be read)", units.Plural(nRejected, "rejected record was", "rejected records were"))
	}
	return nil, nil, fmt.Errorf("%s in %s%s", strings.Join(missing, "; "), strings.Join(files, ", "), hint)
}

// explain computes everything about the pair, deciding it exactly as the
// engine does (engine/local: exact groups, then LSH candidates, Screen,
// Confirm).
func explain(st *stage.Stages, a, b *explainDoc) *explanation {
	p := st.Params()
	// The engine screens pairs as (smaller index, larger index).
	first, second := a, b
	if b.order < a.order {
		first, second = b, a
	}
	var sc stage.Scratch
	sigs := make([]uint32, 2*p.K)
	fps := [2]stage.Fingerprint{}
	for i, d := range []*explainDoc{first, second} {
		fps[i] = st.Fingerprint(sigs[i*p.K:(i+1)*p.K], d.text, &sc)
		d.norm, _ = st.Normalize(nil, d.text)
		d.Length = utf8.RuneCount(d.text)
		d.NormalizedLength = len(d.norm)
		d.Masks = fps[i].Masks
		d.Signed = fps[i].Signed
		d.Normalized = showRunes(d.norm)
	}
	sigF, sigS := sigs[:p.K], sigs[p.K:]
	e := &explanation{A: a, B: b, Params: paramsOf(p), MaskSymbol: maskSymbol, Note: transitiveNote}

	e.ExactEqual = fps[0].Exact == fps[1].Exact
	e.ShingleJaccard = verify.Jaccard(a.norm, b.norm, p.Verify)
	vsc := new(verify.Scratch)
	e.MaskAwareSimilarity = verify.Similarity(first.norm, second.norm, p.Verify, vsc)
	a.Fills = maskFills(a.norm, verify.Fill(nil, a.norm, b.norm, p.Verify, vsc), b.norm, p.Verify)
	b.Fills = maskFills(b.norm, verify.Fill(nil, b.norm, a.norm, p.Verify, vsc), a.norm, p.Verify)
	lp := p.LSH()
	e.CandidateProbability = lp.Probability(e.ShingleJaccard)
	signed := fps[0].Signed && fps[1].Signed
	if signed {
		ka := st.BandKeys(nil, sigF)
		kb := st.BandKeys(nil, sigS)
		for i := range ka {
			if ka[i] == kb[i] {
				e.BandsCollided++
			}
		}
	}
	masked := fps[0].Masks > 0 || fps[1].Masks > 0
	est, verdict := st.Screen(sigF, sigS, masked)
	if signed {
		e.SignatureEstimate = &est
	}

	t := p.Threshold
	switch {
	case e.ExactEqual:
		e.Merged, e.Reason = true, reasonExact
		e.Detail = "the normalised texts are equal (same exact hash): exact duplicates are always merged"
	case !signed:
		e.Reason = reasonTooShort
		var why []string
		for _, d := range []*explainDoc{a, b} {
			switch {
			case d.NormalizedLength < p.MinLength:
				why = append(why, fmt.Sprintf("%s has %d normalised characters, fewer than --min-length %d", side(e, d), d.NormalizedLength, p.MinLength))
			case !d.Signed:
				why = append(why, fmt.Sprintf("%s has no shingle to sign (nothing but masks)", side(e, d)))
			}
		}
		e.Detail = strings.Join(why, "; ") + ": such documents can only be exact duplicates"
	case e.BandsCollided == 0:
		e.Reason = reasonNotCandidate
		e.Detail = fmt.Sprintf("no LSH band of the %d shared its key, so the engine never compares the pair (at shingle Jaccard %.2f a pair becomes a candidate with probability %.2f)", p.Bands, e.ShingleJaccard, e.CandidateProbability)
	default:
		e.Screen = verdict.String()
		margin, withMasks := p.RejectMargin, ""
		if masked {
			margin, withMasks = p.MaskRejectMargin, " (the wider margin for masked documents)"
		}
		switch verdict {
		case stage.Accept:
			e.Merged, e.Reason = true, reasonNearSignature
			e.Detail = fmt.Sprintf("signature estimate %.4f ≥ %.2f (threshold %.2f + accept margin %.2f): accepted without reading the texts", est, t+p.AcceptMargin, t, p.AcceptMargin)
		case stage.Reject:
			e.Reason = reasonBelowThreshold
			e.Detail = fmt.Sprintf("signature estimate %.4f < %.2f (threshold %.2f − reject margin %.2f%s): rejected without reading the texts", est, t-margin, t, margin, withMasks)
		default:
			sim, ok := st.Confirm(first.norm, second.norm, &sc)
			e.MaskAwareSimilarity = sim
			border := fmt.Sprintf("signature estimate %.4f is borderline (%.2f ≤ estimate < %.2f%s), so the texts decide", est, t-margin, t+p.AcceptMargin, withMasks)
			if ok {
				e.Merged, e.Reason = true, reasonNearText
				e.Detail = fmt.Sprintf("%s: mask-aware similarity %.4f ≥ threshold %.2f", border, sim, t)
			} else {
				e.Reason = reasonBelowThreshold
				e.Detail = fmt.Sprintf("%s: mask-aware similarity %.4f < threshold %.2f", border, sim, t)
			}
		}
	}

	if e.Merged {
		e.Removal = removal(st, e, first, second, fps, sigF, sigS)
	}

	e.diffOps = textdiff.Cleanup(textdiff.Runes(a.norm, b.norm))
	e.Equal, e.Inserted, e.Deleted = textdiff.Count(e.diffOps)
	e.Diff = make([]explainOp, len(e.diffOps))
	for i, op := range e.diffOps {
		e.Diff[i] = explainOp{Op: op.Kind.String(), Text: showRunes(op.Text)}
	}
	return e
}

// removal runs the cluster decision on the linked pair (first, second in
// input order) as a component of two.
func removal(st *stage.Stages, e *explanation, first, second *explainDoc, fps [2]stage.Fingerprint, sigF, sigS []uint32) *explainRemoval {
	j := &stage.MemJudge{Stages: st, Sigs: map[uint32][]uint32{}, Masks: map[uint32]bool{}, Texts: map[uint32][]rune{}}
	var members []stage.Member
	for i, d := range []*explainDoc{first, second} {
		rep := uint32(i)
		if e.ExactEqual {
			rep = 0
		}
		members = append(members, stage.Member{Index: uint32(i), Rep: rep, Length: fps[i].Length, Masks: fps[i].Masks})
		if fps[i].Signed {
			j.Sigs[uint32(i)] = [][]uint32{sigF, sigS}[i]
		}
		j.Masks[uint32(i)] = fps[i].Masks > 0
		j.Texts[uint32(i)] = d.norm
	}
	d, err := st.Decide(members, j)
	if err != nil {
		return &explainRemoval{Detail: err.Error()}
	}
	docs := []*explainDoc{first, second}
	r := &explainRemoval{}
	p := st.Params()
	if len(d.Clusters) == 0 {
		// Both kept: the keep rule's choice stays, the other is not removed.
		k := st.Params().Keep.Choose([]keep.Candidate{
			{Index: 0, Length: fps[0].Length, Masks: fps[0].Masks},
			{Index: 1, Length: fps[1].Length, Masks: fps[1].Masks}})
		r.Kept = strings.ToLower(side(e, docs[k]))
		r.Similarity = e.MaskAwareSimilarity
		r.Detail = fmt.Sprintf("linked, but the keep rule (%s) keeps %s and the other's mask-aware similarity to it, %.4f, is under the threshold %.2f: both are kept (--cluster connected would remove it)", p.Keep, side(e, docs[k]), r.Similarity, p.Threshold)
		return r
	}
	c := d.Clusters[0]
	k := c.Kept
	r.Kept = strings.ToLower(side(e, docs[k]))
	other := 1 - k
	r.Removed = true
	r.Reason = "near"
	if c.Exact[other] {
		r.Reason = "exact"
	}
	r.Similarity = c.Similarity[other]
	r.Detail = fmt.Sprintf("the keep rule (%s) keeps %s; %s is removed in its place (%s, similarity %.4f to it)", p.Keep, side(e, docs[k]), side(e, docs[other]), r.Reason, r.Similarity)
	return r
}

func side(e *explanation, d *explainDoc) string {
	if d == e.A {
		return "A"
	}
	return "B"
}

func paramsOf(p stage.Params) explainParams {
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
	return explainParams{
		Threshold: p.Threshold, MinLength: p.MinLength, K: p.K, Ngram: p.Shingle.N, Tokens: tokens,
		Bands: p.Bands, Rows: p.Rows,
		AcceptAt: p.Threshold + p.AcceptMargin, RejectBelow: p.Threshold - p.RejectMargin,
		MaskRejectBelow: p.Threshold - p.MaskRejectMargin, MaskMaxFill: p.Verify.MaxFill,
		NormalizeMasks: n.Masks, TraditionalFold: n.T2S, NormalizeStrings: strings.Join(rules, ","),
	}
}

// showRunes renders normalised runes, masks as maskSymbol.
func showRunes(r []rune) string {
	var sb strings.Builder
	for _, c := range r {
		if c == verify.Mask {
			sb.WriteString(maskSymbol)
		} else {
			sb.WriteRune(c)
		}
	}
	return sb.String()
}

// maskFills recovers what each mask run of x stood for, by aligning x with
// filled, the result of verify.Fill(x, other). Runes outside masks are
// copied unchanged by Fill, and a filled span ends just before the first
// occurrence of the mask's right context (the next Context runes of x, up to
// the next mask), so the first place the right context reappears in filled
// marks the span's end. It returns nil when x has no mask, and stops at the
// first mask it cannot align (which would mean Fill changed behaviour).
func maskFills(x, filled, other []rune, opt verify.Options) []explainFill {
	c := opt.Context
	if c <= 0 {
		c = 4 // verify's default
	}
	var out []explainFill
	p := 0 // position in filled
	for i := 0; i < len(x); {
		if x[i] != verify.Mask {
			if p >= len(filled) || filled[p] != x[i] {
				return out
			}
			i++
			p++
			continue
		}
		j := i
		for j < len(x) && x[j] == verify.Mask {
			j++
		}
		nextMask := j
		for nextMask < len(x) && x[nextMask] != verify.Mask {
			nextMask++
		}
		right := x[j:min(nextMask, j+c)]
		end := -1
		if len(right) == 0 {
			end = len(filled) // the mask closes the text
		} else {
			for q := p; q+len(right) <= len(filled); q++ {
				if slices.Equal(filled[q:q+len(right)], right) {
					end = q
					break
				}
			}
		}
		if end < 0 {
			return out
		}
		span := filled[p:end]
		f := explainFill{
			Offset: i,
			Before: showRunes(x[max(0, i-8):i]),
			After:  showRunes(x[j:min(len(x), j+8)]),
		}
		switch {
		case !allMasks(span):
			f.Filled, f.Fill = true, showRunes(span)
		case facesMask(x[max(0, i-c):i], other):
			f.Fill = maskSymbol
		}
		out = append(out, f)
		p = end
		i = j
	}
	return out
}

// facesMask reports whether other holds left followed by a mask: a mask
// whose fill was a mask of the other text.
func facesMask(left, other []rune) bool {
	for q := 0; q+len(left) < len(other); q++ {
		if other[q+len(left)] == verify.Mask && slices.Equal(other[q:q+len(left)], left) {
			return true
		}
	}
	return false
}

func allMasks(r []rune) bool {
	for _, c := range r {
		if c != verify.Mask {
			return false
		}
	}
	return len(r) > 0
}

// Layout of the human output.
const (
	textWidth   = 76  // display columns of wrapped text, after the indent
	textHead    = 240 // characters shown at the start of a long text
	textTail    = 120 // and at its end
	diffContext = 30  // equal characters shown on each side of a difference
)

// ANSI styles.
const (
	styleDelete = "\x1b[1;31;9m" // bold red, struck through
	styleInsert = "\x1b[1;32m"   // bold green
	styleMask   = "\x1b[1;33m"   // bold yellow
	styleDim    = "\x1b[2m"
	styleReset  = "\x1b[0m"
)

func printExplanation(w io.Writer, e *explanation, full, color bool) {
	a, b := e.A, e.B
	p := e.Params
	verdict := "NOT MERGED"
	if e.Merged {
		verdict = "MERGED"
	}
	fmt.Fprintf(w, "A  %s\n", describe(a))
	fmt.Fprintf(w, "B  %s\n\n", describe(b))
	fmt.Fprintf(w, "verdict  %s (%s) at threshold %.2f\n", verdict, e.Reason, p.Threshold)
	wr := newWrapper(w, "         ", color)
	wr.prose(e.Detail)
	wr.end()
	if r := e.Removal; r != nil {
		what := "BOTH KEPT"
		if r.Removed {
			what = "REMOVED (" + r.Reason + ")"
		}
		other := "B"
		if r.Kept == "b" {
			other = "A"
		}
		fmt.Fprintf(w, "removal  %s kept, %s %s\n", strings.ToUpper(r.Kept), other, what)
		wr = newWrapper(w, "         ", color)
		wr.prose(r.Detail)
		wr.end()
	}
	fmt.Fprintln(w)

	yesNo := func(v bool) string {
		if v {
			return "yes"
		}
		return "no"
	}
	fmt.Fprintf(w, "%-26s %10s %10s\n", "", "A", "B")
	fmt.Fprintf(w, "%-26s %10d %10d\n", "characters", a.Length, b.Length)
	fmt.Fprintf(w, "%-26s %10d %10d\n", "normalised characters", a.NormalizedLength, b.NormalizedLength)
	fmt.Fprintf(w, "%-26s %10d %10d\n", "masks", a.Masks, b.Masks)
	fmt.Fprintf(w, "%-26s %10s %10s\n", "signed (can be near dup)", yesNo(a.Signed), yesNo(b.Signed))
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-26s %10s\n", "exact hash equal", yesNo(e.ExactEqual))
	fmt.Fprintf(w, "%-26s %10.4f   %d-%s shingles, masks ignored\n", "shingle Jaccard", e.ShingleJaccard, p.Ngram, strings.TrimSuffix(p.Tokens, "s"))
	if e.SignatureEstimate != nil {
		fmt.Fprintf(w, "%-26s %10.4f   MinHash, k = %d\n", "signature estimate", *e.SignatureEstimate, p.K)
	} else {
		fmt.Fprintf(w, "%-26s %10s   a document is too short to sign\n", "signature estimate", "n/a")
	}
	fmt.Fprintf(w, "%-26s %10.4f   each mask filled from the other text (at most %d characters)\n", "mask-aware similarity", e.MaskAwareSimilarity, p.MaskMaxFill)
	if e.SignatureEstimate != nil {
		fmt.Fprintf(w, "%-26s %10s   %d bands × %d rows; P(candidate) at this Jaccard = %.2f\n", "LSH bands collided",
			fmt.Sprintf("%d of %d", e.BandsCollided, p.Bands), p.Bands, p.Rows, e.CandidateProbability)
	} else {
		fmt.Fprintf(w, "%-26s %10s   unsigned documents are not banded\n", "LSH bands collided", "n/a")
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "how dedup decides a pair (the first rule that applies):")
	for i, r := range [][2]string{
		{"equal normalised texts (exact hash)", "merged: " + reasonExact},
		{fmt.Sprintf("either under %d normalised characters, or unsigned", p.MinLength), "not merged: " + reasonTooShort},
		{"no LSH band shared", "not merged: " + reasonNotCandidate},
		{fmt.Sprintf("signature estimate ≥ %.2f", p.AcceptAt), "merged: " + reasonNearSignature},
		{fmt.Sprintf("estimate < %.2f (< %.2f when either has masks)", p.RejectBelow, p.MaskRejectBelow), "not merged: " + reasonBelowThreshold},
		{fmt.Sprintf("else mask-aware similarity ≥ %.2f", p.Threshold), "merged: " + reasonNearText + ", else " + reasonBelowThreshold},
	} {
		fmt.Fprintf(w, "  %d. %-52s → %s\n", i+1, r[0], r[1])
	}
	wr = newWrapper(w, "", false)
	wr.prose(e.Note)
	wr.end()
	fmt.Fprintln(w)

	for _, d := range []*explainDoc{a, b} {
		if len(d.Fills) == 0 {
			continue
		}
		other := "B"
		if d == b {
			other = "A"
		}
		fmt.Fprintf(w, "masks of %s, as filled from %s:\n", side(e, d), other)
		for _, f := range d.Fills {
			wr := newWrapper(w, "  ", color)
			wr.text(fmt.Sprintf("@%-5d …", f.Offset), "")
			wr.text(f.Before, "")
			wr.text(maskSymbol, styleMask)
			wr.text(f.After+"…  → ", "")
			switch {
			case f.Filled:
				wr.text("“"+f.Fill+"”", styleInsert)
			case f.Fill != "":
				wr.text("unfilled: a mask in "+other+" too", styleDim)
			default:
				wr.text("unfilled: no span of "+other+" fits", styleDim)
			}
			wr.end()
		}
		fmt.Fprintln(w)
	}

	for _, d := range []*explainDoc{a, b} {
		fmt.Fprintf(w, "normalised text %s (%d characters):\n", side(e, d), d.NormalizedLength)
		wr := newWrapper(w, "  ", color)
		if full || len(d.norm) <= textHead+textTail+40 {
			wr.runes(d.norm, "")
		} else {
			wr.runes(d.norm[:textHead], "")
			wr.text(fmt.Sprintf(" … %d characters, --full shows all … ", len(d.norm)-textHead-textTail), styleDim)
			wr.runes(d.norm[len(d.norm)-textTail:], "")
		}
		wr.end()
	}
	fmt.Fprintln(w)

	fmt.Fprintf(w, "differences of the normalised texts, A → B: %d characters only in A, %d only in B, %d in both\n", e.Deleted, e.Inserted, e.Equal)
	if color {
		fmt.Fprintf(w, "  (%sstruck red%s only in A, %sgreen%s only in B, %s%s%s a mask)\n", styleDelete, styleReset, styleInsert, styleReset, styleMask, maskSymbol, styleReset)
	} else {
		fmt.Fprintf(w, "  ([-…-] only in A, {+…+} only in B, %s a mask)\n", maskSymbol)
	}
	wr = newWrapper(w, "  ", color)
	for i, op := range e.diffOps {
		switch op.Kind {
		case textdiff.Delete:
			wr.marked(op.Text, "[-", "-]", styleDelete)
		case textdiff.Insert:
			wr.marked(op.Text, "{+", "+}", styleInsert)
		default:
			t := op.Text
			first, last := i == 0, i == len(e.diffOps)-1
			if full || len(t) <= 2*diffContext+20 || (first && last) {
				wr.runes(t, "")
				continue
			}
			if !first {
				wr.runes(t[:diffContext], "")
			}
			skipped := len(t) - diffContext
			if !first && !last {
				skipped -= diffContext
			}
			wr.text(fmt.Sprintf(" … %d equal … ", skipped), styleDim)
			if !last {
				wr.runes(t[len(t)-diffContext:], "")
			}
		}
	}
	wr.end()
}

func describe(d *explainDoc) string {
	if d.Record == 0 {
		return d.ID
	}
	if d.ID == fmt.Sprintf("%s:%d", d.Path, d.Record) {
		return d.ID
	}
	return fmt.Sprintf("%s  (%s record %d)", d.ID, d.Path, d.Record)
}

// wrapper writes text wrapped at textWidth display columns, each line
// opened by indent, with optional ANSI styles that survive line breaks.
type wrapper struct {
	w      io.Writer
	indent string
	color  bool
	col    int
	style  string // the ANSI style in effect
	sb     strings.Builder
}

func newWrapper(w io.Writer, indent string, color bool) *wrapper {
	wr := &wrapper{w: w, indent: indent, color: color}
	wr.sb.WriteString(indent)
	return wr
}

// runes writes normalised runes, masks as maskSymbol.
func (wr *wrapper) runes(r []rune, style string) {
	for _, c := range r {
		if c == verify.Mask {
			if style == "" || !wr.color {
				wr.rune('◆', styleMask)
			} else {
				wr.rune('◆', style)
			}
			continue
		}
		wr.rune(c, style)
	}
}

// marked writes an edit: in colour, styled; else between open and close.
func (wr *wrapper) marked(r []rune, open, close, style string) {
	if wr.color {
		wr.runes(r, style)
		return
	}
	wr.text(open, "")
	wr.runes(r, "")
	wr.text(close, "")
}

// prose writes plain text, breaking lines between words.
func (wr *wrapper) prose(s string) {
	for i, word := range strings.Fields(s) {
		n := 0
		for _, c := range word {
			n += runeWidth(c)
		}
		if i > 0 {
			if wr.col+1+n > textWidth {
				wr.col = textWidth // break before the word
			} else {
				wr.rune(' ', "")
			}
		}
		wr.text(word, "")
	}
}

func (wr *wrapper) text(s, style string) {
	for _, c := range s {
		wr.rune(c, style)
	}
}

func (wr *wrapper) rune(c rune, style string) {
	cw := runeWidth(c)
	if wr.col+cw > textWidth {
		wr.setStyle("") // no colour across the indent
		wr.sb.WriteString("\n")
		wr.sb.WriteString(wr.indent)
		wr.col = 0
		if c == ' ' {
			return
		}
	}
	if wr.color {
		wr.setStyle(style)
	}
	wr.sb.WriteRune(c)
	wr.col += cw
}

// setStyle switches the ANSI style, writing codes only on a change.
func (wr *wrapper) setStyle(style string) {
	if style == wr.style {
		return
	}
	if wr.style != "" {
		wr.sb.WriteString(styleReset)
	}
	if style != "" {
		wr.sb.WriteString(style)
	}
	wr.style = style
}

// end finishes the last line and writes everything.
func (wr *wrapper) end() {
	wr.setStyle("")
	wr.sb.WriteString("\n")
	io.WriteString(wr.w, wr.sb.String())
}

// runeWidth is the display width of c in a terminal: 2 for East Asian wide
// and full-width characters, 1 otherwise (control characters never reach
// here: normalisation strips them).
func runeWidth(c rune) int {
	switch {
	case c >= 0x1100 && c <= 0x115F, c >= 0x2E80 && c <= 0x303E, c >= 0x3041 && c <= 0x33FF,
		c >= 0x3400 && c <= 0x4DBF, c >= 0x4E00 && c <= 0x9FFF, c >= 0xA000 && c <= 0xA4CF,
		c >= 0xAC00 && c <= 0xD7A3, c >= 0xF900 && c <= 0xFAFF, c >= 0xFE30 && c <= 0xFE4F,
		c >= 0xFF00 && c <= 0xFF60, c >= 0xFFE0 && c <= 0xFFE6, c >= 0x20000 && c <= 0x3FFFD:
		return 2
	}
	return 1
}
