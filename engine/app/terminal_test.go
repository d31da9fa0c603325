package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/engine/service/servicetest"
	"github.com/nats-io/nats.go"
)

func TestOpenCallStore(t *testing.T) {
	ctx := context.Background()
	// No service in the data folder.
	_, err := OpenCallStore(ctx, ServiceAddress{Data: t.TempDir()}, "export")
	if !errors.Is(err, service.ErrNoService) || !strings.Contains(err.Error(), "assist serve") || !strings.Contains(err.Error(), "--nats") {
		t.Errorf("without a service: %v", err)
	}

	s := servicetest.Start(t)
	// Credentials the server does not know.
	stranger, _, err := service.Auth{Dir: t.TempDir()}.Add(service.RoleService, "service")
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenCallStore(ctx, ServiceAddress{NATS: s.URL, Creds: stranger}, "export")
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "authorization violation") || !strings.Contains(err.Error(), stranger) {
		t.Errorf("unknown credentials: %v", err)
	}
	// A supervisor may not read the store, and is told so at once.
	boss := s.Auth.CredsPath(service.RoleSupervisor, "boss")
	_, err = OpenCallStore(ctx, ServiceAddress{NATS: s.URL, Creds: boss}, "report")
	if !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(err.Error(), "service user's --creds") {
		t.Errorf("supervisor credentials: %v", err)
	}
	// The service's URL and seed found in the data folder.
	if err := service.WriteInfo(s.Auth.Dir, service.Info{NATSURL: s.URL}); err != nil {
		t.Fatal(err)
	}
	store, err := OpenCallStore(ctx, ServiceAddress{Data: s.Data}, "export")
	if err != nil {
		t.Fatalf("via the data folder: %v", err)
	}
	store.Close()
}
