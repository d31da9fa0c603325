// Package theme holds every colour and text style of the agent and
// supervisor views. A
// semantic Palette names colours by meaning (customer, agent, negative,
// critical…); New expands it into Styles, grouped per pane, so the panes
// never name a colour themselves. Plain returns the same styles without any
// colour, for tests and for terminals where NO_COLOR is set.
package theme

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Palette is the set of semantic colours a theme is built from.
type Palette struct {
	Text        color.Color // body text
	Muted       color.Color // secondary text: labels, reasons, timestamps
	Faint       color.Color // tertiary text: tracks, separators, partial lines
	Accent      color.Color // focus, selection, titles
	Border      color.Color // pane borders
	Customer    color.Color // the customer's label
	Agent       color.Color // the agent's label
	Positive    color.Color // good sentiment, helpful marks, joy
	Negative    color.Color // bad sentiment, not-helpful marks, anger
	Warning     color.Color // warning alerts, offers
	Critical    color.Color // critical alerts, risk
	Info        color.Color // info alerts, articles
	HeaderBg    color.Color // the header bar's background
	SelectionBg color.Color // background of the selected suggestion's number
	Generated   color.Color // text a model server wrote: drafts, generated summaries, translations
}

// DefaultPalette returns the palette for a dark or a light terminal background.
func DefaultPalette(isDark bool) Palette {
	ld := lipgloss.LightDark(isDark)
	c := lipgloss.Color
	return Palette{
		Text:        ld(c("#1F2328"), c("#E6E6E6")),
		Muted:       ld(c("#6E7781"), c("#9DA5B4")),
		Faint:       ld(c("#AFB8C1"), c("#5C6370")),
		Accent:      ld(c("#6F42C1"), c("#B48EF0")),
		Border:      ld(c("#D0D7DE"), c("#3E4451")),
		Customer:    ld(c("#0969DA"), c("#61AFEF")),
		Agent:       ld(c("#1A7F37"), c("#98C379")),
		Positive:    ld(c("#1A7F37"), c("#7FD18B")),
		Negative:    ld(c("#CF222E"), c("#F07178")),
		Warning:     ld(c("#9A6700"), c("#E5C07B")),
		Critical:    ld(c("#A40E26"), c("#FF5370")),
		Info:        ld(c("#0550AE"), c("#56B6C2")),
		HeaderBg:    ld(c("#EAEEF2"), c("#21252B")),
		SelectionBg: ld(c("#DDD6FE"), c("#3B2F5C")),
		Generated:   ld(c("#BF3989"), c("#E28DD0")),
	}
}

// Styles is every style the views draw with, grouped per pane; the
// supervisor's table has a group of its own and shares the frame, header
// and help styles.
type Styles struct {
	// Plain is true for the colourless theme.
	Plain           bool
	Frame           FrameStyles
	Header          HeaderStyles
	Transcript      TranscriptStyles
	Suggestions     SuggestionStyles
	Gauges          GaugeStyles
	Recommendations RecommendationStyles
	Summary         SummaryStyles
	Help            HelpStyles
	Supervisor      SupervisorStyles
}

// FrameStyles draw the border and title around every pane. A focused pane
// uses the focused border, so focus shows even without colour.
type FrameStyles struct {
	Border        lipgloss.Border
	FocusedBorder lipgloss.Border
	Line          lipgloss.Style // border characters of an unfocused pane
	FocusedLine   lipgloss.Style // border characters of the focused pane
	Title         lipgloss.Style
	FocusedTitle  lipgloss.Style
	Info          lipgloss.Style // the right-hand note in the top border
}

// HeaderStyles draw the two-line call header.
type HeaderStyles struct {
	Bar     lipgloss.Style // the whole header line, background included
	Title   lipgloss.Style
	ID      lipgloss.Style
	Label   lipgloss.Style
	Value   lipgloss.Style
	Live    lipgloss.Style // the live-call dot
	Ended   lipgloss.Style // the ended-call mark
	Clock   lipgloss.Style
	Status  lipgloss.Style // model status
	Playing lipgloss.Style
	Paused  lipgloss.Style
	Sep     lipgloss.Style
	// Degraded marks the model server as failing or switched off by its
	// circuit breaker: a warning, since drafts are missing meanwhile.
	Degraded lipgloss.Style
}

