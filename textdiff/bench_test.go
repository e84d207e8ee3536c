package textdiff

import (
	"math/rand/v2"
	"testing"
)

func benchPair(n, edits int, similar bool) ([]rune, []rune) {
	r := rand.New(rand.NewPCG(5, 6))
	alpha := []rune("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理世车")
	a := randomRunes(r, n, alpha)
	if similar {
		return a, mutate(r, a, edits, alpha)
	}
	return a, randomRunes(r, n, alpha)
}

func benchmarkRunes(b *testing.B, n, edits int, similar bool) {
	x, y := benchPair(n, edits, similar)
	b.SetBytes(int64(4 * (len(x) + len(y))))
	b.ReportAllocs()
	for b.Loop() {
		Runes(x, y)
	}
}

// Near duplicates: a 2,000-character document and a copy with 20 edits.
func BenchmarkRunesNear2K(b *testing.B) { benchmarkRunes(b, 2000, 20, true) }

// A 100,000-character document with 500 edits.
func BenchmarkRunesNear100K(b *testing.B) { benchmarkRunes(b, 100_000, 500, true) }

// Unrelated texts, the worst case the limit bounds.
func BenchmarkRunesUnrelated10K(b *testing.B) { benchmarkRunes(b, 10_000, 0, false) }

func BenchmarkCleanup(b *testing.B) {
	x, y := benchPair(2000, 200, true)
	ops := Runes(x, y)
	b.SetBytes(int64(4 * (len(x) + len(y))))
	b.ReportAllocs()
	for b.Loop() {
		Cleanup(ops)
	}
}
