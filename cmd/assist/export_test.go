package main

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/engine/service/servicetest"
)

// storeArgs are the flags that point a command at the service's store.
func storeArgs(s *servicetest.Service, args ...string) []string {
	return append(args, "--nats", s.URL, "--creds", s.Creds)
}

// lostCard is a short chat call in the cards queue.
var lostCard = servicetest.Call{
	ID:    "c1",
	Start: event.CallStarted{Queue: "cards", Agent: "a1", Customer: "cust-1", Channel: event.ChannelChat},
	Lines: []event.Utterance{
		servicetest.CustomerSays("I lost my debit card 4111 1111 1111 1111, can you block it?"),
		servicetest.AgentSays("I have blocked the card and ordered a new one."),
	},
	Ended: true,
}

func TestExport(t *testing.T) {
	s := servicetest.Start(t)
	s.Drive(t, lostCard)
	out := filepath.Join(t.TempDir(), "calls.csv")
	_, stderr, err := execute(t, storeArgs(s, "export", "--since", "1h", "--queue", "cards", "--out", out)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "exported 1 calls, 2 utterances, to "+out) {
		t.Errorf("stderr = %q", stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if st, _ := f.Stat(); st.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want 0600", st.Mode().Perm())
	}
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 3 || !strings.Contains(rows[1][7], "[CARD]") {
		t.Errorf("CSV rows %q, %v", rows, err)
	}
	stdout, stderr, err := execute(t, storeArgs(s, "export", "--since", "0", "--queue", "billing")...)
	if err != nil || stdout != "" || !strings.Contains(stderr, `no calls in queue "billing" in the store`) {
		t.Errorf("empty queue: %v, stdout %q, stderr %q", err, stdout, stderr)
	}
}

func TestExportAndReportAsAnalyst(t *testing.T) {
	s := servicetest.Start(t)
	s.Drive(t, lostCard)
	ann := s.Auth.CredsPath(service.RoleAnalyst, "ann")
	for _, cmd := range [][]string{{"export", "--since", "1h"}, {"report", "--since", "1h", "--json"}} {
		want, _, err := execute(t, storeArgs(s, cmd...)...)
		if err != nil {
			t.Fatal(err)
		}
		got, stderr, err := execute(t, append(cmd, "--nats", s.URL, "--creds", ann, "--analyst", "ann")...)
		if err != nil || got != want || !strings.Contains(got, `"cards"`) {
			t.Errorf("%v as analyst: %v %s\n got %s\nwant %s", cmd, err, stderr, got, want)
		}
	}
	// An analyst's seed is not the service user's: the store itself is
	// closed to it.
	if _, _, err := execute(t, "export", "--nats", s.URL, "--creds", ann); err == nil || !strings.Contains(err.Error(), "--analyst NAME") {
		t.Errorf("analyst's seed as the service user: %v", err)
	}
	// Nor may an agent's seed export as an analyst.
	a1 := s.Auth.CredsPath(service.RoleAgent, "a1")
	_, _, err := execute(t, "export", "--nats", s.URL, "--creds", a1, "--analyst", "ann")
	if !errors.Is(err, service.ErrPermission) {
		t.Errorf("agent's seed as analyst: %v, want ErrPermission", err)
	}
	if code := run([]string{"export", "--nats", s.URL, "--creds", a1, "--analyst", "ann"}); code != exitDenied {
		t.Errorf("agent's seed as analyst: exit %d, want %d", code, exitDenied)
	}
}

func TestExportErrors(t *testing.T) {
	// No service in the data folder.
	data := t.TempDir()
	for _, cmd := range []string{"export", "report"} {
		_, _, err := execute(t, cmd, "--data", data)
		if !errors.Is(err, service.ErrNoService) || !strings.Contains(err.Error(), "assist serve") || !strings.Contains(err.Error(), "--nats") {
			t.Errorf("%s without a service: %v", cmd, err)
		}
	}
	// Unknown format, kind of personal data and bad window are usage
	// errors (exit 2).
	for _, args := range [][]string{
		{"export", "--format", "xml"},
		{"export", "--since", "-1h"},
		{"export", "--since", "yesterday"},
		{"export", "--redact", "cards", "--data", data},
		{"report", "--since", "-5m"},
		{"report", "extra"},
	} {
		var ue usageError
		if _, _, err := execute(t, args...); !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	if code := run([]string{"export", "--format", "xml"}); code != exitUsage {
		t.Errorf("unknown format: exit %d, want %d", code, exitUsage)
	}
}

func TestExportFlags(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		format string
		since  time.Duration
	}{
		{nil, "jsonl", 24 * time.Hour},
		{[]string{"--out", "calls.CSV"}, "csv", 24 * time.Hour},
		{[]string{"--out", "calls.csv", "--format", "jsonl", "--since", "0"}, "jsonl", 0},
		{[]string{"--format", "csv", "--since", "90m", "--queue", "billing"}, "csv", 90 * time.Minute},
	} {
		var got *exportOptions
		cmd := newExportCmd(streams{}, func(_ context.Context, o *exportOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got.Format != tc.format || got.Since != tc.since {
			t.Errorf("%v: format %q since %s, want %q %s", tc.args, got.Format, got.Since, tc.format, tc.since)
		}
	}
}
