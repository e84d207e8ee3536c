package atomicfile_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/quchong/quchong/atomicfile"
)

func Example() {
	dir, err := os.MkdirTemp("", "atomicfile-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "kept.txt")

	f, err := atomicfile.Create(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Abort() // no-op once committed
	fmt.Fprintln(f, "第一行")
	_, err = os.Stat(path)
	fmt.Println("visible before Commit:", err == nil)
	if err := f.Commit(); err != nil {
		fmt.Println(err)
		return
	}
	data, _ := os.ReadFile(path)
	fmt.Printf("after Commit: %q\n", data)
	// Output:
	// visible before Commit: false
	// after Commit: "第一行\n"
}
