package adapt

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// This file writes the binary files sphinxtrain reads: feature files and
// mixture weights.

// WriteMFC writes cepstra as a Sphinx feature file: the number of values
// as an int32, then the values as float32, in the machine's byte order
// (readers tell it from the count).
func WriteMFC(path string, cep [][]float32) error {
	var n int
	for _, row := range cep {
		n += len(row)
	}
	buf := make([]byte, 4+4*n)
	binary.NativeEndian.PutUint32(buf, uint32(n))
	p := 4
	for _, row := range cep {
		for _, v := range row {
			binary.NativeEndian.PutUint32(buf[p:], math.Float32bits(v))
			p += 4
		}
	}
	return os.WriteFile(path, buf, 0o644)
}

// sendump holds the mixture weights of a PocketSphinx model's sendump
// file: for each feature stream and each Gaussian of its codebook, the
// weight of that Gaussian in every senone, quantised as an 8-bit negative
// log (PocketSphinx's models ship weights only in this form; sphinxtrain
// needs them as a mixture_weights file).
type sendump struct {
	features, densities, senones int
	shift                        int
	// weights[f][d][s] is the quantised weight of density d of feature f
	// in senone s.
	weights []byte
}

// readSendump reads a sendump file: length-prefixed header strings up to
// an empty one, the counts of codewords and senones, then the weights.
// Only the unclustered form (cluster_count 0), which the en-us model
// uses, is read.
func readSendump(path string) (*sendump, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sendump: %w", err)
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if len(b) >= 4 && binary.LittleEndian.Uint32(b) > 999 {
		order = binary.BigEndian
	}
	p := 0
	u32 := func() (int, error) {
		if p+4 > len(b) {
			return 0, fmt.Errorf("read sendump %s: truncated at byte %d", path, p)
		}
		v := order.Uint32(b[p:])
		p += 4
		return int(v), nil
	}
	s := &sendump{features: 1, shift: 10}
	clusters := 0
	for {
		n, err := u32()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			break
		}
		if p+n > len(b) {
			return nil, fmt.Errorf("read sendump %s: truncated header", path)
		}
		line := strings.TrimRight(string(b[p:p+n]), "\x00")
		p += n
		key, value, _ := strings.Cut(line, " ")
		v, _ := strconv.Atoi(value)
		switch key {
		case "feature_count":
			s.features = v
		case "cluster_count":
			clusters = v
		case "mixw_shift":
			s.shift = v
		}
	}
	if clusters != 0 {
		return nil, fmt.Errorf("read sendump %s: clustered weights (cluster_count %d) are not supported", path, clusters)
	}
	if s.densities, err = u32(); err != nil {
		return nil, err
	}
	if s.senones, err = u32(); err != nil {
		return nil, err
	}
	size := s.features * s.densities * s.senones
	if s.features <= 0 || s.densities <= 0 || s.senones <= 0 || len(b)-p != size {
		return nil, fmt.Errorf("read sendump %s: %d features × %d densities × %d senones do not fit its %d bytes of weights",
			path, s.features, s.densities, s.senones, len(b)-p)
	}
	s.weights = b[p:]
	return s, nil
}

// writeMixw writes the weights as a sphinxtrain mixture_weights file:
// senones × features × densities, each senone's weights of a feature
// normalised to sum to one (the quantised logs lose a little mass).
func (s *sendump) writeMixw(path string) error {
	var buf []byte
	header := "s3\nversion 1.0\n"
	// The binary data starts on a 4-byte boundary, as sphinxtrain writes it.
	if pad := (len(header) + len("endhdr\n")) % 4; pad != 0 {
		header += strings.Repeat(" ", 4-pad)
	}
	buf = append(buf, header+"endhdr\n"...)
	for _, v := range []int{0x11223344, s.senones, s.features, s.densities, s.senones * s.features * s.densities} {
		buf = binary.NativeEndian.AppendUint32(buf, uint32(v))
	}
	row := make([]float64, s.densities)
	for sen := range s.senones {
		for f := range s.features {
			var sum float64
			for d := range s.densities {
				q := s.weights[(f*s.densities+d)*s.senones+sen]
				row[d] = math.Pow(logBase, -float64(int(q)<<s.shift))
				sum += row[d]
			}
			for _, w := range row {
				buf = binary.NativeEndian.AppendUint32(buf, math.Float32bits(float32(w/sum)))
			}
		}
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return fmt.Errorf("write mixture weights: %w", err)
	}
	return nil
}

// logBase is the base of PocketSphinx's integer logarithms.
const logBase = 1.0001

// ConvertSendump writes the mixture weights of a sendump file as a
// sphinxtrain mixture_weights file.
func ConvertSendump(sendumpPath, mixwPath string) error {
	s, err := readSendump(sendumpPath)
	if err != nil {
		return err
	}
	return s.writeMixw(mixwPath)
}
