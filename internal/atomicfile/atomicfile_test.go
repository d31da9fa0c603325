package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReplacesTheWholeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model")
	for _, text := range []string{"first", "second"} {
		if err := Write(path, 0o640, func(w io.Writer) error {
			_, err := io.WriteString(w, text)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != text {
			t.Fatalf("read %q, %v; want %q", got, err, text)
		}
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
		t.Errorf("permissions %v, want 0640", info.Mode().Perm())
	}
}

func TestFailedWriteLeavesTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("disk on fire")
	err := Write(path, 0o644, func(w io.Writer) error {
		io.WriteString(w, "half")
		return broken
	})
	if !errors.Is(err, broken) {
		t.Fatalf("err = %v, want %v", err, broken)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("file now %q, want the old one", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary file left behind: %v", entries)
	}
}

func TestWriteOutputToStdoutOrAFile(t *testing.T) {
	write := func(w io.Writer) error {
		_, err := io.WriteString(w, "rows\n")
		return err
	}
	for _, path := range []string{"", "-"} {
		var stdout bytes.Buffer
		if err := WriteOutput(path, 0o600, &stdout, write); err != nil || stdout.String() != "rows\n" {
			t.Errorf("path %q: stdout %q, %v", path, stdout.String(), err)
		}
	}
	path := filepath.Join(t.TempDir(), "out.csv")
	var stdout bytes.Buffer
	if err := WriteOutput(path, 0o600, &stdout, write); err != nil || stdout.Len() != 0 {
		t.Fatalf("file: stdout %q, %v", stdout.String(), err)
	}
	if got, _ := os.ReadFile(path); string(got) != "rows\n" {
		t.Errorf("file holds %q", got)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("permissions %v, want 0600", info.Mode().Perm())
	}
	missing := filepath.Join(t.TempDir(), "no-such-dir", "out.csv")
	if err := WriteOutput(missing, 0o600, &stdout, write); err == nil || !strings.Contains(err.Error(), "write "+missing+":") {
		t.Errorf("unwritable file: %v", err)
	}
}
