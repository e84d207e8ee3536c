package index_test

import (
	"fmt"
	"os"

	"github.com/quchong/quchong/index"
	"github.com/quchong/quchong/stage"
)

// An index of kept documents, one version, and the check of a re-anonymised
// copy of one of them.
func Example() {
	dir, _ := os.MkdirTemp("", "quchong-index-")
	defer os.RemoveAll(dir)
	p := stage.DefaultParams()
	ix, err := index.Open(dir, index.Options{Params: &p, Create: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ix.Close()
	kept := ix.Prepare("doc-1", []byte("张三于2023年3月在北京市朝阳区购买了一套住房，总价三百万元，首付一百万元。"), nil)
	v, _ := ix.Add([]index.Entry{kept}, "example")
	fmt.Println("version", v.Number, "documents", v.Docs)

	ms, _ := ix.NewChecker().Check([]byte("XX于20**年3月在北京市朝阳区购买了一套住房，总价三百万元，首付一百万元。"))
	for _, m := range ms {
		fmt.Printf("%s %s %.2f\n", m.ID, m.Reason(), m.Similarity)
	}
	// Output:
	// version 1 documents 1
	// doc-1 near 1.00
}
