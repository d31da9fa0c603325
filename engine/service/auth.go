package service

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/atomicfile"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// Role is what a NATS user of the service may do.
type Role string

// The roles.
const (
	// RoleService is a worker or an operator's tool: everything.
	RoleService Role = "service"
	// RoleSupervisor reads every call and may coach its agent; it
	// neither replies nor rates suggestions.
	RoleSupervisor Role = "supervisor"
	// RoleAgent sees and acts on its own calls only.
	RoleAgent Role = "agent"
	// RoleAnalyst reads the stored calls (export, report) and nothing
	// live.
	RoleAnalyst Role = "analyst"
)

// User is one NATS user of the service, identified by an nkey.
type User struct {
	Name      string `json:"name"`
	Role      Role   `json:"role"`
	PublicKey string `json:"public_key"`
}

// Auth keeps the service's credentials in a folder:
//
//	users.json           the users the NATS server accepts (public keys)
//	creds/<role>-<name>.nk  each user's nkey seed (mode 0600)
//	ingest.key           the ingest endpoints' API key (mode 0600)
//
// A terminal on the same machine with the same data folder finds its
// credentials here by itself.
type Auth struct {
	Dir string
}

func (a Auth) usersPath() string { return filepath.Join(a.Dir, "users.json") }

// CredsPath is where the seed of a user is kept.
func (a Auth) CredsPath(role Role, name string) string {
	return filepath.Join(a.Dir, "creds", string(role)+"-"+event.SubjectToken(name)+".nk")
}

// Users reads the user list; a missing file is an empty list.
func (a Auth) Users() ([]User, error) {
	data, err := os.ReadFile(a.usersPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	var users []User
	if err := json.Unmarshal(data, &users); err != nil {
		return nil, fmt.Errorf("read users %s: %w", a.usersPath(), err)
	}
	return users, nil
}

// Add issues credentials for a user, or returns the existing ones: the
// path of the seed file, and whether it was created now.
func (a Auth) Add(role Role, name string) (credsPath string, created bool, err error) {
	switch role {
	case RoleService, RoleSupervisor, RoleAgent, RoleAnalyst:
	default:
		return "", false, fmt.Errorf("add user: unknown role %q", role)
	}
	if strings.TrimSpace(name) == "" {
		return "", false, errors.New("add user: empty name")
	}
	users, err := a.Users()
	if err != nil {
		return "", false, err
	}
	path := a.CredsPath(role, name)
	if slices.ContainsFunc(users, func(u User) bool { return u.Role == role && u.Name == name }) {
		if _, err := os.Stat(path); err == nil {
			return path, false, nil
		}
		// The seed is gone: issue a new key and drop the old one.
		users = slices.DeleteFunc(users, func(u User) bool { return u.Role == role && u.Name == name })
	}
	kp, err := nkeys.CreateUser()
	if err != nil {
		return "", false, fmt.Errorf("add user: %w", err)
	}
	seed, err := kp.Seed()
	if err != nil {
		return "", false, fmt.Errorf("add user: %w", err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return "", false, fmt.Errorf("add user: %w", err)
	}
	if err := writeFileAtomic(path, append(seed, '\n'), 0o600); err != nil {
		return "", false, fmt.Errorf("add user: %w", err)
	}
	users = append(users, User{Name: name, Role: role, PublicKey: pub})
	data, err := json.MarshalIndent(users, "", "  ")
	if err != nil {
		return "", false, err
	}
	if err := writeFileAtomic(a.usersPath(), append(data, '\n'), 0o600); err != nil {
		return "", false, fmt.Errorf("add user: %w", err)
	}
	return path, true, nil
}

// ErrNoIngestKey says the folder keeps no ingest API key.
var ErrNoIngestKey = errors.New("no ingest API key")

// ReadIngestKey returns the ingest API key kept in the folder and the
// file it is in; unlike IngestKey it never makes one up. Its error wraps
// ErrNoIngestKey when there is none.
func (a Auth) ReadIngestKey() (key, path string, err error) {
	path = filepath.Join(a.Dir, "ingest.key")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", path, fmt.Errorf("%w in %s", ErrNoIngestKey, a.Dir)
	}
	if err != nil {
		return "", path, fmt.Errorf("read ingest key: %w", err)
	}
	if key = strings.TrimSpace(string(data)); key == "" {
		return "", path, fmt.Errorf("%w: %s is empty", ErrNoIngestKey, path)
	}
	return key, path, nil
}

// IngestKey returns the ingest API key kept in the folder, generating one
// on first use; created says it was generated now (to print it once).
func (a Auth) IngestKey() (key string, created bool, err error) {
	path := filepath.Join(a.Dir, "ingest.key")
	data, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(data))) > 0 {
		return strings.TrimSpace(string(data)), false, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", false, fmt.Errorf("read ingest key: %w", err)
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", false, err
	}
	key = hex.EncodeToString(b)
	if err := writeFileAtomic(path, []byte(key+"\n"), 0o600); err != nil {
		return "", false, fmt.Errorf("write ingest key: %w", err)
	}
	return key, true, nil
}

// InboxPrefix is the reply-subject prefix a user's requests use; each user
// may subscribe only to its own, so nobody reads another's answers.
func InboxPrefix(role Role, name string) string {
	return "_INBOX." + string(role) + "-" + event.SubjectToken(name)
}

// Permissions returns what a user may publish and subscribe to; nil (all)
// for the service. Each user may publish on the API subjects of its
// role's operations (see Operations) under its own name, and subscribe to
// its own inbox and to the events its role sees: an agent its own calls',
// a supervisor every call's, the service's voice admission and the
// agents' states, an analyst none. An agent also publishes its own state.
func Permissions(u User) *server.Permissions {
	if u.Role == RoleService {
		return nil
	}
	var pub []string
	for _, o := range Operations {
		if slices.Contains(o.Roles, u.Role) {
			pub = append(pub, APISubject(u.Role, u.Name, o.Name))
		}
	}
	sub := []string{InboxPrefix(u.Role, u.Name) + ".>"}
	switch u.Role {
	case RoleSupervisor:
		sub = append(sub, engine.AllCallsSubject, voiceStatusAll, agentStatusAll)
	case RoleAgent:
		sub = append(sub, engine.AgentSubject(u.Name))
		pub = append(pub, AgentStatusSubject(u.Name))
	case RoleAnalyst:
	default:
		// An unknown role may do nothing.
		return &server.Permissions{
			Publish:   &server.SubjectPermission{Deny: []string{">"}},
			Subscribe: &server.SubjectPermission{Deny: []string{">"}},
		}
	}
	return &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: pub},
		Subscribe: &server.SubjectPermission{Allow: sub},
	}
}

// nkeyUsers turns the user list into the NATS server's.
func nkeyUsers(users []User) []*server.NkeyUser {
	out := make([]*server.NkeyUser, 0, len(users))
	for _, u := range users {
		out = append(out, &server.NkeyUser{Nkey: u.PublicKey, Permissions: Permissions(u)})
	}
	return out
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, so a reader never sees half a file.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
