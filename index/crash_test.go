package index

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// crashEnv names the index directory the writer child adds to;
// crashTablesEnv, when set, makes it write every version as ingested
// tables rather than a batch.
const (
	crashEnv       = "QUCHONG_INDEX_CRASH_DIR"
	crashTablesEnv = "QUCHONG_INDEX_CRASH_TABLES"
)

// TestCrashWriter is the child of TestKillDuringWrites: it adds versions
// forever, printing each version as Add returns (acknowledged).
func TestCrashWriter(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("the child of TestKillDuringWrites")
	}
	ix := openNew(t, dir)
	if os.Getenv(crashTablesEnv) != "" {
		ix.spillBytes = 1 << 10
	}
	lines := seedLines(t)
	for round := 0; ; round++ {
		var ids, texts []string
		for i := range 40 {
			ids = append(ids, fmt.Sprintf("r%d-%d", round, i))
			texts = append(texts, fmt.Sprintf("%d-%d %s", round, i, lines[i%len(lines)]))
		}
		v := addTexts(t, ix, "crash test", ids, texts)
		fmt.Printf("acked %d %d\n", v.Number, v.EndSeq)
	}
}

// TestKillDuringWrites kills (SIGKILL) a process adding to an index at
// several moments and checks that every acknowledged version survived and
// that the index verifies clean: a version is in whole or not at all,
// written as a batch or as ingested tables.
func TestKillDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns writers")
	}
	for _, mode := range []string{"batch", "tables"} {
		t.Run(mode, func(t *testing.T) { killDuringWrites(t, mode == "tables") })
	}
}

func killDuringWrites(t *testing.T, tables bool) {
	dir := t.TempDir()
	acked := uint64(0)
	for _, after := range []int{1, 4, 9} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriter$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		if tables {
			cmd.Env = append(cmd.Env, crashTablesEnv+"=1")
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		n := 0
		deadline := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
		for n < after && sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "acked" {
				v, _ := strconv.ParseUint(f[1], 10, 64)
				acked = max(acked, v)
				n++
			}
		}
		cmd.Process.Kill() // SIGKILL, mid-write most likely
		deadline.Stop()
		cmd.Wait()
		if n < after {
			t.Fatalf("the writer stopped after %d acknowledged versions", n)
		}
		ix, err := Open(dir, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		vs, err := ix.Versions()
		if err != nil {
			t.Fatal(err)
		}
		last := vs[len(vs)-1]
		if last.Number < acked {
			t.Errorf("killed after %d acks: last version %d, but %d was acknowledged", after, last.Number, acked)
		}
		var docs int
		for _, v := range vs {
			docs += v.Docs
		}
		rep, err := ix.Verify()
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) > 0 || rep.Docs != docs {
			t.Errorf("after the kill: %d docs (versions say %d), problems %+v", rep.Docs, docs, rep.Problems)
		}
		ix.Close()
		acked = last.Number
	}
	// A writable open removes the tables of a version killed before its
	// ingestion.
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := os.Stat(ix.ingestDir()); !os.IsNotExist(err) {
		t.Errorf("tables of an unfinished version left after a writable open: %v", err)
	}
}
