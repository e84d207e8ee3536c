package minhash

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestNewSigner(t *testing.T) {
	tests := []struct {
		k       int
		wantErr bool
	}{
		{-1, true}, {0, true}, {1, false}, {2, false}, {128, false}, {1024, false}, {1025, true}, {1 << 20, true},
	}
	for _, tt := range tests {
		s, err := NewSigner(tt.k, 7)
		if (err != nil) != tt.wantErr {
			t.Errorf("NewSigner(%d): err = %v, want error %v", tt.k, err, tt.wantErr)
			continue
		}
		if err == nil && s.K() != tt.k {
			t.Errorf("NewSigner(%d).K() = %d", tt.k, s.K())
		}
	}
}

func mustSigner(tb testing.TB, k int, seed uint64) *Signer {
	tb.Helper()
	s, err := NewSigner(k, seed)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func randomSet(rng *rand.Rand, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = rng.Uint64()
	}
	return out
}

func garbage(k int) []uint32 {
	dst := make([]uint32, k)
	for i := range dst {
		dst[i] = uint32(i * 7919)
	}
	return dst
}

func TestSignEmptyAndWrongLength(t *testing.T) {
	s := mustSigner(t, 64, 1)
	tests := []struct {
		name     string
		dstLen   int
		shingles []uint64
	}{
		{"no shingles", 64, nil},
		{"empty shingles", 64, []uint64{}},
		{"dst too short", 63, []uint64{1, 2, 3}},
		{"dst too long", 65, []uint64{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := garbage(tt.dstLen)
			if s.Sign(dst, tt.shingles) {
				t.Fatal("Sign returned true")
			}
			for i, v := range dst {
				if v != EmptyValue {
					t.Fatalf("slot %d = %d, want EmptyValue", i, v)
				}
			}
		})
	}
	a, b := garbage(64), garbage(64)
	s.Sign(a, nil)
	s.Sign(b, nil)
	if sim := Similarity(a, b); sim != 0 {
		t.Errorf("two empty signatures have similarity %v, want 0", sim)
	}
}

func TestSignIgnoresOrderAndDuplicates(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, k := range []int{1, 7, 128, 1024} {
		for _, n := range []int{1, 2, 3, 10, 100, 5000} {
			s := mustSigner(t, k, uint64(k*n))
			set := randomSet(rng, n)
			want := garbage(k)
			if !s.Sign(want, set) {
				t.Fatalf("k=%d n=%d: Sign returned false", k, n)
			}
			for i, v := range want {
				if v == EmptyValue {
					t.Fatalf("k=%d n=%d: slot %d left empty", k, n, i)
				}
			}
			shuffled := slices.Clone(set)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			dup := append(slices.Clone(shuffled), set[:n/2+1]...)
			dup = append(dup, set[0], set[0])
			for name, in := range map[string][]uint64{"shuffled": shuffled, "duplicated": dup} {
				got := garbage(k)
				s.Sign(got, in)
				if !slices.Equal(got, want) {
					t.Errorf("k=%d n=%d: %s input changed the signature", k, n, name)
				}
			}
		}
	}
}

func TestSingleShingleFillsEverySlot(t *testing.T) {
	s := mustSigner(t, 256, 3)
	dst := garbage(256)
	s.Sign(dst, []uint64{12345})
	for i, v := range dst {
		if v != dst[0] || v == EmptyValue {
			t.Fatalf("slot %d = %d, slot 0 = %d", i, v, dst[0])
		}
	}
}

