package service

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/enginetest"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/engine/samples"
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/internal/stats"
)

// The load of the target: 500 concurrent chat calls, each saying
// one customer utterance every 5 s.
const (
	loadCalls      = 500
	loadInterval   = 5 * time.Second
	loadUtterances = 4 // per call
)

// BenchmarkChatLoad drives loadCalls concurrent chat calls through the
// real service path — HTTP ingest (POST /v1/chat/messages), the worker
// over an embedded NATS server with JetStream and auth, the store — to a
// supervisor terminal following every call, and reports the latency from
// posting an utterance to the supervisor receiving its suggestions
// (p50-ms, p99-ms) and the events lost on the way (lost: events the store
// has that the supervisor did not get). Run it once: -benchtime 1x.
func BenchmarkChatLoad(b *testing.B) {
	customerTurns := sampleCustomerTurns(b)
	for b.Loop() {
		ts := startService(b)
		a, err := enginetest.SampleAssistant()
		if err != nil {
			b.Fatal(err)
		}
		bus, err := ServiceBus(ts.url, ts.auth.CredsPath(RoleService, "service"))
		if err != nil {
			b.Fatal(err)
		}
		w, err := NewWorker(context.Background(), bus, ts.store, WorkerOptions{ID: "w1", Assistant: a})
		if err != nil {
			b.Fatal(err)
		}
		nc, err := Dial(ts.url, ts.auth.CredsPath(RoleService, "service"), "ingest")
		if err != nil {
			b.Fatal(err)
		}
		h, err := ingest.NewHandler(ingest.Options{Calls: NewClient(nc, nil), APIKey: "k"}, prometheus.NewRegistry())
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(h)
		sup, err := DialTerminal(TerminalConfig{URL: ts.url, Creds: ts.auth.CredsPath(RoleSupervisor, "boss"), Role: RoleSupervisor, Name: "boss"})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		events, err := sup.Follow(ctx, engine.AllCallsSubject, "")
		if err != nil {
			b.Fatal(err)
		}

		r := runChatLoad(b, srv.URL, events, customerTurns)
		lost := 0
		for id, got := range r.received {
			stored, _, err := ts.store.History(context.Background(), id, 0)
			if err != nil {
				b.Fatal(err)
			}
			lost += len(stored) - got
		}
		lost += (loadCalls - len(r.received)) // calls never seen at all
		slices.Sort(r.latencies)
		b.ReportMetric(stats.Percentile(r.latencies, 50), "p50-ms")
		b.ReportMetric(stats.Percentile(r.latencies, 99), "p99-ms")
		b.ReportMetric(float64(lost), "lost")
		b.ReportMetric(float64(r.events), "events")
		b.ReportMetric(float64(r.errors), "errors")
		slices.Sort(r.first)
		b.Logf("first utterances: p50 %.2f ms, p99 %.2f ms", stats.Percentile(r.first, 50), stats.Percentile(r.first, 99))
		b.Logf("%d calls, %d utterances, %d events at the supervisor, %d lost, %d errors; post-to-suggestions p50 %.2f ms, p99 %.2f ms",
			loadCalls, len(r.latencies), r.events, lost, r.errors, stats.Percentile(r.latencies, 50), stats.Percentile(r.latencies, 99))

		cancel()
		srv.Close()
		h.Close()
		sup.Close()
		nc.Close()
		w.Close()
		bus.Close()
	}
}

type loadResult struct {
	latencies []float64      // ms, post to suggestions at the supervisor
	first     []float64      // the same, for each call's first utterance (which starts the call)
	received  map[string]int // events per call at the supervisor
	events    int
	errors    int
}

// runChatLoad plays the calls and collects what the supervisor receives
// until every call's call.ended has arrived.
func runChatLoad(b *testing.B, url string, events <-chan event.Event, turns []string) loadResult {
	var (
		mu     sync.Mutex
		posted = map[string]time.Time{} // call/utterance → when posted
		res    = loadResult{received: map[string]int{}}
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ended := 0
		for e := range events {
			mu.Lock()
			res.events++
			res.received[e.CallID]++
			if s, ok := e.Payload.(event.Suggestions); ok {
				if t, ok := posted[e.CallID+"/"+s.UtteranceID]; ok {
					ms := float64(time.Since(t).Microseconds()) / 1000
					res.latencies = append(res.latencies, ms)
					if s.UtteranceID == "u1" {
						res.first = append(res.first, ms)
					}
				}
			}
			mu.Unlock()
			if e.Kind == event.KindCallEnded {
				if ended++; ended == loadCalls {
					return
				}
			}
		}
	}()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadCalls}, Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	for i := range loadCalls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			id := fmt.Sprintf("load-%03d", i)
			// Spread the calls' first utterances over one interval.
			time.Sleep(time.Duration(rng.Int64N(int64(loadInterval))))
			for u := range loadUtterances {
				text := turns[rng.IntN(len(turns))]
				mu.Lock()
				posted[fmt.Sprintf("%s/u%d", id, u+1)] = time.Now()
				mu.Unlock()
				msg := map[string]string{"call_id": id, "queue": fmt.Sprintf("q%d", i%5), "agent": fmt.Sprintf("agent-%d", i%50), "text": text}
				if !post(client, url, msg) {
					mu.Lock()
					res.errors++
					mu.Unlock()
				}
				time.Sleep(loadInterval)
			}
			if !post(client, url, map[string]string{"type": "end", "call_id": id}) {
				mu.Lock()
				res.errors++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		b.Error("the supervisor did not see every call end")
	}
	mu.Lock()
	defer mu.Unlock()
	return res
}

func post(client *http.Client, url string, msg map[string]string) bool {
	body, _ := json.Marshal(msg)
	req, _ := http.NewRequest(http.MethodPost, url+"/v1/chat/messages", bytes.NewReader(body))
	req.Header.Set("X-API-KEY", "k")
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// sampleCustomerTurns returns the customer turns of the bundled calls.
func sampleCustomerTurns(b *testing.B) []string {
	names, err := fs.Glob(samples.FS, "*.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	var turns []string
	for _, name := range names {
		calls, _, err := transcript.LoadFS(samples.FS, name, transcript.FormatAuto)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range calls {
			for _, u := range c.Utterances {
				if u.Speaker == "customer" {
					turns = append(turns, u.Text)
				}
			}
		}
	}
	return turns
}
