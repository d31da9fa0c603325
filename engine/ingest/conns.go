package ingest

// This file bounds the WebSocket connections ingest holds open: in all and
// per client address, and, tighter, those whose client has not shown the
// API key yet. A connection costs a goroutine, a file descriptor and its
// buffers for as long as it is open, and a Twilio stream can only show its
// key in its start message, after the upgrade: without these bounds anyone
// who can reach the port could hold sockets open by the thousand.

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/larkspur-labs/assist/engine"
)

// AuthTimeout is how long a WebSocket client has, from its upgrade, to
// authenticate: a Twilio stream must bring its start message with the key
// by then, or it is closed (status 1008, "not authenticated within 5s").
// The endpoints whose key travels in the upgrade's headers (AudioHook,
// chat) are authenticated before they are upgraded, and the HTTP server's
// header time-out (the service sets it to AuthTimeout as well) bounds the
// wait for those headers.
const AuthTimeout = 5 * time.Second

// ConnLimits bound the WebSocket connections ingest holds open (Twilio,
// AudioHook, chat). Zero in a field means no bound.
type ConnLimits struct {
	// Total bounds the open connections; PerAddress those from one client
	// address. Beyond them a connection is refused before its upgrade:
	// 503 for the total, 429 for one address.
	Total, PerAddress int
	// Unauthenticated bounds the open connections whose client has not
	// authenticated yet (a Twilio stream before its start message), and
	// UnauthenticatedPerAddress those of one address. Beyond them a
	// connection that would start unauthenticated is refused the same way.
	Unauthenticated, UnauthenticatedPerAddress int
}

// DefaultConnLimits are the bounds of 'assist serve' unless told
// otherwise. The totals stay well below the file descriptors a process
// gets (Go raises the soft limit to the hard one, 4096 or more on common
// systems); the per-address bounds leave room for a telephony platform or
// a chat backend, which reach the service from few addresses with many
// calls each, while a client without the key holds at most a few dozen
// sockets, each for at most AuthTimeout.
var DefaultConnLimits = ConnLimits{Total: 3000, PerAddress: 1000, Unauthenticated: 256, UnauthenticatedPerAddress: 32}

// The limit labels of assist_ingest_connections_refused_total and
// assist_ingest_connection_limit.
const (
	limitTotal         = "total"
	limitPerAddress    = "per_address"
	limitUnauth        = "unauthenticated"
	limitUnauthPerAddr = "unauthenticated_per_address"
)

// reasonAuthTimeout counts, in assist_ingest_errors_total, the connections
// closed for not authenticating within AuthTimeout.
const reasonAuthTimeout = "auth_timeout"

// connTracker counts the open connections against the limits.
type connTracker struct {
	lim     ConnLimits
	metrics *engine.Metrics

	mu     sync.Mutex
	open   int
	unauth int
	byAddr map[string]*addrConns
}

// addrConns are one client address's open connections.
type addrConns struct{ open, unauth int }

func newConnTracker(lim ConnLimits, m *engine.Metrics) *connTracker {
	m.ConnectionLimits(map[string]int{
		limitTotal: lim.Total, limitPerAddress: lim.PerAddress,
		limitUnauth: lim.Unauthenticated, limitUnauthPerAddr: lim.UnauthenticatedPerAddress,
	})
	return &connTracker{lim: lim, metrics: m, byAddr: map[string]*addrConns{}}
}

// connRefused is a connection beyond one of the limits.
type connRefused struct {
	limit string // the label
	max   int
}

func (e *connRefused) Error() string {
	switch e.limit {
	case limitTotal:
		return fmt.Sprintf("too many open connections (%d): try again later", e.max)
	case limitPerAddress:
		return fmt.Sprintf("too many open connections from your address (%d): try again later", e.max)
	case limitUnauth:
		return fmt.Sprintf("too many connections waiting to authenticate (%d): try again later", e.max)
	}
	return fmt.Sprintf("too many connections from your address waiting to authenticate (%d): try again later", e.max)
}

// status is the HTTP status of the refusal: the service is busy (503), or
// this client is asking too much (429).
func (e *connRefused) status() int {
	if e.limit == limitTotal || e.limit == limitUnauth {
		return http.StatusServiceUnavailable
	}
	return http.StatusTooManyRequests
}

