package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// pane is one page of the window, reached from the sidebar.
type pane struct {
	name    string // what the code calls it (showNamed)
	title   string // what the sidebar shows
	icon    fyne.Resource
	content fyne.CanvasObject
	// shown, when set, runs each time the DJ opens the pane (to refresh
	// data that is not pushed as events).
	shown func()
}

func (p *pane) label() string {
	if p.title != "" {
		return p.title
	}
	return p.name
}

// shell is the window's frame: the sidebar, the pane area and the status
// line. It knows nothing about the core; the panes do.
type shell struct {
	panes   []*pane
	nav     *widget.List
	area    *fyne.Container
	status  *statusLine
	current int
	content fyne.CanvasObject
	// banner shows the latest error the DJ has not dismissed.
	banner    *fyne.Container
	bannerMsg *widget.Label
}

func newShell(panes []*pane) *shell {
	s := &shell{panes: panes, status: newStatusLine(), current: -1}
	s.area = container.NewStack()
	s.nav = widget.NewList(
		func() int { return len(s.panes) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("Announcements")
			l.TextStyle = fyne.TextStyle{Bold: true}
			return container.NewHBox(widget.NewIcon(theme.HomeIcon()), l)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(s.panes[id].icon)
			row.Objects[1].(*widget.Label).SetText(s.panes[id].label())
		},
	)
	s.nav.OnSelected = func(id widget.ListItemID) { s.show(id) }
	title := canvas.NewText("Pika!", nil)
	title.TextSize = 30
	title.TextStyle = fyne.TextStyle{Bold: true}
	sidebar := container.NewBorder(container.NewPadded(themed(title, colorNameAccentText)), nil, nil, nil, s.nav)
	s.bannerMsg = widget.NewLabel("")
	s.bannerMsg.Wrapping = fyne.TextWrapWord
	s.bannerMsg.Importance = widget.DangerImportance
	s.bannerMsg.TextStyle = fyne.TextStyle{Bold: true}
	dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), s.hideError)
	dismiss.Importance = widget.LowImportance
	s.banner = container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), dismiss, s.bannerMsg)
	s.banner.Hide()
	body := container.NewHSplit(sidebar, container.NewPadded(container.NewBorder(s.banner, nil, nil, nil, s.area)))
	body.Offset = 0.17
	s.content = container.NewBorder(nil,
		container.NewVBox(widget.NewSeparator(), container.NewPadded(s.status.content)),
		nil, nil, body)
	if len(panes) > 0 {
		s.nav.Select(0)
	}
	return s
}

// show switches the pane area to pane i.
func (s *shell) show(i int) {
	if i < 0 || i >= len(s.panes) || i == s.current {
		return
	}
	s.current = i
	p := s.panes[i]
	s.area.Objects = []fyne.CanvasObject{p.content}
	s.area.Refresh()
	if s.nav.Length() > i {
		s.nav.Select(i)
	}
	if p.shown != nil {
		p.shown()
	}
}

// showNamed switches to the pane called name; it reports whether one was.
func (s *shell) showNamed(name string) bool {
	for i, p := range s.panes {
		if p.name == name {
			s.show(i)
			return true
		}
	}
	return false
}

// showError puts msg in the banner above the panes, in plain words.
func (s *shell) showError(msg string) {
	s.bannerMsg.SetText(msg)
	s.banner.Show()
}

func (s *shell) hideError() {
	s.bannerMsg.SetText("")
	s.banner.Hide()
}
