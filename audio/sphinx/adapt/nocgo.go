//go:build !cgo

package adapt

import (
	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx"
)

// FrontEnd needs the cgo build: it is PocketSphinx's own.
type FrontEnd struct{}

// NewFrontEnd returns audio.ErrNoCgo.
func NewFrontEnd(cfg sphinx.Config) (*FrontEnd, error) { return nil, audio.ErrNoCgo }

// Cepstra returns audio.ErrNoCgo.
func (f *FrontEnd) Cepstra(samples []int16) ([][]float32, error) { return nil, audio.ErrNoCgo }

// Close does nothing.
func (f *FrontEnd) Close() error { return nil }
