package corpus

import (
	"bytes"
	"encoding/json"

	"strings"
	"testing"
	"unicode/utf8"
)

// stringPieces are the parts the scanner tests build string bodies from:
// runs, every escape, \u surrogates (paired, lone, broken), non-ASCII text,
// invalid UTF-8, control characters, quotes and truncated escapes.
var stringPieces = []string{
	"a", "abcdefg", "0123456789abcdef", "中", "中文字", "é", "😀", " ",
	`\n`, `\"`, `\\`, `\/`, `\b`, `\f`, `\r`, `\t`,
	`\u0041`, `\u4e2d`, `\u00E9`, `\ud83d\ude00`, `\ud800`, `\udc00`, `\ud83d\u0041`, `\ud83dx`, `\ud83d\n`,
	"\xff", "\xe4\xb8", "\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80",
	"\x00", "\x1f", "\t", "\n", "\x7f",
	`\`, `\x`, `\u12`, `\u12g4`, `\U0041`, `"`,
}

// refScanString is what scanStringInto must find in the literal at s[i]:
// whether encoding/json takes it as a string (then where it ends, what it
// holds and its decoding).
func refScanString(s []byte, i int) (end, flags int, decoded []byte, ok bool) {
	// The literal ends at the first quote not escaped.
	j := i + 1
	for j < len(s) && s[j] != '"' {
		if s[j] == '\\' {
			j++
		}
		j++
	}
	if j >= len(s) {
		return 0, 0, nil, false
	}
	lit := s[i : j+1]
	var str string
	if err := json.Unmarshal(lit, &str); err != nil {
		return 0, 0, nil, false
	}
	body := lit[1 : len(lit)-1]
	if bytes.IndexByte(body, '\\') >= 0 {
		flags |= strEscaped
	}
	if !isASCII(body) {
		flags |= strNonASCII
	}
	return j + 1, flags, []byte(str), true
}

// checkScanString compares scanStringInto, with and without decoding, with
// encoding/json on the literal at s[i].
func checkScanString(t *testing.T, s []byte, i int) {
	t.Helper()
	wantEnd, wantFlags, wantDec, wantOK := refScanString(s, i)
	end, flags, ok := scanStringInto(s, i, nil)
	dst := unescaper{b: []byte("stale")}
	end2, flags2, ok2 := scanStringInto(s, i, &dst)
	if end != end2 || flags != flags2 || ok != ok2 {
		t.Fatalf("%q at %d: decoding changed the scan: (%d %b %v) then (%d %b %v)", s, i, end, flags, ok, end2, flags2, ok2)
	}
	if ok != wantOK {
		t.Fatalf("%q at %d: ok %v, encoding/json says %v", s, i, ok, wantOK)
	}
	if !ok {
		return
	}
	if end != wantEnd || flags != wantFlags {
		t.Fatalf("%q at %d: end %d flags %b, want %d %b", s, i, end, flags, wantEnd, wantFlags)
	}
	if e, _, _ := scanString(s, i); e != end {
		t.Fatalf("%q at %d: scanString ends at %d, scanStringInto at %d", s, i, e, end)
	}
	body := s[i+1 : end-1]
	if flags&strEscaped == 0 {
		if string(dst.b) != "stale" {
			t.Fatalf("%q at %d: no escapes, but dst was set to %q", s, i, dst.b)
		}
		return
	}
	if utf8.Valid(body) && !bytes.Equal(dst.b, wantDec) {
		// Decoding is only asked of valid UTF-8 (the text's bytes are
		// checked first); encoding/json turns invalid bytes into U+FFFD.
		t.Fatalf("%q at %d: decoded %q, encoding/json %q", s, i, dst.b, wantDec)
	}
	x := newJSONLExtractor("text", "id", nil)
	if got := x.unquoteFast(s[i:end], false); !bytes.Equal(got, wantDec) {
		t.Fatalf("%q at %d: unquoteFast %q, encoding/json %q", s, i, got, wantDec)
	}
}

