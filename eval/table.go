package eval

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable writes the report as an aligned table for people: one row per
// stratum (left out when the only stratum is the default one), a row for all
// pairs, the excluded count and the cluster scores. A ratio whose
// denominator is zero prints as "-".
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stratum\tpairs\tpos\tneg\tTP\tFP\tFN\tTN\tprecision\trecall\tF1\tmerge rate\t")
	row := func(s Scores) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t\n",
			s.Stratum, s.Pairs, s.Positives, s.Negatives, s.TP, s.FP, s.FN, s.TN,
			fixed(s.Precision, s.TP+s.FP), fixed(s.Recall, s.Positives),
			fixed(s.F1, s.TP+s.FP+s.Positives), fixed(s.MergeRate, s.Negatives))
	}
	if !(len(r.Strata) == 1 && r.Strata[0].Stratum == DefaultStratum) {
		for _, s := range r.Strata {
			row(s)
		}
	}
	row(r.Overall)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	if r.Excluded > 0 {
		if _, err := fmt.Fprintf(w, "excluded  %d pair(s): label null or a graded score\n", r.Excluded); err != nil {
			return fmt.Errorf("write table: %w", err)
		}
	}
	if c := r.Clusters; c != nil {
		_, err := fmt.Fprintf(w, "clusters  %d documents, %d gold and %d predicted clusters: ARI %.4f, B-cubed precision %.4f recall %.4f F1 %.4f\n",
			c.Documents, c.GoldClusters, c.PredictedClusters, c.ARI, c.BCubedPrecision, c.BCubedRecall, c.BCubedF1)
		if err == nil && c.Conflicts > 0 {
			_, err = fmt.Fprintf(w, "warning   %d negative pair(s) fall inside a cluster the positive pairs form; cluster scores count them as one cluster\n", c.Conflicts)
		}
		if err != nil {
			return fmt.Errorf("write table: %w", err)
		}
	}
	return nil
}

// fixed formats a ratio with four decimals, or "-" when its denominator is
// zero.
func fixed(x float64, denominator int) string {
	if denominator == 0 {
		return "-"
	}
	return fmt.Sprintf("%.4f", x)
}
