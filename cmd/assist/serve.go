package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	io streams
	engineFlags
	// svc holds the flags that configure the service as they are; the
	// rest are turned into it by service.
	svc           app.Service
	natsListen    string
	twilioInbound string
	debug         bool
}

// newServeCmd builds the serve command; runF, when set, runs instead of
// the service (tests check the parsing with it).
func newServeCmd(io streams, runF func(context.Context, *serveOptions, app.Service) error) *cobra.Command {
	opts := &serveOptions{io: io}
	if runF == nil {
		runF = runServe
	}
	cmd := &cobra.Command{
		Use:     "serve",
		Short:   "Run the engine as a service: telephony and chat ingest, NATS bus, terminals",
		Long:    help("serve"),
		Example: example("serve"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (opts.svc.TLSCert == "") != (opts.svc.TLSKey == "") {
				return usagef("--tls-cert and --tls-key go together")
			}
			if (opts.svc.NATSTLSCert == "") != (opts.svc.NATSTLSKey == "") {
				return usagef("--nats-tls-cert and --nats-tls-key go together")
			}
			if opts.twilioInbound != string(event.SpeakerCustomer) && opts.twilioInbound != string(event.SpeakerAgent) {
				return usagef("--twilio-inbound must be customer or agent, got %q", opts.twilioInbound)
			}
			if opts.svc.Retention < 0 {
				return usagef("--retention must not be negative")
			}
			if opts.svc.MaxVoiceCalls < 1 {
				return usagef("--max-voice-calls must be at least 1, got %d (for chat only, use --no-voice)", opts.svc.MaxVoiceCalls)
			}
			for name, v := range map[string]int{
				"--max-connections": opts.svc.Conns.Total, "--max-connections-per-address": opts.svc.Conns.PerAddress,
				"--max-unauthenticated": opts.svc.Conns.Unauthenticated, "--max-unauthenticated-per-address": opts.svc.Conns.UnauthenticatedPerAddress,
			} {
				if v < 0 {
					return usagef("%s must not be negative (0 turns the limit off), got %d", name, v)
				}
			}
			if opts.svc.DrainTimeout <= 0 {
				return usagef("--drain-timeout must be positive, got %s", opts.svc.DrainTimeout)
			}
			if opts.svc.ReconnectGrace < 0 {
				return usagef("--reconnect-grace must not be negative (0 ends a call at once when its stream is lost)")
			}
			if opts.kb.Data == "" {
				return usagef("--data is needed: the service keeps its store and credentials there")
			}
			svc, err := opts.service()
			if err != nil {
				return err
			}
			return runF(cmd.Context(), opts, svc)
		},
	}
	f := cmd.Flags()
	opts.engineFlags.register(f)
	opts.kb.EncoderInBackground = true
	f.StringVar(&opts.svc.Listen, "listen", "127.0.0.1:8080", "HTTP listener for ingest, health and metrics (host:port)")
	f.StringVar(&opts.svc.TLSCert, "tls-cert", "", "TLS certificate file (PEM) for the HTTP listener")
	f.StringVar(&opts.svc.TLSKey, "tls-key", "", "TLS key file (PEM) for the HTTP listener")
	f.StringVar(&opts.natsListen, "nats-listen", "127.0.0.1:4222", "embedded NATS server's listener (host:port)")
	f.StringVar(&opts.svc.NATSTLSCert, "nats-tls-cert", "", "TLS certificate file (PEM): terminals then reach the embedded NATS server over TLS")
	f.StringVar(&opts.svc.NATSTLSKey, "nats-tls-key", "", "TLS key file (PEM) for --nats-tls-cert")
	f.StringVar(&opts.svc.NATS, "nats", os.Getenv("ASSIST_NATS_URL"), "use this NATS cluster instead of the embedded server ($ASSIST_NATS_URL)")
	f.StringVar(&opts.svc.Creds, "creds", os.Getenv("ASSIST_NATS_CREDS"), "with --nats: the service user's nkey seed file ($ASSIST_NATS_CREDS)")
	f.StringVar(&opts.svc.NATSCA, "nats-ca", os.Getenv("ASSIST_NATS_CA"), "with --nats: CA certificate (PEM) of a NATS cluster with a private TLS certificate ($ASSIST_NATS_CA)")
	f.DurationVar(&opts.svc.Retention, "retention", service.DefaultRetention, "how long call events and summaries are kept")
	f.StringVar(&opts.svc.Worker, "worker", "", "this worker's id, unique in the cluster and stable across restarts (default: kept in the data folder)")
	f.StringVar(&opts.twilioInbound, "twilio-inbound", "customer", "who speaks on a Twilio stream's inbound track: customer or agent")
	f.BoolVar(&opts.svc.NoVoice, "no-voice", false, "take chat only: no speech recognizer is loaded")
	f.IntVar(&opts.svc.MaxVoiceCalls, "max-voice-calls", app.DefaultMaxVoiceCalls(),
		fmt.Sprintf("voice calls recognised at once, %d per core unless set; beyond them a call goes to --asr-url, or is refused", app.VoiceCallsPerCore))
	f.DurationVar(&opts.svc.DrainTimeout, "drain-timeout", ingest.DefaultDrainTimeout,
		"on SIGINT/SIGTERM, how long the open calls have to end (reason shutdown) before the process exits")
	f.DurationVar(&opts.svc.ReconnectGrace, "reconnect-grace", ingest.DefaultReconnectGrace,
		"how long a voice call whose stream was lost waits for it to come back (same callSid or conversation) and continue; 0: it ends at once")
	def := ingest.DefaultConnLimits
	f.IntVar(&opts.svc.Conns.Total, "max-connections", def.Total, "open ingest WebSockets (Twilio, AudioHook, chat) at most; 0: no limit")
	f.IntVar(&opts.svc.Conns.PerAddress, "max-connections-per-address", def.PerAddress, "open ingest WebSockets from one client address at most; 0: no limit (behind a proxy every client is the proxy)")
	f.IntVar(&opts.svc.Conns.Unauthenticated, "max-unauthenticated", def.Unauthenticated, "ingest WebSockets not authenticated yet (a Twilio stream before its start) at most; 0: no limit")
	f.IntVar(&opts.svc.Conns.UnauthenticatedPerAddress, "max-unauthenticated-per-address", def.UnauthenticatedPerAddress, "ingest WebSockets from one client address not authenticated yet at most; 0: no limit")
	f.BoolVar(&opts.debug, "debug", false, "log debug detail")
	return cmd
}

// service turns the flags into the service's configuration; the ingest
// key comes from the environment only.
func (o *serveOptions) service() (app.Service, error) {
	svc := o.svc
	svc.TwilioInbound, svc.IngestKey = event.Speaker(o.twilioInbound), os.Getenv("ASSIST_INGEST_KEY")
	if svc.NATS != "" {
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
	log := app.NewLogger(o.io.err, o.debug)
	cfg, err := o.engineFlags.config(log, o.io.err)
	if err != nil {
		return err
	}
	return app.Serve(ctx, cfg, svc)
}