// TestScanStringPieces puts every piece, and every pair of pieces, at every
// offset from 0 to 17 in a string (so at every position relative to the
// scanner's 8- and 16-byte loads), with text of every length from 0 to 17
// after it, and holds the scanner to encoding/json.
func TestScanStringPieces(t *testing.T) {
	pad := "ABCDEFGHIJKLMNOPQR"
	n := 0
	for _, p := range stringPieces {
		for _, q := range append([]string{""}, stringPieces...) {
			for pre := 0; pre <= 17; pre++ {
				for post := 0; post <= 17; post += 1 + 8*min(len(q), 1) {
					// A key before the string, as in a line.
					s := []byte(`{"k":"` + pad[:pre] + p + q + pad[:post] + `"}`)
					checkScanString(t, s, 5)
					// The line ending inside the string.
					checkScanString(t, s[:len(s)-2], 5)
					n++
				}
			}
		}
	}
	if n < 10000 {
		t.Fatalf("only %d strings", n)
	}
}

// TestScanStringCases lists literals whose result is known.
func TestScanStringCases(t *testing.T) {
	for _, tc := range []struct {
		lit   string
		ok    bool
		flags int
		dec   string
	}{
		{lit: `""`, ok: true},
		{lit: `"plain ascii text, longer than sixteen bytes"`, ok: true},
		{lit: `"中文"`, ok: true, flags: strNonASCII},
		{lit: `"a\nb"`, ok: true, flags: strEscaped, dec: "a\nb"},
		{lit: `"0123456789abcde\"tail"`, ok: true, flags: strEscaped, dec: `0123456789abcde"tail`},
		{lit: `"0123456\u4e2d"`, ok: true, flags: strEscaped, dec: "0123456中"},
		{lit: `"中\ud83d\ude00"`, ok: true, flags: strEscaped | strNonASCII, dec: "中😀"},
		{lit: `"\ud800\ud800"`, ok: true, flags: strEscaped, dec: "\uFFFD\uFFFD"},
		{lit: `"\udc00x"`, ok: true, flags: strEscaped, dec: "\uFFFDx"},
		{lit: "\"0123456789abcdef\x01\"", ok: false},
		{lit: "\"0123456\t\"", ok: false},
		{lit: `"0123456789\x"`, ok: false},
		{lit: `"0123456789\u00"`, ok: false},
		{lit: `"0123456789abcdef`, ok: false},
		{lit: `"0123456789abcde\`, ok: false},
	} {
		t.Run(tc.lit, func(t *testing.T) {
			var dst unescaper
			end, flags, ok := scanStringInto([]byte(tc.lit), 0, &dst)
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if end != len(tc.lit) || flags != tc.flags {
				t.Errorf("end %d flags %b, want %d %b", end, flags, len(tc.lit), tc.flags)
			}
			if flags&strEscaped != 0 && string(dst.b) != tc.dec {
				t.Errorf("decoded %q, want %q", dst.b, tc.dec)
			}
			checkScanString(t, []byte(tc.lit), 0)
		})
	}
}

// utf8Samples are valid and invalid sequences for the UTF-8 tests: every
// lead byte's limits (E0 and ED restrict their second byte, F0 and F4 too),
// overlongs, surrogates, truncations, stray continuation bytes.
var utf8Samples = []string{
	"a", "é", "中", "😀", "\u0800", "\uffff", "\U00010000", "\U0010ffff", "\ud7ff", "\ue000",
	"\xe0\xa0\x80", "\xe0\x9f\xbf", "\xed\x9f\xbf", "\xed\xa0\x80", "\xef\xbf\xbf",
	"\xf0\x90\x80\x80", "\xf0\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
	"\xc0\x80", "\xc1\xbf", "\xc2\x80", "\xdf\xbf", "\xe4\xb8", "\xe4", "\xf0\x9f\x98", "\xf0\x9f",
	"\x80", "\xbf", "\xff", "\xfe", "\xe4\xb8\x41", "\xe4\x41\xad", "\xc3\x28",
}

// TestValidUTF8EveryPosition puts every sample, and every pair, at every
// offset from 0 to 33 in ASCII, Chinese and mixed text, and holds validUTF8
// to utf8.Valid.
func TestValidUTF8EveryPosition(t *testing.T) {
	ctx := []string{
		strings.Repeat("x", 40),
		strings.Repeat("中文字符", 4),
		"中a文bc字def符ghij号klmno标",
	}
	for _, c := range ctx {
		for _, p := range utf8Samples {
			for _, q := range append([]string{""}, utf8Samples...) {
				for pre := 0; pre <= 33 && pre <= len(c); pre++ {
					for _, post := range []string{"", c[:min(len(c), 17)], c} {
						s := []byte(c[:pre] + p + q + post)
						if got, want := validUTF8(s), utf8.Valid(s); got != want {
							t.Fatalf("validUTF8(%q) = %v, utf8.Valid says %v", s, got, want)
						}
					}
				}
			}
		}
	}
}

// TestValidUTF8Exhaustive tries every two-byte string, and three-byte
// strings of every lead byte, alone and after 15 or 16 bytes of Chinese text
// (at both parities of validUTF8's two-byte steps) with nothing, ASCII or
// Chinese after them, against utf8.Valid.
func TestValidUTF8Exhaustive(t *testing.T) {
	pres := [][]byte{nil, []byte("中文字符串"), []byte("中文字符串x")}
	posts := [][]byte{nil, []byte("0123456789abcdef"), []byte("中文字符串中")}
	buf := make([]byte, 0, 64)
	check := func(tail ...byte) {
		for _, pre := range pres {
			for _, post := range posts {
				s := append(append(append(buf[:0], pre...), tail...), post...)
				if got, want := validUTF8(s), utf8.Valid(s); got != want {
					t.Fatalf("validUTF8(%q) = %v, utf8.Valid says %v", s, got, want)
				}
			}
		}
	}
	thirds := []byte{0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE4, 0xF0, 0xFF}
	for a := 0; a < 256; a++ {
		check(byte(a))
		for b := 0; b < 256; b++ {
			check(byte(a), byte(b))
			if a >= 0xC0 {
				for _, c := range thirds {
					check(byte(a), byte(b), c)
				}
			}
		}
	}
}

// TestEscapesAtEveryPosition runs whole lines through the fast path and
// encoding/json with an escape, an invalid byte or a control character at
// every position of English and Chinese texts.
func TestEscapesAtEveryPosition(t *testing.T) {
	keys := []string{"text", "id", "lang"}
	decided := 0
	for _, base := range []string{
		"The quick brown fox jumps over the lazy dog, twice over.",
		"中文字符串，足够长的一段文字。我们在这里写一些汉字",
	} {
		for i := 0; i <= len(base); i++ {
			for _, ins := range []string{`\n`, `\"`, `\\`, `\u00e9`, `\ud83d\ude00`, `\ud800`, "\xff", "\x01", `\`, `\u12`, `"`, "é"} {
				text := base[:i] + ins + base[i:]
				for _, line := range []string{
					`{"id":"d","text":"` + text + `","lang":"zh"}`,
					`{"text":"` + text + `"}`,
					`{"text":"x","lang":"` + text + `","text":"` + text + `"}`,
				} {
					d, diff := extractBoth([]byte(line), keys)
					if diff != "" {
						t.Fatalf("line %q: %s", line, diff)
					}
					if d {
						decided++
					}
				}
			}
		}
	}
	if decided == 0 {
		t.Fatal("the fast path decided none of the lines")
	}
}

// FuzzScanString holds scanStringInto to encoding/json on any literal.
func FuzzScanString(f *testing.F) {
	for _, p := range stringPieces {
		f.Add([]byte(`"0123456789` + p + `tail"`))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		if len(s) == 0 || s[0] != '"' {
			s = append([]byte{'"'}, s...)
		}
		checkScanString(t, s, 0)
	})
}

// FuzzValidUTF8 holds validUTF8 to utf8.Valid.
func FuzzValidUTF8(f *testing.F) {
	for _, s := range utf8Samples {
		f.Add([]byte("中文字符串" + s + "tail"))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		if got, want := validUTF8(s), utf8.Valid(s); got != want {
			t.Errorf("validUTF8(%q) = %v, utf8.Valid says %v", s, got, want)
		}
	})
}
