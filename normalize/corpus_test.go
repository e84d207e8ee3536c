package normalize

import "github.com/quchong/quchong/internal/testcorpus"

// corpusPath is the shared sample corpus; tests skip it when it is missing.
const corpusPath = "../../shared/data/corpus/zh_mix_10mb.jsonl.zst"

// corpusTexts returns the text fields of the shared corpus, up to limit bytes
// in all, or nil when the file is missing.
func corpusTexts(limit int) ([][]byte, error) { return testcorpus.Texts(corpusPath, limit) }
