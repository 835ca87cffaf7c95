package gui

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/library"
)

// trackColumn is one column of the library table: its title, width, how a
// track shows in it and how two tracks compare in it.
type trackColumn struct {
	title string
	width float32
	text  func(library.Track) string
	less  func(a, b library.Track) int
}

var trackColumns = []trackColumn{
	{"Artist", 170, func(t library.Track) string { return t.Tags.Artist },
		func(a, b library.Track) int { return cmpFold(a.Tags.Artist, b.Tags.Artist) }},
	{"Title", 225, displayTitle,
		func(a, b library.Track) int { return cmpFold(displayTitle(a), displayTitle(b)) }},
	{"BPM", 70, func(t library.Track) string { return bpmText(t.BPM()) },
		func(a, b library.Track) int { return cmp.Compare(a.BPM(), b.BPM()) }},
	{"Key", 120, keyText,
		func(a, b library.Track) int { return cmpCamelot(a, b) }},
	{"Energy", 75, func(t library.Track) string {
		if t.Analysis == nil {
			return ""
		}
		return fmt.Sprintf("%.0f", t.Analysis.Energy)
	}, func(a, b library.Track) int { return cmp.Compare(energy(a), energy(b)) }},
	{"Status", 95, func(t library.Track) string { return stateText(t.State) },
		func(a, b library.Track) int { return cmp.Compare(a.State, b.State) }},
	{"Problem", 250, problemText,
		func(a, b library.Track) int { return cmp.Compare(problemText(a), problemText(b)) }},
	{"Crowd", 330, crowdText, cmpCrowd}, // crowdcolumn.go
}

func displayTitle(t library.Track) string {
	if t.Tags.Title != "" {
		return t.Tags.Title
	}
	return t.Protocol().Title
}

// problemText is why a track failed, without the layers that only repeat
// what the row shows ("analysis: audio: name.mp3: "), so the reason itself
// fits the column; the Analysis pane keeps the whole message.
func problemText(t library.Track) string {
	s := t.Error
	if s == "" && t.Analysis != nil && t.Analysis.Warning != "" {
		// Analysed, but through a problem the DJ should know of.
		return T("track.warning", "Warning", t.Analysis.Warning)
	}
	for _, prefix := range []string{"analysis: ", "audio: ", filepath.Base(t.Path) + ": "} {
		s = strings.TrimPrefix(s, prefix)
	}
	if s == "" {
		return t.Error
	}
	return s
}

func bpmText(bpm float64) string {
	if bpm <= 0 {
		return ""
	}
	return fmt.Sprintf("%.1f", bpm)
}

// keyText is "8A · A minor"; a key the analysis is unsure of (below
// protocol.MinCertainKeyConfidencePct) reads "8A? · A minor" instead of
// disappearing.
func keyText(t library.Track) string {
	name, camelot := t.Key()
	if t.ManualKey == "" && t.Analysis.KeyUncertain() {
		if camelot != "" {
			camelot += "?"
		} else if name != "" {
			name += "?"
		}
	}
	return keyLabel(camelot, name)
}

func energy(t library.Track) float64 {
	if t.Analysis == nil {
		return -1
	}
	return t.Analysis.Energy
}

func stateText(s library.State) string {
	switch s {
	case library.StateAnalysed:
		return T("track.state.analysed")
	case library.StatePending:
		return T("track.state.waiting")
	case library.StateFailed:
		return T("track.state.failed")
	case library.StateMissing:
		return T("track.state.missing")
	}
	return string(s)
}

func cmpFold(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) }

// cmpCamelot orders by the Camelot wheel (1A, 1B, 2A …), so harmonic
// neighbours sit together; tracks without a key go last.
func cmpCamelot(a, b library.Track) int {
	ka, kb := camelotRank(a), camelotRank(b)
	return cmp.Compare(ka, kb)
}

func camelotRank(t library.Track) int {
	_, c := t.Key()
	var n int
	var l byte
	if _, err := fmt.Sscanf(c, "%d%c", &n, &l); err != nil || n < 1 || n > 12 {
		return 1000
	}
	r := n * 2
	if l == 'B' {
		r++
	}
	return r
}

