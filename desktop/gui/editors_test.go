package gui

import (
	"errors"
	"image/color"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/pikadj/pika/shared/protocol"
)

func TestPollEditorTemplatesAndValidation(t *testing.T) {
	test.NewTempApp(t)
	tests := []struct {
		name     string
		fill     func(e *pollEditor)
		wantErr  string // substring of the error label; "" means it starts
		wantQ    string
		wantOpts []string
		wantDur  *int
	}{
		{
			name:     "template Tempo?",
			fill:     func(e *pollEditor) { e.template.SetSelected("Tempo?") },
			wantQ:    "How is the tempo?",
			wantOpts: []string{"Faster", "Just right", "Slower"},
		},
		{
			name: "typed with duration",
			fill: func(e *pollEditor) {
				test.Type(e.question, "  Salsa or bachata?  ")
				test.Type(e.options[0], "Salsa")
				test.Type(e.options[1], "Bachata")
				e.duration.SetSelected("2 minutes")
			},
			wantQ:    "Salsa or bachata?",
			wantOpts: []string{"Salsa", "Bachata"},
			wantDur:  intPtr(120),
		},
		{
			name:    "empty question",
			fill:    func(e *pollEditor) { test.Type(e.options[0], "a"); test.Type(e.options[1], "b") },
			wantErr: "question is required",
		},
		{
			name: "empty option",
			fill: func(e *pollEditor) {
				test.Type(e.question, "Q?")
				test.Type(e.options[0], "a")
			},
			wantErr: "option 2 is empty",
		},
		{
			name: "repeated option",
			fill: func(e *pollEditor) {
				test.Type(e.question, "Q?")
				test.Type(e.options[0], "Salsa")
				test.Type(e.options[1], "salsa")
			},
			wantErr: "option 2 repeats another",
		},
		{
			name: "question too long",
			fill: func(e *pollEditor) {
				e.question.SetText(strings.Repeat("é", protocol.MaxQuestionLen+1))
				test.Type(e.options[0], "a")
				test.Type(e.options[1], "b")
			},
			wantErr: "longer than 200",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []protocol.StartPoll
			e := newPollEditor(nil, func(sp protocol.StartPoll) error { got = append(got, sp); return nil })
			test.NewTempWindow(t, e.content)
			tc.fill(e)
			test.Tap(e.startBtn)
			if tc.wantErr != "" {
				if len(got) != 0 {
					t.Fatalf("poll started despite error: %+v", got)
				}
				if !strings.Contains(e.errLabel.Text, tc.wantErr) {
					t.Fatalf("error label %q, want it to contain %q", e.errLabel.Text, tc.wantErr)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("started %d polls (error label %q), want 1", len(got), e.errLabel.Text)
			}
			sp := got[0]
			if sp.Question != tc.wantQ || strings.Join(sp.Options, "|") != strings.Join(tc.wantOpts, "|") {
				t.Fatalf("started %q %q, want %q %q", sp.Question, sp.Options, tc.wantQ, tc.wantOpts)
			}
			if (sp.DurationS == nil) != (tc.wantDur == nil) || sp.DurationS != nil && *sp.DurationS != *tc.wantDur {
				t.Fatalf("duration %v, want %v", sp.DurationS, tc.wantDur)
			}
		})
	}
}

func TestPollEditorOptionCountBounds(t *testing.T) {
	test.NewTempApp(t)
	e := newPollEditor(nil, nil)
	test.NewTempWindow(t, e.content)
	if !e.removeBtn.Disabled() {
		t.Fatal("remove is enabled with 2 options")
	}
	for range 10 {
		test.Tap(e.addBtn)
	}
	if len(e.options) != protocol.MaxPollOptions || !e.addBtn.Disabled() {
		t.Fatalf("%d options, add disabled %v; want %d and disabled", len(e.options), e.addBtn.Disabled(), protocol.MaxPollOptions)
	}
	for range 10 {
		test.Tap(e.removeBtn)
	}
	if len(e.options) != protocol.MinPollOptions {
		t.Fatalf("%d options after removing, want %d", len(e.options), protocol.MinPollOptions)
	}
}

func TestPollEditorShowsRelayRefusal(t *testing.T) {
	test.NewTempApp(t)
	e := newPollEditor(nil, func(protocol.StartPoll) error { return errors.New("not live: go live first") })
	test.NewTempWindow(t, e.content)
	e.template.SetSelected("Next style?")
	test.Tap(e.startBtn)
	if e.errLabel.Text != "Not live: go live first" {
		t.Fatalf("error label %q", e.errLabel.Text)
	}
}

