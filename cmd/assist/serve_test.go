package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/larkspur-labs/assist/audio/sphinx/sphinxtest"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/engine/loadgen"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/internal/eventually"
)

// TestMain lets a test run the command in a child process (the test binary
// itself), so that a test can kill a real 'assist serve' with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("ASSIST_TEST_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	// The services the tests start register where the user's would
	// (internal/discovery): a folder of the tests' own, which the child
	// processes inherit.
	dir, err := os.MkdirTemp("", "assist-runtime-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_RUNTIME_DIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// serveProcess is 'assist serve' running in a child process.
type serveProcess struct {
	cmd  *exec.Cmd
	logs *serveLog
	http string
	// exited is closed once the process has exited.
	exited chan struct{}
}

// serveLog keeps what the process logs and closes ready once it logs that
// it is serving.
type serveLog struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan struct{}
}

func (l *serveLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if bytes.Contains(l.buf.Bytes(), []byte("msg=serving")) {
		select {
		case <-l.ready:
		default:
			close(l.ready)
		}
	}
	return len(p), nil
}

// log returns what the process has logged.
func (p *serveProcess) log() string {
	p.logs.mu.Lock()
	defer p.logs.mu.Unlock()
	return p.logs.buf.String()
}

// freePort returns a loopback port nobody listens on at the moment.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startServe starts the service on data with the given ports and waits
// until it says it is serving.
func startServe(t *testing.T, data string, httpPort, natsPort int, extra ...string) *serveProcess {
	t.Helper()
	p := &serveProcess{http: fmt.Sprintf("http://127.0.0.1:%d", httpPort), logs: &serveLog{ready: make(chan struct{})}, exited: make(chan struct{})}
	args := []string{"serve", "--data", data, "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort), "--nats-listen", fmt.Sprintf("127.0.0.1:%d", natsPort)}
	if len(extra) == 0 {
		extra = []string{"--no-voice"}
	}
	p.cmd = exec.Command(os.Args[0], append(args, extra...)...)
	p.cmd.Env = append(os.Environ(), "ASSIST_TEST_RUN_MAIN=1", "ASSIST_INGEST_KEY=test-key")
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
	})
	select {
	case <-p.logs.ready:
	case <-p.exited:
		t.Fatalf("serve exited before serving:\n%s", p.log())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve not ready after 60s:\n%s", p.log())
	}
	resp, err := http.Get(p.http + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("serving but not ready: %s\n%s", resp.Status, p.log())
	}
	return p
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (p *serveProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
}

// chat posts one chat message and fails the test unless it is accepted.
func (p *serveProcess) chat(t *testing.T, msg map[string]string) {
	t.Helper()
	body, _ := json.Marshal(msg)
	req, _ := http.NewRequest(http.MethodPost, p.http+"/v1/chat/messages", bytes.NewReader(body))
	req.Header.Set("X-API-KEY", "test-key")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("chat %v: %s %s", msg, resp.Status, b)
	}
}

// waitFor reads events until one matches or the deadline passes.
func waitFor(t *testing.T, p *serveProcess, events <-chan event.Event, seen *[]event.Event, match func(event.Event) bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case e := <-events:
			*seen = append(*seen, e)
			if match(e) {
				return
			}
		case <-deadline:
			t.Fatalf("event not seen; got %d events; service log:\n%s", len(*seen), p.log())
		}
	}
}

func TestServeSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service three times")
	}
	data := t.TempDir()
	httpPort, natsPort := freePort(t), freePort(t)
	p := startServe(t, data, httpPort, natsPort)

	term, err := app.DialTerminal(app.ServiceAddress{Data: data}, service.RoleAgent, "a1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := term.Follow(ctx, engine.AgentSubject("a1"), "")
	if err != nil {
		t.Fatal(err)
	}

	p.chat(t, map[string]string{"call_id": "c1", "queue": "cards", "agent": "a1", "text": "I lost my debit card"})
	p.chat(t, map[string]string{"call_id": "c1", "text": "someone may be using it right now"})
	var seen []event.Event
	suggestions := 0
	waitFor(t, p, events, &seen, func(e event.Event) bool {
		if e.Kind == event.KindSuggestions {
			suggestions++
		}
		return suggestions == 2
	})
	p.kill(t)

	p = startServe(t, data, httpPort, natsPort)
	// The terminal reconnects by itself; the call the killed service left
	// live is ended, and the terminal sees that, then a new call.
	waitFor(t, p, events, &seen, func(e event.Event) bool { return e.CallID == "c1" && e.Kind == event.KindCallEnded })
	p.chat(t, map[string]string{"call_id": "c2", "queue": "cards", "agent": "a1", "text": "hello again"})
	waitFor(t, p, events, &seen, func(e event.Event) bool { return e.CallID == "c2" && e.Kind == event.KindSuggestions })

	// Every event seen before the kill is in the store, once, in order.
	stored := storedEvents(t, data, "c1")
	for i, e := range stored {
		if e.Seq != uint64(i+1) {
			t.Fatalf("stored event %d has seq %d", i, e.Seq)
		}
	}
	var c1 []event.Event
	for _, e := range seen {
		if e.CallID == "c1" {
			c1 = append(c1, e)
		}
	}
	if len(c1) != len(stored) {
		t.Fatalf("terminal saw %d events of c1, store has %d", len(c1), len(stored))
	}
	for i := range c1 {
		if c1[i].Seq != stored[i].Seq || c1[i].Kind != stored[i].Kind {
			t.Fatalf("event %d: saw %s/%d, stored %s/%d", i, c1[i].Kind, c1[i].Seq, stored[i].Kind, stored[i].Seq)
		}
	}
	if end := stored[len(stored)-1].Payload.(event.CallEnded); end.Reason != "service restarted" {
		t.Errorf("c1 ended with %q", end.Reason)
	}
}

