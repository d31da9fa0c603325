package datasets

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestLoadGoEmotions(t *testing.T) {
	for _, tc := range []struct {
		split string
		rows  int
	}{{"train.tsv", 290}, {"dev.tsv", 181}} {
		ge, err := LoadGoEmotions(datasetstest.Sample(t, "goemotions/"+tc.split))
		if err != nil {
			t.Fatal(err)
		}
		if len(ge.Rows) != tc.rows || len(ge.Labels) != 28 || ge.Labels[27] != "neutral" || len(ge.Sentiment["ambiguous"]) != 4 {
			t.Errorf("%s: %d rows, %d labels, sentiment %v", tc.split, len(ge.Rows), len(ge.Labels), ge.Sentiment)
		}
	}
	ge, err := LoadGoEmotions(datasetstest.Sample(t, "goemotions/dev.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	want := GoEmotionsRow{Text: "Is this in New Orleans?? I really feel like this is New Orleans.", Labels: []string{"neutral"}, ID: "edgurhb"}
	if !reflect.DeepEqual(ge.Rows[0], want) {
		t.Errorf("first row %+v, want %+v", ge.Rows[0], want)
	}
}

func TestLoadGoEmotionsRejectsBrokenFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		GoEmotionsLabelsFile:    "joy\nneutral\n",
		GoEmotionsSentimentFile: `{"positive": ["joy"], "negative": [], "ambiguous": []}`,
		"good.tsv":              "yay\t0\tid1\nmeh\t1,0\n",
		"no-tabs.tsv":           "fine\t1\tx\nno tabs here\n",
		"bad-id.tsv":            "x\t7\tid\n",
		"name.tsv":              "x\tjoy\tid\n",
	})
	ge, err := LoadGoEmotions(filepath.Join(dir, "good.tsv"))
	if err != nil || len(ge.Rows) != 2 || ge.Rows[0].Labels[0] != "joy" || !reflect.DeepEqual(ge.Rows[1].Labels, []string{"neutral", "joy"}) || ge.Rows[1].ID != "" {
		t.Fatalf("LoadGoEmotions = %+v, %v", ge, err)
	}
	for name, want := range map[string]string{
		"no-tabs.tsv": ":2: want text<TAB>label ids<TAB>id",
		"bad-id.tsv":  `:1: bad label id "7"`,
		"name.tsv":    `:1: bad label id "joy"`,
	} {
		path := filepath.Join(dir, name)
		if _, err := LoadGoEmotions(path); errText(err) != path+want {
			t.Errorf("%s: error %v, want %q", name, err, path+want)
		}
	}
	broken := writeFiles(t, map[string]string{GoEmotionsLabelsFile: "joy\n", GoEmotionsSentimentFile: "{\n\"positive\": joy}", "x.tsv": "a\t0\n"})
	want := "read goemotions sentiment groups: " + filepath.Join(broken, GoEmotionsSentimentFile) + ":2: bad JSON"
	if _, err := LoadGoEmotions(filepath.Join(broken, "x.tsv")); !strings.HasPrefix(errText(err), want) {
		t.Errorf("broken sentiment_dict.json: %v", err)
	}
}
