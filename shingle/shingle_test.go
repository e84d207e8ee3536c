package shingle

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

const M = string(Mask)

// seedLines reads the seed sample, one document per line.
func seedLines(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("../testdata/seed.txt")
	if err != nil {
		tb.Fatalf("open seed: %v", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read seed: %v", err)
	}
	return lines
}

func TestCounts(t *testing.T) {
	tests := []struct {
		name string
		text string
		opt  Options
		want int
	}{
		{"empty", "", Options{}, 0},
		{"only mask", M, Options{}, 0},
		{"only masks", M + M + M + M + M + M, Options{}, 0},
		{"one rune", "中", Options{}, 1},
		{"short", "中国", Options{N: 5}, 1},
		{"short with mask", "中" + M + "国", Options{N: 5}, 1},
		{"exactly n", "abcde", Options{}, 1},
		{"n+1", "abcdef", Options{}, 2},
		{"default n is 5", "abcdefghij", Options{N: 0}, 6},
		{"negative n is 5", "abcdefghij", Options{N: -3}, 6},
		{"n=1", "abc", Options{N: 1}, 3},
		{"n=3", "abcdefghij", Options{N: 3}, 8},
		{"n=7 rolling", "abcdefghij", Options{N: 7}, 4},
		{"n=7 short", "abcdef", Options{N: 7}, 1},
		{"mask in middle n=3", "ab" + M + "cdefg", Options{N: 3}, 3},            // cde def efg
		{"mask at start", M + "abcdef", Options{N: 5}, 2},                       // abcde bcdef
		{"mask at end", "abcdef" + M, Options{N: 5}, 2},                         // abcde bcdef
		{"masks break every window", "abcd" + M + "efgh", Options{N: 5}, 1},     // whole text fallback
		{"masks break every window n=7", "abcd" + M + "efgh", Options{N: 7}, 1}, // rolling path
		{"mask in middle n=7", "abcdefg" + M + "hijklmn", Options{N: 7}, 2},
		{"words empty", "", Options{Mode: Words}, 0},
		{"words only spaces", "   ", Options{Mode: Words}, 0},
		{"words short", "the cat", Options{Mode: Words}, 1},
		{"words exactly", "a b c d e", Options{Mode: Words}, 1},
		{"words many", "a b c d e f g", Options{Mode: Words}, 3},
		{"words extra spaces", "  a  b c   d e f g  ", Options{Mode: Words}, 3},
		{"words masked word", "a b c d" + M + " e f g h i j", Options{Mode: Words, N: 3}, 5},
		{"words only masked", M + " x" + M, Options{Mode: Words}, 0},
		{"unknown mode is chars", "abcdef", Options{Mode: Mode(9)}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Hashes(nil, []rune(tt.text), tt.opt)
			if len(got) != tt.want {
				t.Fatalf("Hashes(%q, %+v) gave %d shingles, want %d", tt.text, tt.opt, len(got), tt.want)
			}
		})
	}
}

// TestWindowsMatchStandalone checks the rolling computation: the j-th
// shingle of a text equals the single shingle of its j-th window taken as a
// text of its own, for every packed and rolling window length.
func TestWindowsMatchStandalone(t *testing.T) {
	text := []rune(seedLines(t)[0])
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 9, 13} {
		got := Hashes(nil, text, Options{N: n})
		if len(got) != len(text)-n+1 {
			t.Fatalf("n=%d: %d shingles, want %d", n, len(got), len(text)-n+1)
		}
		for j := range got {
			one := Hashes(nil, text[j:j+n], Options{N: n})
			if len(one) != 1 || one[0] != got[j] {
				t.Fatalf("n=%d window %d: rolling %x, standalone %v", n, j, got[j], one)
			}
		}
	}
}

func TestWordWindowsMatchStandalone(t *testing.T) {
	words := strings.Fields("the quick brown fox jumps over the lazy dog and then the quick brown fox sleeps")
	text := []rune("  " + strings.Join(words, "   ") + " ")
	for _, n := range []int{1, 2, 3, 5, 8} {
		got := Hashes(nil, text, Options{N: n, Mode: Words})
		if len(got) != len(words)-n+1 {
			t.Fatalf("n=%d: %d shingles, want %d", n, len(got), len(words)-n+1)
		}
		for j := range got {
			one := Hashes(nil, []rune(strings.Join(words[j:j+n], " ")), Options{N: n, Mode: Words})
			if len(one) != 1 || one[0] != got[j] {
				t.Fatalf("n=%d window %d: rolling %x, standalone %v", n, j, got[j], one)
			}
		}
		// "the quick brown fox" occurs twice: equal windows, equal hashes.
		if n <= 4 && got[0] != got[11] {
			t.Errorf("n=%d: repeated phrase hashed differently", n)
		}
	}
}

