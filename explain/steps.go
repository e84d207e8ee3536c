package explain

import (
	"fmt"
	"strings"

	"github.com/quchong/quchong/stage"
)

// Step is one step of the decision path, in the order a run takes it.
type Step struct {
	// Stage names the step: exact, sign, bands, screen, confirm (the
	// grouping stages), then keep and check (the cluster decision).
	Stage string `json:"stage"`
	// Outcome is its result: equal or different (exact); signed or
	// unsigned (sign); candidate or not-a-candidate (bands); accept,
	// need-text or reject (screen); accept or reject (confirm); a or b, the
	// document kept (keep); removed or kept (check).
	Outcome string `json:"outcome"`
	// Detail says it in a sentence, with the values compared.
	Detail string `json:"detail"`
	// The values the step compared, where it compared them.
	SharedBands []int    `json:"shared_bands,omitempty"`
	Estimate    *float64 `json:"estimate,omitempty"`
	AcceptAt    *float64 `json:"accept_at,omitempty"`
	RejectBelow *float64 `json:"reject_below,omitempty"`
	Similarity  *float64 `json:"similarity,omitempty"`
	Threshold   *float64 `json:"threshold,omitempty"`
}

// words turns a trail into steps and sentences.
type words struct {
	r    *Report
	tr   *stage.Trail
	docs [2]*Doc // the trail's documents, in input order
}

// side names trail document i as the report does: "A" or "B".
func (w *words) side(i uint32) string { return w.r.side(w.docs[i]) }

// steps returns the trail's steps and the sentence of the step that
// settled the link.
func (w *words) steps() ([]Step, string) {
	tr, p := w.tr, w.tr.Params
	var steps []Step
	add := func(s Step) { steps = append(steps, s) }
	if tr.Exact {
		d := "the normalised texts are equal (same exact hash): exact duplicates are always merged"
		add(Step{Stage: "exact", Outcome: "equal", Detail: d})
		return w.decision(steps), d
	}
	add(Step{Stage: "exact", Outcome: "different", Detail: "the normalised texts differ (different exact hashes)"})

	if tr.Reason == stage.ReasonTooShort {
		var why []string
		for i, d := range w.docs {
			switch {
			case d.NormalizedLength < p.MinLength:
				why = append(why, fmt.Sprintf("%s has %d normalised characters, fewer than --min-length %d", w.side(uint32(i)), d.NormalizedLength, p.MinLength))
			case !d.Signed:
				why = append(why, fmt.Sprintf("%s has no shingle to sign (nothing but masks)", w.side(uint32(i))))
			}
		}
		d := strings.Join(why, "; ") + ": such documents can only be exact duplicates"
		add(Step{Stage: "sign", Outcome: "unsigned", Detail: d})
		return steps, d
	}
	add(Step{Stage: "sign", Outcome: "signed", Detail: fmt.Sprintf("both have %d or more normalised characters (--min-length) and a shingle to sign", p.MinLength)})

	if tr.Reason == stage.ReasonNotCandidate {
		d := fmt.Sprintf("no LSH band of the %d shared its key, so the engine never compares the pair (at shingle Jaccard %.2f a pair becomes a candidate with probability %.2f)", p.Bands, w.r.ShingleJaccard, w.r.CandidateProbability)
		add(Step{Stage: "bands", Outcome: "not-a-candidate", Detail: d})
		return steps, d
	}
	add(Step{Stage: "bands", Outcome: "candidate", SharedBands: tr.SharedBands,
		Detail: fmt.Sprintf("%d of the %d LSH bands (%d rows each) share their key: the two meet in a bucket, where the signatures screen them", len(tr.SharedBands), p.Bands, p.Rows)})

	sg := tr.Screen
	withMasks := ""
	if sg.Masked {
		withMasks = " (the wider margin for masked documents)"
	}
	var d string
	switch sg.Verdict {
	case stage.Accept:
		d = fmt.Sprintf("signature estimate %.4f ≥ %.2f (threshold %.2f plus the accept margin): accepted without reading the texts", sg.Estimate, sg.AcceptAt, p.Threshold)
	case stage.Reject:
		d = fmt.Sprintf("signature estimate %.4f < %.2f (threshold %.2f less the reject margin%s): rejected without reading the texts", sg.Estimate, sg.RejectBelow, p.Threshold, withMasks)
	default:
		d = fmt.Sprintf("signature estimate %.4f is borderline (%.2f ≤ estimate < %.2f%s), so the texts decide", sg.Estimate, sg.RejectBelow, sg.AcceptAt, withMasks)
	}
	add(Step{Stage: "screen", Outcome: sg.Verdict.String(), Detail: d, Estimate: &sg.Estimate, AcceptAt: &sg.AcceptAt, RejectBelow: &sg.RejectBelow})

	if c := tr.Confirm; c != nil {
		cd := fmt.Sprintf("mask-aware similarity %.4f < threshold %.2f", c.Similarity, c.Threshold)
		outcome := "reject"
		if c.Accepted {
			cd = fmt.Sprintf("mask-aware similarity %.4f ≥ threshold %.2f", c.Similarity, c.Threshold)
			outcome = "accept"
		}
		add(Step{Stage: "confirm", Outcome: outcome, Detail: cd, Similarity: &c.Similarity, Threshold: &c.Threshold})
		d += ": " + cd
	}
	if !tr.Linked() {
		return steps, d
	}
	return w.decision(steps), d
}

