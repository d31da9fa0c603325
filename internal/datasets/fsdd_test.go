package datasets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestLoadFSDD(t *testing.T) {
	dir := datasetstest.Sample(t, "fsdd")
	clips, err := LoadFSDD(dir)
	if err != nil {
		t.Fatal(err)
	}
	digits := map[int]int{}
	for _, c := range clips {
		digits[c.Digit]++
		if _, err := os.Stat(c.Path); err != nil {
			t.Error(err)
		}
	}
	want := FSDDClip{Path: filepath.Join(dir, "recordings", "0_george_5.wav"), Digit: 0, Speaker: "george"}
	if len(clips) != 20 || len(digits) != 10 || clips[0] != want {
		t.Errorf("%d clips of %d digits, first %+v", len(clips), len(digits), clips[0])
	}
	for name, tc := range map[string]struct{ tsv, want string }{
		"no header column": {"file\tspeaker\nrecordings/1_a_5.wav\ta\n", `references.tsv:1: no column "digit"`},
		"bad digit":        {"file\tdigit\tspeaker\nrecordings/1_a_5.wav\t1\ta\nrecordings/x.wav\t10\ta\n", `references.tsv:3: digit "10" is not 0 to 9`},
		"no file":          {"file\tdigit\tspeaker\n\t1\ta\n", "references.tsv:2: no file"},
		"no rows":          {"file\tdigit\tspeaker\n", "no recordings"},
	} {
		_, err := LoadFSDD(writeFiles(t, map[string]string{FSDDReferencesFile: tc.tsv}))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
	if _, err := LoadFSDD(t.TempDir()); err == nil {
		t.Error("a folder without references.tsv was read")
	}
}
