package gui

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/settings"
	"github.com/pikadj/pika/shared/protocol"
)

// settingsPane edits the relay and page addresses, the DJ token, the BPM
// range of the analysis and shows the library folders.
type settingsPane struct {
	g         *gui
	relay     *widget.Entry
	public    *widget.Entry
	minBPM    *widget.Entry
	maxBPM    *widget.Entry
	jump      *widget.Entry // the big tempo jump warning, in %
	saveBtn   *widget.Button
	saved     *note
	errLabel  *note
	token     *widget.Entry
	tokenNote *note
	checkBtn  *widget.Button
	forgetBtn *widget.Button
	who       *note
	tokenErr  *note
	register  *widget.Hyperlink
	folders   *fyne.Container // one row per library folder
	folderErr *note
	// removing asks before a folder is removed (nil when not asking).
	removing *dialog.ConfirmDialog
	light    *widget.Check
	language *widget.Select
	hasToken bool // as the keychain last answered
	about    *aboutSection
	content  fyne.CanvasObject
}

func newSettingsPane(g *gui) *settingsPane {
	p := &settingsPane{g: g}
	p.about = newAboutSection(g)
	p.relay = widget.NewEntry()
	p.relay.SetPlaceHolder(T("settings.relay.placeholder"))
	p.public = widget.NewEntry()
	p.public.SetPlaceHolder(T("settings.public.placeholder"))
	p.minBPM = widget.NewEntry()
	p.maxBPM = widget.NewEntry()
	p.jump = widget.NewEntry()
	p.saveBtn = widget.NewButtonWithIcon(T("settings.save"), theme.DocumentSaveIcon(), p.save)
	p.saveBtn.Importance = widget.HighImportance
	p.saved = newNote(widget.SuccessImportance)
	p.errLabel = newErrorNote()

	p.token = widget.NewPasswordEntry()
	p.token.SetPlaceHolder(protocol.TokenPrefix + "…")
	p.tokenNote = newNote(widget.MediumImportance)
	p.tokenNote.TextStyle = fyne.TextStyle{Italic: true}
	p.checkBtn = widget.NewButtonWithIcon(T("settings.token.check"), theme.ConfirmIcon(), p.checkToken)
	p.forgetBtn = widget.NewButtonWithIcon(T("settings.token.forget"), theme.DeleteIcon(), p.forgetToken)
	p.who = newNote(widget.SuccessImportance)
	p.who.TextStyle = fyne.TextStyle{Bold: true}
	p.tokenErr = newErrorNote()
	p.register = widget.NewHyperlink(T("settings.register"), nil)
	p.folders = container.NewVBox()
	p.folderErr = newErrorNote()

	p.light = widget.NewCheck(T("settings.light"), func(on bool) {
		g.app.Preferences().SetBool(prefLightTheme, on)
		g.app.Settings().SetTheme(&pikaTheme{light: on})
	})
	p.light.Checked = g.app.Preferences().Bool(prefLightTheme)
	p.language = newLanguageSelect(g.app.Preferences())

	bpm := container.NewHBox(sized(p.minBPM, 90), widget.NewLabel(T("settings.tempo.to")), sized(p.maxBPM, 90), widget.NewLabel("BPM"))
	form := widget.NewForm(
		widget.NewFormItem(T("settings.relay"), p.relay),
		widget.NewFormItem(T("settings.public"), p.public),
		widget.NewFormItem(T("settings.tempo"), bpm),
		widget.NewFormItem(T("settings.jump"), container.NewHBox(sized(p.jump, 90), widget.NewLabel(T("settings.jump.unit")))),
	)
	tokenForm := widget.NewForm(widget.NewFormItem(T("settings.token"), p.token))
	p.content = container.NewVScroll(container.NewVBox(
		heading(T("pane.settings")),
		sectionTitle(T("settings.section.relay")),
		form,
		widget.NewLabel(T("settings.tempo.help")),
		// The note takes the rest of the row: in an HBox a wrapped label
		// is one letter wide.
		container.NewBorder(nil, nil, p.saveBtn, nil, p.saved),
		p.errLabel,
		widget.NewSeparator(),
		sectionTitle(T("settings.section.account")),
		tokenForm,
		p.tokenNote,
		container.NewHBox(p.checkBtn, p.forgetBtn),
		p.who,
		p.tokenErr,
		p.register,
		widget.NewSeparator(),
		sectionTitle(T("settings.section.folders")),
		widget.NewLabel(T("settings.folders.help")),
		p.folders,
		p.folderErr,
		widget.NewSeparator(),
		sectionTitle(T("settings.section.window")),
		p.light,
		container.NewBorder(nil, nil, widget.NewLabel(T("settings.language")), nil, p.language),
		p.about.content,
	))
	return p
}

