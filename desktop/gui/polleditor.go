package gui

import (
	"fmt"

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

// pollTemplates are the questions social-dance DJs ask most.
var pollTemplates = []pollTemplate{
	{Name: "Next style?", Question: "What style next?", Options: []string{"Salsa", "Bachata", "Kizomba"}},
	{Name: "Tempo?", Question: "How is the tempo?", Options: []string{"Faster", "Just right", "Slower"}},
	{Name: "Break?", Question: "A short break soon?", Options: []string{"Yes, please", "Keep dancing"}},
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
	duration  *widget.Select
	startBtn  *widget.Button
	errLabel  *note
	content   fyne.CanvasObject
	onStart   func(protocol.StartPoll) error
	durationS int
}

func newPollEditor(onStart func(protocol.StartPoll) error) *pollEditor {
	e := &pollEditor{onStart: onStart}
	e.question = widget.NewEntry()
	e.question.SetPlaceHolder("Question for the dancers")
	e.optionBox = container.NewVBox()
	e.addBtn = widget.NewButtonWithIcon("Add option", theme.ContentAddIcon(), func() { e.addOption("") })
	e.removeBtn = widget.NewButtonWithIcon("Remove last", theme.ContentRemoveIcon(), e.removeOption)
	names := make([]string, len(pollTemplates))
	for i, t := range pollTemplates {
		names[i] = t.Name
	}
	e.template = widget.NewSelect(names, func(name string) {
		for _, t := range pollTemplates {
			if t.Name == name {
				e.apply(t)
			}
		}
	})
	e.template.PlaceHolder = "Pick a template…"
	labels := make([]string, len(pollDurations))
	for i, d := range pollDurations {
		labels[i] = d.Label
	}
	e.duration = widget.NewSelect(labels, func(l string) {
		for _, d := range pollDurations {
			if d.Label == l {
				e.durationS = d.Secs
			}
		}
	})
	e.duration.SetSelectedIndex(0)
	e.errLabel = newErrorNote()
	e.startBtn = widget.NewButtonWithIcon("Start poll", theme.MediaPlayIcon(), e.submit)
	e.startBtn.Importance = widget.HighImportance
	e.addOption("")
	e.addOption("")
	e.content = container.NewVBox(
		widget.NewForm(
			widget.NewFormItem("Template", e.template),
			widget.NewFormItem("Question", e.question),
		),
		widget.NewLabelWithStyle("Options", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		e.optionBox,
		container.NewHBox(e.addBtn, e.removeBtn),
		widget.NewForm(widget.NewFormItem("Duration", e.duration)),
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
	en.SetPlaceHolder(fmt.Sprintf("Option %d", len(e.options)+1))
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
		e.errLabel.SetText(err.Error())
		return
	}
	if e.onStart == nil {
		return
	}
	if err := e.onStart(sp); err != nil {
		e.errLabel.SetText(err.Error())
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
