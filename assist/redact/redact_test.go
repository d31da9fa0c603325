package redact

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

// mustRedact holds personal data in the shapes customers type and say it:
// each text must yield exactly one finding of the kind, covering pii.
var mustRedact = []struct {
	kind Kind
	in   string
	pii  string
}{
	// Cards: test numbers of the networks, grouped and not.
	{KindCard, "my card is 4111 1111 1111 1111", "4111 1111 1111 1111"},
	{KindCard, "it's 5500-0000-0000-0004 I think", "5500-0000-0000-0004"},
	{KindCard, "amex 3782 822463 10005", "3782 822463 10005"},
	{KindCard, "card number 4012888888881881.", "4012888888881881"},
	{KindCard, "discover 6011 1111 1111 1117 expires 12/27", "6011 1111 1111 1117"},
	{KindCard, "JCB 3530111333300000", "3530111333300000"},
	{KindCard, "5105 1051 0510 5100 is the mastercard", "5105 1051 0510 5100"},
	{KindCard, "(371449635398431)", "371449635398431"},
	{KindCard, "diners 3056 930902 5904", "3056 930902 5904"},
	{KindCard, "old visa 4222222222222", "4222222222222"},
	{KindCard, "6011-0009-9013-9424", "6011-0009-9013-9424"},
	{KindCard, "19 digits: 4000 0000 0000 0000 006", "4000 0000 0000 0000 006"},
	{KindCard, "maestro 6759 6498 2643 8453 cvv 123", "6759 6498 2643 8453"},
	{KindCard, "account 4111111111111111", "4111111111111111"},
	// IBANs: the registry's examples, printed and compact, any case.
	{KindIBAN, "IBAN GB82 WEST 1234 5698 7654 32 please", "GB82 WEST 1234 5698 7654 32"},
	{KindIBAN, "DE89370400440532013000", "DE89370400440532013000"},
	{KindIBAN, "send it to de89 3704 0044 0532 0130 00.", "de89 3704 0044 0532 0130 00"},
	{KindIBAN, "FR14 2004 1010 0505 0001 3M02 606", "FR14 2004 1010 0505 0001 3M02 606"},
	{KindIBAN, "NL91ABNA0417164300", "NL91ABNA0417164300"},
	{KindIBAN, "my belgian one is BE68539007547034", "BE68539007547034"},
	{KindIBAN, "CH9300762011623852957", "CH9300762011623852957"},
	{KindIBAN, "ES9121000418450200051332", "ES9121000418450200051332"},
	{KindIBAN, "IT60X0542811101000000123456", "IT60X0542811101000000123456"},
	{KindIBAN, "AT611904300234573201", "AT611904300234573201"},
	{KindIBAN, "IE29AIBK93115212345678", "IE29AIBK93115212345678"},
	{KindIBAN, "PL61109010140000071219812874", "PL61109010140000071219812874"},
	{KindIBAN, "NO9386011117947", "NO9386011117947"},
	{KindIBAN, "SE4550000000058398257466", "SE4550000000058398257466"},
	{KindIBAN, "MT84MALT011000012345MTLCAST001S (Malta)", "MT84MALT011000012345MTLCAST001S"},
	{KindIBAN, "croatian HR1210010051863000160", "HR1210010051863000160"},
	// SSNs.
	{KindSSN, "my SSN is 123-45-6789", "123-45-6789"},
	{KindSSN, "it's 078 05 1120", "078 05 1120"},
	{KindSSN, "ssn: 219099999", "219099999"},
	{KindSSN, "my social security number is 123456789", "123456789"},
	// Phones.
	{KindPhone, "call me at (415) 555-0123", "(415) 555-0123"},
	{KindPhone, "415-555-0123", "415-555-0123"},
	{KindPhone, "it's 415.555.0123", "415.555.0123"},
	{KindPhone, "reach me on +1 415 555 0123 after six", "+1 415 555 0123"},
	{KindPhone, "+1-415-555-0123", "+1-415-555-0123"},
	{KindPhone, "1-800-555-0199", "1-800-555-0199"},
	{KindPhone, "1 (800) 555-0199", "1 (800) 555-0199"},
	{KindPhone, "london office +44 20 7946 0958", "+44 20 7946 0958"},
	{KindPhone, "+44 (0)20 7946 0958", "+44 (0)20 7946 0958"},
	{KindPhone, "020 7946 0958", "020 7946 0958"},
	{KindPhone, "my mobile is 07700 900123", "07700 900123"},
	{KindPhone, "(0161) 496 0000", "(0161) 496 0000"},
	{KindPhone, "paris +33 1 23 45 67 89", "+33 1 23 45 67 89"},
	{KindPhone, "+49 30 12345678", "+49 30 12345678"},
	{KindPhone, "my phone number is 4155550123", "4155550123"},
	{KindPhone, "text me 07700900123", "07700900123"},
	// Emails.
	{KindEmail, "jane.doe@example.com", "jane.doe@example.com"},
	{KindEmail, "write to j.smith+billing@mail.example.co.uk.", "j.smith+billing@mail.example.co.uk"},
	{KindEmail, "CUSTOMER_42@Example.ORG", "CUSTOMER_42@Example.ORG"},
	{KindEmail, "<a-b@sub-domain.example.io>", "a-b@sub-domain.example.io"},
	// Dates of birth.
	{KindDOB, "my date of birth is 12/03/1985", "12/03/1985"},
	{KindDOB, "DOB: 1985-03-12", "1985-03-12"},
	{KindDOB, "I was born on 12 March 1985", "12 March 1985"},
	{KindDOB, "born March 12, 1985", "March 12, 1985"},
	{KindDOB, "I was born on the 12th of March 1985", "12th of March 1985"},
	{KindDOB, "my birthday is March 12th", "March 12th"},
	{KindDOB, "d.o.b. 03.12.85", "03.12.85"},
	{KindDOB, "Birthdate 7/4/1976", "7/4/1976"},
	{KindDOB, "born Mar. 3rd '85", "Mar. 3rd '85"},
	// Account numbers.
	{KindAccount, "account number 12345678", "12345678"},
	{KindAccount, "acct # 0012345678", "0012345678"},
	{KindAccount, "sort code 20-00-00", "20-00-00"},
	{KindAccount, "the routing number is 021000021", "021000021"},
	{KindAccount, "member number 4455 6677", "4455 6677"},
	{KindAccount, "Customer number: 987654321", "987654321"},
	{KindAccount, "my checking account is 000123456789", "000123456789"},
	{KindAccount, "a/c 12-345-678", "12-345-678"},
}

