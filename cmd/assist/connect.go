package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/larkspur-labs/assist/engine/service"
	"github.com/nats-io/nats.go"
	"github.com/spf13/pflag"
)

// serviceFlags say how a terminal reaches a running service: by --nats and
// --creds, or by the data folder a service on this machine writes its
// address and credentials into.
type serviceFlags struct {
	nats  string
	creds string
	ca    string
	data  string
}

func (f *serviceFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.nats, "nats", os.Getenv("ASSIST_NATS_URL"), "NATS URL of the service ($ASSIST_NATS_URL; default: the 'assist serve' using --data)")
	fs.StringVar(&f.creds, "creds", os.Getenv("ASSIST_NATS_CREDS"), "nkey seed file of your user ($ASSIST_NATS_CREDS; default: from --data)")
	fs.StringVar(&f.ca, "nats-ca", os.Getenv("ASSIST_NATS_CA"), "CA certificate (PEM) of a service whose NATS TLS certificate is private ($ASSIST_NATS_CA)")
	fs.StringVar(&f.data, "data", defaultDataDir(), "data folder of an 'assist serve' on this machine ($ASSIST_DATA)")
}

// serveDir is the service's folder inside a data folder.
func serveDir(data string) string { return filepath.Join(data, "serve") }

// natsURL is --nats, else the address the service using --data wrote.
func (f *serviceFlags) natsURL() (string, error) {
	if f.nats != "" {
		return f.nats, nil
	}
	info, err := service.ReadInfo(serveDir(f.data))
	if err != nil {
		return "", fmt.Errorf("%w: start 'assist serve' with the same --data, or pass --nats and --creds", err)
	}
	return info.NATSURL, nil
}

// dial connects as role/name. Without --nats, the service's info in the
// data folder gives the URL; without --creds, the user's seed file there
// is used, issued now if the folder is writable and the user is new (the
// service picks new users up within seconds).
func (f *serviceFlags) dial(role service.Role, name string, log *slog.Logger) (*service.Terminal, error) {
	url, err := f.natsURL()
	if err != nil {
		return nil, err
	}
	creds := f.creds
	auth := service.Auth{Dir: serveDir(f.data)}
	created := false
	if creds == "" {
		path, isNew, err := auth.Add(role, name)
		if err != nil {
			return nil, fmt.Errorf("credentials for %s %s: %w (pass --creds)", role, name, err)
		}
		if isNew {
			log.Info("issued credentials", "role", role, "name", name, "file", path)
		}
		creds, created = path, isNew
	}
	cfg := service.TerminalConfig{URL: url, Creds: creds, Role: role, Name: name, Logger: log}
	if f.ca != "" {
		cfg.Options = append(cfg.Options, nats.RootCAs(f.ca))
	}
	t, err := service.DialTerminal(cfg)
	// New credentials take the service a moment to pick up.
	for deadline := time.Now().Add(userReloadWait); err != nil && created && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		t, err = service.DialTerminal(cfg)
	}
	return t, err
}

// userReloadWait is how long a terminal waits for the service to accept
// credentials it has just issued (the service checks every 2 s).
const userReloadWait = 5 * time.Second
