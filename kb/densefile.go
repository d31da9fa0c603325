package kb

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// vectorsMagic opens a file written by SaveVectors; its last two bytes are
// the format version.
const vectorsMagic = "AKBVEC01"

// Limits that keep a corrupt header from asking LoadVectors for gigabytes.
const (
	maxVectorsString   = 1 << 16 // bytes in a model name, fingerprint or id
	maxVectorsDim      = 1 << 16 // the largest models have 8192 or fewer
	maxArticleRows     = 1 << 16 // vectors of one article
	maxVectorsArticles = 1 << 24
)

// SaveVectors writes the index's vectors, model name, dimension and
// fingerprint to w in a compact binary form that LoadVectors reads: the
// magic "AKBVEC01", then little-endian fields (strings as a uint32 length
// and bytes): model, fingerprint, uint32 dimension, uint32 article count,
// for each article its id and uint32 vector count, and finally every vector
// as float32s.
func (d *DenseIndex) SaveVectors(w io.Writer) error {
	bw := bufio.NewWriter(w)
	buf := []byte(vectorsMagic)
	buf = appendString(buf, d.model)
	buf = appendString(buf, d.fingerprint)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(d.dim))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(d.ids)))
	for i, id := range d.ids {
		buf = appendString(buf, id)
		buf = binary.LittleEndian.AppendUint32(buf, uint32(d.first[i+1]-d.first[i]))
	}
	if _, err := bw.Write(buf); err != nil {
		return fmt.Errorf("save dense vectors: %w", err)
	}
	for r := 0; r < len(d.rows); r += d.dim {
		buf = buf[:0]
		for _, x := range d.rows[r : r+d.dim] {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("save dense vectors: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("save dense vectors: %w", err)
	}
	return nil
}

// appendString appends s with a uint32 length prefix.
func appendString(buf []byte, s string) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(s)))
	return append(buf, s...)
}

// LoadVectors reads vectors written by SaveVectors. It checks the format,
// the recorded dimension against the data and that every value is finite;
// NewDenseIndexFromVectors then checks the model and the articles.
func LoadVectors(r io.Reader) (*DenseVectors, error) {
	v, err := readVectors(&vectorsReader{r: bufio.NewReader(r)})
	if err != nil {
		return nil, fmt.Errorf("load dense vectors: %w", err)
	}
	return v, nil
}

// readVectors decodes the format SaveVectors writes.
func readVectors(vr *vectorsReader) (*DenseVectors, error) {
	magic := make([]byte, len(vectorsMagic))
	if _, err := io.ReadFull(vr.r, magic); err != nil || string(magic) != vectorsMagic {
		return nil, errors.New("not a vectors file of this version: rebuild it")
	}
	v := &DenseVectors{Model: vr.string(), Fingerprint: vr.string(), Dim: vr.count(maxVectorsDim)}
	var counts []int
	// Growing by append, not by the header's count, so that a corrupt
	// count runs into the end of the file instead of allocating.
	for n := vr.count(maxVectorsArticles); len(counts) < n && vr.err == nil; {
		v.Articles = append(v.Articles, ArticleVectors{ID: vr.string()})
		counts = append(counts, vr.count(maxArticleRows))
		if vr.err == nil && counts[len(counts)-1] > 0 && v.Dim == 0 {
			return nil, errors.New("corrupt: vectors of dimension 0")
		}
	}
	for i, n := range counts {
		for range n {
			v.Articles[i].Vectors = append(v.Articles[i].Vectors, vr.vector(v.Dim))
		}
	}
	if vr.err != nil {
		return nil, vr.err
	}
	if _, err := vr.r.ReadByte(); err != io.EOF {
		return nil, errors.New("unexpected bytes after the last vector")
	}
	return v, nil
}

// vectorsReader reads the fields of a vectors file and keeps the first
// error, so that readVectors reads as the format does.
type vectorsReader struct {
	r   *bufio.Reader
	err error
}

// uint32 reads a little-endian uint32, or returns 0 after an error.
func (vr *vectorsReader) uint32() uint32 {
	var b [4]byte
	if vr.err == nil {
		if _, err := io.ReadFull(vr.r, b[:]); err != nil {
			vr.err = fmt.Errorf("truncated: %w", err)
		}
	}
	return binary.LittleEndian.Uint32(b[:])
}

// count reads a uint32 that must not exceed limit.
func (vr *vectorsReader) count(limit int) int {
	n := vr.uint32()
	if vr.err == nil && int64(n) > int64(limit) {
		vr.err = fmt.Errorf("corrupt: count %d exceeds %d", n, limit)
		return 0
	}
	return int(n)
}

// string reads a length-prefixed string.
func (vr *vectorsReader) string() string {
	b := make([]byte, vr.count(maxVectorsString))
	if vr.err == nil {
		if _, err := io.ReadFull(vr.r, b); err != nil {
			vr.err = fmt.Errorf("truncated: %w", err)
		}
	}
	return string(b)
}

// vector reads dim float32s, which must be finite. Reading vector by vector
// means a truncated file fails before a header's claims are allocated.
func (vr *vectorsReader) vector(dim int) []float32 {
	if vr.err != nil {
		return nil
	}
	v := make([]float32, dim)
	for i := range v {
		v[i] = math.Float32frombits(vr.uint32())
		if f := float64(v[i]); vr.err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
			vr.err = errors.New("corrupt: a vector value is not finite")
		}
	}
	return v
}
