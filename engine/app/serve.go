package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/internal/discovery"
	"github.com/larkspur-labs/assist/internal/flock"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Service configures 'assist serve': its listeners, its NATS server or
// cluster, and its store. The data folder is Config.KB.Data.
type Service struct {
	// Listen is the HTTP listener for ingest, health and metrics
	// (host:port); TLSCert and TLSKey make it HTTPS.
	Listen, TLSCert, TLSKey string
	// NATSHost and NATSPort are the embedded NATS server's listener;
	// NATSTLSCert and NATSTLSKey make terminals reach it over TLS.
	NATSHost                string
	NATSPort                int
	NATSTLSCert, NATSTLSKey string
	// NATS is an existing NATS cluster to use instead of the embedded
	// server, with the service user's Creds and the cluster's CA.
	NATS, Creds, NATSCA string
	// Retention is how long call events and summaries are kept.
	Retention time.Duration
	// Worker is this worker's id; kept in the data folder when empty.
	Worker string
	// TwilioInbound is who speaks on a Twilio stream's inbound track.
	TwilioInbound event.Speaker
	// NoVoice takes chat only: no speech recognizer is loaded.
	NoVoice bool
	// MaxVoiceCalls bounds the voice calls this process recognises at
	// once; DefaultMaxVoiceCalls when zero or less. Beyond it a call is
	// handed to the transcription server (Config.ASR.URL) or refused.
	MaxVoiceCalls int
	// Conns bound the open ingest WebSockets, in all and per client
	// address, and those not authenticated yet (ingest.DefaultConnLimits
	// in 'assist serve'; zero fields bound nothing).
	Conns ingest.ConnLimits
	// DrainTimeout bounds the shutdown: the HTTP requests in flight and
	// the ending of every open call (ingest.DefaultDrainTimeout when zero).
	DrainTimeout time.Duration
	// ReconnectGrace is how long a voice call whose stream was lost waits
	// for the stream to come back and continue it; zero ends it at once.
	ReconnectGrace time.Duration
	// IngestKey is required of ingest clients; when empty, the one kept
	// in the data folder, generated on first start and shown once on
	// Config.Notices.
	IngestKey string
}

// httpIdleTimeout is how long the HTTP listener keeps a connection open
// between requests.
const httpIdleTimeout = 2 * time.Minute

// server is a service being started: what it has opened is closed in
// reverse order.
type server struct {
	cfg     Config
	svc     Service
	log     *slog.Logger
	dir     string
	closers []func()
}

func (s *server) onClose(fn func()) { s.closers = append(s.closers, fn) }

func (s *server) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// Serve runs the service until ctx is done: the NATS server (embedded, or
// a cluster's), the event store, a worker with the models of cfg, the
// ingest endpoints and the HTTP listener, whose addresses it writes into
// the data folder for the terminals on this machine.
func Serve(ctx context.Context, cfg Config, svc Service) error {
	s := &server{cfg: cfg, svc: svc, log: cfg.logger(), dir: service.Dir(cfg.KB.Data)}
	defer s.close()
	if err := s.lockFolder(); err != nil {
		return err
	}
	key, err := s.ingestKey()
	if err != nil {
		return err
	}
	natsURL, conn, err := s.startNATS()
	if err != nil {
		return err
	}
	creds := svc.Creds
	if creds == "" {
		creds = service.Auth{Dir: s.dir}.CredsPath(service.RoleService, "service")
	}
	workerID, err := workerID(svc.Worker, s.dir)
	if err != nil {
		return err
	}
	bus, store, err := s.openStore(ctx, natsURL, creds, conn)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := engine.NewMetrics(reg)
	status, err := s.startWorker(ctx, bus, store, workerID, metrics)
	if err != nil {
		return err
	}
	h, voice, err := s.ingestHandler(natsURL, creds, conn, bus, key, workerID, metrics, reg)
	if err != nil {
		return err
	}
	ln, httpURL, err := s.listen(service.Info{NATSURL: natsURL, PID: os.Getpid(), Worker: workerID})
	if err != nil {
		return err
	}
	s.log.Info("serving", "http", httpURL, "nats", natsURL, "worker", workerID, "voice", voice, "models", status,
		"max_connections", svc.Conns.Total, "max_connections_per_address", svc.Conns.PerAddress,
		"max_unauthenticated", svc.Conns.Unauthenticated, "max_unauthenticated_per_address", svc.Conns.UnauthenticatedPerAddress)
	return s.serveHTTP(ctx, ln, h)
}

