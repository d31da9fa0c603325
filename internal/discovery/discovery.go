// Package discovery lets the commands find an 'assist serve' running on
// this machine without being told its data folder: each service writes a
// small file naming its data folder, its addresses and the lock it holds
// under the user's runtime folder, and removes it when it stops. A file
// whose service died without removing it is ignored (and removed): the
// service's lock on its data folder went with its process.
package discovery

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/internal/atomicfile"
	"github.com/larkspur-labs/assist/internal/flock"
)

// Service is what a running service writes about itself.
type Service struct {
	// Data is the service's data folder, absolute.
	Data    string `json:"data"`
	NATSURL string `json:"nats_url,omitempty"`
	HTTPURL string `json:"http_url,omitempty"`
	PID     int    `json:"pid"`
	// Lock is the file the service holds locked while it runs.
	Lock    string    `json:"lock"`
	Started time.Time `json:"started"`
}

// Dir is where the services' files go: $XDG_RUNTIME_DIR/assist/services,
// else assist/services in the user's config folder; "" when neither is
// known.
func Dir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "assist", "services")
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "assist", "services")
	}
	return ""
}

// fileName names a service's file after its data folder, so a service
// restarted on the same folder replaces its own.
func fileName(data string) string {
	sum := sha256.Sum256([]byte(data))
	return hex.EncodeToString(sum[:8]) + ".json"
}

// Register writes the service's file in dir; remove deletes it.
func Register(dir string, s Service) (remove func() error, err error) {
	if dir == "" {
		return nil, errors.New("no runtime folder to register the service in")
	}
	if !filepath.IsAbs(s.Data) {
		return nil, fmt.Errorf("register the service: data folder %q is not absolute", s.Data)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("register the service: %w", err)
	}
	path := filepath.Join(dir, fileName(s.Data))
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(path, 0o600, func(w io.Writer) error { _, err := w.Write(append(data, '\n')); return err }); err != nil {
		return nil, fmt.Errorf("register the service: %w", err)
	}
	return func() error {
		// Only this service's file: another may have replaced it since.
		if cur, err := read(path); err == nil && cur.PID == s.PID && cur.Started.Equal(s.Started) {
			return os.Remove(path)
		}
		return nil
	}, nil
}

// Find returns the services in dir whose process still runs (holds its
// lock), the latest started first. Files of services that are gone are
// removed; unreadable ones are skipped.
func Find(dir string) ([]Service, error) {
	if dir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find running services: %w", err)
	}
	var out []Service
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		s, err := read(path)
		if err != nil {
			continue
		}
		if s.Lock == "" || !flock.Held(s.Lock) {
			_ = os.Remove(path)
			continue
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Service) int { return cmp.Or(b.Started.Compare(a.Started), cmp.Compare(a.Data, b.Data)) })
	return out, nil
}

func read(path string) (Service, error) {
	var s Service
	data, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ErrSeveral says more than one service runs and none is the default.
var ErrSeveral = errors.New("several 'assist serve' run on this machine")

// Choose picks the service a command means when it was told no data
// folder: the only one running, or among several the one on
// defaultData. ok is false when none runs.
func Choose(services []Service, defaultData string) (s Service, ok bool, err error) {
	switch len(services) {
	case 0:
		return Service{}, false, nil
	case 1:
		return services[0], true, nil
	}
	var folders []string
	for _, s := range services {
		if defaultData != "" && samePath(s.Data, defaultData) {
			return s, true, nil
		}
		folders = append(folders, s.Data)
	}
	return Service{}, false, fmt.Errorf("%w, on %s: pass --data to choose", ErrSeveral, strings.Join(folders, " and "))
}

func samePath(a, b string) bool {
	if abs, err := filepath.Abs(b); err == nil {
		b = abs
	}
	return filepath.Clean(a) == filepath.Clean(b)
}