func TestAnnounceEditorCounterAndPush(t *testing.T) {
	test.NewTempApp(t)
	tests := []struct {
		name        string
		text        string
		duration    string
		wantCounter string
		wantErr     string
		wantDur     *int
	}{
		{name: "short", text: "Water is free at the bar", wantCounter: "24 / 280"},
		{name: "with duration", text: "Last dance at 2", duration: "5 minutes", wantCounter: "15 / 280", wantDur: intPtr(300)},
		{name: "exactly 280 runes", text: strings.Repeat("ü", 280), wantCounter: "280 / 280"},
		{name: "281 runes", text: strings.Repeat("ü", 281), wantCounter: "281 / 280", wantErr: "longer than 280"},
		{name: "blank", text: "   ", wantCounter: "3 / 280", wantErr: "text is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []protocol.Announce
			e := newAnnounceEditor(func(a protocol.Announce) error { got = append(got, a); return nil })
			test.NewTempWindow(t, e.content)
			e.text.SetText(tc.text)
			if e.counter.Text != tc.wantCounter {
				t.Fatalf("counter %q, want %q", e.counter.Text, tc.wantCounter)
			}
			if tc.duration != "" {
				e.duration.SetSelected(tc.duration)
			}
			test.Tap(e.pushBtn)
			if tc.wantErr != "" {
				if len(got) != 0 || !strings.Contains(e.errLabel.Text, tc.wantErr) {
					t.Fatalf("pushed %d, error %q; want none and %q", len(got), e.errLabel.Text, tc.wantErr)
				}
				if e.text.Text != tc.text {
					t.Fatal("a refused message was cleared from the box")
				}
				return
			}
			if len(got) != 1 || got[0].Text != strings.TrimSpace(tc.text) {
				t.Fatalf("pushed %+v (error %q)", got, e.errLabel.Text)
			}
			if (got[0].DurationS == nil) != (tc.wantDur == nil) || got[0].DurationS != nil && *got[0].DurationS != *tc.wantDur {
				t.Fatalf("duration %v, want %v", got[0].DurationS, tc.wantDur)
			}
			if e.text.Text != "" || e.counter.Text != "0 / 280" {
				t.Fatalf("after push: text %q counter %q", e.text.Text, e.counter.Text)
			}
		})
	}
}

func TestTempoAndLikeLines(t *testing.T) {
	tests := []struct {
		tally protocol.TempoTally
		want  string
	}{
		{protocol.TempoTally{}, "No tempo votes yet"},
		{protocol.TempoTally{Faster: 12, Perfect: 30, Slower: 4}, "↑ 12 faster · 30 perfect · ↓ 4 slower"},
		{protocol.TempoTally{Slower: 1}, "↑ 0 faster · 0 perfect · ↓ 1 slower"},
	}
	for _, tc := range tests {
		if got := tempoLine(tc.tally); got != tc.want {
			t.Errorf("tempoLine(%+v) = %q, want %q", tc.tally, got, tc.want)
		}
	}
	for n, want := range map[int]string{0: "No likes yet", 1: "♥ 1 like", 7: "♥ 7 likes"} {
		if got := likesLine(n); got != want {
			t.Errorf("likesLine(%d) = %q, want %q", n, got, want)
		}
	}
}

func intPtr(v int) *int { return &v }

func TestThemeIsDarkUnlessChosen(t *testing.T) {
	h := newHarness(t, pikaConfig())
	dark := h.app.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantLight)
	h.show(paneSettings)
	h.tap(h.g.settings.light)
	light := h.app.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantDark)
	if luminance(dark) > 0.2 || luminance(light) < 0.8 {
		t.Fatalf("background dark %v (want dark by default), light %v", dark, light)
	}
	if !h.app.Preferences().Bool(prefLightTheme) {
		t.Fatal("the choice is not remembered")
	}
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}

func TestPollEditorSavesTemplates(t *testing.T) {
	a := test.NewTempApp(t)
	e := newPollEditor(a.Preferences(), nil)
	test.NewTempWindow(t, e.content)
	test.Type(e.question, "Zouk or kizomba?")
	test.Type(e.options[0], "Zouk")
	test.Type(e.options[1], "Kizomba")
	test.Tap(e.saveBtn)
	test.Tap(e.addBtn) // an empty option: not saved
	test.Tap(e.saveBtn)
	if !strings.Contains(e.errLabel.Text, "option 3 is empty") {
		t.Fatalf("error %q", e.errLabel.Text)
	}

	// A new form (the next start of the app) offers it beside the built-ins.
	again := newPollEditor(a.Preferences(), nil)
	test.NewTempWindow(t, again.content)
	if n := len(again.template.Options); n != len(pollTemplates())+1 {
		t.Fatalf("%d templates offered, want %d", n, len(pollTemplates())+1)
	}
	again.template.SetSelected("Zouk or kizomba?")
	if again.question.Text != "Zouk or kizomba?" || len(again.options) != 2 || again.options[1].Text != "Kizomba" {
		t.Fatalf("template applied as %q %d", again.question.Text, len(again.options))
	}

	// Damaged preferences are ignored, not fatal.
	a.Preferences().SetString(prefPollTemplates, "{not json")
	if n := len(newPollEditor(a.Preferences(), nil).template.Options); n != len(pollTemplates()) {
		t.Fatalf("%d templates from damaged preferences", n)
	}
}
