package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	io            streams
	kb            kbFlags
	models        modelFlags
	guidance      guidanceFlags
	asr           asrFlags
	listen        string
	tlsCert       string
	tlsKey        string
	natsListen    string
	natsTLSCert   string
	natsTLSKey    string
	nats          string
	creds         string
	natsCA        string
	retention     time.Duration
	worker        string
	twilioInbound string
	noVoice       bool
	debug         bool
}

func newServeCmd(io streams) *cobra.Command {
	opts := &serveOptions{io: io}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the engine as a service: telephony and chat ingest, NATS bus, terminals",
		Long: `Run the engine as a long-running service. Calls come in on one HTTP listener:

  /v1/twilio/media       Twilio Media Streams (WebSocket; key in start.customParameters.key)
  /v1/audiohook          Genesys Cloud AudioHook v2 (WebSocket; X-API-KEY header)
  /v1/chat               chat over WebSocket (X-API-KEY header)
  POST /v1/chat/messages chat messages over HTTP (X-API-KEY header)
  POST /v1/chat/replies  an agent's reply sent back to the chat (X-API-KEY header)
  /healthz /readyz /metrics

Ingest needs the API key: $ASSIST_INGEST_KEY, or the one generated on first
start, printed once and kept in <data>/serve/ingest.key.

By default the service runs an embedded NATS server with JetStream on
--nats-listen, keeping every call's events under <data>/serve/jetstream for
--retention, and a key-value bucket of live call summaries. Nobody connects
anonymously: the service issues nkey credentials under <data>/serve/creds
('assist creds add' issues more), and terminals on this machine using the
same --data find the server and their credentials by themselves.

With --nats URL (and --creds, the service user's seed), the service uses an
existing NATS cluster instead; several 'assist serve' processes then share
the calls: each call is handled by one worker at a time, and when a worker
dies its calls move to another. Give each worker its own --worker id.`,
		Example: `  assist serve
  ASSIST_INGEST_KEY=secret assist serve --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
  assist serve --nats nats://nats-1:4222 --creds service.nk --worker w2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (opts.tlsCert == "") != (opts.tlsKey == "") {
				return usagef("--tls-cert and --tls-key go together")
			}
			if (opts.natsTLSCert == "") != (opts.natsTLSKey == "") {
				return usagef("--nats-tls-cert and --nats-tls-key go together")
			}
			if opts.twilioInbound != string(event.SpeakerCustomer) && opts.twilioInbound != string(event.SpeakerAgent) {
				return usagef("--twilio-inbound must be customer or agent, got %q", opts.twilioInbound)
			}
			if opts.retention < 0 {
				return usagef("--retention must not be negative")
			}
			if opts.kb.data == "" {
				return usagef("--data is needed: the service keeps its store and credentials there")
			}
			return runServe(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	opts.kb.register(f)
	opts.kb.encoderInBackground = true
	opts.models.register(f)
	opts.guidance.register(f)
	opts.asr.register(f)
	f.StringVar(&opts.listen, "listen", "127.0.0.1:8080", "HTTP listener for ingest, health and metrics (host:port)")
	f.StringVar(&opts.tlsCert, "tls-cert", "", "TLS certificate file (PEM) for the HTTP listener")
	f.StringVar(&opts.tlsKey, "tls-key", "", "TLS key file (PEM) for the HTTP listener")
	f.StringVar(&opts.natsListen, "nats-listen", "127.0.0.1:4222", "embedded NATS server's listener (host:port)")
	f.StringVar(&opts.natsTLSCert, "nats-tls-cert", "", "TLS certificate file (PEM): terminals then reach the embedded NATS server over TLS")
	f.StringVar(&opts.natsTLSKey, "nats-tls-key", "", "TLS key file (PEM) for --nats-tls-cert")
	f.StringVar(&opts.nats, "nats", os.Getenv("ASSIST_NATS_URL"), "use this NATS cluster instead of the embedded server ($ASSIST_NATS_URL)")
	f.StringVar(&opts.creds, "creds", os.Getenv("ASSIST_NATS_CREDS"), "with --nats: the service user's nkey seed file ($ASSIST_NATS_CREDS)")
	f.StringVar(&opts.natsCA, "nats-ca", os.Getenv("ASSIST_NATS_CA"), "with --nats: CA certificate (PEM) of a NATS cluster with a private TLS certificate ($ASSIST_NATS_CA)")
	f.DurationVar(&opts.retention, "retention", service.DefaultRetention, "how long call events and summaries are kept")
	f.StringVar(&opts.worker, "worker", "", "this worker's id, unique in the cluster and stable across restarts (default: kept in the data folder)")
	f.StringVar(&opts.twilioInbound, "twilio-inbound", "customer", "who speaks on a Twilio stream's inbound track: customer or agent")
	f.BoolVar(&opts.noVoice, "no-voice", false, "take chat only: no speech recognizer is loaded")
	f.BoolVar(&opts.debug, "debug", false, "log debug detail")
	return cmd
}

// runServe runs the service until ctx is done.
func runServe(ctx context.Context, o *serveOptions) error {
	log := newLogger(o.io.err, o.debug)
	dir := serveDir(o.kb.data)
	auth := service.Auth{Dir: dir}

	key, err := ingestKey(auth, o.io)
	if err != nil {
		return err
	}
	natsURL, creds := o.nats, o.creds
	// How the service's own connections reach NATS: in-process to the
	// embedded server, else the cluster's address.
	var conn []nats.Option
	if natsURL == "" {
		ns, err := startEmbeddedNATS(auth, o, log)
		if err != nil {
			return err
		}
		defer ns.Close()
		natsURL = ns.ClientURL()
		conn = append(conn, ns.InProcess())
	} else if o.natsCA != "" {
		conn = append(conn, nats.RootCAs(o.natsCA))
	}
	if creds == "" {
		creds = auth.CredsPath(service.RoleService, "service")
	}
	workerID, err := workerID(o.worker, dir)
	if err != nil {
		return err
	}

	bus, err := service.ServiceBus(natsURL, creds, conn...)
	if err != nil {
		return err
	}
	defer bus.Close()
	js, err := jetstream.New(bus.Conn())
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	store, err := service.OpenStore(ctx, js, service.StoreConfig{Retention: o.retention})
	if err != nil {
		return err
	}

	asst, k, status, storeRedact, err := loadModels(ctx, &o.kb, &o.models, log)
	if err != nil {
		return err
	}
	defer k.Close()
	guidance, err := o.guidance.load(k.base.Articles, log)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := engine.NewMetrics(reg)

	worker, err := service.NewWorker(ctx, bus, store, service.WorkerOptions{ID: workerID, Assistant: asst, Metrics: metrics, Logger: log, Redact: storeRedact, Guidance: guidance})
	if err != nil {
		return err
	}
	defer worker.Close()
	if n, err := worker.EndOrphans(ctx); err != nil {
		log.Warn("end calls left live by a previous run", "err", err)
	} else if n > 0 {
		log.Info("ended calls left live by a previous run", "calls", n)
	}

	clientConn, err := service.Dial(natsURL, creds, "assist-ingest", conn...)
	if err != nil {
		return err
	}
	defer clientConn.Close()
	var rec audio.Recognizer
	if !o.noVoice {
		if rec, err = o.asr.recognizer(log, false); err != nil {
			// Chat still works; say why voice does not.
			log.Warn("voice endpoints refuse calls", "err", err)
			rec = nil
		}
	}
	h, err := ingest.NewHandler(ingest.Options{
		Calls:         service.NewClient(clientConn, log),
		Recognizer:    rec,
		APIKey:        key,
		TwilioInbound: event.Speaker(o.twilioInbound),
		Ready:         natsReady(bus.Conn(), clientConn),
		Metrics:       metrics,
		Logger:        log,
	}, reg)
	if err != nil {
		return err
	}
	defer h.Close()

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	scheme := "http"
	if o.tlsCert != "" {
		scheme = "https"
	}
	httpURL := scheme + "://" + ln.Addr().String()
	if err := service.WriteInfo(dir, service.Info{NATSURL: natsURL, HTTPURL: httpURL, PID: os.Getpid(), Worker: workerID}); err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() {
		if o.tlsCert != "" {
			served <- srv.ServeTLS(ln, o.tlsCert, o.tlsKey)
		} else {
			served <- srv.Serve(ln)
		}
	}()
	log.Info("serving", "http", httpURL, "nats", natsURL, "worker", workerID, "voice", rec != nil, "models", status)

	select {
	case err := <-served:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	return nil
}

// ingestKey is $ASSIST_INGEST_KEY, else the one kept in the service folder,
// generated and printed once on first start.
func ingestKey(auth service.Auth, io streams) (string, error) {
	if k := os.Getenv("ASSIST_INGEST_KEY"); k != "" {
		return k, nil
	}
	key, created, err := auth.IngestKey()
	if err != nil {
		return "", err
	}
	if created {
		fmt.Fprintf(io.err, "Ingest API key (shown once; kept in %s):\n  %s\n", filepath.Join(auth.Dir, "ingest.key"), key)
	}
	return key, nil
}

// startEmbeddedNATS issues the service user if it is new and starts the
// embedded server with JetStream on --nats-listen.
func startEmbeddedNATS(auth service.Auth, o *serveOptions, log *slog.Logger) (*service.NATSServer, error) {
	if _, _, err := auth.Add(service.RoleService, "service"); err != nil {
		return nil, err
	}
	host, portText, err := net.SplitHostPort(o.natsListen)
	if err != nil {
		return nil, usagef("--nats-listen: %v", err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, usagef("--nats-listen: bad port %q", portText)
	}
	return service.StartNATS(service.NATSConfig{
		Host: host, Port: port, StoreDir: filepath.Join(auth.Dir, "jetstream"), Auth: auth, Logger: log,
		TLSCert: o.natsTLSCert, TLSKey: o.natsTLSKey,
	})
}

// workerID is the flag's id, else the one kept in the service folder.
func workerID(flag, dir string) (string, error) {
	if flag != "" {
		return flag, nil
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
	id := "w-" + engine.SubjectToken(host) + "-" + hex.EncodeToString(b)
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
