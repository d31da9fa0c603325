package adapt

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/audio/sphinx"
	"github.com/larkspur-labs/assist/internal/testenv"
)

// writeSendump writes a sendump file in the layout PocketSphinx reads:
// header strings, their terminating zero, the counts, then the weights.
func writeSendump(t *testing.T, headers []string, densities, senones int, weights []byte) string {
	t.Helper()
	var b []byte
	for _, h := range append([]string{"title"}, headers...) {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(h)+1))
		b = append(append(b, h...), 0)
	}
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(densities))
	b = binary.LittleEndian.AppendUint32(b, uint32(senones))
	b = append(b, weights...)
	path := filepath.Join(t.TempDir(), "sendump")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readMixw reads a mixture_weights file's dimensions and values.
func readMixw(t *testing.T, path string) (dims [3]int, values []float32) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, data, ok := strings.Cut(string(b), "endhdr\n")
	if !ok || !strings.HasPrefix(string(b), "s3\n") {
		t.Fatalf("%s: no s3 header", path)
	}
	if (len(b)-len(data))%4 != 0 {
		t.Errorf("data starts at byte %d, not on a 4-byte boundary", len(b)-len(data))
	}
	d := []byte(data)
	if binary.NativeEndian.Uint32(d) != 0x11223344 {
		t.Fatalf("byte-order mark %x", d[:4])
	}
	for i := range dims {
		dims[i] = int(binary.NativeEndian.Uint32(d[4+4*i:]))
	}
	n := int(binary.NativeEndian.Uint32(d[16:]))
	if n != dims[0]*dims[1]*dims[2] || len(d) != 20+4*n {
		t.Fatalf("count %d for %v in %d bytes", n, dims, len(d))
	}
	values = make([]float32, n)
	for i := range values {
		values[i] = math.Float32frombits(binary.NativeEndian.Uint32(d[20+4*i:]))
	}
	return dims, values
}

func TestConvertSendump(t *testing.T) {
	// Two features, three densities, two senones; the weights are stored
	// feature by feature, density by density, a byte per senone. A byte q
	// is the weight 1.0001^-(q<<10): 0 is 1, 7 is about 0.49.
	weights := []byte{
		0, 7, // feature 0, density 0: senone 0, senone 1
		0, 0,
		255, 7,
		7, 0, // feature 1
		7, 255,
		7, 255,
	}
	path := writeSendump(t, []string{"feature_count 2", "cluster_count 0"}, 3, 2, weights)
	out := filepath.Join(t.TempDir(), "mixture_weights")
	if err := ConvertSendump(path, out); err != nil {
		t.Fatal(err)
	}
	dims, got := readMixw(t, out)
	if dims != [3]int{2, 2, 3} {
		t.Fatalf("dimensions %v, want senones × features × densities = [2 2 3]", dims)
	}
	w7 := math.Pow(logBase, -7<<10)
	w255 := math.Pow(logBase, -255<<10)
	want := [][]float64{
		{1, 1, w255}, // senone 0, feature 0
		{w7, w7, w7}, // senone 0, feature 1
		{w7, 1, w7},  // senone 1, feature 0
		{1, w255, w255},
	}
	for row, w := range want {
		sum := w[0] + w[1] + w[2]
		for d := range w {
			if g := float64(got[row*3+d]); math.Abs(g-w[d]/sum) > 1e-6 {
				t.Errorf("row %d density %d: %g, want %g", row, d, g, w[d]/sum)
			}
		}
	}
}

func TestConvertSendumpRefusesBadFiles(t *testing.T) {
	for name, path := range map[string]string{
		"clustered":  writeSendump(t, []string{"feature_count 1", "cluster_count 16"}, 2, 2, make([]byte, 4)),
		"truncated":  writeSendump(t, []string{"feature_count 1"}, 2, 2, make([]byte, 3)),
		"no weights": writeSendump(t, []string{"feature_count 1"}, 0, 2, nil),
		"missing":    filepath.Join(t.TempDir(), "sendump"),
	} {
		if err := ConvertSendump(path, filepath.Join(t.TempDir(), "out")); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestConvertModelSendump converts the en-us model's weights, as training
// does, and checks every senone's weights of each feature sum to one.
func TestConvertModelSendump(t *testing.T) {
	path := filepath.Join(sphinx.DefaultConfig().HMM, "sendump")
	_, err := os.Stat(path)
	testenv.Need(t, err)
	out := filepath.Join(t.TempDir(), "mixture_weights")
	if err := ConvertSendump(path, out); err != nil {
		t.Fatal(err)
	}
	dims, got := readMixw(t, out)
	if dims != [3]int{5126, 3, 128} {
		t.Errorf("dimensions %v, want the en-us model's 5126 senones, 3 streams, 128 densities", dims)
	}
	for row := 0; row < len(got); row += dims[2] {
		var sum float64
		for _, v := range got[row : row+dims[2]] {
			sum += float64(v)
		}
		if math.Abs(sum-1) > 1e-3 {
			t.Fatalf("row %d sums to %g", row/dims[2], sum)
		}
	}
}

func TestWriteMFC(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.mfc")
	if err := WriteMFC(path, [][]float32{{1, 2}, {3, -4.5}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 4+4*4 || binary.NativeEndian.Uint32(b) != 4 {
		t.Fatalf("%d bytes, count %d; want 20 bytes, count 4", len(b), binary.NativeEndian.Uint32(b))
	}
	if v := math.Float32frombits(binary.NativeEndian.Uint32(b[16:])); v != -4.5 {
		t.Errorf("last value %g", v)
	}
}
