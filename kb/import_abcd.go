package kb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/larkspur-labs/assist/internal/datasets"
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
	flows, err := datasets.ReadABCDGuidelines(name, bytes.NewReader(data))
	if le, ok := errors.AsType[*datasets.LineError](err); ok {
		return nil, &ParseError{File: le.File, Line: le.Line, Msg: le.Msg}
	}
	if err != nil {
		return nil, fmt.Errorf("import abcd %s: %w", name, err)
	}
	p := &importProblems{file: name}
	var articles []Article
	seen := map[string]int{}
	for _, flow := range flows {
		for _, sub := range flow.Subflows {
			a, problem := abcdArticle(name, flow.Title, flow.Description, sub)
			switch {
			case problem != "":
				p.add(sub.Line, "subflow %q of flow %q: %s", sub.Title, flow.Title, problem)
			case seen[a.ID] != 0:
				p.add(sub.Line, "duplicate id %q: already used on line %d", a.ID, seen[a.ID])
			default:
				seen[a.ID] = sub.Line
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

// abcdNoButton are the buttons of steps that are not agent actions.
var abcdNoButton = map[string]bool{"": true, "n/a": true, "end conversation": true}

// faqCue marks the instruction after which an FAQ subflow lists the
// customer's possible questions.
const faqCue = "which question the customer is asking"

// abcdArticle maps one subflow to an article; problem says why it cannot.
func abcdArticle(source, flow, description string, sf datasets.ABCDSubflow) (a Article, problem string) {
	a = Article{
		ID:     slug(flow + " " + sf.Title),
		Title:  cleanLine(sf.Title),
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
func abcdBody(flow, description string, steps []datasets.ABCDStep, rest []string) string {
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
