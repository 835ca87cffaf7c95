package gui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/nowplaying"
	"github.com/pikadj/pika/desktop/settings"
	"github.com/pikadj/pika/shared/protocol"
)

// liveSources are the source picker's choices: every kind nowplaying
// knows, so a new source appears here without a change to the GUI.
var liveSources = nowplaying.Kinds()

// sourceSpec is the core's source string for a picker choice and location.
func sourceSpec(k nowplaying.Kind, path string) (string, error) {
	s, err := nowplaying.NewSpec(k.Name, path)
	if err != nil {
		return "", err
	}
	return s.String(), nil
}

// parseSourceSpec finds the picker choice and location of a saved source
// (the first choice for a spec that no longer parses).
func parseSourceSpec(text string) (int, string) {
	s, err := nowplaying.ParseSpec(text)
	if err != nil {
		return 0, ""
	}
	for i, k := range liveSources {
		if k.Name == s.Kind {
			return i, s.Location
		}
	}
	return 0, ""
}

// livePane is where the DJ goes live and watches the room react.
type livePane struct {
	g        *gui
	source   *widget.Select
	location *widget.Entry
	name     *widget.Entry
	pin      *widget.Entry
	goLive   *widget.Button
	end      *widget.Button
	errLabel *note
	info     *note
	// offline says which relay cannot be reached and why, with a retry
	// and, before the session started, a way back.
	offline    *note
	retry      *widget.Button
	cancelLive *widget.Button
	offlineBox *fyne.Container
	// publicRecap: whether the recap opens for anyone after the session
	// (it follows the PIN until the DJ ticks it); pinWarn, newPIN and
	// changePIN: the PIN is being guessed, and changing it while live.
	publicRecap  *widget.Check
	recapTouched bool
	pinWarn      *note
	newPIN       *widget.Entry
	changePIN    *widget.Button
	pinBox       *fyne.Container

	title     *canvas.Text
	artist    *note
	bpm       *canvas.Text
	key       *widget.Label
	analysing *note
	feel      *feelBars
	likes     *widget.Label
	tempo     *widget.Label
	listeners *widget.Label
	qr        *qrView
	joinNote  *note
	srcStatus *sourceStatus // sourcestatus.go
	stage     *stagePicker  // stagepicker.go
	requests  *requestsPane // requestspane.go
	assist    *assistView   // warnings, what next, the set's export (assistview.go)

	// joinShown is what the join area shows ("kind url"), so a redraw
	// with the same state leaves it (and the projector view) alone;
	// recap is the link of the session that ended here.
	joinShown string
	recap     string
	// endedID is the set that ended here; analyticsBtn opens its private
	// numbers (analyticsview.go).
	endedID      string
	analyticsBtn *widget.Button
	analytics    dialog.Dialog
	// firstRun holds the first-run checklist (see checklist).
	firstRun *fyne.Container
	// ending asks before the session ends (nil when not asking).
	ending  *dialog.ConfirmDialog
	content fyne.CanvasObject
	column  *fyne.Container // the left column, laid out again when a box appears
}