// load fills the form from the core's settings.
func (p *settingsPane) load() {
	s := p.g.core.Settings()
	p.relay.SetText(s.RelayURL)
	p.public.SetText(s.PublicURL)
	p.minBPM.SetText(strconv.FormatFloat(s.MinBPM, 'f', -1, 64))
	p.maxBPM.SetText(strconv.FormatFloat(s.MaxBPM, 'f', -1, 64))
	p.jump.SetText(strconv.FormatFloat(s.JumpPct(), 'f', -1, 64))
	p.showFolders(s.LibraryFolders)
	p.updateRegister(s)
	p.about.load()
	p.g.live.loadDefaults()
	// The keychain can take seconds to answer (or time out on a Linux
	// box without a session bus): ask it off the UI thread.
	var has bool
	p.g.do(nil, func(context.Context) error {
		has = p.g.core.HasToken()
		return nil
	}, func(error) {
		p.hasToken = has
		if has {
			p.tokenNote.SetText(T("settings.token.saved"))
			p.forgetBtn.Enable()
		} else {
			p.tokenNote.SetText(T("settings.token.none"))
			p.forgetBtn.Disable()
		}
		p.g.check.refresh()
	})
}

func (p *settingsPane) updateRegister(s settings.Settings) {
	if u, err := url.Parse(s.RegisterURL()); err == nil && s.RegisterURL() != "" {
		p.register.SetURL(u)
		p.register.SetText(T("settings.registerAt", "URL", s.RegisterURL()))
		p.register.Show()
	} else {
		p.register.Hide()
	}
}

// form reads the form into settings, keeping what it does not show.
func (p *settingsPane) form() (settings.Settings, error) {
	s := p.g.core.Settings()
	s.RelayURL = strings.TrimSpace(p.relay.Text)
	s.PublicURL = strings.TrimSpace(p.public.Text)
	var err error
	if s.MinBPM, err = strconv.ParseFloat(strings.TrimSpace(p.minBPM.Text), 64); err != nil {
		return s, fmt.Errorf("the lowest tempo %q is not a number", p.minBPM.Text)
	}
	if s.MaxBPM, err = strconv.ParseFloat(strings.TrimSpace(p.maxBPM.Text), 64); err != nil {
		return s, fmt.Errorf("the highest tempo %q is not a number", p.maxBPM.Text)
	}
	if s.BPMJumpPct, err = strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(p.jump.Text), "%")), 64); err != nil || s.BPMJumpPct <= 0 {
		return s, fmt.Errorf("the tempo jump warning %q is not a percentage above 0 (8 is usual)", p.jump.Text)
	}
	return s, s.Validate()
}

func (p *settingsPane) save() {
	p.saved.SetText("")
	p.errLabel.SetText("")
	s, err := p.form()
	if err != nil {
		p.errLabel.SetText(T("settings.notSaved", "Error", errorDetail(err)))
		return
	}
	p.g.do(p.saveBtn, func(context.Context) error {
		return p.g.core.SaveSettings(s)
	}, func(err error) {
		if err != nil {
			p.errLabel.SetText(T("settings.notSaved", "Error", errorDetail(err)))
			return
		}
		p.saved.SetText(T("settings.saved"))
		p.updateRegister(p.g.core.Settings())
		p.g.check.refresh()
	})
}

