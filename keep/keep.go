// Package keep decides which document of a duplicate cluster survives.
//
// A Rule ranks the members of a cluster; the best one is kept and the others
// are removed. Every rule breaks ties by input order (the smaller document
// index wins), so the choice is reproducible.
//
//	first          the earliest document in input order (the default)
//	longest        the document with the most characters
//	fewest-masks   the document with the fewest placeholder masks (XX, *, 某某, ...):
//	               the most informative copy of a re-anonymised text
//	max:FIELD      the document with the largest value of FIELD (a quality score, a date)
//	min:FIELD      the document with the smallest value of FIELD
//
// For max: and min:, numbers compare numerically and strings
// lexicographically (so ISO dates work); numbers rank before strings, and a
// document without the field ranks last.
package keep

import (
	"fmt"
	"strings"

	"github.com/quchong/quchong/record"
)

// Kind is the kind of a Rule.
type Kind uint8

// The rule kinds.
const (
	First Kind = iota
	Longest
	FewestMasks
	Max
	Min
)

// Rule is a parsed keep rule. The zero Rule is First.
type Rule struct {
	Kind Kind
	// Field names the field compared by Max and Min.
	Field string
}

// Parse parses a rule as written on the command line.
func Parse(s string) (Rule, error) {
	switch s {
	case "", "first":
		return Rule{Kind: First}, nil
	case "longest":
		return Rule{Kind: Longest}, nil
	case "fewest-masks":
		return Rule{Kind: FewestMasks}, nil
	}
	if f, ok := strings.CutPrefix(s, "max:"); ok && f != "" {
		return Rule{Kind: Max, Field: f}, nil
	}
	if f, ok := strings.CutPrefix(s, "min:"); ok && f != "" {
		return Rule{Kind: Min, Field: f}, nil
	}
	return Rule{}, fmt.Errorf("unknown keep rule %q (want first, longest, fewest-masks, max:FIELD or min:FIELD)", s)
}

// String returns the rule as Parse accepts it.
func (r Rule) String() string {
	switch r.Kind {
	case Longest:
		return "longest"
	case FewestMasks:
		return "fewest-masks"
	case Max:
		return "max:" + r.Field
	case Min:
		return "min:" + r.Field
	}
	return "first"
}

// NeedsField reports the field the rule reads from documents, if any.
func (r Rule) NeedsField() (string, bool) {
	if r.Kind == Max || r.Kind == Min {
		return r.Field, true
	}
	return "", false
}

// Candidate is what a rule knows about one cluster member.
type Candidate struct {
	// Index is the document's dense index: its input order.
	Index uint64
	// Length is the document's length in characters (runes).
	Length int
	// Masks is the number of placeholder masks found by normalisation.
	Masks int
	// Value is the rule's field value (Max and Min only).
	Value record.Value
}

// Better reports whether a should be kept rather than b.
func (r Rule) Better(a, b Candidate) bool {
	switch r.Kind {
	case Longest:
		if a.Length != b.Length {
			return a.Length > b.Length
		}
	case FewestMasks:
		if a.Masks != b.Masks {
			return a.Masks < b.Masks
		}
	case Max, Min:
		if c := compareValues(a.Value, b.Value, r.Kind == Max); c != 0 {
			return c < 0
		}
	}
	return a.Index < b.Index
}

// Choose returns the position in members of the document to keep. members
// must not be empty.
func (r Rule) Choose(members []Candidate) int {
	best := 0
	for i := 1; i < len(members); i++ {
		if r.Better(members[i], members[best]) {
			best = i
		}
	}
	return best
}

// compareValues orders values best first: it returns a negative number when
// a ranks before b. Missing values rank last, numbers before strings.
func compareValues(a, b record.Value, largestFirst bool) int {
	rank := func(v record.Value) int {
		switch v.Kind {
		case record.Number:
			return 0
		case record.String:
			return 1
		}
		return 2
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra - rb
	}
	c := 0
	switch a.Kind {
	case record.Number:
		switch {
		case a.Num < b.Num:
			c = -1
		case a.Num > b.Num:
			c = 1
		}
	case record.String:
		c = strings.Compare(a.Str, b.Str)
	}
	if largestFirst {
		c = -c
	}
	return c
}
