package main

import (
	"context"
	"testing"

	"github.com/larkspur-labs/assist/engine/evalsuite"
)

func TestTrainASRAdaptFlags(t *testing.T) {
	var got *evalsuite.TrainASRAdaptOptions
	cmd := newTrainASRAdaptCmd(streams{}, func(_ context.Context, o *evalsuite.TrainASRAdaptOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--fsdd", "digits", "--out", "x.mllr"})
	if err := cmd.Execute(); err != nil || got.FSDD != "digits" || got.Output != "x.mllr" || got.Passes != evalsuite.DefaultAdaptPasses {
		t.Fatalf("defaults: %v %+v", err, got)
	}
	for _, args := range [][]string{
		{"train", "asr-adapt", "--fsdd", "digits"},
		{"train", "asr-adapt", "--out", "x.mllr"},
		{"train", "asr-adapt", "--fsdd", "digits", "--out", "x.mllr", "--passes", "0"},
	} {
		if code := run(args); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}

func TestEvalASRAdaptFlags(t *testing.T) {
	var got *evalsuite.ASRAdaptOptions
	cmd := newEvalASRAdaptCmd(streams{}, func(_ context.Context, o *evalsuite.ASRAdaptOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--fsdd", "digits", "--recordings", "5-7", "--open", "--passes", "1"})
	if err := cmd.Execute(); err != nil || got.FSDD != "digits" || got.First != 5 || got.Last != 7 || !got.Open || got.Passes != 1 {
		t.Fatalf("flags: %v %+v", err, got)
	}
	for _, args := range [][]string{
		{"eval", "asr-adapt"},
		{"eval", "asr-adapt", "--fsdd", "digits", "--recordings", "7-5"},
		{"eval", "asr-adapt", "--fsdd", "digits", "--recordings", "five"},
		{"eval", "asr-adapt", "--fsdd", "digits", "--passes", "0"},
	} {
		if code := run(args); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}

func TestEvalASRDigitsAdaptFlag(t *testing.T) {
	var got *evalsuite.ASROptions
	cmd := newEvalASRCmd(streams{}, func(_ context.Context, o *evalsuite.ASROptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--fsdd", "digits", "--digits", "--digits-adapt", "off"})
	if err := cmd.Execute(); err != nil || got.ASR.DigitsAdapt != "off" || !got.ASR.Digits {
		t.Fatalf("--digits-adapt: %v %+v", err, got)
	}
}
