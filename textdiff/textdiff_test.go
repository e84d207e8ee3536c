package textdiff

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// render writes a script compactly: =equal -delete +insert, space separated.
func render(ops []Op) string {
	var sb strings.Builder
	for i, op := range ops {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte("=+-"[op.Kind])
		sb.WriteString(string(op.Text))
	}
	return sb.String()
}

func TestRunes(t *testing.T) {
	tests := []struct {
		a, b, want string
	}{
		{"", "", ""},
		{"abc", "abc", "=abc"},
		{"", "abc", "+abc"},
		{"abc", "", "-abc"},
		{"abc", "abxc", "=ab +x =c"},
		{"abxc", "abc", "=ab -x =c"},
		{"abc", "xyz", "-abc +xyz"},
		{"我镇*家帮扶", "我镇19家帮扶", "=我镇 -* +19 =家帮扶"},
		{"星泽美、申麦新材料", "XXX、XX新材料", "-星泽美 +XXX =、 -申麦 +XX =新材料"},
		{"abcabba", "cbabac", ""}, // Myers' example: checked for length below
	}
	for _, tt := range tests {
		a, b := []rune(tt.a), []rune(tt.b)
		ops := Runes(a, b)
		got, ok := Apply(a, ops)
		if !ok || string(got) != tt.b {
			t.Errorf("Apply(%q, Runes(%q, %q)) = %q, %v", tt.a, tt.a, tt.b, string(got), ok)
		}
		if tt.want != "" && render(ops) != tt.want {
			t.Errorf("Runes(%q, %q) = %s, want %s", tt.a, tt.b, render(ops), tt.want)
		}
		if _, ins, del := Count(ops); ins+del != editDistance(a, b) {
			t.Errorf("Runes(%q, %q) costs %d, want %d: %s", tt.a, tt.b, ins+del, editDistance(a, b), render(ops))
		}
	}
}

// editDistance is the insert/delete distance, n + m − 2·LCS, by dynamic
// programming: the reference Runes must match on small inputs.
func editDistance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			default:
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	return len(a) + len(b) - 2*prev[len(b)]
}

// checkScript fails unless ops is a normalised script from a to b.
func checkScript(t *testing.T, a, b []rune, ops []Op) {
	t.Helper()
	got, ok := Apply(a, ops)
	if !ok || !slices.Equal(got, b) {
		t.Fatalf("script does not turn %q into %q: got %q (fits %v): %s", string(a), string(b), string(got), ok, render(ops))
	}
	for i, op := range ops {
		if len(op.Text) == 0 {
			t.Fatalf("op %d is empty: %s", i, render(ops))
		}
		if i > 0 {
			prev := ops[i-1].Kind
			if prev == op.Kind || (prev == Insert && op.Kind == Delete) {
				t.Fatalf("ops %d, %d not normalised (%v then %v): %s", i-1, i, prev, op.Kind, render(ops))
			}
		}
	}
}

func randomRunes(r *rand.Rand, n int, alphabet []rune) []rune {
	out := make([]rune, n)
	for i := range out {
		out[i] = alphabet[r.IntN(len(alphabet))]
	}
	return out
}

// mutate applies a few random edits to a, as near duplicates differ.
func mutate(r *rand.Rand, a []rune, edits int, alphabet []rune) []rune {
	b := slices.Clone(a)
	for range edits {
		p := r.IntN(len(b) + 1)
		switch r.IntN(3) {
		case 0:
			b = slices.Insert(b, p, randomRunes(r, 1+r.IntN(4), alphabet)...)
		case 1:
			if p < len(b) {
				b = slices.Delete(b, p, min(len(b), p+1+r.IntN(4)))
			}
		default:
			if p < len(b) {
				b[p] = alphabet[r.IntN(len(alphabet))]
			}
		}
	}
	return b
}

// TestProperty: for random pairs, the script turns a into b, is normalised,
// and is minimal while the limit is not reached; Cleanup keeps it correct.
func TestProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabets := [][]rune{[]rune("ab"), []rune("abcd"), []rune("招商引资项目发展企业的"), []rune("abcdefghijklmnopqrstuvwxyz")}
	for i := range 3000 {
		alpha := alphabets[i%len(alphabets)]
		a := randomRunes(r, r.IntN(40), alpha)
		var b []rune
		if i%2 == 0 {
			b = randomRunes(r, r.IntN(40), alpha)
		} else {
			b = mutate(r, a, 1+r.IntN(5), alpha)
		}
		ops := Runes(a, b)
		checkScript(t, a, b, ops)
		if _, ins, del := Count(ops); ins+del != editDistance(a, b) {
			t.Fatalf("Runes(%q, %q) costs %d, want the minimum %d: %s", string(a), string(b), ins+del, editDistance(a, b), render(ops))
		}
		checkScript(t, a, b, Cleanup(ops))
		// A tiny limit forces the heuristic split: still correct.
		checkScript(t, a, b, RunesLimit(a, b, 1+i%3))
	}
}

