package service

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// NATSConfig configures the embedded NATS server of 'assist serve'.
type NATSConfig struct {
	// Host and Port to listen on; Port -1 picks a free one.
	Host string
	Port int
	// StoreDir holds JetStream's files.
	StoreDir string
	// Auth holds the users; the server accepts no one else.
	Auth Auth
	// TLSCert and TLSKey, when set, make clients connect over TLS (PEM
	// files).
	TLSCert, TLSKey string
	// ReloadEvery is how often the user list is checked for changes
	// ('assist creds add' from another process); 2 s when zero.
	ReloadEvery time.Duration
	Logger      *slog.Logger
}

// NATSServer is an embedded NATS server with JetStream whose users are the
// service's credentials.
type NATSServer struct {
	srv  *server.Server
	auth Auth

	mu   sync.Mutex // guards opts
	opts server.Options
	log  *slog.Logger

	stop chan struct{}
	done sync.WaitGroup
}

// StartNATS starts the server. The user list must not be empty: no
// anonymous access, even on loopback.
func StartNATS(cfg NATSConfig) (*NATSServer, error) {
	users, err := cfg.Auth.Users()
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		return nil, errors.New("start nats: no users: issue credentials first")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := server.Options{
		ServerName: "assist",
		Host:       cfg.Host,
		Port:       cfg.Port,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		Nkeys:      nkeyUsers(users),
		NoSigs:     true,
		NoLog:      true,
		MaxPayload: 8 << 20,
		// Supervisors following 500 calls take bursts; give their
		// connections room before the server calls them slow.
		MaxPending: 256 << 20,
	}
	if cfg.TLSCert != "" || cfg.TLSKey != "" {
		tc, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: cfg.TLSCert, KeyFile: cfg.TLSKey})
		if err != nil {
			return nil, fmt.Errorf("start nats: tls: %w", err)
		}
		opts.TLSConfig, opts.TLS = tc, true
	}
	o := opts
	srv, err := server.NewServer(&o)
	if err != nil {
		return nil, fmt.Errorf("start nats: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(15 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("start nats on %s: not ready after 15s", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	}
	n := &NATSServer{srv: srv, opts: opts, auth: cfg.Auth, log: log, stop: make(chan struct{})}
	every := cfg.ReloadEvery
	if every <= 0 {
		every = 2 * time.Second
	}
	n.done.Add(1)
	go n.watchUsers(users, every)
	return n, nil
}

// ClientURL is the URL clients connect to; its scheme is tls:// when the
// server requires TLS.
func (n *NATSServer) ClientURL() string { return n.srv.ClientURL() }

// InProcess is the connection option that reaches the server inside this
// process without the network (and without TLS).
func (n *NATSServer) InProcess() nats.Option { return nats.InProcessServer(n.srv) }

// watchUsers reloads the server's users when the user list changes.
func (n *NATSServer) watchUsers(current []User, every time.Duration) {
	defer n.done.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	var lastMod time.Time
	if st, err := os.Stat(n.auth.usersPath()); err == nil {
		lastMod = st.ModTime()
	}
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
		st, err := os.Stat(n.auth.usersPath())
		if err != nil || st.ModTime().Equal(lastMod) {
			continue
		}
		lastMod = st.ModTime()
		users, err := n.auth.Users()
		if err != nil {
			n.log.Warn("user list unreadable; keeping the users in force", "err", err)
			continue
		}
		if slices.Equal(users, current) {
			continue
		}
		if err := n.Reload(users); err != nil {
			n.log.Warn("reload users", "err", err)
			continue
		}
		current = users
		n.log.Info("users reloaded", "users", len(users))
	}
}

// Reload puts a new user list in force without dropping connections of
// users that are still there.
func (n *NATSServer) Reload(users []User) error {
	if len(users) == 0 {
		return errors.New("reload users: empty list")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	o := n.opts
	o.Nkeys = nkeyUsers(users)
	if err := n.srv.ReloadOptions(&o); err != nil {
		return fmt.Errorf("reload users: %w", err)
	}
	n.opts = o
	return nil
}

// Close shuts the server down.
func (n *NATSServer) Close() {
	close(n.stop)
	n.done.Wait()
	n.srv.Shutdown()
	n.srv.WaitForShutdown()
}