// decision adds the steps of the cluster decision: the document the keep
// rule kept first, and every check against a kept document.
func (w *words) decision(steps []Step) []Step {
	tr, p := w.tr, w.tr.Params
	if len(tr.Checks) == 0 {
		return steps
	}
	k := tr.Checks[0].Kept
	steps = append(steps, Step{Stage: "keep", Outcome: strings.ToLower(w.side(k)),
		Detail: fmt.Sprintf("the keep rule (%s) keeps %s of the linked pair", p.Keep, w.side(k))})
	for _, c := range tr.Checks {
		s := Step{Stage: "check", Outcome: "kept"}
		if c.Dup {
			s.Outcome = "removed"
		}
		who := fmt.Sprintf("%s against %s: ", w.side(c.Member), w.side(c.Kept))
		how := ""
		if c.Screened {
			s.Estimate = &c.Screen.Estimate
			how = fmt.Sprintf("signature estimate %.4f (screen: %s), ", c.Screen.Estimate, c.Screen.Verdict)
		}
		switch {
		case c.Exact:
			s.Detail = who + "an exact copy: removed in its place"
		case p.Cluster == stage.Connected:
			by := "signature estimate"
			if c.ByText {
				by = "mask-aware similarity"
			}
			s.Similarity = &c.Similarity
			s.Detail = fmt.Sprintf("%s%s%s %.4f: --cluster connected removes every member of the component", who, how, by, c.Similarity)
		case c.ByText:
			s.Similarity, s.Threshold = &c.Similarity, &p.Threshold
			if c.Dup {
				s.Detail = fmt.Sprintf("%s%smask-aware similarity %.4f ≥ threshold %.2f: removed in its place", who, how, c.Similarity, p.Threshold)
			} else {
				s.Detail = fmt.Sprintf("%s%smask-aware similarity %.4f < threshold %.2f: kept", who, how, c.Similarity, p.Threshold)
			}
		default:
			s.Detail = who + how + "not read: kept"
		}
		steps = append(steps, s)
	}
	return steps
}

// removal says what the cluster decision does with a linked pair: the
// decision's kept document, and the other removed in its place or kept.
func (w *words) removal() *Removal {
	tr, p := w.tr, w.tr.Params
	if !tr.Linked() || len(tr.Checks) == 0 {
		return nil
	}
	removed, exact, sim, ok := tr.Removed()
	if !ok {
		c := tr.Checks[0]
		return &Removal{Kept: strings.ToLower(w.side(c.Kept)), Similarity: c.Similarity,
			Detail: fmt.Sprintf("linked, but the keep rule (%s) keeps %s and the other's mask-aware similarity to it, %.4f, is under the threshold %.2f: both are kept (--cluster connected would remove it)", p.Keep, w.side(c.Kept), c.Similarity, p.Threshold)}
	}
	k := tr.Decision.Clusters[0].Kept
	r := &Removal{Kept: strings.ToLower(w.side(k)), Removed: true, Reason: "near", Similarity: sim}
	if exact {
		r.Reason = "exact"
	}
	r.Detail = fmt.Sprintf("the keep rule (%s) keeps %s; %s is removed in its place (%s, similarity %.4f to it)", p.Keep, w.side(k), w.side(uint32(removed)), r.Reason, r.Similarity)
	return r
}