// mustKeep holds what an agent must still read: amounts, order numbers,
// times, years, dates without a birth cue, codes, and numbers that have a
// PII shape but fail its checksum or range.
var mustKeep = []string{
	"4111 1111 1111 1112",                  // Luhn fails
	"1234567812345678",                     // Luhn fails
	"0000 0000 0000 0000",                  // passes Luhn, but all zeros
	"tracking 4111 1111 1111 1111 1111 11", // 22 digits in fours: a longer number
	"USPS 9400100000000000000000",          // 22-digit tracking number
	"order number 123456789",
	"order #A1234-5678",
	"tracking 1Z999AA10123456784",
	"it was $1,234.56",
	"1,000 dollars",
	"in 2024",
	"at 10:30",
	"the charge on March 3",
	"on 12/03/2024 I was charged twice",
	"I moved here on 12 March 1985",
	"born in 1985",
	"version 1.2.3.4",
	"IP 192.168.100.200",
	"GB82 WEST 1234 5698 7654 33", // wrong check digit
	"GB83WEST12345698765432",      // wrong check digits
	"DE8937040044053201300",       // DE is 22 characters
	"SSN 000-12-3456",             // area 000
	"666-12-3456",                 // area 666
	"900-12-3456",                 // area 9xx
	"123-00-4567",                 // group 00
	"123-45-0000",                 // serial 0000
	"PIN 1234",                    // PINs are not a kind; see the package doc
	"the code is 831550",          // one-time codes neither
	"the last four are 6201",      // last four of an SSN
	"my card ending in 1234",      // last four of a card
	"account ending in 4321",      // too short for an account number
	"my account was charged $1,200.50",
	"the account balance is 150000 dollars",
	"the account has 120000.50 in it",
	"account opened 2019-03-12",
	"ref 2024-03-12-0001",
	"call 911",
	"3.80% APY",
	"$312.40 and $4,870.15",
	"room 1204, ext 5567",
	"user@localhost",
	"@larkspur on twitter",
	"+15% since 2020",
	"2 + 2 = 4",
	"123456789",  // nine digits without an SSN cue
	"4155550123", // ten digits without a phone cue
	"order 234 567 89",
	"the 2023-2024 tax year",
}

