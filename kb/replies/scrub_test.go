package replies

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
)

func TestScrub(t *testing.T) {
	known := map[string]bool{"patricia": true, "brown": true}
	for _, tt := range []struct{ in, want string }{
		{"Your balance is $5,118.77.", "Your balance is {amount}."},
		{"I sent 250 dollars and €3.50", "I sent {amount} and {amount}"},
		{"that's twenty five dollars", "that's {amount}"},
		{"the last four are six two zero one", "the last four are {number}"},
		{"have a good one", "have a good one"},
		{"Email jo.smith+x@mail.example.org today", "Email {email} today"},
		// Personal data is what package redact finds, with its placeholders.
		{"Call 555-234-5678 or (555) 234 5678 or +44 20 7946 0958", "Call {phone} or {phone} or {phone}"},
		{"Call 555-123-4567 or (555) 123 4567", "Call {number} or ({number}) {number}"}, // no exchange starts with 1
		{"Card 4111 1111 1111 1111 is blocked", "Card {card} is blocked"},
		{"Card 4111 1111 1111 1112 is blocked", "Card {number} is blocked"}, // fails the Luhn check
		{"IBAN GB82 WEST 1234 5698 7654 32, SSN 123-45-6789", "IBAN {iban}, SSN {ssn}"},
		{"Your account number is 12345678.", "Your account number is {account}."},
		{"My date of birth is 12/03/1985", "My date of birth is {date}"},
		{"Due on 3/14/2024 at 3:30 pm", "Due on {date} at {time}"},
		{"Due March 3rd, 2024. Or 5 June.", "Due {date}. Or {date}."},
		// A date of birth said aloud is the redactor's, which leaves "the"
		// as it does before "12th of June".
		{"Born the twelfth of June, nineteen fifty-eight. Or March twenty-first, 1958", "Born the {date}. Or {date}"},
		{"Your card number is four one one one one one one one one one one one one one one one", "Your card number is {card}"},
		{"Is it still 14 Elm Street? Or 221b Baker St.", "Is it still {address}? Or {address}"},
		{"three to five business days, the second one", "three to five business days, the second one"},
		{"The rate is 2.5% now", "The rate is {percent} now"},
		{"Ref ABC123 and order #77", "Ref {number} and order #{number}"},
		{"٣٤٥ is the total", "{number} is the total"},
		{"Send it to Amir's checking account", "Send it to {name}'s checking account"},
		{"Transfer to Mr. Raghav Singh now", "Transfer to {name} now"},
		{"Thanks for calling Larkspur Bank, this is Priya.", "Thanks for calling {name}, this is {name}."},
		{"Ok, Thank you. Sure. Which account? On Monday, The end", "Ok, Thank you. Sure. Which account? On Monday, The end"},
		{"Thanks, Will. It will be there tomorrow", "Thanks, {name}. It will be there tomorrow"},
		{"my name is patricia brown", "my name is {name}"},
		{"Patricia, your statement from Brown & Co is ready", "{name}, your statement from {name} & {name} is ready"},
		{"I'll send a patricia brown statement", "I'll send a patricia brown statement"}, // mixed case: lower-case words are words
		{"hi my name's sam", "hi my name's {name}"},
		{"Visit https://example.com/help?id=42.", "Visit {url}."},
		{"I’m   here\n\tnow", "I'm here now"},
		{"{amount} stays", "{amount} stays"},
	} {
		if got := scrub(tt.in, known); got != tt.want {
			t.Errorf("scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParticipantNames(t *testing.T) {
	got := participantNames([]string{"Mary O'Brien", "virtual agent"})
	if want := map[string]bool{"mary": true, "brien": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("participantNames = %v, want %v", got, want)
	}
}

func FuzzScrub(f *testing.F) {
	for _, s := range []string{"$1,000.00 to Amir", "call 555-123-4567", "x@y.zz", "٣ and ৭", "{number", "}{", "Mr.", "1.2.3.4.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := scrub(s, map[string]bool{"okafor": true})
		if i := strings.IndexFunc(got, unicode.IsDigit); i >= 0 {
			t.Fatalf("scrub(%q) = %q keeps a digit", s, got)
		}
		if strings.Contains(strings.ToLower(got), "okafor") {
			t.Fatalf("scrub(%q) = %q keeps a known name", s, got)
		}
	})
}
