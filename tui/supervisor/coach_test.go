package supervisor

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/tui/internal/tuitest"
)

// fakeCoach records the coaching notes sent and answers with err.
type fakeCoach struct {
	sent [][2]string // call id, text
	err  error
}

func (c *fakeCoach) send(_ context.Context, callID, text string) error {
	c.sent = append(c.sent, [2]string{callID, text})
	return c.err
}

func TestSupervisorCoachesTheDrilledIntoCallsAgent(t *testing.T) {
	coach := &fakeCoach{}
	s, _ := newTestSupervisor(t, Options{Rows: directory(), Coach: coach.send}, 120, 30)
	if strings.Contains(supScreen(s), "coach") {
		t.Error("the table offers coaching: only a drill-down may")
	}
	openCall(t, s, "call-0017")
	if !strings.Contains(supScreen(s), "m coach the agent") {
		t.Fatalf("the drill-down does not offer coaching:\n%s", supScreen(s))
	}
	// Esc drops a note and stays in the call.
	supSend(t, s, tuitest.Press("m"))
	typeText(t, s, "never mind")
	supSend(t, s, escKey())
	if s.drill == nil || s.coaching || len(coach.sent) != 0 {
		t.Fatalf("esc while coaching: drill %v, coaching %v, sent %v", s.drill != nil, s.coaching, coach.sent)
	}
	// Letters are text while typing: q does not quit.
	supSend(t, s, tuitest.Press("m"))
	typeText(t, s, "acknowledge the fee, then quote the policy")
	if !strings.Contains(supScreen(s), "coach › acknowledge the fee") {
		t.Fatalf("the note being typed is not shown:\n%s", supScreen(s))
	}
	cmd := supSend(t, s, tuitest.Press("enter"))
	if cmd == nil {
		t.Fatal("enter sent nothing")
	}
	if len(coach.sent) != 0 {
		t.Fatal("Update sent the note itself; it must return a command")
	}
	for _, msg := range tuitest.RunCmd(cmd) {
		supSend(t, s, msg)
	}
	if len(coach.sent) != 1 || coach.sent[0] != [2]string{"call-0017", "acknowledge the fee, then quote the policy"} {
		t.Errorf("sent %v", coach.sent)
	}
	if !strings.Contains(supScreen(s), "coaching note sent to the agent") {
		t.Errorf("no confirmation:\n%s", supScreen(s))
	}
	// A refusal is shown, not hidden.
	coach.err = errors.New("permission denied")
	supSend(t, s, tuitest.Press("m"))
	typeText(t, s, "again")
	for _, msg := range tuitest.RunCmd(supSend(t, s, tuitest.Press("enter"))) {
		supSend(t, s, msg)
	}
	if !strings.Contains(supScreen(s), "coaching note not sent: permission denied") {
		t.Errorf("refusal not shown:\n%s", supScreen(s))
	}
}

func TestSupervisorWithoutCoachOffersNone(t *testing.T) {
	s, _ := newTestSupervisor(t, Options{Rows: directory()}, 120, 30)
	openCall(t, s, "call-0017")
	supSend(t, s, tuitest.Press("m"))
	if s.coaching || strings.Contains(supScreen(s), "coach") {
		t.Errorf("coaching offered without Options.Coach:\n%s", supScreen(s))
	}
}