// sentences are whole turns with their exact redaction.
var sentences = []struct{ in, want string }{
	{
		"Hi, my card 4111 1111 1111 1111 was charged $45.99 twice on March 3.",
		"Hi, my card [CARD] was charged $45.99 twice on March 3.",
	},
	{
		"Please send the refund to GB82 WEST 1234 5698 7654 32, not to my card.",
		"Please send the refund to [IBAN], not to my card.",
	},
	{
		"Sure, my date of birth is 14/07/1979 and my postcode is SW1A 1AA.",
		"Sure, my date of birth is [DOB] and my postcode is SW1A 1AA.",
	},
	{
		"You can reach me at jane.doe+bank@example.com or (415) 555-0123 after 5:30pm.",
		"You can reach me at [EMAIL] or [PHONE] after 5:30pm.",
	},
	{
		"My SSN is 123-45-6789, and I was born on the 3rd of May 1990.",
		"My SSN is [SSN], and I was born on the [DOB].",
	},
	{
		"Transfer 1200 from account 12345678 to savings by Friday, order #55120.",
		"Transfer 1200 from account [ACCOUNT] to savings by Friday, order #55120.",
	},
	{
		"The charge on 2024-03-12 for $1,234.56 is wrong, my account number is 0012 3456 789.",
		"The charge on 2024-03-12 for $1,234.56 is wrong, my account number is [ACCOUNT].",
	},
	{
		"I'm calling from +44 20 7946 0958 about the £30 fee from 10 March.",
		"I'm calling from [PHONE] about the £30 fee from 10 March.",
	},
	{
		"sort code 20-00-00 account 31926819, I've had it since 2009",
		"sort code [ACCOUNT] account [ACCOUNT], I've had it since 2009",
	},
	{
		"My PIN is 1234 but the app says version 2.3.1 and error 500.",
		"My PIN is 1234 but the app says version 2.3.1 and error 500.",
	},
	{
		"card 5500-0000-0000-0004 expiry 12/27, my birthday is June 5th",
		"card [CARD] expiry 12/27, my birthday is [DOB]",
	},
	{
		"I got 3 texts from 020 7946 0958 saying my IBAN DE89370400440532013000 is blocked!",
		"I got 3 texts from [PHONE] saying my IBAN [IBAN] is blocked!",
	},
	{
		"Born 1985-03-12, SSN 078051120? No wait, it's 078-05-1120.",
		"Born [DOB], SSN [SSN]? No wait, it's [SSN].",
	},
	{
		"I was charged 35 dollars at 9:40 on Tuesday, the card ends in 8835.",
		"I was charged 35 dollars at 9:40 on Tuesday, the card ends in 8835.",
	},
}

func ExampleRedactor_Redact() {
	r, err := New(Config{Kinds: []Kind{KindCard, KindEmail, KindDOB}})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Redact("Card 4111 1111 1111 1111 was charged $45.99 on March 3; I was born 12 March 1985, mail jo@example.com"))
	// Output: Card [CARD] was charged $45.99 on March 3; I was born [DOB], mail [EMAIL]
}

