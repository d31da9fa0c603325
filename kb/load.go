package kb

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// LoadFS reads every *.md file directly in dir of fsys, in name order, and
// returns the articles. If any file has a problem, or two files share an id,
// it returns no articles and an error joining every problem found, each a
// *ParseError ("file:line: message"). A folder with no articles is an error
// too, since it almost always means a wrong path.
func LoadFS(fsys fs.FS, dir string) ([]Article, error) {
	return load(fsys, dir, func(name string) string { return path.Join(dir, name) })
}

// LoadDir reads every *.md file directly in the folder dir; see LoadFS.
// Sources and error locations are paths on disk, dir joined with the file name.
func LoadDir(dir string) ([]Article, error) {
	return load(os.DirFS(dir), ".", func(name string) string { return filepath.Join(dir, name) })
}

// load implements LoadFS. source names a file of dir for Article.Source and
// error messages.
func load(fsys fs.FS, dir string, source func(name string) string) ([]Article, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read kb folder: %w", err)
	}
	type place struct {
		file string
		line int
	}
	var (
		articles []Article
		errs     []error
		seen     = map[string]place{}
	)
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			errs = append(errs, fmt.Errorf("read kb article: %w", err))
			continue
		}
		name := source(e.Name())
		p := parse(name, data)
		errs = append(errs, p.errs...)
		if id := p.article.ID; id != "" {
			if first, dup := seen[id]; dup {
				errs = append(errs, &ParseError{File: name, Line: p.idLine,
					Msg: fmt.Sprintf("duplicate id %q: already used by %s:%d", id, first.file, first.line)})
				continue
			}
			seen[id] = place{name, p.idLine}
		}
		if len(p.errs) == 0 {
			articles = append(articles, p.article)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(articles) == 0 {
		return nil, fmt.Errorf("kb folder %s: no .md articles", dir)
	}
	return articles, nil
}

// sampleDir is where the bundled knowledge base lives inside sampleFS.
const sampleDir = "samples/larkspur"

//go:embed samples/larkspur/*.md
var sampleFS embed.FS

// Sample returns the bundled knowledge base of Larkspur Bank, a fictional
// retail bank, which the demo and the tests use. Each call returns a fresh
// copy the caller may modify.
func Sample() ([]Article, error) {
	return LoadFS(sampleFS, sampleDir)
}
