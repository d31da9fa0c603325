package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// executeFinding runs the command line as execute does, but told no data
// folder: the default one is an empty folder of the test's.
func executeFinding(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	t.Setenv("ASSIST_DATA", "")
	os.Unsetenv("ASSIST_DATA")
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	var out, errOut bytes.Buffer
	root := newRootCmd(strings.NewReader(""), &out, &errOut)
	root.SetArgs(args)
	err = root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// TestCommandsFindTheRunningService: export and report without --data
// reach the 'assist serve' running on another data folder; once it is
// killed (its registration left behind), they say to start it instead of
// trying its dead address.
func TestCommandsFindTheRunningService(t *testing.T) {
	data := filepath.Join(t.TempDir(), "elsewhere")
	p := startServe(t, data, freePort(t), freePort(t))
	for _, args := range [][]string{{"report", "--since", "1h"}, {"export", "--since", "1h"}} {
		stdout, stderr, err := executeFinding(t, args...)
		if err != nil || !strings.Contains(stdout+stderr, "no calls since") {
			t.Errorf("%v without --data: %v\nstdout %s\nstderr %s", args, err, stdout, stderr)
		}
	}
	p.kill(t)
	_, _, err := executeFinding(t, "report", "--since", "1h")
	if err == nil || !strings.Contains(err.Error(), "start 'assist serve' (on this machine it is found") {
		t.Errorf("report after the service died: %v", err)
	}
}
