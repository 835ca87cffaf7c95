package gui

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/shared/protocol"
)

// pollTemplate is a saved question the DJ can start with one tap.
type pollTemplate struct {
	Name     string
	Question string
	Options  []string
}

// prefPollTemplates keeps the DJ's own templates (JSON) in the app's
// preferences.
const prefPollTemplates = "pollTemplates"

// maxSavedTemplates bounds the DJ's own templates; the oldest go first.
const maxSavedTemplates = 20

// pollTemplates are the questions social-dance DJs ask most, in the
// window's language: the dancers read them as the DJ sends them.
func pollTemplates() []pollTemplate {
	return []pollTemplate{
		{Name: T("poll.template.style.name"), Question: T("poll.template.style.question"), Options: []string{"Salsa", "Bachata", "Kizomba"}},
		{Name: T("poll.template.tempo.name"), Question: T("poll.template.tempo.question"),
			Options: []string{T("poll.template.tempo.faster"), T("poll.template.tempo.right"), T("poll.template.tempo.slower")}},
		{Name: T("poll.template.break.name"), Question: T("poll.template.break.question"),
			Options: []string{T("poll.template.break.yes"), T("poll.template.break.no")}},
	}
}

// pollDurations are the choices of the duration picker; zero means the DJ
// closes the poll by hand.
var pollDurations = []struct {
	Label string
	Secs  int
}{
	{"Until I close it", 0},
	{"1 minute", 60},
	{"2 minutes", 120},
	{"5 minutes", 300},
	{"10 minutes", 600},
}

// pollEditor is the form that writes a poll: a question, 2–6 options, an
// optional duration, or a template that fills all of it.
type pollEditor struct {
	question  *widget.Entry
	options   []*widget.Entry
	optionBox *fyne.Container
	addBtn    *widget.Button
	removeBtn *widget.Button
	template  *widget.Select
	saveBtn   *widget.Button
	saved     []pollTemplate // the DJ's own, newest last
	prefs     fyne.Preferences
	duration  *widget.Select
	startBtn  *widget.Button
	errLabel  *note
	content   fyne.CanvasObject
	onStart   func(protocol.StartPoll) error
	durationS int
}

// newPollEditor makes the form; prefs (may be nil) keeps the DJ's own
// templates.
func newPollEditor(prefs fyne.Preferences, onStart func(protocol.StartPoll) error) *pollEditor {
	e := &pollEditor{onStart: onStart, prefs: prefs}
	e.question = widget.NewEntry()
	e.question.SetPlaceHolder(T("poll.question.placeholder"))
	e.optionBox = container.NewVBox()
	e.addBtn = widget.NewButtonWithIcon(T("poll.addOption"), theme.ContentAddIcon(), func() { e.addOption("") })
	e.removeBtn = widget.NewButtonWithIcon(T("poll.removeLast"), theme.ContentRemoveIcon(), e.removeOption)
	e.loadSaved()
	e.template = widget.NewSelect(nil, func(name string) {
		for _, t := range e.templates() {
			if t.Name == name {
				e.apply(t)
				return
			}
		}
	})
	e.template.PlaceHolder = T("poll.template.pick")
	e.updateTemplateNames()
	e.saveBtn = widget.NewButtonWithIcon(T("poll.template.save"), theme.DocumentSaveIcon(), e.saveTemplate)
	labels := make([]string, len(pollDurations))
	for i, d := range pollDurations {
		labels[i] = durationLabel(d.Label)
	}
	e.duration = widget.NewSelect(labels, func(l string) {
		for _, d := range pollDurations {
			if durationLabel(d.Label) == l {
				e.durationS = d.Secs
			}
		}
	})
	e.duration.SetSelectedIndex(0)
	e.errLabel = newErrorNote()
	e.startBtn = widget.NewButtonWithIcon(T("poll.start"), theme.MediaPlayIcon(), e.submit)
	e.startBtn.Importance = widget.HighImportance
	e.addOption("")
	e.addOption("")
	e.content = container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(T("poll.template"), e.template),
			widget.NewFormItem(T("poll.question"), e.question),
		),
		widget.NewLabelWithStyle(T("poll.options"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		e.optionBox,
		container.NewHBox(e.addBtn, e.removeBtn, e.saveBtn),
		widget.NewForm(widget.NewFormItem(T("poll.duration"), e.duration)),
		e.startBtn,
		e.errLabel,
	)
	return e
}

func (e *pollEditor) addOption(text string) {
	if len(e.options) >= protocol.MaxPollOptions {
		return
	}
	en := widget.NewEntry()
	en.SetPlaceHolder(T("poll.option", "N", len(e.options)+1))
	en.SetText(text)
	e.options = append(e.options, en)
	e.optionBox.Add(en)
	e.updateButtons()
}

