package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/internal/units"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/record"
	"github.com/quchong/quchong/stage"
)

// Pass 1 reads several input files at once, each on a goroutine of its own
// (decompression, line splitting and field extraction are most of reading),
// and one sequencer takes their documents in input order: it gives each its
// dense index, writes its id to the side file and hands its batch to the
// fingerprint workers. A file's documents are numbered from where the
// previous file's end, whatever the order the readers finish in, so the
// document table, the clusters and every output are those of a run that
// reads one file at a time. Rejects and faults are recorded by the
// sequencer, in input order too.

// batch is a run of consecutive documents of one file handed to one worker:
// their texts packed in one buffer, their ids, keep-rule values and record
// offsets, and where each one's results go.
type batch struct {
	buf    []byte
	ends   []int
	ids    []byte
	idEnds []int
	vals   []record.Value // with a keep-rule field only
	offs   []int64        // record offsets, for files read back by offset
	// recs, for the parts of a file after the first, are the documents'
	// record numbers in the part, 0 for one with an id field.
	recs  []int64
	slots []slot
	// spill says the texts go to the text spill, from base on.
	spill bool
	base  int64
	// fileBytes is how far into its file the reader was, for progress.
	fileBytes int64
	// quota is the reader's: the worker gives the batch back to it.
	quota chan struct{}
}

func (b *batch) reset() {
	if cap(b.buf) > 8*batchBytes {
		b.buf = nil // after a huge document, do not pin its memory
	}
	b.buf, b.ends, b.slots = b.buf[:0], b.ends[:0], b.slots[:0]
	b.ids, b.idEnds, b.vals, b.offs, b.recs = b.ids[:0], b.idEnds[:0], b.vals[:0], b.offs[:0], b.recs[:0]
	b.spill, b.base, b.fileBytes, b.quota = false, 0, 0, nil
}

const (
	batchDocs  = 256
	batchBytes = 1 << 20
	// readerBatches is how many batches one reader may have filled and not
	// yet given back by a worker.
	readerBatches = 4
	// maxReaders caps the files read at once.
	maxReaders = 8
	// readerBytes is what one reader costs in memory, for the budget: its
	// batches, read buffers and a decompressor's window.
	readerBytes = readerBatches*batchBytes*2 + 16<<20
)

// readers is how many files or parts pass 1 reads at once: one per worker,
// within the files, maxReaders, a quarter of the memory budget and the
// limit of open files.
func (r *run) readers() int {
	n := max(1, min(r.workers, len(r.files), maxReaders, int(r.budget.Readers()/readerBytes)))
	if limit := openFileLimit(); limit > 0 {
		n = max(1, min(n, (limit-fdReserve)/2))
	}
	return n
}

// batchPool recycles batches between the readers and the workers.
type batchPool struct{ free chan *batch }

func (p *batchPool) get() *batch {
	select {
	case b := <-p.free:
		return b
	default:
		return &batch{}
	}
}

// put gives a worker's batch back: to the pool, and its slot to its reader.
func (p *batchPool) put(b *batch) {
	q := b.quota
	b.reset()
	select {
	case p.free <- b:
	default:
	}
	q <- struct{}{}
}

// fileRead is one file as its reader goroutine read it: its batches, in
// order, then what reading it came to.
type fileRead struct {
	batches chan *batch // closed when the file is read
	acct    corpus.Account
	format  corpus.Format
	// openErr says why the file could not be opened; err ends the run
	// (--strict, a document beyond 4 GiB, a failed close).
	openErr  error
	err      error
	fileSize int64
	held     *corpus.DecodedFile
	// reread says the file's texts are read back from it by offset
	// (corpus.Rereadable); the others go to the text spill.
	reread bool
}

// errReadStopped ends a reader whose run has stopped.
var errReadStopped = errors.New("reading stopped")

