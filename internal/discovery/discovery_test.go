package discovery

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/internal/flock"
)

// running registers a service on a data folder of its own, holding its
// lock as a running service does; stop releases the lock.
func running(t *testing.T, dir, name string, started time.Time) (s Service, stop func()) {
	t.Helper()
	data := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	s = Service{Data: data, NATSURL: "nats://127.0.0.1:4222", PID: os.Getpid(), Lock: filepath.Join(data, "serve.lock"), Started: started}
	l, err := flock.TryLock(s.Lock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Register(dir, s); err != nil {
		t.Fatal(err)
	}
	return s, func() { l.Close() }
}

func TestFindIgnoresServicesThatAreGone(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock(2)")
	}
	dir := filepath.Join(t.TempDir(), "services")
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	if got, err := Find(dir); err != nil || len(got) != 0 {
		t.Fatalf("no folder yet: %v %v", got, err)
	}
	a, _ := running(t, dir, "a", t0)
	b, stopB := running(t, dir, "b", t0.Add(time.Minute))
	got, err := Find(dir)
	if err != nil || len(got) != 2 || got[0].Data != b.Data || got[1].Data != a.Data {
		t.Fatalf("both running: %+v %v", got, err)
	}
	stopB() // b's process died without removing its file
	got, err = Find(dir)
	if err != nil || len(got) != 1 || got[0].Data != a.Data {
		t.Fatalf("after b died: %+v %v", got, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("b's stale file left: %d files", len(entries))
	}
	if err := os.WriteFile(filepath.Join(dir, "junk.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := Find(dir); err != nil || len(got) != 1 {
		t.Errorf("with an unreadable file: %+v %v", got, err)
	}
}

func TestRegisterRemovesItsOwnFileOnly(t *testing.T) {
	dir := t.TempDir()
	data := t.TempDir()
	first := Service{Data: data, PID: 1, Started: time.Unix(1, 0)}
	removeFirst, err := Register(dir, first)
	if err != nil {
		t.Fatal(err)
	}
	// A restart on the same folder replaces the file; the first's remove
	// must leave the second's.
	second := Service{Data: data, PID: 2, Started: time.Unix(2, 0)}
	removeSecond, err := Register(dir, second)
	if err != nil {
		t.Fatal(err)
	}
	if err := removeFirst(); err != nil {
		t.Fatal(err)
	}
	if s, err := read(filepath.Join(dir, fileName(data))); err != nil || s.PID != 2 {
		t.Fatalf("after the first's remove: %+v %v", s, err)
	}
	if err := removeSecond(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, fileName(data))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file left after its service's remove: %v", err)
	}
	if _, err := Register(dir, Service{Data: "relative"}); err == nil {
		t.Error("a relative data folder registered")
	}
}

func TestChoose(t *testing.T) {
	a, b := Service{Data: "/srv/a"}, Service{Data: "/srv/b"}
	tests := []struct {
		name     string
		services []Service
		def      string
		want     string
		ok       bool
		err      error
	}{
		{"none", nil, "/srv/a", "", false, nil},
		{"one", []Service{b}, "/srv/a", "/srv/b", true, nil},
		{"several, one the default", []Service{a, b}, "/srv/b", "/srv/b", true, nil},
		{"several, none the default", []Service{a, b}, "/srv/c", "", false, ErrSeveral},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok, err := Choose(tt.services, tt.def)
			if s.Data != tt.want || ok != tt.ok || !errors.Is(err, tt.err) {
				t.Errorf("Choose = %q %v %v, want %q %v %v", s.Data, ok, err, tt.want, tt.ok, tt.err)
			}
		})
	}
}
