package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/quchong/quchong/record"
)

func TestJSONLExtract(t *testing.T) {
	num := func(f float64) record.Value { return record.Value{Kind: record.Number, Num: f} }
	str := func(s string) record.Value { return record.Value{Kind: record.String, Str: s} }
	for _, tc := range []struct {
		line   string
		reason Reason
		text   string
		id     string // "" means no id
		fields map[string]record.Value
		fast   bool // the fast path must decide this line
	}{
		{line: `{"id":"a1","text":"你好，世界"}`, text: "你好，世界", id: "a1", fast: true},
		{line: ` { "text" : "x" , "id" : 42 } `, text: "x", id: "42", fast: true},
		{line: `{"text":"x","id":-1.5e3}`, text: "x", id: "-1.5e3", fast: true},
		{line: `{"text":"x","id":null}`, text: "x", fast: true},
		{line: `{"text":"x","id":true}`, text: "x", fast: true},
		{line: `{"text":"a\"b\\c\/d\n\t\r\b\f"}`, text: "a\"b\\c/d\n\t\r\b\f", fast: true},
		{line: `{"text":"\u4e2d\u6587 \ud83d\ude00"}`, text: "中文 😀", fast: true},
		{line: `{"text":"lone \ud800 high"}`, text: "lone \uFFFD high", fast: true},
		{line: `{"text":"pair split \ud83d\u0041"}`, text: "pair split \uFFFDA", fast: true},
		{line: `{"text":"trail \udc00"}`, text: "trail \uFFFD", fast: true},
		{line: `{"text":"first","text":"last"}`, text: "last", fast: true},
		{line: `{"text":"fi\nrst","text":"last"}`, text: "last", fast: true},
		{line: `{"text":"first","text":"la\tst"}`, text: "la\tst", fast: true},
		{line: `{"text":"é\n","text":"ascii"}`, text: "ascii", fast: true},
		{line: "{\"text\":\"ascii\",\"text\":\"bad \xe4\xb8\"}", reason: InvalidUTF8, fast: true},
		{line: `{"text":"a\nb","text":7}`, reason: NonStringText, fast: true},
		{line: `{"meta":{"a":[1,2,{"b":null}],"c":"}"},"text":"t","n":[]}`, text: "t", fast: true},
		{line: `{"text":"t","score":0.75,"lang":"zh","ok":true,"bad":false,"nil":null,"obj":{}}`, text: "t", fast: true,
			fields: map[string]record.Value{"score": num(0.75), "lang": str("zh"), "ok": num(1), "bad": num(0)}},
		{line: `{"text":"t","score":"0.75"}`, text: "t", fast: true, fields: map[string]record.Value{"score": str("0.75")}},
		{line: `{"text":"t","lang":"z\u0068"}`, text: "t", fast: true, fields: map[string]record.Value{"lang": str("zh")}},
		{line: "{\"text\":\"t\",\"lang\":\"a\xffb\"}", text: "t", fast: true, fields: map[string]record.Value{"lang": str("a\uFFFDb")}},
		{line: `{"t\u0065xt":"escaped key"}`, text: "escaped key"},
		{line: "{\"text\":\"x\"}\r", text: "x", fast: true},

		{line: ``, reason: Empty},
		{line: " \t\r", reason: Empty},
		{line: `{"text":""}`, reason: Empty, fast: true},
		{line: `{"text":"  \u3000\n"}`, reason: Empty, fast: true},
		{line: `{"text":null}`, reason: MissingText, fast: true},
		{line: `{"id":"a"}`, reason: MissingText, fast: true},
		{line: `{}`, reason: MissingText, fast: true},
		{line: `{"text":12}`, reason: NonStringText, fast: true},
		{line: `{"text":["a"]}`, reason: NonStringText, fast: true},
		{line: `{"text":{"zh":"a"}}`, reason: NonStringText, fast: true},
		{line: "{\"text\":\"bad \xe4\xb8 utf8\"}", reason: InvalidUTF8, fast: true},
		{line: `{"text":"x"`, reason: MalformedJSON},
		{line: `{"text":"x"}}`, reason: MalformedJSON},
		{line: `{"text":"x",}`, reason: MalformedJSON},
		{line: `{"text":"a` + "\t" + `b"}`, reason: MalformedJSON},
		{line: `{"text":"\x"}`, reason: MalformedJSON},
		{line: `{"text":"x","n":01}`, reason: MalformedJSON},
		{line: `{"text":"x","n":tru}`, reason: MalformedJSON},
		{line: `["text","x"]`, reason: MalformedJSON},
		{line: `null`, reason: MalformedJSON},
		{line: `"text"`, reason: MalformedJSON},
		{line: `{"text":"x"} {"text":"y"}`, reason: MalformedJSON},
	} {
		t.Run(tc.line, func(t *testing.T) {
			x := newJSONLExtractor("text", "id", []string{"score", "lang", "ok", "bad", "nil", "obj"})
			if got := x.scan([]byte(tc.line)); tc.fast && !got {
				t.Errorf("fast path gave up")
			}
			rec := x.extract([]byte(tc.line))
			if rec.reason != tc.reason {
				t.Fatalf("reason %q (%s), want %q", rec.reason, rec.detail, tc.reason)
			}
			if tc.reason != "" {
				return
			}
			if string(rec.text) != tc.text {
				t.Errorf("text %q, want %q", rec.text, tc.text)
			}
			if rec.hasID != (tc.id != "") || string(rec.id) != tc.id {
				t.Errorf("id %q (present %v), want %q", rec.id, rec.hasID, tc.id)
			}
			if !reflect.DeepEqual(rec.fields, tc.fields) {
				t.Errorf("fields %v, want %v", rec.fields, tc.fields)
			}
		})
	}
}

