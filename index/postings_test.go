package index

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestPostingListRoundTrip: a list decodes to the check bits and numbers
// it was built from, for every width and for offsets dense and sparse.
func TestPostingListRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		b       uint8
		n       int
		maxOff  uint64
		base    uint64
		sameKey bool
	}{
		{8, 1, 1, 0, false},
		{13, 30, 7402, 5, false},
		{17, 25, 98467, 1 << 20, false},
		{20, 40, 1 << 20, 0, false},
		{24, 1, 1<<32 - 2, 7, false},
		{24, 50, 100, 0, true},
		// Skewed: entries crowded at the low end and one at the top, so
		// that the top one's gap is a unary code too long for the fast
		// path.
		{12, 200, 1 << 20, 3, true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("b%d_n%d", tc.b, tc.n), func(t *testing.T) {
			hi := rng.Uint32() &^ (1<<(32-tc.b) - 1)
			var ps []uint64
			want := map[[2]uint64]bool{}
			for i := 0; i < tc.n; i++ {
				k32 := hi | rng.Uint32()&(1<<(32-tc.b)-1)
				if tc.sameKey {
					k32 = hi | 5
				}
				off := rng.Uint64N(tc.maxOff + 1)
				if tc.sameKey && tc.n > 100 {
					off = uint64(i) // crowded
					if i == tc.n-1 {
						k32, off = hi|(1<<(32-tc.b)-1), tc.maxOff
					}
				}
				ps = append(ps, posting(k32, off))
				want[[2]uint64{uint64(checkBits(k32, tc.b)), tc.base + off}] = true
			}
			slices.Sort(ps)
			ps = slices.Compact(ps)
			v := encodeList(nil, ps, tc.b, tc.base)
			got := map[[2]uint64]bool{}
			if err := decodeListAll(v, tc.b, func(check uint32, seq uint64) bool {
				got[[2]uint64{uint64(check), seq}] = true
				return true
			}); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("decoded %d entries, want %d", len(got), len(want))
			}
			for k := range want {
				if !got[k] {
					t.Errorf("entry %v lost", k)
				}
			}
			// The filtered decoding finds exactly the entries with given
			// check bits.
			for k := range want {
				seqs, err := decodeList(v, tc.b, uint32(k[0]), nil)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for k2 := range want {
					if k2[0] == k[0] {
						n++
					}
				}
				if len(seqs) != n || !slices.Contains(seqs, k[1]) {
					t.Errorf("check bits %x: %v, want %d entries with %d", k[0], seqs, n, k[1])
				}
			}
			if err := decodeListAll(v[:len(v)/2], tc.b, func(uint32, uint64) bool { return true }); err == nil && tc.n > 4 {
				t.Error("a truncated list decoded without error")
			}
		})
	}
}

// TestLargeVersionTables: a version written as ingested tables (its
// records beyond spillBytes) and one written as a batch, of different
// widths, are both found by checks, verify clean, survive a reopen and
// roll back.
func TestLargeVersionTables(t *testing.T) {
	dir := t.TempDir()
	ix := openNew(t, dir)
	ix.spillBytes = 4 << 10
	rng := rand.New(rand.NewPCG(5, 6))
	alpha := []rune("的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明社")
	texts := make([]string, 5000)
	ids := make([]string, len(texts))
	for i := range texts {
		var sb strings.Builder
		for j := 0; j < 120; j++ {
			sb.WriteRune(alpha[rng.IntN(len(alpha))])
		}
		texts[i], ids[i] = sb.String(), fmt.Sprint("big", i)
	}
	v1 := addTexts(t, ix, "large", ids, texts)
	if v1.BucketBits != bucketBits(len(texts)) || v1.BucketBits >= smallBucketBits {
		t.Fatalf("large version of width %d, want %d", v1.BucketBits, bucketBits(len(texts)))
	}
	if _, err := os.Stat(ix.ingestDir()); !os.IsNotExist(err) {
		t.Errorf("ingest directory left after the commit: %v", err)
	}
	lines := seedLines(t)
	v2 := addTexts(t, ix, "small", []string{"s0", "s1"}, lines[:2])
	if v2.BucketBits != smallBucketBits {
		t.Fatalf("small version of width %d", v2.BucketBits)
	}
	check := func(ix *Index, from int, wantFound bool) {
		t.Helper()
		c := ix.NewChecker()
		for i := from; i < len(texts); i += 97 {
			r := []rune(texts[i])
			r[60] = 'X' // a near copy
			for _, q := range []string{texts[i], string(r)} {
				m, err := c.Check([]byte(q))
				if err != nil {
					t.Fatal(err)
				}
				found := len(m) > 0 && m[0].ID == ids[i]
				if found != wantFound {
					t.Fatalf("document %d: matches %+v, want found %v", i, m, wantFound)
				}
			}
		}
		m, err := c.Check([]byte(lines[1]))
		if err != nil || len(m) != 1 || m[0].ID != "s1" || !m[0].Exact {
			t.Fatalf("small version's document: %+v, %v", m, err)
		}
	}
	check(ix, 0, true)
	verifyClean(t, ix, len(texts)+2)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	check(ix, 3, true)
	// Roll back the large version: the small one goes too.
	if n, err := ix.Rollback(0); err != nil || n != len(texts)+2 {
		t.Fatalf("rollback: %d, %v", n, err)
	}
	verifyClean(t, ix, 0)
	c := ix.NewChecker()
	if m, err := c.Check([]byte(texts[0])); err != nil || len(m) != 0 {
		t.Fatalf("after rollback: %+v, %v", m, err)
	}
}
