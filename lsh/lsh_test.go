package lsh

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// adaptive integrates f over [a, b] by adaptive Simpson to tolerance eps:
// an integrator independent of the fixed-step one in Optimal.
func adaptive(f func(float64) float64, a, b, eps float64) float64 {
	fa, fm, fb := f(a), f((a+b)/2), f(b)
	whole := (b - a) / 6 * (fa + 4*fm + fb)
	return adaptiveStep(f, a, b, fa, fm, fb, whole, eps, 40)
}

func adaptiveStep(f func(float64) float64, a, b, fa, fm, fb, whole, eps float64, depth int) float64 {
	m := (a + b) / 2
	lm, rm := f((a+m)/2), f((m+b)/2)
	left := (m - a) / 6 * (fa + 4*lm + fm)
	right := (b - m) / 6 * (fm + 4*rm + fb)
	if depth <= 0 || math.Abs(left+right-whole) <= 15*eps {
		return left + right + (left+right-whole)/15
	}
	return adaptiveStep(f, a, m, fa, lm, fm, left, eps/2, depth-1) +
		adaptiveStep(f, m, b, fm, rm, fb, right, eps/2, depth-1)
}

// objective is the weighted error area of a banding, integrated carefully.
func objective(t float64, p Params, wFP, wFN float64) float64 {
	P := func(s float64) float64 { return 1 - math.Pow(1-math.Pow(s, float64(p.Rows)), float64(p.Bands)) }
	fp := adaptive(P, 0, t, 1e-12)
	fn := adaptive(func(s float64) float64 { return 1 - P(s) }, t, 1, 1e-12)
	return (wFP*fp + wFN*fn) / (wFP + wFN)
}

// reference is datasketch's _optimal_param with the careful integrator.
func reference(t float64, k int, wFP, wFN float64) (Params, float64) {
	best, bestErr := Params{}, math.Inf(1)
	for b := 1; b <= k; b++ {
		for r := 1; r <= k/b; r++ {
			if e := objective(t, Params{b, r}, wFP, wFN); e < bestErr {
				best, bestErr = Params{b, r}, e
			}
		}
	}
	return best, bestErr
}

func TestOptimalKnownValues(t *testing.T) {
	tests := []struct {
		t        float64
		k        int
		wFP, wFN float64
		want     Params
	}{
		{0.8, 128, 0.5, 0.5, Params{9, 13}}, // datasketch MinHashLSH(threshold=0.8, num_perm=128)
		{0.5, 128, 0.5, 0.5, Params{25, 5}},
		{0.9, 128, 0.5, 0.5, Params{5, 25}},
		{0.7, 128, 0.5, 0.5, Params{14, 9}},
		{0.8, 128, 0.1, 0.9, Params{14, 9}},
		{0.8, 128, 1, 9, Params{14, 9}}, // weights are normalised
		{0.5, 256, 0.5, 0.5, Params{42, 6}},
		{0.8, 256, 0.1, 0.9, Params{23, 11}},
	}
	for _, tt := range tests {
		got, err := Optimal(tt.t, tt.k, tt.wFP, tt.wFN)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("Optimal(%v, %d, %v, %v) = %v, want %v", tt.t, tt.k, tt.wFP, tt.wFN, got, tt.want)
		}
	}
}

// TestOptimalMatchesReference compares Optimal with a brute-force search
// over carefully integrated objectives on a grid of cases.
func TestOptimalMatchesReference(t *testing.T) {
	for _, k := range []int{1, 16, 50, 128} {
		for _, th := range []float64{0.3, 0.65, 0.85, 0.95} {
			for _, w := range [][2]float64{{0.5, 0.5}, {0.1, 0.9}, {1, 0}} {
				got, err := Optimal(th, k, w[0], w[1])
				if err != nil {
					t.Fatal(err)
				}
				want, wantErr := reference(th, k, w[0], w[1])
				if got == want {
					continue
				}
				// A different choice is acceptable only for a numerical tie.
				if gotErr := objective(th, got, w[0], w[1]); gotErr-wantErr > 1e-9 {
					t.Errorf("Optimal(%v, %d, %v) = %v (error %.10f), reference %v (error %.10f)", th, k, w, got, gotErr, want, wantErr)
				}
			}
		}
	}
}

