package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/nowplaying"
)

// sourceStatus is the Live pane's line about the now-playing source: which
// one is followed, when it last gave a track, and why nothing arrives, in
// the window's language (sourceStatusText). When rekordbox's key is wrong it offers a box
// to paste the DJ's key. It follows the core's events itself, so the Live
// pane only places it.
type sourceStatus struct {
	g       *gui
	line    *note
	key     *widget.Entry
	saveKey *widget.Button
	keyNote *note
	keyBox  *fyne.Container
	content fyne.CanvasObject
}

// srcStatusView makes the widget for the Live pane and returns its content.
func (p *livePane) srcStatusView(g *gui) fyne.CanvasObject {
	s := &sourceStatus{g: g}
	s.line = newNote(widget.MediumImportance)
	s.key = widget.NewPasswordEntry()
	s.key.SetPlaceHolder(T("source.key.placeholder"))
	s.saveKey = widget.NewButtonWithIcon(T("source.key.save"), theme.DocumentSaveIcon(), s.save)
	s.keyNote = newNote(widget.MediumImportance)
	s.keyBox = container.NewVBox(container.NewBorder(nil, nil, nil, s.saveKey, s.key), s.keyNote)
	s.keyBox.Hide()
	s.content = container.NewVBox(s.line, s.keyBox)
	p.srcStatus = s
	events, stop := g.core.Events()
	go func() {
		defer stop()
		for {
			select {
			case <-g.ctx.Done():
				return
			case e, ok := <-events:
				if !ok {
					return
				}
				switch e := e.(type) {
				case core.SourceStatusChanged:
					g.ui(func() { s.show(true, e.Status) })
				case core.SessionChanged:
					if e.Ended {
						g.ui(func() { s.show(false, nowplaying.Status{}) })
					}
				}
			}
		}
	}()
	return s.content
}

// show draws st while live; not live, the widget is empty.
func (s *sourceStatus) show(live bool, st nowplaying.Status) {
	if !live {
		s.line.SetText("")
		s.keyBox.Hide()
		return
	}
	if st.OK() || st.State == nowplaying.StateStarting {
		s.line.Importance = widget.MediumImportance
	} else {
		s.line.Importance = widget.WarningImportance
	}
	s.line.SetText(sourceStatusText(st))
	if st.State == nowplaying.StateWrongKey {
		s.keyBox.Show()
	} else {
		s.keyBox.Hide()
	}
	// A box shown after the pane was laid out has no size yet: lay out
	// again.
	s.content.Refresh()
}

// save keeps the pasted key in the settings; the watcher reads it when the
// DJ goes live again.
func (s *sourceStatus) save() {
	set := s.g.core.Settings()
	set.RekordboxKey = strings.TrimSpace(s.key.Text)
	if err := s.g.core.SaveSettings(set); err != nil {
		s.keyNote.SetText(T("source.key.saveFailed", "Error", errorDetail(err)))
		return
	}
	s.key.SetText("")
	s.keyNote.SetText(T("source.key.saved"))
}

// sourceStatusText is nowplaying.Status.Text in the window's language:
// each state has its message, the source's name, place and the
// underlying problem (an error, English) are placeholders.
func sourceStatusText(st nowplaying.Status) string {
	name := sourceLabel(st.Kind)
	place := st.Location
	if place == "" {
		place = T("source.unknownPlace")
	}
	switch st.State {
	case nowplaying.StateStarting:
		if st.Location == "" {
			return T("source.looking", "Name", name)
		}
		return T("source.lookingAt", "Name", name, "Place", st.Location)
	case nowplaying.StateWaiting, nowplaying.StateFollowing:
		if st.LastTrack.IsZero() {
			if st.Location == "" {
				return T("source.followingNoTrack", "Name", name)
			}
			return T("source.followingNoTrackAt", "Name", name, "Place", st.Location)
		}
		return T("source.following", "Name", name, "Time", st.LastTrack.Local().Format("15:04"), "Track", st.LastTitle)
	case nowplaying.StateNotFound:
		return T("source.notFound", "Name", name, "Place", place)
	case nowplaying.StateLocked:
		return T("source.locked", "Name", name)
	case nowplaying.StateWrongKey:
		return T("source.wrongKey", "Name", name) + " " + T("source.keyHelp")
	case nowplaying.StateNoBroadcast:
		return T("source.noBroadcast", "Name", name, "Place", place, "Port", portOf(st.Location))
	case nowplaying.StateWrongFile:
		return T("source.wrongFile", "Name", name, "Place", place)
	}
	if st.Location == "" {
		return T("source.unreadable", "Name", name, "Problem", st.Problem)
	}
	return T("source.unreadableAt", "Name", name, "Place", st.Location, "Problem", st.Problem)
}

// portOf is the port of a "host:port" address.
func portOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return addr[i+1:]
	}
	return addr
}

// sourceLabel is a source kind's name as the picker and the status line
// show it: the DJ program's own name, or for the kinds named in English
// in nowplaying, the window's words.
func sourceLabel(kind string) string {
	k, ok := nowplaying.KindNamed(kind)
	if !ok {
		return kind
	}
	switch k.Name {
	case nowplaying.SourceM3U:
		return T("source.kind.m3u")
	case nowplaying.SourceTraktor:
		return T("source.kind.traktor")
	case nowplaying.SourceMPRIS:
		return T("source.kind.mpris")
	case nowplaying.SourceTextFile:
		return T("source.kind.textFile")
	case nowplaying.SourceManual:
		return T("source.kind.manual")
	}
	return k.Label
}

// sourceHint is the place box's hint for a source kind in the window's
// language.
func sourceHint(kind string) string {
	switch kind {
	case nowplaying.SourceVirtualDJ:
		return T("source.hint.folder", "Name", "VirtualDJ")
	case nowplaying.SourceMixxx:
		return T("source.hint.file", "File", "mixxxdb.sqlite")
	case nowplaying.SourceSerato:
		return T("source.hint.folder", "Name", "_Serato_")
	case nowplaying.SourceM3U:
		return T("source.hint.m3u")
	case nowplaying.SourceEngineDJ:
		return T("source.hint.folder", "Name", "Engine Library")
	case nowplaying.SourceTraktor:
		return T("source.hint.traktor")
	case nowplaying.SourceMPRIS:
		return T("source.hint.mpris")
	case nowplaying.SourceRekordbox:
		return T("source.hint.fileOrFolder", "File", "master.db", "Folder", "rekordbox")
	case nowplaying.SourceSeratoDB:
		return T("source.hint.fileOrFolder", "File", "master.sqlite", "Folder", "Library")
	case nowplaying.SourceDJUCED:
		return T("source.hint.folder", "Name", "DJUCED")
	case nowplaying.SourceTextFile:
		return T("source.hint.textFile")
	case nowplaying.SourceDjay:
		return T("source.hint.fileOrFolder", "File", "MediaLibrary.db", "Folder", "djay")
	}
	if k, ok := nowplaying.KindNamed(kind); ok {
		return k.Hint
	}
	return ""
}