// TestMaskSkipsWindows checks that masked windows are exactly the ones
// left out, and that the other windows keep their hashes.
func TestMaskSkipsWindows(t *testing.T) {
	plain := []rune("零一二三四五六七八九十甲乙丙丁戊己庚辛壬癸")
	for _, n := range []int{3, 5, 7} {
		all := Hashes(nil, plain, Options{N: n})
		for p := range plain {
			masked := append([]rune(nil), plain...)
			masked[p] = Mask
			got := Hashes(nil, masked, Options{N: n})
			var want []uint64
			for j := range all {
				if p < j || p >= j+n {
					want = append(want, all[j])
				}
			}
			if !equal(got, want) {
				t.Fatalf("n=%d mask at %d: got %d shingles, want %d (or values differ)", n, p, len(got), len(want))
			}
		}
	}
}

func TestShortTextIgnoresMasks(t *testing.T) {
	for _, opt := range []Options{{N: 5}, {N: 8}, {N: 5, Mode: Words}} {
		a := Hashes(nil, []rune("中国 人"), opt)
		b := Hashes(nil, []rune(M+"中国"+M+" 人"+M), opt)
		if opt.Mode == Words {
			b = Hashes(nil, []rune(M+" 中国 "+M+" 人 "+M), opt)
		}
		if len(a) != 1 || !equal(a, b) {
			t.Errorf("%+v: short text with masks %x, without %x", opt, b, a)
		}
		c := Hashes(nil, []rune("中国 仁"), opt)
		if equal(a, c) {
			t.Errorf("%+v: different short texts share a hash", opt)
		}
	}
	// The whole-text hash of a short text must not be the hash of a window.
	short := Hashes(nil, []rune("abcd"), Options{N: 4})
	long := Hashes(nil, []rune("abcd"), Options{N: 5})
	if short[0] == long[0] {
		t.Error("short-text hash equals the window hash of the same runes")
	}
}

func TestAppendsAndDoesNotAllocate(t *testing.T) {
	text := []rune(seedLines(t)[0])
	for _, opt := range []Options{{N: 5}, {N: 9}, {N: 3, Mode: Words}} {
		dst := make([]uint64, 1, len(text)+1)
		dst[0] = 42
		out := Hashes(dst, text, opt)
		if out[0] != 42 || len(out) < 2 {
			t.Fatalf("%+v: did not append to dst", opt)
		}
		allocs := testing.AllocsPerRun(20, func() { Hashes(dst[:0], text, opt) })
		if allocs != 0 {
			t.Errorf("%+v: %v allocations with a large enough dst", opt, allocs)
		}
	}
}

// distinctWindowHashes hashes every distinct window of n runes in texts and
// fails on a collision between distinct windows.
func distinctWindowHashes(t *testing.T, texts [][]rune, opt Options) []uint64 {
	t.Helper()
	seen := map[uint64]string{}
	var out []uint64
	for _, text := range texts {
		hs := Hashes(nil, text, opt)
		if len(text) < opt.N {
			continue
		}
		for j, h := range hs {
			w := string(text[j : j+opt.N])
			if prev, ok := seen[h]; ok {
				if prev != w {
					t.Fatalf("%+v: collision %x between %q and %q", opt, h, prev, w)
				}
				continue
			}
			seen[h] = w
			out = append(out, h)
		}
	}
	return out
}

// chiSquare buckets the hashes by their top and bottom 8 bits and returns
// both statistics (255 degrees of freedom: mean 255, sd ≈ 22.6).
func chiSquare(hs []uint64) (low, high float64) {
	var lo, hi [256]float64
	for _, h := range hs {
		lo[h&0xff]++
		hi[h>>56]++
	}
	exp := float64(len(hs)) / 256
	for i := range 256 {
		low += (lo[i] - exp) * (lo[i] - exp) / exp
		high += (hi[i] - exp) * (hi[i] - exp) / exp
	}
	return low, high
}

