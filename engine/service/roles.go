package service

import (
	"slices"
	"strings"

	"github.com/larkspur-labs/assist/engine/event"
)

// Access says whether an API operation only reads the service's state or
// also changes something.
type Access string

// The accesses.
const (
	Read  Access = "read"
	Write Access = "write"
)

// Operation is one operation of the service's request API: what it does,
// whether it reads or writes, and the roles that may call it. An agent
// may call its operations on its own calls only.
type Operation struct {
	Name   string
	Access Access
	Roles  []Role
	// Does says what the operation does, for the README.
	Does string
}

// Operations is the one table of who may call what. The NATS server's
// permissions (Permissions) and the API's handlers (Worker.onAPI) are
// both derived from it, and the README shows it (OperationsTable).
var Operations = []Operation{
	{opCalls, Read, []Role{RoleAgent, RoleSupervisor, RoleService}, "list the live calls"},
	{opHistory, Read, []Role{RoleAgent, RoleSupervisor, RoleService}, "read a call's events"},
	{opSummary, Write, []Role{RoleAgent, RoleSupervisor, RoleService}, "add a summary of the call so far to its events (the customer does not see it)"},
	{opFeedback, Write, []Role{RoleAgent, RoleService}, "rate a suggestion; stored in feedback.jsonl, it moves the article in later rankings"},
	{opReply, Write, []Role{RoleAgent, RoleService}, "send the agent's reply to a chat call's customer (not empty, at most 16 KiB)"},
	{opWrapup, Write, []Role{RoleAgent, RoleService}, "store the agent's after-call work on an ended call: disposition, summary, checklist, note (bounded, made safe)"},
	{opCoach, Write, []Role{RoleSupervisor, RoleService}, "send a coaching note to the call's agent (never to the customer or the model server)"},
	{opAgentStates, Read, []Role{RoleAnalyst, RoleService}, "read the agents' stored state changes, for report's time in each state"},
	{opExport, Read, []Role{RoleAnalyst, RoleService}, "read the stored events of every call, for export and report"},
}

// Roles are the roles, in the order the README lists them.
var Roles = []Role{RoleAgent, RoleSupervisor, RoleAnalyst, RoleService}

// lookupOperation returns the operation named op.
func lookupOperation(op string) (Operation, bool) {
	i := slices.IndexFunc(Operations, func(o Operation) bool { return o.Name == op })
	if i < 0 {
		return Operation{}, false
	}
	return Operations[i], true
}

// Allowed reports whether role may call the operation named op.
func Allowed(role Role, op string) bool {
	o, ok := lookupOperation(op)
	return ok && slices.Contains(o.Roles, role)
}

// APISubject is the subject a user of role calls the operation op on:
// assist.api.<op> for the service, assist.api.<role>.<name>.<op> for the
// others, so the NATS server can allow each user its own operations only
// and the worker knows who is asking.
func APISubject(role Role, name, op string) string {
	if role == RoleService {
		return apiPrefix + op
	}
	return apiPrefix + string(role) + "." + event.SubjectToken(name) + "." + op
}

// caller is who sent an API request, as its subject says.
type caller struct {
	role Role
	// token is the user's name as a subject token; "" for the service.
	token string
	op    string
}

// parseAPISubject reads the caller and the operation from an API
// subject; ok is false for a subject of no known shape.
func parseAPISubject(subject string) (c caller, ok bool) {
	rest, found := strings.CutPrefix(subject, apiPrefix)
	if !found {
		return caller{}, false
	}
	tokens := strings.Split(rest, ".")
	switch len(tokens) {
	case 1:
		return caller{role: RoleService, op: tokens[0]}, true
	case 3:
		role := Role(tokens[0])
		if role == RoleService || !slices.Contains(Roles, role) || tokens[1] == "" {
			return caller{}, false
		}
		return caller{role: role, token: tokens[1], op: tokens[2]}, true
	}
	return caller{}, false
}

// inbox is the prefix the caller's reply subjects must have: a request
// whose answer would go anywhere else is not answered, so nobody can have
// the service publish an answer (a call's history, say) on a subject the
// caller may not publish on, such as a chat's replies.
func (c caller) inbox() string {
	if c.role == RoleService {
		return ""
	}
	return "_INBOX." + string(c.role) + "-" + c.token + "."
}

// OperationsTable renders Operations as the Markdown table the README
// shows.
func OperationsTable() string {
	var b strings.Builder
	b.WriteString("| operation | access | agent | supervisor | analyst | service | what it does |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, o := range Operations {
		b.WriteString("| `" + o.Name + "` | " + string(o.Access) + " |")
		for _, r := range Roles {
			cell := " — |"
			if slices.Contains(o.Roles, r) {
				cell = " yes |"
				if r == RoleAgent {
					cell = " own calls |"
				}
			}
			b.WriteString(cell)
		}
		b.WriteString(" " + o.Does + " |\n")
	}
	return b.String()
}
