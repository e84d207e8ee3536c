package keep

import (
	"testing"

	"github.com/quchong/quchong/record"
)

func num(f float64) record.Value { return record.Value{Kind: record.Number, Num: f} }
func str(s string) record.Value  { return record.Value{Kind: record.String, Str: s} }

func TestChoose(t *testing.T) {
	members := []Candidate{
		{Index: 3, Length: 100, Masks: 4, Value: num(0.5)},
		{Index: 7, Length: 120, Masks: 0, Value: num(0.9)},
		{Index: 9, Length: 120, Masks: 0, Value: record.Value{}},
		{Index: 12, Length: 90, Masks: 0, Value: num(0.1)},
	}
	tests := []struct {
		rule string
		want uint64
	}{
		{"first", 3},
		{"", 3},
		{"longest", 7},      // 7 and 9 tie on length: input order
		{"fewest-masks", 7}, // 7, 9, 12 tie on masks
		{"max:score", 7},
		{"min:score", 12},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r, err := Parse(tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			if got := members[r.Choose(members)].Index; got != tt.want {
				t.Errorf("Choose = doc %d, want %d", got, tt.want)
			}
		})
	}
}

func TestValueOrder(t *testing.T) {
	tests := []struct {
		name string
		rule string
		a, b record.Value
		want bool // a better than b (a has the smaller index, so ties → true)
	}{
		{"max numbers", "max:f", num(2), num(1), true},
		{"max numbers reversed", "max:f", num(1), num(2), false},
		{"min numbers", "min:f", num(1), num(2), true},
		{"max dates as strings", "max:f", str("2024-05-01"), str("2023-12-31"), true},
		{"min dates as strings", "min:f", str("2024-05-01"), str("2023-12-31"), false},
		{"missing ranks last for max", "max:f", record.Value{}, num(-5), false},
		{"missing ranks last for min", "min:f", record.Value{}, num(5), false},
		{"present beats missing", "min:f", num(5), record.Value{}, true},
		{"numbers before strings", "max:f", num(1), str("9"), true},
		{"equal values: input order", "max:f", num(1), num(1), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			got := r.Better(Candidate{Index: 1, Value: tt.a}, Candidate{Index: 2, Value: tt.b})
			if got != tt.want {
				t.Errorf("Better = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	for _, s := range []string{"first", "longest", "fewest-masks", "max:score", "min:date"} {
		r, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if r.String() != s {
			t.Errorf("Parse(%q).String() = %q", s, r.String())
		}
	}
	for _, s := range []string{"last", "max:", "min", "Longest"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded, want error", s)
		}
	}
}
