package kb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ImportABCD reads the agent guidelines of ASAPP's Action-Based Conversations
// Dataset (guidelines.json) from r, a file called name, and returns one
// article per subflow, flows and subflows in file order.
//
// The file is an object of flows, each {"description", "subflows"}; a
// subflow is {"instructions": [text...], "actions": [step...]} and a step is
// {"type", "button", "text", "subtext": [text...]}. An article gets:
//   - ID: "<flow>-<subflow>" in kebab-case, e.g. "product-defect-initiate-refund";
//   - Title: the subflow's name; Tags: the flow's name in kebab-case;
//   - Answer: the first instruction, which states the situation and what to
//     do first (or, when there is none, the first step's text);
//   - Actions: the steps' buttons in order, in sentence case ("Pull up
//     account"). Steps whose button is "N/A" are things to say, not buttons,
//     and "End Conversation" is the conditional exit, not a step (ABCD's own
//     kb.json action sequences leave it out), so both are left to the body;
//   - Questions: the questions an FAQ subflow lists after an instruction
//     saying the agent must figure out "which question the customer is
//     asking"; the file holds no other customer phrasing, so most subflows
//     have none;
//   - Body: the flow's description, every step with its text and sub-points
//     as a numbered Markdown list, and the instructions not used above.
//
// Malformed JSON is a *ParseError giving the line (and column) json reports;
// a subflow with no text to answer with, or two subflows with the same id,
// are *ParseErrors too, joined with errors.Join.
func ImportABCD(name string, r io.Reader) ([]Article, error) {
	data, err := io.ReadAll(&cappedReader{r: r, left: maxImportBytes})
	if err != nil {
		return nil, fmt.Errorf("import abcd %s: %w", name, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("import abcd %s: empty file", name)
	}
	doc := jsonDoc{name: name, data: data}
	flows, err := doc.members(data, 0, "the file")
	if err != nil {
		return nil, err
	}
	p := &importProblems{file: name}
	var articles []Article
	seen := map[string]int{}
	for _, flow := range flows {
		subflows, err := doc.flow(flow)
		if err != nil {
			return nil, err
		}
		for _, sub := range subflows.members {
			var sf abcdSubflow
			if err := doc.decode(sub, &sf); err != nil {
				return nil, err
			}
			a, problem := abcdArticle(name, flow.key, sub.key, subflows.description, sf)
			line := doc.line(sub.offset)
			switch {
			case problem != "":
				p.add(line, "subflow %q of flow %q: %s", sub.key, flow.key, problem)
			case seen[a.ID] != 0:
				p.add(line, "duplicate id %q: already used on line %d", a.ID, seen[a.ID])
			default:
				seen[a.ID] = line
				articles = append(articles, a)
			}
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	if len(articles) == 0 {
		return nil, fmt.Errorf("import abcd %s: no subflows: want an object of flows, each with \"subflows\"", name)
	}
	return articles, nil
}

// abcdSubflow is one subflow of guidelines.json.
type abcdSubflow struct {
	Instructions []string   `json:"instructions"`
	Actions      []abcdStep `json:"actions"`
}

// abcdStep is one step of a subflow: the button the agent clicks and how.
type abcdStep struct {
	Type    string   `json:"type"`
	Button  string   `json:"button"`
	Text    string   `json:"text"`
	Subtext []string `json:"subtext"`
}

// abcdNoButton are the buttons of steps that are not agent actions.
var abcdNoButton = map[string]bool{"": true, "n/a": true, "end conversation": true}

// faqCue marks the instruction after which an FAQ subflow lists the
// customer's possible questions.
const faqCue = "which question the customer is asking"

// abcdArticle maps one subflow to an article; problem says why it cannot.
func abcdArticle(source, flow, subflow, description string, sf abcdSubflow) (a Article, problem string) {
	a = Article{
		ID:     slug(flow + " " + subflow),
		Title:  cleanLine(subflow),
		Tags:   appendNew(nil, slug(flow)),
		Lang:   DefaultLang,
		Source: source,
	}
	var rest []string // instructions left for the body
	for i, text := range sf.Instructions {
		text = cleanLine(text)
		switch {
		case text == "":
		case a.Answer == "":
			a.Answer = text
		case i > 0 && strings.Contains(strings.ToLower(sf.Instructions[i-1]), faqCue):
			for q := range strings.SplitSeq(text, ",") {
				a.Questions = appendNew(a.Questions, strings.TrimSpace(q))
			}
		default:
			rest = append(rest, text)
		}
	}
	for _, s := range sf.Actions {
		if a.Answer == "" {
			a.Answer = cleanLine(s.Text)
		}
		if button := cleanLine(s.Button); !abcdNoButton[strings.ToLower(button)] {
			a.Actions = append(a.Actions, sentenceCase(button))
		}
	}
	switch {
	case a.ID == "":
		return a, "no letters or digits to make an id from"
	case a.Title == "":
		return a, "empty subflow name"
	case a.Answer == "":
		return a, "no instructions or step text to use as the answer"
	}
	a.Body = abcdBody(flow, description, sf.Actions, rest)
	return a, ""
}

// abcdBody renders the guideline text of a subflow as Markdown.
func abcdBody(flow, description string, steps []abcdStep, rest []string) string {
	var b strings.Builder
	b.WriteString("Part of the " + cleanLine(flow) + " flow")
	if d := cleanLine(description); d != "" {
		b.WriteString(" (" + d + ")")
	}
	b.WriteString(".\n")
	if len(steps) > 0 {
		b.WriteString("\n## Steps\n\n")
		for i, s := range steps {
			b.WriteString(strconv.Itoa(i+1) + ". ")
			if button := cleanLine(s.Button); !abcdNoButton[strings.ToLower(button)] {
				b.WriteString("**" + sentenceCase(button) + ".** ")
			}
			b.WriteString(cleanLine(s.Text) + "\n")
			for _, sub := range s.Subtext {
				writeSubpoint(&b, sub)
			}
		}
	}
	if len(rest) > 0 {
		b.WriteString("\n## Notes\n\n" + strings.Join(rest, "\n\n") + "\n")
	}
	return strings.TrimSpace(b.String())
}

// writeSubpoint writes one sub-point of a step as a nested list item. The
// guidelines nest a further level inline as "a > b > c"; b and c become
// items under a.
func writeSubpoint(b *strings.Builder, sub string) {
	parts := strings.Split(cleanLine(sub), " > ")
	for i, part := range parts {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		indent := "   - "
		if i > 0 {
			indent = "     - "
		}
		b.WriteString(indent + part + "\n")
	}
}

// jsonDoc is a JSON file being walked in order, for located errors.
type jsonDoc struct {
	name string
	data []byte
}

// member is one key and raw value of a JSON object, with the value's byte
// offset in the file.
type member struct {
	key    string
	value  json.RawMessage
	offset int64
}

// members decodes the JSON object in raw, which starts at byte base of the
// file, keeping its members in file order (a Go map would lose the order of
// the flows). what names the object in errors.
func (d jsonDoc) members(raw []byte, base int64, what string) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, d.jsonError(base, err)
	}
	if tok != json.Delim('{') {
		return nil, d.errorAt(base, "want %s to be a JSON object", what)
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, d.jsonError(base, err)
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, d.jsonError(base, err)
		}
		start := base + dec.InputOffset() - int64(len(value))
		out = append(out, member{key: tok.(string), value: value, offset: start})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, d.jsonError(base, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, d.errorAt(base+dec.InputOffset(), "unexpected data after the end of %s", what)
	}
	return out, nil
}

// abcdSubflows are the subflows of one flow and the flow's description.
type abcdSubflows struct {
	description string
	members     []member
}

// flow reads one flow: its description and its subflows in order.
func (d jsonDoc) flow(f member) (abcdSubflows, error) {
	fields, err := d.members(f.value, f.offset, fmt.Sprintf("flow %q", f.key))
	if err != nil {
		return abcdSubflows{}, err
	}
	var out abcdSubflows
	found := false
	for _, m := range fields {
		switch m.key {
		case "description":
			if err := d.decode(m, &out.description); err != nil {
				return abcdSubflows{}, err
			}
		case "subflows":
			found = true
			if out.members, err = d.members(m.value, m.offset, fmt.Sprintf("the subflows of flow %q", f.key)); err != nil {
				return abcdSubflows{}, err
			}
		}
	}
	if !found {
		return abcdSubflows{}, d.errorAt(f.offset, "flow %q has no \"subflows\"", f.key)
	}
	return out, nil
}

// decode decodes the value of m into v, locating type errors in the file.
func (d jsonDoc) decode(m member, v any) error {
	err := json.Unmarshal(m.value, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		what := strconv.Quote(m.key)
		if te.Field != "" {
			what += " field " + te.Field
		}
		return d.errorAt(m.offset+te.Offset, "%s: want %s, got %s", what, jsonType(te.Type.String()), te.Value)
	}
	if err != nil {
		return d.jsonError(m.offset, err)
	}
	return nil
}

// jsonType names a Go type of this file in JSON terms.
func jsonType(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	default:
		return "an object"
	}
}

// jsonError locates an error of encoding/json, whose offsets count from
// base, as a *ParseError; an error without an offset is wrapped as it is.
func (d jsonDoc) jsonError(base int64, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return d.errorAt(base+se.Offset, "bad JSON: %v", se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return d.errorAt(int64(len(d.data)), "bad JSON: the file ends before the JSON does")
	}
	return fmt.Errorf("import abcd %s: %w", d.name, err)
}

// errorAt returns a *ParseError at byte offset off of the file, giving the
// column in the message since a JSON file may be one long line.
func (d jsonDoc) errorAt(off int64, format string, args ...any) error {
	off = min(max(off, 0), int64(len(d.data)))
	line := d.line(off)
	col := off - int64(bytes.LastIndexByte(d.data[:off], '\n'))
	return &ParseError{File: d.name, Line: line, Msg: fmt.Sprintf(format, args...) + fmt.Sprintf(" (column %d)", col)}
}

// line is the 1-based line of byte offset off.
func (d jsonDoc) line(off int64) int {
	off = min(max(off, 0), int64(len(d.data)))
	return 1 + bytes.Count(d.data[:off], []byte("\n"))
}
