package corpus

import (
	"strings"
	"testing"
)

// Issue 19 item 8: --max-doc-bytes bounds a JSONL document's text, not its
// line: a text written with \u escapes (twice its size) is accepted at a
// limit its line exceeds; a text over the limit is rejected, and so is a
// line too long to be held.
func TestJSONLLimitOnText(t *testing.T) {
	const limit = 1000
	escaped := strings.Repeat(`\u4e2d`, 200) // 600 bytes of text in a 1,200-byte field
	plain := strings.Repeat("中", 200)
	over := strings.Repeat("中", 334) // 1,002 bytes
	huge := strings.Repeat("x", 2*limit+1<<20)
	input := `{"text":"` + escaped + `"}` + "\n" +
		`{"text":"` + over + `"}` + "\n" +
		`{"text":"ok","pad":"` + huge + `"}` + "\n" +
		`{"text":"after"}` + "\n"
	for _, comp := range []Compression{None, Zstd} {
		path := writeInput(t, t.TempDir(), "a.jsonl", []byte(input), comp)
		got, err := readAll(t, path, Options{MaxDocBytes: limit})
		if err != nil {
			t.Fatal(err)
		}
		checkOutcomes(t, path, got, []want{{text: plain}, {reason: TooLarge}, {reason: TooLarge}, {text: "after"}})
		if len(got) > 1 && got[1].reject != nil && !strings.Contains(got[1].reject.Detail, "text of 1002 bytes") {
			t.Errorf("the rejection of a long text says %q", got[1].reject.Detail)
		}
	}
	// The output pass captures the same texts as the reader gives.
	path := writeInput(t, t.TempDir(), "b.jsonl", []byte(input), None)
	var captured []string
	err := PartitionCapture(path, Options{MaxDocBytes: limit}, "", "", func(int64) Route { return Drop }, &TextCapture{
		Want: func(int64) bool { return true },
		Got:  func(_ int64, text []byte) { captured = append(captured, string(text)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(captured) != 2 || captured[0] != plain || captured[1] != "after" {
		t.Errorf("captured %d texts, want the two the reader accepts", len(captured))
	}
}
