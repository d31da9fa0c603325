// Package telephone ships the files that fit the embedded recognizer's
// digits grammar to 8 kHz telephone speech: an MLLR transform of the
// acoustic model's means, trained on the Free Spoken Digit Dataset with
// `assist train asr-adapt`, a dictionary of the digit words with the
// pronunciations narrowband audio needs, and a bigram model of digit
// strings that the open language model is mixed with. They are compiled into the
// binary, so nothing is downloaded or installed; PocketSphinx reads files,
// so Install writes them out once.
package telephone

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// MLLRFile, DigitsDictFile and DigitsLMFile name the shipped files in
// this folder.
const (
	MLLRFile       = "fsdd-8k.mllr"
	DigitsDictFile = "digits.dict"
	DigitsLMFile   = "digits.arpa"
)

//go:embed fsdd-8k.mllr digits.dict digits.arpa
var files embed.FS

// Files are the paths of the installed files.
type Files struct {
	// MLLR is the transform (sphinx.Config.MLLR).
	MLLR string
	// DigitsDict is the digits grammar's dictionary (sphinx.Config.Dict
	// of a digits recognizer).
	DigitsDict string
	// DigitsLM is the bigram model of digit strings mixed into the open
	// language model (sphinx.Config.DigitsLM).
	DigitsLM string
}

// Install writes the shipped files into dir, creating it, unless they are
// there already, and returns their paths. Each file's name carries a hash
// of its content, so binaries of different versions can share dir, and a
// file is written under a temporary name and renamed, so processes
// installing at once never read half a file.
func Install(dir string) (Files, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Files{}, fmt.Errorf("install telephone models: %w", err)
	}
	var out Files
	for _, f := range []struct {
		name string
		path *string
	}{{MLLRFile, &out.MLLR}, {DigitsDictFile, &out.DigitsDict}, {DigitsLMFile, &out.DigitsLM}} {
		p, err := install(dir, f.name)
		if err != nil {
			return Files{}, fmt.Errorf("install telephone models: %w", err)
		}
		*f.path = p
	}
	return out, nil
}

// install writes one embedded file into dir under its hashed name.
func install(dir, name string) (string, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	ext := filepath.Ext(name)
	path := filepath.Join(dir, strings.TrimSuffix(name, ext)+"-"+hex.EncodeToString(sum[:6])+ext)
	if old, err := os.ReadFile(path); err == nil && string(old) == string(b) {
		return path, nil
	}
	tmp, err := os.CreateTemp(dir, name+".tmp-*")
	if err != nil {
		return "", err
	}
	_, werr := tmp.Write(b)
	if werr == nil {
		werr = tmp.Chmod(0o644)
	}
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("write %s: %w", tmp.Name(), errors.Join(werr, cerr))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return path, nil
}