func TestSeedsDiffer(t *testing.T) {
	set := randomSet(rand.New(rand.NewPCG(2, 2)), 1000)
	a, b := garbage(128), garbage(128)
	mustSigner(t, 128, 1).Sign(a, set)
	mustSigner(t, 128, 2).Sign(b, set)
	if sim := Similarity(a, b); sim > 0.1 {
		t.Errorf("signatures of one set under two seeds agree in %.2f of slots", sim)
	}
	c := garbage(128)
	mustSigner(t, 128, 1).Sign(c, set)
	if !slices.Equal(a, c) {
		t.Error("two Signers with one seed disagree")
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b []uint32
		want float64
	}{
		{[]uint32{1, 2, 3, 4}, []uint32{1, 2, 3, 4}, 1},
		{[]uint32{1, 2, 3, 4}, []uint32{1, 0, 3, 0}, 0.5},
		{[]uint32{1, 2, 3, 4}, []uint32{4, 3, 2, 1}, 0},
		{[]uint32{EmptyValue, 2}, []uint32{EmptyValue, 2}, 0.5},
		{[]uint32{1, 2}, []uint32{1, 2, 3}, 0},
		{nil, nil, 0},
	}
	for _, tt := range tests {
		if got := Similarity(tt.a, tt.b); got != tt.want {
			t.Errorf("Similarity(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSignDoesNotAllocate(t *testing.T) {
	s := mustSigner(t, 128, 9)
	set := randomSet(rand.New(rand.NewPCG(3, 3)), 20)
	dst := make([]uint32, 128)
	if a := testing.AllocsPerRun(50, func() { s.Sign(dst, set) }); a != 0 {
		t.Errorf("Sign allocates %v times", a)
	}
}

// classic is k-permutation MinHash, the reference point: slot j keeps the
// minimum over shingles of the high 32 bits of a_j·h + b_j (multiply-shift
// hashing, the cheapest family that does the job on random shingle hashes).
type classic struct{ a, b []uint64 }

func newClassic(k int, seed uint64) classic {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	c := classic{a: make([]uint64, k), b: make([]uint64, k)}
	for j := range c.a {
		c.a[j] = rng.Uint64() | 1
		c.b[j] = rng.Uint64()
	}
	return c
}

func (c classic) sign(dst []uint32, shingles []uint64) {
	for j := range dst {
		dst[j] = EmptyValue
	}
	for _, h := range shingles {
		for j := range dst {
			if v := uint32((c.a[j]*h + c.b[j]) >> 32); v < dst[j] {
				dst[j] = v
			}
		}
	}
}

// pairWithJaccard returns two sets of n random hashes sharing c of them,
// with c chosen so that the Jaccard similarity c/(2n-c) is as close to j as
// possible, and that exact similarity.
func pairWithJaccard(rng *rand.Rand, n int, j float64) (a, b []uint64, exact float64) {
	c := int(math.Round(2 * float64(n) * j / (1 + j)))
	u := randomSet(rng, 2*n-c)
	return u[:n], u[n-c:], float64(c) / float64(2*n-c)
}

type accuracy struct {
	exact, mean, mae, ideal float64
}

// measure signs trials random pairs with a given Jaccard similarity and
// returns the mean estimate and the mean absolute error. sign must fill a
// signature of k slots.
func measure(trials, n int, j float64, k int, sign func(trial int, dst []uint32, set []uint64)) accuracy {
	rng := rand.New(rand.NewPCG(uint64(n), math.Float64bits(j)))
	sa, sb := make([]uint32, k), make([]uint32, k)
	var acc accuracy
	for trial := range trials {
		a, b, exact := pairWithJaccard(rng, n, j)
		sign(trial, sa, a)
		sign(trial, sb, b)
		est := Similarity(sa, sb)
		acc.exact = exact
		acc.mean += est / float64(trials)
		acc.mae += math.Abs(est-exact) / float64(trials)
	}
	acc.ideal = math.Sqrt(acc.exact*(1-acc.exact)/float64(k)) * math.Sqrt(2/math.Pi)
	return acc
}

func (a accuracy) check() error {
	if math.Abs(a.mean-a.exact) > 0.02 {
		return fmt.Errorf("mean estimate %.4f, exact Jaccard %.4f", a.mean, a.exact)
	}
	if a.mae > 1.15*a.ideal {
		return fmt.Errorf("mean absolute error %.4f > 1.15 × binomial ideal %.4f", a.mae, a.ideal)
	}
	return nil
}

// accuracyTrials is the number of pairs per accuracy case. The check on the
// mean absolute error has a relative standard error of about 0.76/√trials,
// so small sets, whose true ratio to the ideal is highest (≈1.05–1.12 at
// n = 50, K = 128, from 5,000-trial runs), get more trials to keep the
// 1.15 bound meaningful rather than lucky.
func accuracyTrials(n int) int { return max(200, 250_000/n) }

func TestAccuracy(t *testing.T) {
	const k = 128
	for _, n := range []int{50, 500, 5000} {
		for _, j := range []float64{0.2, 0.5, 0.8, 0.95} {
			t.Run(fmt.Sprintf("n=%d/J=%.2f", n, j), func(t *testing.T) {
				acc := measure(accuracyTrials(n), n, j, k, func(trial int, dst []uint32, set []uint64) {
					mustSigner(t, k, uint64(trial)).Sign(dst, set)
				})
				t.Logf("exact %.4f mean %.4f MAE %.4f ideal %.4f (ratio %.2f)", acc.exact, acc.mean, acc.mae, acc.ideal, acc.mae/acc.ideal)
				if err := acc.check(); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

// TestAccuracyCheckCanFail shows that the accuracy check rejects a worse
// estimator: one that repeats the first half of the slots (unbiased, but
// with the error of K/2 slots, about √2 times the ideal for K) and one that leaves empty bins
// empty-but-equal, as plain one-permutation hashing without densification
// would if empty bins counted as matches.
func TestAccuracyCheckCanFail(t *testing.T) {
	const k = 128
	half := measure(accuracyTrials(500), 500, 0.5, k, func(trial int, dst []uint32, set []uint64) {
		mustSigner(t, k, uint64(trial)).Sign(dst, set)
		for i := k / 2; i < k; i++ {
			dst[i] = dst[i-k/2] // unbiased, but only K/2 independent slots
		}
	})
	t.Logf("half: %+v", half)
	if half.check() == nil {
		t.Errorf("half-signature estimator passed the check: %+v", half)
	}
	undensified := measure(accuracyTrials(50), 50, 0.5, k, func(trial int, dst []uint32, set []uint64) {
		s := mustSigner(t, k, uint64(trial))
		for i := range dst {
			dst[i] = 0 // empty bins match each other
		}
		for _, h := range set {
			x := splitmix(h ^ s.seed)
			bin := (x >> 32) * k >> 32
			if v := uint32(x) | 1; dst[bin] == 0 || v < dst[bin] {
				dst[bin] = v
			}
		}
	})
	t.Logf("undensified: %+v", undensified)
	if undensified.check() == nil {
		t.Errorf("undensified estimator passed the check: %+v", undensified)
	}
}

// TestClassicComparison logs the accuracy of classic k-permutation MinHash
// next to one-permutation hashing on the same pairs, and checks that the
// classic one is as accurate as theory says (which validates the harness).
func TestClassicComparison(t *testing.T) {
	const k, n = 128, 500
	for _, j := range []float64{0.2, 0.5, 0.8, 0.95} {
		oph := measure(accuracyTrials(n), n, j, k, func(trial int, dst []uint32, set []uint64) {
			mustSigner(t, k, uint64(trial)).Sign(dst, set)
		})
		cl := measure(accuracyTrials(n), n, j, k, func(trial int, dst []uint32, set []uint64) {
			newClassic(k, uint64(trial)).sign(dst, set)
		})
		t.Logf("n=%d J=%.4f: OPH mean %.4f MAE %.4f | classic mean %.4f MAE %.4f | binomial ideal MAE %.4f",
			n, oph.exact, oph.mean, oph.mae, cl.mean, cl.mae, oph.ideal)
		if err := cl.check(); err != nil {
			t.Errorf("classic MinHash at J=%.2f: %v", j, err)
		}
	}
}

func FuzzSign(f *testing.F) {
	f.Add([]byte{}, uint16(128))
	f.Add([]byte("0123456789abcdef"), uint16(1))
	f.Add([]byte("some bytes that become a few shingle hashes"), uint16(1024))
	f.Fuzz(func(t *testing.T, data []byte, k uint16) {
		kk := int(k)%MaxK + 1
		s := mustSigner(t, kk, uint64(len(data)))
		var set []uint64
		for len(data) >= 8 {
			set = append(set, binary.LittleEndian.Uint64(data))
			data = data[8:]
		}
		a := garbage(kk)
		ok := s.Sign(a, set)
		if ok != (len(set) > 0) {
			t.Fatalf("Sign = %v with %d shingles", ok, len(set))
		}
		slices.Reverse(set)
		b := garbage(kk)
		s.Sign(b, set)
		if !slices.Equal(a, b) {
			t.Fatal("order changed the signature")
		}
		for _, v := range a {
			if (v == EmptyValue) == ok {
				t.Fatalf("slot value %d with ok = %v", v, ok)
			}
		}
	})
}

func benchmarkSign(b *testing.B, n int, sign func(dst []uint32, set []uint64)) {
	set := randomSet(rand.New(rand.NewPCG(4, 4)), n)
	dst := make([]uint32, 128)
	b.SetBytes(int64(n * 3)) // ≈ bytes of Chinese text: one shingle per 3-byte rune
	for b.Loop() {
		sign(dst, set)
	}
}

func BenchmarkSign(b *testing.B) {
	s := mustSigner(b, 128, 1)
	c := newClassic(128, 1)
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("oph/n=%d", n), func(b *testing.B) {
			benchmarkSign(b, n, func(dst []uint32, set []uint64) { s.Sign(dst, set) })
		})
		b.Run(fmt.Sprintf("classic/n=%d", n), func(b *testing.B) {
			benchmarkSign(b, n, c.sign)
		})
	}
}

// BenchmarkSignShort measures a short document, where densification of
// the many empty bins dominates.
func BenchmarkSignShort(b *testing.B) {
	s := mustSigner(b, 128, 1)
	benchmarkSign(b, 20, func(dst []uint32, set []uint64) { s.Sign(dst, set) })
}

// refDensify is densification as first written: every draw computed, none
// precomputed. The Signer's table of draws must give the same signatures.
func refDensify(s *Signer, dst []uint32) {
	var empty [MaxK / 64]uint64
	filled, last := 0, 0
	for i, v := range dst {
		if v == EmptyValue {
			empty[i>>6] |= 1 << (i & 63)
		} else {
			filled++
			last = i
		}
	}
	if filled == len(dst) || filled == 0 {
		return
	}
	if filled == 1 {
		for i := range dst {
			dst[i] = dst[last]
		}
		return
	}
	k := uint64(len(dst))
	for i := range dst {
		if empty[i>>6]&(1<<(i&63)) == 0 {
			continue
		}
		state := s.fill ^ uint64(i)<<40
		for {
			state += 0x9e3779b97f4a7c15
			j := (splitmix(state) >> 32) * k >> 32
			if empty[j>>6]&(1<<(j&63)) == 0 {
				dst[i] = dst[j]
				break
			}
		}
	}
}

func TestDensifyMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, k := range []int{2, 7, 64, 128, 1024} {
		s := mustSigner(t, k, 3)
		for _, filled := range []int{1, 2, 3, k / 20, k / 4, k - 1, k} {
			if filled < 1 || filled > k {
				continue
			}
			for trial := 0; trial < 20; trial++ {
				sig := make([]uint32, k)
				for i := range sig {
					sig[i] = EmptyValue
				}
				for _, i := range r.Perm(k)[:filled] {
					sig[i] = r.Uint32N(EmptyValue)
				}
				want := slices.Clone(sig)
				refDensify(s, want)
				s.densify(sig)
				if !slices.Equal(sig, want) {
					t.Fatalf("k=%d, %d filled: densify differs from the reference", k, filled)
				}
			}
		}
	}
}

// The k = 128 loop (add128) gives what the loop for any k gives.
func TestAdd128(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	for _, seed := range []uint64{1, 2, 99} {
		s := mustSigner(t, 128, seed)
		for _, n := range []int{0, 1, 5, 300, 5000} {
			set := randomSet(r, n)
			got, want := make([]uint32, 128), make([]uint32, 128)
			s.Start(got)
			s.Start(want)
			s.Add(got, set)
			s.addAny(want, set)
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d, %d shingles: add128 %v, addAny %v", seed, n, got[:8], want[:8])
			}
			if n > 300 && slices.Contains(got, EmptyValue) {
				t.Fatalf("seed %d, %d shingles: empty bins left", seed, n)
			}
		}
	}
}

// The k = 128 densification (densify128) gives what densification for
// any k gives, from one filled bin to all, including bins whose
// precomputed draws all miss (two or three filled bins).
func TestDensify128(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 15))
	for _, seed := range []uint64{1, 7} {
		s := mustSigner(t, 128, seed)
		for filled := 1; filled <= 128; filled++ {
			for range 20 {
				sig := make([]uint32, 128)
				for i := range sig {
					sig[i] = EmptyValue
				}
				for _, i := range r.Perm(128)[:filled] {
					sig[i] = r.Uint32N(EmptyValue)
				}
				got, want := slices.Clone(sig), slices.Clone(sig)
				s.densify128((*[128]uint32)(got))
				s.densifyAny(want)
				if !slices.Equal(got, want) {
					t.Fatalf("seed %d, %d filled bins: densify128 differs from densifyAny", seed, filled)
				}
				if slices.Contains(got, EmptyValue) {
					t.Fatalf("seed %d, %d filled bins: empty bins left", seed, filled)
				}
			}
		}
	}
}
