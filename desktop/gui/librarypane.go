package gui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/library"
)

// keyChoices are the key filter's options: any key, then the Camelot wheel.
func keyChoices() []string {
	out := []string{T("library.anyKey")}
	for n := 1; n <= 12; n++ {
		out = append(out, fmt.Sprintf("%dA", n), fmt.Sprintf("%dB", n))
	}
	return out
}

// libraryPane adds music (a folder or a VirtualDJ database) and shows the
// library as a sortable, filterable table.
type libraryPane struct {
	g        *gui
	path     *widget.Entry
	browse   *widget.Button
	browseDB *widget.Button
	addBtn   *widget.Button
	rescan   *widget.Button
	search   *widget.Entry
	minBPM   *widget.Entry
	maxBPM   *widget.Entry
	key      *widget.Select
	table    *trackTable
	summary  *widget.Label
	message  *note
	played   *note // the selected track was played at the event (eventplays.go)
	errLabel *note
	// filterErr says why the filter boxes cannot be used as typed.
	filterErr *note
	sendBtn   *widget.Button
	correct   *correctionEditor     // the selected track's detail (correctioneditor.go)
	confirm   *dialog.ConfirmDialog // asks before a send with warnings (sendconfirm.go)
	content   fyne.CanvasObject

	// empty stands in for the table while the library has no tracks.
	empty    *fyne.Container
	addMusic *widget.Button
	// total is the library's size as last counted (-1 before that).
	total int
	// refresh bookkeeping: one query at a time, the latest filter wins.
	querying, dirty bool
}

func newLibraryPane(g *gui) *libraryPane {
	p := &libraryPane{g: g, total: -1}
	p.path = widget.NewEntry()
	p.path.SetPlaceHolder(T("library.path.placeholder"))
	p.path.OnSubmitted = func(string) { p.add() }
	p.browse = widget.NewButtonWithIcon(T("library.folder"), theme.FolderOpenIcon(), p.pickFolder)
	p.browseDB = widget.NewButtonWithIcon(T("library.vdjDatabase"), theme.FileIcon(), p.pickDatabase)
	p.addBtn = widget.NewButtonWithIcon(T("library.add"), theme.ContentAddIcon(), p.add)
	p.addBtn.Importance = widget.HighImportance
	p.rescan = widget.NewButtonWithIcon(T("library.rescan"), theme.ViewRefreshIcon(), p.rescanFolders)

	p.search = widget.NewEntry()
	p.search.SetPlaceHolder(T("library.search.placeholder"))
	p.minBPM = widget.NewEntry()
	p.minBPM.SetPlaceHolder(T("library.min"))
	p.maxBPM = widget.NewEntry()
	p.maxBPM.SetPlaceHolder(T("library.max"))
	p.key = widget.NewSelect(keyChoices(), nil)
	p.key.SetSelectedIndex(0)

	p.table = newTrackTable(eventColumn(g.core))
	p.played = newNote(widget.WarningImportance)
	p.correct = newCorrectionEditor(g)
	p.correct.onSaved = func(library.Track) { p.refresh() }
	p.table.onSelect = func(t library.Track) {
		p.updateSend()
		p.showPlayed(t)
		p.correct.Set(t, true)
	}
	p.summary = widget.NewLabel("")
	p.message = newNote(widget.MediumImportance)
	p.errLabel = newErrorNote()
	p.filterErr = newErrorNote()
	p.sendBtn = widget.NewButtonWithIcon(T("library.send"), theme.MailSendIcon(), p.sendSelected)
	p.sendBtn.Disable()

	// Filters apply as they are typed; wired last, once every widget exists.
	p.search.OnChanged = func(string) { p.refresh() }
	p.minBPM.OnChanged = func(string) { p.refresh() }
	p.maxBPM.OnChanged = func(string) { p.refresh() }
	p.key.OnChanged = func(string) { p.refresh() }

	add := container.NewBorder(nil, nil, nil, container.NewHBox(p.browse, p.browseDB, p.addBtn, p.rescan), p.path)
	bpm := container.NewHBox(widget.NewLabel("BPM"), sized(p.minBPM, 80), widget.NewLabel("–"), sized(p.maxBPM, 80))
	filters := container.NewBorder(nil, nil, nil, container.NewHBox(bpm, sized(p.key, 190)), p.search)
	top := container.NewVBox(heading(T("pane.library")), add, p.message, p.errLabel, filters, p.filterErr)
	bottom := container.NewBorder(container.NewVBox(p.played, p.correct.content), nil, nil, p.sendBtn, p.summary)
	p.addMusic = widget.NewButtonWithIcon(T("library.addMusic"), theme.FolderOpenIcon(), p.pickFolder)
	p.addMusic.Importance = widget.HighImportance
	emptyText := widget.NewLabel(T("library.empty"))
	emptyText.Alignment = fyne.TextAlignCenter
	p.empty = container.NewCenter(container.NewVBox(emptyText, container.NewCenter(p.addMusic)))
	p.empty.Hide()
	p.content = container.NewBorder(top, bottom, nil, nil, container.NewStack(p.table.table, p.empty))
	return p
}

