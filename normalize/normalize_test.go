package normalize

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"
)

// mk turns '◆' in a test string into Mask.
func mk(s string) string { return strings.ReplaceAll(s, "◆", string(Mask)) }

// show turns Mask into '◆' for messages.
func show(s string) string { return strings.ReplaceAll(s, string(Mask), "◆") }

func TestMaskRules(t *testing.T) {
	n := New(Default())
	tests := []struct {
		name, in, want string
		masks          int
	}{
		// Rule 1: '*' runs, with the digits next to them.
		{"star", "我镇*家", "我镇◆家", 1},
		{"stars", "我镇***家", "我镇◆家", 1},
		{"digits before stars", "20**年", "◆年", 1},
		{"digits around star", "1*3", "◆", 1},
		{"digit chain", "12*34*5号", "◆号", 1},
		{"full-width star", "＊＊年", "◆年", 1},
		{"letter not absorbed", "A*", "a◆", 1},
		{"digits alone stay", "2020年", "2020年", 0},
		// Rule 2: X/x runs.
		{"seed line 19", "其中XXX、XX新材料", "其中◆新材料", 1},
		{"run then space", "XXX 村", "◆村", 1},
		{"lone X next to CJK", "X村", "◆村", 1},
		{"lone X after CJK", "第X条", "第◆条", 1},
		{"accepted false positive", "X光", "◆光", 1},
		{"lower case run", "xx公司", "◆公司", 1},
		{"full-width X", "ＸＸ公司", "◆公司", 1},
		{"XXL", "XXL码", "xxl码", 0},
		{"Xbox", "Xbox", "xbox", 0},
		{"x86", "x86", "x86", 0},
		{"hex", "0x1F", "0x1f", 0},
		{"English lone X", "Mr. X said", "mrxsaid", 0},
		{"lone X between spaces", "X X", "xx", 0},
		{"two names", "张XX、李XX", "张◆李◆", 2},
		// Rule 3: ×, 某, ○, □ runs of two or more.
		{"times run", "×××", "◆", 1},
		{"multiplication", "3×4", "3×4", 0},
		{"mou mou", "某某公司", "◆公司", 1},
		{"mou alone", "某人", "某人", 0},
		{"mou three", "某某某", "◆", 1},
		{"circles", "○○村", "◆村", 1},
		{"one square", "□", "□", 0},
		{"squares", "□□", "◆", 1},
		{"mixed", "×某", "◆", 1},
		// Merging: adjacent masks, also across removed runes.
		{"X then stars", "XX**", "◆", 1},
		{"multi then star digits", "××12*", "◆", 1},
		{"across punctuation", "XXX、XX", "◆", 1},
		{"apart", "XX和XX", "◆和◆", 2},
		// Input Mask runes vanish.
		{"input mask", "a\uE000b", "ab", 0},
		{"input mask joins X run", "X\uE000X", "◆", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, masks := n.Append(nil, []byte(tc.in))
			if string(got) != mk(tc.want) || masks != tc.masks {
				t.Errorf("%q → %q (%d masks), want %q (%d)", tc.in, show(string(got)), masks, tc.want, tc.masks)
			}
			ref, refMasks := reference(Default(), []byte(tc.in))
			if !slices.Equal(got, ref) || masks != refMasks {
				t.Errorf("%q: reference gives %q (%d masks)", tc.in, show(string(ref)), refMasks)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	all := Default()
	noNFKC := all
	noNFKC.NFKC = false
	noMasks := all
	noMasks.Masks = false
	noT2S := all
	noT2S.T2S = false
	noFold := all
	noFold.Fold = false
	words := all
	words.WordBreaks = true
	keepSpace := all
	keepSpace.StripSpace = false
	keepPunct := all
	keepPunct.StripPunct = false
	tests := []struct {
		name string
		opt  Options
		in   string
		want string
	}{
		{"nfkc full width", all, "ＡＢＣ１２３", "abc123"},
		{"nfkc ligature", all, "ﬁne", "fine"},
		{"nfkc combining", all, "e\u0301", "é"},
		{"no nfkc", noNFKC, "ＡＢＣ", "ａｂｃ"},
		{"fold", all, "ÀBΣ", "àbσ"},
		{"no fold", noFold, "ÀB", "ÀB"},
		{"t2s", all, "後來國語", "后来国语"},
		{"no t2s", noT2S, "後來國語", "後來國語"},
		{"strip punct", all, "你好，世界！「引」…", "你好世界引"},
		{"keep punct", keepPunct, "你好，世界！", "你好,世界!"},
		{"strip space", all, " a\tb\n\u3000c\u200bd\x00e ", "abcde"},
		{"keep space", keepSpace, "a b，c", "a bc"},
		{"word breaks", words, "  Hello,   World!  ", "hello world"},
		{"word breaks format char", words, "co\u00adop\u200b", "coop"},
		{"word breaks masks", words, "XX, XX", "◆ ◆"},
		{"no masks", noMasks, "XX公司**", "xx公司"},
		{"no masks input mask", noMasks, "a\uE000b", "ab"},
		{"zero options", Options{}, "A\uE000 B，\xff", "A B，\uFFFD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := New(tc.opt)
			if n.Options() != tc.opt {
				t.Fatalf("Options() = %+v, want %+v", n.Options(), tc.opt)
			}
			got := n.String(tc.in)
			if got != mk(tc.want) {
				t.Errorf("%q → %q, want %q", tc.in, show(got), tc.want)
			}
			ref, _ := reference(tc.opt, []byte(tc.in))
			if string(ref) != got {
				t.Errorf("%q: reference gives %q", tc.in, show(string(ref)))
			}
		})
	}
}

// allOptions lists every combination of the seven switches.
func allOptions() []Options {
	var opts []Options
	for b := 0; b < 1<<7; b++ {
		opts = append(opts, optionsFromBits(uint8(b)))
	}
	return opts
}

func optionsFromBits(b uint8) Options {
	return Options{
		NFKC: b&1 != 0, Fold: b&2 != 0, StripSpace: b&4 != 0, StripPunct: b&8 != 0,
		WordBreaks: b&16 != 0, Masks: b&32 != 0, T2S: b&64 != 0,
	}
}

// TestCandidatesKept guards an assumption of the rule machine: a rune that
// can start a mask run is never removed, so a pending run sits contiguously
// in the output.
func TestCandidatesKept(t *testing.T) {
	for _, opt := range allOptions() {
		n := New(opt)
		for _, c := range "0123456789Xx×某○□" {
			if e := n.entryOf(c); e.act() != actEmit {
				t.Fatalf("%+v: candidate %q has action %d", opt, c, e.act())
			}
		}
	}
}

// randomText draws from a mix designed to hit every path: ASCII, CJK,
// traditional characters, full-width forms, combining marks (also long
// runs), Hangul jamo and syllables, emoji and other non-BMP runes, mask
// characters, format and control characters, and invalid bytes.
func randomText(rng *rand.Rand, t2s []rune) []byte {
	pick := func(s string) rune {
		rs := []rune(s)
		return rs[rng.IntN(len(rs))]
	}
	span := func(lo, hi rune) rune { return lo + rune(rng.IntN(int(hi-lo+1))) }
	var b []byte
	n := rng.IntN(40)
	for range n {
		var r rune
		switch rng.IntN(20) {
		case 0, 1:
			r = pick("XXXxx**12390aAbLz ,.!?-")
		case 2:
			r = pick("某某×××○○□□\uE000")
		case 3:
			r = span(0x4E00, 0x9FFF)
		case 4:
			r = t2s[rng.IntN(len(t2s))]
		case 5:
			r = span(0xFF01, 0xFF65)
		case 6:
			r = span(0x0300, 0x036F)
		case 7:
			r = pick("\u0F71\u0F72\u0F73\u0F74\u0F80\u0F81\u0344\u0CD5\u0B3E\u09BE\u093C\u3099\u309A\u1D165\u1D167\U0001D16E")
		case 8:
			switch rng.IntN(3) {
			case 0:
				r = span(0x1100, 0x11FF)
			case 1:
				r = span(0x3131, 0x318E) // compatibility jamo
			default:
				r = span(0xFFA0, 0xFFDC) // half-width jamo
			}
		case 9:
			r = span(0xAC00, 0xAC40)
		case 10:
			r = pick("😀👍🏽\u200d♀️\U0001D400\U0001D431\U0001D7CE\U0002F800\U00020000\U0002A6D6𠉂")
		case 11:
			r = pick("\u200b\u200d\ufeff\u00ad\t\n\r\x00\u3000\u00a0\u2028，。、；：？！“”‘’（）《》【】…—·「」")
		case 12:
			r = span(0xFB00, 0xFB06)
		case 13:
			r = pick("\uFDFA\u3300\u33FF\u2460\u2474\u00BD\u2153\u1E9B\u212A\u2126\u00C5\u0130\u03A3\u1E9E\uFB2C\u0958")
		case 14:
			switch rng.IntN(3) {
			case 0:
				b = append(b, 0xFF)
			case 1:
				b = append(b, 0xE4, 0xB8) // truncated 3-byte sequence
			default:
				b = append(b, 0xC0, 0xAF)
			}
			continue
		case 15:
			r = rune(rng.IntN(0x10000))
			if !utf8.ValidRune(r) {
				r = 'x'
			}
		case 16:
			r = rune(rng.IntN(0x110000))
			if !utf8.ValidRune(r) {
				r = 'X'
			}
		case 17:
			for range 28 + rng.IntN(8) { // around the 30 non-starter limit
				b = utf8.AppendRune(b, span(0x0300, 0x0314))
			}
			continue
		default:
			r = pick("中国人民共和国村镇年某XX公司有限责任")
		}
		b = utf8.AppendRune(b, r)
	}
	return b
}

func t2sKeys() []rune {
	var keys []rune
	for k := range refT2SMap() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func checkEqual(t *testing.T, n *Normalizer, text []byte) {
	t.Helper()
	got, masks := n.Append(nil, text)
	want, wantMasks := reference(n.Options(), text)
	if !slices.Equal(got, want) || masks != wantMasks {
		t.Fatalf("options %+v\ninput %q\n got %q (%d masks)\nwant %q (%d masks)",
			n.Options(), text, show(string(got)), masks, show(string(want)), wantMasks)
	}
	// Output already in dst (ending in a Mask) must not change what is appended.
	prefix := []rune{'p', Mask}
	got2, masks2 := n.Append(prefix, text)
	if !slices.Equal(got2[:2], prefix) || !slices.Equal(got2[2:], want) || masks2 != wantMasks {
		t.Fatalf("options %+v\ninput %q\nwith a prefix: got %q (%d masks)", n.Options(), text, show(string(got2)), masks2)
	}
}

func TestEqualsReferenceRandom(t *testing.T) {
	opts := allOptions()
	ns := make([]*Normalizer, len(opts))
	for i, o := range opts {
		ns[i] = New(o)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	keys := t2sKeys()
	iters := 40000
	if testing.Short() {
		iters = 4000
	}
	for i := range iters {
		checkEqual(t, ns[i%len(ns)], randomText(rng, keys))
	}
}

// TestEqualsReferenceBMP checks every BMP rune on its own and between
// context runes, under the default options and with NFKC alone.
func TestEqualsReferenceBMP(t *testing.T) {
	ns := []*Normalizer{New(Default()), New(Options{NFKC: true, Masks: true})}
	for r := rune(0); r < 1<<16; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		for _, n := range ns {
			checkEqual(t, n, utf8.AppendRune(nil, r))
			checkEqual(t, n, []byte("X"+string(r)+"\u0301X中"))
			checkEqual(t, n, []byte("\u1100"+string(r)+"\u11A8"))
		}
	}
}

func seedLines(t testing.TB) [][]byte {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "seed.txt"))
	if err != nil {
		t.Fatalf("read seed: %v", err)
	}
	return bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
}

func TestEqualsReferenceText(t *testing.T) {
	docs := seedLines(t)
	corpus, err := corpusTexts(5 << 20)
	switch {
	case err != nil:
		t.Fatalf("corpus: %v", err)
	case corpus == nil:
		t.Logf("%s missing: checking the seed only", corpusPath)
	case testing.Short():
		corpus = corpus[:min(len(corpus), 200)]
	}
	docs = append(docs, corpus...)
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	t.Logf("checking %d documents, %d bytes", len(docs), size)
	words := Default()
	words.WordBreaks = true
	for _, opt := range []Options{Default(), words, {NFKC: true}} {
		n := New(opt)
		for _, d := range docs {
			checkEqual(t, n, d)
		}
	}
}

// TestSeedRemask checks the seed's re-anonymised pair: line 16 has "我镇*家"
// and "XX村", line 19 "其中XXX、XX新材料".
func TestSeedRemask(t *testing.T) {
	lines := seedLines(t)
	n := New(Default())
	for _, tc := range []struct {
		line  int
		wants []string
	}{
		{16, []string{"我镇◆家", "◆村的大棚草莓"}},
		{19, []string{"其中◆新材料", "◆村的大棚草莓"}},
	} {
		got, masks := n.Append(nil, lines[tc.line-1])
		for _, want := range tc.wants {
			if !strings.Contains(string(got), mk(want)) {
				t.Errorf("line %d normalised lacks %q", tc.line, want)
			}
		}
		if masks < len(tc.wants) {
			t.Errorf("line %d: %d masks, want at least %d", tc.line, masks, len(tc.wants))
		}
	}
}

func TestAppendKeepsPrefix(t *testing.T) {
	n := New(Default())
	dst := []rune{'a', Mask}
	out, masks := n.Append(dst, []byte("XX村"))
	if string(out) != mk("a◆◆村") || masks != 1 {
		t.Errorf("got %q (%d masks): a Mask already in dst must not absorb new ones", show(string(out)), masks)
	}
}

func TestNoAllocs(t *testing.T) {
	n := New(Default())
	text := bytes.Join(seedLines(t), nil)
	text = append(text, "e\u0301 한국어 ＡＢＣ 😀 \U0001D400 XX某某"...)
	dst := make([]rune, 0, 2*len(text))
	allocs := testing.AllocsPerRun(20, func() {
		dst, _ = n.Append(dst[:0], text)
	})
	if allocs != 0 {
		t.Errorf("Append allocates %.1f times per call with room in dst", allocs)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "其中XXX、XX新材料", "20**年", "e\u0301\u0302", "ＸＸ村", "\xff\uE000", "한국어", "×某○□", "x86 0x1F", "😀\U0001D400"} {
		f.Add([]byte(s), uint8(0x6F))
		f.Add([]byte(s), uint8(0x7F))
	}
	f.Add([]byte("A\u0300\u0300\u0300"), uint8(0))
	var (
		mu    sync.Mutex
		cache [1 << 7]*Normalizer
	)
	f.Fuzz(func(t *testing.T, text []byte, bits uint8) {
		opt := optionsFromBits(bits & 0x7F)
		mu.Lock()
		n := cache[bits&0x7F]
		if n == nil {
			n = New(opt)
			cache[bits&0x7F] = n
		}
		mu.Unlock()
		out, masks := n.Append(nil, text)
		want, wantMasks := reference(opt, text)
		if !slices.Equal(out, want) || masks != wantMasks {
			t.Fatalf("input %q: got %q (%d), want %q (%d)", text, show(string(out)), masks, show(string(want)), wantMasks)
		}
		count := 0
		for i, r := range out {
			if !utf8.ValidRune(r) {
				t.Fatalf("invalid rune %U in output", r)
			}
			if r == Mask {
				count++
				if i > 0 && out[i-1] == Mask {
					t.Fatalf("adjacent masks in %q", show(string(out)))
				}
			}
		}
		if count != masks || !opt.Masks && count != 0 {
			t.Fatalf("%d Mask runes, reported %d, Masks=%v", count, masks, opt.Masks)
		}
	})
}

// TestConcurrent runs one Normalizer from several goroutines (meaningful
// under -race) and checks every result.
func TestConcurrent(t *testing.T) {
	n := New(Default())
	docs := seedLines(t)
	docs = append(docs, []byte("e\u0301\u0302 ᄀㅡ \U0001D400XX"))
	want := make([]string, len(docs))
	for i, d := range docs {
		want[i] = n.String(string(d))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 4 {
		wg.Go(func() {
			var dst []rune
			for k := range 50 {
				i := (g + k) % len(docs)
				dst, _ = n.Append(dst[:0], docs[i])
				if string(dst) != want[i] {
					errs <- fmt.Sprintf("doc %d differs under concurrency", i)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// Runs of plain ASCII and of three-byte runes take loops of their own
// (ascii, cjk); where such a run meets a rune that NFKC joins to it, a
// mask candidate, a rune of another length, an invalid or truncated
// sequence or the end of the text, the result is the reference's.
func TestEqualsReferenceRuns(t *testing.T) {
	texts := []string{
		"中文か\u3099字", "中文字か\u3099", "\u1100\u1161\u11A8한글\u1100\u1161", "丁丁\u20DD丁",
		"中中\u0301中", "abc\u0301def", "ab\u0301", "中文某某公司", "中文XX公司", "abcXXdef 12** end",
		"中文\xe4\xb8", "中文\xe4\xb8中", "中文\xed\xa0\x80中", "中文，。“引号”", "Ａｂｃ全角ＡＢＣ",
		"中\U0001F600中", "abc\u00e9中文ab", "a", "中", "ab", "中文",
	}
	for _, opt := range []Options{Default(), {NFKC: true}, {NFKC: true, Masks: true, Fold: true}} {
		n := New(opt)
		for _, x := range texts {
			checkEqual(t, n, []byte(x))
		}
	}
}

// New's per-rune entries, built with the bitsets of runeProps, are those
// computeEntry gives asking package unicode, for every BMP rune, under
// several option sets.
func TestEntriesSameAsUnicode(t *testing.T) {
	props := bmpProps()
	for r := rune(0); r < 1<<16; r++ {
		if props.isCJK(r) != isCJK(r) || props.isSpace(r) != unicode.IsSpace(r) || props.isCc(r) != unicode.Is(unicode.Cc, r) ||
			props.isCf(r) != unicode.Is(unicode.Cf, r) || props.isPunct(r) != unicode.IsPunct(r) || props.toLower(r) != unicode.ToLower(r) {
			t.Fatalf("U+%04X: runeProps differs from package unicode", r)
		}
	}
	all := Default()
	all.WordBreaks = true
	for _, opt := range []Options{Default(), all, {}, {Fold: true, StripSpace: true}, {T2S: true, StripPunct: true, Masks: true}} {
		n := New(opt)
		for c := rune(0); c < 1<<16; c++ {
			if got, want := n.out[c], computeEntry(&opt, n.t2s, nil, c); got != want {
				t.Fatalf("%+v: U+%04X entry %#x, want %#x", opt, c, got, want)
			}
		}
	}
}

// TestEqualsReferenceASCII checks mostly-ASCII text, where the ASCII loop
// takes eight bytes at a time and the digit and X runs the rules cannot
// make masks of, against the reference under every option set: runs of
// letters, digits, X, '*', spaces and punctuation of every length, at
// every alignment, with now and then a rune that is not ASCII (CJK, a
// full-width '*', '×', the Mask rune, a combining accent, an invalid byte).
func TestEqualsReferenceASCII(t *testing.T) {
	opts := allOptions()
	ns := make([]*Normalizer, len(opts))
	for i, o := range opts {
		ns[i] = New(o)
	}
	runs := []string{"ab", "Hello", "example", "x", "X", "xX", "Xx", "XXX", "xx", "ax", "ex", "1", "12", "2002", "0", "*", "**", "1*", "20**", "x*", "*1",
		" ", "  ", ", ", ".", "\n", "\t", "-", "(", ")", "'", "\"", "@", "#", "e", "ZZ", "mr", "Q"}
	other := []string{"中", "＊", "×", "\uE000", "\u0301", "é", "\xff", "某", "Ａ"}
	rng := rand.New(rand.NewPCG(3, 4))
	iters := 60000
	if testing.Short() {
		iters = 6000
	}
	var b []byte
	for i := range iters {
		b = b[:0]
		for range rng.IntN(40) {
			if rng.IntN(25) == 0 {
				b = append(b, other[rng.IntN(len(other))]...)
			} else {
				b = append(b, runs[rng.IntN(len(runs))]...)
			}
		}
		checkEqual(t, ns[i%len(ns)], b)
	}
}

// TestEqualsReferenceCJK checks mostly-Chinese text, where the CJK loop
// takes three-byte runes with a verdict stored whether they are emitted or
// dropped, against the reference under every option set: runs of
// ideographs (traditional ones among them), CJK and full-width
// punctuation, ASCII, mask candidates, runes that NFKC joins to the
// three-byte rune before them (kana voicing marks, Hangul vowel and final
// jamo, combining accents), compatibility ideographs and jamo, four-byte
// runes, the Mask rune and invalid or truncated sequences, at every
// alignment and length. Each text is normalised into a nil dst, into one
// with more room than the output needs and into one with exactly the room
// it needs (which must then not be reallocated, unless mask runs, appended
// tentatively, may need more).
func TestEqualsReferenceCJK(t *testing.T) {
	opts := allOptions()
	ns := make([]*Normalizer, len(opts))
	for i, o := range opts {
		ns[i] = New(o)
	}
	keys := t2sKeys()
	pieces := []string{
		"，", "。", "、", "：", "；", "？", "！", "“", "”", "《", "》", "（", "）", "…", "—", "·", "「", "」", "\u3000", "【", "】",
		"Ａ", "ｂ", "１", "＊", "＿", "｜", "ｶ", "ﾞ", "\u200b", "\ufeff", "\u00a0",
		"a", "ab", "X", "XX", "x", "1", "7", "12", "2020", "*", "**", " ", "\n", ",", ".", "-",
		"某", "某某", "×", "××", "○", "○○", "□□", "\uE000",
		"\u3099", "\u309a", "か", "は", "\u1161", "\u11a8", "\u1100", "\u3131", "ㅏ", "\u0301", "\u20dd",
		"豈", "\uf900", "\u2f00", "\u3300", "㍿", "①", "😀", "𠀀", "\U0002F800",
		"\xe4\xb8", "\xe4", "\xe0\x80\x80", "\xed\xa0\x80", "\xef\xbf\xbf", "\xef\xbf\xbd", "\xff", "\xc3",
	}
	rng := rand.New(rand.NewPCG(5, 6))
	iters := 60000
	if testing.Short() {
		iters = 6000
	}
	var b []byte
	for i := range iters {
		b = b[:0]
		for range rng.IntN(60) {
			switch k := rng.IntN(20); {
			case k < 9:
				for range 1 + rng.IntN(12) {
					b = utf8.AppendRune(b, 0x4E00+rune(rng.IntN(0x9FFF-0x4E00+1)))
				}
			case k < 11:
				for range 1 + rng.IntN(6) {
					b = utf8.AppendRune(b, keys[rng.IntN(len(keys))])
				}
			default:
				b = append(b, pieces[rng.IntN(len(pieces))]...)
			}
		}
		n := ns[i%len(ns)]
		checkEqual(t, n, b)
		want, _ := reference(n.Options(), b)
		for _, room := range []int{len(want), len(want) + 1 + rng.IntN(20)} {
			dst := make([]rune, 1, 1+room)
			got, _ := n.Append(dst, b)
			if !slices.Equal(got[1:], want) {
				t.Fatalf("options %+v\ninput %q\nwith room for %d: got %q, want %q", n.Options(), b, room, show(string(got[1:])), show(string(want)))
			}
			if !n.Options().Masks && &got[0] != &dst[0] {
				t.Fatalf("options %+v\ninput %q: dst reallocated with room for %d runes, %d needed", n.Options(), b, room, len(want))
			}
		}
	}
}