// TranscriptStyles draw the transcript pane.
type TranscriptStyles struct {
	Time         lipgloss.Style
	Customer     lipgloss.Style // the customer's label
	Agent        lipgloss.Style // the agent's label
	CustomerText lipgloss.Style
	AgentText    lipgloss.Style
	Partial      lipgloss.Style // a line still being recognised
	Empty        lipgloss.Style // the placeholder of an empty pane

	// A machine translation under an utterance reads as secondary to the
	// words actually said, and its mark wears the colour of model output,
	// so the agent never takes a model's rendering for the customer's own
	// words.
	Translation     lipgloss.Style
	TranslationMark lipgloss.Style // the "↳ en · machine" mark

	// Composer is the agent's reply being written to a chat, under the
	// transcript.
	Composer textarea.Styles
}

// SuggestionStyles draw the suggestions pane.
type SuggestionStyles struct {
	Number         lipgloss.Style
	SelectedNumber lipgloss.Style
	Pointer        lipgloss.Style // the marker beside the selected suggestion
	Percent        lipgloss.Style
	BarFill        lipgloss.Style
	BarEmpty       lipgloss.Style
	Source         lipgloss.Style
	Article        lipgloss.Style
	Text           lipgloss.Style
	SelectedText   lipgloss.Style
	Helpful        lipgloss.Style
	NotHelpful     lipgloss.Style
	Used           lipgloss.Style
	Abstain        lipgloss.Style
	Empty          lipgloss.Style

	// A generated draft looks unlike the knowledge-base and history
	// replies, so the agent never mistakes model output for vetted text.
	DraftBadge        lipgloss.Style // the "✎ draft" badge
	DraftText         lipgloss.Style
	DraftSelectedText lipgloss.Style
	DraftCursor       lipgloss.Style // the cursor at the end of a draft still streaming
}

// GaugeStyles draw the emotion gauges.
type GaugeStyles struct {
	Label    lipgloss.Style
	Negative lipgloss.Style // the fill left of zero
	Positive lipgloss.Style // the fill right of zero
	Track    lipgloss.Style // the unfilled part of a gauge or bar
	Zero     lipgloss.Style // the centre mark
	Value    lipgloss.Style
	Spark    lipgloss.Style
	Up       lipgloss.Style // trend arrow: getting happier
	Down     lipgloss.Style // trend arrow: getting angrier
	Flat     lipgloss.Style
	Emotion  lipgloss.Style // an emotion's name
	Bar      lipgloss.Style // an emotion's fill
	HotBar   lipgloss.Style // fill of a negative emotion above the alarm level
	JoyBar   lipgloss.Style // fill of a positive emotion
	Empty    lipgloss.Style
	// Blended tags a score a model server had a hand in, in the colour of
	// model output.
	Blended lipgloss.Style
}

// RecommendationStyles draw the recommendations and alerts pane.
type RecommendationStyles struct {
	Action   lipgloss.Style
	Article  lipgloss.Style
	Offer    lipgloss.Style
	Escalate lipgloss.Style
	Risk     lipgloss.Style
	Other    lipgloss.Style
	Title    lipgloss.Style
	Reason   lipgloss.Style
	Heading  lipgloss.Style // the alerts sub-heading
	Info     lipgloss.Style
	Warning  lipgloss.Style
	Critical lipgloss.Style
	Alert    lipgloss.Style // an alert's text
	Summary  lipgloss.Style // the tag of the call summary's entry
	Coach    lipgloss.Style // the tag of a supervisor's coaching note
	Empty    lipgloss.Style

	// A guided flow's checklist sits above the recommendations. The next
	// step wears the accent so the eye lands on it first; steps missed
	// when the call ended wear the warning colour, since they are what a
	// supervisor or the agent's wrap-up has to follow up on.
	FlowTitle    lipgloss.Style // "Flow: <title>"
	FlowDone     lipgloss.Style // a ticked step
	FlowTodo     lipgloss.Style // a step not done yet
	FlowNext     lipgloss.Style // the recommended next step
	FlowMissed   lipgloss.Style // steps not done when the call ended
	FlowComplete lipgloss.Style // "all steps done" at the end of the call
}

// SummaryStyles draw the call summary overlay.
type SummaryStyles struct {
	Label        lipgloss.Style // field names: reason, situation…
	Value        lipgloss.Style
	Generated    lipgloss.Style // the badge of a summary a model server wrote
	Extractive   lipgloss.Style // the badge of a summary picked from the transcript
	Satisfied    lipgloss.Style
	Neutral      lipgloss.Style
	Dissatisfied lipgloss.Style
	Entity       lipgloss.Style
	Pending      lipgloss.Style // "summarizing…"
	Hint         lipgloss.Style // how to close the overlay
}