func ExampleRedactor_RedactWith() {
	r, err := New(Config{})
	if err != nil {
		panic(err)
	}
	braces := func(k Kind) string { return "{" + string(k) + "}" }
	fmt.Println(r.RedactWith("Send it to jo@example.com or call +44 20 7946 0958 about $45.99", braces))
	// Output: Send it to {email} or call {phone} about $45.99
}

func allRedactor(t testing.TB) *Redactor {
	t.Helper()
	r, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMustRedact(t *testing.T) {
	r := allRedactor(t)
	for _, c := range mustRedact {
		fs := r.Find(c.in)
		start := strings.Index(c.in, c.pii)
		want := []Finding{{Kind: c.kind, Start: start, End: start + len(c.pii)}}
		if !slices.Equal(fs, want) {
			t.Errorf("Find(%q) = %+v, want %+v (%q)", c.in, fs, want, c.pii)
		}
	}
	if len(mustRedact) < 40 {
		t.Errorf("only %d must-redact cases", len(mustRedact))
	}
}

func TestMustKeep(t *testing.T) {
	r := allRedactor(t)
	for _, in := range mustKeep {
		if got := r.Redact(in); got != in {
			t.Errorf("Redact(%q) = %q, want it unchanged", in, got)
		}
	}
	if len(mustKeep) < 30 {
		t.Errorf("only %d must-keep cases", len(mustKeep))
	}
}

func TestRedactSentences(t *testing.T) {
	r := allRedactor(t)
	for _, c := range sentences {
		if got := r.Redact(c.in); got != c.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestCueReach(t *testing.T) {
	r := allRedactor(t)
	for _, c := range []struct{ in, want string }{
		// A cue governs the first number after it, within a few words.
		{"account 12345678 and 87654321", "account [ACCOUNT] and 87654321"},
		{"from account 12345678 to account 87654321", "from account [ACCOUNT] to account [ACCOUNT]"},
		{"my account is the one I opened with you last year 12345678", "my account is the one I opened with you last year 12345678"},
		{"what's my account? 12345678", "what's my account? 12345678"},
		{"12/03/1985 is my date of birth", "12/03/1985 is my date of birth"},
		{"born 12 March 1985 and my son 3 April 2010", "born [DOB] and my son 3 April 2010"},
		{"the stubborn 12/03/1985 charge", "the stubborn 12/03/1985 charge"},
		{"my socials 123456789", "my socials 123456789"},
	} {
		if got := r.Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestKindsSelectWhatIsRedacted(t *testing.T) {
	r, err := New(Config{Kinds: []Kind{KindEmail}})
	if err != nil {
		t.Fatal(err)
	}
	in := "card 4111 1111 1111 1111, mail jo@example.com"
	if got, want := r.Redact(in), "card 4111 1111 1111 1111, mail [EMAIL]"; got != want {
		t.Errorf("email only: Redact(%q) = %q, want %q", in, got, want)
	}
	// A card stays a card when cards are off: it does not become an account.
	r, err = New(Config{Kinds: []Kind{KindAccount}})
	if err != nil {
		t.Fatal(err)
	}
	if in := "account 4111111111111111"; r.Redact(in) != in {
		t.Errorf("account only: Redact(%q) = %q, want it unchanged", in, r.Redact(in))
	}
	if got := r.Kinds(); !slices.Equal(got, []Kind{KindAccount}) {
		t.Errorf("Kinds() = %v", got)
	}
}

func TestNilRedactor(t *testing.T) {
	var r *Redactor
	in := "card 4111 1111 1111 1111"
	if got := r.Redact(in); got != in {
		t.Errorf("nil Redact(%q) = %q", in, got)
	}
	if got := r.RedactWith(in, Kind.Placeholder); got != in {
		t.Errorf("nil RedactWith(%q) = %q", in, got)
	}
	if fs := r.Find(in); fs != nil {
		t.Errorf("nil Find = %v", fs)
	}
	if ks := r.Kinds(); ks != nil {
		t.Errorf("nil Kinds = %v", ks)
	}
}

func TestParseKinds(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []Kind
		err  string
	}{
		{"all", AllKinds(), ""},
		{"card", []Kind{KindCard}, ""},
		{" Email , card,email ", []Kind{KindCard, KindEmail}, ""},
		{"dob,all", AllKinds(), ""},
		{"card,pin", nil, `unknown kind "pin"`},
		{"", nil, "empty kind list"},
		{" , ", nil, "empty kind list"},
	} {
		got, err := ParseKinds(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseKinds(%q) error = %v, want one containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("ParseKinds(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if _, err := New(Config{Kinds: []Kind{"passport"}}); err == nil || !strings.Contains(err.Error(), `"passport"`) {
		t.Errorf("New with an unknown kind: error = %v", err)
	}
	for _, k := range AllKinds() {
		if p := k.Placeholder(); p != "["+strings.ToUpper(string(k))+"]" {
			t.Errorf("%s.Placeholder() = %q", k, p)
		}
	}
}

func TestLuhnAndIBAN(t *testing.T) {
	for s, want := range map[string]bool{
		"4111111111111111": true, "4111111111111112": false, "79927398713": true, "0": true,
	} {
		if luhn(s) != want {
			t.Errorf("luhn(%s) = %v", s, !want)
		}
	}
	for s, want := range map[string]bool{
		"GB82WEST12345698765432": true, "gb82west12345698765432": true, "GB82WEST12345698765433": false,
		"GB00WEST12345698765432": false, "GB82WE-T12345698765432": false,
	} {
		if validIBAN([]byte(s), true) != want {
			t.Errorf("validIBAN(%s) = %v", s, !want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	r := allRedactor(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, c := range sentences {
				if got := r.Redact(c.in); got != c.want {
					t.Errorf("Redact(%q) = %q", c.in, got)
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkRedact redacts real customer turns: banking77's queries (the
// whole set, under $ASSIST_DATASETS) and the bundled sample calls, then
// turns that all hold personal data, typed and said aloud. Each op is one
// turn.
func BenchmarkRedact(b *testing.B) {
	r := allRedactor(b)
	pii := make([]string, 0, len(sentences))
	for _, c := range sentences {
		pii = append(pii, c.in)
	}
	said := make([]string, 0, len(spokenRedact)+len(spokenKeep))
	for _, c := range spokenRedact {
		said = append(said, c.in)
	}
	said = append(said, spokenKeep...)
	for _, set := range []struct {
		name  string
		texts func(*testing.B) ([]string, error)
	}{
		{"banking77", banking77},
		{"samples", sampleCalls},
		{"pii", func(*testing.B) ([]string, error) { return pii, nil }},
		{"spoken", func(*testing.B) ([]string, error) { return said, nil }},
	} {
		b.Run(set.name, func(b *testing.B) {
			texts, err := set.texts(b)
			if err != nil {
				b.Fatal(err)
			}
			if len(texts) == 0 {
				b.Fatalf("no %s texts", set.name)
			}
			bytes := 0
			for _, t := range texts {
				bytes += len(t)
			}
			b.SetBytes(int64(bytes / len(texts)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				r.Redact(texts[i%len(texts)])
			}
		})
	}
}

// banking77 reads the customer queries of the banking77 training set, from
// the whole data sets ($ASSIST_DATASETS, set by make bench).
func banking77(b *testing.B) ([]string, error) {
	rows, err := datasets.Load(datasetstest.Full(b, "banking77/train.csv"), datasets.ReadBanking77)
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(rows))
	for i, r := range rows {
		texts[i] = r.Text
	}
	return texts, nil
}

// sampleCalls reads every utterance of the bundled sample calls.
func sampleCalls(*testing.B) ([]string, error) {
	files, err := filepath.Glob("../../engine/samples/*.jsonl")
	if err != nil || len(files) == 0 {
		return nil, fs.ErrNotExist
	}
	var texts []string
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(string(data), "\n") {
			var u struct{ Text string }
			if json.Unmarshal([]byte(line), &u) == nil && u.Text != "" {
				texts = append(texts, u.Text)
			}
		}
	}
	return texts, nil
}