// storedEvents reads a call's events from the running service's store.
func storedEvents(t *testing.T, data, callID string) []event.Event {
	t.Helper()
	dir := service.Dir(data)
	info, err := service.ReadInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := service.Dial(info.NATSURL, service.Auth{Dir: dir}.CredsPath(service.RoleService, "service"), "test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	store, err := service.BindStore(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	events, _, err := store.History(context.Background(), callID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// TestServeTwilioCallReachesTheAgent streams real speech into a real
// 'assist serve' as Twilio does, and follows it from the agent's terminal.
func TestServeTwilioCallReachesTheAgent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service with its speech recognizer")
	}
	sphinxtest.Recognizer(t)
	clip, err := loadgen.LoadClip(sphinxtest.LibriVoxClip("0880"))
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	p := startServe(t, data, freePort(t), freePort(t), "--debug", "--max-voice-calls", "2")
	term, err := app.DialTerminal(app.ServiceAddress{Data: data}, service.RoleAgent, "agent-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A supervisor hears the service's voice admission.
	boss, err := app.DialTerminal(app.ServiceAddress{Data: data}, service.RoleSupervisor, "boss", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer boss.Close()
	voice := make(chan event.VoiceStatus, 64)
	boss.WatchVoice(ctx, func(v event.VoiceStatus) {
		select {
		case voice <- v:
		default:
		}
	})
	events, err := term.Follow(ctx, engine.AgentSubject("agent-1"), "")
	if err != nil {
		t.Fatal(err)
	}
	gen, err := loadgen.New(loadgen.Config{
		URL: p.http, Key: "test-key", Mode: loadgen.ModeTwilio, Calls: 1, Agents: 1, Rate: 5,
		Queues: []string{"cards"}, Clips: []*loadgen.Clip{clip},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep := gen.Run(ctx); rep.Errors != 0 || rep.Calls != 1 {
		t.Fatalf("stream: %+v\n%s", rep, p.log())
	}
	var seen []event.Event
	waitFor(t, p, events, &seen, func(e event.Event) bool { return e.Kind == event.KindCallEnded })
	started, heard := false, ""
	for _, e := range seen {
		switch pl := e.Payload.(type) {
		case event.CallStarted:
			started = pl.Channel == event.ChannelVoice && pl.Queue == "cards"
		case event.Utterance:
			if e.Kind == event.KindFinal && pl.Speaker == event.SpeakerCustomer && pl.Source == event.SourceASR {
				heard += pl.Text + " "
			}
		}
	}
	if !started || len(strings.Fields(heard)) < 2 {
		t.Errorf("started %v, customer heard %q\n%s", started, heard, p.log())
	}
	select {
	case v := <-voice:
		if v.Capacity != 2 || v.Worker == "" {
			t.Errorf("voice status %+v, want capacity 2 from a worker", v)
		}
	case <-time.After(2 * event.VoiceStatusStale):
		t.Error("no voice status reached the supervisor")
	}
	// The call's slot comes back once its recognition is done, just after
	// call.ended.
	var metrics string
	ok := eventually.True(10*time.Second, func() bool {
		resp, err := http.Get(p.http + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		metrics = string(body)
		return strings.Contains(metrics, "assist_voice_calls_active 0\n")
	})
	if !ok || !strings.Contains(metrics, "assist_voice_calls_capacity 2\n") {
		t.Errorf("/metrics: want capacity 2 and no voice call active:\n%s", metrics)
	}
}

func TestServeFlagsAreChecked(t *testing.T) {
	for _, tt := range []struct {
		args []string
		says string
	}{
		{[]string{"serve", "--tls-cert", "x.pem"}, "--tls-key"},
		{[]string{"serve", "--twilio-inbound", "robot"}, "robot"},
		{[]string{"serve", "--data", t.TempDir(), "--max-voice-calls", "0"}, "--max-voice-calls must be at least 1, got 0"},
		{[]string{"serve", "--data", t.TempDir(), "--max-voice-calls", "-3"}, "got -3"},
		{[]string{"serve", "--data", t.TempDir(), "--max-unauthenticated-per-address", "-1"}, "--max-unauthenticated-per-address must not be negative"},
		{[]string{"serve", "--data", t.TempDir(), "--reconnect-grace", "-1s"}, "--reconnect-grace must not be negative"},
	} {
		_, _, err := execute(t, tt.args...)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%v: %v, want a usage error that says %q", tt.args, err, tt.says)
		}
	}
}

func TestServeMaxVoiceCalls(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want int
	}{
		{nil, app.DefaultMaxVoiceCalls()},
		{[]string{"--max-voice-calls", "7"}, 7},
	} {
		var got app.Service
		cmd := newServeCmd(streams{}, func(_ context.Context, _ *serveOptions, svc app.Service) error { got = svc; return nil })
		cmd.SetArgs(append([]string{"--data", t.TempDir()}, tt.args...))
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if got.MaxVoiceCalls != tt.want {
			t.Errorf("%v: MaxVoiceCalls %d, want %d", tt.args, got.MaxVoiceCalls, tt.want)
		}
	}
}

func TestServeConnectionLimits(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want ingest.ConnLimits
	}{
		{nil, ingest.DefaultConnLimits},
		{[]string{"--max-connections", "10", "--max-connections-per-address", "0", "--max-unauthenticated", "4", "--max-unauthenticated-per-address", "2"},
			ingest.ConnLimits{Total: 10, PerAddress: 0, Unauthenticated: 4, UnauthenticatedPerAddress: 2}},
	} {
		var got app.Service
		cmd := newServeCmd(streams{}, func(_ context.Context, _ *serveOptions, svc app.Service) error { got = svc; return nil })
		cmd.SetArgs(append([]string{"--data", t.TempDir()}, tt.args...))
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if got.Conns != tt.want {
			t.Errorf("%v: %+v, want %+v", tt.args, got.Conns, tt.want)
		}
		if got.ReconnectGrace != ingest.DefaultReconnectGrace {
			t.Errorf("%v: reconnect grace %s", tt.args, got.ReconnectGrace)
		}
	}
}

func TestCredsAdd(t *testing.T) {
	data := t.TempDir()
	out, _, err := execute(t, "creds", "add", "--agent", "a 1", "--data", data)
	if err != nil || !strings.HasPrefix(out, "new credentials for agent a 1: ") {
		t.Fatalf("creds add: %q %v", out, err)
	}
	path := strings.TrimSpace(out[strings.LastIndex(out, ": ")+2:])
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 || filepath.Dir(path) != filepath.Join(service.Dir(data), "creds") {
		t.Fatalf("seed file %s: %v %v", path, st, err)
	}
	out, _, err = execute(t, "creds", "add", "--agent", "a 1", "--data", data)
	if err != nil || !strings.HasPrefix(out, "existing credentials") {
		t.Errorf("second add: %q %v", out, err)
	}
	if _, _, err := execute(t, "creds", "add", "--data", data); err == nil {
		t.Error("creds add without a user succeeded")
	}
	if _, _, err := execute(t, "creds", "add", "--agent", "a1", "--analyst", "ann", "--data", data); err == nil {
		t.Error("creds add with two users succeeded")
	}
	out, _, err = execute(t, "creds", "add", "--analyst", "ann", "--data", data)
	if err != nil || !strings.HasPrefix(out, "new credentials for analyst ann: ") {
		t.Fatalf("creds add --analyst: %q %v", out, err)
	}
	users, err := service.Auth{Dir: service.Dir(data)}.Users()
	if err != nil || !slices.ContainsFunc(users, func(u service.User) bool { return u.Role == service.RoleAnalyst && u.Name == "ann" }) {
		t.Errorf("users %+v, %v: no analyst ann", users, err)
	}
}

// TestServeSIGTERMEndsEveryCallAsShutdown stops a real 'assist serve' with
// SIGTERM while a chat call is open on a WebSocket and another over HTTP:
// both end with reason shutdown (the WebSocket's used to end as
// disconnected), and the process exits.
func TestServeSIGTERMEndsEveryCallAsShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service")
	}
	data := t.TempDir()
	p := startServe(t, data, freePort(t), freePort(t), "--no-voice", "--drain-timeout", "20s")
	term, err := app.DialTerminal(app.ServiceAddress{Data: data}, service.RoleAgent, "a1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := term.Follow(ctx, engine.AgentSubject("a1"), "")
	if err != nil {
		t.Fatal(err)
	}
	p.chat(t, map[string]string{"type": "start", "call_id": "over-http", "agent": "a1"})
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(p.http, "http")+"/v1/chat",
		&websocket.DialOptions{HTTPHeader: http.Header{"X-API-KEY": {"test-key"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if err := ws.Write(ctx, websocket.MessageText, []byte(`{"type":"start","call_id":"over-ws","agent":"a1"}`)); err != nil {
		t.Fatal(err)
	}
	if _, ack, err := ws.Read(ctx); err != nil || !strings.Contains(string(ack), `"ack"`) {
		t.Fatalf("start over the WebSocket: %s %v", ack, err)
	}
	go func() { _, _, _ = ws.Read(ctx) }() // answers the close handshake

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	var seen []event.Event
	waitFor(t, p, events, &seen, func(e event.Event) bool {
		if end, ok := e.Payload.(event.CallEnded); ok {
			reasons[e.CallID] = end.Reason
		}
		return len(reasons) == 2
	})
	if reasons["over-http"] != "shutdown" || reasons["over-ws"] != "shutdown" {
		t.Errorf("end reasons %v, want shutdown for both\n%s", reasons, p.log())
	}
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve still running 30 s after SIGTERM:\n%s", p.log())
	}
}

// TestSecondServeOnTheDataFolderSaysWhoHoldsIt starts a second 'assist
// serve' on a running one's data folder: it fails at once, naming the
// first process and what to do, and the first one goes on serving.
func TestSecondServeOnTheDataFolderSaysWhoHoldsIt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service")
	}
	data := t.TempDir()
	p := startServe(t, data, freePort(t), freePort(t))
	_, _, err := execute(t, "serve", "--data", data, "--no-voice",
		"--listen", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--nats-listen", fmt.Sprintf("127.0.0.1:%d", freePort(t)))
	want := fmt.Sprintf("is in use by another 'assist serve' (pid %d: ", p.cmd.Process.Pid)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "give this one its own --data") {
		t.Fatalf("second serve: %v, want it to say %q and what to do", err, want)
	}
	p.chat(t, map[string]string{"call_id": "still-served", "text": "hello"})
}
