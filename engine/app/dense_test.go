package app

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// embeddingsServer speaks the OpenAI /v1/embeddings wire format, embedding
// each text as a normalised bag of hashed words, and counts the texts it
// was sent; onText, when given, hears each of them.
func embeddingsServer(t *testing.T, onText ...func(string)) (*httptest.Server, *atomic.Int64) {
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
		for _, text := range req.Input {
			for _, f := range onText {
				f(text)
			}
		}
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

// denseConfig asks for dense retrieval from the embeddings server at url.
func denseConfig(url, data string, log *slog.Logger) Config {
	return Config{KB: KBConfig{Data: data, EmbedURL: url, EmbedModel: "bow"}, Logger: log}
}

// topArticle is the first article the knowledge base retrieves for text.
func topArticle(t *testing.T, k *Knowledge, text string) string {
	t.Helper()
	c, err := k.Retriever.Retrieve(context.Background(), []string{text}, 3)
	if err != nil || len(c) == 0 {
		t.Fatalf("retrieve %q: %d candidates, %v", text, len(c), err)
	}
	return c[0].Article.ID
}

func TestDenseRetrievalCachesArticleVectors(t *testing.T) {
	srv, texts := embeddingsServer(t)
	cfg := denseConfig(srv.URL+"/v1", t.TempDir(), discard)
	query := "a wallet and a debit card were stolen, and something else entirely"
	k, err := OpenKnowledge(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if top := topArticle(t, k, query); top != "card-lost-stolen" || !strings.HasSuffix(k.Status(), "· dense") {
		t.Fatalf("dense search: top %s, status %q", top, k.Status())
	}
	k.Close()
	first := texts.Load()
	if first < 33 {
		t.Fatalf("the server embedded %d texts, want every article's", first)
	}
	k, err = OpenKnowledge(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	topArticle(t, k, query)
	if again := texts.Load() - first; again > 2 {
		t.Errorf("second run embedded %d texts: the article vectors were not cached", again)
	}
}

func TestDenseRetrievalSurvivesADeadEmbeddingsServer(t *testing.T) {
	srv, _ := embeddingsServer(t)
	url := srv.URL + "/v1"
	srv.Close()
	var logs bytes.Buffer
	k, err := OpenKnowledge(context.Background(), denseConfig(url, t.TempDir(), slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatalf("dead server broke the knowledge base: %v", err)
	}
	defer k.Close()
	if top := topArticle(t, k, "I lost my debit card"); top != "card-lost-stolen" {
		t.Errorf("top article %s", top)
	}
	if !strings.Contains(logs.String(), "dense retrieval off") {
		t.Errorf("no warning that dense retrieval is off:\n%s", logs.String())
	}
}