// chiLimit and chiFloor are far in the tails of χ²(255), about 5.5
// standard deviations out. A statistic below the floor is as telling as one
// above the limit: hashes spread more evenly than random ones are a linear
// function of structured input.
const (
	chiLimit = 380
	chiFloor = 130
)

// alphabetTexts returns every string of length n over a small alphabet as
// one long list of texts: highly structured input that shows weak mixing.
func alphabetTexts(alpha []rune, n int) [][]rune {
	var out [][]rune
	idx := make([]int, n)
	for {
		w := make([]rune, n)
		for i, x := range idx {
			w[i] = alpha[x]
		}
		out = append(out, w)
		i := n - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(alpha) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return out
		}
	}
}

func TestHashQuality(t *testing.T) {
	var seed [][]rune
	for _, l := range seedLines(t) {
		seed = append(seed, []rune(l))
	}
	tests := []struct {
		name  string
		texts [][]rune
		opt   Options
	}{
		{"seed n=5", seed, Options{N: 5}},
		{"seed n=3", seed, Options{N: 3}},
		{"seed n=2", seed, Options{N: 2}},
		{"seed n=8", seed, Options{N: 8}},
		{"alphabet n=5", alphabetTexts([]rune("的一是不了人我在有他这为"), 5), Options{N: 5}},
		{"digits n=5", alphabetTexts([]rune("0123456789"), 5), Options{N: 5}},
		{"ascii n=4", alphabetTexts([]rune("abcdefghijklmnopqrstuvwxyz"), 4), Options{N: 4}},
		{"ascii n=3", alphabetTexts([]rune("abcdefghijklmnopqrstuvwxyz0123456789"), 3), Options{N: 3}},
		{"ascii n=5", alphabetTexts([]rune("abcdefghijklmnop"), 5), Options{N: 5}},
		{"alphabet n=7", alphabetTexts([]rune("abcdef"), 7), Options{N: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := distinctWindowHashes(t, tt.texts, tt.opt)
			if len(hs) < 4000 {
				t.Fatalf("only %d distinct shingles; the test needs more", len(hs))
			}
			low, high := chiSquare(hs)
			t.Logf("%d distinct shingles, chi-square low byte %.0f, high byte %.0f (df 255)", len(hs), low, high)
			if low > chiLimit || high > chiLimit || low < chiFloor || high < chiFloor {
				t.Errorf("non-random hashes: chi-square low %.0f, high %.0f outside [%d, %d]", low, high, chiFloor, chiLimit)
			}
		})
	}
}

func TestWordHashQuality(t *testing.T) {
	// Every 3-word phrase over a small vocabulary, written as one text per
	// phrase.
	vocab := []string{"a", "b", "ab", "ba", "the", "of", "and", "to", "in", "is", "it", "that", "was", "for", "on", "are", "as", "with", "his", "they", "at", "be", "this", "from", "I", "have", "or", "by", "one", "had"}
	seen := map[uint64]string{}
	var hs []uint64
	for _, a := range vocab {
		for _, b := range vocab {
			for _, c := range vocab {
				p := a + " " + b + " " + c
				h := Hashes(nil, []rune(p), Options{N: 3, Mode: Words})
				if len(h) != 1 {
					t.Fatalf("%q: %d shingles", p, len(h))
				}
				if prev, ok := seen[h[0]]; ok {
					t.Fatalf("collision between %q and %q", prev, p)
				}
				seen[h[0]] = p
				hs = append(hs, h[0])
			}
		}
	}
	low, high := chiSquare(hs)
	if low > chiLimit || high > chiLimit || low < chiFloor || high < chiFloor {
		t.Errorf("non-random word hashes: chi-square low %.0f, high %.0f outside [%d, %d]", low, high, chiFloor, chiLimit)
	}
}

// TestBitBalance checks that every output bit is set about half the time
// over the seed's distinct 5-grams (a weak bit shows as a strong bias).
func TestBitBalance(t *testing.T) {
	var seed [][]rune
	for _, l := range seedLines(t) {
		seed = append(seed, []rune(l))
	}
	for _, opt := range []Options{{N: 5}, {N: 3}, {N: 6}} {
		hs := distinctWindowHashes(t, seed, opt)
		n := float64(len(hs))
		for bit := range 64 {
			ones := 0
			for _, h := range hs {
				ones += int(h >> bit & 1)
			}
			z := (float64(ones) - n/2) / math.Sqrt(n/4)
			if math.Abs(z) > 5 {
				t.Errorf("%+v: bit %d set in %d of %.0f shingles (z = %.1f)", opt, bit, ones, n, z)
			}
		}
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{Chars: "chars", Words: "words", Mode(7): "Mode(7)"} {
		if got := m.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(m), got, want)
		}
	}
}

