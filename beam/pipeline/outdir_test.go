package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/quchong/quchong/output"
)

// The output directory rules hold in the Beam engine too: an input is
// never removed (a symlinked -o seen through), --force removes only what
// quchong wrote, and a second run is refused while one holds the directory.
func TestPrepareOutDir(t *testing.T) {
	root := t.TempDir()
	w := filepath.Join(root, "w3")
	input := filepath.Join(w, "kept", "x.txt")
	if err := os.MkdirAll(filepath.Dir(input), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, []byte("一份输入\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "link3")
	if err := os.Symlink(w, link); err != nil {
		t.Fatal(err)
	}
	if err := prepareOutDir(link, true, []string{input}); err == nil {
		t.Error("an input inside the output directory (through a symlink) was accepted")
	}
	if _, err := os.Stat(input); err != nil {
		t.Fatalf("the input is gone: %v", err)
	}

	out := filepath.Join(root, "out")
	for name, text := range map[string]string{
		"stats.json":       `{"inputs":[{"output":"a.txt"}]}`,
		"kept/a.txt":       "quchong's\n",
		"kept/user.txt":    "the user's\n",
		"clusters.jsonl":   "",
		"notes-of-mine.md": "mine\n",
	} {
		p := filepath.Join(out, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := prepareOutDir(out, false, nil); err == nil {
		t.Error("a non-empty directory was accepted without --force")
	}
	if err := prepareOutDir(out, true, nil); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"stats.json": false, "kept/a.txt": false, "clusters.jsonl": false, "kept/user.txt": true, "notes-of-mine.md": true} {
		if _, err := os.Stat(filepath.Join(out, name)); (err == nil) != want {
			t.Errorf("%s present = %v after --force, want %v", name, err == nil, want)
		}
	}

	release, err := LockOutDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockOutDir(out); !errors.Is(err, output.ErrLocked) {
		t.Errorf("second lock: %v, want ErrLocked", err)
	}
	release()
	release2, err := LockOutDir(out)
	if err != nil {
		t.Errorf("lock after release: %v", err)
	} else {
		release2()
	}
}