// trackTable is the library table: sortable by any column (tap a header;
// tap again to reverse), one row selected at a time.
type trackTable struct {
	columns  []trackColumn
	table    *widget.Table
	tracks   []library.Track
	sortCol  int
	sortDesc bool
	selected int
	onSelect func(library.Track)
}

// newTrackTable makes the table of trackColumns and the extra columns
// that need more than the track (what the event played).
func newTrackTable(extra ...trackColumn) *trackTable {
	tt := &trackTable{columns: append(slices.Clone(trackColumns), extra...), sortCol: 0, selected: -1}
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(tt.tracks), len(tt.columns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id.Row < 0 || id.Row >= len(tt.tracks) {
				l.SetText("")
				return
			}
			tr := tt.tracks[id.Row]
			l.Importance = widget.MediumImportance
			if tt.columns[id.Col].title == "Problem" || tr.State == library.StateFailed && tt.columns[id.Col].title == "Status" {
				l.Importance = widget.DangerImportance
			}
			l.SetText(tt.columns[id.Col].text(tr))
		},
	)
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject {
		b := widget.NewButton("", nil)
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		return b
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		b := o.(*widget.Button)
		if id.Col < 0 || id.Col >= len(tt.columns) {
			return
		}
		col := id.Col
		b.SetText(columnLabel(tt.columns[col].title))
		b.SetIcon(nil)
		if col == tt.sortCol {
			if tt.sortDesc {
				b.SetIcon(theme.MenuDropDownIcon())
			} else {
				b.SetIcon(theme.MenuDropUpIcon())
			}
		}
		b.OnTapped = func() { tt.SortBy(col) }
	}
	for i, c := range tt.columns {
		t.SetColumnWidth(i, c.width)
	}
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row < 0 || id.Row >= len(tt.tracks) {
			return
		}
		tt.selected = id.Row
		if tt.onSelect != nil {
			tt.onSelect(tt.tracks[id.Row])
		}
	}
	tt.table = t
	return tt
}

// SetTracks replaces the rows, keeping the current sort and the selected
// track (the library refreshes while analysis runs; the DJ's choice must
// survive that).
func (tt *trackTable) SetTracks(ts []library.Track) {
	var keep int64 = -1
	if t, ok := tt.Selected(); ok {
		keep = t.ID
	}
	shrinks := len(ts) < len(tt.tracks)
	tt.tracks = slices.Clone(ts)
	tt.selected = -1
	tt.sort()
	if shrinks {
		// Fyne's table keeps its own copy of the scroll offset, which a
		// shorter content does not correct: scrolled down a long library,
		// a search drew a blank table or its last row floating. Start the
		// shorter list at its top (the kept selection scrolls into view).
		tt.table.ScrollToTop()
	}
	tt.table.Refresh()
	for i, t := range tt.tracks {
		if t.ID == keep {
			// Fyne's Select skips a cell already selected, and with it
			// OnSelected: the row is recorded here, not left to it.
			tt.selected = i
			tt.table.Select(widget.TableCellID{Row: i, Col: 0})
			if tt.onSelect != nil {
				tt.onSelect(t) // its numbers or marks may have changed
			}
			return
		}
	}
	tt.table.UnselectAll()
}

// SortBy sorts by column col; the same column again reverses the order.
func (tt *trackTable) SortBy(col int) {
	if col == tt.sortCol {
		tt.sortDesc = !tt.sortDesc
	} else {
		tt.sortCol, tt.sortDesc = col, false
	}
	tt.selected = -1
	tt.table.UnselectAll()
	tt.sort()
	tt.table.Refresh()
}

func (tt *trackTable) sort() {
	less := tt.columns[tt.sortCol].less
	slices.SortStableFunc(tt.tracks, func(a, b library.Track) int {
		c := less(a, b)
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		if tt.sortDesc {
			return -c
		}
		return c
	})
}

// Selected is the selected track, if any.
func (tt *trackTable) Selected() (library.Track, bool) {
	if tt.selected < 0 || tt.selected >= len(tt.tracks) {
		return library.Track{}, false
	}
	return tt.tracks[tt.selected], true
}
