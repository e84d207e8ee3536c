package normalize

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/klauspost/compress/zstd"
)

// corpusPath is the shared sample corpus; tests skip it when it is missing.
const corpusPath = "../../shared/data/corpus/zh_mix_10mb.jsonl.zst"

// corpusTexts returns the text fields of the shared corpus, up to limit bytes
// in all, or nil when the file is missing.
func corpusTexts(limit int) ([][]byte, error) {
	f, err := os.Open(corpusPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := zstd.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("zstd %s: %w", corpusPath, err)
	}
	defer zr.Close()
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 64<<20)
	var texts [][]byte
	total := 0
	for line := 1; sc.Scan() && total < limit; line++ {
		var rec struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", corpusPath, line, err)
		}
		texts = append(texts, []byte(rec.Text))
		total += len(rec.Text)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", corpusPath, err)
	}
	return texts, nil
}
