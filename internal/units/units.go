// Package units formats the quantities quchong prints for people: byte
// sizes, rates and counts of things. Every output (the summary, the progress
// display, the log lines and the report) formats through it, so that one
// convention holds everywhere: SI units (1 kB = 1000 bytes, 1 MB = 10⁶
// bytes), labelled as SI, and a noun that agrees with its count.
package units

import (
	"strconv"
	"strings"
)

// Bytes formats a byte count in SI units with one decimal: "512 B",
// "24.1 kB", "159.3 MB", "1.7 GB". Small sizes stay small ("24.1 kB", not
// "0.0 MB").
func Bytes(n int64) string {
	return scaled(float64(n), "B")
}

// Rate formats a byte rate, in SI units per second: "95.7 MB/s".
func Rate(bytesPerSecond float64) string {
	return scaled(bytesPerSecond, "B/s")
}

func scaled(v float64, unit string) string {
	neg := v < 0
	if neg {
		v = -v
	}
	prefixes := []string{"", "k", "M", "G", "T", "P", "E"}
	i := 0
	// Move up a prefix when the value would round to 1000 or more.
	for i < len(prefixes)-1 && v >= 999.95 {
		v /= 1000
		i++
	}
	var s string
	if i == 0 && v == float64(int64(v)) {
		s = strconv.FormatInt(int64(v), 10)
	} else {
		s = strconv.FormatFloat(v, 'f', 1, 64)
	}
	if neg {
		s = "-" + s
	}
	return s + " " + prefixes[i] + unit
}

// Plural returns "1 pair", "2 pairs", "0 pairs": the count and the noun,
// in the plural unless the count is one. plural is the plural form; an
// empty plural adds "s" to singular.
func Plural[N int | int64 | int32 | uint32 | uint64](n N, singular, plural string) string {
	return strconv.FormatInt(int64(n), 10) + " " + Noun(n, singular, plural)
}

// Noun is the noun alone that Plural would write after the count.
func Noun[N int | int64 | int32 | uint32 | uint64](n N, singular, plural string) string {
	if n == 1 {
		return singular
	}
	if plural == "" {
		return singular + "s"
	}
	return plural
}

// Count is Plural with the count grouped in thousands ("36,873 documents"),
// for text a person reads.
func Count[N int | int64 | int32 | uint32 | uint64](n N, singular, plural string) string {
	s := Plural(n, singular, plural)
	num, rest, _ := strings.Cut(s, " ")
	return group(num) + " " + rest
}

func group(num string) string {
	neg := strings.HasPrefix(num, "-")
	num = strings.TrimPrefix(num, "-")
	var b strings.Builder
	for i, c := range num {
		if i > 0 && (len(num)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
