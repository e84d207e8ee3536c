package pipeline

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

func readURL(t *testing.T, url string) []byte {
	t.Helper()
	ctx := context.Background()
	fs, err := filesystem.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	r, err := fs.OpenRead(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRemotePaths reads the seed from and writes every output to memfs://,
// Beam's in-memory filesystem, through the same code path as gs:// and s3://.
func TestRemotePaths(t *testing.T) {
	ctx := context.Background()
	in, out := "memfs://corpus/seed.txt", "memfs://results/run1"
	if err := copyFile(ctx, seedPath, in); err != nil {
		t.Fatal(err)
	}
	files, err := ExpandInputs(ctx, []string{"memfs://corpus/*.txt"}, corpus.Auto)
	if err != nil || len(files) != 1 || files[0] != in {
		t.Fatalf("ExpandInputs = %v, %v; want [%s]", files, err, in)
	}
	localDir, _, _ := runBoth(t, []string{seedPath}, corpus.Options{}, stage.DefaultParams(), Options{})
	if _, err := Run(ctx, "prism", Options{Request: output.Request{Inputs: files, Params: stage.DefaultParams(), OutDir: out, WriteRemoved: true}}); err != nil {
		t.Fatal(err)
	}
	// Ids made from the path name the remote input, as the local engine
	// would name it.
	want := bytes.ReplaceAll(readFile(t, filepath.Join(localDir, "clusters.jsonl")), []byte(seedPath), []byte(in))
	if got := readURL(t, out+"/clusters.jsonl"); !bytes.Equal(got, want) {
		t.Errorf("clusters.jsonl over memfs:\n%s\nwant\n%s", got, want)
	}
	for _, name := range []string{"kept/seed.txt", "removed/seed.txt"} {
		if got, want := readURL(t, out+"/"+name), readFile(t, filepath.Join(localDir, name)); !bytes.Equal(got, want) {
			t.Errorf("%s differs over memfs", name)
		}
	}
	if len(readURL(t, out+"/stats.json")) == 0 {
		t.Error("empty stats.json")
	}
}
