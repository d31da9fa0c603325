package main

import (
	"os"

	"github.com/larkspur-labs/assist/engine/app"
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
	fs.StringVar(&f.data, "data", app.DefaultDataDir(), "data folder of an 'assist serve' on this machine ($ASSIST_DATA)")
}

func (f *serviceFlags) address() app.ServiceAddress {
	return app.ServiceAddress{NATS: f.nats, Creds: f.creds, CA: f.ca, Data: f.data}
}
