package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	// Filesystems reachable through Beam's filesystem layer.
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/memfs"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/s3"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
)

// IsRemote reports whether p names a file in a Beam filesystem other than
// the local one (gs://, s3://, memfs://).
func IsRemote(p string) bool { return strings.Contains(p, "://") }

// joinPath joins an output directory and a relative name, for local paths
// and URLs alike.
func joinPath(dir, name string) string {
	if IsRemote(dir) {
		return strings.TrimSuffix(dir, "/") + "/" + filepath.ToSlash(name)
	}
	return filepath.Join(dir, name)
}

// ExpandInputs lists the input files of the arguments: local arguments as
// corpus.ExpandInputs does (files, directories, globs), remote ones through
// the Beam filesystem's List (a glob or a single object).
func ExpandInputs(ctx context.Context, args []string, format corpus.Format) ([]string, error) {
	var out []string
	var localArgs []string
	flushLocal := func() error {
		if len(localArgs) == 0 {
			return nil
		}
		files, err := corpus.ExpandInputs(localArgs, format)
		if err != nil {
			return err
		}
		out = append(out, files...)
		localArgs = nil
		return nil
	}
	for _, a := range args {
		if !IsRemote(a) {
			localArgs = append(localArgs, a)
			continue
		}
		if err := flushLocal(); err != nil {
			return nil, err
		}
		fs, err := filesystem.New(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", a, err)
		}
		files, err := fs.List(ctx, a)
		fs.Close()
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", a, err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("input %s matches no file", a)
		}
		slices.Sort(files)
		out = append(out, files...)
	}
	if err := flushLocal(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no input files")
	}
	seen := make(map[string]bool)
	for _, f := range out {
		if seen[f] {
			return nil, fmt.Errorf("input %s is listed twice", f)
		}
		seen[f] = true
	}
	return out, nil
}

// localFile makes an input readable by package corpus, which needs a local
// path: a remote file is copied to a temporary file with the same base name
// (the extension selects the format). cleanup removes the copy.
func localFile(ctx context.Context, p string) (string, func(), error) {
	if !IsRemote(p) {
		return p, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "quchong-beam-in-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	dst := filepath.Join(dir, path.Base(p))
	if err := copyFile(ctx, p, dst); err != nil {
		cleanup()
		return "", nil, err
	}
	return dst, cleanup, nil
}

// copyFile copies between any two paths the Beam filesystems know.
func copyFile(ctx context.Context, src, dst string) (err error) {
	sfs, err := filesystem.New(ctx, src)
	if err != nil {
		return err
	}
	defer sfs.Close()
	dfs, err := filesystem.New(ctx, dst)
	if err != nil {
		return err
	}
	defer dfs.Close()
	r, err := sfs.OpenRead(ctx, src)
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer r.Close()
	w, err := dfs.OpenWrite(ctx, dst)
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write %s: %w", dst, err)
	}
	return nil
}

// fixID turns an id the reader made from a temporary copy's path back into
// one made from the input's own path, so remote inputs get the ids the
// local engine would give them.
func fixID(id, tmp, orig string, record int64) string {
	if tmp == orig {
		return id
	}
	if id == tmp+":"+strconv.FormatInt(record, 10) {
		return orig + ":" + strconv.FormatInt(record, 10)
	}
	return id
}

// writeOutput writes one output file: locally through a temporary file and
// a rename (atomic), remotely through the Beam filesystem.
func writeOutput(ctx context.Context, p string, fill func(w io.Writer) error) error {
	if IsRemote(p) {
		fs, err := filesystem.New(ctx, p)
		if err != nil {
			return err
		}
		defer fs.Close()
		w, err := fs.OpenWrite(ctx, p)
		if err != nil {
			return fmt.Errorf("create %s: %w", p, err)
		}
		if err := fill(w); err != nil {
			w.Close()
			return fmt.Errorf("write %s: %w", p, err)
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// outputs are the names quchong writes in the output directory.
// LockOutDir locks a local output directory for a run, as quchong dedup
// does (output.LockDir: a second run into it is refused, naming the
// holder); a remote one is not locked. Call release when the run ends.
func LockOutDir(dir string) (release func(), err error) {
	if dir == "" || IsRemote(dir) {
		return func() {}, nil
	}
	l, _, err := output.LockDir(dir)
	if err != nil {
		return nil, err
	}
	return l.Release, nil
}

// prepareOutDir applies the output directory rules of package output
// (output.PrepareDir) to a local directory; a remote one is the storage's
// business.
func prepareOutDir(dir string, force bool, inputs []string) error {
	if IsRemote(dir) {
		return nil
	}
	var local []string
	for _, in := range inputs {
		if !IsRemote(in) {
			local = append(local, in)
		}
	}
	return output.PrepareDir(dir, force, local, nil)
}
