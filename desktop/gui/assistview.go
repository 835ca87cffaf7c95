package gui

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/assistant"
	"github.com/pikadj/pika/desktop/core"
)

// maxShownSuggestions is how many suggestions the live pane lists.
const maxShownSuggestions = 6

// assistView is the live pane's assistant: the warnings of the track
// playing now, what to play next and why, and the set's export.
type assistView struct {
	g        *gui
	warnings *note
	room     *widget.Label
	next     *widget.Label
	export   *widget.Button
	errLabel *note
	content  fyne.CanvasObject
	// requests are the open requests to rank with (nil: none yet).
	requests func() []assistant.Request
	// shown is the state the suggestions were asked for; session the
	// session to export (kept after it ends).
	shown, session string
	asking, dirty  bool
	result         assistant.Result
}

func newAssistView(g *gui) *assistView {
	v := &assistView{g: g}
	v.warnings = newNote(widget.WarningImportance)
	v.room = widget.NewLabel("")
	v.next = widget.NewLabel("")
	v.next.Wrapping = fyne.TextWrapWord
	v.export = widget.NewButtonWithIcon(T("assist.export"), theme.DocumentSaveIcon(), v.pickExport)
	v.export.Disable()
	v.errLabel = newErrorNote()
	v.content = container.NewVBox(v.warnings, sectionTitle(T("assist.next")), v.room, v.next, container.NewHBox(v.export), v.errLabel)
	return v
}

// show follows the live state: the warnings at once, the suggestions
// asked again when the play or the room's votes change.
func (v *assistView) show(st core.LiveState) {
	v.warnings.SetText(strings.Join(st.Warnings, "\n"))
	if st.Session.ID != "" {
		v.session = st.Session.ID
	}
	if v.session != "" {
		v.export.Enable()
	}
	key := ""
	if np := st.NowPlaying; st.Live && np != nil {
		key = fmt.Sprintf("%s|%d|%s|%d/%d/%d", np.StartedAt, np.LibraryID, np.PlayID, st.Tempo.Faster, st.Tempo.Slower, st.Tempo.Perfect)
	}
	if key == v.shown {
		return
	}
	v.shown = key
	if key == "" {
		v.result = assistant.Result{}
		v.draw()
		return
	}
	v.ask()
}

// ask ranks off the UI thread, one query at a time; a change meanwhile
// asks again when it returns.
func (v *assistView) ask() {
	if v.asking {
		v.dirty = true
		return
	}
	v.asking, v.dirty = true, false
	var reqs []assistant.Request
	if v.requests != nil {
		reqs = v.requests()
	}
	var res assistant.Result
	v.g.do(nil, func(ctx context.Context) (err error) {
		res, err = v.g.core.Suggest(ctx, reqs)
		return err
	}, func(err error) {
		v.asking = false
		if err != nil {
			v.errLabel.SetText(T("assist.noSuggestions", "Error", errorDetail(err)))
		} else {
			v.errLabel.SetText("")
			v.result = res
			v.draw()
		}
		if v.dirty {
			v.ask()
		}
	})
}

func (v *assistView) draw() {
	v.room.SetText(roomText(v.result.Room.Shift))
	var lines []string
	for i, s := range v.result.Suggestions {
		if i == maxShownSuggestions {
			break
		}
		pt := s.Track.Protocol()
		name := pt.Title
		if pt.Artist != "" {
			name = pt.Artist + " – " + pt.Title
		}
		lines = append(lines, fmt.Sprintf("%d. %s · %s", i+1, name, s.Why))
	}
	v.next.SetText(strings.Join(lines, "\n"))
}

// pickExport asks where to write the set: .csv writes CSV, anything
// else an M3U playlist of the library's files.
func (v *assistView) pickExport() {
	session := v.session
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			v.errLabel.SetText(T("assist.cannotWrite", "Error", errorDetail(err)))
			return
		}
		if w == nil {
			return
		}
		v.exportTo(session, w.URI().Path(), w)
	}, v.g.win)
	d.SetFileName("set.m3u")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".m3u", ".m3u8", ".csv"}))
	d.Show()
}

// exportTo writes the set to w (closed when done), named path.
func (v *assistView) exportTo(session, path string, w io.WriteCloser) {
	format := core.FormatM3U
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		format = core.FormatCSV
	}
	var n int
	v.g.do(v.export, func(ctx context.Context) (err error) {
		n, err = v.g.core.ExportSet(ctx, session, format, w)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return err
	}, func(err error) {
		if err != nil {
			v.errLabel.SetText(T("assist.exportFailed", "Error", errorDetail(err)))
			return
		}
		v.errLabel.SetText("")
		v.g.live.info.SetText(TN("assist.exported", n, "Path", path))
	})
}

// roomText is assistant.Room.Text in the window's language: which way the
// dancers' tempo votes lean, by how many BPM ("" when they do not).
func roomText(shift float64) string {
	switch {
	case shift < 0:
		return T("assist.room.slower", "BPM", decimal(-shift, 0))
	case shift > 0:
		return T("assist.room.faster", "BPM", decimal(shift, 0))
	}
	return ""
}