// fingerprint is pass 1: read every document, give it a dense index and
// fingerprint it on the worker pool.
func (r *run) fingerprint(ctx context.Context) error {
	sigFile, err := os.Create(filepath.Join(r.workDir, "signatures.bin"))
	if err != nil {
		return &output.OutputError{Err: fmt.Errorf("work directory: %w", err)}
	}
	side, err := createSideFile(r.workDir, r.field != "")
	if err != nil {
		return &output.OutputError{Err: err}
	}
	r.docs = newStore(r.p.K, sigFile, side, r.residentBlocks())
	if r.texts, err = createTextSpill(r.workDir); err != nil {
		return &output.OutputError{Err: err}
	}
	readers := r.readers()
	pool := &batchPool{free: make(chan *batch, readers*readerBatches)}
	work := make(chan *batch, r.workers*2)
	var wg sync.WaitGroup
	spillErrs := make([]error, r.workers)
	for w := 0; w < r.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := new(stage.Scratch)
			for b := range work {
				start := 0
				for i, end := range b.ends {
					*b.slots[i].ent = packEntry(r.st.Fingerprint(b.slots[i].sig, b.buf[start:end], sc))
					start = end
				}
				// The sequencer laid the batch's texts out from b.base on.
				if b.spill {
					if err := r.texts.write(b.buf, b.base); err != nil {
						spillErrs[w] = err
					}
				}
				for _, sl := range b.slots {
					r.docs.done(sl)
				}
				pool.put(b)
			}
		}()
	}
	err = r.readAll(ctx, readers, pool, work)
	close(work)
	wg.Wait()
	if err != nil {
		return err
	}
	if err := errors.Join(append(spillErrs, r.docs.finish())...); err != nil {
		return &output.OutputError{Err: err}
	}
	r.texts.end = r.spillEnd
	var total output.Counts
	for _, f := range r.files {
		total.Add(f.counts)
	}
	r.prog.done(total.Read, total.InputBytes, "%s read (%d rejected), %s of text", units.Plural(total.Read, "document", ""), total.Rejected, units.Bytes(total.InputBytes))
	return nil
}

// part is what one reader reads: a whole input file or, for a large
// uncompressed text or JSONL file, the lines that begin in [start, end),
// or, for a Parquet file of several row groups, the row groups [start, end).
type part struct {
	si          int
	f           *fileInfo
	start, end  int64 // end 0: the whole file
	first, last bool  // the file's first and last part
	// layout is the Parquet file's, when it is read by row groups.
	layout *corpus.ParquetLayout
}

// defaultPartBytes is the size of the parts a large uncompressed file is
// read in (for Parquet: of the row groups' uncompressed size).
const defaultPartBytes = 32 << 20

// parts splits the inputs into what the readers read.
func (r *run) parts() []part {
	size := int64(defaultPartBytes)
	if r.opt.partBytes > 0 {
		size = r.opt.partBytes
	}
	var ps []part
	for si, f := range r.files {
		lower := strings.ToLower(f.path)
		splittable := corpus.Rereadable(f.format, f.compress) && !strings.HasSuffix(lower, ".gz") && !strings.HasSuffix(lower, ".zst") && !strings.HasSuffix(lower, ".zstd")
		n, units := int64(1), f.readSize
		var layout *corpus.ParquetLayout
		if splittable && f.readSize > size {
			n = (f.readSize + size - 1) / size
		}
		if f.format == corpus.Parquet {
			// A file that cannot be read is reported by its reader.
			if l, err := corpus.ReadParquetLayout(f.read); err == nil && l.RowGroups > 1 && l.Uncompressed > size {
				layout, units = &l, int64(l.RowGroups)
				n = min(units, (l.Uncompressed+size-1)/size)
			}
		}
		for k := range n {
			p := part{si: si, f: f, first: k == 0, last: k == n-1, layout: layout}
			if n > 1 {
				p.start, p.end = units*k/n, units*(k+1)/n
			}
			ps = append(ps, p)
		}
	}
	return ps
}

