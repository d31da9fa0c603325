package rules

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Profile is what the center knows about a customer.
type Profile struct {
	ID           string          `json:"id" yaml:"id"`
	Name         string          `json:"name" yaml:"name"`
	Segment      string          `json:"segment" yaml:"segment"`
	Products     []string        `json:"products" yaml:"products"`
	TenureMonths int             `json:"tenure_months" yaml:"tenure_months"`
	OpenOrders   int             `json:"open_orders" yaml:"open_orders"`
	OpenTickets  int             `json:"open_tickets" yaml:"open_tickets"`
	PastContacts []Contact       `json:"past_contacts" yaml:"past_contacts"`
	Consent      map[string]bool `json:"consent" yaml:"consent"`
}

// Contact is one earlier contact of the customer with the center.
type Contact struct {
	Date      string  `json:"date" yaml:"date"` // ISO 8601 date, 2026-10-31
	Reason    string  `json:"reason" yaml:"reason"`
	Sentiment float64 `json:"sentiment" yaml:"sentiment"` // −1..1
}

// ProfileSource finds a customer's profile by id. Lookup reports false,
// with a nil error, for a customer it does not know.
type ProfileSource interface {
	Lookup(ctx context.Context, customerID string) (Profile, bool, error)
}

var (
	_ ProfileSource = (*Profiles)(nil)
	_ ProfileSource = (*HTTPProfiles)(nil)
)

// Profiles is an in-memory set of profiles. Ids match case-insensitively and
// ignoring surrounding spaces. It is safe for concurrent lookups.
type Profiles struct {
	byID map[string]Profile
}

// NewProfiles returns a Profiles holding ps; a later duplicate id is ignored.
func NewProfiles(ps ...Profile) *Profiles {
	s := &Profiles{byID: map[string]Profile{}}
	for _, p := range ps {
		s.add(p)
	}
	return s
}

func (s *Profiles) add(p Profile) bool {
	k := profileKey(p.ID)
	if _, dup := s.byID[k]; dup {
		return false
	}
	s.byID[k] = p
	return true
}

func profileKey(id string) string { return strings.ToLower(strings.TrimSpace(id)) }

// Lookup returns the profile with the id.
func (s *Profiles) Lookup(_ context.Context, customerID string) (Profile, bool, error) {
	if s == nil {
		return Profile{}, false, nil
	}
	p, ok := s.byID[profileKey(customerID)]
	return p, ok, nil
}

// Len returns how many profiles there are.
func (s *Profiles) Len() int {
	if s == nil {
		return 0
	}
	return len(s.byID)
}

// IDs returns the profiles' ids, sorted.
func (s *Profiles) IDs() []string {
	if s == nil {
		return nil
	}
	ids := make([]string, 0, len(s.byID))
	for _, p := range s.byID {
		ids = append(ids, p.ID)
	}
	slices.Sort(ids)
	return ids
}

// LoadProfiles reads profiles from a JSON file (a list of profiles, or an
// object mapping ids to profiles) or, for a .csv file, from CSV with a
// header naming the columns id, name, segment, products, tenure_months,
// open_orders, open_tickets, consent and past_contacts (only id is
// required). In CSV, products are separated by ";", consent is a
// ";"-separated list of flags that are true ("marketing;retention_offers",
// or "flag=false" to say so explicitly), and past_contacts is a
// ";"-separated list of "date|reason|sentiment".
//
// A malformed profile is skipped and reported as an *Error with the file and
// line; the others load, and the error joins every report.
func LoadProfiles(path string) (*Profiles, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load profiles: %w", err)
	}
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		return parseCSVProfiles(path, data)
	}
	return parseJSONProfiles(path, data)
}

