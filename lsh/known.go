package lsh

// known holds searches Optimal has already done: the bandings of the
// thresholds quchong derives from --threshold 0.50, 0.55, …, 0.95
// (max(0.3, threshold − 0.15)) at k = 64, 128 and 256 with its weights
// 0.2/0.8, so that a run at common settings skips the search (about 15 ms).
// TestKnownSearched checks every entry against the search itself.
var known = []struct {
	t        float64
	k        int
	wFP, wFN float64
	p        Params
}{
	{0.35, 64, 0.2, 0.8, Params{17, 2}},                 // --threshold 0.50
	{0.4, 64, 0.2, 0.8, Params{21, 3}},                  // --threshold 0.55
	{0.44999999999999996, 64, 0.2, 0.8, Params{21, 3}},  // --threshold 0.60
	{0.5, 64, 0.2, 0.8, Params{15, 3}},                  // --threshold 0.65
	{0.5499999999999999, 64, 0.2, 0.8, Params{16, 4}},   // --threshold 0.70
	{0.6, 64, 0.2, 0.8, Params{14, 4}},                  // --threshold 0.75
	{0.65, 64, 0.2, 0.8, Params{12, 5}},                 // --threshold 0.80
	{0.7, 64, 0.2, 0.8, Params{10, 6}},                  // --threshold 0.85
	{0.75, 64, 0.2, 0.8, Params{9, 7}},                  // --threshold 0.90
	{0.7999999999999999, 64, 0.2, 0.8, Params{8, 8}},    // --threshold 0.95
	{0.35, 128, 0.2, 0.8, Params{42, 3}},                // --threshold 0.50
	{0.4, 128, 0.2, 0.8, Params{31, 3}},                 // --threshold 0.55
	{0.44999999999999996, 128, 0.2, 0.8, Params{32, 4}}, // --threshold 0.60
	{0.5, 128, 0.2, 0.8, Params{30, 4}},                 // --threshold 0.65
	{0.5499999999999999, 128, 0.2, 0.8, Params{25, 5}},  // --threshold 0.70
	{0.6, 128, 0.2, 0.8, Params{23, 5}},                 // --threshold 0.75
	{0.65, 128, 0.2, 0.8, Params{21, 6}},                // --threshold 0.80
	{0.7, 128, 0.2, 0.8, Params{18, 7}},                 // --threshold 0.85
	{0.75, 128, 0.2, 0.8, Params{16, 8}},                // --threshold 0.90
	{0.7999999999999999, 128, 0.2, 0.8, Params{12, 10}}, // --threshold 0.95
	{0.35, 256, 0.2, 0.8, Params{47, 3}},                // --threshold 0.50
	{0.4, 256, 0.2, 0.8, Params{64, 4}},                 // --threshold 0.55
	{0.44999999999999996, 256, 0.2, 0.8, Params{46, 4}}, // --threshold 0.60
	{0.5, 256, 0.2, 0.8, Params{51, 5}},                 // --threshold 0.65
	{0.5499999999999999, 256, 0.2, 0.8, Params{42, 6}},  // --threshold 0.70
	{0.6, 256, 0.2, 0.8, Params{38, 6}},                 // --threshold 0.75
	{0.65, 256, 0.2, 0.8, Params{36, 7}},                // --threshold 0.80
	{0.7, 256, 0.2, 0.8, Params{28, 9}},                 // --threshold 0.85
	{0.75, 256, 0.2, 0.8, Params{25, 10}},               // --threshold 0.90
	{0.7999999999999999, 256, 0.2, 0.8, Params{21, 12}}, // --threshold 0.95
}
