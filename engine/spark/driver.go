package spark

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/spark-connect-go/spark/sql"

	"github.com/quchong/quchong/output"
)

// workName is the default work directory's name in the output directory,
// removed at the end of the run.
const workName = ".quchong-spark-work"

// edgeSchema is the schema of an edge table: x < y.
const edgeSchema = "x BIGINT, y BIGINT"

// DefaultMaxRounds bounds the large-star/small-star rounds.
const DefaultMaxRounds = 64

// rowFormat is TRANSFORM's row format, on both sides: without an explicit
// field delimiter Spark hands the script one unsplit column.
const rowFormat = `ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t' LINES TERMINATED BY '\n'`

// driver runs one job over a Spark Connect session.
type driver struct {
	s      sql.SparkSession
	cfg    Config
	worker string
	work   string // the work directory (a Hadoop filesystem URI)
	log    func(string, ...any)
}

// Run deduplicates opt.Inputs on the Spark cluster behind opt.Remote and
// writes the outputs of `quchong dedup` (kept/, removed/ with WriteRemoved,
// clusters.jsonl, rejected.jsonl, stats.json without timings) into
// opt.OutDir. It returns the run's stats.
func Run(ctx context.Context, opt Options) (*output.Stats, error) {
	if opt.OutDir != "" {
		abs, err := filepath.Abs(opt.OutDir)
		if err != nil {
			return nil, err
		}
		opt.OutDir = abs
	}
	cfg, err := Prepare(opt)
	if err != nil {
		return nil, err
	}
	if err := checkWorker(opt.Worker); err != nil {
		return nil, err
	}
	if cfg.Dir, err = os.Getwd(); err != nil {
		return nil, err
	}
	lock, _, err := output.LockDir(cfg.OutDir)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	if err := output.PrepareDir(cfg.OutDir, opt.Force, opt.Inputs, []string{workName}); err != nil {
		return nil, err
	}
	s, err := sql.NewSessionBuilder().Remote(opt.Remote).Build(ctx)
	if err != nil {
		return nil, fmt.Errorf("spark connect %s: %w", opt.Remote, err)
	}
	defer s.Stop()
	work := opt.WorkDir
	localWork := ""
	if work == "" {
		localWork = filepath.Join(cfg.OutDir, workName)
		work = "file://" + localWork
		defer os.RemoveAll(localWork)
	}
	if strings.ContainsAny(work, "'\\") {
		return nil, fmt.Errorf("work directory %q: the path must not contain quotes or backslashes", work)
	}
	d := &driver{s: s, cfg: cfg, worker: opt.Worker, work: strings.TrimSuffix(work, "/"), log: opt.Log}
	if d.log == nil {
		d.log = func(string, ...any) {}
	}
	maxRounds := opt.MaxRounds
	if maxRounds <= 0 {
		maxRounds = DefaultMaxRounds
	}
	if opt.Partitions > 0 {
		if err := d.exec(ctx, "SET spark.sql.shuffle.partitions="+itoa(opt.Partitions)); err != nil {
			return nil, err
		}
	}
	return d.run(ctx, maxRounds)
}

// checkWorker refuses a worker command that cannot go inside TRANSFORM's
// quoted USING string unchanged.
func checkWorker(w string) error {
	if w == "" {
		return fmt.Errorf("no worker binary: give the path of quchong-spark on the executors")
	}
	if !filepath.IsAbs(w) {
		return fmt.Errorf("worker binary %s: want an absolute path (the executors run it from their own directories)", w)
	}
	if strings.ContainsAny(w, "'\"\\ \t\n;$`") {
		return fmt.Errorf("worker binary %q: the path must not contain quotes, spaces or shell characters", w)
	}
	return nil
}

func (d *driver) exec(ctx context.Context, q string) error {
	if _, err := d.s.Sql(ctx, q); err != nil {
		return fmt.Errorf("spark: %w", err)
	}
	return nil
}

// save materialises a query as Parquet in the work directory and names it
// as a temporary view with the given schema. Each step then plans against
// files, not against the whole lineage before it (whose plan grows with
// every step), and what a step wrote survives the loss of an executor.
func (d *driver) save(ctx context.Context, name, schema, query string) error {
	t := time.Now()
	p := d.work + "/" + name
	if err := d.exec(ctx, "INSERT OVERWRITE DIRECTORY '"+p+"' USING parquet SELECT * FROM ("+query+")"); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := d.exec(ctx, "CREATE OR REPLACE TEMPORARY VIEW "+name+" ("+schema+") USING parquet OPTIONS (path '"+p+"')"); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	d.log("%s: %.1fs", name, time.Since(t).Seconds())
	return nil
}

