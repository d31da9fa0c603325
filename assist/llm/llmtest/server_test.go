package llmtest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sashabaranov/go-openai"
)

// post sends a chat request body and returns the response.
func post(t *testing.T, s *Server, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/chat/completions", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

const (
	draftBody   = `{"model":"m","stream":true,"messages":[{"role":"system","content":"Write the agent's reply."},{"role":"user","content":"hi"}]}`
	summaryBody = `{"model":"m","messages":[{"role":"system","content":"x"},{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"call_summary","schema":{},"strict":true}}}`
)

func TestStreamWireFormat(t *testing.T) {
	s := NewServer(t, WithReply(KindDraft, "Hello there, friend."),
		WithTiming(Timing{FirstToken: 50 * time.Millisecond, BetweenTokens: 60 * time.Millisecond, KeepAlive: 20 * time.Millisecond}))
	body := strings.Replace(draftBody, `"stream":true`, `"stream":true,"stream_options":{"include_usage":true}`, 1)
	resp := post(t, s, body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var chunks []map[string]any
	keepAlives := 0
	var last string
	for line := range strings.SplitSeq(string(raw), "\n") {
		switch {
		case line == "":
		case line == ": keep-alive":
			keepAlives++
		case line == "data: [DONE]":
			last = line
		case strings.HasPrefix(line, "data: "):
			var c map[string]any
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &c); err != nil {
				t.Fatalf("bad chunk %q: %v", line, err)
			}
			chunks = append(chunks, c)
		default:
			t.Errorf("unexpected line %q", line)
		}
	}
	if last != "data: [DONE]" || !strings.HasSuffix(string(raw), "data: [DONE]\n\n") {
		t.Errorf("the stream does not end with data: [DONE]:\n%s", raw)
	}
	if keepAlives == 0 {
		t.Error("no keep-alive comment during the waits")
	}
	// role, 3 words, stop, usage
	if len(chunks) != 6 {
		t.Fatalf("%d chunks, want 6:\n%s", len(chunks), raw)
	}
	choice := func(c map[string]any) map[string]any {
		cs := c["choices"].([]any)
		return cs[0].(map[string]any)
	}
	for _, c := range chunks {
		if c["object"] != "chat.completion.chunk" || c["id"] != chunks[0]["id"] || c["model"] != "m" {
			t.Errorf("chunk header: %v", c)
		}
		if u, ok := c["usage"]; !ok || (u != nil && len(c["choices"].([]any)) != 0) {
			t.Errorf("with include_usage every chunk has usage, null but the last: %v", c)
		}
	}
	if d := choice(chunks[0])["delta"].(map[string]any); d["role"] != "assistant" || choice(chunks[0])["finish_reason"] != nil {
		t.Errorf("first chunk: %v", chunks[0])
	}
	var text strings.Builder
	for _, c := range chunks[1:4] {
		text.WriteString(choice(c)["delta"].(map[string]any)["content"].(string))
	}
	if text.String() != "Hello there, friend." {
		t.Errorf("content = %q", text.String())
	}
	if choice(chunks[4])["finish_reason"] != "stop" {
		t.Errorf("last choice chunk: %v", chunks[4])
	}
	if u := chunks[5]; len(u["choices"].([]any)) != 0 || u["usage"].(map[string]any)["completion_tokens"] != 3.0 {
		t.Errorf("usage chunk: %v", u)
	}

	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Kind != KindDraft || !r.Stream || !r.IncludeUsage || r.Status != 200 || r.Messages[1] != (Message{"user", "hi"}) {
		t.Errorf("record = %+v", r)
	}
	if ttft := r.ServerTimeToFirstToken(); ttft < 50*time.Millisecond || ttft > time.Second {
		t.Errorf("server time to first token = %v, want about 50ms", ttft)
	}
	if r.Ended.Sub(r.FirstToken) < 100*time.Millisecond {
		t.Errorf("ended %v after the first token; two more came 60ms apart", r.Ended.Sub(r.FirstToken))
	}
}

func TestCompletionWireFormat(t *testing.T) {
	s := NewServer(t)
	resp := post(t, s, summaryBody)
	var got struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		Model   string `json:"model"`
		Choices []struct {
			Index   int `json:"index"`
			Message struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage map[string]int `json:"usage"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || got.Object != "chat.completion" || got.ID == "" || got.Created == 0 || got.Model != "m" ||
		len(got.Choices) != 1 || got.Choices[0].Message.Role != "assistant" || got.Choices[0].Message.Content != DefaultSummary ||
		got.Choices[0].FinishReason != "stop" || got.Usage["total_tokens"] == 0 {
		t.Errorf("answer = %+v", got)
	}
	if r := s.Requests()[0]; r.Kind != KindSummary || r.Stream || r.ResponseFormat == nil || r.FirstToken.IsZero() {
		t.Errorf("record = %+v", r)
	}
}

func TestKindFromRequest(t *testing.T) {
	s := NewServer(t)
	for _, tc := range []struct {
		body string
		want Kind
	}{
		{draftBody, KindDraft},
		{summaryBody, KindSummary},
		{`{"model":"m","messages":[{"role":"system","content":"Rate the EMOTION."},{"role":"user","content":"x"}]}`, KindEmotion},
		{`{"model":"m","messages":[{"role":"system","content":"You translate."},{"role":"user","content":"x"}]}`, KindTranslate},
		{`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"summarize"}]}]}`, KindDraft},
	} {
		resp := post(t, s, tc.body)
		io.Copy(io.Discard, resp.Body)
		rs := s.Requests()
		if got := rs[len(rs)-1].Kind; got != tc.want {
			t.Errorf("%s: kind %q, want %q", tc.body, got, tc.want)
		}
	}
	if got := s.Requests()[4].Messages[0].Content; got != "summarize" {
		t.Errorf("content parts read as %q", got)
	}
}

func TestErrorBodies(t *testing.T) {
	s := NewServer(t)
	for _, status := range []int{400, 401, 404, 429, 500, 503} {
		s.FailNext(1, status)
		resp := post(t, s, draftBody)
		var body struct {
			Error map[string]json.RawMessage `json:"error"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("%d: %v", status, err)
		}
		if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("status %d (%s), want %d", resp.StatusCode, resp.Header.Get("Content-Type"), status)
		}
		for _, key := range []string{"message", "type", "param", "code"} {
			if _, ok := body.Error[key]; !ok {
				t.Errorf("%d: error has no %q: %v", status, key, body.Error)
			}
		}
		if string(body.Error["param"]) != "null" {
			t.Errorf("%d: param = %s, want null", status, body.Error["param"])
		}
	}
	// The script is used up: the next request succeeds.
	if resp := post(t, s, summaryBody); resp.StatusCode != 200 {
		t.Errorf("status %d after the scripted failures", resp.StatusCode)
	}
}

