package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/export"
	"github.com/larkspur-labs/assist/engine/service/servicetest"
)

func TestReport(t *testing.T) {
	s := servicetest.Start(t)
	s.Drive(t, lostCard)
	stdout, stderr, err := execute(t, storeArgs(s, "report")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	lines := strings.Split(stdout, "\n")
	if !strings.HasPrefix(lines[0], "Calls started since ") || !strings.HasPrefix(lines[2], "QUEUE") || !strings.HasPrefix(lines[3], "cards ") {
		t.Errorf("report:\n%s", stdout)
	}
	stdout, _, err = execute(t, storeArgs(s, "report", "--json")...)
	var got []export.QueueReport
	if err != nil || json.Unmarshal([]byte(stdout), &got) != nil || len(got) != 1 || got[0].Queue != "cards" || got[0].Ended != 1 {
		t.Errorf("--json: %v %+v\n%s", err, got, stdout)
	}
}

func TestReportOnAnEmptyStore(t *testing.T) {
	s := servicetest.Start(t)
	for _, tc := range []struct {
		args           []string
		stdout, stderr string
	}{
		{[]string{"report"}, "no calls since ", ""},
		{[]string{"report", "--since", "0", "--queue", "billing"}, `no calls in queue "billing" in the store`, ""},
		{[]string{"report", "--json"}, "[]\n", "no calls since "},
	} {
		stdout, stderr, err := execute(t, storeArgs(s, tc.args...)...)
		if err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		if !strings.HasPrefix(stdout, tc.stdout) || !strings.HasPrefix(stderr, tc.stderr) {
			t.Errorf("%v: stdout %q stderr %q", tc.args, stdout, stderr)
		}
	}
}

func TestReportFlags(t *testing.T) {
	var got *app.ReportOptions
	cmd := newReportCmd(streams{}, func(_ context.Context, o *app.ReportOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--since", "168h", "--queue", "billing", "--json", "--nats", "nats://x:4222", "--creds", "s.nk"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Since != 168*time.Hour || got.Queue != "billing" || !got.JSON || got.Service.NATS != "nats://x:4222" || got.Service.Creds != "s.nk" {
		t.Errorf("options %+v", got)
	}
	cmd = newReportCmd(streams{}, func(_ context.Context, o *app.ReportOptions) error { got = o; return nil })
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil || got.Since != defaultSince || got.JSON {
		t.Errorf("defaults %+v %v", got, err)
	}
	cmd = newReportCmd(streams{}, func(context.Context, *app.ReportOptions) error { t.Error("ran"); return nil })
	cmd.SetArgs([]string{"--since", "-1h"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	var ue usageError
	if err := cmd.Execute(); !errors.As(err, &ue) {
		t.Errorf("negative --since: %v", err)
	}
}
