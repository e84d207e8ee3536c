// Package spark is quchong's Apache Spark engine: the deduplication flow of
// the local engine (engine/local) driven from Go over Spark Connect, with
// Spark doing the shuffles and the stage functions (package stage) running
// inside the executors through Spark SQL's TRANSFORM … USING, so a Spark
// cluster gives the same clusters and the same kept documents as
// `quchong dedup`.
//
// The flow; each step is one Spark SQL statement, every ▸ a shuffle, and
// [worker X] the quchong-spark binary run by TRANSFORM on each partition:
//
//	files (one per partition) ─ [worker read]: fingerprints, band keys, file metas
//	  ▸ offsets (prefix sum of the file counts): dense indices ─ ▸ exact hash: representatives
//	  ▸ (band, key): buckets of ≥ 2, distinct member lists ▸ ⋈ signatures ▸ bucket ─ [worker link] (stage.Link)
//	  ▸ distinct pairs ─ ▸ file: [worker texts] re-reads the pairs' normalised texts
//	  ▸ borderline pairs ⋈ texts ─ [worker confirm] (stage.Confirm)
//	  edges ─ large-star/small-star rounds, looped from the driver (▸ per step) ─ labels
//	  ▸ component: labels ⋈ fingerprints ⋈ signatures ⋈ texts ─ [worker decide] (stage.Decide)
//	  ▸ file: [worker write] kept/ and removed/ (stage.Router, corpus.Partition)
//	  ▸ one partition: [worker finish] clusters.jsonl, rejected.jsonl, stats.json
//
// Every worker reads its whole partition and groups and sorts it itself, so
// no result depends on the order in which Spark delivers rows, and a task
// that Spark runs again (a lost executor) writes the same bytes.
package spark

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/gob"
	"fmt"
	"io"

	"github.com/quchong/quchong/output"
)

// Config is everything the workers need. It travels on the TRANSFORM
// command line, gob-encoded, gzipped and base64-encoded.
type Config struct {
	output.Job
	// Dir is the driver's working directory: relative input paths are
	// opened from it, and ids and stats name them as given.
	Dir string
	// Verification holds the candidate pair counts, which the driver
	// gathers before the finish stage writes stats.json.
	Verification output.Verification
}

// Options configures a run: the request every executor takes, and what is
// Spark's own. Every executor must be able to read the request's inputs at
// their paths and write into its OutDir (a filesystem shared with the
// driver).
type Options struct {
	output.Request
	// Remote is the Spark Connect address, sc://HOST:PORT.
	Remote string
	// Worker is the command the executors run for the stage functions: the
	// absolute path of a quchong-spark binary present at that path on every
	// node.
	Worker string
	// WorkDir is where the steps' results are materialised (Parquet), as a
	// Hadoop filesystem URI every executor can write (file:///…, gs://…,
	// s3a://…, dbfs:/…); empty means DIR/.quchong-spark-work, removed at the
	// end.
	WorkDir string
	// Partitions sets spark.sql.shuffle.partitions for the run; 0 keeps the
	// session's.
	Partitions int
	// MaxRounds bounds the large-star/small-star rounds; 0 means 64.
	MaxRounds int
	// Log receives one line per step, when not nil.
	Log func(format string, args ...any)
}

// Prepare validates the options, inspects the inputs and returns the
// Config the workers carry. It does not touch the output directory.
func Prepare(opt Options) (Config, error) {
	var cfg Config
	job, err := opt.Job()
	if err != nil {
		return cfg, err
	}
	cfg.Job = job
	return cfg, nil
}

// Encode returns cfg as one command-line word (URL-safe base64 of gzipped
// gob).
func (cfg *Config) Encode() (string, error) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if err := gob.NewEncoder(zw).Encode(cfg); err != nil {
		return "", fmt.Errorf("encode config: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("encode config: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b.Bytes()), nil
}

// DecodeConfig reverses Encode.
func DecodeConfig(s string) (*Config, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	var cfg Config
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&cfg); err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	return &cfg, nil
}
