package theme

import (
	"reflect"
	"testing"

	"charm.land/lipgloss/v2"
)

// eachStyle calls fn with the path and value of every lipgloss.Style in v.
func eachStyle(path string, v reflect.Value, fn func(string, lipgloss.Style)) {
	if s, ok := v.Interface().(lipgloss.Style); ok {
		fn(path, s)
		return
	}
	if v.Kind() == reflect.Struct {
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				eachStyle(path+"."+v.Type().Field(i).Name, v.Field(i), fn)
			}
		}
	}
}

func TestPlainHasNoColour(t *testing.T) {
	n := 0
	eachStyle("Plain()", reflect.ValueOf(Plain()), func(path string, s lipgloss.Style) {
		n++
		if s.GetForeground() != (lipgloss.NoColor{}) || s.GetBackground() != (lipgloss.NoColor{}) {
			t.Errorf("%s has a colour", path)
		}
	})
	if n < 50 {
		t.Fatalf("checked only %d styles; the walk is broken", n)
	}
}

func TestColouredThemesDiffer(t *testing.T) {
	dark, light := New(true), New(false)
	if dark.Plain || light.Plain || !Plain().Plain {
		t.Fatal("Plain flag wrong")
	}
	if dark.Transcript.Customer.GetForeground() == light.Transcript.Customer.GetForeground() {
		t.Error("light and dark palettes should differ")
	}
	if dark.Gauges.Negative.GetForeground() == (lipgloss.NoColor{}) {
		t.Error("coloured theme has no negative colour")
	}
}