// SupervisorStyles draw the supervisor's queue lines, call table and
// filter. The table styles are colours and text attributes only (no
// width, padding or border), so the table can write each as the escape
// sequences around its text.
type SupervisorStyles struct {
	ColumnHead lipgloss.Style // the table's column names
	Label      lipgloss.Style // words around figures
	Value      lipgloss.Style // figures
	Negative   lipgloss.Style // a negative sentiment value
	Positive   lipgloss.Style // a positive sentiment value
	Up         lipgloss.Style // trend: getting happier
	Down       lipgloss.Style // trend: getting angrier
	Flat       lipgloss.Style
	Spark      lipgloss.Style
	Alerts     lipgloss.Style // a non-zero alert count
	Reason     lipgloss.Style // the last alert's reason
	Recent     lipgloss.Style // a row's flag, count and reason after a new alert
	Ended      lipgloss.Style // a whole ended row
	Selected   lipgloss.Style // a whole selected row
	Pointer    lipgloss.Style // the selection mark
	Empty      lipgloss.Style // placeholder text
	// Filter is the filter input's.
	Filter textinput.Styles
}

// HelpStyles draw the help bar and the status note beside it.
type HelpStyles struct {
	Keys  help.Styles
	Note  lipgloss.Style
	Error lipgloss.Style
}

// New returns the coloured theme for a dark or a light background.
func New(isDark bool) Styles {
	return FromPalette(DefaultPalette(isDark))
}

