package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/export"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ServiceAddress says how a terminal or an operator's tool reaches a
// running service: by NATS URL and credentials, or by the data folder a
// service on this machine writes its address and credentials into.
type ServiceAddress struct {
	// NATS is the service's NATS URL; from the data folder when empty.
	NATS string
	// Creds is the user's nkey seed file; from the data folder when empty.
	Creds string
	// CA is the CA certificate (PEM) of a NATS server whose TLS
	// certificate is private.
	CA string
	// Data is the data folder of an 'assist serve' on this machine.
	Data string
}

// NATSURL is the configured URL, else the one the service using the data
// folder wrote.
func (a ServiceAddress) NATSURL() (string, error) {
	if a.NATS != "" {
		return a.NATS, nil
	}
	info, err := service.ReadInfo(service.Dir(a.Data))
	if err != nil {
		return "", fmt.Errorf("%w: start 'assist serve' (on this machine it is found whatever its --data), or pass --nats and --creds", err)
	}
	return info.NATSURL, nil
}

// userReloadWait is how long a terminal waits for the service to accept
// credentials it has just issued (the service checks every 2 s), and
// userRetry how often it tries meanwhile.
const (
	userReloadWait = 5 * time.Second
	userRetry      = 200 * time.Millisecond
)

// DialTerminal connects as role/name. Without a URL, the service's info
// in the data folder gives it; without credentials, the user's seed file
// there is used, issued now if the folder is writable and the user is new
// (the service picks new users up within seconds, which the dial waits
// for).
func DialTerminal(a ServiceAddress, role service.Role, name string, log *slog.Logger) (*service.Terminal, error) {
	url, err := a.NATSURL()
	if err != nil {
		return nil, err
	}
	creds := a.Creds
	created := false
	if creds == "" {
		path, isNew, err := service.Auth{Dir: service.Dir(a.Data)}.Add(role, name)
		if err != nil {
			return nil, fmt.Errorf("credentials for %s %s: %w (pass --creds)", role, name, err)
		}
		if isNew && log != nil {
			log.Info("issued credentials", "role", role, "name", name, "file", path)
		}
		creds, created = path, isNew
	}
	cfg := service.TerminalConfig{URL: url, Creds: creds, Role: role, Name: name, Logger: log}
	if a.CA != "" {
		cfg.Options = append(cfg.Options, nats.RootCAs(a.CA))
	}
	t, err := service.DialTerminal(cfg)
	if err == nil || !created {
		return t, err
	}
	retry := time.NewTicker(userRetry)
	defer retry.Stop()
	for deadline := time.Now().Add(userReloadWait); err != nil && time.Now().Before(deadline); {
		<-retry.C
		t, err = service.DialTerminal(cfg)
	}
	return t, err
}

// FollowAgent follows, on t, the events of the calls of the agent t is
// connected as: see service.Terminal.Follow.
func FollowAgent(ctx context.Context, t *service.Terminal, agent string) (<-chan event.Event, error) {
	return t.Follow(ctx, engine.AgentSubject(agent), "")
}

// FollowCalls reads, on t, the rows of the live calls (in queue, when not
// empty), then follows the events of those calls: what a supervisor
// watches.
func FollowCalls(ctx context.Context, t *service.Terminal, queue string) ([]event.CallRow, <-chan event.Event, error) {
	subject := engine.AllCallsSubject
	if queue != "" {
		subject = engine.QueueSubject(queue)
	}
	rows, err := t.Calls(ctx, queue)
	if err != nil {
		return nil, nil, err
	}
	events, err := t.Follow(ctx, subject, queue)
	if err != nil {
		return nil, nil, err
	}
	return rows, events, nil
}

// CredsOptions configure 'assist creds add'.
type CredsOptions struct {
	// Data is the data folder of the service.
	Data string
	// Role and Name are the user the credentials are for.
	Role service.Role
	Name string
	// Out receives the line naming the seed file.
	Out io.Writer
}

