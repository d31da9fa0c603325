package kb

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Article is one knowledge article.
type Article struct {
	// ID is unique within a knowledge base, in kebab-case.
	ID string
	// Title names the article for people.
	Title string
	// Tags group articles by topic.
	Tags []string
	// Questions are example customer utterances the article answers.
	Questions []string
	// Answer is what the agent can say to the customer.
	Answer string
	// Actions are follow-up steps for the agent, in the imperative.
	Actions []string
	// Lang is the article's language tag; "en" when the file names none.
	Lang string
	// Body is the Markdown after the front matter: internal notes for the agent.
	Body string
	// Source is the path of the file the article was read from.
	Source string
	// OutOfScope marks questions the knowledge base does not answer: when
	// such an article fits a turn best, the suggestions pane abstains
	// instead of offering the nearest article that does not fit. It needs
	// example questions and no answer.
	OutOfScope bool
}

// DefaultLang is the language of an article whose front matter names none.
const DefaultLang = "en"

// ParseError is one problem in one knowledge-base file. Line counts from 1
// and refers to the whole file, front matter included.
type ParseError struct {
	// File is the file's path as given to Parse or found by LoadFS.
	File string
	// Line is the 1-based line of the problem in the file.
	Line int
	// Msg says what is wrong, in lower case.
	Msg string
}

// Error formats the problem as "file:line: message", the form editors and
// terminals recognise as a location.
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// frontMatter is the YAML header of an article file, its fields in the
// order authors read them. Parse decodes it; WriteDir encodes it, leaving
// out empty fields and the default language.
type frontMatter struct {
	ID         string   `yaml:"id"`
	Title      string   `yaml:"title"`
	Tags       []string `yaml:"tags,omitempty"`
	Questions  []string `yaml:"questions,omitempty"`
	Answer     string   `yaml:"answer,omitempty"`
	Actions    []string `yaml:"actions,omitempty"`
	Lang       string   `yaml:"lang,omitempty"`
	OutOfScope bool     `yaml:"out_of_scope,omitempty"`
}

// knownFields are the front matter keys frontMatter decodes. Any other key is
// reported, since it is most likely a misspelt one.
var knownFields = map[string]bool{
	"id": true, "title": true, "tags": true, "questions": true,
	"answer": true, "actions": true, "lang": true, "out_of_scope": true,
}

// validID matches kebab-case ids: lower-case letters and digits in groups
// joined by single hyphens.
var validID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// fence is the line that opens and closes the front matter.
const fence = "---"

// Parse reads one article from the Markdown file called name. The error, if
// any, joins every problem found in the file, each a *ParseError.
func Parse(name string, data []byte) (Article, error) {
	p := parse(name, data)
	if len(p.errs) > 0 {
		return Article{}, errors.Join(p.errs...)
	}
	return p.article, nil
}

// parsed is the outcome of reading one file: the article as far as it could
// be read, the file line of its id (for duplicate reports) and its problems.
type parsed struct {
	article Article
	idLine  int
	errs    []error
}

