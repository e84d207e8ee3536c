package spark

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// ---- decide: the members of components in, clusters out ----
//
// In: label, idx, rep, id, len, masks, val, sig, text (sig and text only for
// representatives)
// Out: tag, key, idx, flag, reason

// member is one document of a component.
type member struct {
	label, idx, rep uint32
	id              string
	m               stage.Member
	sig             []uint32
	text            []rune
	hasText         bool
}

// decideStat is the decide stage's share of stats.json.
type decideStat struct {
	Clusters   int64
	Clustering output.Clustering
}

func (w *worker) decide() error {
	rows, err := w.all(9)
	if err != nil {
		return err
	}
	k := w.cfg.Params.K
	ms := make([]member, len(rows))
	for i, r := range rows {
		var v [3]uint32
		for j := range v {
			if v[j], err = atou32(r[j]); err != nil {
				return err
			}
		}
		length, err := atoi(r[4])
		if err != nil {
			return err
		}
		masks, err := atoi(r[5])
		if err != nil {
			return err
		}
		val, err := parseValue(r[6])
		if err != nil {
			return err
		}
		m := member{label: v[0], idx: v[1], rep: v[2]}
		id, err := unb64(r[3])
		if err != nil {
			return err
		}
		m.id = string(id)
		m.m = stage.Member{Index: m.idx, Rep: m.rep, Length: int(length), Masks: int(masks), Value: val}
		if m.idx == m.rep {
			if m.sig, err = parseSig(r[7], k); err != nil {
				return err
			}
			if m.text, m.hasText, err = parseRunes(r[8]); err != nil {
				return err
			}
		}
		ms[i] = m
	}
	rows = nil
	slices.SortFunc(ms, func(x, y member) int { return cmp.Or(cmp.Compare(x.label, y.label), cmp.Compare(x.idx, y.idx)) })
	var stat decideStat
	cs := &stat.Clustering
	for j := 0; j < len(ms); {
		e := j + 1
		for e < len(ms) && ms[e].label == ms[j].label {
			e++
		}
		comp := ms[j:e]
		jd := &stage.MemJudge{Stages: w.st, Sigs: map[uint32][]uint32{}, Masks: map[uint32]bool{}, Texts: map[uint32][]rune{}}
		members := make([]stage.Member, len(comp))
		ids := make(map[uint32]string, len(comp))
		for i, m := range comp {
			members[i] = m.m
			ids[m.idx] = m.id
			if m.idx != m.rep {
				continue
			}
			jd.Masks[m.idx] = m.m.Masks > 0
			if m.sig != nil {
				jd.Sigs[m.idx] = m.sig
			}
			if m.hasText {
				jd.Texts[m.idx] = m.text
			}
		}
		d, err := w.st.Decide(members, jd)
		if err != nil {
			return fmt.Errorf("component of document %d: %w", comp[0].label, err)
		}
		cs.Components++
		if len(d.Clusters) != 1 || d.Saved+d.Unverified > 0 {
			cs.ComponentsSplit++
		}
		cs.DocumentsSaved += int64(d.Saved)
		cs.Unverified += int64(d.Unverified)
		cs.KeptChecks += int64(d.Checks)
		cs.KeptTextChecks += int64(d.TextChecks)
		stat.Clusters += int64(len(d.Clusters))
		for _, c := range d.Clusters {
			for i, m := range c.Members {
				reason := "near"
				if c.Exact[i] {
					reason = "exact"
				}
				if err := w.out.row("l", itoa(c.Members[0]), itoa(m), boolField(m == c.Kept), reason, ftoa(c.Similarity[i]), b64([]byte(ids[m]))); err != nil {
					return err
				}
				if m == c.Kept {
					continue
				}
				if err := w.out.row("x", "0", itoa(m), boolField(c.Exact[i]), none, none, none); err != nil {
					return err
				}
			}
		}
		j = e
	}
	s, err := jsonField(stat)
	if err != nil {
		return err
	}
	return w.out.row("s", "0", "0", "0", none, none, s)
}