// lockFolder makes this the only service on its data folder: two would
// share one worker id, one JetStream store and one serve.json, and the
// second would wait on the first's locks. It fails at once when another
// holds the folder, naming it.
func (s *server) lockFolder() error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("service folder: %w", err)
	}
	lock, err := flock.TryLock(filepath.Join(s.dir, "serve.lock"))
	var locked *flock.LockedError
	if errors.As(err, &locked) {
		holder := "another process"
		if locked.Holder != nil {
			holder = locked.Holder.String()
		}
		return fmt.Errorf("the data folder %s is in use by another 'assist serve' (%s): stop it, or give this one its own --data", s.cfg.KB.Data, holder)
	}
	if err != nil {
		return err
	}
	s.onClose(func() { lock.Close() })
	return nil
}

// ingestKey is the configured key, else the one kept in the service
// folder, generated and shown once on first start.
func (s *server) ingestKey() (string, error) {
	if s.svc.IngestKey != "" {
		return s.svc.IngestKey, nil
	}
	auth := service.Auth{Dir: s.dir}
	key, created, err := auth.IngestKey()
	if err != nil {
		return "", err
	}
	if created {
		s.cfg.notice("Ingest API key (shown once; kept in %s):\n  %s", filepath.Join(auth.Dir, "ingest.key"), key)
	}
	return key, nil
}

// startNATS starts the embedded NATS server with JetStream, issuing the
// service user if it is new, unless a cluster is configured. It returns
// the URL and how the service's own connections reach it: in-process to
// the embedded server, else with the cluster's CA.
func (s *server) startNATS() (string, []nats.Option, error) {
	if s.svc.NATS != "" {
		var conn []nats.Option
		if s.svc.NATSCA != "" {
			conn = append(conn, nats.RootCAs(s.svc.NATSCA))
		}
		return s.svc.NATS, conn, nil
	}
	auth := service.Auth{Dir: s.dir}
	if _, _, err := auth.Add(service.RoleService, "service"); err != nil {
		return "", nil, err
	}
	ns, err := service.StartNATS(service.NATSConfig{
		Host: s.svc.NATSHost, Port: s.svc.NATSPort, StoreDir: filepath.Join(s.dir, "jetstream"), Auth: auth, Logger: s.log,
		TLSCert: s.svc.NATSTLSCert, TLSKey: s.svc.NATSTLSKey,
	})
	if err != nil {
		return "", nil, err
	}
	s.onClose(ns.Close)
	return ns.ClientURL(), []nats.Option{ns.InProcess()}, nil
}

// openStore connects the service's bus and opens the event store.
func (s *server) openStore(ctx context.Context, url, creds string, conn []nats.Option) (*engine.Bus, *service.Store, error) {
	bus, err := service.ServiceBus(url, creds, conn...)
	if err != nil {
		return nil, nil, err
	}
	s.onClose(bus.Close)
	js, err := jetstream.New(bus.Conn())
	if err != nil {
		return nil, nil, fmt.Errorf("jetstream: %w", err)
	}
	store, err := service.OpenStore(ctx, js, service.StoreConfig{Retention: s.svc.Retention})
	if err != nil {
		return nil, nil, err
	}
	return bus, store, nil
}

