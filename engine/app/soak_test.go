package app

// The soak test runs 'assist serve' in this process (Serve: the embedded
// NATS server with JetStream, a worker on the embedded models, the ingest
// endpoints on a real listener) and drives it with 'assist simulate'
// (Simulate), chat and voice at once, calls starting and ending all the
// time at a modest rate. After a warm-up it samples what a leak would
// grow: goroutines, open file descriptors, resident memory, the live heap
// and the JetStream store, and checks that the second half of the run is
// no higher than the first. The short run (about 30 s) is part of make
// test; the long one is
//
//	go test -timeout 2h -v -run TestSoak ./engine/app -soak=1h
//
// (make soak: the package comes before the flag, which go test does not
// know), which prints the figures at the start and end of the measured
// stretch.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/larkspur-labs/assist/audio/sphinx/sphinxtest"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/internal/eventually"
)

var soakFor = flag.Duration("soak", 0, "run TestSoak this long (e.g. -soak=1h, with -timeout 2h -v); 0: the short run of make test")

// soakSample is one reading of what a leak would grow.
type soakSample struct {
	at         time.Duration
	goroutines int
	fds        int
	rssKB      int64
	heapKB     uint64 // live heap after a collection
	jsBytes    uint64 // the event stream's and the call directory's
	jsMsgs     uint64
}

func (s soakSample) String() string {
	return fmt.Sprintf("goroutines %d, fds %d, RSS %.1f MiB, heap %.1f MiB, JetStream %.1f KiB in %d messages",
		s.goroutines, s.fds, float64(s.rssKB)/1024, float64(s.heapKB)/1024, float64(s.jsBytes)/1024, s.jsMsgs)
}