// showEmpty puts the empty-library message in place of the table while
// there is no track at all (a filter that finds none still shows the table).
func (p *libraryPane) showEmpty() {
	if p.total == 0 {
		p.table.table.Hide()
		p.empty.Show()
	} else {
		p.empty.Hide()
		p.table.table.Show()
	}
}

// sized gives an entry a fixed width inside an HBox.
func sized(o fyne.CanvasObject, width float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(width, o.MinSize().Height), o)
}

// heading is a pane's title.
func heading(text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameHeadingText
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

func (p *libraryPane) pickFolder() {
	dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			p.errLabel.SetText(T("library.folderFailed", "Error", errorDetail(err)))
			return
		}
		if u == nil {
			return
		}
		p.path.SetText(u.Path())
		p.add()
	}, p.g.win)
}

func (p *libraryPane) pickDatabase() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			p.errLabel.SetText(T("library.fileFailed", "Error", errorDetail(err)))
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		p.path.SetText(path)
		p.add()
	}, p.g.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".xml"}))
	d.Show()
}

// add imports what the path box names: a VirtualDJ database.xml, or a
// folder of music. An empty box with "database.xml" found in VirtualDJ's
// usual place is not guessed at: the DJ says what to add.
func (p *libraryPane) add() {
	path := strings.TrimSpace(p.path.Text)
	if path == "" {
		p.errLabel.SetText(T("library.pathFirst"))
		return
	}
	p.errLabel.SetText("")
	if strings.EqualFold(filepath.Ext(path), ".xml") {
		p.message.SetText(T("library.vdj.reading", "Path", path))
		var res library.VDJResult
		p.g.do(p.addBtn, func(ctx context.Context) (err error) {
			res, err = p.g.core.ImportVirtualDJ(ctx, path)
			return err
		}, func(err error) {
			if err != nil {
				p.message.SetText("")
				p.errLabel.SetText(T("library.vdj.failed", "Error", errorDetail(err)))
				return
			}
			msg := T("library.vdj.done", "Songs", res.Songs, "Added", res.Added, "Updated", res.Updated, "Missing", res.Missing)
			if len(res.Warnings) > 0 {
				msg += " " + strings.Join(res.Warnings, "; ")
			}
			p.message.SetText(msg)
			p.path.SetText("")
			p.refresh()
		})
		return
	}
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		p.errLabel.SetText(T("library.notFolder", "Path", path))
		return
	}
	p.message.SetText(T("library.scanning", "Path", path))
	var res library.ImportResult
	p.g.do(p.addBtn, func(ctx context.Context) (err error) {
		res, err = p.g.core.ImportFolder(ctx, path)
		return err
	}, func(err error) {
		if err != nil {
			p.message.SetText("")
			p.errLabel.SetText(T("library.importFailed", "Error", errorDetail(err)))
			return
		}
		p.message.SetText(importSummary(path, res))
		p.path.SetText("")
		p.refresh()
	})
}

func importSummary(path string, r library.ImportResult) string {
	parts := []string{T("library.summary.counts", "Added", r.Added, "Changed", r.Changed, "Moved", r.Moved, "Unchanged", r.Unchanged)}
	if r.Missing > 0 {
		parts = append(parts, T("library.summary.missing", "Missing", r.Missing))
	}
	if len(r.Errors) > 0 {
		parts = append(parts, TN("library.summary.unreadable", len(r.Errors), "File", filepath.Base(r.Errors[0].Path), "Error", r.Errors[0].Err))
	}
	msg := T("library.summary", "Folder", filepath.Base(path), "Counts", strings.Join(parts, T("list.separator")))
	if q := r.Queued(); q > 0 {
		return msg + TN("library.summary.analysing", q)
	}
	return msg + "."
}

