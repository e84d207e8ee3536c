package verify_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/quchong/quchong/shingle"
	"github.com/quchong/quchong/verify"
)

// englishLike returns an e-mail sized text of English words (n words) and
// variants of it: words replaced, and names masked in several places.
func englishLike(n int) (text, edited, masked []rune) {
	r := rand.New(rand.NewPCG(7, 8))
	vocab := strings.Fields("the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no will more about up out who them what some can time into only")
	words := make([]string, n)
	for i := range words {
		words[i] = vocab[r.IntN(len(vocab))]
	}
	text = []rune(strings.Join(words, " "))
	ed := append([]string(nil), words...)
	for range n / 50 {
		ed[r.IntN(n)] = "changed"
	}
	edited = []rune(strings.Join(ed, " "))
	ms := append([]string(nil), words...)
	for range 8 {
		ms[r.IntN(n)] = string(verify.Mask)
	}
	masked = []rune(strings.Join(ms, " "))
	return text, edited, masked
}

// BenchmarkPreparedPair measures what the confirm and cluster stages do
// for one borderline pair of e-mail sized English texts (600 words, about
// 2,900 characters): prepare both texts and compare them, without masks
// (a few words changed) and with eight masked words (filled from the other
// text). The kept document of a cluster is prepared once: kept-vs-8 is one
// prepared text compared with eight others, each prepared for the pair.
func BenchmarkPreparedPair(b *testing.B) {
	opt := verify.Options{Shingle: shingle.Options{N: 5}}
	text, edited, masked := englishLike(600)
	var s verify.Scratch
	b.Run("plain", func(b *testing.B) {
		b.SetBytes(int64(len(text) + len(edited)))
		for b.Loop() {
			verify.SimilarityPrepared(verify.PrepareWith(text, opt, &s), verify.PrepareWith(edited, opt, &s), opt, &s)
		}
	})
	b.Run("masked", func(b *testing.B) {
		b.SetBytes(int64(len(text) + len(masked)))
		for b.Loop() {
			verify.SimilarityPrepared(verify.PrepareWith(text, opt, &s), verify.PrepareWith(masked, opt, &s), opt, &s)
		}
	})
	b.Run("kept-vs-8", func(b *testing.B) {
		kept := verify.PrepareWith(text, opt, &s)
		b.SetBytes(int64(8 * len(edited)))
		for b.Loop() {
			for i := range 8 {
				other := edited
				if i%2 == 1 {
					other = masked
				}
				verify.SimilarityPrepared(kept, verify.PrepareWith(other, opt, &s), opt, &s)
			}
		}
	})
}
