package stage

import (
	"bufio"
	"os"
	"testing"

	"github.com/quchong/quchong/internal/testcorpus"
)

// benchTexts returns the seed's twenty documents: Chinese reports of a few
// hundred to a few thousand characters, with exact and re-masked copies.
func benchTexts(b *testing.B) [][]byte {
	b.Helper()
	f, err := os.Open("../testdata/seed.txt")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var texts [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		texts = append(texts, append([]byte(nil), sc.Bytes()...))
	}
	if len(texts) < 20 {
		b.Fatalf("%d seed documents, want 20", len(texts))
	}
	return texts
}

func benchStages(b *testing.B) *Stages {
	b.Helper()
	st, err := New(DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkFingerprint measures the first pass's work per byte of text:
// normalise, hash, shingle and sign (the detection work proper).
func BenchmarkFingerprint(b *testing.B) {
	texts, st := benchTexts(b), benchStages(b)
	var n int64
	for _, t := range texts {
		n += int64(len(t))
	}
	sig := make([]uint32, st.Params().K)
	sc := new(Scratch)
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			st.Fingerprint(sig, t, sc)
		}
	}
}

// BenchmarkLink measures screening one bucket of the seed's twenty
// documents by their signatures.
func BenchmarkLink(b *testing.B) {
	texts, st := benchTexts(b), benchStages(b)
	sigs := make([][]uint32, len(texts))
	masked := make([]bool, len(texts))
	sc := new(Scratch)
	bucket := make([]uint32, len(texts))
	for i, t := range texts {
		sigs[i] = make([]uint32, st.Params().K)
		fp := st.Fingerprint(sigs[i], t, sc)
		masked[i] = fp.Masks > 0
		bucket[i] = uint32(i)
	}
	pairs := 0
	for b.Loop() {
		pairs = 0
		st.Link(bucket, func(i uint32) []uint32 { return sigs[i] }, func(i uint32) bool { return masked[i] }, func(Pair) { pairs++ })
	}
	b.ReportMetric(float64(pairs), "pairs/bucket")
}

// BenchmarkConfirm measures the mask-aware text similarity of the seed's
// re-masked pair (lines 16 and 19), the costliest kind of check.
func BenchmarkConfirm(b *testing.B) {
	texts, st := benchTexts(b), benchStages(b)
	x, _ := st.Normalize(nil, texts[15])
	y, _ := st.Normalize(nil, texts[18])
	sc := new(Scratch)
	b.SetBytes(int64(len(texts[15]) + len(texts[18])))
	var sim float64
	for b.Loop() {
		sim, _ = st.Confirm(x, y, sc)
	}
	if sim < st.Params().Threshold {
		b.Fatalf("similarity %.3f of the re-masked pair, want ≥ %.2f", sim, st.Params().Threshold)
	}
}

// BenchmarkDecide measures the cluster decision of a component of all
// twenty seed documents, every text check included.
func BenchmarkDecide(b *testing.B) {
	texts, st := benchTexts(b), benchStages(b)
	j := &MemJudge{Stages: st, Sigs: map[uint32][]uint32{}, Masks: map[uint32]bool{}, Texts: map[uint32][]rune{}}
	sc := new(Scratch)
	var members []Member
	for i, t := range texts {
		sig := make([]uint32, st.Params().K)
		fp := st.Fingerprint(sig, t, sc)
		rep := uint32(i)
		for m := range members {
			if string(texts[m]) == string(t) {
				rep = members[m].Rep
				break
			}
		}
		members = append(members, Member{Index: uint32(i), Rep: rep, Length: fp.Length, Masks: fp.Masks})
		if rep == uint32(i) {
			if fp.Signed {
				j.Sigs[rep] = sig
			}
			j.Masks[rep] = fp.Masks > 0
			j.Texts[rep], _ = st.Normalize(nil, t)
		}
	}
	var d Decision
	for b.Loop() {
		var err error
		if d, err = st.Decide(members, j); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(d.Clusters)), "clusters")
}

// corpusBench names the shared corpora BenchmarkFingerprintCorpus reads,
// when they are present.
var corpusBench = []struct{ name, path string }{
	{"en", "../../shared/data/corpus/en_spamassassin.jsonl.zst"},
	{"zh", "../../shared/data/corpus/zh_mix_10mb.jsonl.zst"},
}

// corpusTexts returns the text fields of the first limit bytes of texts of
// a shared corpus, or nil when the file is missing.
func corpusTexts(b *testing.B, path string, limit int) [][]byte {
	b.Helper()
	texts, err := testcorpus.Texts(path, limit)
	if err != nil {
		b.Fatal(err)
	}
	return texts
}

// BenchmarkFingerprintCorpus measures the fingerprint stage and its parts
// on the first 4 MB of texts of the shared English and Chinese corpora:
// Fingerprint whole, normalisation alone, and shingling and signing of
// normalised runes (SignNormalized).
func BenchmarkFingerprintCorpus(b *testing.B) {
	st := benchStages(b)
	for _, c := range corpusBench {
		texts := corpusTexts(b, c.path, 4<<20)
		if texts == nil {
			b.Logf("%s missing", c.path)
			continue
		}
		var n int64
		normed := make([][]rune, len(texts))
		for i, t := range texts {
			n += int64(len(t))
			normed[i], _ = st.Normalize(nil, t)
		}
		sig := make([]uint32, st.Params().K)
		sc := new(Scratch)
		b.Run(c.name+"/Fingerprint", func(b *testing.B) {
			b.SetBytes(n)
			b.ReportAllocs()
			for b.Loop() {
				for _, t := range texts {
					st.Fingerprint(sig, t, sc)
				}
			}
		})
		b.Run(c.name+"/Normalize", func(b *testing.B) {
			b.SetBytes(n)
			var dst []rune
			for b.Loop() {
				for _, t := range texts {
					dst, _ = st.Normalize(dst[:0], t)
				}
			}
		})
		b.Run(c.name+"/SignNormalized", func(b *testing.B) {
			b.SetBytes(n)
			for b.Loop() {
				for _, r := range normed {
					st.SignNormalized(sig, r, sc)
				}
			}
		})
	}
}
