// Command demo writes report.html for a finished `quchong dedup` run from
// the files the run left in its directory: stats.json, clusters.jsonl and
// the input files named in stats.json (for the texts).
//
//	go run ./report/internal/demo -o DIR/report.html DIR
//
// It shows how an engine fills report.Input. Lacking the run's candidate
// pairs, it plots the similarity of each removed document to its kept one
// instead of every verified pair.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/report"
)

func main() {
	out := flag.String("o", "", "output `file` (default DIR/report.html)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: demo [-o FILE] RUN_DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if *out == "" {
		*out = filepath.Join(dir, "report.html")
	}
	if err := run(dir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// runStats is the part of stats.json the demo needs to reread the inputs.
type runStats struct {
	Inputs []struct {
		Path string `json:"path"`
	} `json:"inputs"`
	Params struct {
		Format      string `json:"format"`
		TextField   string `json:"text_field"`
		IDField     string `json:"id_field"`
		MaxDocBytes int    `json:"max_doc_bytes"`
	} `json:"params"`
}

type clusterLine struct {
	ID         string  `json:"id"`
	Cluster    int     `json:"cluster"`
	Kept       bool    `json:"kept"`
	Reason     string  `json:"reason"`
	Similarity float64 `json:"similarity"`
}

func run(dir, out string) error {
	raw, err := os.ReadFile(filepath.Join(dir, "stats.json"))
	if err != nil {
		return err
	}
	var st runStats
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("parse stats.json: %w", err)
	}
	in := &report.Input{Stats: raw}
	if err := readClusters(filepath.Join(dir, "clusters.jsonl"), in); err != nil {
		return err
	}
	if err := loadTexts(&st, in); err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := report.Write(f, in); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readClusters fills in.Clusters (kept member first, as clusters.jsonl
// lists them) and in.PairSimilarities.
func readClusters(path string, in *report.Input) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	pos := map[int]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var cl clusterLine
		if err := json.Unmarshal(sc.Bytes(), &cl); err != nil {
			return fmt.Errorf("%s line %d: %w", path, line, err)
		}
		i, ok := pos[cl.Cluster]
		if !ok {
			i = len(in.Clusters)
			pos[cl.Cluster] = i
			in.Clusters = append(in.Clusters, report.Cluster{ID: cl.Cluster})
		}
		m := report.Member{ID: cl.ID, Kept: cl.Kept, Reason: cl.Reason, Similarity: cl.Similarity}
		c := &in.Clusters[i]
		if cl.Kept {
			c.Members = append([]report.Member{m}, c.Members...)
		} else {
			c.Members = append(c.Members, m)
			in.PairSimilarities = append(in.PairSimilarities, cl.Similarity)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// loadTexts reads the inputs once and sets Text and Source of the members
// NeedsText names, and Source of every member whose id is PATH:LINE.
func loadTexts(st *runStats, in *report.Input) error {
	need := map[string][]*report.Member{}
	for _, r := range in.NeedsText() {
		m := &in.Clusters[r.Cluster].Members[r.Member]
		need[m.ID] = append(need[m.ID], m)
	}
	for ci := range in.Clusters {
		for mi := range in.Clusters[ci].Members {
			m := &in.Clusters[ci].Members[mi]
			for _, inp := range st.Inputs {
				if strings.HasPrefix(m.ID, inp.Path+":") {
					m.Source = inp.Path
				}
			}
		}
	}
	format := corpus.Auto
	if st.Params.Format != "" {
		var err error
		if format, err = corpus.ParseFormat(st.Params.Format); err != nil {
			return err
		}
	}
	opt := corpus.Options{Format: format, TextField: st.Params.TextField, IDField: st.Params.IDField, MaxDocBytes: st.Params.MaxDocBytes}
	for si, inp := range st.Inputs {
		if len(need) == 0 {
			break
		}
		rd, err := corpus.Open(inp.Path, si, opt)
		if err != nil {
			return err
		}
		for {
			d, err := rd.Next()
			if err == io.EOF {
				break
			}
			if corpus.IsReject(err) {
				continue
			}
			if err != nil {
				rd.Close()
				return err
			}
			for _, m := range need[d.ID] {
				m.Text, m.Source = string(d.Text), inp.Path
			}
			delete(need, d.ID)
		}
		if err := rd.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			return err
		}
	}
	return nil
}