func TestOptimalErrors(t *testing.T) {
	tests := []struct {
		t        float64
		k        int
		wFP, wFN float64
	}{
		{0, 128, 0.5, 0.5},
		{1, 128, 0.5, 0.5},
		{-0.2, 128, 0.5, 0.5},
		{math.NaN(), 128, 0.5, 0.5},
		{0.8, 0, 0.5, 0.5},
		{0.8, -5, 0.5, 0.5},
		{0.8, 128, -0.1, 1},
		{0.8, 128, 0, 0},
		{0.8, 128, math.NaN(), 1},
		{0.8, 128, math.Inf(1), 1},
	}
	for _, tt := range tests {
		if p, err := Optimal(tt.t, tt.k, tt.wFP, tt.wFN); err == nil {
			t.Errorf("Optimal(%v, %d, %v, %v) = %v, want an error", tt.t, tt.k, tt.wFP, tt.wFN, p)
		}
	}
}

// TestOptimalTable prints the table in the package documentation and
// checks that the documentation matches it.
func TestOptimalTable(t *testing.T) {
	want := []struct {
		t, wFP, wFN float64
		p           Params
		pt          string
	}{
		{0.5, 0.5, 0.5, Params{25, 5}, "0.5478"},
		{0.5, 0.1, 0.9, Params{32, 4}, "0.8732"},
		{0.6, 0.5, 0.5, Params{18, 7}, "0.4001"},
		{0.6, 0.1, 0.9, Params{25, 5}, "0.8678"},
		{0.7, 0.5, 0.5, Params{14, 9}, "0.4382"},
		{0.7, 0.1, 0.9, Params{20, 6}, "0.9182"},
		{0.8, 0.5, 0.5, Params{9, 13}, "0.3988"},
		{0.8, 0.1, 0.9, Params{14, 9}, "0.8670"},
	}
	t.Logf("threshold  weights FP/FN  bands × rows  P(threshold)")
	for _, w := range want {
		p, err := Optimal(w.t, 128, w.wFP, w.wFN)
		if err != nil {
			t.Fatal(err)
		}
		pt := fmt.Sprintf("%.4f", p.Probability(w.t))
		t.Logf("%-9v  %v/%v        %2d × %-2d       %s", w.t, w.wFP, w.wFN, p.Bands, p.Rows, pt)
		if p != w.p || pt != w.pt {
			t.Errorf("t=%v weights %v/%v: %v with P(t) %s; the package doc says %v with %s", w.t, w.wFP, w.wFN, p, pt, w.p, w.pt)
		}
	}
}

func TestProbability(t *testing.T) {
	for _, p := range []Params{{1, 1}, {9, 13}, {25, 5}, {128, 1}, {1, 128}} {
		prev := -1.0
		for i := 0; i <= 1000; i++ {
			s := float64(i) / 1000
			v := p.Probability(s)
			if v < prev || v < 0 || v > 1 {
				t.Fatalf("%v: P(%v) = %v after %v", p, s, v, prev)
			}
			prev = v
		}
		if p.Probability(0) != 0 || p.Probability(1) != 1 {
			t.Errorf("%v: P(0) = %v, P(1) = %v", p, p.Probability(0), p.Probability(1))
		}
		if p.Probability(-1) != 0 || p.Probability(2) != 1 {
			t.Errorf("%v: out-of-range s not clamped", p)
		}
	}
	if got, want := (Params{2, 2}).Probability(0.5), 1-0.75*0.75; math.Abs(got-want) > 1e-15 {
		t.Errorf("P(0.5) for 2×2 = %v, want %v", got, want)
	}
	if (Params{}).Probability(0.5) != 0 {
		t.Error("zero Params has non-zero probability")
	}
}

