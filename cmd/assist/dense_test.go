package main

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// embeddingsServer speaks the OpenAI /v1/embeddings wire format, embedding
// each text as a normalised bag of hashed words, and counts the texts it
// was sent.
func embeddingsServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var texts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/embeddings" {
			http.NotFound(w, r)
			return
		}
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":{"message":"bad request","type":"invalid_request_error"}}`, http.StatusBadRequest)
			return
		}
		texts.Add(int64(len(req.Input)))
		type item struct {
			Object    string    `json:"object"`
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		resp := struct {
			Object string         `json:"object"`
			Data   []item         `json:"data"`
			Model  string         `json:"model"`
			Usage  map[string]int `json:"usage"`
		}{Object: "list", Model: req.Model, Usage: map[string]int{"prompt_tokens": 1, "total_tokens": 1}}
		for i, text := range req.Input {
			resp.Data = append(resp.Data, item{Object: "embedding", Index: i, Embedding: bagOfWords(text)})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(srv.Close)
	return srv, &texts
}

func bagOfWords(text string) []float32 {
	v := make([]float32, 64)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		h := fnv.New32a()
		h.Write([]byte(strings.Trim(w, ".,?!'\"")))
		v[h.Sum32()%64]++
	}
	var n float64
	for _, x := range v {
		n += float64(x * x)
	}
	if n == 0 {
		v[0] = 1
		return v
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(n))
	}
	return v
}

func TestKBSearchWithDenseEmbeddingsCachesArticleVectors(t *testing.T) {
	srv, texts := embeddingsServer(t)
	t.Setenv("ASSIST_DATA", t.TempDir())
	args := []string{"kb", "search", "--embed-url", srv.URL + "/v1", "--embed-model", "bow", "-k", "3", "a wallet and a debit card were stolen, and something else entirely"}
	out, stderr, err := execute(t, args...)
	if err != nil || !strings.Contains(out, "card-lost-stolen") {
		t.Fatalf("dense search: %v\n%s\n%s", err, out, stderr)
	}
	first := texts.Load()
	if first < 33 {
		t.Fatalf("the server embedded %d texts, want every article's", first)
	}
	if _, _, err := execute(t, args...); err != nil {
		t.Fatal(err)
	}
	if again := texts.Load() - first; again > 2 {
		t.Errorf("second run embedded %d texts: the article vectors were not cached", again)
	}
}

func TestKBSearchSurvivesADeadEmbeddingsServer(t *testing.T) {
	srv, _ := embeddingsServer(t)
	url := srv.URL + "/v1"
	srv.Close()
	out, stderr, err := execute(t, "kb", "search", "--embed-url", url, "--embed-model", "bow", "I lost my debit card")
	if err != nil || !strings.Contains(out, "card-lost-stolen") {
		t.Fatalf("dead server broke search: %v\n%s", err, out)
	}
	if !strings.Contains(stderr, "dense retrieval off") {
		t.Errorf("no warning that dense retrieval is off:\n%s", stderr)
	}
}
