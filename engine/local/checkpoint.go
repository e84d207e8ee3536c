package local

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unsafe"

	"github.com/quchong/quchong/atomicfile"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// A run records each completed checkpoint in its work directory, with what
// identifies the run: the engine version, every parameter and, for each
// input, its path, size and modification time. A run with Resume set
// continues after the last checkpoint when all of that matches, and refuses
// otherwise.
//
// Checkpoints: "fingerprint" (the document table, signatures, texts and
// side records: the expensive pass) and "confirm" (the verified candidate pairs).
// Clustering, keep decisions and the output pass are cheap and simply rerun;
// their outputs are written atomically, so a run killed during them leaves
// no complete-looking file.

// workFormat numbers the layout of the work directory; a run refuses to
// resume from another layout.
const workFormat = 4

// manifest is DIR/.work/manifest.json.
type manifest struct {
	Version    string          `json:"version"`
	WorkFormat int             `json:"work_format"`
	Params     json.RawMessage `json:"params"`
	Inputs     []inputStamp    `json:"inputs"`
	// Done is the last completed checkpoint: "", "fingerprint", "confirm",
	// or "commit" once every output is staged and the commit has begun.
	Done string `json:"done"`
	// Outputs are the outputs the commit moves into place (relative to the
	// output directory), stats.json aside: what --force may remove of a run
	// killed while committing.
	Outputs []string `json:"outputs,omitempty"`
}

// inputStamp identifies one input file's content cheaply (see stampFile).
type inputStamp struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mod_time_ns"`
	Hash    string `json:"hash"`
}

// ErrResumeMismatch means the work directory belongs to a run with other
// inputs or parameters.
var ErrResumeMismatch = errors.New("cannot resume")

// identity describes the run for the manifest.
func (r *run) identity() (manifest, error) {
	m := manifest{Version: output.Version, WorkFormat: workFormat}
	params := struct {
		Params stage.Params
		Corpus any
		Strict bool
	}{r.p, r.opt.Corpus, r.opt.Strict}
	b, err := json.Marshal(params)
	if err != nil {
		return m, err
	}
	m.Params = b
	for _, f := range r.files {
		m.Inputs = append(m.Inputs, f.stamp)
	}
	return m, nil
}

func (r *run) manifestPath() string { return filepath.Join(r.workDir, "manifest.json") }

// resumePoint reads the manifest of an earlier run and returns its last
// completed checkpoint, or an error wrapping ErrResumeMismatch that says what
// differs.
func (r *run) resumePoint() (string, error) {
	old, err := r.readManifest()
	if errors.Is(err, os.ErrNotExist) {
		return "", nil // nothing to resume: start from the beginning
	}
	if err != nil {
		return "", err
	}
	cur, err := r.identity()
	if err != nil {
		return "", err
	}
	mismatch := func(what string) error {
		return &output.ConfigError{Err: fmt.Errorf("%w: the work directory %s was made by a run with %s; rerun without --resume (with --force) to start over", ErrResumeMismatch, r.workDir, what)}
	}
	switch {
	case old.Version != cur.Version:
		return "", mismatch("quchong " + old.Version)
	case old.WorkFormat != cur.WorkFormat:
		return "", mismatch(fmt.Sprintf("work directory layout %d", old.WorkFormat))
	case !sameJSON(old.Params, cur.Params):
		return "", mismatch("other parameters")
	case len(old.Inputs) != len(cur.Inputs):
		return "", mismatch(fmt.Sprintf("%d inputs, not %d", len(old.Inputs), len(cur.Inputs)))
	}
	for i := range old.Inputs {
		if old.Inputs[i] != cur.Inputs[i] {
			return "", mismatch(fmt.Sprintf("another version of input %s (its size, modification time or content differ)", cur.Inputs[i].Path))
		}
	}
	return old.Done, nil
}

// readManifest reads the work directory's manifest; an error wrapping
// os.ErrNotExist when there is none.
func (r *run) readManifest() (manifest, error) {
	var m manifest
	b, err := os.ReadFile(r.manifestPath())
	if errors.Is(err, os.ErrNotExist) {
		return m, err
	}
	if err != nil {
		return m, &output.OutputError{Err: fmt.Errorf("work directory: %w", err)}
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, &output.ConfigError{Err: fmt.Errorf("%w: %s is not a quchong manifest: %v", ErrResumeMismatch, r.manifestPath(), err)}
	}
	return m, nil
}

