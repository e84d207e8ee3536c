package local_test

import (
	"context"
	"fmt"
	"os"

	"github.com/quchong/quchong/engine/local"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

func Example() {
	out, err := os.MkdirTemp("", "quchong-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(out)
	stats, err := local.Run(context.Background(), local.Options{
		Request: output.Request{
			Inputs: []string{"../../testdata/seed.txt"},
			Params: stage.DefaultParams(),
			OutDir: out,
			Force:  true,
		},
	})
	if err != nil {
		panic(err)
	}
	t := stats.Total
	fmt.Printf("read %d, kept %d, removed %d (%d exact, %d near) in %d clusters\n",
		t.Read, t.Kept, t.Removed, t.RemovedExact, t.RemovedNear, stats.Clusters)
	// Output: read 20, kept 18, removed 2 (1 exact, 1 near) in 2 clusters
}
