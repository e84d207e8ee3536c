package units

import "testing"

func TestBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{999, "999 B"},
		{1000, "1.0 kB"},
		{24068, "24.1 kB"},
		{999_949, "999.9 kB"},
		{999_950, "1.0 MB"},
		{159_300_000, "159.3 MB"},
		{1_700_000_000, "1.7 GB"},
		{-2048, "-2.0 kB"},
	}
	for _, tt := range tests {
		if got := Bytes(tt.n); got != tt.want {
			t.Errorf("Bytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestRate(t *testing.T) {
	if got := Rate(95.7e6); got != "95.7 MB/s" {
		t.Errorf("Rate(95.7e6) = %q", got)
	}
	if got := Rate(0); got != "0 B/s" {
		t.Errorf("Rate(0) = %q", got)
	}
}

func TestPlural(t *testing.T) {
	tests := []struct {
		n                int
		singular, plural string
		want             string
	}{
		{0, "pair", "", "0 pairs"},
		{1, "pair", "", "1 pair"},
		{2, "worker", "", "2 workers"},
		{1, "exact group", "", "1 exact group"},
		{3, "file", "", "3 files"},
		{1, "index", "indices", "1 index"},
		{5, "index", "indices", "5 indices"},
	}
	for _, tt := range tests {
		if got := Plural(tt.n, tt.singular, tt.plural); got != tt.want {
			t.Errorf("Plural(%d, %q, %q) = %q, want %q", tt.n, tt.singular, tt.plural, got, tt.want)
		}
	}
	if got := Count(int64(36873), "document", ""); got != "36,873 documents" {
		t.Errorf("Count = %q", got)
	}
	if got := Count(int64(1), "document", ""); got != "1 document" {
		t.Errorf("Count(1) = %q", got)
	}
	if got := Count(1234567, "byte", ""); got != "1,234,567 bytes" {
		t.Errorf("Count(1234567) = %q", got)
	}
}

func TestNoun(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{{0, "documents"}, {1, "document"}, {2, "documents"}} {
		if got := Noun(tt.n, "document", ""); got != tt.want {
			t.Errorf("Noun(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