func (e *pollEditor) removeOption() {
	if len(e.options) <= protocol.MinPollOptions {
		return
	}
	last := e.options[len(e.options)-1]
	e.options = e.options[:len(e.options)-1]
	e.optionBox.Remove(last)
	e.updateButtons()
}

func (e *pollEditor) updateButtons() {
	if len(e.options) >= protocol.MaxPollOptions {
		e.addBtn.Disable()
	} else {
		e.addBtn.Enable()
	}
	if len(e.options) <= protocol.MinPollOptions {
		e.removeBtn.Disable()
	} else {
		e.removeBtn.Enable()
	}
}

// apply fills the form from a template, keeping the chosen duration.
func (e *pollEditor) apply(t pollTemplate) {
	e.question.SetText(t.Question)
	for len(e.options) > len(t.Options) && len(e.options) > protocol.MinPollOptions {
		e.removeOption()
	}
	for len(e.options) < len(t.Options) {
		e.addOption("")
	}
	for i, o := range t.Options {
		e.options[i].SetText(o)
	}
	e.errLabel.SetText("")
}

// draft is the poll as the form describes it, validated by the protocol's
// own rules so the DJ hears about a problem before anything is sent.
func (e *pollEditor) draft() (protocol.StartPoll, error) {
	sp := protocol.StartPoll{Question: e.question.Text}
	for _, o := range e.options {
		sp.Options = append(sp.Options, o.Text)
	}
	if e.durationS > 0 {
		d := e.durationS
		sp.DurationS = &d
	}
	if err := sp.Validate(); err != nil {
		return sp, fmt.Errorf("the poll cannot start: %w", err)
	}
	return sp, nil
}

func (e *pollEditor) submit() {
	sp, err := e.draft()
	if err != nil {
		e.errLabel.SetText(errorText(err))
		return
	}
	if e.onStart == nil {
		return
	}
	if err := e.onStart(sp); err != nil {
		e.errLabel.SetText(errorText(err))
		return
	}
	e.errLabel.SetText("")
}

// SetEnabled allows starting polls only while live.
func (e *pollEditor) SetEnabled(on bool) {
	if on {
		e.startBtn.Enable()
	} else {
		e.startBtn.Disable()
	}
}

// templates are the built-in templates and the DJ's own.
func (e *pollEditor) templates() []pollTemplate {
	return append(pollTemplates(), e.saved...)
}

func (e *pollEditor) updateTemplateNames() {
	var names []string
	for _, t := range e.templates() {
		names = append(names, t.Name)
	}
	e.template.SetOptions(names)
}

// loadSaved reads the DJ's templates; a damaged entry is dropped, never
// fatal.
func (e *pollEditor) loadSaved() {
	if e.prefs == nil {
		return
	}
	raw := e.prefs.String(prefPollTemplates)
	if raw == "" {
		return
	}
	var saved []pollTemplate
	if err := json.Unmarshal([]byte(raw), &saved); err != nil {
		slog.Warn("gui: saved poll templates unreadable; ignoring them", "err", err)
		return
	}
	for _, t := range saved {
		sp := protocol.StartPoll{Question: t.Question, Options: slices.Clone(t.Options)}
		if sp.Validate() == nil && t.Name != "" {
			e.saved = append(e.saved, t)
		}
	}
}

// saveTemplate keeps the form's question and options as a template named
// after the question; one with the same name is replaced.
func (e *pollEditor) saveTemplate() {
	sp, err := e.draft()
	if err != nil {
		e.errLabel.SetText(errorText(err))
		return
	}
	t := pollTemplate{Name: sp.Question, Question: sp.Question, Options: sp.Options}
	for _, b := range pollTemplates() {
		if b.Name == t.Name {
			t.Name = T("poll.template.mine", "Name", t.Name)
		}
	}
	e.saved = slices.DeleteFunc(e.saved, func(o pollTemplate) bool { return o.Name == t.Name })
	e.saved = append(e.saved, t)
	if len(e.saved) > maxSavedTemplates {
		e.saved = e.saved[len(e.saved)-maxSavedTemplates:]
	}
	if e.prefs != nil {
		data, err := json.Marshal(e.saved)
		if err != nil {
			e.errLabel.SetText(T("poll.template.saveFailed", "Error", errorDetail(err)))
			return
		}
		e.prefs.SetString(prefPollTemplates, string(data))
	}
	e.updateTemplateNames()
	e.errLabel.SetText("")
}