// extractBoth runs the fast path (when it decides) and encoding/json on one
// line and reports a difference, if any.
func extractBoth(line []byte, keys []string) (fastDecided bool, diff string) {
	fast := newJSONLExtractor(keys[0], keys[1], keys[2:])
	if isBlankASCII(line) || !fast.scan(line) {
		return false, ""
	}
	f := fast.interpret(fast.raws, fast.unquoteFast)
	slow := newJSONLExtractor(keys[0], keys[1], keys[2:])
	s := slow.slow(line)
	switch {
	case f.reason != s.reason:
		return true, fmt.Sprintf("reason fast %q (%s), encoding/json %q (%s)", f.reason, f.detail, s.reason, s.detail)
	case !bytes.Equal(f.text, s.text):
		return true, fmt.Sprintf("text fast %q, encoding/json %q", f.text, s.text)
	case string(f.id) != string(s.id) || f.hasID != s.hasID:
		return true, fmt.Sprintf("id fast %q/%v, encoding/json %q/%v", f.id, f.hasID, s.id, s.hasID)
	case !reflect.DeepEqual(f.fields, s.fields):
		return true, fmt.Sprintf("fields fast %v, encoding/json %v", f.fields, s.fields)
	}
	return true, ""
}

// FuzzJSONLExtract holds the fast path equal to encoding/json: whenever the
// fast path decides a line, encoding/json must decide it the same way, with
// the same text, id and fields.
func FuzzJSONLExtract(f *testing.F) {
	for _, s := range []string{
		`{"id":"a1","text":"你好，世界"}`,
		`{"text":"\u4e2d\ud83d\ude00\ud800x","id":12,"score":1e400}`,
		`{"text":"x","score":-0.5,"lang":"zh","ok":true,"meta":{"a":[1,{"b":"\""}]}}`,
		`{"text":"a","text":7}`,
		`{"text":null,"id":"q"}`,
		"{\"text\":\"\xff\",\"lang\":\"\xc3\"}",
		`{"text":"  "}`,
		`{"text":"x",}`,
		`{"a":[[[[[[[[]]]]]]]],"text":"deep"}`,
		`{"text":"\/\b\f\n\r\t\\","id":"\ud83d"}`,
	} {
		f.Add([]byte(s))
	}
	keys := []string{"text", "id", "score", "lang", "ok", "meta"}
	f.Fuzz(func(t *testing.T, line []byte) {
		if validUTF8(line) != utf8.Valid(line) {
			t.Errorf("validUTF8(%q) = %v, utf8.Valid says %v", line, validUTF8(line), utf8.Valid(line))
		}
		if _, diff := extractBoth(line, keys); diff != "" {
			t.Errorf("line %q: %s", line, diff)
		}
	})
}