// IssueCreds issues the user's credentials, an nkey seed file in the
// service's data folder, unless it has them already, and says which.
func IssueCreds(o *CredsOptions) error {
	path, created, err := service.Auth{Dir: service.Dir(o.Data)}.Add(o.Role, o.Name)
	if err != nil {
		return err
	}
	state := "existing"
	if created {
		state = "new"
	}
	fmt.Fprintf(o.Out, "%s credentials for %s %s: %s\n", state, o.Role, o.Name, path)
	return nil
}

// CallStore is the service's event store, read as the service user.
type CallStore struct {
	*service.Store
	nc *nats.Conn
}

// Close closes the connection to the store.
func (s *CallStore) Close() { s.nc.Close() }

// OpenCallStore connects to the service's NATS server as the service user
// and binds its event store; name names the connection. Without a URL,
// it is the one the running 'assist serve' wrote into the data folder;
// without credentials, the service user's seed file there is used.
func OpenCallStore(ctx context.Context, a ServiceAddress, name string) (*CallStore, error) {
	url, err := a.NATSURL()
	if err != nil {
		return nil, err
	}
	creds := a.Creds
	hint := "pass the service user's seed file with --creds"
	if creds == "" {
		creds = service.Auth{Dir: service.Dir(a.Data)}.CredsPath(service.RoleService, "service")
		hint = "run this on the service's machine with its --data, or pass --creds"
	}
	if _, err := os.Stat(creds); err != nil {
		return nil, fmt.Errorf("service credentials: %w: %s", err, hint)
	}
	// A user without JetStream rights is refused asynchronously: stop
	// waiting for the store's answer as soon as the refusal arrives.
	bindCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	refused := nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		if errors.Is(err, nats.ErrPermissionViolation) {
			cancel(err)
		}
	})
	// A one-shot read fails rather than waits for a server that went away.
	opts := []nats.Option{nats.NoReconnect(), refused}
	if a.CA != "" {
		opts = append(opts, nats.RootCAs(a.CA))
	}
	nc, err := service.Dial(url, creds, "assist-"+name, opts...)
	if err != nil {
		return nil, fmt.Errorf("open the call store with credentials %s: %w", creds, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("open the call store: %w", err)
	}
	store, err := service.BindStore(bindCtx, js)
	if err != nil {
		nc.Close()
		if cause := context.Cause(bindCtx); errors.Is(cause, nats.ErrPermissionViolation) {
			return nil, fmt.Errorf("open the call store at %s with credentials %s: %w: pass the service user's --creds, or an analyst's with --analyst NAME", url, creds, cause)
		}
		return nil, fmt.Errorf("open the call store at %s: %w", url, err)
	}
	return &CallStore{Store: store, nc: nc}, nil
}

// ReadAgentStates reads the agents' stored state changes from the
// service at a, as ReadCalls reads the calls.
func ReadAgentStates(ctx context.Context, a ServiceAddress, name, analyst string) ([]event.AgentStatus, error) {
	src, err := openRecords(ctx, a, name, analyst)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return export.ReadAgentStates(ctx, src)
}

// ReadCalls reads the records of the calls that started at or after since
// (every stored call when since is zero), in queue when not empty, from
// the store of the service at a: what export and report work on. Without
// an analyst it reads the store directly as the service user, connecting
// as name; with one, it reads it through the service's export operation
// as that analyst, whose credentials allow nothing else.
func ReadCalls(ctx context.Context, a ServiceAddress, name, analyst string, since time.Time, queue string) ([]*event.CallRecord, error) {
	src, err := openRecords(ctx, a, name, analyst)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return export.ReadCalls(ctx, src, since, queue)
}

// records is what export and report read the stored calls and agent
// states from.
type records interface {
	export.Source
	export.AgentSource
	Close()
}

// openRecords connects to the records of the service at a: through the
// service's API as analyst, whose credentials allow nothing else, or,
// without one, to the store directly as the service user, named name.
func openRecords(ctx context.Context, a ServiceAddress, name, analyst string) (records, error) {
	if analyst != "" {
		t, err := DialTerminal(a, service.RoleAnalyst, analyst, nil)
		if err != nil {
			return nil, err
		}
		return t, nil
	}
	store, err := OpenCallStore(ctx, a, name)
	if err != nil {
		return nil, err
	}
	return store, nil
}
