package intent

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/larkspur-labs/assist/internal/atomicfile"
)

// FileVersion changes whenever the features or the file layout change, so
// that a model trained by an older build is retrained rather than misread.
const FileVersion = 1

// modelFile is a model as stored on disk.
type modelFile struct {
	Version int
	Labels  []string
	Keys    []uint64
	IDF     []float32
	Weights []float32
	Bias    []float32
	Temp    float32
	// Negation is the feature option the model was trained with.
	Negation bool
	// Fingerprint identifies the training data; see Model.Fingerprint.
	Fingerprint string
}

// ErrVersion is returned by Read for a model file written by a build with
// other features: retrain it.
var ErrVersion = errors.New("intent model file is from another version: retrain it")

// Write stores the model in w.
func (m *Model) Write(w io.Writer) error {
	keys := make([]uint64, len(m.idf))
	for h, col := range m.vocab {
		keys[col] = h
	}
	f := modelFile{
		Version: FileVersion, Labels: m.labels, Keys: keys, IDF: m.idf,
		Weights: m.weights, Bias: m.bias, Temp: m.temp, Negation: m.negation, Fingerprint: m.Fingerprint,
	}
	if err := gob.NewEncoder(w).Encode(&f); err != nil {
		return fmt.Errorf("write intent model: %w", err)
	}
	return nil
}

// Read loads a model written by Write, checking that its parts fit together.
func Read(r io.Reader) (*Model, error) {
	var f modelFile
	if err := gob.NewDecoder(bufio.NewReader(r)).Decode(&f); err != nil {
		return nil, fmt.Errorf("read intent model: %w", err)
	}
	if f.Version != FileVersion {
		return nil, fmt.Errorf("read intent model: version %d, want %d: %w", f.Version, FileVersion, ErrVersion)
	}
	nl, nf := len(f.Labels), len(f.Keys)
	if nl < 2 || len(f.IDF) != nf || len(f.Bias) != nl || len(f.Weights) != nf*nl || !(f.Temp > 0) {
		return nil, fmt.Errorf("read intent model: inconsistent sizes (%d labels, %d features, %d weights)", nl, nf, len(f.Weights))
	}
	m := &Model{
		labels: f.Labels, idf: f.IDF, weights: f.Weights, bias: f.Bias, temp: f.Temp, negation: f.Negation,
		vocab: make(map[uint64]int32, nf), Fingerprint: f.Fingerprint,
	}
	for col, h := range f.Keys {
		m.vocab[h] = int32(col)
	}
	return m, nil
}

// Save writes the model to path atomically: a crash leaves the old file.
func (m *Model) Save(path string) error {
	if err := atomicfile.Write(path, 0o644, m.Write); err != nil {
		return fmt.Errorf("save intent model: %w", err)
	}
	return nil
}

// Load reads the model file at path.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load intent model: %w", err)
	}
	defer f.Close()
	m, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
