// Package datasetstest finds data-set files for tests: the small licensed
// samples under internal/datasets/testdata that every checkout has, and the
// whole data sets that 'make eval' and 'make bench' point to with
// $ASSIST_DATASETS.
package datasetstest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// EnvDir names the variable holding the folder of the whole data sets
// (laid out as ../shared/data: banking77/, clinc150/, goemotions/, …).
const EnvDir = "ASSIST_DATASETS"

// Sample returns the path of a file or folder of the bundled samples, such
// as "abcd/guidelines.json", and fails the test when it is missing.
func Sample(tb testing.TB, rel string) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("datasetstest: cannot locate the samples")
	}
	p := filepath.Join(filepath.Dir(file), "..", "testdata", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("data-set sample: %v", err)
	}
	return p
}

// Full returns the path of a file or folder of the whole data sets, such as
// "banking77/train.csv", under $ASSIST_DATASETS. It fails the test or
// benchmark when the variable is unset or the file missing: the checks that
// need whole data sets run from 'make eval' and 'make bench', which set it.
func Full(tb testing.TB, rel string) string {
	tb.Helper()
	dir := os.Getenv(EnvDir)
	if dir == "" {
		tb.Fatalf("$%s is not set: run this through 'make eval' or 'make bench' (DATA=DIR), or set it to the data-set folder", EnvDir)
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("whole data set: %v", err)
	}
	return p
}
