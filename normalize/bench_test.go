package normalize

import (
	"bytes"
	"testing"
)

// englishSample is a paragraph of ordinary English prose with punctuation,
// digits and a stray placeholder, repeated by the benchmarks.
const englishSample = `The committee met on Tuesday, 14 March, to review the quarterly figures. ` +
	`Revenue rose by 12% compared with the previous quarter, while costs fell slightly; ` +
	`the board said the results were "encouraging but not yet sufficient". Mr. X, who ` +
	`chaired the session, asked for a revised forecast by the end of the month. ` +
	`Questions about the new XXL product line, the Xbox partnership and the x86 port ` +
	`were deferred to the next meeting (scheduled for April).` + "\n"

func benchText(b *testing.B, zh bool) []byte {
	if zh {
		seed := bytes.Join(seedLines(b), []byte("\n"))
		return bytes.Repeat(seed, 8)
	}
	return bytes.Repeat([]byte(englishSample), 200)
}

func BenchmarkNormalize(b *testing.B) {
	for _, lang := range []struct {
		name string
		zh   bool
	}{{"zh", true}, {"en", false}} {
		text := benchText(b, lang.zh)
		b.Run(lang.name+"/Default", func(b *testing.B) {
			n := New(Default())
			dst := make([]rune, 0, len(text))
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				dst, _ = n.Append(dst[:0], text)
			}
		})
		b.Run(lang.name+"/WordBreaks", func(b *testing.B) {
			opt := Default()
			opt.WordBreaks = true
			n := New(opt)
			dst := make([]rune, 0, len(text))
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				dst, _ = n.Append(dst[:0], text)
			}
		})
		b.Run(lang.name+"/Reference", func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				reference(Default(), text)
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	New(Default()) // shared tables
	for b.Loop() {
		New(Default())
	}
}

// BenchmarkCorpus runs Default over the first 5 MB of the shared Chinese
// corpus, when it is present.
func BenchmarkCorpus(b *testing.B) {
	docs, err := corpusTexts(5 << 20)
	if err != nil {
		b.Fatal(err)
	}
	if docs == nil {
		b.Skipf("%s missing", corpusPath)
	}
	total := 0
	for _, d := range docs {
		total += len(d)
	}
	n := New(Default())
	dst := make([]rune, 0, 1<<20)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			dst, _ = n.Append(dst[:0], d)
		}
	}
}