// TestKeysAgreeExactlyPerBand builds signature pairs that agree in a random
// subset of bands and checks that exactly those keys agree.
func TestKeysAgreeExactlyPerBand(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, p := range []Params{{9, 13}, {25, 5}, {32, 4}, {128, 1}, {1, 128}, {7, 3}} {
		k := p.Bands * p.Rows
		for range 200 {
			a := make([]uint32, k+3) // extra slots beyond the bands are ignored
			for i := range a {
				a[i] = rng.Uint32()
			}
			b := append([]uint32(nil), a...)
			agree := make([]bool, p.Bands)
			for i := range agree {
				agree[i] = rng.IntN(2) == 0
				if !agree[i] {
					// Change one to all of the band's slots.
					for c := 1 + rng.IntN(p.Rows); c > 0; c-- {
						b[i*p.Rows+rng.IntN(p.Rows)] ^= 1 << rng.IntN(32)
					}
					if equalSlots(a[i*p.Rows:(i+1)*p.Rows], b[i*p.Rows:(i+1)*p.Rows]) {
						agree[i] = true // the flips cancelled out
					}
				}
			}
			b[k] ^= 1 // outside every band
			ka, kb := p.Keys(nil, a), p.Keys(nil, b)
			if len(ka) != p.Bands || len(kb) != p.Bands {
				t.Fatalf("%v: %d and %d keys", p, len(ka), len(kb))
			}
			for i := range agree {
				if (ka[i] == kb[i]) != agree[i] {
					t.Fatalf("%v band %d: keys equal %v, values equal %v", p, i, ka[i] == kb[i], agree[i])
				}
			}
		}
	}
}

func equalSlots(a, b []uint32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestKeysDistinctAcrossBands(t *testing.T) {
	// Every band holds the same values: the keys must still differ.
	for _, p := range []Params{{16, 8}, {128, 1}, {25, 5}} {
		sig := make([]uint32, p.Bands*p.Rows)
		for i := range sig {
			sig[i] = uint32(i % p.Rows)
		}
		keys := p.Keys(nil, sig)
		seen := map[uint64]int{}
		for i, key := range keys {
			if j, ok := seen[key]; ok {
				t.Errorf("%v: bands %d and %d share key %x", p, j, i, key)
			}
			seen[key] = i
		}
	}
	// Two bandings of one signature do not share keys by accident of rows.
	sig := make([]uint32, 8)
	a := Params{Bands: 1, Rows: 4}.Keys(nil, sig)
	b := Params{Bands: 1, Rows: 8}.Keys(nil, sig)
	if a[0] == b[0] {
		t.Error("bands of 4 and 8 zero slots share a key")
	}
}

func TestKeysShortSignature(t *testing.T) {
	tests := []struct {
		p      Params
		sigLen int
		want   int
	}{
		{Params{9, 13}, 128, 9},
		{Params{9, 13}, 117, 9},
		{Params{9, 13}, 116, 8},
		{Params{9, 13}, 0, 0},
		{Params{0, 13}, 128, 0},
		{Params{9, 0}, 128, 0},
		{Params{-1, -1}, 128, 0},
	}
	for _, tt := range tests {
		dst := []uint64{7}
		got := tt.p.Keys(dst, make([]uint32, tt.sigLen))
		if len(got) != 1+tt.want || got[0] != 7 {
			t.Errorf("%v on %d slots: %d keys appended, want %d", tt.p, tt.sigLen, len(got)-1, tt.want)
		}
	}
}

func TestKeysDoNotAllocate(t *testing.T) {
	p := Params{9, 13}
	sig := make([]uint32, 128)
	dst := make([]uint64, 0, 9)
	if a := testing.AllocsPerRun(50, func() { p.Keys(dst[:0], sig) }); a != 0 {
		t.Errorf("Keys allocates %v times", a)
	}
}

func FuzzKeys(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef"), uint8(3), uint8(2), uint16(5))
	f.Add([]byte{}, uint8(1), uint8(1), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, bands, rows uint8, flip uint16) {
		p := Params{Bands: int(bands%32) + 1, Rows: int(rows%16) + 1}
		sig := make([]uint32, p.Bands*p.Rows)
		for i := 0; i < len(sig) && 4*i+4 <= len(data); i++ {
			sig[i] = binary.LittleEndian.Uint32(data[4*i:])
		}
		a := p.Keys(nil, sig)
		slot := int(flip) % len(sig)
		sig[slot] ^= 1 << (flip % 32)
		b := p.Keys(nil, sig)
		for i := range a {
			if (a[i] == b[i]) != (i != slot/p.Rows) {
				t.Fatalf("%v: flipping slot %d changed band %d: %v", p, slot, i, a[i] != b[i])
			}
		}
	})
}