// TestLimit: on a large, very different pair the heuristic keeps the script
// correct, and a larger limit never gives a longer script here.
func TestLimit(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alpha := []rune("abcdefgh")
	a := randomRunes(r, 3000, alpha)
	b := mutate(r, a, 400, alpha)
	prev := -1
	for _, limit := range []int{4096, 64, 8, 1} {
		ops := RunesLimit(a, b, limit)
		checkScript(t, a, b, ops)
		_, ins, del := Count(ops)
		if prev >= 0 && ins+del < prev {
			t.Errorf("limit %d: cost %d below that of a larger limit (%d)", limit, ins+del, prev)
		}
		prev = ins + del
	}
	if exact := editDistance(a, b); prev == exact {
		t.Logf("limit 1 happened to be minimal (%d)", exact)
	}
	if _, ins, del := Count(RunesLimit(a, b, 4096)); ins+del != editDistance(a, b) {
		t.Errorf("limit 4096: cost %d, want the minimum %d", ins+del, editDistance(a, b))
	}
}

func TestCleanup(t *testing.T) {
	tests := []struct {
		a, b, want string
	}{
		// One shared character inside a rewrite joins the rewrite.
		{"开头星泽美申麦结尾", "开头某公司美某单位结尾", "=开头 -星泽美申麦 +某公司美某单位 =结尾"},
		// A long shared span between two small edits stays.
		{"xabcdefy", "zabcdefw", "-x +z =abcdef -y +w"},
		// Equalities at the ends stay, however short.
		{"aXYZb", "aUVWb", "=a -XYZ +UVW =b"},
		{"", "", ""},
	}
	for _, tt := range tests {
		a, b := []rune(tt.a), []rune(tt.b)
		got := Cleanup(Runes(a, b))
		checkScript(t, a, b, got)
		if render(got) != tt.want {
			t.Errorf("Cleanup(Runes(%q, %q)) = %s, want %s", tt.a, tt.b, render(got), tt.want)
		}
	}
}

func TestApplyRejects(t *testing.T) {
	a := []rune("abc")
	tests := []struct {
		name string
		ops  []Op
	}{
		{"wrong equal", []Op{{Equal, []rune("abd")}}},
		{"too long", []Op{{Delete, []rune("abcd")}}},
		{"left over", []Op{{Equal, []rune("ab")}}},
		{"bad kind", []Op{{Kind(9), []rune("abc")}}},
	}
	for _, tt := range tests {
		if got, ok := Apply(a, tt.ops); ok {
			t.Errorf("%s: Apply = %q, true; want false", tt.name, string(got))
		}
	}
}

func TestRunesDoesNotWriteInputs(t *testing.T) {
	a := []rune("aXbYcZdaXbYcZd")
	b := []rune("aQbRcSdaXbRcSe")
	ca, cb := slices.Clone(a), slices.Clone(b)
	Cleanup(Runes(a, b))
	RunesLimit(a, b, 1)
	if !slices.Equal(a, ca) || !slices.Equal(b, cb) {
		t.Fatalf("inputs changed: %q, %q", string(a), string(b))
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Equal: "equal", Insert: "insert", Delete: "delete", Kind(7): "unknown"} {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), want)
		}
	}
}

func FuzzRunes(f *testing.F) {
	for _, s := range [][2]string{
		{"", ""}, {"abc", "abxc"}, {"我镇*家帮扶企业", "我镇19家帮扶企业"},
		{"星泽美、申麦新材料", "XXX、XX新材料"}, {"abcabba", "cbabac"}, {"aaaa", "aa"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, sa, sb string) {
		if !utf8.ValidString(sa) || !utf8.ValidString(sb) {
			t.Skip()
		}
		a, b := []rune(sa), []rune(sb)
		if len(a) > 2000 || len(b) > 2000 {
			t.Skip()
		}
		ops := Runes(a, b)
		checkScript(t, a, b, ops)
		checkScript(t, a, b, Cleanup(ops))
		checkScript(t, a, b, RunesLimit(a, b, 2))
		if len(a) <= 200 && len(b) <= 200 {
			if _, ins, del := Count(ops); ins+del != editDistance(a, b) {
				t.Fatalf("cost %d, want the minimum %d: %s", ins+del, editDistance(a, b), render(ops))
			}
		}
	})
}
