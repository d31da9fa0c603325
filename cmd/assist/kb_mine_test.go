package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/larkspur-labs/assist/kb/replies"
)

// mine runs assist kb mine with args and returns its stdout and stderr.
func mine(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newKBMineCmd(streams{in: strings.NewReader(""), out: &out, err: &errOut}, nil)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err = cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestKBMineFlags(t *testing.T) {
	var got *kbMineOptions
	cmd := newKBMineCmd(streams{}, func(o *kbMineOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--format", "sgd", "--min-count", "3", "--out", "r.jsonl", "a.jsonl", "b.jsonl"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.format != "sgd" || got.MinCount != 3 || got.Output != "r.jsonl" || len(got.Files) != 2 {
		t.Errorf("options = %+v", got)
	}
	cmd = newKBMineCmd(streams{}, func(o *kbMineOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"a.jsonl"})
	if err := cmd.Execute(); err != nil || got.MinCount != replies.DefaultMinCount || got.format != "auto" || got.Output != "" {
		t.Errorf("defaults: %+v, %v", got, err)
	}

	for _, args := range [][]string{
		{},
		{"--min-count", "0", "a.jsonl"},
		{"--format", "xml", "a.jsonl"},
	} {
		cmd := newKBMineCmd(streams{}, func(*kbMineOptions) error { t.Errorf("%v: ran", args); return nil })
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		var ue usageError
		if err := cmd.Execute(); !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}

var summary = regexp.MustCompile(`(?m)^mined (\d+) replies from (\d+) agent turns in (\d+) calls$`)

func TestKBMineBundledSamples(t *testing.T) {
	files, err := filepath.Glob("../../engine/samples/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("bundled samples: %v %v", files, err)
	}
	agentLines := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		agentLines += bytes.Count(data, []byte(`"speaker":"agent"`))
	}
	out := filepath.Join(t.TempDir(), "replies.jsonl")
	stdout, stderr, err := mine(t, append([]string{"--min-count", "1", "--out", out}, files...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout with --out: %q", stdout)
	}
	m := summary.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no summary on stderr:\n%s", stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	list, err := replies.Read(out, f)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(m[1]); n != len(list) || n == 0 {
		t.Errorf("summary says %s replies, file has %d", m[1], len(list))
	}
	if m[2] != strconv.Itoa(agentLines) || m[3] != strconv.Itoa(len(files)) {
		t.Errorf("summary %q, want %d agent turns in %d calls", m[0], agentLines, len(files))
	}
	for _, r := range list {
		if strings.ContainsFunc(r.Text, unicode.IsDigit) || strings.Contains(r.Text, "Okafor") || strings.Contains(r.Text, "Priya") {
			t.Errorf("reply keeps a specific: %q", r.Text)
		}
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("allowlist mode: %v %v", fi.Mode(), err)
	}
}

func TestKBMineToStdout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calls.jsonl")
	calls := `{"type":"call","call_id":"one","customer":"Ann Lee","agent":"Sam"}
{"offset":0,"duration":1,"speaker":"customer","text":"What's my balance?"}
{"offset":1,"duration":1,"speaker":"agent","text":"Your balance is $12.50, Ann."}
{not json
{"type":"call","call_id":"two","customer":"Bo Diaz","agent":"Sam"}
{"offset":0,"duration":1,"speaker":"customer","text":"How much do I have?"}
{"offset":1,"duration":1,"speaker":"agent","text":"Your balance is $3,001.00, Bo."}
{"offset":2,"duration":1,"speaker":"agent","text":"Have a great day!"}
`
	if err := os.WriteFile(path, []byte(calls), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := mine(t, path)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	list, err := replies.Read("stdout", strings.NewReader(stdout))
	if err != nil || len(list) != 1 {
		t.Fatalf("stdout: %v\n%s", err, stdout)
	}
	if r := list[0]; r.Text != "Your balance is {amount}, {name}." || r.Count != 2 || len(r.Contexts) != 2 {
		t.Errorf("reply %+v", r)
	}
	if !strings.Contains(stderr, "mined 1 replies from 3 agent turns in 2 calls") {
		t.Errorf("summary:\n%s", stderr)
	}
	if !strings.Contains(stderr, path+":4:") {
		t.Errorf("no warning naming the malformed line:\n%s", stderr)
	}

	_, stderr, err = mine(t, "--min-count", "5", path)
	if err != nil || !strings.Contains(stderr, "mined 0 replies") || !strings.Contains(stderr, "lower --min-count") {
		t.Errorf("nothing mined: %v\n%s", err, stderr)
	}
}

func TestKBMineErrors(t *testing.T) {
	dir := t.TempDir()
	var ue usageError
	if _, _, err := mine(t, filepath.Join(dir, "missing.jsonl")); err == nil || errors.As(err, &ue) {
		t.Errorf("missing file: %v, want a plain error", err)
	}
	out := filepath.Join(dir, "no-such-dir", "replies.jsonl")
	if _, _, err := mine(t, "--out", out, "../../engine/samples/lost-card-happy.jsonl"); err == nil || !strings.Contains(err.Error(), "write allowlist") {
		t.Errorf("unwritable --out: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left files behind: %v", entries)
	}
}