func newLivePane(g *gui) *livePane {
	p := &livePane{g: g}
	labels := make([]string, len(liveSources))
	for i, s := range liveSources {
		labels[i] = sourceLabel(s.Name)
	}
	p.location = widget.NewEntry()
	p.source = widget.NewSelect(labels, func(string) {
		s := liveSources[p.source.SelectedIndex()]
		p.location.SetPlaceHolder(sourceHint(s.Name))
		if s.NoLocation {
			p.location.Disable()
		} else {
			p.location.Enable()
		}
	})
	p.source.SetSelectedIndex(0)
	p.stage = newStagePicker(g)
	p.name = widget.NewEntry()
	p.name.SetPlaceHolder(T("live.name.placeholder"))
	p.pin = widget.NewEntry()
	p.pin.SetPlaceHolder(T("live.pin.placeholder"))
	p.publicRecap = widget.NewCheck(T("live.publicRecap"), func(bool) { p.recapTouched = true })
	p.publicRecap.SetChecked(true)
	p.recapTouched = false
	p.pin.OnChanged = func(s string) {
		// A PIN session's recap is private unless the DJ says otherwise.
		if !p.recapTouched {
			p.publicRecap.SetChecked(strings.TrimSpace(s) == "")
			p.recapTouched = false
		}
	}
	p.pinWarn = newNote(widget.WarningImportance)
	p.newPIN = widget.NewEntry()
	p.newPIN.SetPlaceHolder(T("live.newPin.placeholder"))
	p.changePIN = widget.NewButtonWithIcon(T("live.changePIN"), theme.ViewRefreshIcon(), p.setPIN)
	p.pinBox = container.NewVBox(p.pinWarn, container.NewBorder(nil, nil, nil, p.changePIN, p.newPIN))
	p.pinBox.Hide()
	p.goLive = widget.NewButtonWithIcon(T("live.goLive"), theme.MediaPlayIcon(), p.startLive)
	p.goLive.Importance = widget.HighImportance
	p.end = widget.NewButtonWithIcon(T("live.end"), theme.MediaStopIcon(), p.confirmEnd)
	p.end.Importance = widget.DangerImportance
	p.end.Disable()
	p.analyticsBtn = widget.NewButtonWithIcon(T("live.analytics"), theme.InfoIcon(), p.showAnalytics)
	p.analyticsBtn.Hide()
	p.errLabel = newErrorNote()
	p.info = newNote(widget.MediumImportance)
	p.offline = newNote(widget.WarningImportance)
	p.retry = widget.NewButtonWithIcon(T("live.retry"), theme.ViewRefreshIcon(), p.retryLink)
	p.cancelLive = widget.NewButtonWithIcon(T("live.cancel"), theme.CancelIcon(), p.endLive)
	p.offlineBox = container.NewVBox(p.offline, container.NewHBox(p.retry, p.cancelLive))
	p.offlineBox.Hide()

	setup := widget.NewForm(
		widget.NewFormItem(T("live.form.watch"), p.source),
		widget.NewFormItem(T("live.form.location"), p.location),
		widget.NewFormItem(T("live.form.where"), p.stage.row),
		widget.NewFormItem(T("live.form.name"), p.name),
		widget.NewFormItem(T("live.form.pin"), p.pin),
		widget.NewFormItem("", p.publicRecap),
	)

	p.title = canvas.NewText(T("live.nothingPlaying"), nil)
	p.title.TextSize = 30
	p.title.TextStyle = fyne.TextStyle{Bold: true}
	p.artist = newNote(widget.MediumImportance)
	p.artist.SizeName = theme.SizeNameSubHeadingText
	p.bpm = canvas.NewText("", nil)
	p.bpm.TextSize = 44
	p.bpm.TextStyle = fyne.TextStyle{Bold: true}
	p.key = widget.NewLabel("")
	p.key.SizeName = theme.SizeNameSubHeadingText
	p.analysing = newNote(widget.WarningImportance)
	p.feel = newFeelBars()
	p.likes = widget.NewLabel(likesLine(0))
	p.likes.SizeName = theme.SizeNameSubHeadingText
	p.tempo = widget.NewLabel(tempoLine(protocol.TempoTally{}))
	p.tempo.SizeName = theme.SizeNameSubHeadingText
	p.tempo.TextStyle = fyne.TextStyle{Bold: true}
	p.listeners = widget.NewLabel("")
	p.listeners.SizeName = theme.SizeNameSubHeadingText
	p.qr = newQRView(g.app)
	p.joinNote = newNote(widget.WarningImportance)

	nowPlaying := container.NewVBox(
		sectionTitle(T("live.nowPlaying")),
		themed(p.title, theme.ColorNameForeground),
		p.artist,
		container.NewHBox(themed(p.bpm, colorNameAccentText), container.NewCenter(p.key)),
		p.analysing,
		p.feel.content,
	)
	room := container.NewVBox(sectionTitle(T("live.room")), p.likes, p.tempo, p.listeners)
	p.requests = newRequestsPane(g)
	p.assist = newAssistView(g)
	p.assist.requests = g.core.OpenRequests // what the room asks for ranks higher
	p.firstRun = container.NewVBox()
	p.column = container.NewVBox(
		heading(T("pane.live")),
		p.firstRun,
		setup,
		container.NewHBox(p.goLive, p.end, p.analyticsBtn),
		p.stage.live,
		p.pinBox,
		p.offlineBox,
		p.errLabel,
		p.info,
		p.srcStatusView(g),
		widget.NewSeparator(),
		nowPlaying,
		widget.NewSeparator(),
		room,
		widget.NewSeparator(),
		p.requests.content,
		p.assist.content,
	)
	left := container.NewVScroll(p.column)
	right := container.NewBorder(container.NewVBox(sectionTitle(T("live.joinHere")), p.joinNote), nil, nil, nil, p.qr.content)
	split := container.NewHSplit(left, right)
	split.Offset = 0.55
	p.content = split
	return p
}