// readAll reads the files, up to readers parts at once, and hands their
// documents to work in input order.
func (r *run) readAll(ctx context.Context, readers int, pool *batchPool, work chan<- *batch) error {
	// A compressed file read on its own holds its decoded content up to the
	// cache's limit; such files read at once share it. The share depends on
	// the inputs only, not on how many are read at once.
	held := 0
	for _, f := range r.files {
		if f.format != corpus.Parquet && !corpus.Rereadable(f.format, f.compress) {
			held++
		}
	}
	r.decoded.PerFile = r.decoded.Limit / int64(min(max(held, 1), maxReaders))
	parts := r.parts()
	frs := make([]*fileRead, len(parts))
	for i := range frs {
		frs[i] = &fileRead{batches: make(chan *batch, readerBatches)}
	}
	stop := make(chan struct{})
	// A part holds a reading slot from the start of its reader until the
	// sequencer is done with it, so that at most readers parts are read or
	// wait, whatever their sizes.
	slots := make(chan struct{}, readers)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, p := range parts {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.readPart(p, frs[i], pool, stop)
			}()
		}
	}()
	defer func() {
		close(stop)
		wg.Wait()
		for i, fr := range frs {
			if fr.held != nil && parts[i].f.decoded != fr.held {
				fr.held.Release() // not kept, or the run stopped
			}
		}
	}()
	total := r.stageBytes("fingerprint")
	var doneBytes int64 // on-disk bytes of the parts already read
	var base int64      // records in the file's parts before this one
	var idBuf []byte
	for i, p := range parts {
		fr, f := frs[i], p.f
		if p.first {
			f.first = uint32(r.docs.n)
			f.spillStart = r.spillEnd
			base = 0
		}
		lost := f.fault != "" // an earlier part of the file faulted
		for b := range fr.batches {
			if lost {
				pool.put(b)
				continue
			}
			var err error
			if idBuf, err = r.place(f, b, base, idBuf); err != nil {
				return err
			}
			at := b.fileBytes
			work <- b // the workers own b from here on
			r.prog.update(int64(r.docs.n), doneBytes+at, total)
			// An interrupted run stops within a batch, not at the end of a
			// file that may be most of the input.
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		<-slots
		switch {
		case p.layout != nil:
			doneBytes += fr.fileSize * (p.end - p.start) / int64(p.layout.RowGroups)
		case p.end > 0:
			doneBytes += p.end - p.start
		default:
			doneBytes += fr.fileSize
		}
		if lost {
			continue // the rest of a faulted file is lost, as read whole
		}
		if fr.openErr != nil {
			if limitErr := fdError(fr.openErr); limitErr != nil {
				return limitErr // the file is not at fault: nothing is lost
			}
			if r.opt.Strict {
				return &output.InputError{Err: fr.openErr}
			}
			r.fault(f, fr.openErr) // an unreadable file: nothing read, nothing written
			if p.first {
				f.count = 0
				continue
			}
		} else {
			r.account(f, fr, base, p.layout)
			base += fr.acct.Read
			if fr.err != nil {
				return fr.err
			}
		}
		if p.last || f.fault != "" {
			f.count = uint32(r.docs.n) - f.first
		}
		if fr.held != nil && f.fault == "" {
			fr.held.Seal() // in input order: see corpus.DecodedCache
			if fr.held.Reader() != nil {
				f.decoded = fr.held
			}
		}
	}
	return ctx.Err()
}

// account records what reading a part of f came to: its records, rejects
// and fault, numbered on from the base records of the parts before it. The
// input bytes of a Parquet file read by row groups are prorated over the
// whole file, as its reader does.
func (r *run) account(f *fileInfo, fr *fileRead, base int64, layout *corpus.ParquetLayout) {
	f.reread = fr.reread
	f.counts.Read += fr.acct.Read
	for _, rej := range fr.acct.Rejects {
		if base > 0 {
			renumbered := *rej
			renumbered.Record += base
			rej = &renumbered
		}
		r.reject(f, rej, fr.format)
	}
	if fault := fr.acct.Fault; fault != nil {
		// A truncated or corrupt file: keep what was read before the
		// fault, and say loudly that the rest is lost.
		var rf *corpus.ReadFault
		if base > 0 && errors.As(fault, &rf) {
			renumbered := *rf
			renumbered.After += base
			fault = &renumbered
		}
		r.fault(f, fault)
		f.faultAfter = fr.acct.FaultAfter + base
	}
	f.counts.InputBytes += fr.acct.InputBytes
	if layout != nil {
		f.counts.InputBytes = layout.InputBytes(f.counts.Read)
	}
}

