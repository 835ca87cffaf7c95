package gui

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/library"
)

// correctionEditor is the library pane's track detail: the selected
// track's tempo and key as the DJ corrects them by hand, with one-click
// fixes for a tempo read at the wrong metrical level. A correction is kept
// beside the analysis and is what the dancers see.
type correctionEditor struct {
	g        *gui
	track    library.Track
	has      bool
	about    *widget.Label
	bpm      *widget.Entry
	fixes    []*widget.Button
	key      *widget.Entry
	save     *widget.Button
	reset    *widget.Button
	errLabel *note
	content  fyne.CanvasObject
	// onSaved runs on the Fyne thread with the track as stored.
	onSaved func(library.Track)
}

func newCorrectionEditor(g *gui) *correctionEditor {
	e := &correctionEditor{g: g}
	e.about = widget.NewLabel("")
	e.about.Truncation = fyne.TextTruncateEllipsis
	e.bpm = widget.NewEntry()
	e.bpm.SetPlaceHolder("BPM")
	e.key = widget.NewEntry()
	e.key.SetPlaceHolder(T("correct.key.placeholder"))
	e.save = widget.NewButton(T("correct.save"), e.saveTyped)
	e.reset = widget.NewButton(T("correct.reset"), e.clear)
	row := []fyne.CanvasObject{widget.NewLabel("BPM"), sized(e.bpm, 80)}
	for _, f := range library.BPMFixes {
		b := widget.NewButton(f.Label, func() { e.fix(f) })
		e.fixes = append(e.fixes, b)
		row = append(row, b)
	}
	row = append(row, widget.NewLabel(T("correct.key")), sized(e.key, 120), e.save, e.reset)
	e.errLabel = newErrorNote()
	e.content = container.NewVBox(e.about, container.NewHBox(row...), e.errLabel)
	e.Set(library.Track{}, false)
	return e
}

// Set shows a track (ok false: none selected).
func (e *correctionEditor) Set(t library.Track, ok bool) {
	e.track, e.has = t, ok
	e.errLabel.SetText("")
	widgets := []fyne.Disableable{e.bpm, e.key, e.save, e.reset}
	for _, b := range e.fixes {
		widgets = append(widgets, b)
	}
	for _, w := range widgets {
		if ok {
			w.Enable()
		} else {
			w.Disable()
		}
	}
	if !ok {
		e.about.SetText(T("correct.select"))
		e.bpm.SetText("")
		e.key.SetText("")
		return
	}
	e.about.SetText(correctionAbout(t))
	e.bpm.SetText(bpmText(t.BPM()))
	_, camelot := t.Key()
	e.key.SetText(camelot)
}

// correctionAbout says what the numbers are and where they come from.
func correctionAbout(t library.Track) string {
	var from []string
	if t.ManualBPM > 0 || t.ManualKey != "" {
		from = append(from, T("correct.byHand"))
	}
	if a := t.Analysis; a != nil {
		from = append(from, analysedText(a))
		if a.Warning != "" {
			from = append(from, T("track.warning", "Warning", a.Warning))
		}
	}
	s := "“" + displayTitle(t) + "”"
	if len(from) > 0 {
		s += ": " + strings.Join(from, "; ")
	}
	return s
}

// analysedText is the analysis' tempo and key with the key's confidence
// (an uncertain one marked as in the table) and the tuning when it is off
// A = 440 Hz: a key read 30 cents sharp is worth knowing before mixing.
func analysedText(a *library.Analysis) string {
	if a.Key == "" {
		return strings.TrimSpace(T("correct.analysed", "BPM", bpmText(a.BPM), "Key", ""))
	}
	key := a.Camelot
	if key == "" {
		key = a.Key
	}
	about := T("correct.keyConfidence", "Pct", fmt.Sprintf("%.0f", a.KeyConfidence*100))
	if a.KeyUncertain() {
		key += "?"
		about += T("correct.uncertain")
	}
	if c := math.Round(a.TuningCents); c != 0 {
		about += T("correct.tuned", "Cents", fmt.Sprintf("%+.0f", c))
	}
	return T("correct.analysed", "BPM", bpmText(a.BPM), "Key", key) + " (" + about + ")"
}

// fix applies a metrical-level fix to the tempo shown and saves it.
func (e *correctionEditor) fix(f library.BPMFix) {
	bpm, err := e.typedBPM()
	if err != nil || bpm == 0 {
		bpm = e.track.BPM()
	}
	if bpm <= 0 {
		e.errLabel.SetText(T("correct.noTempo"))
		return
	}
	e.bpm.SetText(bpmText(f.Fixed(bpm)))
	e.saveTyped()
}

func (e *correctionEditor) typedBPM() (float64, error) {
	s := strings.TrimSpace(strings.ReplaceAll(e.bpm.Text, ",", "."))
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("BPM %q is not a number", e.bpm.Text)
	}
	return v, nil
}

// saveTyped stores what the boxes say: a tempo or key equal to the
// measured one is no correction, an empty box removes it.
func (e *correctionEditor) saveTyped() {
	if !e.has {
		return
	}
	bpm, err := e.typedBPM()
	if err != nil {
		e.errLabel.SetText(errorText(err))
		return
	}
	key := strings.TrimSpace(e.key.Text)
	measured := e.track
	measured.ManualBPM, measured.ManualKey = 0, ""
	if bpm != 0 && bpmText(bpm) == bpmText(measured.BPM()) {
		bpm = 0
	}
	if _, c := measured.Key(); key != "" && strings.EqualFold(key, c) {
		key = ""
	}
	e.store(bpm, key)
}

func (e *correctionEditor) clear() { e.store(0, "") }

func (e *correctionEditor) store(bpm float64, key string) {
	id := e.track.ID
	var saved library.Track
	e.g.do(e.save, func(ctx context.Context) error {
		if _, err := e.g.core.SetTrackBPM(ctx, id, bpm); err != nil {
			return err
		}
		var err error
		saved, err = e.g.core.SetTrackKey(ctx, id, key)
		return err
	}, func(err error) {
		if err != nil {
			e.errLabel.SetText(T("settings.notSaved", "Error", errorDetail(err)))
			return
		}
		if e.has && e.track.ID == id {
			e.Set(saved, true)
		}
		if e.onSaved != nil {
			e.onSaved(saved)
		}
	})
}
