package assist

import (
	"math"
	"strings"
	"unicode"
)

// emotionCues are words and short phrases that signal one emotion in
// customer-service speech, with a weight. This is a hand-written interim
// model: it gives the gauges something true to show until a trained
// emotion model replaces it.
var emotionCues = map[string]map[string]float64{
	EmotionAnger: {
		"angry": 1, "furious": 1.2, "livid": 1.2, "outrageous": 1, "unacceptable": 1,
		"ridiculous": 0.9, "absurd": 0.8, "scam": 1, "rip off": 1, "ripoff": 1,
		"hate": 0.9, "pathetic": 1, "disgusting": 1, "insane": 0.7, "how dare": 1.2,
		"sick of": 1, "fed up": 1, "worst": 0.8, "terrible": 0.7, "awful": 0.7,
		"mad": 0.8, "joke": 0.5, "nonsense": 0.8, "incompetent": 1, "useless": 0.8,
		"stealing": 1, "robbery": 1, "lawyer": 0.6, "sue": 0.6,
	},
	EmotionFrustration: {
		"annoying": 0.9, "annoyed": 0.9, "frustrating": 1, "frustrated": 1,
		"again": 0.4, "still": 0.3, "third time": 0.9, "second time": 0.6,
		"every time": 0.6, "keep getting": 0.7, "keeps": 0.4, "on hold": 0.7,
		"waiting": 0.5, "waited": 0.6, "nobody": 0.5, "no one": 0.4,
		"not working": 0.6, "doesn't work": 0.6, "does not work": 0.6, "won't": 0.3,
		"can't believe": 0.8, "seriously": 0.6, "waste": 0.7, "hassle": 0.7,
		"already told": 0.9, "already explained": 0.9, "hours": 0.4, "forever": 0.6,
		"tired of": 0.8, "charged": 0.3, "fee": 0.3, "fees": 0.4,
	},
	EmotionSadness: {
		"sad": 1, "disappointed": 1, "disappointing": 0.9, "unfortunately": 0.5,
		"upset": 0.8, "let down": 1, "hurt": 0.7, "unhappy": 0.9, "miserable": 1,
		"heartbroken": 1.2, "can't afford": 0.9, "struggling": 0.8, "passed away": 1.2,
		"lost my job": 1, "depressed": 1, "sorry to say": 0.6,
	},
	EmotionFear: {
		"worried": 1, "scared": 1, "afraid": 1, "nervous": 0.9, "anxious": 1,
		"panic": 1, "panicking": 1, "fraud": 0.7, "stolen": 0.7, "stole": 0.6,
		"hacked": 0.9, "someone else": 0.5, "concerned": 0.7, "urgent": 0.6,
		"emergency": 0.8, "what if": 0.5, "identity theft": 1, "unauthorized": 0.6,
		"don't recognize": 0.6, "didn't make": 0.5, "suspicious": 0.7,
	},
	EmotionConfusion: {
		"confused": 1.2, "confusing": 1, "don't understand": 1.2, "do not understand": 1.2,
		"not sure": 0.6, "what do you mean": 1, "unclear": 0.8, "how do i": 0.5,
		"which one": 0.5, "i don't know": 0.6, "makes no sense": 1, "doesn't make sense": 1,
		"where do i": 0.6, "lost me": 1, "huh": 0.8, "i'm lost": 1, "what button": 0.8,
		"can you explain": 0.7, "explain": 0.4, "say that again": 0.7, "i don't see": 0.7,
		"can't find": 0.6, "where is": 0.4,
	},
	EmotionJoy: {
		"thanks": 0.7, "thank": 0.7, "great": 0.7, "perfect": 0.9, "wonderful": 1,
		"awesome": 1, "appreciate": 0.9, "happy": 0.8, "glad": 0.8, "excellent": 1,
		"relieved": 1, "relief": 0.9, "lovely": 0.9, "amazing": 1, "helpful": 0.8,
		"fantastic": 1, "brilliant": 1, "love": 0.7, "pleased": 0.8, "good": 0.3,
		"sounds good": 0.6, "that works": 0.5, "grateful": 1,
	},
}

// negators flip or cancel the cue that follows within negationWindow tokens.
var negators = map[string]bool{
	"not": true, "no": true, "never": true, "don't": true, "dont": true, "didn't": true,
	"isn't": true, "wasn't": true, "aren't": true, "won't": true, "can't": true, "nothing": true,
	"hardly": true, "without": true,
}

const negationWindow = 3

// emotionMix spreads one utterance over the gauges. Cue weights are summed
// per emotion; a negated joy cue ("not happy") counts as disappointment and a
// negated negative cue is dropped. Polarity without cues leans the mix
// towards frustration or joy. What intensity remains is neutral.
func emotionMix(text string, polarity float64) map[string]float64 {
	toks := tokens(text)
	raw := make(map[string]float64, len(Emotions))
	for i := range toks {
		for n := 3; n >= 1; n-- { // longest phrase first
			if i+n > len(toks) {
				continue
			}
			phrase := strings.Join(toks[i:i+n], " ")
			for emo, cues := range emotionCues {
				w, ok := cues[phrase]
				if !ok {
					continue
				}
				if negated(toks, i) {
					if emo == EmotionJoy {
						raw[EmotionSadness] += w * 0.7
						raw[EmotionFrustration] += w * 0.3
					}
					continue
				}
				raw[emo] += w
			}
		}
	}
	if strings.Count(text, "?") >= 2 {
		raw[EmotionConfusion] += 0.3
	}
	var cueSum float64
	for _, w := range raw {
		cueSum += w
	}
	if cueSum == 0 && math.Abs(polarity) >= NeutralBand {
		if polarity < 0 {
			raw[EmotionFrustration] += -polarity * 0.6
		} else {
			raw[EmotionJoy] += polarity * 0.6
		}
	}
	// Intensity saturates: two strong cues already make a clearly emotional line.
	var total float64
	for _, w := range raw {
		total += w
	}
	intensity := 1 - math.Exp(-total)
	mix := make(map[string]float64, len(Emotions))
	for _, e := range Emotions {
		mix[e] = 0
	}
	if total > 0 {
		for e, w := range raw {
			mix[e] = intensity * w / total
		}
	}
	mix[EmotionNeutral] = 1 - intensity
	return mix
}

func negated(toks []string, i int) bool {
	for j := max(0, i-negationWindow); j < i; j++ {
		if negators[toks[j]] || strings.HasSuffix(toks[j], "n't") {
			return true
		}
	}
	return false
}

// tokens lowercases text and splits it into words, keeping apostrophes
// inside words ("don't") and normalising curly ones.
func tokens(text string) []string {
	text = strings.ReplaceAll(strings.ToLower(text), "’", "'")
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
}