// checkToken saves a newly pasted token (if any) and asks the relay whose
// it is, so a typo shows now rather than when going live.
func (p *settingsPane) checkToken() {
	p.who.SetText("")
	p.tokenErr.SetText("")
	tok := strings.TrimSpace(p.token.Text)
	if tok != "" {
		if err := settings.ValidateToken(tok); err != nil {
			p.tokenErr.SetText(errorText(err))
			return
		}
	} else if !p.hasToken {
		p.tokenErr.SetText(T("settings.token.pasteFirst"))
		return
	}
	// The relay URL in the box is the one to check against.
	s, err := p.form()
	if err != nil {
		p.tokenErr.SetText(T("settings.token.fixFirst", "Error", errorDetail(err)))
		return
	}
	if s.RelayURL == "" {
		p.tokenErr.SetText(T("settings.token.relayFirst"))
		return
	}
	p.tokenNote.SetText(T("settings.token.checking"))
	var dj protocol.DJ
	p.g.do(p.checkBtn, func(ctx context.Context) error {
		if err := p.g.core.SaveSettings(s); err != nil {
			return err
		}
		var err error
		if tok != "" {
			// Saved only when the relay accepts it: a typo must not
			// replace the token that works.
			dj, err = p.g.core.CheckAndSaveToken(ctx, tok)
		} else {
			dj, err = p.g.core.CheckToken(ctx)
		}
		return err
	}, func(err error) {
		p.load()
		if p.g.confirmPlainHTTP(err, p.checkToken) {
			p.tokenErr.SetText(T("settings.token.plainHTTP"))
			return
		}
		if err != nil {
			// The refused token stays in the box, so the DJ sees what
			// was refused and can correct it.
			msg := T("settings.token.refused", "Error", errorDetail(err))
			if tok != "" {
				msg = T("settings.token.notSaved", "Error", errorDetail(err))
			}
			if tok != "" && p.hasToken {
				msg += " " + T("settings.token.kept")
			}
			p.tokenErr.SetText(msg)
			return
		}
		p.token.SetText("")
		p.who.SetText(T("settings.signedIn", "Name", dj.DisplayName))
	})
}

func (p *settingsPane) forgetToken() {
	p.who.SetText("")
	p.tokenErr.SetText("")
	p.g.do(p.forgetBtn, func(context.Context) error {
		return p.g.core.SetToken("")
	}, func(err error) {
		if err != nil {
			p.tokenErr.SetText(T("settings.token.forgetFailed", "Error", errorDetail(err)))
		}
		p.load()
	})
}

// showFolders lists the library folders, each with a remove button.
func (p *settingsPane) showFolders(folders []string) {
	p.folders.RemoveAll()
	if len(folders) == 0 {
		p.folders.Add(widget.NewLabel(T("settings.folders.none")))
		return
	}
	for _, dir := range folders {
		path := widget.NewLabel(dir)
		path.Wrapping = fyne.TextWrapBreak
		remove := widget.NewButtonWithIcon(T("settings.folders.remove"), theme.DeleteIcon(), func() { p.confirmRemove(dir) })
		p.folders.Add(container.NewBorder(nil, nil, nil, remove, path))
	}
}

// confirmRemove asks before a folder stops being watched: a slip of the
// mouse must not make new music stop appearing.
func (p *settingsPane) confirmRemove(dir string) {
	p.folderErr.SetText("")
	msg := dir + "\n\n" + T("settings.folders.removeText")
	d := dialog.NewConfirm(T("settings.folders.removeTitle"), msg, func(ok bool) {
		p.removing = nil
		if ok {
			p.removeFolder(dir)
		}
	}, p.g.win)
	d.SetConfirmText(T("settings.folders.remove"))
	d.SetDismissText(T("settings.folders.keep"))
	d.SetConfirmImportance(widget.DangerImportance)
	p.removing = d
	d.Show()
}

func (p *settingsPane) removeFolder(dir string) {
	p.g.do(nil, func(ctx context.Context) error {
		return p.g.core.RemoveFolder(ctx, dir)
	}, func(err error) {
		if err != nil {
			p.folderErr.SetText(T("settings.folders.removeFailed", "Folder", dir, "Error", errorDetail(err)))
		}
		p.showFolders(p.g.core.Settings().LibraryFolders)
	})
}