func TestAPIKeyAndModel(t *testing.T) {
	const key = "sk-right-key-0123456789"
	s := NewServer(t, WithAPIKey(key), WithModel("llama-3.1-8b"))
	resp := post(t, s, draftBody, "Authorization", "Bearer sk-wrong-key-9876543210")
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 401 || !strings.Contains(string(b), "invalid_api_key") || strings.Contains(string(b), "sk-wrong-key-9876543210") {
		t.Errorf("wrong key: %d %s", resp.StatusCode, b)
	}
	resp = post(t, s, draftBody, "Authorization", "Bearer "+key)
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != 404 || !strings.Contains(string(b), "The model `m` does not exist.") {
		t.Errorf("wrong model: %d %s", resp.StatusCode, b)
	}
	resp = post(t, s, strings.Replace(draftBody, `"m"`, `"llama-3.1-8b"`, 1), "Authorization", "Bearer "+key)
	if resp.StatusCode != 200 {
		t.Errorf("right key and model: %d", resp.StatusCode)
	}

	r, err := s.Client().Get(s.URL + "/models")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			ID     string `json:"id"`
			Object string `json:"object"`
		} `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&list); err != nil || list.Object != "list" || len(list.Data) != 1 ||
		list.Data[0].ID != "llama-3.1-8b" || list.Data[0].Object != "model" {
		t.Errorf("models = %+v (%v)", list, err)
	}
}

func TestDropMidStream(t *testing.T) {
	s := NewServer(t, WithTokens("a ", "b ", "c "))
	s.DropNext(1, 2)
	resp := post(t, s, draftBody)
	sc := bufio.NewScanner(resp.Body)
	var contents []string
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "data: "); ok && strings.Contains(line, "content") {
			contents = append(contents, line)
		}
	}
	if !errors.Is(sc.Err(), io.ErrUnexpectedEOF) {
		t.Errorf("read error = %v, want unexpected EOF", sc.Err())
	}
	if len(contents) != 2 {
		t.Errorf("%d content chunks before the drop, want 2", len(contents))
	}
	waitEnded(t, s, 0)
	if r := s.Requests()[0]; !r.Dropped {
		t.Errorf("record = %+v, want dropped", r)
	}
}

func TestWorksWithGoOpenAI(t *testing.T) {
	s := NewServer(t, WithTokens("one ", "two"),
		WithTiming(Timing{PauseAfter: 1, Pause: 100 * time.Millisecond, KeepAlive: time.Millisecond, BlankLines: true}))
	cfg := openai.DefaultConfig("k")
	cfg.BaseURL, cfg.HTTPClient, cfg.EmptyMessagesLimit = s.URL, s.Client(), 10000
	c := openai.NewClientWithConfig(cfg)
	st, err := c.CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{
		Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}},
		StreamOptions: &openai.StreamOptions{IncludeUsage: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var text strings.Builder
	var usage *openai.Usage
	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range chunk.Choices {
			text.WriteString(ch.Delta.Content)
		}
		if chunk.Usage != nil {
			usage = chunk.Usage
		}
	}
	if text.String() != "one two" || usage == nil || usage.CompletionTokens != 2 {
		t.Errorf("text %q, usage %+v", text.String(), usage)
	}

	s.FailNext(1, 503)
	_, err = c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}},
	})
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 503 || apiErr.Type != "server_error" {
		t.Errorf("err = %v, want go-openai's APIError for a 503", err)
	}
}

func TestClientGoneEndsTheHandler(t *testing.T) {
	s := NewServer(t, WithTiming(Timing{FirstToken: time.Minute, KeepAlive: 10 * time.Millisecond}))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/chat/completions", strings.NewReader(draftBody))
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	cancel()
	waitEnded(t, s, 0)
}

func TestConcurrentRequests(t *testing.T) {
	s := NewServer(t, WithTiming(Timing{BetweenTokens: time.Millisecond}))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if i%5 == 0 {
				s.SetReply(KindDraft, "changed while serving")
			}
			resp, err := s.Client().Post(s.URL+"/chat/completions", "application/json", strings.NewReader(draftBody))
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			_ = s.Requests()
		})
	}
	wg.Wait()
	if n := len(s.Requests()); n != 20 {
		t.Errorf("%d requests recorded, want 20", n)
	}
}

func TestSplitTokens(t *testing.T) {
	for _, text := range []string{"", "one", "  lead", "a b  c\n", "trail   "} {
		toks := SplitTokens(text)
		if strings.Join(toks, "") != text {
			t.Errorf("SplitTokens(%q) = %q", text, toks)
		}
	}
	if got := SplitTokens("Hi there, you."); len(got) != 3 || got[0] != "Hi " {
		t.Errorf("SplitTokens = %q", got)
	}
}

// waitEnded waits until request i has ended, failing the test after 5 s.
func waitEnded(t *testing.T, s *Server, i int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.WaitRequests(ctx, func(rs []Request) bool { return len(rs) > i && !rs[i].Ended.IsZero() }); err != nil {
		t.Fatalf("request %d did not end: %v", i, err)
	}
}

// answer posts a chat request not streamed and returns its content and
// finish reason.
func answer(t *testing.T, s *Server, body string) (content, finish string) {
	t.Helper()
	var got struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
	}
	if err := json.NewDecoder(post(t, s, body).Body).Decode(&got); err != nil || len(got.Choices) != 1 {
		t.Fatalf("answer %+v: %v", got, err)
	}
	return got.Choices[0].Message.Content, got.Choices[0].FinishReason
}

func TestWithoutJSONSchemaTheModelAnswersInProse(t *testing.T) {
	s := NewServer(t, WithoutJSONSchema())
	if got, _ := answer(t, s, summaryBody); got != DefaultPlainSummary {
		t.Errorf("json_schema: %q, want the plain summary", got)
	}
	jsonObject := `{"model":"m","messages":[{"role":"system","content":"Write the call's summary."},{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}`
	if got, _ := answer(t, s, jsonObject); got != DefaultSummary {
		t.Errorf("json_object: %q, want the JSON summary", got)
	}
	if got, _ := answer(t, NewServer(t), summaryBody); got != DefaultSummary {
		t.Errorf("a server that knows json_schema: %q", got)
	}
}

func TestMaxTokensCutsTheAnswer(t *testing.T) {
	s := NewServer(t, WithReply(KindDraft, "one two three four five"))
	body := strings.Replace(draftBody, `"stream":true`, `"stream":false,"max_tokens":3`, 1)
	if got, finish := answer(t, s, body); got != "one two three " || finish != "length" {
		t.Errorf("cut answer %q, finish %q", got, finish)
	}
	body = strings.Replace(draftBody, `"stream":true`, `"stream":true,"max_completion_tokens":2`, 1)
	raw, err := io.ReadAll(post(t, s, body).Body)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), `"content"`); n != 2 || !strings.Contains(string(raw), `"finish_reason":"length"`) {
		t.Errorf("stream cut at 2 tokens: %d content chunks\n%s", n, raw)
	}
	if got, finish := answer(t, s, strings.Replace(draftBody, `"stream":true`, `"stream":false,"max_tokens":5`, 1)); got != "one two three four five" || finish != "stop" {
		t.Errorf("answer within max_tokens %q, finish %q", got, finish)
	}
}

func TestErrorInsideAStream(t *testing.T) {
	for _, tc := range []struct {
		form StreamErrorForm
		want []string // the lines after the content, blank lines left out
	}{
		{StreamErrorOpenAI, []string{`data: {"error":{"code":503,"message":"out of KV cache","param":null,"type":"server_error"}}`, "data: [DONE]"}},
		{StreamErrorTGI, []string{`data: {"error":"out of KV cache","error_type":"generation"}`}},
		{StreamErrorLlamaCpp, []string{`error: {"code":503,"message":"out of KV cache","type":"server_error"}`}},
	} {
		s := NewServer(t, WithTokens("a ", "b ", "c "))
		s.FailNextInStream(1, 2, http.StatusServiceUnavailable, "out of KV cache", tc.form)
		resp := post(t, s, draftBody)
		raw, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: status %d, %v", tc.form, resp.StatusCode, err)
		}
		var lines []string
		for line := range strings.SplitSeq(string(raw), "\n") {
			if line != "" {
				lines = append(lines, line)
			}
		}
		// role, two content chunks, then the error
		if len(lines) != 3+len(tc.want) || strings.Join(lines[3:], "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: stream\n%s", tc.form, raw)
		}
		waitEnded(t, s, 0)
		if r := s.Requests()[0]; !r.StreamError || r.Status != 200 {
			t.Errorf("%s: record %+v", tc.form, r)
		}
	}
	// Not streamed, the same failure is an error status.
	s := NewServer(t)
	s.FailNextInStream(1, 0, http.StatusServiceUnavailable, "", StreamErrorOpenAI)
	if resp := post(t, s, summaryBody); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("not streamed: status %d", resp.StatusCode)
	}
}