// loadDefaults fills the form from the saved settings.
func (p *livePane) loadDefaults() {
	if p.g.core.LiveState().Live {
		return // the form shows the running session
	}
	s := p.g.core.Settings()
	i, path := parseSourceSpec(s.Source)
	p.source.SetSelectedIndex(i)
	p.location.SetText(path)
	if p.name.Text == "" {
		name := s.SessionName
		if name == settings.Defaults().SessionName {
			// The default, named in English in the settings: the
			// dancers read it, so in the DJ's language.
			name = T("live.defaultName")
		}
		p.name.SetText(name)
	}
	p.stage.load()
}

func (p *livePane) startLive() {
	p.errLabel.SetText("")
	src, err := sourceSpec(liveSources[p.source.SelectedIndex()], p.location.Text)
	if err != nil {
		p.errLabel.SetText(errorText(err))
		return
	}
	name := strings.TrimSpace(p.name.Text)
	pin := strings.TrimSpace(p.pin.Text)
	switch {
	case name == "":
		p.errLabel.SetText(T("live.nameMissing"))
		return
	case len([]rune(name)) > protocol.MaxSessionNameLen:
		p.errLabel.SetText(T("live.nameTooLong", "Max", protocol.MaxSessionNameLen))
		return
	case pin != "" && !protocol.ValidPIN(pin):
		p.errLabel.SetText(T("live.pinFormat"))
		return
	case p.g.core.Settings().RelayURL == "":
		// The first step of the checklist above, before the token.
		p.errLabel.SetText(errorText(core.ErrNoRelay) + ".")
		return
	}
	p.info.SetText(T("live.connecting"))
	p.recap = ""
	p.endedID = ""
	p.analyticsBtn.Hide()
	stage := p.stage.Stage()
	var saveErr error
	p.g.do(p.goLive, func(ctx context.Context) error {
		// Remember the choices for the next set; a failure to save must
		// not keep the DJ from going live.
		s := p.g.core.Settings()
		s.Source, s.SessionName = src, name
		saveErr = p.g.core.SaveSettings(s)
		public := p.publicRecap.Checked
		return p.g.core.GoLiveWith(ctx, core.GoLiveOptions{Source: src, Name: name, PIN: pin, PublicRecap: &public, Stage: stage})
	}, func(err error) {
		p.info.SetText("")
		switch {
		case p.g.confirmPlainHTTP(err, p.startLive):
			p.errLabel.SetText(T("live.plainHTTP"))
		case err != nil:
			p.errLabel.SetText(T("live.goLiveFailed", "Error", errorDetail(err)))
		case saveErr != nil:
			p.errLabel.SetText(T("live.notRemembered", "Error", errorDetail(saveErr)))
		}
		p.g.syncLive()
	})
}

// confirmEnd asks before ending, as quitting does: End sits next to Go
// Live, and one slip must not end the night for the room.
func (p *livePane) confirmEnd() {
	msg := T("live.endConfirm.text")
	d := dialog.NewConfirm(T("live.endConfirm.title"), msg, func(ok bool) {
		p.ending = nil
		if ok {
			p.endLive()
		}
	}, p.g.win)
	d.SetConfirmText(T("live.end"))
	d.SetDismissText(T("live.keepGoing"))
	d.SetConfirmImportance(widget.DangerImportance)
	p.ending = d
	d.Show()
}