// FromPalette expands a palette into styles.
func FromPalette(p Palette) Styles {
	s := lipgloss.NewStyle
	fg := func(c color.Color) lipgloss.Style { return s().Foreground(c) }
	return Styles{
		Frame: FrameStyles{
			Border:        lipgloss.RoundedBorder(),
			FocusedBorder: lipgloss.RoundedBorder(),
			Line:          fg(p.Border),
			FocusedLine:   fg(p.Accent),
			Title:         fg(p.Muted).Bold(true),
			FocusedTitle:  fg(p.Accent).Bold(true),
			Info:          fg(p.Muted),
		},
		Header: HeaderStyles{
			Bar:     s().Background(p.HeaderBg).Foreground(p.Text),
			Title:   s().Background(p.HeaderBg).Foreground(p.Text).Bold(true),
			ID:      s().Background(p.HeaderBg).Foreground(p.Muted),
			Label:   s().Background(p.HeaderBg).Foreground(p.Muted),
			Value:   s().Background(p.HeaderBg).Foreground(p.Text),
			Live:    s().Background(p.HeaderBg).Foreground(p.Negative).Bold(true),
			Ended:   s().Background(p.HeaderBg).Foreground(p.Muted).Bold(true),
			Clock:   s().Background(p.HeaderBg).Foreground(p.Text).Bold(true),
			Status:  s().Background(p.HeaderBg).Foreground(p.Info),
			Playing: s().Background(p.HeaderBg).Foreground(p.Positive),
			Paused:  s().Background(p.HeaderBg).Foreground(p.Warning).Bold(true),
			Sep:     s().Background(p.HeaderBg).Foreground(p.Faint),

			Degraded: s().Background(p.HeaderBg).Foreground(p.Warning).Bold(true),
		},
		Transcript: TranscriptStyles{
			Time:         fg(p.Faint),
			Customer:     fg(p.Customer).Bold(true),
			Agent:        fg(p.Agent).Bold(true),
			CustomerText: fg(p.Text),
			AgentText:    fg(p.Text),
			Partial:      fg(p.Muted).Italic(true),
			Empty:        fg(p.Muted).Italic(true),

			Translation:     fg(p.Muted).Italic(true),
			TranslationMark: fg(p.Generated),
			Composer:        composerStyles(fg(p.Text), fg(p.Faint), fg(p.Agent).Bold(true), p.Accent),
		},
		Suggestions: SuggestionStyles{
			Number:         fg(p.Muted).Bold(true),
			SelectedNumber: s().Background(p.SelectionBg).Foreground(p.Accent).Bold(true),
			Pointer:        fg(p.Accent).Bold(true),
			Percent:        fg(p.Text),
			BarFill:        fg(p.Accent),
			BarEmpty:       fg(p.Faint),
			Source:         fg(p.Info),
			Article:        fg(p.Muted),
			Text:           fg(p.Muted),
			SelectedText:   fg(p.Text),
			Helpful:        fg(p.Positive).Bold(true),
			NotHelpful:     fg(p.Negative).Bold(true),
			Used:           fg(p.Accent).Bold(true),
			Abstain:        fg(p.Warning),
			Empty:          fg(p.Muted).Italic(true),

			DraftBadge:        fg(p.Generated).Bold(true),
			DraftText:         fg(p.Muted).Italic(true),
			DraftSelectedText: fg(p.Text).Italic(true),
			DraftCursor:       fg(p.Generated),
		},
		Gauges: GaugeStyles{
			Label:    fg(p.Muted).Bold(true),
			Negative: fg(p.Negative),
			Positive: fg(p.Positive),
			Track:    fg(p.Faint),
			Zero:     fg(p.Muted),
			Value:    fg(p.Text).Bold(true),
			Spark:    fg(p.Info),
			Up:       fg(p.Positive).Bold(true),
			Down:     fg(p.Negative).Bold(true),
			Flat:     fg(p.Muted),
			Emotion:  fg(p.Muted),
			Bar:      fg(p.Warning),
			HotBar:   fg(p.Negative),
			JoyBar:   fg(p.Positive),
			Empty:    fg(p.Muted).Italic(true),
			Blended:  fg(p.Generated),
		},
		Recommendations: RecommendationStyles{
			Action:   fg(p.Accent).Bold(true),
			Article:  fg(p.Info).Bold(true),
			Offer:    fg(p.Positive).Bold(true),
			Escalate: fg(p.Warning).Bold(true),
			Risk:     fg(p.Critical).Bold(true),
			Other:    fg(p.Muted).Bold(true),
			Title:    fg(p.Text),
			Reason:   fg(p.Muted),
			Heading:  fg(p.Muted).Bold(true),
			Info:     fg(p.Info),
			Warning:  fg(p.Warning).Bold(true),
			Critical: fg(p.Critical).Bold(true).Reverse(true),
			Alert:    fg(p.Text),
			Summary:  fg(p.Generated).Bold(true),
			Coach:    fg(p.Accent).Bold(true).Reverse(true),
			Empty:    fg(p.Muted).Italic(true),

			FlowTitle:    fg(p.Text).Bold(true),
			FlowDone:     fg(p.Muted),
			FlowTodo:     fg(p.Text),
			FlowNext:     fg(p.Accent).Bold(true),
			FlowMissed:   fg(p.Warning).Bold(true),
			FlowComplete: fg(p.Positive),
		},
		Summary: SummaryStyles{
			Label:        fg(p.Muted).Bold(true),
			Value:        fg(p.Text),
			Generated:    fg(p.Generated).Bold(true),
			Extractive:   fg(p.Info),
			Satisfied:    fg(p.Positive).Bold(true),
			Neutral:      fg(p.Text),
			Dissatisfied: fg(p.Negative).Bold(true),
			Entity:       fg(p.Info),
			Pending:      fg(p.Muted).Italic(true),
			Hint:         fg(p.Faint),
		},
		Help: HelpStyles{
			Keys: help.Styles{
				Ellipsis:       fg(p.Faint),
				ShortKey:       fg(p.Muted).Bold(true),
				ShortDesc:      fg(p.Faint),
				ShortSeparator: fg(p.Faint),
				FullKey:        fg(p.Muted).Bold(true),
				FullDesc:       fg(p.Faint),
				FullSeparator:  fg(p.Faint),
			},
			Note:  fg(p.Accent),
			Error: fg(p.Negative).Bold(true),
		},
		Supervisor: SupervisorStyles{
			ColumnHead: fg(p.Muted).Bold(true),
			Label:      fg(p.Muted),
			Value:      fg(p.Text),
			Negative:   fg(p.Negative),
			Positive:   fg(p.Positive),
			Up:         fg(p.Positive).Bold(true),
			Down:       fg(p.Negative).Bold(true),
			Flat:       fg(p.Muted),
			Spark:      fg(p.Info),
			Alerts:     fg(p.Warning).Bold(true),
			Reason:     fg(p.Muted),
			Recent:     fg(p.Critical).Bold(true).Reverse(true),
			Ended:      fg(p.Faint),
			Selected:   s().Background(p.SelectionBg).Foreground(p.Text),
			Pointer:    fg(p.Accent).Bold(true),
			Empty:      fg(p.Muted).Italic(true),
			Filter:     filterStyles(fg(p.Muted).Bold(true), fg(p.Faint), p.Accent),
		},
	}
}

// composerStyles style the reply composer: its text, the placeholder,
// the prompt, and a steady cursor (a blinking one would redraw the view
// twice a second for nothing).
func composerStyles(text, placeholder, prompt lipgloss.Style, cursor color.Color) textarea.Styles {
	state := textarea.StyleState{
		Base:        lipgloss.NewStyle(),
		Text:        text,
		CursorLine:  text,
		Placeholder: placeholder,
		Prompt:      prompt,
		EndOfBuffer: placeholder,
	}
	return textarea.Styles{
		Focused: state,
		Blurred: state,
		Cursor:  textarea.CursorStyle{Color: cursor, Shape: tea.CursorBlock},
	}
}

