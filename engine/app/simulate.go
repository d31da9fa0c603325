package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"

	"github.com/larkspur-labs/assist/engine/loadgen"
	"github.com/larkspur-labs/assist/engine/service"
)

// Ingest is a running service's ingest endpoints, as 'assist simulate'
// reaches them.
type Ingest struct {
	// URL is the service's base URL.
	URL string
	// Key is the ingest API key and KeySource where it came from, for
	// error messages.
	Key, KeySource string
}

// FindIngest completes what the user gave: without a URL, the one the
// service in the data folder recorded; without a key, the one it keeps
// there. It never makes up a key.
func FindIngest(url, key, keySource, data string) (Ingest, error) {
	dir := service.Dir(data)
	in := Ingest{URL: url, Key: key, KeySource: keySource}
	if in.URL == "" {
		info, err := service.ReadInfo(dir)
		if errors.Is(err, service.ErrNoService) {
			return in, fmt.Errorf("%w: start it, or pass its address with --url", err)
		}
		if err != nil {
			return in, fmt.Errorf("find the service: %w (or pass --url)", err)
		}
		if info.HTTPURL == "" {
			return in, fmt.Errorf("the service in %s recorded no HTTP URL: pass --url", dir)
		}
		u, err := loadgen.ParseURL(info.HTTPURL)
		if err != nil {
			return in, fmt.Errorf("the service's info in %s: %w", dir, err)
		}
		in.URL = u.String()
	} else {
		u, err := loadgen.ParseURL(in.URL)
		if err != nil {
			return in, &ConfigError{err.Error()}
		}
		in.URL = u.String()
	}
	if in.Key == "" {
		k, path, err := service.Auth{Dir: dir}.ReadIngestKey()
		if errors.Is(err, service.ErrNoIngestKey) {
			return in, fmt.Errorf("%w: pass --key, set $ASSIST_INGEST_KEY, or run where the service keeps it (--data)", err)
		}
		if err != nil {
			return in, err
		}
		in.Key, in.KeySource = k, path
	}
	return in, nil
}

// Generator builds the load generator of cfg against the service, with an
// HTTP client that keeps a connection per call (and, when insecure,
// checks no certificate), and checks that the service is there and takes
// the key; its errors say what to do.
func (in Ingest) Generator(ctx context.Context, cfg loadgen.Config, insecure bool) (*loadgen.Generator, error) {
	cfg.URL, cfg.Key = in.URL, in.Key
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(cfg.Calls, 2)
	t.MaxIdleConns = max(cfg.Calls, 100)
	if insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for with --insecure
	}
	cfg.HTTPClient = &http.Client{Transport: t}
	gen, err := loadgen.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	if err := gen.Check(ctx); err != nil {
		return nil, in.explain(err)
	}
	return gen, nil
}

// explain says what to do when the service check fails.
func (in Ingest) explain(err error) error {
	switch {
	case errors.Is(err, loadgen.ErrUnreachable):
		return fmt.Errorf("%w\nIs 'assist serve' running there? Pass its address with --url", err)
	case errors.Is(err, loadgen.ErrUnauthorized):
		return fmt.Errorf("%w\nThe key came from %s; pass the service's key with --key or $ASSIST_INGEST_KEY", err, in.KeySource)
	case errors.Is(err, loadgen.ErrNoEndpoint):
		return fmt.Errorf("%w\nIs %s an 'assist serve'? Pass its base URL with --url", err, in.URL)
	}
	return fmt.Errorf("check the service at %s: %w", in.URL, err)
}