// startWorker loads the models and starts the worker that runs the calls,
// ending those a previous run left live. It returns the models' status.
func (s *server) startWorker(ctx context.Context, bus *engine.Bus, store *service.Store, id string, metrics *engine.Metrics) (string, error) {
	m, err := LoadModels(ctx, s.cfg)
	if err != nil {
		return "", err
	}
	s.onClose(m.Close)
	worker, err := service.NewWorker(ctx, bus, store, service.WorkerOptions{
		ID: id, Assistant: m.Assistant, Metrics: metrics, Logger: s.log, Redact: m.StoreRedact, Calls: m.Calls, Guidance: m.Guidance,
		Retention: s.svc.Retention,
	})
	if err != nil {
		return "", err
	}
	s.onClose(worker.Close)
	if n, err := worker.EndOrphans(ctx); err != nil {
		s.log.Warn("end calls left live by a previous run", "err", err)
	} else if n > 0 {
		s.log.Info("ended calls left live by a previous run", "calls", n)
	}
	return m.Status, nil
}

// ingestHandler builds the ingest endpoints on their own connection, with
// the speech recognizer unless chat only, and with voice on publishes the
// voice admission for the supervisors; it says whether voice is on.
func (s *server) ingestHandler(url, creds string, conn []nats.Option, bus *engine.Bus, key, workerID string, metrics *engine.Metrics, reg *prometheus.Registry) (*ingest.Handler, bool, error) {
	clientConn, err := service.Dial(url, creds, "assist-ingest", conn...)
	if err != nil {
		return nil, false, err
	}
	s.onClose(clientConn.Close)
	rec, overflow := s.recognizers()
	maxVoice := s.svc.MaxVoiceCalls
	if maxVoice <= 0 {
		maxVoice = DefaultMaxVoiceCalls()
	}
	voice := service.NewVoicePublisher(clientConn, workerID, s.log)
	if rec != nil {
		if c, ok := rec.(io.Closer); ok {
			s.onClose(func() { c.Close() })
		}
		// Loaded in the background: the service answers at once, and a
		// call that comes before its decoders are ready loads its own.
		go s.warmVoice(rec, 2*maxVoice)
	}
	h, err := ingest.NewHandler(ingest.Options{
		Calls:          service.NewClient(clientConn, s.log),
		Recognizer:     rec,
		MaxVoiceCalls:  maxVoice,
		Overflow:       overflow,
		OnVoiceChange:  voice.Changed,
		APIKey:         key,
		TwilioInbound:  s.svc.TwilioInbound,
		ConnLimits:     s.svc.Conns,
		ReconnectGrace: s.svc.ReconnectGrace,
		Ready:          natsReady(bus.Conn(), clientConn),
		Metrics:        metrics,
		Logger:         s.log,
	}, reg)
	if err != nil {
		return nil, false, err
	}
	// Serve shuts the handler down within the drain time; this is for
	// when it never gets to serve.
	s.onClose(func() { h.Close() })
	if rec != nil {
		beyond := "refused"
		if overflow != nil {
			beyond = "handed to " + overflow.Name()
		}
		s.log.Info("voice admission", "max_voice_calls", maxVoice, "beyond", beyond)
		voice.Start(h.VoiceStatus)
		s.onClose(voice.Close)
	}
	return h, rec != nil, nil
}

// recognizers builds the speech recognizer of the voice calls, nil when
// chat only or when it cannot load, and that of the calls beyond capacity,
// nil without a transcription server.
func (s *server) recognizers() (rec, overflow audio.Recognizer) {
	if s.svc.NoVoice {
		return nil, nil
	}
	asr := s.cfg.ASR
	asr.Recorded = false
	rec, err := NewRecognizer(asr, s.log)
	if err != nil {
		// Chat still works; say why voice does not.
		s.log.Warn("voice endpoints refuse calls", "err", err)
		return nil, nil
	}
	if overflow, err = NewOverflowRecognizer(asr); err != nil {
		s.log.Warn("voice calls beyond capacity are refused", "err", err)
		return rec, nil
	}
	return rec, overflow
}