// ints runs a query returning one row of integers.
func (d *driver) ints(ctx context.Context, query string) ([]int64, error) {
	df, err := d.s.Sql(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("spark: %w", err)
	}
	rows, err := df.Collect(ctx)
	if err != nil {
		return nil, fmt.Errorf("spark: %s: %w", query, err)
	}
	if len(rows) != 1 {
		return nil, fmt.Errorf("spark: %s: %d rows, want 1", query, len(rows))
	}
	var out []int64
	for _, v := range rows[0].Values() {
		switch x := v.(type) {
		case int64:
			out = append(out, x)
		case int32:
			out = append(out, int64(x))
		case nil:
			out = append(out, 0)
		default:
			return nil, fmt.Errorf("spark: %s: value %v (%T), want an integer", query, v, v)
		}
	}
	return out, nil
}

// transform returns the TRANSFORM of cols by the worker stage, its output
// schema and its source.
func (d *driver) transform(stage, cols, schema, from string) (string, error) {
	c, err := d.cfg.Encode()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("SELECT TRANSFORM(%s) %s USING '%s worker %s %s' AS (%s) %s FROM %s",
		cols, rowFormat, d.worker, stage, c, schema, rowFormat, from), nil
}

func (d *driver) run(ctx context.Context, maxRounds int) (*output.Stats, error) {
	n := len(d.cfg.Files)
	// Pass 1: one input file per partition.
	q, err := d.transform("read", "src",
		"tag STRING, src INT, ord BIGINT, band INT, key BIGINT, h STRING, id STRING, len INT, masks INT, val STRING, sig STRING, meta STRING",
		fmt.Sprintf("(SELECT CAST(id AS INT) AS src FROM range(0, %d, 1, %d))", n, n))
	if err != nil {
		return nil, err
	}
	if err := d.save(ctx, "q_read", "tag STRING, src INT, ord BIGINT, band INT, key BIGINT, h STRING, id STRING, len INT, masks INT, val STRING, sig STRING, meta STRING", q); err != nil {
		return nil, err
	}
	// Dense indices: each file's first index is the sum of the counts of
	// the files before it.
	if err := d.save(ctx, "q_off", "src INT, cnt BIGINT, first BIGINT, meta STRING", `SELECT src, ord AS cnt, COALESCE(SUM(ord) OVER (ORDER BY src ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS first, meta FROM q_read WHERE tag = 'm'`); err != nil {
		return nil, err
	}
	v, err := d.ints(ctx, "SELECT COUNT(*), COALESCE(SUM(cnt), 0) FROM q_off")
	if err != nil {
		return nil, err
	}
	if v[0] != int64(n) {
		return nil, fmt.Errorf("read pass: %d file metas for %d inputs", v[0], n)
	}
	if v[1] >= 1<<32-1 {
		return nil, fmt.Errorf("more than %d documents: split the run", uint32(1<<32-1))
	}
	d.log("read %d documents from %d files", v[1], n)
	// Documents with their exact-duplicate representative (the smallest
	// index with the same normalised text).
	if err := d.save(ctx, "q_docs", "idx BIGINT, src INT, h STRING, id STRING, len INT, masks INT, val STRING, sig STRING, rep BIGINT, n BIGINT", `SELECT idx, src, h, id, len, masks, val, sig, MIN(idx) OVER (PARTITION BY h) AS rep, COUNT(*) OVER (PARTITION BY h) AS n
		FROM (SELECT o.first + r.ord AS idx, r.src, r.h, r.id, r.len, r.masks, r.val, r.sig FROM q_read r JOIN q_off o ON r.src = o.src WHERE r.tag = 'd')`); err != nil {
		return nil, err
	}
	if v, err = d.ints(ctx, "SELECT COUNT(DISTINCT h) FROM q_docs WHERE n > 1"); err != nil {
		return nil, err
	}
	d.cfg.Verification.ExactGroups = v[0]
	// LSH buckets of two or more documents, each distinct member list once,
	// named by its smallest (band, key).
	if err := d.save(ctx, "q_buckets", "bid STRUCT<band: INT, key: BIGINT>, members ARRAY<BIGINT>", `SELECT MIN(named_struct('band', band, 'key', key)) AS bid, members
		FROM (SELECT r.band, r.key, array_sort(collect_list(o.first + r.ord)) AS members FROM q_read r JOIN q_off o ON r.src = o.src
			WHERE r.tag = 'b' GROUP BY r.band, r.key HAVING COUNT(*) >= 2)
		GROUP BY members`); err != nil {
		return nil, err
	}
	// Candidate pairs: stage.Link per bucket, on the members' signatures.
	q, err = d.transform("link", "band, key, idx, h, masks, sig", "a BIGINT, b BIGINT, verdict INT, sim STRING",
		`(SELECT q.bid.band AS band, q.bid.key AS key, d.idx, d.h, d.masks, d.sig
			FROM (SELECT bid, explode(members) AS idx FROM q_buckets) q JOIN q_docs d ON q.idx = d.idx
			DISTRIBUTE BY band, key)`)
	if err != nil {
		return nil, err
	}
	if err := d.save(ctx, "q_pairs", "a BIGINT, b BIGINT, verdict INT", "SELECT DISTINCT a, b, verdict FROM ("+q+")"); err != nil {
		return nil, err
	}
	if v, err = d.ints(ctx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN verdict = 1 THEN 1 ELSE 0 END), 0) FROM q_pairs"); err != nil {
		return nil, err
	}
	d.cfg.Verification.CandidatePairs, d.cfg.Verification.AcceptedBySignature = v[0], v[1]
	// The normalised texts of the pairs' documents, read again from their
	// files: the borderline pairs and the cluster decision need them.
	q, err = d.transform("texts", "src, first, cnt, idx", "idx BIGINT, text STRING",
		`(SELECT d.src, o.first, o.cnt, d.idx
			FROM (SELECT a AS idx FROM q_pairs UNION SELECT b FROM q_pairs) p JOIN q_docs d ON p.idx = d.idx JOIN q_off o ON d.src = o.src
			DISTRIBUTE BY src)`)
	if err != nil {
		return nil, err
	}
	if err := d.save(ctx, "q_texts", "idx BIGINT, text STRING", q); err != nil {
		return nil, err
	}
	q, err = d.transform("confirm", "a, b, ta, tb", "a BIGINT, b BIGINT, ok INT, sim STRING",
		`(SELECT p.a, p.b, COALESCE(x.text, '-') AS ta, COALESCE(y.text, '-') AS tb
			FROM q_pairs p LEFT JOIN q_texts x ON p.a = x.idx LEFT JOIN q_texts y ON p.b = y.idx WHERE p.verdict = 2)`)
	if err != nil {
		return nil, err
	}
	if err := d.save(ctx, "q_confirm", "a BIGINT, b BIGINT, ok INT, sim STRING", q); err != nil {
		return nil, err
	}
	if v, err = d.ints(ctx, "SELECT COUNT(*), COALESCE(SUM(ok), 0) FROM q_confirm"); err != nil {
		return nil, err
	}
	d.cfg.Verification.TextChecked, d.cfg.Verification.AcceptedByText = v[0], v[1]
	// Connected components of exact and accepted links.
	if err := d.save(ctx, "q_e0", edgeSchema, `SELECT rep AS x, idx AS y FROM q_docs WHERE idx != rep
		UNION SELECT a, b FROM q_pairs WHERE verdict = 1
		UNION SELECT a, b FROM q_confirm WHERE ok = 1`); err != nil {
		return nil, err
	}
	if err := d.components(ctx, "q_e0", maxRounds); err != nil {
		return nil, err
	}
	// The cluster decision per component.
	q, err = d.transform("decide", "l, idx, rep, id, len, masks, val, sig, text",
		"tag STRING, k BIGINT, idx BIGINT, flag INT, reason STRING, sim STRING, id STRING",
		`(SELECT lb.l, d.idx, d.rep, d.id, d.len, d.masks, d.val,
				CASE WHEN d.idx = d.rep THEN d.sig ELSE '-' END AS sig,
				CASE WHEN d.idx = d.rep THEN COALESCE(t.text, '-') ELSE '-' END AS text
			FROM q_labels lb JOIN q_docs d ON lb.v = d.idx LEFT JOIN q_texts t ON t.idx = d.idx
			DISTRIBUTE BY l)`)
	if err != nil {
		return nil, err
	}
	if err := d.save(ctx, "q_decide", "tag STRING, k BIGINT, idx BIGINT, flag INT, reason STRING, sim STRING, id STRING", q); err != nil {
		return nil, err
	}
	// kept/ and removed/, one file per task.
	q, err = d.transform("write", "src, kind, idx, flag, meta", "src INT, kept BIGINT, rmexact BIGINT, rmnear BIGINT",
		`(SELECT * FROM (SELECT src, 0 AS kind, first AS idx, cnt AS flag, meta FROM q_off
			UNION ALL SELECT d.src, 1, x.idx, x.flag, '-' FROM q_decide x JOIN q_docs d ON x.idx = d.idx WHERE x.tag = 'x')
			DISTRIBUTE BY src)`)
	if err != nil {
		return nil, err
	}
	if err := d.save(ctx, "q_write", "src INT, kept BIGINT, rmexact BIGINT, rmnear BIGINT", q); err != nil {
		return nil, err
	}
	// clusters.jsonl, rejected.jsonl and stats.json, on one executor.
	q, err = d.transform("finish", "kind, a, b, c, d, e, f", "stats STRING",
		`(SELECT /*+ REPARTITION(1) */ * FROM (
			SELECT 0 AS kind, k AS a, idx AS b, CAST(flag AS BIGINT) AS c, reason AS d, sim AS e, id AS f FROM q_decide WHERE tag = 'l'
			UNION ALL SELECT 1, src, 0, 0, '-', '-', meta FROM q_off
			UNION ALL SELECT 2, src, kept, rmexact, CAST(rmnear AS STRING), '-', '-' FROM q_write
			UNION ALL SELECT 3, 0, 0, 0, '-', '-', id FROM q_decide WHERE tag = 's'
			UNION ALL SELECT 9, 0, 0, 0, '-', '-', '-'))`)
	if err != nil {
		return nil, err
	}
	t := time.Now()
	df, err := d.s.Sql(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("finish: %w", err)
	}
	rows, err := df.Collect(ctx)
	if err != nil {
		return nil, fmt.Errorf("finish: %w", err)
	}
	d.log("finish: %.1fs", time.Since(t).Seconds())
	if len(rows) != 1 {
		return nil, fmt.Errorf("finish: %d rows, want 1", len(rows))
	}
	sf, _ := rows[0].At(0).(string)
	st, err := parseJSON[output.Stats](sf)
	if err != nil {
		return nil, fmt.Errorf("finish: %w", err)
	}
	return &st, nil
}

