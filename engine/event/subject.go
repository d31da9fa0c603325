package event

import (
	"fmt"
	"strings"
)

// SubjectToken escapes an id (a call, agent, queue or worker) into one NATS
// subject token: letters, digits, '-' and '_' pass; every other byte
// becomes ~XX (hex), so ids with dots, spaces or wildcards cannot change
// the subject's shape. It lives here, with the contract, because the
// terminals match ids against the subjects the service names.
func SubjectToken(id string) string {
	if id == "" {
		return "~"
	}
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "~%02X", c)
		}
	}
	return b.String()
}