func BenchmarkKeys(b *testing.B) {
	p := Params{9, 13}
	sig := make([]uint32, 128)
	for i := range sig {
		sig[i] = uint32(i) * 2654435761
	}
	dst := make([]uint64, 0, p.Bands)
	b.SetBytes(int64(4 * len(sig))) // signature bytes
	for b.Loop() {
		dst = p.Keys(dst[:0], sig)
	}
}

func BenchmarkOptimal(b *testing.B) {
	for b.Loop() {
		if _, err := Optimal(0.8, 128, 0.5, 0.5); err != nil {
			b.Fatal(err)
		}
	}
}

func TestKeyMatchesKeys(t *testing.T) {
	sig := make([]uint32, 128)
	for i := range sig {
		sig[i] = uint32(i*2654435761) ^ 0x9e3779b9
	}
	for _, p := range []Params{{32, 4}, {9, 13}, {5, 25}, {1, 1}} {
		keys := p.Keys(nil, sig)
		for b := range keys {
			if got := p.Key(sig, b); got != keys[b] {
				t.Errorf("%v: Key(band %d) = %x, Keys gives %x", p, b, got, keys[b])
			}
		}
		if got := p.Key(sig, p.Bands); got != 0 {
			t.Errorf("%v: Key beyond the last band = %x, want 0", p, got)
		}
	}
}

// optimalDirect is Optimal as first written: Probability integrated with
// Simpson's rule for every bands × rows, s^rows computed each time.
func optimalDirect(t float64, k int, wFP, wFN float64) Params {
	simpson := func(f func(float64) float64, a, b float64) float64 {
		h := (b - a) / integrationSteps
		sum := f(a) + f(b)
		for i := 1; i < integrationSteps; i++ {
			w := 2.0
			if i%2 == 1 {
				w = 4
			}
			sum += w * f(a+float64(i)*h)
		}
		return sum * h / 3
	}
	sum := wFP + wFN
	wFP, wFN = wFP/sum, wFN/sum
	best, bestErr := Params{}, math.Inf(1)
	for b := 1; b <= k; b++ {
		for r := 1; r <= k/b; r++ {
			p := Params{Bands: b, Rows: r}
			fp := simpson(p.Probability, 0, t)
			fn := simpson(func(s float64) float64 { return 1 - p.Probability(s) }, t, 1)
			if e := wFP*fp + wFN*fn; e < bestErr {
				best, bestErr = p, e
			}
		}
	}
	return best
}

// Optimal, with s^rows computed once per rows, chooses exactly what the
// direct computation chooses (ties included: the objective is bit for bit
// the same), so stats.json and every output stay the same.
func TestOptimalSameAsDirect(t *testing.T) {
	for _, k := range []int{1, 7, 16, 128, 200} {
		for _, th := range []float64{0.05, 0.5, 0.65, 0.8, 0.95} {
			for _, w := range [][2]float64{{0.5, 0.5}, {0.1, 0.9}, {1, 0}, {0, 1}} {
				got, err := Optimal(th, k, w[0], w[1])
				if err != nil {
					t.Fatal(err)
				}
				if want := optimalDirect(th, k, w[0], w[1]); got != want {
					t.Errorf("Optimal(%v, %d, %v) = %v, direct %v", th, k, w, got, want)
				}
			}
		}
	}
}

// Every precomputed search is what the search itself gives, both through
// search and through the direct objective, and Optimal returns it.
func TestKnownSearched(t *testing.T) {
	if len(known) == 0 {
		t.Fatal("no precomputed searches")
	}
	for _, kn := range known {
		sum := kn.wFP + kn.wFN
		if got := search(kn.t, kn.k, kn.wFP/sum, kn.wFN/sum); got != kn.p {
			t.Errorf("known (%v, %d, %v/%v) = %v, search gives %v", kn.t, kn.k, kn.wFP, kn.wFN, kn.p, got)
		}
		if want := optimalDirect(kn.t, kn.k, kn.wFP, kn.wFN); want != kn.p {
			t.Errorf("known (%v, %d, %v/%v) = %v, direct %v", kn.t, kn.k, kn.wFP, kn.wFN, kn.p, want)
		}
		if got, err := Optimal(kn.t, kn.k, kn.wFP, kn.wFN); err != nil || got != kn.p {
			t.Errorf("Optimal(%v, %d, %v, %v) = %v, %v; want %v", kn.t, kn.k, kn.wFP, kn.wFN, got, err, kn.p)
		}
	}
}