// components labels every vertex of the edges (x < y) in table e with its
// component's smallest vertex, in table q_labels (v, l), by large-star and
// small-star rounds (Kiveris et al., "Connected Components in MapReduce and
// Beyond", 2014), looped from here until the graph is a forest of stars
// whose centres are their components' minima.
func (d *driver) components(ctx context.Context, e string, maxRounds int) error {
	for r := 1; ; r++ {
		done, err := d.stars(ctx, e)
		if err != nil {
			return err
		}
		if done {
			d.log("components: %d large-star/small-star rounds", r-1)
			return d.save(ctx, "q_labels", "v BIGINT, l BIGINT", "SELECT y AS v, x AS l FROM "+e+" UNION ALL SELECT DISTINCT x, x FROM "+e)
		}
		if r > maxRounds {
			return fmt.Errorf("connected components did not converge in %d large-star/small-star rounds", maxRounds)
		}
		ls, ss := fmt.Sprintf("q_ls%d", r), fmt.Sprintf("q_ss%d", r)
		// Large star: each vertex links its larger neighbours to the
		// smallest of its neighbourhood (itself included).
		if err := d.save(ctx, ls, edgeSchema, `WITH d AS (SELECT x AS v, y AS u FROM `+e+` UNION ALL SELECT y, x FROM `+e+`),
			m AS (SELECT v, u, LEAST(v, MIN(u) OVER (PARTITION BY v)) AS m FROM d)
			SELECT DISTINCT m AS x, u AS y FROM m WHERE u > v`); err != nil {
			return err
		}
		// Small star: each vertex links itself and its smaller neighbours
		// to the smallest of them.
		if err := d.save(ctx, ss, edgeSchema, `WITH d AS (SELECT y AS v, x AS u FROM `+ls+`),
			m AS (SELECT v, u, MIN(u) OVER (PARTITION BY v) AS m FROM d)
			SELECT DISTINCT x, y FROM (SELECT m AS x, u AS y FROM m WHERE u != m UNION ALL SELECT m, v FROM m)`); err != nil {
			return err
		}
		e = ss
	}
}

// stars reports whether the edges of table e form stars centred on their
// smallest vertex: no vertex is both a centre and a leaf, and no leaf has
// two centres.
func (d *driver) stars(ctx context.Context, e string) (bool, error) {
	v, err := d.ints(ctx, `SELECT (SELECT COUNT(*) FROM `+e+` a JOIN `+e+` b ON a.y = b.x),
		(SELECT COUNT(*) FROM (SELECT y FROM `+e+` GROUP BY y HAVING COUNT(*) > 1))`)
	if err != nil {
		return false, err
	}
	return v[0] == 0 && v[1] == 0, nil
}
