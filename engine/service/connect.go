package service

import (
	"fmt"
	"time"

	"github.com/larkspur-labs/assist/engine"
	"github.com/nats-io/nats.go"
)

// Dial connects to NATS at url as the user whose nkey seed is in creds
// (none when empty). A server that is down or refuses the credentials is
// an error now; once connected, the connection reconnects for as long as
// it is open.
func Dial(url, creds, name string, extra ...nats.Option) (*nats.Conn, error) {
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		// Hold what is published during a reconnect rather than fail it.
		nats.ReconnectBufSize(64 << 20),
	}
	if creds != "" {
		opt, err := nats.NkeyOptionFromSeed(creds)
		if err != nil {
			return nil, fmt.Errorf("credentials %s: %w", creds, err)
		}
		opts = append(opts, opt)
	}
	nc, err := nats.Connect(url, append(opts, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", url, err)
	}
	return nc, nil
}

// ServiceBus returns a bus whose connections are the service user's.
func ServiceBus(url, creds string, extra ...nats.Option) (*engine.Bus, error) {
	return engine.NewBus(func(name string) (*nats.Conn, error) { return Dial(url, creds, name, extra...) })
}
