package main

import (
	"context"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	io streams
	engineFlags
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
		Long:  help("serve"),
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
			svc, err := opts.service()
			if err != nil {
				return err
			}
			return runServe(cmd.Context(), opts, svc)
		},
	}
	f := cmd.Flags()
	opts.engineFlags.register(f)
	opts.kb.encoderInBackground = true
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

// service turns the flags into the service's configuration; the ingest
// key comes from the environment only.
func (o *serveOptions) service() (app.Service, error) {
	svc := app.Service{
		Listen: o.listen, TLSCert: o.tlsCert, TLSKey: o.tlsKey,
		NATSTLSCert: o.natsTLSCert, NATSTLSKey: o.natsTLSKey,
		NATS: o.nats, Creds: o.creds, NATSCA: o.natsCA,
		Retention: o.retention, Worker: o.worker, TwilioInbound: event.Speaker(o.twilioInbound), NoVoice: o.noVoice,
		IngestKey: os.Getenv("ASSIST_INGEST_KEY"),
	}
	if o.nats != "" {
		return svc, nil
	}
	host, portText, err := net.SplitHostPort(o.natsListen)
	if err != nil {
		return svc, usagef("--nats-listen: %v", err)
	}
	if svc.NATSPort, err = strconv.Atoi(portText); err != nil {
		return svc, usagef("--nats-listen: bad port %q", portText)
	}
	svc.NATSHost = host
	return svc, nil
}

// runServe runs the service until ctx is done.
func runServe(ctx context.Context, o *serveOptions, svc app.Service) error {
	log := newLogger(o.io.err, o.debug)
	cfg, err := o.engineFlags.config(log, o.io.err)
	if err != nil {
		return err
	}
	return app.Serve(ctx, cfg, svc)
}