// markCommit records that every output is staged and which ones the commit
// moves into place.
func (r *run) markCommit(outputs []string) error {
	m, err := r.identity()
	if err != nil {
		return err
	}
	m.Done, m.Outputs = "commit", outputs
	return writeJSONFile(r.manifestPath(), m)
}

// markDone records a completed checkpoint.
func (r *run) markDone(stageName string) error {
	m, err := r.identity()
	if err != nil {
		return err
	}
	m.Done = stageName
	return writeJSONFile(r.manifestPath(), m)
}

// fingerprintState is the "fingerprint" checkpoint's small part. The
// document table is stored raw beside it (table.bin, store.writeTable), the
// signatures, texts and side records are already in their files.
type fingerprintState struct {
	N        int
	Files    []fileState
	Rejects  []output.Rejection
	TextsEnd int64
	Side     sideState
	// SigSums holds the checksum of each block of signatures.bin, which
	// is not fsynced: a resumed run checks them (checkSignatures).
	SigSums []uint64
}

// sideState is what a checkpoint keeps of the side file.
type sideState struct {
	N     int
	End   int64
	Index []int64
}

// fileState is the part of fileInfo a checkpoint keeps.
type fileState struct {
	First, Count uint32
	Rejected     []int64
	Counts       output.Counts
	Fault        string
	FaultAfter   int64
	Reread       bool
	SpillStart   int64
}

// saveFingerprint writes the fingerprint checkpoint's small files now
// (table.bin and fingerprint.gob, durable at once) and makes the texts and
// side records durable in the background (inBackground): they are already
// written and open, are fsynced there, and only then is the checkpoint
// recorded. The signatures, the largest part (k × 4 bytes a document), are
// not fsynced: fingerprint.gob holds each block's checksum, and a run
// resumed after the machine stopped before they reached the disk finds a
// block that does not match and starts over (checkSignatures). Their
// writes then never hold up the output pass's, which must reach the disk.
func (r *run) saveFingerprint() error {
	path := filepath.Join(r.workDir, "table.bin")
	af, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(af, 1<<20)
	if err := r.docs.writeTable(w); err != nil {
		af.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		af.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := af.Commit(); err != nil {
		return err
	}
	side := r.docs.side
	st := fingerprintState{N: r.docs.n, Rejects: r.rejects, TextsEnd: r.texts.end, Side: sideState{N: side.n, End: side.end, Index: side.index}, SigSums: r.docs.sums()}
	for _, f := range r.files {
		st.Files = append(st.Files, fileState{First: f.first, Count: f.count, Rejected: f.rejected, Counts: f.counts, Fault: f.fault, FaultAfter: f.faultAfter, Reread: f.reread, SpillStart: f.spillStart})
	}
	if err := writeGob(filepath.Join(r.workDir, "fingerprint.gob"), &st); err != nil {
		return err
	}
	files := []*os.File{r.texts.f, r.docs.side.f}
	r.inBackground(func() error {
		for _, f := range files {
			if err := f.Sync(); err != nil {
				return &output.OutputError{Err: fmt.Errorf("checkpoint fingerprint: work directory: %w", err)}
			}
		}
		if err := r.markDone("fingerprint"); err != nil {
			return &output.OutputError{Err: fmt.Errorf("checkpoint fingerprint: %w", err)}
		}
		return nil
	})
	return nil
}

func (r *run) loadFingerprint() error {
	var st fingerprintState
	if err := readGob(filepath.Join(r.workDir, "fingerprint.gob"), &st); err != nil {
		return err
	}
	if len(st.Files) != len(r.files) || st.Side.N != st.N {
		return fmt.Errorf("work directory: the fingerprint checkpoint is inconsistent")
	}
	if err := r.checkSignatures(st.N, st.SigSums); err != nil {
		return err
	}
	open := func(name string) (*os.File, error) {
		f, err := os.OpenFile(filepath.Join(r.workDir, name), os.O_RDWR, 0)
		if err != nil {
			return nil, fmt.Errorf("work directory: %w", err)
		}
		return f, nil
	}
	sigFile, err := open("signatures.bin")
	if err != nil {
		return err
	}
	sf, err := open("side.bin")
	if err != nil {
		return err
	}
	side := &sideFile{f: sf, withValue: r.field != "", n: st.Side.N, end: st.Side.End, index: st.Side.Index}
	r.docs = newStore(r.p.K, sigFile, side, r.residentBlocks())
	table, err := open("table.bin")
	if err != nil {
		return err
	}
	defer table.Close()
	if err := r.docs.restore(st.N, bufio.NewReaderSize(table, 1<<20)); err != nil {
		return err
	}
	for i, fs := range st.Files {
		r.files[i].first, r.files[i].count, r.files[i].rejected, r.files[i].counts = fs.First, fs.Count, fs.Rejected, fs.Counts
		r.files[i].faultAfter = fs.FaultAfter
		r.files[i].reread, r.files[i].spillStart = fs.Reread, fs.SpillStart
		if r.files[i].fault = fs.Fault; fs.Fault != "" {
			r.stats.Faults = append(r.stats.Faults, fs.Fault)
		}
	}
	r.rejects = st.Rejects
	tf, err := open("texts.bin")
	if err != nil {
		return err
	}
	r.texts = &textSpill{f: tf, end: st.TextsEnd}
	r.spillEnd = st.TextsEnd
	return nil
}

// errTornSignatures means that signatures.bin does not hold what the
// fingerprint checkpoint recorded: the machine stopped before the file
// reached the disk. The run starts over.
var errTornSignatures = errors.New("the signatures did not all reach the disk")

// checkSignatures compares each block of signatures.bin (n documents) with
// its checksum in sums; an error wrapping errTornSignatures when one
// differs or the file is short. It reads the whole file once, a small cost
// beside recomputing the signatures.
func (r *run) checkSignatures(n int, sums []uint64) error {
	blocks := (n + blockSize - 1) / blockSize
	if len(sums) != blocks {
		return fmt.Errorf("work directory: the fingerprint checkpoint is inconsistent (%d signature checksums for %d blocks)", len(sums), blocks)
	}
	f, err := os.Open(filepath.Join(r.workDir, "signatures.bin"))
	if err != nil {
		return fmt.Errorf("work directory: %w", err)
	}
	defer f.Close()
	blockBytes := int64(blockSize) * int64(r.p.K) * 4
	buf := make([]byte, blockBytes)
	for b, want := range sums {
		docs := min(blockSize, n-b*blockSize)
		part := buf[:int64(docs)*int64(r.p.K)*4]
		if _, err := f.ReadAt(part, int64(b)*blockBytes); err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%w (signatures.bin ends in block %d)", errTornSignatures, b)
			}
			return fmt.Errorf("work directory: %w", err)
		}
		if sigSum(part) != want {
			return fmt.Errorf("%w (block %d of signatures.bin differs from its checksum)", errTornSignatures, b)
		}
	}
	return nil
}