// filterStyles style a filter input: its prompt like a help key, the
// placeholder like a help description, the cursor in cursor.
func filterStyles(prompt, placeholder lipgloss.Style, cursor color.Color) textinput.Styles {
	state := textinput.StyleState{
		Text:        lipgloss.NewStyle(),
		Placeholder: placeholder,
		Suggestion:  placeholder,
		Prompt:      prompt,
	}
	return textinput.Styles{
		Focused: state,
		Blurred: state,
		Cursor:  textinput.CursorStyle{Color: cursor, Shape: tea.CursorBlock},
	}
}

// Plain returns the colourless theme. It keeps text attributes (bold,
// faint, italic, reverse), which NO_COLOR allows, and shows focus with a
// thick border instead of a colour.
func Plain() Styles {
	s := lipgloss.NewStyle
	bold := s().Bold(true)
	faint := s().Faint(true)
	italic := s().Italic(true)
	return Styles{
		Plain: true,
		Frame: FrameStyles{
			Border:        lipgloss.RoundedBorder(),
			FocusedBorder: lipgloss.ThickBorder(),
			Line:          s(),
			FocusedLine:   s(),
			Title:         bold,
			FocusedTitle:  bold,
			Info:          faint,
		},
		Header: HeaderStyles{
			Bar: s(), Title: bold, ID: faint, Label: faint, Value: s(),
			Live: bold, Ended: bold, Clock: bold, Status: s(),
			Playing: s(), Paused: bold, Sep: faint, Degraded: bold,
		},
		Transcript: TranscriptStyles{
			Time: faint, Customer: bold, Agent: bold,
			CustomerText: s(), AgentText: s(), Partial: faint.Italic(true), Empty: italic,
			Translation: faint.Italic(true), TranslationMark: faint,
			Composer: composerStyles(s(), faint, bold, lipgloss.NoColor{}),
		},
		Suggestions: SuggestionStyles{
			Number: bold, SelectedNumber: bold.Reverse(true), Pointer: bold,
			Percent: s(), BarFill: s(), BarEmpty: faint, Source: s(), Article: faint,
			Text: s(), SelectedText: s(), Helpful: bold, NotHelpful: bold, Used: bold,
			Abstain: bold, Empty: italic,
			DraftBadge: bold.Reverse(true), DraftText: italic, DraftSelectedText: italic, DraftCursor: s(),
		},
		Gauges: GaugeStyles{
			Label: bold, Negative: s(), Positive: s(), Track: faint, Zero: s(),
			Value: bold, Spark: s(), Up: bold, Down: bold, Flat: s(),
			Emotion: s(), Bar: s(), HotBar: bold, JoyBar: s(), Empty: italic,
			Blended: bold,
		},
		Recommendations: RecommendationStyles{
			Action: bold, Article: bold, Offer: bold, Escalate: bold, Risk: bold, Other: bold,
			Title: s(), Reason: faint, Heading: bold,
			Info: s(), Warning: bold, Critical: bold.Reverse(true), Alert: s(), Summary: bold, Coach: bold.Reverse(true), Empty: italic,
			FlowTitle: bold, FlowDone: faint, FlowTodo: s(), FlowNext: bold, FlowMissed: bold, FlowComplete: s(),
		},
		Summary: SummaryStyles{
			Label: bold, Value: s(), Generated: bold.Reverse(true), Extractive: s(),
			Satisfied: s(), Neutral: s(), Dissatisfied: bold, Entity: s(), Pending: italic, Hint: faint,
		},
		Help: HelpStyles{
			Keys: help.Styles{
				Ellipsis: faint, ShortKey: bold, ShortDesc: s(), ShortSeparator: faint,
				FullKey: bold, FullDesc: s(), FullSeparator: faint,
			},
			Note:  bold,
			Error: bold,
		},
		Supervisor: SupervisorStyles{
			ColumnHead: bold, Label: faint, Value: s(), Negative: s(), Positive: s(),
			Up: bold, Down: bold, Flat: s(), Spark: s(), Alerts: bold, Reason: faint,
			Recent: bold.Reverse(true), Ended: faint, Selected: s().Reverse(true), Pointer: bold, Empty: italic,
			Filter: filterStyles(bold, s(), lipgloss.NoColor{}),
		},
	}
}