// trackedConn is one admitted connection's place in the counts.
type trackedConn struct {
	t        *connTracker
	endpoint string
	addr     string

	mu       sync.Mutex
	unauth   bool
	released bool
}

// admit counts a new connection from the request's address on endpoint,
// unauthenticated unless authenticated, or says which limit refuses it.
func (t *connTracker) admit(endpoint string, r *http.Request, authenticated bool) (*trackedConn, *connRefused) {
	addr := clientAddress(r)
	t.mu.Lock()
	a := t.byAddr[addr]
	if a == nil {
		a = &addrConns{}
	}
	var refused *connRefused
	switch {
	case over(t.lim.Total, t.open):
		refused = &connRefused{limitTotal, t.lim.Total}
	case over(t.lim.PerAddress, a.open):
		refused = &connRefused{limitPerAddress, t.lim.PerAddress}
	case !authenticated && over(t.lim.Unauthenticated, t.unauth):
		refused = &connRefused{limitUnauth, t.lim.Unauthenticated}
	case !authenticated && over(t.lim.UnauthenticatedPerAddress, a.unauth):
		refused = &connRefused{limitUnauthPerAddr, t.lim.UnauthenticatedPerAddress}
	}
	if refused != nil {
		t.mu.Unlock()
		t.metrics.ConnectionRefused(endpoint, refused.limit)
		return nil, refused
	}
	t.byAddr[addr] = a
	t.open++
	a.open++
	if !authenticated {
		t.unauth++
		a.unauth++
	}
	t.mu.Unlock()
	if !authenticated {
		t.metrics.Unauthenticated(endpoint, 1)
	}
	return &trackedConn{t: t, endpoint: endpoint, addr: addr, unauth: !authenticated}, nil
}

// over reports whether n more connections would break limit (0: none).
func over(limit, n int) bool { return limit > 0 && n >= limit }

// authenticated moves the connection out of the unauthenticated counts.
func (c *trackedConn) authenticated() {
	c.mu.Lock()
	was := c.unauth && !c.released
	c.unauth = false
	c.mu.Unlock()
	if !was {
		return
	}
	t := c.t
	t.mu.Lock()
	t.unauth--
	t.byAddr[c.addr].unauth--
	t.mu.Unlock()
	t.metrics.Unauthenticated(c.endpoint, -1)
}

// release takes the closed connection out of the counts; later calls do
// nothing.
func (c *trackedConn) release() {
	c.mu.Lock()
	if c.released {
		c.mu.Unlock()
		return
	}
	c.released = true
	unauth := c.unauth
	c.mu.Unlock()
	t := c.t
	t.mu.Lock()
	t.open--
	a := t.byAddr[c.addr]
	a.open--
	if unauth {
		t.unauth--
		a.unauth--
	}
	if a.open == 0 {
		delete(t.byAddr, c.addr)
	}
	t.mu.Unlock()
	if unauth {
		t.metrics.Unauthenticated(c.endpoint, -1)
	}
}

// clientAddress is the address a request comes from, without its port.
// Forwarding headers are not trusted: behind a proxy every client is the
// proxy, and the per-address limits should be raised or turned off there.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil || host == "" {
		if r.RemoteAddr == "" {
			return "unknown"
		}
		return r.RemoteAddr
	}
	return host
}

// refuseConn answers a connection beyond a limit without upgrading it,
// logged at debug (a flood would flood the log) and counted.
func refuseConn(w http.ResponseWriter, o *Options, endpoint string, r *http.Request, err *connRefused) {
	o.log().Debug("ingest connection refused", "endpoint", endpoint, "remote", clientAddress(r), "limit", err.limit)
	w.Header().Set("Retry-After", "5")
	http.Error(w, err.Error(), err.status())
}

// conns returns the options' connection tracker, built on first use like
// the voice gate, so that every endpoint on the same options shares it.
func (o *Options) conns() *connTracker {
	if o.tracker == nil {
		o.tracker = newConnTracker(o.ConnLimits, o.Metrics)
	}
	return o.tracker
}
