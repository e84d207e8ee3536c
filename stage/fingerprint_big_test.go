package stage

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/quchong/quchong/shingle"
)

// A text longer than shingleChunk runes is signed in parts; the signature
// must be the one its whole shingle set gives, for texts that end inside,
// at and just past a part.
func TestFingerprintLargeText(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		return string(rune(0x4e00 + rng.IntN(3000)))
	}
	st, err := New(DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	n := st.Params().Shingle.N
	for _, length := range []int{shingleChunk + 1, shingleChunk + n - 1, 2*shingleChunk + 7, 3 * shingleChunk} {
		var b strings.Builder
		for range length {
			b.WriteString(word())
		}
		text := []byte(b.String())
		got := make([]uint32, st.Params().K)
		sc := new(Scratch)
		fp := st.Fingerprint(got, text, sc)
		runes, _ := st.Normalize(nil, text)
		want := make([]uint32, st.Params().K)
		wantSigned := st.signer.Sign(want, shingle.Hashes(nil, runes, st.Params().Shingle))
		if fp.Signed != wantSigned || !slices.Equal(got, want) {
			t.Errorf("%d runes: the signature in parts differs from the whole one", length)
		}
		if cap(sc.runes) > 4*shingleChunk || cap(sc.shingles) > 2*shingleChunk {
			t.Errorf("%d runes: the scratch keeps %d runes and %d shingles after the document", length, cap(sc.runes), cap(sc.shingles))
		}
	}
}
