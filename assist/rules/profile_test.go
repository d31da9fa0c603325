package rules

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSampleProfilesAgree(t *testing.T) {
	fromJSON, err := LoadProfiles("center/customers.json")
	if err != nil {
		t.Fatalf("customers.json: %v", err)
	}
	fromCSV, err := LoadProfiles("testdata/customers.csv")
	if err != nil {
		t.Fatalf("customers.csv: %v", err)
	}
	want := []string{"Ana Souza", "Daniel Okafor", "Jordan Ellis", "Margaret Hollis", "Mei Tanaka", "Ruth Meyer"}
	if got := fromJSON.IDs(); !reflect.DeepEqual(got, want) {
		t.Fatalf("ids %v, want %v", got, want)
	}
	ctx := context.Background()
	for _, id := range want {
		j, _, _ := fromJSON.Lookup(ctx, id)
		c, _, _ := fromCSV.Lookup(ctx, id)
		if len(j.PastContacts) == 0 {
			j.PastContacts = nil // [] in JSON, absent in CSV
		}
		if !reflect.DeepEqual(j, c) {
			t.Errorf("%s differs:\njson %+v\ncsv  %+v", id, j, c)
		}
	}
	p, ok, err := fromJSON.Lookup(ctx, "  daniel okafor ")
	if err != nil || !ok || p.Segment != "gold" || !p.Consent["marketing"] || p.TenureMonths != 50 {
		t.Errorf("lookup: %+v %v %v", p, ok, err)
	}
	if _, ok, _ := fromJSON.Lookup(ctx, "Nobody"); ok {
		t.Error("found an unknown customer")
	}
}

func TestLoadProfilesJSONMapByID(t *testing.T) {
	// Tab-indented, as many JSON writers do; the YAML parser that gives
	// line numbers must accept it.
	path := writeFile(t, "p.json", "{\n\t\"c-1\": {\"segment\": \"gold\", \"consent\": {\"marketing\": true}},\n\t\"c-2\": {\"id\": \"c-2\", \"tenure_months\": 3}\n}\n")
	ps, err := LoadProfiles(path)
	if err != nil {
		t.Fatal(err)
	}
	p, ok, _ := ps.Lookup(context.Background(), "c-1")
	if !ok || p.ID != "c-1" || p.Segment != "gold" {
		t.Errorf("c-1: %+v %v", p, ok)
	}
	if ps.Len() != 2 {
		t.Errorf("%d profiles, want 2", ps.Len())
	}
}

func TestMalformedProfilesAreSkipped(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                []string // each an error substring
		ids                 []string // what still loads
	}{
		{"json", "p.json", `[
  {"id": "ok-1", "segment": "gold"},
  {"id": "bad-tenure", "tenure_months": "long"},
  {"segment": "no id"},
  {"id": "ok-1"},
  "just a string",
  {"id": "bad-sentiment", "past_contacts": [{"date": "2026-01-01", "sentiment": 4}]},
  {"id": "ok-2"}
]`, []string{
			"p.json:3: profile:", "p.json:4: profile \"\": missing id", "p.json:5: profile \"ok-1\": duplicate id",
			"p.json:6: profile: want an object", "p.json:7: profile \"bad-sentiment\": past contact sentiment 4",
		}, []string{"ok-1", "ok-2"}},
		{"csv", "p.csv", `id,segment,tenure_months,consent,past_contacts,colour
ok-1,gold,12,marketing,,red
bad-tenure,gold,twelve,marketing,,red
too,few
bad-consent,gold,1,marketing=maybe,,red
bad-contact,gold,1,,2026-01-01|fees,red
bad"quote,gold,1,,,red
ok-2,silver,,,,red
`, []string{
			`p.csv:1: unknown column "colour"`, `p.csv:3: profile "bad-tenure": tenure_months: "twelve"`,
			"p.csv:4: 2 fields, the header has 6", `p.csv:5: profile "bad-consent": consent "marketing=maybe"`,
			`p.csv:6: profile "bad-contact": past contact "2026-01-01|fees"`, "p.csv:7:",
		}, []string{"ok-1", "ok-2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := LoadProfiles(writeFile(t, tc.file, tc.content))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nwant it to contain %q", err, w)
				}
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Errorf("%v is not an *Error", err)
			}
			if got := ps.IDs(); !reflect.DeepEqual(got, tc.ids) {
				t.Errorf("loaded %v, want %v", got, tc.ids)
			}
		})
	}
}

func TestHTTPProfiles(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/crm/customers/Daniel Okafor":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"id":"Daniel Okafor","segment":"gold","products":["checking"],"consent":{"marketing":true}}`)
		case "/crm/customers/no-id":
			fmt.Fprint(w, `{"segment":"silver"}`)
		case "/crm/customers/bad-json":
			fmt.Fprint(w, `{"id": "bad-json", "segment": `)
		case "/crm/customers/broken":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/crm/customers/slow":
			select {
			case <-r.Context().Done():
			case <-release:
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	// A timeout no answer reaches on a loaded machine; the slow profile
	// below has a short one of its own.
	src := &HTTPProfiles{BaseURL: srv.URL + "/crm/customers/", Client: srv.Client(), Timeout: time.Minute}
	ctx := context.Background()

	p, ok, err := src.Lookup(ctx, "Daniel Okafor")
	if err != nil || !ok || p.Segment != "gold" || !p.Consent["marketing"] {
		t.Errorf("found: %+v %v %v", p, ok, err)
	}
	if p, ok, err := src.Lookup(ctx, "no-id"); err != nil || !ok || p.ID != "no-id" {
		t.Errorf("id filled in: %+v %v %v", p, ok, err)
	}
	if _, ok, err := src.Lookup(ctx, "nobody/../x"); ok || err != nil {
		t.Errorf("404: %v %v", ok, err)
	}
	for _, id := range []string{"bad-json", "broken"} {
		if _, ok, err := src.Lookup(ctx, id); ok || err == nil || !strings.Contains(err.Error(), "look up profile") {
			t.Errorf("%s: %v %v", id, ok, err)
		}
	}
	start := time.Now()
	src.Timeout = 100 * time.Millisecond
	_, ok, err = src.Lookup(ctx, "slow")
	if ok || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v %v", ok, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timeout took %v", d)
	}
}
