package kb

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/larkspur-labs/assist/internal/datasets"
)

// The formats ImportFile reads.
const (
	// FormatFAQCSV is an FAQ table as CSV: see ImportFAQ.
	FormatFAQCSV = "faq-csv"
	// FormatFAQJSONL is an FAQ table as one JSON object a line: see
	// ImportFAQ.
	FormatFAQJSONL = "faq-jsonl"
	// FormatABCD is the ABCD agent guidelines: see ImportABCD.
	FormatABCD = "abcd"
)

// ImportFormats are the formats ImportFile reads, in the order help lists
// them.
var ImportFormats = []string{FormatFAQCSV, FormatFAQJSONL, FormatABCD}

// ErrUnknownFormat is returned by ImportFile for a file whose format is
// neither given nor told by its name or content.
var ErrUnknownFormat = errors.New("cannot tell the format")

// ImportFile reads the file at path with the importer of format, one of
// ImportFormats. An empty format is told by the extension (.csv;
// .jsonl or .ndjson) or, for any other name, by whether the file starts
// like the ABCD guidelines; when it is neither, the error wraps
// ErrUnknownFormat. The importers' errors are returned as they are: a
// file with several bad rows gives an error joining them (see Problems).
func ImportFile(path, format string) ([]Article, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if format == "" {
		if format, err = detectFormat(f); err != nil {
			return nil, err
		}
	}
	switch format {
	case FormatFAQCSV:
		return ImportFAQ(path, f, "csv")
	case FormatFAQJSONL:
		return ImportFAQ(path, f, "jsonl")
	case FormatABCD:
		return ImportABCD(path, f)
	}
	return nil, fmt.Errorf("import %s: unknown format %q (want %s)", path, format, strings.Join(ImportFormats, ", "))
}

// detectFormat tells the format of f from its extension or, for anything
// else, from whether it starts like the ABCD guidelines. It leaves f at
// its start.
func detectFormat(f *os.File) (string, error) {
	switch strings.ToLower(filepath.Ext(f.Name())) {
	case ".csv":
		return FormatFAQCSV, nil
	case ".jsonl", ".ndjson":
		return FormatFAQJSONL, nil
	}
	abcd := datasets.IsABCDGuidelines(f)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	if !abcd {
		return "", fmt.Errorf("%w of %s", ErrUnknownFormat, f.Name())
	}
	return FormatABCD, nil
}

// Problems lists the problems an error of LoadDir, LoadFS or an importer
// joins, each a *ParseError or a problem of the whole file, in the order
// found; any other error is its only problem.
func Problems(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	return []error{err}
}
