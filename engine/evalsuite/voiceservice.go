package evalsuite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
)

// voiceService is the service's voice path in this process, as 'assist
// serve' runs it on one worker: the ingest endpoints on a loopback HTTP
// listener, with the embedded recognizer, over an engine with the
// embedded models on the bundled knowledge base and an in-process bus. It
// watches every call's events: when each final was published, relative to
// the call's start, and which calls have ended.
type voiceService struct {
	url, key string
	reg      *prometheus.Registry
	metrics  *engine.Metrics
	bus      *engine.Bus
	eng      *engine.Engine
	h        *ingest.Handler
	srv      *http.Server
	events   *engine.Subscription
	// stop ends watch, which closes watched.
	stop, watched chan struct{}

	mu      sync.Mutex
	started map[string]time.Time // call id → when its first media frame was sent
	lags    []float64            // ms, finals since the last take
	ended   map[string]bool
	changed chan struct{} // signalled when a call ends
}

// startVoiceService starts the engine and the bus, with no endpoint yet:
// see listen.
func startVoiceService(log *slog.Logger) (_ *voiceService, err error) {
	s := &voiceService{
		key: "voice-load-" + strconv.FormatInt(time.Now().UnixNano(), 36), reg: prometheus.NewRegistry(),
		started: map[string]time.Time{}, ended: map[string]bool{}, changed: make(chan struct{}, 1),
		stop: make(chan struct{}), watched: make(chan struct{}),
	}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	a, err := assist.Sample()
	if err != nil {
		return nil, err
	}
	if s.bus, err = engine.StartBus(); err != nil {
		return nil, err
	}
	metrics := engine.NewMetrics(s.reg)
	if s.eng, err = engine.New(s.bus, a, engine.Options{Metrics: metrics}); err != nil {
		return nil, err
	}
	if s.events, err = s.bus.Subscribe(engine.AllCallsSubject, func(err error) { log.Warn("voice load: event subscription", "err", err) }); err != nil {
		return nil, err
	}
	go s.watch()
	s.metrics = metrics
	return s, nil
}

// listen serves the ingest endpoints with rec on a loopback port; log
// gets the ingest's warnings (audio dropped when recognition falls
// behind).
func (s *voiceService) listen(rec audio.Recognizer, log *slog.Logger) error {
	h, err := ingest.NewHandler(ingest.Options{
		Calls: &ingest.EngineCalls{Engine: s.eng}, Recognizer: rec, APIKey: s.key, Metrics: s.metrics, Logger: log,
	}, s.reg)
	if err != nil {
		return err
	}
	s.h = h
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("voice load: listen: %w", err)
	}
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return nil
}

// callStarted records when a call's first media frame was sent.
func (s *voiceService) callStarted(id string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started[id] = at
}

// watch reads the events until the subscription closes: each final's
// lag, each call's end.
func (s *voiceService) watch() {
	defer close(s.watched)
	for {
		var e event.Event
		select {
		case e = <-s.events.C:
		case <-s.stop:
			return
		}
		switch e.Kind {
		case event.KindFinal:
			u, ok := e.Payload.(event.Utterance)
			s.mu.Lock()
			// The audio up to u.End was sent by start+End: frames leave
			// at the start of their 20 ms.
			if start, known := s.started[e.CallID]; ok && known {
				sent := start.Add(time.Duration(u.End * float64(time.Second)))
				s.lags = append(s.lags, float64(e.TS.Sub(sent).Microseconds())/1000)
			}
			s.mu.Unlock()
		case event.KindCallEnded:
			s.mu.Lock()
			s.ended[e.CallID] = true
			s.mu.Unlock()
			select {
			case s.changed <- struct{}{}:
			default:
			}
		}
	}
}

// waitEnded waits until every call of ids has ended, or fails after
// timeout.
func (s *voiceService) waitEnded(ctx context.Context, ids []string, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		var open []string
		for _, id := range ids {
			if !s.ended[id] {
				open = append(open, id)
			}
		}
		s.mu.Unlock()
		if len(open) == 0 {
			return nil
		}
		select {
		case <-s.changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return fmt.Errorf("voice load: %d calls not ended %s after their last audio: %s", len(open), timeout, strings.Join(open, ", "))
		}
	}
}

// takeLags returns the lags of the finals published since the last take.
func (s *voiceService) takeLags() []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.lags
	s.lags = nil
	return out
}

// counter sums the values of a counter family of the service's metrics by
// one of its labels.
func (s *voiceService) counter(name, label string) (map[string]int, error) {
	families, err := s.reg.Gather()
	if err != nil {
		return nil, fmt.Errorf("voice load: gather metrics: %w", err)
	}
	out := map[string]int{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label {
					out[l.GetValue()] += int(m.GetCounter().GetValue())
				}
			}
		}
	}
	return out, nil
}

// close stops the listener, ends the calls still live and stops the
// engine and the bus.
func (s *voiceService) close() {
	if s.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s.srv.Shutdown(ctx)
		cancel()
	}
	if s.h != nil {
		s.h.Close()
	}
	if s.eng != nil {
		s.eng.Close()
	}
	if s.events != nil {
		close(s.stop)
		<-s.watched
		s.events.Close()
	}
	if s.bus != nil {
		s.bus.Close()
	}
}

// memory is the process's resident memory, from /proc/self/status.
type memory struct {
	// RSS is resident now, Peak the most ever resident (VmHWM), in MB.
	RSS, Peak float64
}

// readMemory reads the process's resident memory.
func readMemory() (memory, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return memory{}, fmt.Errorf("voice load: resident memory: %w (Linux only)", err)
	}
	defer f.Close()
	var m memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		if err != nil {
			return memory{}, fmt.Errorf("voice load: /proc/self/status %s: %w", name, err)
		}
		if name == "VmRSS" {
			m.RSS = kb / 1024
		} else {
			m.Peak = kb / 1024
		}
	}
	if err := sc.Err(); err != nil {
		return memory{}, fmt.Errorf("voice load: /proc/self/status: %w", err)
	}
	if m.RSS == 0 {
		return memory{}, errors.New("voice load: no VmRSS in /proc/self/status")
	}
	return m, nil
}
