// Package index is quchong's persistent, versioned index of kept
// documents: what a later run, or the check service, needs to tell whether
// a new document duplicates one already kept — its exact hash, its LSH band
// keys and its normalised text (compressed), which the mask-aware
// verification reads and from which its MinHash signature is recomputed —
// and the detection parameters the index was built with.
//
// The index lives in a Pebble database. Every addition (a dedup run's kept
// documents, one request to the service) is one version, written as one
// Pebble batch together with its version record and synced before Add
// returns: a process killed at any moment leaves the index as it was before
// the batch or as it is after, never between. Versions can be listed,
// verified and rolled back.
//
// Layout, every integer big-endian so that keys sort by number:
//
//	m params                        detection parameters (JSON)
//	m head                          current version, next document number, totals (JSON)
//	v <version>                     one version's record (JSON)
//	d <seq>                         one document (see record.go)
//	b <bits> <bucket> <version>     a version's band postings in one bucket (see postings.go)
//	e <bits> <bucket> <version>     a version's exact-hash postings in one bucket
//
// A posting keeps the high 32 bits of its key (a band key, the exact
// hash): documents whose keys share those bits but differ are also read as
// candidates, and the checker drops them (it compares the exact hashes,
// and recomputes signatures to screen them anyway), so a check finds
// exactly the documents that share a whole key. A large version is written
// as sorted tables ingested in one step, a small one as one batch; both
// are atomic.
package index

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/quchong/quchong/stage"
)

// Format is the layout version written in the params record; an index of
// another format is refused.
const Format = 3

// ErrParams says that a run's detection parameters differ from those the
// index was built with.
var ErrParams = errors.New("detection parameters differ from the index's")

// ErrNotIndex says that a directory holds no quchong index.
var ErrNotIndex = errors.New("not a quchong index")

// Options configures Open.
type Options struct {
	// Params are the run's detection parameters. A new index records them;
	// an existing one refuses them when their detection fields
	// (stage.Params.Detection) differ from its own. nil takes the index's
	// own parameters (and refuses to create an index).
	Params *stage.Params
	// ReadOnly opens the index for checks only: Add and Rollback fail, and
	// other processes may read it at the same time.
	ReadOnly bool
	// Create allows Open to create the index when DIR holds none.
	Create bool
	// CacheBytes sizes Pebble's block cache, which holds the postings and
	// documents that checks read; 0 means DefaultCacheBytes. Pebble's own
	// default (8 MiB) makes a check read most of its blocks from disk.
	CacheBytes int64
}

// DefaultCacheBytes is the default block cache: 128 MiB.
const DefaultCacheBytes = 128 << 20

// Index is an open index. Its methods are safe for concurrent use; writes
// (Add, Rollback) are serialised.
type Index struct {
	db       *pebble.DB
	dir      string
	st       *stage.Stages
	readOnly bool
	codec    codec
	popt     *pebble.Options
	// look is what a check reads besides Pebble: replaced by every write.
	look atomic.Pointer[lookup]
	// spillBytes: see VersionWriter.
	spillBytes int

	mu     sync.Mutex // serialises writers; guards head and closed
	head   head
	closed bool
}

// head is the index's current state, rewritten by every write.
type head struct {
	Version uint64 `json:"version"`
	NextSeq uint64 `json:"next_seq"`
	Docs    int64  `json:"docs"`
	// TextBytes and StoredTextBytes are the normalised texts' UTF-8 size
	// and their compressed size.
	TextBytes       int64 `json:"text_bytes"`
	StoredTextBytes int64 `json:"stored_text_bytes"`
}

// paramsRecord is the value of the params key.
type paramsRecord struct {
	Format int          `json:"format"`
	Params stage.Params `json:"params"`
}

var (
	keyParams = []byte("mparams")
	keyHead   = []byte("mhead")
)

const (
	prefixVersion = 'v'
	prefixDoc     = 'd'
)

func docKey(seq uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefixDoc}, seq) }

func versionKey(v uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixVersion}, v)
}

// postingComparer is Pebble's byte-wise order with the posting lists'
// versions split off as suffixes: the Bloom filters then hold list
// prefixes (a bucket), and a check's seek for a bucket that no version has
// skips the tables' data blocks (most of a new document's band keys match
// nothing).
func postingComparer() *pebble.Comparer {
	c := *pebble.DefaultComparer
	c.Name = comparerName
	c.Split = listPrefixLen
	return &c
}

// comparerName names the comparer, and so the layout, in Pebble's files.
const comparerName = "quchong.index.postings.v3"

// oldComparer finds the format of an index written by an older quchong in
// Pebble's refusal of its comparer.
var oldComparer = regexp.MustCompile(`comparer name from file "quchong\.index\.postings\.v(\d+)"`)