// warmVoice loads n speech decoders, two for each voice call the service
// admits, so a burst of calls does not queue behind model loading (about a
// second a decoder, one at a time). A failure costs only speed: calls load
// their own.
func (s *server) warmVoice(rec audio.Recognizer, n int) {
	start := time.Now()
	err := audio.Warm(rec, n)
	switch {
	case errors.Is(err, sphinx.ErrRecognizerClosed):
		// Shut down before the decoders were all loaded.
	case err != nil:
		s.log.Warn("load speech decoders ahead of calls", "decoders", n, "err", err)
	default:
		s.log.Info("speech decoders loaded ahead of calls", "decoders", n, "took", time.Since(start).Round(time.Millisecond))
	}
}

// listen opens the HTTP listener and records the service's addresses in
// its folder.
func (s *server) listen(info service.Info) (net.Listener, string, error) {
	ln, err := net.Listen("tcp", s.svc.Listen)
	if err != nil {
		return nil, "", fmt.Errorf("listen on %s: %w", s.svc.Listen, err)
	}
	scheme := "http"
	if s.svc.TLSCert != "" {
		scheme = "https"
	}
	info.HTTPURL = scheme + "://" + ln.Addr().String()
	if err := service.WriteInfo(s.dir, info); err != nil {
		ln.Close()
		return nil, "", err
	}
	s.register(info)
	return ln, info.HTTPURL, nil
}

// register tells the other commands on this machine where the service
// runs (see internal/discovery), so they find it without its --data; a
// failure only costs them that.
func (s *server) register(info service.Info) {
	data, err := filepath.Abs(s.cfg.KB.Data)
	if err == nil {
		var remove func() error
		remove, err = discovery.Register(discovery.Dir(), discovery.Service{
			Data: data, NATSURL: info.NATSURL, HTTPURL: info.HTTPURL, PID: os.Getpid(),
			Lock: filepath.Join(s.dir, "serve.lock"), Started: time.Now().UTC(),
		})
		if err == nil {
			s.onClose(func() { _ = remove() })
			return
		}
	}
	s.log.Warn("other commands will need this service's --data to find it", "err", err)
}

// serveHTTP serves h on ln until ctx is done, then drains: the HTTP
// server stops taking requests and finishes those in flight, and every
// open call ends with reason "shutdown", all within the drain time.
func (s *server) serveHTTP(ctx context.Context, ln net.Listener, h *ingest.Handler) error {
	// A client has AuthTimeout to send its request's headers, which carry
	// the key of every endpoint but Twilio's (whose stream the ingest
	// handler holds to the same time), and a kept-alive connection with no
	// request is closed after httpIdleTimeout: nobody holds a socket open
	// for long without the key.
	srv := &http.Server{
		Handler: h, ReadHeaderTimeout: ingest.AuthTimeout, IdleTimeout: httpIdleTimeout,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() {
		if s.svc.TLSCert != "" {
			served <- srv.ServeTLS(ln, s.svc.TLSCert, s.svc.TLSKey)
		} else {
			served <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-served:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	drain := s.svc.DrainTimeout
	if drain <= 0 {
		drain = ingest.DefaultDrainTimeout
	}
	s.log.Info("shutting down: ending the open calls", "drain_timeout", drain)
	start := time.Now()
	shutdown, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	if err := h.Shutdown(shutdown); err != nil {
		s.log.Warn("shutdown: not every call ended cleanly", "err", err)
	}
	s.log.Info("calls ended", "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// workerID is the configured id, else the one kept in the service folder,
// made up on first start.
func workerID(id, dir string) (string, error) {
	if id != "" {
		return id, nil
	}
	path := filepath.Join(dir, "worker-id")
	if data, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(data)) != "" {
		return strings.TrimSpace(string(data)), nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read worker id: %w", err)
	}
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	host, _ := os.Hostname()
	id = "w-" + event.SubjectToken(host) + "-" + hex.EncodeToString(b)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write worker id: %w", err)
	}
	return id, nil
}

// natsReady is ready while the service's connections are up.
func natsReady(conns ...*nats.Conn) func() error {
	return func() error {
		for _, nc := range conns {
			if !nc.IsConnected() {
				return fmt.Errorf("nats connection %s: %s", nc.Opts.Name, nc.Status())
			}
		}
		return nil
	}
}
