package corpus

import (
	"errors"
	"fmt"
	"io"

	"github.com/quchong/quchong/record"
)

// Account is what the reading of one input file accounts for: every record
// read is either passed on as a document or rejected with a reason, and a
// file that could not be read to its end says where it stopped. Every engine
// reads through ReadAccounted, so the rules (what is rejected, what stops a run
// under strict reading, what a fault keeps) are written once.
type Account struct {
	// Read counts the records read, the rejected ones included.
	Read int64
	// Docs counts the documents passed on.
	Docs int64
	// Rejects are the rejected records, in order.
	Rejects []*RejectError
	// Fault says why the file could not be opened or read to its end; nil
	// when it was read whole. The documents read before it were passed on.
	Fault error
	// FaultAfter is the last record read before Fault (0 when none was).
	FaultAfter int64
	// InputBytes is the decompressed size of what was read.
	InputBytes int64
}

// Failed records err, an error opening the file or reading it, as the
// file's fault, or returns it when strict: under strict reading a file that
// cannot be read whole stops the run.
func (a *Account) Failed(err error, strict bool) error {
	if strict {
		return err
	}
	a.Fault = err
	var rf *ReadFault
	if errors.As(err, &rf) {
		a.FaultAfter = rf.After
	}
	return nil
}

// ReadAccounted reads rd to its end, handing every document to fn and
// accounting for every other record in the returned Account: the reading
// with accounting that every engine does the same way. Under strict, the
// first rejected record or fault ends the read and is returned as the
// error (counted in Read when it is a record); otherwise a rejected record
// is recorded and reading goes on, and a fault ends the file and is
// recorded. An error from fn ends the read and is returned as it is. The
// account is valid whatever the error. ReadAccounted does not close rd.
func ReadAccounted(rd *Reader, strict bool, fn func(d record.Document) error) (a Account, err error) {
	defer func() { a.InputBytes = rd.InputBytes() }()
	for {
		d, err := rd.Next()
		if err == io.EOF {
			return a, nil
		}
		if err != nil {
			// Declared here, not before: errors.As makes it escape, and a
			// document read without error allocates nothing.
			if rej := (*RejectError)(nil); errors.As(err, &rej) {
				a.Read++
				if strict {
					return a, err
				}
				a.Rejects = append(a.Rejects, rej)
				continue
			}
			return a, a.Failed(err, strict)
		}
		a.Read++
		if err := fn(d); err != nil {
			return a, err
		}
		a.Docs++
	}
}

// MaxFileDocs is the most documents ReadFile passes on from one file: the
// executors that read a file whole number its documents in 32 bits.
const MaxFileDocs = 1<<32 - 2

// ReadFile opens the input file at path, reads it as ReadAccounted does and
// closes it: the reading of an executor that reads each file whole. A file
// that cannot be opened is the account's fault, or the error under strict,
// as Failed says; format is then def, and otherwise the format the reader
// found. A file of more than MaxFileDocs documents is an error.
func ReadFile(path string, src int, opt Options, def Format, strict bool, fn func(d record.Document) error) (a Account, format Format, err error) {
	rd, err := Open(path, src, opt)
	if err != nil {
		err = a.Failed(err, strict)
		return a, def, err
	}
	defer rd.Close()
	name := opt.Name
	if name == "" {
		name = path
	}
	var n int64
	a, err = ReadAccounted(rd, strict, func(d record.Document) error {
		if n++; n > MaxFileDocs {
			return fmt.Errorf("%s: more than %d documents: split the file", name, int64(MaxFileDocs))
		}
		return fn(d)
	})
	return a, rd.Format(), err
}

// Reread reads rd again, for a later pass over a file ReadAccounted read before,
// and closes it: the count documents passed on then are passed on again,
// numbered from 0 in order (rejected records are skipped, as they were
// then). A fault after them ends the reading quietly (the first reading
// recorded it); a file that now holds another number of documents, or fails
// before count, changed during the run, and that is an error.
func Reread(rd *Reader, count int64, doc func(i int64, d record.Document) error) error {
	defer rd.Close()
	var i int64
	for {
		d, err := rd.Next()
		if err == io.EOF {
			break
		}
		if IsReject(err) {
			continue
		}
		if err != nil && i == count {
			break // a fault after the documents of the first reading
		}
		if err != nil {
			return err
		}
		if i < count {
			if err := doc(i, d); err != nil {
				return err
			}
		}
		i++
	}
	if i != count {
		return fmt.Errorf("%s changed during the run: %d documents on the first pass, %d now", rd.Path(), count, i)
	}
	return nil
}