func (p *libraryPane) rescanFolders() {
	p.errLabel.SetText("")
	p.message.SetText(T("library.rescanning"))
	var res library.ImportResult
	p.g.do(p.rescan, func(ctx context.Context) (err error) {
		res, err = p.g.core.Rescan(ctx)
		return err
	}, func(err error) {
		if err != nil {
			p.message.SetText("")
			p.errLabel.SetText(T("library.rescanFailed", "Error", errorDetail(err)))
			return
		}
		p.message.SetText(importSummary(T("library.allFolders"), res))
		p.refresh()
	})
}

// filter is the table's filter as the boxes describe it. A BPM box that
// is not a number is an error the DJ sees, not a silent "no filter".
func (p *libraryPane) filter() (library.Filter, error) {
	f := library.Filter{Text: strings.TrimSpace(p.search.Text), Limit: 2000}
	parse := func(e *widget.Entry, what string) (float64, error) {
		s := strings.TrimSpace(e.Text)
		if s == "" {
			return 0, nil
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
		if err != nil || v < 0 || v > 400 {
			return 0, fmt.Errorf("%s BPM %q is not a tempo between 0 and 400", what, s)
		}
		return v, nil
	}
	var err error
	if f.MinBPM, err = parse(p.minBPM, "lowest"); err != nil {
		return f, err
	}
	if f.MaxBPM, err = parse(p.maxBPM, "highest"); err != nil {
		return f, err
	}
	if f.MinBPM > 0 && f.MaxBPM > 0 && f.MinBPM > f.MaxBPM {
		return f, fmt.Errorf("the BPM range %g–%g is upside down", f.MinBPM, f.MaxBPM)
	}
	if p.key.SelectedIndex() > 0 {
		f.Key = p.key.Selected
	}
	return f, nil
}

// refresh queries the library with the current filter, off the UI thread.
// While a query runs, further calls only mark the table dirty; the last
// filter is queried when the running one returns.
func (p *libraryPane) refresh() {
	f, err := p.filter()
	if err != nil {
		p.filterErr.SetText(errorText(err))
		return
	}
	p.filterErr.SetText("")
	if p.querying {
		p.dirty = true
		return
	}
	p.querying, p.dirty = true, false
	var (
		tracks []library.Track
		counts library.Counts
	)
	p.g.do(nil, func(ctx context.Context) error {
		var err error
		if tracks, err = p.g.core.Tracks(ctx, f); err != nil {
			return err
		}
		counts, err = p.g.core.Counts(ctx)
		return err
	}, func(err error) {
		p.querying = false
		if err != nil {
			p.errLabel.SetText(T("library.readFailed", "Error", errorDetail(err)))
		} else {
			p.table.SetTracks(tracks)
			p.total = counts.Total
			p.showEmpty()
			p.g.check.refresh()
			p.summary.SetText(T("library.counts", "Shown", len(tracks), "Total", counts.Total, "Analysed", counts.Analysed,
				"Waiting", counts.Pending, "Failed", counts.Failed, "Missing", counts.Missing))
			p.updateSend()
		}
		if p.dirty {
			p.refresh()
		}
	})
}

// refreshSoon is refresh for events: analysis reports every file, and a
// running query already absorbs the burst.
func (p *libraryPane) refreshSoon() { p.refresh() }

func (p *libraryPane) updateSend() { p.updateSendLive(p.g.core.LiveState().Live) }

// updateSendLive enables "send as now playing" for a selected track while
// live.
func (p *libraryPane) updateSendLive(live bool) {
	sel, ok := p.table.Selected()
	if ok != p.correct.has || sel.ID != p.correct.track.ID {
		p.correct.Set(sel, ok)
	}
	if ok && live {
		p.sendBtn.Enable()
	} else {
		p.sendBtn.Disable()
	}
}

// sendSelected tells the dancers that the selected track is playing: the
// manual source, or a correction when the DJ software's file was missed.
func (p *libraryPane) sendSelected() {
	t, ok := p.table.Selected()
	if !ok {
		return
	}
	p.confirmSend(t, func() {
		p.g.do(p.sendBtn, func(ctx context.Context) error {
			return p.g.core.SendManual(ctx, t.ID)
		}, func(err error) {
			if err != nil {
				p.errLabel.SetText(T("send.failed", "Error", errorDetail(err)))
				return
			}
			p.message.SetText(T("library.sent", "Title", displayTitle(t)))
		})
	})
}