// TestFastPathAgreesOnSamples runs the fuzz comparison over many systematic
// mutations of realistic lines, so plain `go test` covers more than the seeds.
func TestFastPathAgreesOnSamples(t *testing.T) {
	base := `{"id":"doc-1","text":"第一段\n第二段 \u00e9\ud83d\ude00","score":3.5,"lang":"zh","ok":false,"meta":{"src":["a","b"],"n":null}}`
	keys := []string{"text", "id", "score", "lang", "ok", "meta"}
	decided := 0
	for i := 0; i <= len(base); i++ {
		for _, ins := range []string{"", `"`, `\`, "\x01", "\xff", " ", ",", "}", "]", "0", "-", "e", "u"} {
			line := base[:i] + ins + base[min(i+1, len(base)):]
			d, diff := extractBoth([]byte(line), keys)
			if diff != "" {
				t.Fatalf("line %q: %s", line, diff)
			}
			if d {
				decided++
			}
		}
	}
	if decided == 0 {
		t.Fatal("the fast path decided none of the samples")
	}
}

// realisticLines returns JSONL lines like the ones the engine reads: long
// Chinese texts with a few short metadata fields. With the shared sample
// present it uses its first 2000 lines instead.
func realisticLines(b *testing.B) ([][]byte, string) {
	const sample = "/work/shared/data/corpus/zh_mix_10mb.jsonl.zst"
	if _, err := os.Stat(sample); err == nil {
		if out, err := exec.Command("sh", "-c", "zstdcat "+sample+" | head -2000").Output(); err == nil && len(out) > 0 {
			return bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")), "zh_mix_10mb"
		}
	}
	seed, err := os.ReadFile("../testdata/seed.txt")
	if err != nil {
		b.Fatal(err)
	}
	var lines [][]byte
	for i, s := range strings.Split(strings.TrimSpace(string(seed)), "\n") {
		text, _ := json.Marshal(s)
		lines = append(lines, fmt.Appendf(nil, `{"id":"seed-%d","source":"gov-report","url":"https://example.org/%d","text":%s,"score":0.%d}`, i, i, text, i))
	}
	return lines, "seed"
}

func BenchmarkJSONLExtract(b *testing.B) {
	lines, name := realisticLines(b)
	var total int64
	for _, l := range lines {
		total += int64(len(l))
	}
	for _, path := range []string{"fast", "encoding-json"} {
		b.Run(name+"/"+path, func(b *testing.B) {
			x := newJSONLExtractor("text", "id", nil)
			b.SetBytes(total)
			b.ReportAllocs()
			for b.Loop() {
				for _, l := range lines {
					var rec jsonlRecord
					if path == "fast" {
						rec = x.extract(l)
					} else {
						rec = x.slow(l)
					}
					if rec.reason != "" {
						b.Fatalf("%s: %s", rec.reason, rec.detail)
					}
				}
			}
		})
	}
}

func TestValidUTF8(t *testing.T) {
	for _, s := range []string{
		"", "ascii only, longer than eight bytes", "中文字符串，足够长的一段", "mixed 中文 and ASCII 😀 é",
		"\xe0\xa0\x80", "\xe0\x9f\xbf", "\xed\x9f\xbf", "\xed\xa0\x80", "\xef\xbf\xbf", "\xe4\xb8", "\xe4\xb8\xadx\xe4",
		"中\xe4\xb8\x41文", "\xf0\x9f\x98\x80\xf4\x90\x80\x80", "\xc0\x80", "abc\xff", "中中中中中\xed\xbf\xbf",
	} {
		if got, want := validUTF8([]byte(s)), utf8.Valid([]byte(s)); got != want {
			t.Errorf("validUTF8(%q) = %v, want %v", s, got, want)
		}
	}
}