// place gives the documents of a batch from file f their dense indices, in
// order, and lays their texts out in the text spill when f is not read back
// by offset. The documents of a part after the first without an id field
// get theirs here, numbered on from base.
func (r *run) place(f *fileInfo, b *batch, base int64, idBuf []byte) ([]byte, error) {
	b.base = r.spillEnd
	start, idStart := 0, 0
	for j, end := range b.ends {
		if r.docs.n >= 1<<32-1 {
			return idBuf, fmt.Errorf("more than %d documents: split the run", uint32(1<<32-1))
		}
		var v record.Value
		if r.field != "" {
			v = b.vals[j]
		}
		var loc uint64
		if !b.spill {
			loc = uint64(b.offs[j])
		} else {
			r.spillEnd += int64(end - start)
			loc = uint64(r.spillEnd)
		}
		id := b.ids[idStart:b.idEnds[j]]
		if len(b.recs) > 0 && b.recs[j] > 0 {
			idBuf = append(append(idBuf[:0], f.path...), ':')
			idBuf = strconv.AppendInt(idBuf, base+b.recs[j], 10)
			id = idBuf
		}
		sl, err := r.docs.add(id, v, loc)
		if err != nil {
			return idBuf, &output.OutputError{Err: err}
		}
		b.slots = append(b.slots, sl)
		start, idStart = end, b.idEnds[j]
	}
	return idBuf, nil
}

// readPart is a part's reader goroutine: it reads the part with
// corpus.ReadAccounted and sends its documents, in batches, to fr.batches.
func (r *run) readPart(p part, fr *fileRead, pool *batchPool, stop <-chan struct{}) {
	defer close(fr.batches)
	f := p.f
	copt := r.opt.Corpus
	copt.LazyID = true // ids go straight to the side file
	copt.Name = f.path
	var rd *corpus.Reader
	var err error
	switch {
	case p.layout != nil:
		rd, err = corpus.OpenRowGroups(f.read, p.si, copt, int(p.start), int(p.end))
	case p.end > 0:
		rd, err = corpus.OpenPart(f.read, p.si, copt, p.start, p.end)
	default:
		rd, err = corpus.Open(f.read, p.si, copt)
	}
	if err != nil {
		fr.openErr = err
		return
	}
	fr.format, fr.fileSize = rd.Format(), rd.FileSize()
	reread := corpus.Rereadable(rd.Format(), rd.Compression())
	fr.reread = reread
	if !reread && p.end == 0 {
		// An uncompressed file is read again from the disk, which costs no
		// more than a copy held in memory.
		if held := r.decoded.File(); rd.Tee(held) {
			fr.held = held
		}
	}
	quota := make(chan struct{}, readerBatches)
	for range readerBatches {
		quota <- struct{}{}
	}
	var cur *batch
	send := func() error {
		if cur == nil {
			return nil
		}
		cur.fileBytes = rd.FileBytes()
		select {
		case fr.batches <- cur:
			cur = nil
			return nil
		case <-stop:
			return errReadStopped
		}
	}
	acct, err := corpus.ReadAccounted(rd, r.opt.Strict, func(d record.Document) error {
		if len(d.Text) > 1<<32-1 {
			return &output.InputError{Err: fmt.Errorf("%s record %d: a document of %d bytes is beyond 4 GiB", f.path, d.Record, len(d.Text))}
		}
		if cur == nil {
			select {
			case <-quota:
			case <-stop:
				return errReadStopped
			}
			cur = pool.get()
			cur.quota, cur.spill = quota, !reread
		}
		cur.buf = append(cur.buf, d.Text...)
		cur.ends = append(cur.ends, len(cur.buf))
		cur.ids = rd.AppendID(cur.ids)
		cur.idEnds = append(cur.idEnds, len(cur.ids))
		if r.field != "" {
			cur.vals = append(cur.vals, d.Fields[r.field])
		}
		if reread {
			cur.offs = append(cur.offs, rd.Offset())
		}
		if !p.first {
			// The part numbers its records from 1: place renumbers them.
			rec := d.Record
			if rd.HasID() {
				rec = 0
			}
			cur.recs = append(cur.recs, rec)
		}
		if len(cur.ends) >= batchDocs || len(cur.buf) >= batchBytes {
			return send()
		}
		return nil
	})
	if err == nil {
		err = send()
	} else if cur != nil {
		// Documents read before a --strict error are fingerprinted, as
		// when the run reads one file at a time; the run fails anyway.
		if serr := send(); serr != nil {
			err = serr
		}
	}
	fr.acct = acct
	if cerr := rd.Close(); cerr != nil && err == nil && acct.Fault == nil {
		err = &output.InputError{Err: fmt.Errorf("%s: %w", f.path, cerr)}
	}
	var ie *output.InputError
	switch {
	case err == nil, errors.Is(err, errReadStopped):
	case errors.As(err, &ie):
		fr.err = err
	default:
		fr.err = &output.InputError{Err: err} // --strict: a rejected record or a fault
	}
}

