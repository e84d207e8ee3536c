package stage

import (
	"fmt"
	"reflect"
)

// Detection returns the parameters that decide whether two documents are
// duplicates: p without the keep rule and the cluster mode, which only
// choose among duplicates. A saved index compares its own with a run's, so
// that documents fingerprinted under other rules never meet.
func (p Params) Detection() Params {
	p.Keep = Params{}.Keep
	p.Cluster = Verified
	return p
}

// DetectionDiff names the detection parameters (Detection) in which a and b
// differ, each as "Field: a ≠ b"; none when they agree. Both should be
// resolved.
func DetectionDiff(a, b Params) []string {
	va, vb := reflect.ValueOf(a.Detection()), reflect.ValueOf(b.Detection())
	var diffs []string
	for i := range va.NumField() {
		fa, fb := va.Field(i).Interface(), vb.Field(i).Interface()
		if !reflect.DeepEqual(fa, fb) {
			diffs = append(diffs, fmt.Sprintf("%s: %+v ≠ %+v", va.Type().Field(i).Name, fa, fb))
		}
	}
	return diffs
}

// ExactNormalized returns the Exact hash of an already normalised text, as
// Fingerprint computes it, and true; false when the text holds nothing but
// masks, whose hash Fingerprint takes of the raw text instead.
func ExactNormalized(r []rune) (Exact, bool) {
	if !hasContent(r) {
		return Exact{}, false
	}
	return hashRunes(r), true
}