// Open opens the index in dir, creating it when opt.Create allows.
func Open(dir string, opt Options) (*Index, error) {
	canCreate := opt.Create && !opt.ReadOnly && opt.Params != nil
	if desc, err := pebble.Peek(dir, vfs.Default); (err != nil || !desc.Exists) && !canCreate {
		return nil, fmt.Errorf("index %s: %w (no index there yet)", dir, ErrNotIndex)
	}
	if opt.CacheBytes <= 0 {
		opt.CacheBytes = DefaultCacheBytes
	}
	cache := pebble.NewCache(opt.CacheBytes)
	defer cache.Unref() // the database holds its own reference
	popt := &pebble.Options{
		ReadOnly:         opt.ReadOnly,
		ErrorIfNotExists: !canCreate,
		Logger:           quietLogger{},
		Cache:            cache,
		Comparer:         postingComparer(),
	}
	for i := range popt.Levels {
		popt.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
		popt.Levels[i].Compression = func() *sstable.CompressionProfile { return sstable.ZstdCompression }
	}
	db, err := pebble.Open(dir, popt)
	if err != nil {
		if m := oldComparer.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("index %s has format %s; this quchong reads format %d only: rebuild the index (quchong dedup --index NEWDIR over the kept documents)", dir, m[1], Format)
		}
		if strings.Contains(err.Error(), "lock") {
			return nil, fmt.Errorf("index %s is in use by another process (a server or a dedup run): %w", dir, err)
		}
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	ix := &Index{db: db, dir: dir, readOnly: opt.ReadOnly, popt: popt, spillBytes: spillBytes}
	if ix.codec, err = newCodec(); err != nil {
		db.Close()
		return nil, err
	}
	if err := ix.load(opt.Params, canCreate); err != nil {
		db.Close()
		return nil, err
	}
	if err := ix.loadLookup(); err != nil {
		db.Close()
		return nil, err
	}
	if !opt.ReadOnly {
		// Tables of a version whose run was killed before it committed.
		os.RemoveAll(ix.ingestDir())
	}
	return ix, nil
}

// load reads the params and head records, or writes them when the
// database has none and canCreate (a new index, or one whose creation was
// interrupted before its first batch).
func (ix *Index) load(want *stage.Params, canCreate bool) error {
	var rec paramsRecord
	ok, err := ix.getJSON(keyParams, &rec)
	if err != nil {
		return err
	}
	if !ok {
		if !canCreate {
			return fmt.Errorf("index %s: %w (no params record)", ix.dir, ErrNotIndex)
		}
		p, err := want.Resolve()
		if err != nil {
			return fmt.Errorf("index parameters: %w", err)
		}
		if ix.st, err = stage.New(p); err != nil {
			return err
		}
		b := ix.db.NewBatch()
		defer b.Close()
		if err := setJSON(b, keyParams, paramsRecord{Format: Format, Params: p}); err != nil {
			return err
		}
		if err := setJSON(b, keyHead, ix.head); err != nil {
			return err
		}
		if err := setJSON(b, versionKey(0), Version{Number: 0, Time: time.Now().UTC(), Note: "created"}); err != nil {
			return err
		}
		if err := b.Commit(pebble.Sync); err != nil {
			return fmt.Errorf("create index %s: %w", ix.dir, err)
		}
		return nil
	}
	if rec.Format != Format {
		return fmt.Errorf("index %s has format %d; this quchong reads format %d only: rebuild the index (quchong dedup --index NEWDIR over the kept documents)", ix.dir, rec.Format, Format)
	}
	if want != nil {
		p, err := want.Resolve()
		if err != nil {
			return fmt.Errorf("run parameters: %w", err)
		}
		if d := stage.DetectionDiff(rec.Params, p); len(d) > 0 {
			return fmt.Errorf("index %s: %w (index ≠ run): %s", ix.dir, ErrParams, strings.Join(d, "; "))
		}
	}
	st, err := stage.New(rec.Params)
	if err != nil {
		return fmt.Errorf("index %s: its parameters: %w", ix.dir, err)
	}
	ix.st = st
	if ok, err := ix.getJSON(keyHead, &ix.head); err != nil || !ok {
		return fmt.Errorf("index %s: no head record: %w", ix.dir, errors.Join(err, ErrNotIndex))
	}
	return nil
}

// Close closes the index; later calls do nothing.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	ix.closed = true
	ix.codec.dec.Close()
	if err := ix.db.Close(); err != nil {
		return fmt.Errorf("close index %s: %w", ix.dir, err)
	}
	return nil
}

// Dir returns the index's directory.
func (ix *Index) Dir() string { return ix.dir }

// Params returns the parameters the index was built with.
func (ix *Index) Params() stage.Params { return ix.st.Params() }

// Stages returns the stages built from the index's parameters.
func (ix *Index) Stages() *stage.Stages { return ix.st }

// Head returns the current version and the number of documents.
func (ix *Index) Head() (version uint64, docs int64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.head.Version, ix.head.Docs
}

func (ix *Index) getJSON(key []byte, v any) (bool, error) {
	val, closer, err := ix.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("index %s: read %s: %w", ix.dir, key, err)
	}
	defer closer.Close()
	if err := json.Unmarshal(val, v); err != nil {
		return false, fmt.Errorf("index %s: corrupt record %q: %w", ix.dir, key, err)
	}
	return true, nil
}

func setJSON(b *pebble.Batch, key []byte, v any) error {
	js, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Set(key, js, nil)
}

// quietLogger drops Pebble's informational messages; errors go to the
// standard error, prefixed.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}
func (quietLogger) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "index: "+format+"\n", args...)
}
func (quietLogger) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "index: fatal: "+format+"\n", args...)
	os.Exit(70)
}