func (p *livePane) endLive() {
	p.errLabel.SetText("")
	p.g.do(p.end, func(ctx context.Context) error {
		return p.g.core.End(ctx)
	}, func(err error) {
		// ErrEndedHere is no failure: the session is over here, and ended
		// (from its event) says what the relay does about it.
		if err != nil && !errors.Is(err, core.ErrEndedHere) {
			p.errLabel.SetText(T("live.endFailed", "Error", errorDetail(err)))
		}
		p.g.syncLive()
	})
}

// setPIN changes the live session's PIN; dancers already in stay in.
func (p *livePane) setPIN() {
	pin := strings.TrimSpace(p.newPIN.Text)
	if !protocol.ValidPIN(pin) {
		p.errLabel.SetText(T("live.newPinFormat"))
		return
	}
	p.errLabel.SetText("")
	p.g.do(p.changePIN, func(ctx context.Context) error {
		return p.g.core.SetPIN(ctx, pin)
	}, func(err error) {
		if err != nil {
			p.errLabel.SetText(T("live.pinChangeFailed", "Error", err.Error()))
			return
		}
		p.newPIN.SetText("")
		p.pin.SetText(pin)
		p.info.SetText(T("live.pinChanged", "PIN", pin))
		p.g.syncLive()
	})
}

// pinWarning is the Live pane's line about PIN guessing ("" for none).
func pinWarning(st core.LiveState, now time.Time) string {
	if st.PINWrong == 0 {
		return ""
	}
	msg := TN("live.pinGuessing", st.PINWrong)
	if u := st.PINLockedUntil; u != nil && u.After(now) {
		msg += " " + T("live.pinLocked", "Time", u.Local().Format("15:04:05"))
	} else {
		msg += " " + T("live.pinAdvice")
	}
	return msg
}

func (p *livePane) retryLink() {
	if err := p.g.core.RetryLink(); err != nil {
		p.errLabel.SetText(T("live.retryFailed", "Error", errorDetail(err)))
	}
}

// showOffline draws the offline note from the live state.
func (p *livePane) showOffline(st core.LiveState) {
	if !st.Live || st.Connected || st.LinkErr == nil {
		p.offline.SetText("")
		p.offlineBox.Hide()
		return
	}
	msg := T("live.unreachable", "URL", st.RelayURL, "Error", errorDetail(st.LinkErr)) + " "
	if st.Session.ID == "" {
		msg += T("live.notStarted")
		p.cancelLive.Show()
	} else {
		msg += T("live.keptOffline")
		p.cancelLive.Hide()
	}
	p.offline.SetText(msg)
	p.offlineBox.Show()
}

// showPIN draws the PIN warning and the change-PIN control of a live
// session.
func (p *livePane) showPIN(st core.LiveState) {
	p.pinWarn.SetText(pinWarning(st, time.Now()))
	live := st.Live && st.Session.ID != ""
	if live != p.pinBox.Visible() {
		if live {
			p.pinBox.Show()
		} else {
			p.pinBox.Hide()
		}
		// A box shown after the column was laid out has no size yet.
		p.column.Refresh()
	}
	if live {
		p.publicRecap.Disable()
	} else {
		p.publicRecap.Enable()
	}
}

// sentence capitalises an error's text for a note.
func sentence(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:]) + "."
}

// ended keeps the recap link in view once the session is over.
func (p *livePane) ended(s core.Session) {
	if s.EndedHere {
		p.info.SetText(sentence(core.ErrEndedHere.Error()))
	} else {
		p.info.SetText(T("live.ended"))
	}
	p.recap = s.RecapURL
	p.endedID = s.ID
	if s.ID != "" {
		p.analyticsBtn.Show()
	}
}

