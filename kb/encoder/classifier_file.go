package encoder

import (
	"encoding/gob"
	"fmt"
	"io"
	"os"

	"github.com/larkspur-labs/assist/internal/atomicfile"
)

// classifierFileVersion changes whenever the file's layout or the training
// does, so that a cached classifier is never older than the code.
const classifierFileVersion = 2

type classifierFile struct {
	Version int
	Encoder string
	Labels  []string
	Weights []float32
}

// Write stores the classifier; ReadClassifier reads it back.
func (c *Classifier) Write(w io.Writer) error {
	return gob.NewEncoder(w).Encode(classifierFile{classifierFileVersion, c.enc.ID, c.labels, c.w})
}

// ReadClassifier reads a classifier written by Write for use with enc. A
// file written for another encoder, or by another version, is an error.
func ReadClassifier(r io.Reader, enc *Model) (*Classifier, error) {
	var f classifierFile
	if err := gob.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("read semantic classifier: %w", err)
	}
	switch {
	case f.Version != classifierFileVersion:
		return nil, fmt.Errorf("read semantic classifier: file version %d, want %d", f.Version, classifierFileVersion)
	case f.Encoder != enc.ID:
		return nil, fmt.Errorf("read semantic classifier: trained with encoder %s, not %s", f.Encoder, enc.ID)
	case len(f.Labels) == 0 || len(f.Weights) != len(f.Labels)*(featureDim+1):
		return nil, fmt.Errorf("read semantic classifier: %d weights for %d labels", len(f.Weights), len(f.Labels))
	}
	return &Classifier{enc: enc, labels: f.Labels, w: f.Weights}, nil
}

// Save writes the classifier to path through a temporary file, so that a
// crash never leaves half a file behind.
func (c *Classifier) Save(path string) error {
	if err := atomicfile.Write(path, 0o644, c.Write); err != nil {
		return fmt.Errorf("save semantic classifier: %w", err)
	}
	return nil
}

// LoadClassifier reads a classifier saved at path for use with enc.
func LoadClassifier(path string, enc *Model) (*Classifier, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadClassifier(f, enc)
}
