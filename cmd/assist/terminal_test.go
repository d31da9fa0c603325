package main

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/engine/service/servicetest"
	"github.com/larkspur-labs/assist/tui/agent"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/supervisor"
)

func TestTerminalWithAnotherUsersCredentialsExitsDenied(t *testing.T) {
	s := servicetest.Start(t)
	a2 := s.Auth.CredsPath(service.RoleAgent, "a2")
	for _, args := range [][]string{
		{"agent", "--agent", "a1", "--creds", a2},
		{"agent", "--agent", "a1", "--creds", a2, "--headless"},
		{"supervise", "--name", "boss", "--creds", a2},
	} {
		args = append(args, "--nats", s.URL)
		_, _, err := execute(t, args...)
		if !errors.Is(err, service.ErrPermission) || !strings.Contains(err.Error(), a2) {
			t.Errorf("%v: %v, want ErrPermission naming the seed file", args, err)
		}
		if code := run(args); code != exitDenied {
			t.Errorf("%v: exit %d, want %d", args, code, exitDenied)
		}
	}
}

func TestTerminalExitsWhenTheServiceWithdrawsItsCredentials(t *testing.T) {
	s := servicetest.Start(t)
	term, err := service.DialTerminal(service.TerminalConfig{URL: s.URL, Creds: s.Auth.CredsPath(service.RoleAgent, "a1"), Role: service.RoleAgent, Name: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		// What runAgent runs headless.
		done <- untilRefused(ctx, term, func(ctx context.Context) error {
			events, err := app.FollowAgent(ctx, term, "a1")
			if err != nil {
				return err
			}
			return event.WriteStream(ctx, &bytes.Buffer{}, events)
		})
	}()
	users, err := s.Auth.Users()
	if err != nil {
		t.Fatal(err)
	}
	users = slices.DeleteFunc(users, func(u service.User) bool { return u.Role == service.RoleAgent && u.Name == "a1" })
	if err := s.NATS.Reload(users); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, service.ErrPermission) {
			t.Errorf("agent after its user was removed: %v, want ErrPermission", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the agent still runs after the service withdrew its credentials")
	}
}

// natsService is an embedded NATS server that a test can kill and start
// again on the same port.
type natsService struct {
	cfg service.NATSConfig
	srv *service.NATSServer
}

func startNATS(t *testing.T) *natsService {
	t.Helper()
	dir := t.TempDir()
	auth := service.Auth{Dir: dir}
	for _, u := range servicetest.Users {
		if _, _, err := auth.Add(u.Role, u.Name); err != nil {
			t.Fatal(err)
		}
	}
	n := &natsService{cfg: service.NATSConfig{Host: "127.0.0.1", Port: -1, StoreDir: filepath.Join(dir, "js"), Auth: auth}}
	n.start(t)
	u, err := url.Parse(n.srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	if n.cfg.Port, err = strconv.Atoi(u.Port()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if n.srv != nil {
			n.srv.Close()
		}
	})
	return n
}

func (n *natsService) start(t *testing.T) {
	t.Helper()
	srv, err := service.StartNATS(n.cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.srv = srv
}

func (n *natsService) kill() {
	n.srv.Close()
	n.srv = nil
}

// nextConnection waits for the next connection state the terminal reports.
func nextConnection(t *testing.T, msgs <-chan tea.Msg) common.ConnectionMsg {
	t.Helper()
	for {
		select {
		case m := <-msgs:
			if c, ok := m.(common.ConnectionMsg); ok {
				return c
			}
		case <-time.After(20 * time.Second):
			t.Fatal("no connection state reported")
		}
	}
}

func TestViewsSayWhenTheServiceIsGone(t *testing.T) {
	n := startNATS(t)
	auth := n.cfg.Auth
	dial := func(role service.Role, name string) *service.Terminal {
		term, err := service.DialTerminal(service.TerminalConfig{URL: n.srv.ClientURL(), Creds: auth.CredsPath(role, name), Role: role, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(term.Close)
		return term
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	agentMsgs := common.WatchConnection(ctx, dial(service.RoleAgent, "a1"), nil)
	supMsgs := supervisor.Watch(ctx, dial(service.RoleSupervisor, "boss"), "")

	var view tea.Model = agent.New(agent.Options{NoColor: true})
	sup := supervisor.New(supervisor.Options{NoColor: true})
	view, _ = view.Update(tea.WindowSizeMsg{Width: 100, Height: 24})
	view, _ = view.Update(common.EventMsg{Event: event.Event{Kind: event.KindCallStarted, CallID: "c1", Seq: 1, TS: time.Now(), Payload: event.CallStarted{Agent: "a1", Title: "Fee dispute"}}})
	sup.Update(tea.WindowSizeMsg{Width: 100, Height: 24})
	header := func() (agentLine, supLine string) {
		a := strings.Split(ansi.Strip(view.View().Content), "\n")[0]
		s := strings.Split(ansi.Strip(sup.View().Content), "\n")[1]
		return a, s
	}
	step := func(want bool) {
		t.Helper()
		for _, msgs := range []<-chan tea.Msg{agentMsgs, supMsgs} {
			c := nextConnection(t, msgs)
			if c.Connected != want {
				t.Fatalf("connection reported %+v, want connected=%v", c, want)
			}
			view, _ = view.Update(c)
			sup.Update(c)
		}
	}

	step(true)
	a, s := header()
	if !strings.Contains(a, "● LIVE") || !strings.Contains(s, "● LIVE") {
		t.Errorf("while connected: agent %q, supervisor %q", a, s)
	}
	n.kill()
	step(false)
	a, s = header()
	if !strings.Contains(a, "○ reconnecting…") || strings.Contains(a, "LIVE") || !strings.Contains(s, "○ reconnecting…") || strings.Contains(s, "LIVE") {
		t.Errorf("with the service gone: agent %q, supervisor %q", a, s)
	}
	n.start(t)
	step(true)
	a, s = header()
	if !strings.Contains(a, "● LIVE") || !strings.Contains(s, "● LIVE") {
		t.Errorf("after the service came back: agent %q, supervisor %q", a, s)
	}
}