// show draws the live state.
func (p *livePane) show(st core.LiveState) {
	p.showOffline(st)
	p.stage.show(st)
	p.showPIN(st)
	p.requests.show(st)
	if st.Live {
		// The form shows what this session watches, also when it was
		// started elsewhere (resumed after a restart).
		i, path := parseSourceSpec(st.Source)
		if p.source.SelectedIndex() != i {
			p.source.SetSelectedIndex(i)
		}
		if p.location.Text != path {
			p.location.SetText(path)
		}
		if st.Session.Name != "" && p.name.Text != st.Session.Name {
			p.name.SetText(st.Session.Name)
		}
		if p.pin.Text != st.PIN {
			p.pin.SetText(st.PIN) // also a resumed session's
		}
		p.goLive.Disable()
		p.end.Enable()
		p.source.Disable()
		p.location.Disable()
		p.name.Disable()
		p.pin.Disable()
	} else {
		p.goLive.Enable()
		p.end.Disable()
		p.source.Enable()
		if !liveSources[p.source.SelectedIndex()].NoLocation {
			p.location.Enable()
		}
		p.name.Enable()
		p.pin.Enable()
	}
	if np := st.NowPlaying; np != nil {
		t := np.Track
		p.title.Text = orDash(t.Title)
		p.artist.SetText(t.Artist)
		if t.BPM != nil {
			p.bpm.Text = fmt.Sprintf("%.1f BPM", *t.BPM)
		} else {
			p.bpm.Text = "– BPM"
		}
		key := keyLabel(t.Camelot, t.Key)
		if t.KeyUncertain() {
			key += " (uncertain)"
		}
		p.key.SetText(key)
		if np.Analysing {
			p.analysing.SetText(T("live.analysingNow"))
		} else {
			p.analysing.SetText("")
		}
		p.feel.Set(&t)
	} else {
		p.title.Text = T("live.nothingPlaying")
		p.artist.SetText("")
		p.bpm.Text = ""
		p.key.SetText("")
		p.analysing.SetText("")
		p.feel.Set(nil)
	}
	p.title.Refresh()
	p.bpm.Refresh()
	p.likes.SetText(likesLine(st.Likes))
	p.tempo.SetText(tempoLine(st.Tempo))
	if st.Live {
		p.listeners.SetText(listenersLine(st.Listeners))
	} else {
		p.listeners.SetText("")
	}
	p.assist.show(st)
	p.showJoin(st)
}

// showJoin draws the one place that says where dancers join: the public
// code; else a code for the local address, marked as local; after the
// session, the recap link.
func (p *livePane) showJoin(st core.LiveState) {
	kind, link, where := "", "", ""
	advice := ""
	switch {
	case st.Live && st.Session.JoinURL != "":
		kind, link = "public", st.Session.JoinURL
	case st.Live && st.Session.ID != "":
		link = p.g.core.Settings().JoinURL(st.Session.ID)
		if st.Stage != nil && link != "" {
			link = p.g.core.Settings().PageURL() + "/s/" + url.PathEscape(st.Stage.Stage.Slug) // the room's code
		}
		if link == "" {
			link = st.Session.LocalJoinURL
		}
		if link != "" {
			kind, where = "local", localWhere(link)
			advice = T("live.join.publicAdvice")
		}
	case st.Live:
		advice = T("live.join.waiting")
	case p.recap != "":
		kind, link = "recap", p.recap
	}
	p.joinNote.SetText(advice)
	shown := kind + " " + link
	if shown == p.joinShown {
		return
	}
	p.joinShown = shown
	var err error
	switch kind {
	case "public":
		err = p.qr.SetURL(link, st.Session.Name)
	case "local":
		err = p.qr.SetLocalURL(link, st.Session.Name, where)
	case "recap":
		p.qr.SetRecap(link)
	default:
		err = p.qr.SetURL("", "")
	}
	if err != nil {
		p.errLabel.SetText(T("live.join.drawFailed", "Error", errorDetail(err)))
	}
}

// localWhere says which phones reach a local address.
func localWhere(link string) string {
	u, err := url.Parse(link)
	if err == nil {
		h := u.Hostname()
		if ip := net.ParseIP(h); h == "localhost" || ip != nil && ip.IsLoopback() {
			return T("live.join.loopback")
		}
	}
	return T("live.join.lan")
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}
