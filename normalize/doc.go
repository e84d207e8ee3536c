// Package normalize turns document text into the canonical rune sequence that
// quchong fingerprints. It is for fingerprints only: the text written to the
// output corpus is never changed.
//
// A Normalizer applies, in this order (each rule can be switched off in
// Options):
//
//  1. NFKC (Unicode compatibility normalisation): "ＡＢＣ１２３" → "ABC123",
//     "ﬁ" → "fi", "＊" → "*".
//  2. Masks: placeholder runs become one Mask rune (rules below).
//  3. T2S: traditional Chinese characters become simplified ones, character by
//     character, with OpenCC's TSCharacters table: "後來國語" → "后来国语".
//  4. Fold: lower case (unicode.ToLower): "ÀB" → "àb".
//  5. StripSpace and StripPunct: white space, control and format characters,
//     and punctuation (Unicode P*, CJK punctuation included) are dropped:
//     "你好，世界！" → "你好世界". With WordBreaks each run of dropped space or
//     punctuation becomes one ASCII space instead: "Hello,  World!" →
//     "hello world".
//  6. Adjacent Mask runes (after removal) merge into one Mask.
//
// Input runes equal to Mask are dropped right after NFKC, so every Mask in the
// output comes from a rule; invalid UTF-8 bytes read as U+FFFD, one per byte.
//
// # Mask rules
//
// The rules look at the text after NFKC, before anything is removed. In the
// examples ◆ stands for Mask and the default options are used.
//
// Asterisks. Every run of '*' becomes a mask, and ASCII digits touching the
// run are absorbed into it (a maximal run of digits and '*' holding at least
// one '*' is one mask):
//
//	我镇*家  → 我镇◆家
//	20**年   → ◆年
//	1*3      → ◆
//	＊＊年   → ◆年   (NFKC makes ＊ an ASCII '*')
//
// X runs. A maximal run of ASCII 'X' or 'x' (Ｘ after NFKC) becomes a mask when
// neither neighbour is an ASCII letter or digit and either the run has two
// or more letters or a neighbour is a CJK character (Han, kana, Hangul,
// Bopomofo):
//
//	其中XXX、XX新材料 → 其中◆新材料   (two masks, merged across the removed 、)
//	XXX 村            → ◆村
//	X村               → ◆村
//	X光               → ◆光   (accepted false positive: X-ray)
//	XXL码, Xbox, x86, 0x1F → unchanged (a letter or digit touches the run)
//	Mr. X said        → mrxsaid   (lone X, no CJK neighbour)
//
// Multiplication signs and friends. A run of two or more of '×', '某', '○',
// '□', in any mix, becomes a mask; a single one is ordinary text (某 means
// "some", × is multiplication):
//
//	×××, 某某, 某某某, ○○, □□, ×某 → ◆
//	3×4, 某人, □                   → unchanged
//
// # Speed and exactness
//
// New builds two 64K-entry tables for the Basic Multilingual Plane that give
// each rune's fully processed result under the Options, so the hot loop is a
// UTF-8 decode and a table lookup per rune (about 500 MB/s of Chinese text
// on one core, against about 30 MB/s for x/text plus the same rules). Runes
// around which NFKC depends on context (combining marks, conjoining Hangul
// jamo, and compatibility characters that decompose to them) and runes
// outside the BMP with decompositions go through x/text's norm.NFKC, one
// normalisation segment at a time. The result is identical to x/text NFKC
// over the whole text followed by the rules above; the tests check this on
// random and real text.
package normalize