// confirmState is the "confirm" checkpoint.
type confirmState struct {
	Rep          []uint32
	Pairs        []stage.Pair
	Verification output.Verification
}

func (r *run) saveConfirm() error {
	st := confirmState{Rep: r.groups.rep, Pairs: r.groups.pairs, Verification: r.stats.Verification}
	if err := writeGob(filepath.Join(r.workDir, "confirm.gob"), &st); err != nil {
		return err
	}
	return r.markDone("confirm")
}

func (r *run) loadConfirm() error {
	var st confirmState
	if err := readGob(filepath.Join(r.workDir, "confirm.gob"), &st); err != nil {
		return err
	}
	if len(st.Rep) != r.docs.n {
		return fmt.Errorf("work directory: the confirm checkpoint is inconsistent")
	}
	r.groups = &groupState{rep: st.Rep, pairs: st.Pairs}
	r.stats.Verification = st.Verification
	return nil
}

func writeGob(path string, v any) error {
	af, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(af, 1<<20)
	if err := gob.NewEncoder(w).Encode(v); err != nil {
		af.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		af.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return af.Commit()
}

func readGob(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("work directory: %w", err)
	}
	defer f.Close()
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("work directory: %s: %w", path, err)
	}
	return nil
}

// u64bytes views a []uint64 as bytes, like u32bytes.
func u64bytes(s []uint64) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*8)
}

// u32bytes views a []uint32 as bytes (native byte order: checkpoints are
// read back by the same machine).
func u32bytes(s []uint32) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*4)
}

// sameJSON compares two JSON texts ignoring insignificant white space (the
// manifest is written indented).
func sameJSON(a, b []byte) bool {
	var ca, cb bytes.Buffer
	return json.Compact(&ca, a) == nil && json.Compact(&cb, b) == nil && bytes.Equal(ca.Bytes(), cb.Bytes())
}