// fault records that f could not be read to its end.
func (r *run) fault(f *fileInfo, err error) {
	f.fault = err.Error()
	r.stats.Faults = append(r.stats.Faults, f.fault)
	r.prog.note("WARNING: %s: the rest of this file is lost (documents read before the fault are kept)", f.fault)
}

func (r *run) reject(f *fileInfo, rej *corpus.RejectError, format corpus.Format) {
	f.counts.Reject(string(rej.Reason))
	f.rejected = append(f.rejected, rej.Record)
	r.rejects = append(r.rejects, output.NewRejection(f.path, format, rej))
}

// readText returns document i's text, in buf when it is large enough: read
// back from its input file by offset, or from the text spill.
func (r *run) readText(i uint32, buf []byte) ([]byte, error) {
	f := r.files[r.fileOf(i)]
	loc := r.docs.loc(i)
	if !f.reread {
		start := uint64(f.spillStart)
		if i > f.first {
			start = r.docs.loc(i - 1)
		}
		text, err := r.texts.read(int64(start), uint32(loc-start), buf)
		if err != nil {
			return nil, &output.OutputError{Err: err}
		}
		return text, nil
	}
	return r.rereaders.textAt(f, int64(loc), r.opt.Corpus, buf)
}

// rereaders holds the few input files open that texts are read back from:
// at most maxRereaders at once, whatever the number of inputs, so that the
// limit of open files is never approached; the least recently opened is
// closed to open another. Reads are serialised: they are few (the texts of
// borderline pairs) and short.
type rereaders struct {
	mu   sync.Mutex
	open []rereader // in the order opened
}

type rereader struct {
	f  *fileInfo
	tr *corpus.TextReader
}

const maxRereaders = 8

// textAt reads the text of the document of f whose record begins at off
// into buf.
func (rs *rereaders) textAt(f *fileInfo, off int64, copt corpus.Options, buf []byte) ([]byte, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	j := slices.IndexFunc(rs.open, func(o rereader) bool { return o.f == f })
	if j < 0 {
		copt.Name = f.path
		tr, err := corpus.OpenText(f.read, copt)
		if err != nil {
			if limitErr := fdError(err); limitErr != nil {
				return nil, limitErr
			}
			return nil, &output.InputError{Err: fmt.Errorf("read back a text: %w", err)}
		}
		if len(rs.open) == maxRereaders {
			rs.open[0].tr.Close()
			rs.open = rs.open[1:]
		}
		rs.open = append(rs.open, rereader{f, tr})
		j = len(rs.open) - 1
	}
	text, err := rs.open[j].tr.TextAt(off)
	if err != nil {
		return nil, &output.InputError{Err: err}
	}
	return append(buf[:0], text...), nil
}

// close closes the files opened to read texts back.
func (rs *rereaders) close() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, o := range rs.open {
		o.tr.Close()
	}
	rs.open = nil
}

// textBytes bounds the size of document i's text, for memory estimates
// (for a file read back by offset: the bytes up to the next document's
// record, or the end of the file).
func (r *run) textBytes(i uint32) int64 {
	f := r.files[r.fileOf(i)]
	loc := r.docs.loc(i)
	if !f.reread {
		start := uint64(f.spillStart)
		if i > f.first {
			start = r.docs.loc(i - 1)
		}
		return int64(loc - start)
	}
	if i+1 < f.first+f.count {
		return int64(r.docs.loc(i+1) - loc)
	}
	return max(0, f.readSize-int64(loc))
}
