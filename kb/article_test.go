package kb

import (
	"errors"
	"os"
	"path"
	"reflect"
	"strings"
	"testing"
)

func TestParseBrokenFiles(t *testing.T) {
	tests := []struct {
		file string
		want []string // every problem, in order, as "file:line: message" prefixes
	}{
		{"bad-yaml.md", []string{"bad-yaml.md:6: bad YAML: mapping values are not allowed"}},
		{"bad-type.md", []string{"bad-type.md:5: bad YAML: cannot unmarshal !!map into []string"}},
		{"bad-id.md", []string{`bad-id.md:2: invalid id "Card_Lost"`}},
		{"empty.md", []string{"empty.md:1: empty file"}},
		{"no-front-matter.md", []string{"no-front-matter.md:1: no front matter"}},
		{"unclosed.md", []string{"unclosed.md:1: front matter opened here is never closed"}},
		{"missing-answer.md", []string{"missing-answer.md:1: missing answer"}},
		{"missing-id-title.md", []string{
			"missing-id-title.md:1: missing id",
			"missing-id-title.md:1: missing title",
			"missing-id-title.md:1: missing answer",
		}},
		{"unknown-field.md", []string{
			`unknown-field.md:4: unknown field "anwser"`,
			"unknown-field.md:1: missing answer",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(path.Join("testdata/broken", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			a, err := Parse(tt.file, data)
			if err == nil {
				t.Fatalf("Parse succeeded with %+v, want errors %q", a, tt.want)
			}
			got := problems(err)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems %q, want %d %q", len(got), got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("problem %d = %q, want prefix %q", i, got[i], w)
				}
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != tt.file {
				t.Errorf("error %v is not a *ParseError for %s", err, tt.file)
			}
		})
	}
}

func TestParseValidArticle(t *testing.T) {
	data, err := os.ReadFile("testdata/good/alpha.md")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("alpha.md", data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := Article{
		ID:        "alpha",
		Title:     "Alpha article",
		Tags:      []string{"one", "two"},
		Questions: []string{"first question", "second question"},
		Answer:    "Alpha answer on two lines.",
		Actions:   []string{"Do one thing"},
		Lang:      "en",
		Body:      "# Notes\n\nAlpha body.",
		Source:    "alpha.md",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseCRLFAndByteOrderMark(t *testing.T) {
	data, err := os.ReadFile("testdata/good/beta.md")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("beta.md", data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got.ID != "beta" || got.Lang != "es" || got.Answer != "Respuesta." || got.Body != "Beta body." {
		t.Errorf("Parse = %+v", got)
	}
}

func TestParseOutOfScopeArticle(t *testing.T) {
	got, err := Parse("weather.md", []byte("---\nid: weather\ntitle: The weather\nout_of_scope: true\nquestions:\n  - will it rain today\n---\n"))
	if err != nil {
		t.Fatalf("an out-of-scope article needs no answer: %v", err)
	}
	if !got.OutOfScope || len(got.Questions) != 1 {
		t.Errorf("Parse = %+v", got)
	}
	_, err = Parse("empty-scope.md", []byte("---\nid: weather\ntitle: The weather\nout_of_scope: true\n---\n"))
	if want := "empty-scope.md:4: out_of_scope article without questions"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err %v, want prefix %q", err, want)
	}
}

// problems splits a joined error into its messages.
func problems(err error) []string {
	var out []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}
