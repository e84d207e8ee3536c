package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/quchong/quchong/beam/pipeline"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// Run the deduplication pipeline on Prism, in process, and read its stats.
func ExampleRun() {
	out, _ := os.MkdirTemp("", "quchong-beam-example-")
	defer os.RemoveAll(out)
	_, err := pipeline.Run(context.Background(), "prism", pipeline.Options{
		Request: output.Request{
			Inputs: []string{"../../testdata/seed.txt"},
			Params: stage.DefaultParams(),
			OutDir: out,
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(filepath.Join(out, "stats.json"))
	var st struct {
		Total struct{ Read, Kept, Removed int }
	}
	json.Unmarshal(b, &st)
	fmt.Printf("read %d, kept %d, removed %d\n", st.Total.Read, st.Total.Kept, st.Total.Removed)
	// Output: read 20, kept 18, removed 2
}
