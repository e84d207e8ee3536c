package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/quchong/quchong/index"
	"github.com/quchong/quchong/internal/units"
)

const indexLong = `Inspects an index made by "quchong dedup --index DIR" or "quchong serve":

  list DIR               the versions: number, time, documents added, note
  stats DIR              documents, texts, size on disk, parameters
  verify DIR             reads everything and checks it is consistent
                         (exit code 1 and the problems when it is not)
  rollback DIR VERSION   removes every version after VERSION, atomically
`

// newIndexCmd is `quchong index`.
func newIndexCmd(a *app) *cobra.Command {
	var jsonOut bool
	c := &cobra.Command{
		Use:     "index list|stats|verify|rollback DIR [VERSION]",
		Short:   "inspect, verify or roll back an index",
		Long:    indexLong,
		GroupID: groupMain,
		RunE: func(_ *cobra.Command, rest []string) error {
			return status(cmdIndex(jsonOut, rest, a.stdout, a.stderr))
		},
	}
	c.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	return c
}

// cmdIndex runs one index subcommand.
func cmdIndex(jsonOut bool, rest []string, stdout, stderr io.Writer) int {
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "quchong index: %v\n", err)
		return code
	}
	if len(rest) < 2 {
		return fail(exitUsage, errors.New("give a subcommand and an index directory: list|stats|verify|rollback DIR"))
	}
	sub, dir := rest[0], rest[1]
	want := 2
	if sub == "rollback" {
		want = 3
	}
	switch sub {
	case "list", "stats", "verify", "rollback":
	default:
		return fail(exitUsage, fmt.Errorf("unknown subcommand %q: want list, stats, verify or rollback", sub))
	}
	if len(rest) != want {
		return fail(exitUsage, fmt.Errorf("%s takes %d arguments, got %d", sub, want-1, len(rest)-1))
	}
	ix, err := index.Open(dir, index.Options{ReadOnly: sub != "rollback"})
	if err != nil {
		return fail(exitFail, err)
	}
	defer ix.Close()
	print := func(v any, text func()) int {
		if jsonOut {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.Encode(v)
		} else {
			text()
		}
		return exitOK
	}
	switch sub {
	case "list":
		vs, err := ix.Versions()
		if err != nil {
			return fail(exitFail, err)
		}
		return print(vs, func() {
			fmt.Fprintf(stdout, "%8s  %-20s  %10s  %s\n", "version", "time (UTC)", "documents", "note")
			for _, v := range vs {
				fmt.Fprintf(stdout, "%8d  %-20s  %10d  %s\n", v.Number, v.Time.UTC().Format(time.DateTime), v.Docs, v.Note)
			}
		})
	case "stats":
		s, err := ix.Stats()
		if err != nil {
			return fail(exitFail, err)
		}
		return print(s, func() {
			fmt.Fprintf(stdout, "version %d (%d versions), %s\n", s.Version, s.Versions, units.Plural(s.Docs, "document", ""))
			fmt.Fprintf(stdout, "normalised texts %s, stored (zstd) %s\n", units.Bytes(s.TextBytes), units.Bytes(s.StoredTextBytes))
			fmt.Fprintf(stdout, "on disk %s (live data %s), %.0f B a document beyond the stored texts\n", units.Bytes(int64(s.DiskBytes)), units.Bytes(int64(s.LiveBytes)), s.BytesPerDoc)
			fmt.Fprintf(stdout, "posting lists held in memory by checks: %s\n", units.Bytes(int64(s.MemoryListBytes)))
			p := s.Params
			fmt.Fprintf(stdout, "parameters: k %d, seed %d, threshold %v, min length %d, %d bands × %d rows, %d-%s shingles\n",
				p.K, p.Seed, p.Threshold, p.MinLength, p.Bands, p.Rows, p.Shingle.N, p.Shingle.Mode)
		})
	case "verify":
		rep, err := ix.Verify()
		if err != nil {
			return fail(exitFail, err)
		}
		print(rep, func() {
			fmt.Fprintf(stdout, "%s, %d exact and %d band postings, %d versions: ", units.Plural(rep.Docs, "document", ""), rep.ExactPostings, rep.BandPostings, rep.Versions)
			if len(rep.Problems) == 0 {
				fmt.Fprintln(stdout, "consistent")
			}
			for _, p := range rep.Problems {
				fmt.Fprintf(stdout, "\n  key %s: %s", p.Key, p.Err)
			}
		})
		if len(rep.Problems) > 0 {
			return fail(exitFail, fmt.Errorf("%s is not consistent: %d problems", dir, len(rep.Problems)))
		}
		return exitOK
	}
	v, err := strconv.ParseUint(rest[2], 10, 64)
	if err != nil {
		return fail(exitUsage, fmt.Errorf("version %q: want a number", rest[2]))
	}
	n, err := ix.Rollback(v)
	if err != nil {
		return fail(exitFail, err)
	}
	return print(map[string]any{"version": v, "removed": n}, func() {
		fmt.Fprintf(stdout, "rolled back to version %d: %s removed\n", v, units.Plural(n, "document", ""))
	})
}
