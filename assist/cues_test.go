package assist

import (
	"slices"
	"strings"
	"testing"
)

func TestReadCues(t *testing.T) {
	for _, tc := range []struct {
		text, agent string
		want        []string
	}{
		{"Look, I'm sorry I yelled. It's just been a really bad week.", "", []string{CueApology}},
		{"Sure, do that too. Look, I'm sorry I yelled.", "Would you like a text alert?", []string{CueApology, CueAcceptance}},
		{"No, that's it. Thanks, Maya.", "", []string{CueThanks}},
		{"Ten dollars instead of thirty-five. Yeah, fine, set that up.", "If I link your savings, the fee is ten dollars.", []string{CueAcceptance}},
		{"Fine, do that.", "I can refund one of the fees as a courtesy.", []string{CueAcceptance}},
		{"Fine.", "Could you read me the code?", nil},
		{"Okay. That's... okay, that's better. What about the third one?", "", []string{CueAcceptance}},
		{"I'm sorry, but this is unacceptable.", "", nil},
		{"Thanks for nothing.", "", []string{CueSarcasm}},
		{"Fine, whatever, I give up.", "I can send you a form.", []string{CueSarcasm}},
		{"Oh great, another monthly fee. Just what I needed.", "", []string{CueSarcasm}},
		{"Great, thanks, that's all I needed.", "", []string{CueThanks}},
		{"I've been on hold for forty minutes. This is a joke.", "", []string{CueSarcasm}},
		{"Sure, but the fee is still ridiculous.", "I can waive the next one.", nil},
		{"One? No. I'm not doing this. Let me talk to your supervisor.", "", []string{CueSupervisor}},
		{"Thanks, but I want your manager.", "", []string{CueThanks, CueSupervisor}},
		{"If this isn't fixed today I'm closing my account.", "", []string{CueLeave}},
		{"I'm done with you people, I'm going to another bank.", "", []string{CueLeave}},
		{"What is this charge?", "", nil},
		{"Oh, thank goodness. I was worried somebody had got in.", "", []string{CueThanks, CueWorry}},
		{"There's a payment on my card I didn't make, I'm worried.", "", []string{CueWorry}},
		{"My transfer is still pending.", "", []string{CueStuck}},
	} {
		c := ReadCues(tc.text, tc.agent)
		if got := c.Names(); !slices.Equal(got, tc.want) {
			t.Errorf("ReadCues(%q, %q) = %v, want %v", tc.text, tc.agent, got, tc.want)
		}
	}
	if ReadCues("Thanks, but I want your manager.", "").Deescalates() {
		t.Error("thanks beside a supervisor request de-escalates")
	}
}

func TestModelTextDropsPoliteness(t *testing.T) {
	for in, want := range map[string]string{
		"I'm afraid I don't understand all this.":  "I don't understand all this.",
		"I'd like to check my balance":             "check my balance",
		"No, that's all, bye":                      ", bye",
		"I'm afraid of losing my house":            "I'm afraid of losing my house",
		"Oh, hello dear. I'm sorry to bother you.": "Oh, hello dear. .",
		"My card was stolen and I'm scared":        "My card was stolen and I'm scared",
		"I want to check my balance.":              "check my balance.",
		"I need to cancel, this is ridiculous":     "cancel, this is ridiculous",
		"That's it. Take care.":                    "That's it. .",
		"Thanks, have a great day!":                "Thanks, !",
		"See you later!":                           "!",
		"I want my money back":                     "I want my money back",
		"I don't care, see your manager":           "I don't care, see your manager",
	} {
		if got := strings.Join(strings.Fields(ModelText(in)), " "); got != want {
			t.Errorf("ModelText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInContext(t *testing.T) {
	hostile := Score{Polarity: -0.9, Confidence: 0.9, Emotions: map[string]float64{
		EmotionAnger: 0.2, EmotionSadness: 0.6, EmotionSatisfaction: 0.1, EmotionNeutral: 0.1}}
	for _, tc := range []struct {
		name, text string
		cues       Cues
		minPol     float64
		lessOf     string // a gauge that must have lost weight
	}{
		{"apology", "I'm sorry I yelled, bad week", Cues{Apology: true}, 0, EmotionSadness},
		{"thanks", "thanks", Cues{Thanks: true}, calmPositive, EmotionAnger},
		{"acceptance", "fine, do that", Cues{Acceptance: true}, calmPositive, EmotionSadness},
	} {
		got := InContext(hostile, tc.text, tc.cues)
		if got.Polarity < tc.minPol {
			t.Errorf("%s: polarity %.2f, want at least %.2f", tc.name, got.Polarity, tc.minPol)
		}
		if got.Emotions[tc.lessOf] >= hostile.Emotions[tc.lessOf] {
			t.Errorf("%s: %s still %.2f", tc.name, tc.lessOf, got.Emotions[tc.lessOf])
		}
		var sum float64
		for _, v := range got.Emotions {
			sum += v
		}
		if sum < 0.999 || sum > 1.001 {
			t.Errorf("%s: gauges sum to %.3f", tc.name, sum)
		}
	}
	if hostile.Emotions[EmotionSadness] != 0.6 {
		t.Error("InContext changed its argument's gauges")
	}
	if got := InContext(hostile, "I'm sorry, get me a supervisor", Cues{Apology: true, Supervisor: "supervisor"}); got.Polarity != hostile.Polarity {
		t.Errorf("apology with a supervisor request read %.2f, want the model's %.2f", got.Polarity, hostile.Polarity)
	}
	if got := InContext(Score{Polarity: 0.6, Class: Positive, Emotions: map[string]float64{EmotionSatisfaction: 0.7, EmotionNeutral: 0.3}},
		"oh great, another fee", Cues{Sarcasm: true}); got.Class != Negative || got.Polarity > -sarcasmNegative || got.Emotions[EmotionFrustration] < 0.7 {
		t.Errorf("sarcasm read as %+v", got)
	}
	pleased := Score{Polarity: 0.5, Class: Positive, Emotions: map[string]float64{EmotionSatisfaction: 0.6, EmotionNeutral: 0.4}}
	for cues, want := range map[Cues]string{{Worry: true}: EmotionAnxiety, {Stuck: true}: EmotionFrustration} {
		got := InContext(pleased, "my payment is still pending", cues)
		if got.Class != Negative || got.Polarity > -problemNegative || top(got.Emotions) != want {
			t.Errorf("%+v read as %+v, want negative and %s", cues, got, want)
		}
	}
	happy := Score{Polarity: 0.8, Emotions: map[string]float64{EmotionSatisfaction: 0.8, EmotionNeutral: 0.2}}
	if got := InContext(happy, "sure", Cues{}); got.Polarity >= 0.8 || got.Emotions[EmotionSatisfaction] >= 0.8 {
		t.Errorf("bare \"sure\" kept its joy: %+v", got)
	}
}
