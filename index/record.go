package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
	"github.com/quchong/quchong/stage"
	"github.com/zeebo/xxh3"
)

// doc is one indexed document. Its value in the database is
//
//	format byte (1), uvarint version, uvarint len(id), id,
//	exact hash (16 bytes), uvarint masks, signed byte,
//	uvarint text bytes, uvarint len(zstd), zstd of the normalised text (UTF-8),
//	the low 32 bits of the xxh3 of everything before (4 bytes).
//
// The MinHash signature is not stored (it would be 4·K bytes, more than
// the rest of the record and its postings): it is a function of the
// normalised text (stage.SignNormalized), recomputed for the candidates a
// check screens. A document that is not signed (shorter than the minimum
// length) can only match exactly: its text is not stored.
type doc struct {
	Version uint64
	ID      string
	Exact   stage.Exact
	Masks   int
	Signed  bool
	// Text is the normalised text, decoded only when asked for.
	Text []rune
	// TextBytes and StoredBytes are the text's UTF-8 size and its
	// compressed size.
	TextBytes, StoredBytes int
	zText                  []byte
}

const recordFormat = 3

// codec compresses and decompresses texts; both are safe for concurrent
// use.
type codec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func newCodec() (codec, error) {
	// No zstd checksum: the record's covers the compressed text.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)), zstd.WithEncoderCRC(false))
	if err != nil {
		return codec{}, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
	return codec{enc, dec}, err
}

// encode appends d's record to dst; d.Text is compressed.
func (d *doc) encode(dst []byte, c codec) []byte {
	start := len(dst)
	dst = append(dst, recordFormat)
	dst = binary.AppendUvarint(dst, d.Version)
	dst = binary.AppendUvarint(dst, uint64(len(d.ID)))
	dst = append(dst, d.ID...)
	dst = binary.BigEndian.AppendUint64(dst, d.Exact.Hi)
	dst = binary.BigEndian.AppendUint64(dst, d.Exact.Lo)
	dst = binary.AppendUvarint(dst, uint64(d.Masks))
	signed := byte(0)
	if d.Signed {
		signed = 1
	}
	dst = append(dst, signed)
	if !d.Signed {
		dst = binary.AppendUvarint(dst, 0)
		dst = binary.AppendUvarint(dst, 0)
	} else {
		raw := []byte(string(d.Text))
		z := c.enc.EncodeAll(raw, nil)
		d.TextBytes, d.StoredBytes = len(raw), len(z)
		dst = binary.AppendUvarint(dst, uint64(len(raw)))
		dst = binary.AppendUvarint(dst, uint64(len(z)))
		dst = append(dst, z...)
	}
	return binary.BigEndian.AppendUint32(dst, uint32(xxh3.Hash(dst[start:])))
}

var errCorrupt = errors.New("corrupt document record")

// decode parses a record. The text stays compressed until d.text is
// called.
func decode(b []byte) (*doc, error) {
	if len(b) < 5 {
		return nil, errCorrupt
	}
	body := b[:len(b)-4]
	if uint32(xxh3.Hash(body)) != binary.BigEndian.Uint32(b[len(b)-4:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	if body[0] != recordFormat {
		return nil, fmt.Errorf("%w: format %d", errCorrupt, body[0])
	}
	p := body[1:]
	bad := false
	uv := func() uint64 {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			bad = true
			return 0
		}
		p = p[n:]
		return v
	}
	take := func(n uint64) []byte {
		if bad || uint64(len(p)) < n {
			bad = true
			return nil
		}
		s := p[:n]
		p = p[n:]
		return s
	}
	d := &doc{}
	d.Version = uv()
	d.ID = string(take(uv()))
	e := take(16)
	if bad {
		return nil, errCorrupt
	}
	d.Exact = stage.Exact{Hi: binary.BigEndian.Uint64(e), Lo: binary.BigEndian.Uint64(e[8:])}
	d.Masks = int(uv())
	s := take(1)
	if bad {
		return nil, errCorrupt
	}
	d.Signed = s[0] == 1
	d.TextBytes = int(uv())
	d.zText = take(uv())
	d.StoredBytes = len(d.zText)
	if bad || len(p) != 0 {
		return nil, errCorrupt
	}
	d.zText = append([]byte(nil), d.zText...) // b belongs to Pebble
	return d, nil
}

// text decompresses the normalised text.
func (d *doc) text(c codec) ([]rune, error) {
	if d.Text != nil || d.TextBytes == 0 {
		return d.Text, nil
	}
	raw, err := c.dec.DecodeAll(d.zText, make([]byte, 0, d.TextBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: text: %v", errCorrupt, err)
	}
	if len(raw) != d.TextBytes || !utf8.Valid(raw) {
		return nil, fmt.Errorf("%w: text of %d bytes, want %d", errCorrupt, len(raw), d.TextBytes)
	}
	d.Text = []rune(string(raw))
	return d.Text, nil
}

// sig recomputes the signature of a signed document from its text into
// dst (length K), as Prepare computed it when the document was added.
func (d *doc) sig(dst []uint32, st *stage.Stages, c codec, sc *stage.Scratch) error {
	t, err := d.text(c)
	if err != nil {
		return err
	}
	if !st.SignNormalized(dst, t, sc) {
		return fmt.Errorf("%w: a signed document whose text has no signature", errCorrupt)
	}
	return nil
}
