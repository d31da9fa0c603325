package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Info is what a running 'assist serve' writes into its folder so that
// terminals on the same machine with the same data folder find it.
type Info struct {
	NATSURL string `json:"nats_url"`
	HTTPURL string `json:"http_url,omitempty"`
	PID     int    `json:"pid"`
	Worker  string `json:"worker"`
}

// ErrNoService says no service has written its info in the folder.
var ErrNoService = errors.New("no 'assist serve' found in the data folder")

// Dir is the service's folder inside a data folder: its info, users,
// credentials, ingest key, worker id and event store.
func Dir(data string) string { return filepath.Join(data, "serve") }

func infoPath(dir string) string { return filepath.Join(dir, "serve.json") }

// WriteInfo records the running service's addresses in dir.
func WriteInfo(dir string, info Info) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(infoPath(dir), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write service info: %w", err)
	}
	return nil
}

// ReadInfo reads what the service wrote in dir.
func ReadInfo(dir string) (Info, error) {
	var info Info
	data, err := os.ReadFile(infoPath(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return info, fmt.Errorf("%w (%s)", ErrNoService, dir)
	}
	if err != nil {
		return info, fmt.Errorf("read service info: %w", err)
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return info, fmt.Errorf("read service info %s: %w", infoPath(dir), err)
	}
	return info, nil
}
