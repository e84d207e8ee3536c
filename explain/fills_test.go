package explain

import (
	"slices"
	"testing"

	"github.com/quchong/quchong/stage"
	"github.com/quchong/quchong/verify"
)

// TestMaskFills checks the recovered fills against verify.Fill: putting
// each fill in place of its mask must give Fill's output.
func TestMaskFills(t *testing.T) {
	const m = verify.Mask
	tests := []struct {
		x, other string
		want     []string // fills; "" for unfilled with no mask facing it
	}{
		{"我镇\uE000家帮扶企业分别位于", "我镇19家帮扶企业分别位于", []string{"19"}},
		{"其中\uE000新材料将在今年", "其中星泽美申麦新材料将在今年", []string{"星泽美申麦"}},
		{"\uE000开头的文字很多很多", "张三开头的文字很多很多", []string{"张三"}},
		{"结尾的文字很多很多\uE000", "结尾的文字很多很多李四", []string{"李四"}},
		{"空的\uE000文字很多", "空的文字很多", []string{""}},
		{"甲乙丙丁\uE000戊己庚辛", "完全不同的另一段话", []string{""}},
		{"项目\uE000村的大棚", "项目\uE000村的大棚", []string{MaskSymbol}},
		{"两个\uE000中间\uE000结尾", "两个张三中间李四结尾", []string{"张三", "李四"}},
		{"没有掩码", "没有掩码", nil},
	}
	st, err := stage.New(stage.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	opt := st.Params().Verify
	for _, tt := range tests {
		x, other := []rune(tt.x), []rune(tt.other)
		filled := verify.Fill(nil, x, other, opt, nil)
		fills := maskFills(x, filled, other, opt)
		var got []string
		var rebuilt []rune
		k := 0
		for i := 0; i < len(x); i++ {
			if x[i] != m {
				rebuilt = append(rebuilt, x[i])
				continue
			}
			f := fills[k]
			k++
			got = append(got, f.Fill)
			if f.Filled {
				rebuilt = append(rebuilt, []rune(f.Fill)...)
			} else {
				rebuilt = append(rebuilt, m)
			}
		}
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("maskFills(%q, %q) = %q, want %q", tt.x, tt.other, got, tt.want)
		}
		if string(rebuilt) != string(filled) {
			t.Errorf("fills of %q do not rebuild verify.Fill's %q: %q", tt.x, string(filled), string(rebuilt))
		}
	}
}

func TestRuneWidth(t *testing.T) {
	for _, tt := range []struct {
		r    rune
		want int
	}{{'a', 1}, {'中', 2}, {'，', 2}, {'가', 2}, {'◆', 1}, {'𠀀', 2}, {'é', 1}} {
		if got := runeWidth(tt.r); got != tt.want {
			t.Errorf("runeWidth(%q) = %d, want %d", tt.r, got, tt.want)
		}
	}
}

// rebuildFills puts each recovered fill in place of its mask run.
func rebuildFills(x []rune, fills []Fill) ([]rune, bool) {
	var out []rune
	k := 0
	for i := 0; i < len(x); {
		if x[i] != verify.Mask {
			out = append(out, x[i])
			i++
			continue
		}
		j := i
		for j < len(x) && x[j] == verify.Mask {
			j++
		}
		if k >= len(fills) {
			return nil, false
		}
		if f := fills[k]; f.Filled {
			for _, c := range f.Fill {
				if string(c) == MaskSymbol {
					c = verify.Mask
				}
				out = append(out, c)
			}
		} else {
			out = append(out, x[i:j]...)
		}
		k++
		i = j
	}
	return out, k == len(fills)
}

// FuzzMaskFills: the fills explain reports, put back in place, give exactly
// what verify.Fill computed. '#' in the inputs stands for a mask; runs of
// masks collapse to one, as in normalised text.
func FuzzMaskFills(f *testing.F) {
	for _, s := range [][2]string{
		{"我镇#家帮扶企业分别位于", "我镇19家帮扶企业分别位于"},
		{"两个#中间#结尾", "两个张三中间李四结尾"},
		{"项目#村的大棚", "项目#村的大棚"},
		{"abab#abab#ab", "ababxxababyab"},
		{"#", "anything"},
		{"aaaa#aaaa", "aaaaaaaaaaaa"},
	} {
		f.Add(s[0], s[1])
	}
	opt := verify.Options{MaxFill: 24, Context: 4}
	f.Fuzz(func(t *testing.T, xs, ys string) {
		toRunes := func(s string) []rune {
			var r []rune
			for _, c := range s {
				if c == '#' {
					c = verify.Mask
					if len(r) > 0 && r[len(r)-1] == c {
						continue
					}
				}
				r = append(r, c)
			}
			return r
		}
		x, y := toRunes(xs), toRunes(ys)
		if len(x) > 500 || len(y) > 500 {
			t.Skip()
		}
		filled := verify.Fill(nil, x, y, opt, nil)
		fills := maskFills(x, filled, y, opt)
		got, ok := rebuildFills(x, fills)
		if !ok || string(got) != string(filled) {
			t.Fatalf("x %q, other %q: fills %+v rebuild %q, verify.Fill gives %q", string(x), string(y), fills, string(got), string(filled))
		}
	})
}
