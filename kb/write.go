package kb

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// WriteDir saves articles as Markdown files that LoadDir reads back: one
// dir/<id>.md per article, YAML front matter (id, title, tags, questions,
// answer, actions, and lang unless it is DefaultLang) followed by the Body.
// yaml.v3 quotes or blocks every string as needed, so any text survives.
// LoadDir trims text and drops empty list items, so an article with
// surrounding space comes back without it, and Source is not saved.
//
// WriteDir creates dir when missing. It checks everything before writing
// anything: every id must be valid kebab-case and unique, every article needs
// a title and an answer, and an existing file is only accepted when its
// content is the same as what would be written, so importing twice is
// harmless but nothing is ever overwritten; the error lists the clashing
// files.
func WriteDir(dir string, articles []Article) error {
	if err := checkWritable(articles); err != nil {
		return fmt.Errorf("write kb %s: %w", dir, err)
	}
	files := make([][]byte, len(articles))
	var clashes []string
	for i, a := range articles {
		data, err := render(a)
		if err != nil {
			return fmt.Errorf("write kb article %s: %w", a.ID, err)
		}
		files[i] = data
		name := filepath.Join(dir, a.ID+".md")
		old, err := os.ReadFile(name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("write kb %s: %w", dir, err)
		case bytes.Equal(old, data):
			files[i] = nil // already there
		default:
			clashes = append(clashes, name)
		}
	}
	if len(clashes) > 0 {
		return fmt.Errorf("write kb %s: %d file(s) exist with other content, not overwritten: %s",
			dir, len(clashes), strings.Join(clashes, ", "))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write kb %s: %w", dir, err)
	}
	for i, data := range files {
		if data != nil {
			if err := createFile(filepath.Join(dir, articles[i].ID+".md"), data); err != nil {
				return fmt.Errorf("write kb %s: %w", dir, err)
			}
		}
	}
	return nil
}

// checkWritable reports every article that could not be written or read back.
// The id check also keeps file names inside the folder.
func checkWritable(articles []Article) error {
	var errs []error
	seen := map[string]bool{}
	for i, a := range articles {
		what := fmt.Sprintf("article %d (%q)", i+1, a.ID)
		switch {
		case !validID.MatchString(a.ID):
			errs = append(errs, fmt.Errorf("%s: invalid id: use lower-case letters, digits and single hyphens", what))
		case seen[a.ID]:
			errs = append(errs, fmt.Errorf("%s: duplicate id", what))
		}
		seen[a.ID] = true
		if strings.TrimSpace(a.Title) == "" {
			errs = append(errs, fmt.Errorf("%s: missing title", what))
		}
		if strings.TrimSpace(a.Answer) == "" && !a.OutOfScope {
			errs = append(errs, fmt.Errorf("%s: missing answer", what))
		}
	}
	return errors.Join(errs...)
}

// render returns the Markdown file of an article.
func render(a Article) ([]byte, error) {
	fm := frontMatter{ID: a.ID, Title: a.Title, Tags: a.Tags, Questions: a.Questions,
		Answer: a.Answer, Actions: a.Actions, OutOfScope: a.OutOfScope}
	if a.Lang != DefaultLang {
		fm.Lang = a.Lang
	}
	var b bytes.Buffer
	b.WriteString(fence + "\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(fm); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	b.WriteString(fence + "\n")
	if body := strings.TrimSpace(a.Body); body != "" {
		b.WriteString(body + "\n")
	}
	return b.Bytes(), nil
}

// createFile writes a new file, failing if one appeared since WriteDir
// checked, and removes what it wrote if the write fails.
func createFile(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
	}
	return err
}