// parseJSONProfiles parses JSON with yaml.v3, a superset that gives each
// profile's line number.
func parseJSONProfiles(name string, data []byte) (*Profiles, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse profiles %s: %w", name, err)
	}
	s := NewProfiles()
	if len(doc.Content) == 0 {
		return s, nil
	}
	var errs []error
	report := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, &Error{File: name, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
	}
	root := doc.Content[0]
	type entry struct {
		key string // the id when the file is a map
		n   *yaml.Node
	}
	var entries []entry
	switch root.Kind {
	case yaml.SequenceNode:
		for _, n := range root.Content {
			entries = append(entries, entry{n: n})
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(root.Content); i += 2 {
			entries = append(entries, entry{key: root.Content[i].Value, n: root.Content[i+1]})
		}
	default:
		return s, &Error{File: name, Line: root.Line, Msg: "want a list of profiles or an object of profiles by id"}
	}
	for _, e := range entries {
		var p Profile
		if e.n.Kind != yaml.MappingNode {
			report(e.n, "profile: want an object")
			continue
		}
		if err := e.n.Decode(&p); err != nil {
			report(e.n, "profile: %s", strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  "), "!!", ""))
			continue
		}
		if p.ID == "" {
			p.ID = e.key
		}
		if msg := checkProfile(p); msg != "" {
			report(e.n, "profile %q: %s", p.ID, msg)
			continue
		}
		if !s.add(p) {
			report(e.n, "profile %q: duplicate id", p.ID)
		}
	}
	return s, errors.Join(errs...)
}

// checkProfile returns what is wrong with p, or "".
func checkProfile(p Profile) string {
	switch {
	case strings.TrimSpace(p.ID) == "":
		return "missing id"
	case p.TenureMonths < 0 || p.OpenOrders < 0 || p.OpenTickets < 0:
		return "negative tenure_months, open_orders or open_tickets"
	}
	for _, c := range p.PastContacts {
		if c.Sentiment < -1 || c.Sentiment > 1 {
			return fmt.Sprintf("past contact sentiment %g outside -1..1", c.Sentiment)
		}
	}
	return ""
}

var csvColumns = []string{"id", "name", "segment", "products", "tenure_months", "open_orders", "open_tickets", "consent", "past_contacts"}

func parseCSVProfiles(name string, data []byte) (*Profiles, error) {
	r := csv.NewReader(strings.NewReader(string(data)))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	s := NewProfiles()
	header, err := r.Read()
	if err != nil {
		if err == io.EOF {
			return s, nil
		}
		return nil, fmt.Errorf("parse profiles %s: %w", name, err)
	}
	col := map[string]int{}
	var errs []error
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(csvColumns, h) {
			errs = append(errs, &Error{File: name, Line: 1, Msg: fmt.Sprintf("unknown column %q ignored (want %s)", h, strings.Join(csvColumns, ", "))})
			continue
		}
		col[h] = i
	}
	if _, ok := col["id"]; !ok {
		return s, errors.Join(append(errs, &Error{File: name, Line: 1, Msg: "header has no id column"})...)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, &Error{File: name, Line: pe.StartLine, Msg: pe.Err.Error()})
				continue
			}
			errs = append(errs, fmt.Errorf("parse profiles %s: %w", name, err))
			break
		}
		line, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			errs = append(errs, &Error{File: name, Line: line, Msg: fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		p, err := csvProfile(rec, col)
		if err == nil {
			if msg := checkProfile(p); msg != "" {
				err = errors.New(msg)
			}
		}
		if err != nil {
			errs = append(errs, &Error{File: name, Line: line, Msg: fmt.Sprintf("profile %q: %v", p.ID, err)})
			continue
		}
		if !s.add(p) {
			errs = append(errs, &Error{File: name, Line: line, Msg: fmt.Sprintf("profile %q: duplicate id", p.ID)})
		}
	}
	return s, errors.Join(errs...)
}

func csvProfile(rec []string, col map[string]int) (Profile, error) {
	get := func(c string) string {
		if i, ok := col[c]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	p := Profile{ID: get("id"), Name: get("name"), Segment: get("segment"), Products: splitList(get("products"))}
	for _, f := range []struct {
		col string
		dst *int
	}{{"tenure_months", &p.TenureMonths}, {"open_orders", &p.OpenOrders}, {"open_tickets", &p.OpenTickets}} {
		v := get(f.col)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return p, fmt.Errorf("%s: %q is not a whole number", f.col, v)
		}
		*f.dst = n
	}
	for _, flag := range splitList(get("consent")) {
		if p.Consent == nil {
			p.Consent = map[string]bool{}
		}
		k, v, explicit := strings.Cut(flag, "=")
		val := true
		if explicit {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				return p, fmt.Errorf("consent %q: want flag or flag=true|false", flag)
			}
			val = b
		}
		p.Consent[strings.TrimSpace(k)] = val
	}
	for _, c := range splitList(get("past_contacts")) {
		parts := strings.Split(c, "|")
		if len(parts) != 3 {
			return p, fmt.Errorf("past contact %q: want date|reason|sentiment", c)
		}
		sent, err := strconv.ParseFloat(strings.TrimSpace(parts[2]), 64)
		if err != nil {
			return p, fmt.Errorf("past contact %q: sentiment is not a number", c)
		}
		p.PastContacts = append(p.PastContacts, Contact{Date: strings.TrimSpace(parts[0]), Reason: strings.TrimSpace(parts[1]), Sentiment: sent})
	}
	return p, nil
}

// splitList splits a ";"-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ";") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// DefaultHTTPTimeout bounds one HTTPProfiles lookup.
const DefaultHTTPTimeout = 2 * time.Second

// HTTPProfiles looks profiles up in a CRM-style HTTP service: GET
// <BaseURL>/<path-escaped id> answers a profile as JSON, or 404 for an
// unknown customer.
type HTTPProfiles struct {
	BaseURL string
	// Client defaults to http.DefaultClient.
	Client *http.Client
	// Timeout bounds each lookup; zero means DefaultHTTPTimeout.
	Timeout time.Duration
}

// maxProfileBytes bounds a profile response.
const maxProfileBytes = 1 << 20

// Lookup fetches the profile of customerID.
func (h *HTTPProfiles) Lookup(ctx context.Context, customerID string) (Profile, bool, error) {
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = DefaultHTTPTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := strings.TrimRight(h.BaseURL, "/") + "/" + url.PathEscape(customerID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Profile{}, false, fmt.Errorf("look up profile: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	client := h.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return Profile{}, false, fmt.Errorf("look up profile: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return Profile{}, false, nil
	case resp.StatusCode/100 != 2:
		return Profile{}, false, fmt.Errorf("look up profile: %s answered %s", u, resp.Status)
	}
	var p Profile
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxProfileBytes)).Decode(&p); err != nil {
		return Profile{}, false, fmt.Errorf("look up profile: decode %s: %w", u, err)
	}
	if p.ID == "" {
		p.ID = customerID
	}
	if msg := checkProfile(p); msg != "" {
		return Profile{}, false, fmt.Errorf("look up profile: %s: %s", u, msg)
	}
	return p, true, nil
}