func equal(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func FuzzHashes(f *testing.F) {
	f.Add("六是联合抽查、高效执法。", 5, false)
	f.Add("ab"+M+"cdefgh"+M, 3, false)
	f.Add("the quick  brown fox "+M+" jumps", 2, true)
	f.Add("", 0, false)
	f.Add("\xff\xfe", 7, false)
	f.Fuzz(func(t *testing.T, s string, n int, words bool) {
		n = n%12 + 1
		if n < 1 {
			n += 12
		}
		opt := Options{N: n}
		if words {
			opt.Mode = Words
		}
		runes := []rune(s)
		hs := Hashes(nil, runes, opt)
		units := len(runes)
		if words {
			units = 0
			for _, w := range strings.Split(s, " ") {
				if w != "" {
					units++
				}
			}
		}
		if len(hs) > max(units-n+1, 1) {
			t.Fatalf("%d shingles from %d units with n=%d", len(hs), units, n)
		}
		nonMask := strings.ReplaceAll(s, M, "")
		if words {
			nonMask = strings.TrimSpace(nonMask)
		}
		if nonMask != "" && !strings.Contains(s, M) && len(hs) == 0 {
			t.Fatalf("no shingle from %q", s)
		}
		if !words {
			// Every shingle is the standalone hash of its window.
			j := 0
			for i := 0; i+n <= len(runes); i++ {
				w := runes[i : i+n]
				if strings.ContainsRune(string(w), Mask) {
					continue
				}
				if j >= len(hs) {
					t.Fatalf("window %d has no shingle", i)
				}
				one := Hashes(nil, w, opt)
				if len(one) != 1 || one[0] != hs[j] {
					t.Fatalf("window %d: %x vs standalone %v", i, hs[j], one)
				}
				j++
			}
		}
	})
}

func benchmarkHashes(b *testing.B, opt Options) {
	lines := seedLines(b)
	text := []rune(strings.Join(lines, ""))
	bytes := 0
	for _, l := range lines {
		bytes += len(l)
	}
	dst := make([]uint64, 0, len(text)+1)
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	for b.Loop() {
		dst = Hashes(dst[:0], text, opt)
	}
}

func BenchmarkHashes(b *testing.B) {
	b.Run("chars5", func(b *testing.B) { benchmarkHashes(b, Options{N: 5}) })
	b.Run("chars3", func(b *testing.B) { benchmarkHashes(b, Options{N: 3}) })
	b.Run("chars8", func(b *testing.B) { benchmarkHashes(b, Options{N: 8}) })
}

func BenchmarkWordHashes(b *testing.B) {
	text := []rune(strings.Repeat("the quick brown fox jumps over the lazy dog and keeps running far away ", 300))
	dst := make([]uint64, 0, len(text)+1)
	b.SetBytes(int64(len(string(text))))
	for b.Loop() {
		dst = Hashes(dst[:0], text, Options{N: 5, Mode: Words})
	}
}

// TestPacked5SameAsGeneric checks the default n = 5's loop of its own
// against the loop for any n ≤ 5, on random texts with masks, runes at the
// ends of the 21 bits, and texts shorter than a window, appended after a
// prefix.
func TestPacked5SameAsGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []rune{'a', 'b', '中', '文', Mask, 0x10FFFF, 0x1FFFFF & 0x10FFFF, 0x80, 0xFFFF, 0}
	for iter := range 20000 {
		text := make([]rune, rng.IntN(40))
		for i := range text {
			if rng.IntN(4) == 0 {
				text[i] = rune(rng.IntN(0x110000))
			} else {
				text[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		prefix := []uint64{7, 8}[:iter%3]
		want := packedHashes(slices.Clone(prefix), text, 5)
		got := packed5(slices.Clone(prefix), text)
		if !slices.Equal(got, want) {
			t.Fatalf("%q: packed5 %x, generic %x", string(text), got, want)
		}
	}
}