// parse reads one article file and collects every problem it finds in it.
func parse(name string, data []byte) parsed {
	p := parsed{article: Article{Source: name, Lang: DefaultLang}, idLine: 1}
	fail := func(line int, format string, args ...any) {
		p.errs = append(p.errs, &ParseError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}

	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	if strings.TrimSpace(text) == "" {
		fail(1, "empty file: an article starts with front matter between two --- lines")
		return p
	}
	lines := strings.Split(text, "\n")
	if strings.TrimRight(lines[0], " \t") != fence {
		fail(1, "no front matter: the first line must be --- and the YAML header must follow")
		return p
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " \t") == fence {
			end = i
			break
		}
	}
	if end < 0 {
		fail(1, "front matter opened here is never closed: add a line --- after it")
		return p
	}
	p.article.Body = strings.TrimSpace(strings.Join(lines[end+1:], "\n"))

	// The YAML starts on file line 2, so YAML line n is file line n+1.
	const yamlOffset = 1
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(strings.Join(lines[1:end], "\n")), &doc); err != nil {
		for _, e := range yamlErrors(err, yamlOffset) {
			fail(e.line, "bad YAML: %s", e.msg)
		}
		return p
	}
	var root *yaml.Node
	if len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	keyLine := map[string]int{}
	if root != nil {
		if root.Kind != yaml.MappingNode {
			fail(root.Line+yamlOffset, "front matter must be a YAML mapping of fields (id, title, questions, answer, ...)")
			return p
		}
		for i := 0; i+1 < len(root.Content); i += 2 {
			key := root.Content[i]
			keyLine[key.Value] = key.Line + yamlOffset
			if !knownFields[key.Value] {
				fail(key.Line+yamlOffset, "unknown field %q (known: id, title, tags, questions, answer, actions, lang, out_of_scope)", key.Value)
			}
		}
		var fm frontMatter
		if err := root.Decode(&fm); err != nil {
			for _, e := range yamlErrors(err, yamlOffset) {
				fail(e.line, "bad YAML: %s", e.msg)
			}
			return p
		}
		p.article.ID = strings.TrimSpace(fm.ID)
		p.article.Title = strings.TrimSpace(fm.Title)
		p.article.Tags = cleanList(fm.Tags)
		p.article.Questions = cleanList(fm.Questions)
		p.article.Answer = strings.TrimSpace(fm.Answer)
		p.article.Actions = cleanList(fm.Actions)
		if lang := strings.TrimSpace(fm.Lang); lang != "" {
			p.article.Lang = lang
		}
		p.article.OutOfScope = fm.OutOfScope
	}

	// at is the line of a field's key, or the opening fence when it is absent.
	at := func(field string) int {
		if l, ok := keyLine[field]; ok {
			return l
		}
		return 1
	}
	p.idLine = at("id")
	switch {
	case p.article.ID == "":
		fail(at("id"), "missing id")
	case !validID.MatchString(p.article.ID):
		fail(at("id"), "invalid id %q: use lower-case letters, digits and single hyphens (kebab-case)", p.article.ID)
	}
	if p.article.Title == "" {
		fail(at("title"), "missing title")
	}
	switch {
	case p.article.OutOfScope && len(p.article.Questions) == 0:
		fail(at("out_of_scope"), "out_of_scope article without questions: list the questions it should catch")
	case !p.article.OutOfScope && p.article.Answer == "":
		fail(at("answer"), "missing answer")
	}
	return p
}

// cleanList trims every item and drops the empty ones.
func cleanList(items []string) []string {
	var out []string
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// lineRef matches the line references in yaml.v3 error messages.
var lineRef = regexp.MustCompile(`\bline (\d+)`)

// yamlError is one YAML problem located in the article file.
type yamlError struct {
	line int
	msg  string
}

// yamlErrors turns a yaml.v3 error into located messages. yaml.v3 reports
// syntax errors as "yaml: line N: msg" and decoding errors as a
// *yaml.TypeError holding "line N: msg" entries; every line number in them is
// shifted by offset so that it counts lines of the whole file, and the first
// becomes the location. A message without a line number is put on the first
// line of the YAML.
func yamlErrors(err error, offset int) []yamlError {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make([]yamlError, 0, len(msgs))
	for _, m := range msgs {
		m = strings.TrimPrefix(m, "yaml: ")
		m = lineRef.ReplaceAllStringFunc(m, func(ref string) string {
			n, _ := strconv.Atoi(lineRef.FindStringSubmatch(ref)[1])
			return "line " + strconv.Itoa(n+offset)
		})
		line := 1 + offset
		if loc := lineRef.FindStringSubmatchIndex(m); loc != nil && loc[0] == 0 {
			line, _ = strconv.Atoi(m[loc[2]:loc[3]])
			m = strings.TrimPrefix(strings.TrimPrefix(m[loc[1]:], ":"), " ")
		}
		out = append(out, yamlError{line: line, msg: m})
	}
	return out
}