func TestSoak(t *testing.T) {
	sphinxtest.Recognizer(t) // the service recognises the voice calls with it
	run, warmup, every := 30*time.Second, 10*time.Second, 2*time.Second
	if *soakFor > 0 {
		run, warmup, every = *soakFor, min(*soakFor/3, 10*time.Minute), 30*time.Second
	}
	// Events are kept for half the warm-up: the store is full by the time
	// sampling starts, and must stay at that size.
	retention := warmup / 2

	data := t.TempDir()
	logs := &syncBuffer{}
	cfg := Config{KB: KBConfig{Data: data, EncoderInBackground: true}, Logger: NewLogger(logs, false)}
	svc := Service{
		Listen: "127.0.0.1:0", NATSHost: "127.0.0.1", NATSPort: -1, Retention: retention,
		// Room for calls whose recognition lags behind beside the next:
		// under the race detector on a busy 2-core machine it ran slower
		// than real time and two slots refused a call (close 1013). The
		// service warms two decoders per slot, about 0.8 GB here.
		IngestKey: "soak-key", MaxVoiceCalls: 4, Worker: "soak",
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, cfg, svc) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	dir := service.Dir(data)
	var info service.Info
	if !eventually.True(2*time.Minute, func() bool {
		var err error
		info, err = service.ReadInfo(dir)
		return err == nil && ready(info.HTTPURL)
	}) {
		t.Fatalf("the service did not start:\n%s", logs.String())
	}
	// The service loads its voice decoders in the background; memory
	// measured while they load would grow for that reason alone.
	if !eventually.True(5*time.Minute, func() bool {
		return strings.Contains(logs.String(), "speech decoders loaded ahead of calls")
	}) {
		t.Fatalf("the service did not load its speech decoders:\n%s", logs.String())
	}
	js := soakJetStream(t, info.NATSURL, dir)

	// Chat and voice at once, each call ending and the next starting
	// all the time: four chats at two customer lines a second each, and
	// one Twilio stream at a time of real speech at real-time pace (a
	// LibriVox clip: about 5 s a call, each loading its decoders, and up
	// to 2 s between calls).
	runCtx, cancelRun := context.WithTimeout(ctx, run)
	defer cancelRun()
	var sims sync.WaitGroup
	simErrs := make(chan error, 2)
	reports, errOuts := make([]bytes.Buffer, 2), make([]syncBuffer, 2)
	for i, o := range []*SimulateOptions{
		{Calls: 4, Rate: 2, Queues: []string{"billing", "cards"}},
		{Calls: 1, Rate: 0.5, Audio: true, Queues: []string{"voice"},
			WAVs: []string{sphinxtest.LibriVoxClip("0880")}},
	} {
		o.Data, o.Key, o.KeySource, o.Duration, o.ProgressEvery = data, svc.IngestKey, "the test", run, time.Hour
		o.Out, o.ErrOut = &reports[i], &errOuts[i]
		sims.Go(func() {
			if err := Simulate(runCtx, o); err != nil {
				simErrs <- fmt.Errorf("simulate (audio %v): %w\n%s\n%s", o.Audio, err, errOuts[i].String(), reports[i].String())
			}
		})
	}

	var samples []soakSample
	start := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
sampling:
	for {
		select {
		case <-runCtx.Done():
			break sampling
		case <-tick.C:
			// A tick that races the end of the run would sample calls
			// already stopping.
			if at := time.Since(start); at >= warmup && runCtx.Err() == nil {
				samples = append(samples, takeSoakSample(t, js, at))
			}
		}
	}
	sims.Wait()
	close(simErrs)
	for err := range simErrs {
		t.Error(err)
	}
	for i, kind := range []string{"chat", "voice"} {
		var rep struct{ Calls, Utterances int }
		lines := strings.Split(strings.TrimSpace(reports[i].String()), "\n")
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
			t.Fatalf("%s simulation's report: %v\n%s", kind, err, reports[i].String())
		}
		t.Logf("%s: %s", kind, lines[0])
		// Calls must have come and gone throughout: more than one per
		// slot.
		if rep.Calls < 2 {
			t.Errorf("%s: %d calls in %s", kind, rep.Calls, run)
		}
	}
	if len(samples) < 6 {
		t.Fatalf("%d samples after the warm-up: too few to judge", len(samples))
	}
	first, second := samples[:len(samples)/2], samples[len(samples)/2:]
	t.Logf("soak of %s (warm-up %s, retention %s, %d samples every %s)", run, warmup, retention, len(samples), every)
	t.Logf("start %s: %s", samples[0].at.Round(time.Second), samples[0])
	t.Logf("end   %s: %s", samples[len(samples)-1].at.Round(time.Second), samples[len(samples)-1])
	// Medians of each half, so that a call starting or a collection
	// running at one sample does not decide; the slack covers what a
	// call in progress holds. Resident memory is mostly the speech
	// decoders (about 80 MiB each, two per voice slot, pooled) and swings
	// when one is built beyond the pool for a call that overlaps another,
	// so its floors are compared: a leak raises the floor as it raises
	// the rest.
	for _, c := range []struct {
		name          string
		of            func(soakSample) float64
		stat          string
		ratio, offset float64
	}{
		{"goroutines", func(s soakSample) float64 { return float64(s.goroutines) }, "median", 1.15, 20},
		{"file descriptors", func(s soakSample) float64 { return float64(s.fds) }, "median", 1.15, 10},
		{"RSS (KiB)", func(s soakSample) float64 { return float64(s.rssKB) }, "min", 1.1, 32 << 10},
		{"live heap (KiB)", func(s soakSample) float64 { return float64(s.heapKB) }, "median", 1.25, 4 << 10},
		{"JetStream bytes", func(s soakSample) float64 { return float64(s.jsBytes) }, "median", 1.5, 256 << 10},
	} {
		stat := median
		if c.stat == "min" {
			stat = floor
		}
		a, b := stat(first, c.of), stat(second, c.of)
		t.Logf("%s: %s %.0f in the first half, %.0f in the second", c.name, c.stat, a, b)
		if b > a*c.ratio+c.offset {
			t.Errorf("%s grow: %s %.0f in the first half of the run, %.0f in the second", c.name, c.stat, a, b)
		}
	}
}

// ready reports whether the service at url answers /readyz with 200.
func ready(url string) bool {
	if url == "" {
		return false
	}
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// soakJetStream connects to the service's store with its credentials.
func soakJetStream(t *testing.T, url, dir string) jetstream.JetStream {
	t.Helper()
	nc, err := service.Dial(url, service.Auth{Dir: dir}.CredsPath(service.RoleService, "service"), "soak")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func takeSoakSample(t *testing.T, js jetstream.JetStream, at time.Duration) soakSample {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := soakSample{at: at, goroutines: runtime.NumGoroutine(), heapKB: ms.HeapAlloc >> 10, rssKB: rssKB(t)}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("count file descriptors: %v", err)
	}
	s.fds = len(fds)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, name := range []string{service.StreamName, "KV_" + service.BucketName} {
		st, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatalf("stream %s: %v", name, err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatalf("stream %s: %v", name, err)
		}
		s.jsBytes += info.State.Bytes
		s.jsMsgs += info.State.Msgs
	}
	return s
}

// rssKB is the process's resident memory, from /proc/self/status.
func rssKB(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatalf("read RSS: %v", err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("read RSS from %q: %v", line, err)
			}
			return kb
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

func median(samples []soakSample, of func(soakSample) float64) float64 {
	v := make([]float64, len(samples))
	for i, s := range samples {
		v[i] = of(s)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func floor(samples []soakSample, of func(soakSample) float64) float64 {
	m := of(samples[0])
	for _, s := range samples[1:] {
		m = min(m, of(s))
	}
	return m
}

// syncBuffer keeps what several goroutines write: the service's log, a
// simulation's progress.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
