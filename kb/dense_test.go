package kb

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
)

// The fake server below speaks OpenAI's /v1/embeddings wire format with its
// own types, not go-openai's, so that the tests pin the format itself.

// wireEmbedRequest is the body of POST /v1/embeddings.
type wireEmbedRequest struct {
	Model          string   `json:"model"`
	Input          []string `json:"input"`
	EncodingFormat string   `json:"encoding_format,omitempty"`
}

// wireEmbedding is one item of a response's data.
type wireEmbedding struct {
	Object    string    `json:"object"`
	Index     int       `json:"index"`
	Embedding []float32 `json:"embedding"`
}

// wireEmbedResponse is a successful answer.
type wireEmbedResponse struct {
	Object string          `json:"object"`
	Data   []wireEmbedding `json:"data"`
	Model  string          `json:"model"`
	Usage  struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

// fakeEmbedServer answers embeddings requests with vector(text) for each
// input, the items in reverse order, as a server may, and records requests.
type fakeEmbedServer struct {
	*httptest.Server
	vector func(text string) []float32

	mu       sync.Mutex
	requests []wireEmbedRequest
	auth     []string
}

// newFakeEmbedServer starts a fake server; its base URL, with /v1, is
// srv.URL + "/v1".
func newFakeEmbedServer(t *testing.T, vector func(text string) []float32) *fakeEmbedServer {
	t.Helper()
	f := &fakeEmbedServer{vector: vector}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeEmbedServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		writeOpenAIError(w, http.StatusNotFound, fmt.Sprintf("no route %s %s", r.Method, r.URL.Path))
		return
	}
	var req wireEmbedRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeOpenAIError(w, http.StatusBadRequest, "bad request body: "+err.Error())
		return
	}
	if req.EncodingFormat != "" && req.EncodingFormat != "float" {
		writeOpenAIError(w, http.StatusBadRequest, "unsupported encoding_format "+req.EncodingFormat)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()

	resp := wireEmbedResponse{Object: "list", Model: req.Model}
	for i := len(req.Input) - 1; i >= 0; i-- {
		resp.Data = append(resp.Data, wireEmbedding{Object: "embedding", Index: i, Embedding: f.vector(req.Input[i])})
		resp.Usage.PromptTokens += len(strings.Fields(req.Input[i]))
	}
	resp.Usage.TotalTokens = resp.Usage.PromptTokens
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// writeOpenAIError answers the way OpenAI-compatible servers report errors.
func writeOpenAIError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"invalid_request_error","code":%d}}`, msg, status)
}

// oneHot embeds "t<i>" as the unit vector along axis i of 8.
func oneHot(text string) []float32 {
	var i int
	fmt.Sscanf(text, "t%d", &i)
	v := make([]float32, 8)
	v[i] = 1
	return v
}

func TestOpenAIEmbedderBatchesAndRestoresOrder(t *testing.T) {
	srv := newFakeEmbedServer(t, oneHot)
	e, err := NewOpenAIEmbedder(srv.URL+"/v1/", "bge-small-en", "sk-test", WithEmbedBatchSize(3))
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"t0", "t1", "t2", "t3", "t4", "t5", "t6"}
	vecs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != len(texts) {
		t.Fatalf("got %d vectors for %d texts", len(vecs), len(texts))
	}
	for i, v := range vecs {
		if !reflect.DeepEqual(v, oneHot(texts[i])) {
			t.Errorf("vector %d = %v, want the one for %q", i, v, texts[i])
		}
	}
	var sizes []int
	for _, r := range srv.requests {
		sizes = append(sizes, len(r.Input))
		if r.Model != "bge-small-en" {
			t.Errorf("request for model %q, want bge-small-en", r.Model)
		}
	}
	if !slices.Equal(sizes, []int{3, 3, 1}) {
		t.Errorf("batch sizes %v, want [3 3 1]", sizes)
	}
	for _, a := range srv.auth {
		if a != "Bearer sk-test" {
			t.Errorf("Authorization %q, want Bearer sk-test", a)
		}
	}
}

func TestOpenAIEmbedderWithoutKeySendsNoAuthorization(t *testing.T) {
	srv := newFakeEmbedServer(t, oneHot)
	e, err := NewOpenAIEmbedder(srv.URL+"/v1", "nomic-embed-text", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Embed(context.Background(), []string{"t1"}); err != nil {
		t.Fatal(err)
	}
	if srv.auth[0] != "" {
		t.Errorf("Authorization %q sent without a key", srv.auth[0])
	}
}

func TestOpenAIEmbedderNormalises(t *testing.T) {
	srv := newFakeEmbedServer(t, func(string) []float32 { return []float32{3, 4} })
	e, err := NewOpenAIEmbedder(srv.URL+"/v1", "m", "")
	if err != nil {
		t.Fatal(err)
	}
	vecs, err := e.Embed(context.Background(), []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0.6, 0.8}; !reflect.DeepEqual(vecs[0], want) {
		t.Errorf("got %v, want %v", vecs[0], want)
	}
}

func TestOpenAIEmbedderEmptyAndBlankInput(t *testing.T) {
	srv := newFakeEmbedServer(t, oneHot)
	e, err := NewOpenAIEmbedder(srv.URL+"/v1", "m", "")
	if err != nil {
		t.Fatal(err)
	}
	if vecs, err := e.Embed(context.Background(), nil); err != nil || len(vecs) != 0 {
		t.Errorf("no texts: got %v, %v; want no vectors, no error", vecs, err)
	}
	if _, err := e.Embed(context.Background(), []string{"t1", "  "}); err == nil || !strings.Contains(err.Error(), "text 1 is blank") {
		t.Errorf("blank text: got %v, want an error naming text 1", err)
	}
	if len(srv.requests) != 0 {
		t.Errorf("%d requests sent, want none", len(srv.requests))
	}
}

func TestNewOpenAIEmbedderRejectsBadSettings(t *testing.T) {
	for _, tc := range []struct{ url, model, want string }{
		{"", "m", "must be http(s)://"},
		{"localhost:8000/v1", "m", "must be http(s)://"},
		{"ftp://host/v1", "m", "must be http(s)://"},
		{"http://localhost:8000/v1", " ", "no model named"},
	} {
		if _, err := NewOpenAIEmbedder(tc.url, tc.model, ""); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewOpenAIEmbedder(%q, %q): got %v, want an error with %q", tc.url, tc.model, err, tc.want)
		}
	}
}

// deadServerURL returns the base URL of a port nothing listens on.
func deadServerURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/v1"
	ln.Close()
	return url
}

// answerJSON returns a handler that answers status with body.
func answerJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// stall never answers. It reads the request first: only then does the
// server notice that the client hung up, end the handler and let Close return.
func stall(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}

func TestOpenAIEmbedderFailures(t *testing.T) {
	const key = "sk-secret-key"
	twoVectors := func(a, b string) string {
		return `{"object":"list","model":"m","usage":{"prompt_tokens":2,"total_tokens":2},"data":[` +
			`{"object":"embedding","index":0,"embedding":` + a + `},` +
			`{"object":"embedding","index":1,"embedding":` + b + `}]}`
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc // nil: nothing listens
		batch   int
		want    string
	}{
		{name: "dead server", want: "connection refused"},
		{name: "timeout", handler: stall, want: "no answer within 100ms"},
		{name: "500 with an OpenAI error", handler: answerJSON(500, `{"error":{"message":"model overloaded","type":"server_error","code":500}}`),
			want: "HTTP 500: model overloaded"},
		{name: "404 unknown model", handler: answerJSON(404, `{"error":{"message":"The model 'm' does not exist.","type":"NotFoundError","code":404}}`),
			want: "HTTP 404: The model 'm' does not exist."},
		{name: "422 in TEI's form", handler: answerJSON(422, `{"error":"Input validation error: inputs cannot be empty","error_type":"Validation"}`),
			want: `HTTP 422: {"error":"Input validation error: inputs cannot be empty","error_type":"Validation"}`},
		{name: "502 from a proxy", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "<html>\n<body>Bad   Gateway</body>\n</html>", http.StatusBadGateway)
		}, want: "HTTP 502: <html> <body>Bad Gateway</body> </html>"},
		{name: "malformed JSON", handler: answerJSON(200, `{"object":"list","data":[{"index":0,"embedding":[0.1,`),
			want: "malformed response"},
		{name: "wrong JSON shape", handler: answerJSON(200, `{"object":"list","data":"none"}`),
			want: "malformed response"},
		{name: "too few vectors", handler: answerJSON(200, `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1,0]}]}`),
			want: "got 1 vectors for 2 texts"},
		{name: "mixed dimensions", handler: answerJSON(200, twoVectors("[1,0,0]", "[1,0]")),
			want: "mixed dimensions: vector 0 has 3, vector 1 has 2"},
		{name: "mixed dimensions across batches", batch: 1, handler: func(w http.ResponseWriter, r *http.Request) {
			var req wireEmbedRequest
			json.NewDecoder(r.Body).Decode(&req)
			dim := map[string]int{"a": 3, "b": 4}[req.Input[0]]
			answerJSON(200, `{"data":[{"index":0,"embedding":[1`+strings.Repeat(",0", dim-1)+`]}]}`)(w, r)
		}, want: "mixed dimensions: 4 in one batch, 3 in an earlier one"},
		{name: "index out of range", handler: answerJSON(200, strings.Replace(twoVectors("[1,0]", "[0,1]"), `"index":1`, `"index":2`, 1)),
			want: "vector index 2 out of range"},
		{name: "index twice", handler: answerJSON(200, strings.Replace(twoVectors("[1,0]", "[0,1]"), `"index":1`, `"index":0`, 1)),
			want: "vector index 0 appears twice"},
		{name: "zero vector", handler: answerJSON(200, twoVectors("[1,0]", "[0,0]")),
			want: "vector 1: all zeros"},
		{name: "empty vector", handler: answerJSON(200, twoVectors("[]", "[]")),
			want: "vector 0 is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := deadServerURL(t)
			if tc.handler != nil {
				srv := httptest.NewServer(tc.handler)
				defer srv.Close()
				base = srv.URL + "/v1"
			}
			// Only the stalling server meets the short timeout; the others
			// answer, however slowly a loaded machine lets them.
			timeout := time.Minute
			if tc.name == "timeout" {
				timeout = 100 * time.Millisecond
			}
			e, err := NewOpenAIEmbedder(base, "m", key, WithEmbedTimeout(timeout), WithEmbedBatchSize(tc.batch))
			if err != nil {
				t.Fatal(err)
			}
			// A backstop: a hang shows up as this deadline, not as tc.want.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			vecs, err := e.Embed(ctx, []string{"a", "b"})
			if err == nil {
				t.Fatalf("got %v, want an error", vecs)
			}
			if prefix := "embed: server " + base + ": "; !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error %q shows the API key", err)
			}
		})
	}
}

func TestOpenAIEmbedderTimeoutIsDeadlineExceeded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(stall))
	defer srv.Close()
	e, err := NewOpenAIEmbedder(srv.URL+"/v1", "m", "", WithEmbedTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Embed(context.Background(), []string{"a"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want context.DeadlineExceeded", err)
	}
}

func TestOpenAIEmbedderCallerCancelIsNotATimeout(t *testing.T) {
	srv := newFakeEmbedServer(t, oneHot)
	e, err := NewOpenAIEmbedder(srv.URL+"/v1", "m", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.Embed(ctx, []string{"t1"})
	if err == nil || !strings.Contains(err.Error(), "context canceled") || strings.Contains(err.Error(), "no answer within") {
		t.Errorf("got %v, want a cancellation error", err)
	}
}

func TestOpenAIEmbedderHidesURLPassword(t *testing.T) {
	base := strings.Replace(deadServerURL(t), "http://", "http://agent:hunter2@", 1)
	e, err := NewOpenAIEmbedder(base, "m", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Embed(context.Background(), []string{"a"})
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "agent:xxxxx@") {
		t.Errorf("got %v, want an error with the password redacted", err)
	}
}

// bagOfWords embeds a text as counts of its content words hashed into 256
// buckets: a crude but deterministic stand-in for a model, under which texts
// that share words are similar.
func bagOfWords(text string) []float32 {
	stop := map[string]bool{"my": true, "has": true, "not": true, "the": true, "a": true, "i": true,
		"is": true, "was": true, "at": true, "you": true, "what": true, "why": true, "does": true, "did": true}
	v := make([]float32, 256)
	v[255] = 0.01 // so that a text of stop words alone is not a zero vector
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		if !stop[w] {
			h := fnv.New32a()
			h.Write([]byte(w))
			v[h.Sum32()%255]++
		}
	}
	return v
}

// cardArticles are a few banking articles that share the word "card".
var cardArticles = []Article{
	{ID: "account-balance", Title: "Check a balance", Answer: "I can read you your balance.",
		Questions: []string{"what's my balance", "how much money is in my account"}},
	{ID: "card-declined", Title: "Card declined", Answer: "Let me see why the payment failed.",
		Questions: []string{"my card was declined at the store", "why does my card keep getting rejected"}},
	{ID: "card-lost", Title: "Lost or stolen card", Answer: "I'll block the card right away.",
		Questions: []string{"I lost my card", "someone stole my wallet with my card"}},
	{ID: "card-delivery", Title: "Card delivery", Answer: "New cards arrive within 7 to 10 days.",
		Questions: []string{"my new card hasn't arrived yet", "when will my card be delivered", "I never received the card you mailed"}},
}

func TestDenseSearchOverOpenAIServer(t *testing.T) {
	srv := newFakeEmbedServer(t, bagOfWords)
	e, err := NewOpenAIEmbedder(srv.URL+"/v1", "bag-of-words", "", WithEmbedBatchSize(4))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := NewDenseIndex(ctx, e, cardArticles)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ query, want string }{
		{"my card has not arrived", "card-delivery"},
		{"I think I lost my card", "card-lost"},
		{"my card was rejected", "card-declined"},
		{"what is my balance", "account-balance"},
	} {
		hits, err := d.Search(ctx, tc.query, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 3 || hits[0].ArticleID != tc.want {
			t.Errorf("Search(%q) = %v, want %s first of 3", tc.query, hits, tc.want)
			continue
		}
		if !(hits[0].Similarity > hits[1].Similarity && hits[1].Similarity >= hits[2].Similarity) || hits[0].Similarity > 1+1e-6 {
			t.Errorf("Search(%q) similarities out of order or above 1: %v", tc.query, hits)
		}
	}
}

// mapEmbedder embeds the texts it knows with fixed vectors, counting texts.
type mapEmbedder struct {
	model string
	vecs  map[string][]float32
	texts atomic.Int64
	err   error
}

func (m *mapEmbedder) Model() string { return m.model }

func (m *mapEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	m.texts.Add(int64(len(texts)))
	if m.err != nil {
		return nil, m.err
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v, ok := m.vecs[t]
		if !ok {
			return nil, fmt.Errorf("mapEmbedder: unknown text %q", t)
		}
		out[i] = slices.Clone(v)
	}
	return out, nil
}

// tinyArticles and tinyVectors make a 3-dimensional world: "best" has one
// question that matches the query exactly and one that does not, "steady"
// two questions that match well but not exactly.
var tinyArticles = []Article{
	{ID: "steady", Title: "S", Answer: "s", Questions: []string{"s1", "s2"}},
	{ID: "best", Title: "B", Answer: "b", Questions: []string{"b1", "b2"}},
}

func tinyEmbedder() *mapEmbedder {
	return &mapEmbedder{model: "tiny", vecs: map[string][]float32{
		"s1": {0.8, 0.6, 0}, "s2": {0.8, 0, 0.6}, "S\ns": {0, 1, 0},
		"b1": {2, 0, 0}, "b2": {0, 0, 1}, "B\nb": {0, 0, 1},
		"query": {5, 0, 0}, "flat": {1, 0},
	}}
}

func TestDenseSearchScoresAnArticleByItsBestText(t *testing.T) {
	d, err := NewDenseIndex(context.Background(), tinyEmbedder(), tinyArticles)
	if err != nil {
		t.Fatal(err)
	}
	hits, err := d.Search(context.Background(), "query", 5)
	if err != nil {
		t.Fatal(err)
	}
	// An average would rank "steady" (0.8, 0.8, 0) above "best" (1, 0, 0).
	want := []DenseHit{{"best", 1}, {"steady", 0.8}}
	if len(hits) != len(want) {
		t.Fatalf("got %v, want %v", hits, want)
	}
	for i := range want {
		if hits[i].ArticleID != want[i].ArticleID || math.Abs(hits[i].Similarity-want[i].Similarity) > 1e-6 {
			t.Errorf("hit %d = %v, want %v", i, hits[i], want[i])
		}
	}
	if hits, _ := d.Search(context.Background(), "query", 1); len(hits) != 1 || hits[0].ArticleID != "best" {
		t.Errorf("k=1: got %v, want only best", hits)
	}
}

func TestNewDenseIndexEmbedsQuestionsThenTitleWithAnswer(t *testing.T) {
	var got []string
	rec := embedFunc(func(texts []string) ([][]float32, error) {
		got = append(got, texts...)
		out := make([][]float32, len(texts))
		for i := range out {
			out[i] = []float32{1, float32(i)}
		}
		return out, nil
	})
	articles := []Article{
		{ID: "a", Title: "Lost card", Answer: "I'll block it.", Questions: []string{"I lost my card", "card gone"},
			Tags: []string{"cards"}, Actions: []string{"Block the card"}, Body: "notes"},
		{ID: "b", Title: "Hours", Answer: "We open at nine."},
	}
	if _, err := NewDenseIndex(context.Background(), rec, articles); err != nil {
		t.Fatal(err)
	}
	want := []string{"I lost my card", "card gone", "Lost card\nI'll block it.", "Hours\nWe open at nine."}
	if !slices.Equal(got, want) {
		t.Errorf("embedded %q, want %q", got, want)
	}
}

// embedFunc adapts a function to Embedder.
type embedFunc func(texts []string) ([][]float32, error)

func (f embedFunc) Embed(_ context.Context, texts []string) ([][]float32, error) { return f(texts) }

func TestDenseSearchNoHits(t *testing.T) {
	e := tinyEmbedder()
	d, err := NewDenseIndex(context.Background(), e, tinyArticles)
	if err != nil {
		t.Fatal(err)
	}
	before := e.texts.Load()
	for _, tc := range []struct {
		q string
		k int
	}{{"", 5}, {"  \t", 5}, {"query", 0}, {"query", -1}} {
		if hits, err := d.Search(context.Background(), tc.q, tc.k); hits != nil || err != nil {
			t.Errorf("Search(%q, %d) = %v, %v; want nothing", tc.q, tc.k, hits, err)
		}
	}
	if e.texts.Load() != before {
		t.Error("a search that can have no hits asked the embedder")
	}
	empty, err := NewDenseIndex(context.Background(), e, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hits, err := empty.Search(context.Background(), "query", 5); hits != nil || err != nil {
		t.Errorf("empty index: got %v, %v; want nothing", hits, err)
	}
}

func TestDenseSearchTiesKeepIndexOrder(t *testing.T) {
	e := &mapEmbedder{vecs: map[string][]float32{"x": {1, 0}, "X\nx": {1, 0}, "q": {1, 0}}}
	var articles []Article
	for _, id := range []string{"c", "a", "b"} {
		articles = append(articles, Article{ID: id, Title: "X", Answer: "x", Questions: []string{"x"}})
	}
	d, err := NewDenseIndex(context.Background(), e, articles)
	if err != nil {
		t.Fatal(err)
	}
	hits, err := d.Search(context.Background(), "q", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 || hits[0].ArticleID != "c" || hits[1].ArticleID != "a" {
		t.Errorf("got %v, want c then a", hits)
	}
}

func TestDenseSearchMatchesFullSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const dim = 16
	var articles []Article
	for i := range 300 {
		a := Article{ID: fmt.Sprintf("a%d", i), Title: "t", Answer: fmt.Sprint(i)}
		for j := range rng.IntN(4) {
			a.Questions = append(a.Questions, fmt.Sprintf("q%d-%d", i, j))
		}
		articles = append(articles, a)
	}
	d, err := NewDenseIndex(context.Background(), &randomEmbedder{rng: rng, dim: dim}, articles)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		q := randomUnit(rng, dim)
		// The reference: every article's best similarity in float64, fully sorted.
		type ref struct {
			id  string
			sim float64
		}
		var refs []ref
		for i, id := range d.ids {
			best := math.Inf(-1)
			for r := d.first[i]; r < d.first[i+1]; r++ {
				var dot float64
				for c := range dim {
					dot += float64(q[c]) * float64(d.rows[r*dim+c])
				}
				best = max(best, dot)
			}
			refs = append(refs, ref{id, best})
		}
		sort.SliceStable(refs, func(i, j int) bool { return refs[i].sim > refs[j].sim })
		hits := d.searchVector(q, 7)
		if len(hits) != 7 {
			t.Fatalf("got %d hits, want 7", len(hits))
		}
		for i, h := range hits {
			if h.ArticleID != refs[i].id || math.Abs(h.Similarity-refs[i].sim) > 1e-5 {
				t.Fatalf("hit %d = %v, want %v", i, h, refs[i])
			}
		}
	}
}

func TestDenseIndexErrors(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("server on fire")
	if _, err := NewDenseIndex(ctx, &mapEmbedder{err: boom}, tinyArticles); !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "build dense index: ") {
		t.Errorf("embedder failure: got %v, want it wrapped", err)
	}
	dup := []Article{tinyArticles[0], tinyArticles[0]}
	if _, err := NewDenseIndex(ctx, tinyEmbedder(), dup); err == nil || !strings.Contains(err.Error(), `duplicate article id "steady"`) {
		t.Errorf("duplicate ids: got %v", err)
	}
	short := embedFunc(func(texts []string) ([][]float32, error) { return [][]float32{{1}}, nil })
	if _, err := NewDenseIndex(ctx, short, tinyArticles); err == nil || !strings.Contains(err.Error(), "1 vectors for 6 texts") {
		t.Errorf("too few vectors: got %v", err)
	}
	d, err := NewDenseIndex(ctx, tinyEmbedder(), tinyArticles)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Search(ctx, "flat", 3); err == nil || !strings.Contains(err.Error(), "query vector has 2 dimensions but the index has 3") {
		t.Errorf("dimension change: got %v", err)
	}
	if _, err := d.Search(ctx, "unknown", 3); err == nil || !strings.HasPrefix(err.Error(), "dense search: ") {
		t.Errorf("query embedding failure: got %v", err)
	}
}

func TestDenseVectorsRoundTrip(t *testing.T) {
	ctx := context.Background()
	e := tinyEmbedder()
	d, err := NewDenseIndex(ctx, e, tinyArticles)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := d.SaveVectors(&buf); err != nil {
		t.Fatal(err)
	}
	v, err := LoadVectors(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v, d.Vectors()) {
		t.Errorf("loaded %+v, want %+v", v, d.Vectors())
	}
	if v.Model != "tiny" || v.Dim != 3 || v.Fingerprint != DenseFingerprint("tiny", tinyArticles) {
		t.Errorf("loaded model %q dim %d fingerprint %q", v.Model, v.Dim, v.Fingerprint)
	}
	before := e.texts.Load()
	loaded, err := NewDenseIndexFromVectors(e, v, tinyArticles)
	if err != nil {
		t.Fatal(err)
	}
	if e.texts.Load() != before {
		t.Error("building from vectors embedded articles")
	}
	want, _ := d.Search(ctx, "query", 5)
	got, err := loaded.Search(ctx, "query", 5)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("loaded index found %v, %v; want %v", got, err, want)
	}
}

func TestNewDenseIndexFromStaleVectors(t *testing.T) {
	d, err := NewDenseIndex(context.Background(), tinyEmbedder(), tinyArticles)
	if err != nil {
		t.Fatal(err)
	}
	v := d.Vectors()
	other := tinyEmbedder()
	other.model = "tiny-v2"
	if _, err := NewDenseIndexFromVectors(other, v, tinyArticles); !errors.Is(err, ErrStaleVectors) || !strings.Contains(err.Error(), `"tiny-v2"`) {
		t.Errorf("other model: got %v, want ErrStaleVectors naming the model", err)
	}
	edited := slices.Clone(tinyArticles)
	edited[1].Questions = []string{"b1", "b3"}
	if _, err := NewDenseIndexFromVectors(tinyEmbedder(), v, edited); !errors.Is(err, ErrStaleVectors) {
		t.Errorf("edited article: got %v, want ErrStaleVectors", err)
	}
	v.Articles[0].ID, v.Articles[1].ID = v.Articles[1].ID, v.Articles[0].ID
	if _, err := NewDenseIndexFromVectors(tinyEmbedder(), v, tinyArticles); !errors.Is(err, ErrStaleVectors) {
		t.Errorf("swapped ids: got %v, want ErrStaleVectors", err)
	}
}

func TestDenseFingerprint(t *testing.T) {
	base := DenseFingerprint("m", tinyArticles)
	if base != DenseFingerprint("m", slices.Clone(tinyArticles)) {
		t.Error("fingerprint not deterministic")
	}
	change := func(f func(a *Article)) []Article {
		out := slices.Clone(tinyArticles)
		f(&out[0])
		return out
	}
	for name, articles := range map[string][]Article{
		"id":       change(func(a *Article) { a.ID = "other" }),
		"question": change(func(a *Article) { a.Questions = []string{"s1", "s2 "} }),
		"title":    change(func(a *Article) { a.Title = "T" }),
		"answer":   change(func(a *Article) { a.Answer = "t" }),
		"split":    change(func(a *Article) { a.Questions = []string{"s1s2"} }),
	} {
		if DenseFingerprint("m", articles) == base {
			t.Errorf("changing the %s kept the fingerprint", name)
		}
	}
	if DenseFingerprint("m2", tinyArticles) == base {
		t.Error("changing the model kept the fingerprint")
	}
	same := change(func(a *Article) { a.Tags, a.Actions, a.Body, a.Source = []string{"x"}, []string{"y"}, "z", "w" })
	if DenseFingerprint("m", same) != base {
		t.Error("fields that are not embedded changed the fingerprint")
	}
}

func TestLoadVectorsRejectsDamage(t *testing.T) {
	d, err := NewDenseIndex(context.Background(), tinyEmbedder(), tinyArticles)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := d.SaveVectors(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	for n := range len(good) {
		if _, err := LoadVectors(bytes.NewReader(good[:n])); err == nil {
			t.Fatalf("a file cut to %d of %d bytes loaded", n, len(good))
		}
	}
	nan := slices.Clone(good)
	binary.LittleEndian.PutUint32(nan[len(nan)-4:], math.Float32bits(float32(math.NaN())))
	le32 := func(n uint32) []byte { return binary.LittleEndian.AppendUint32(nil, n) }
	header := func(parts ...[]byte) []byte {
		return slices.Concat(append([][]byte{[]byte(vectorsMagic)}, parts...)...)
	}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"other magic":    {append([]byte("AKBVEC00"), good[8:]...), "not a vectors file"},
		"trailing bytes": {append(slices.Clone(good), 0), "unexpected bytes"},
		"not finite":     {nan, "not finite"},
		"huge string":    {header(le32(math.MaxUint32)), "exceeds"},
		"huge dimension": {header(le32(0), le32(0), le32(1<<20)), "exceeds"},
		// The header claims 16M articles; loading must run out of file, not memory.
		"many articles": {header(le32(0), le32(0), le32(3), le32(1<<24)), "truncated"},
		"dimension 0":   {header(le32(0), le32(0), le32(0), le32(1), le32(1), []byte("a"), le32(1)), "dimension 0"},
	} {
		if _, err := LoadVectors(bytes.NewReader(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) ||
			!strings.HasPrefix(err.Error(), "load dense vectors: ") {
			t.Errorf("%s: got %v, want an error with %q", name, err, tc.want)
		}
	}
}

func TestSaveVectorsReportsWriteErrors(t *testing.T) {
	d, err := NewDenseIndex(context.Background(), tinyEmbedder(), tinyArticles)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SaveVectors(failingWriter{}); err == nil || !strings.HasPrefix(err.Error(), "save dense vectors: ") {
		t.Errorf("got %v, want a save error", err)
	}
}

// failingWriter fails every write, like a full disk.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// randomEmbedder returns random unit vectors, whatever the text.
type randomEmbedder struct {
	mu  sync.Mutex
	rng *rand.Rand
	dim int
}

func (r *randomEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = randomUnit(r.rng, r.dim)
	}
	return out, nil
}

// randomUnit returns a vector in a uniformly random direction.
func randomUnit(rng *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	toUnitLength(v)
	return v
}

// fixedEmbedder answers every query with one vector, so that a benchmark
// measures the scan and not the embedding.
type fixedEmbedder []float32

func (f fixedEmbedder) Embed(context.Context, []string) ([][]float32, error) {
	return [][]float32{f}, nil
}

// BenchmarkDenseSearch measures a search once the query vector is known:
// a scan of every article vector. Texts per article counts the example
// questions plus the title with the answer; the sample articles have about 8.
func BenchmarkDenseSearch(b *testing.B) {
	for _, s := range []struct{ articles, texts, dim int }{
		{100, 8, 384}, // about the size of the sample knowledge base
		{1000, 8, 384},
		{10000, 1, 384},
		{10000, 8, 384},
		{10000, 8, 768},
	} {
		b.Run(fmt.Sprintf("articles=%d/texts=%d/dim=%d", s.articles, s.texts, s.dim), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			articles := make([]Article, s.articles)
			for i := range articles {
				articles[i] = Article{ID: fmt.Sprint("a", i), Title: "t", Answer: "a"}
				for j := range s.texts - 1 {
					articles[i].Questions = append(articles[i].Questions, fmt.Sprint("q", j))
				}
			}
			d, err := NewDenseIndex(context.Background(), &randomEmbedder{rng: rng, dim: s.dim}, articles)
			if err != nil {
				b.Fatal(err)
			}
			d.embedder = fixedEmbedder(randomUnit(rng, s.dim))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if hits, err := d.Search(ctx, "my card has not arrived", 5); err != nil || len(hits) != 5 {
					b.Fatal(hits, err)
				}
			}
		})
	}
}
