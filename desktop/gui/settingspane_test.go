package gui

import (
	"context"
	"github.com/pikadj/pika/relay/relaytest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/library"
)

func TestSettingsRemoveFolder(t *testing.T) {
	tests := []struct {
		name    string
		answer  string // the dialog button tapped
		removed bool
	}{
		{"confirmed", "Remove", true},
		{"kept", "Keep", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, pikaConfig())
			ctx := context.Background()
			gone := copyCorpus(t, "00-rnb-104-Amin.mp3")
			stays := copyCorpus(t, "02-bvfunk-112-Dmin.mp3")
			for _, dir := range []string{gone, stays} {
				if _, err := h.core.ImportFolder(ctx, dir); err != nil {
					t.Fatalf("import %s: %v", dir, err)
				}
			}
			h.show(paneSettings)
			sp := h.g.settings
			var remove *widget.Button
			h.ui(func() {
				if got := folderRows(sp); !slices.Equal(got, []string{gone, stays}) {
					t.Fatalf("folders shown %q", got)
				}
				remove = findButton(sp.folders.Objects[0], "Remove")
			})
			if remove == nil {
				t.Fatal("no remove button beside the folder")
			}
			h.tap(remove)
			var answer *widget.Button
			h.ui(func() {
				top := h.win.Canvas().Overlays().Top()
				if top == nil || sp.removing == nil {
					t.Fatal("removing a folder did not ask first")
				}
				answer = findButton(top, tc.answer)
			})
			if answer == nil {
				t.Fatalf("the dialog has no %q button", tc.answer)
			}
			h.tap(answer)
			h.ui(func() {
				if h.win.Canvas().Overlays().Top() != nil || sp.removing != nil {
					t.Error("the dialog stayed open after " + tc.answer)
				}
			})

			want := []string{gone, stays}
			if tc.removed {
				want = []string{stays}
			}
			h.waitFor("the folder list", liveLimit, func() bool {
				return slices.Equal(folderRows(sp), want) && slices.Equal(h.core.Settings().LibraryFolders, want)
			}, func() string { return sp.folderErr.Text })
			// The folder's tracks stay in the library either way.
			tracks, err := h.core.Tracks(ctx, library.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(tracks) != 2 {
				t.Errorf("library has %d tracks after removing a folder, want 2", len(tracks))
			}
		})
	}
}

// folderRows is the folders the Settings pane lists, top to bottom.
func folderRows(sp *settingsPane) []string {
	var dirs []string
	for _, row := range sp.folders.Objects {
		if findButton(row, "Remove") == nil {
			continue // the "none yet" line
		}
		for _, o := range row.(*fyne.Container).Objects {
			if l, ok := o.(*widget.Label); ok {
				dirs = append(dirs, l.Text)
			}
		}
	}
	return dirs
}

// findButton finds a button by its text in a tree of objects, as a DJ
// finds it on screen.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	switch v := o.(type) {
	case *widget.Button:
		if v.Text == text {
			return v
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	case fyne.Widget:
		r := test.WidgetRenderer(v)
		for _, c := range r.Objects() {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}

// findLabels lists the labels in a tree of objects, as a DJ reads them.
func findLabels(o fyne.CanvasObject) []*widget.Label {
	switch v := o.(type) {
	case *widget.Label:
		return []*widget.Label{v}
	case *fyne.Container:
		var out []*widget.Label
		for _, c := range v.Objects {
			out = append(out, findLabels(c)...)
		}
		return out
	case fyne.Widget:
		var out []*widget.Label
		for _, c := range test.WidgetRenderer(v).Objects() {
			out = append(out, findLabels(c)...)
		}
		return out
	}
	return nil
}

// "Save and check" with a token the relay refuses keeps the token that
// works and says why the new one was refused.
func TestSettingsRefusedTokenIsNotSaved(t *testing.T) {
	relay := relaytest.Start(t)
	good := relay.RegisterDJ(t, "ana@example.com", "DJ Ana")
	h := newHarness(t, pikaConfig())
	signIn(h, relay, good, "DJ Ana", "")
	sp := h.g.settings
	const typo = "pk_dj_ffffffffffffffffffffffffffffffff"
	h.typeIn(sp.token, typo)
	h.tap(sp.checkBtn)
	h.waitFor("the refusal", liveLimit, func() bool { return sp.tokenErr.Text != "" },
		func() string { return sp.tokenNote.Text + " | " + sp.who.Text })
	h.ui(func() {
		if !strings.Contains(sp.tokenErr.Text, "not saved") && strings.Contains(sp.tokenErr.Text, "saved token is kept") || !strings.Contains(sp.tokenErr.Text, "does not know this token") {
			t.Errorf("refusal reads %q", sp.tokenErr.Text)
		}
		if sp.token.Text != typo {
			t.Errorf("the refused token left the box (%q): the DJ cannot see what was refused", sp.token.Text)
		}
	})
	if dj, err := h.core.CheckToken(context.Background()); err != nil || dj.DisplayName != "DJ Ana" {
		t.Fatalf("the working token was replaced: %+v, %v", dj, err)
	}
}

// "Saved." sits beside the button on one line; in an HBox the wrapped note
// was one letter wide and stretched the button.
func TestSettingsSavedNoteOnOneLine(t *testing.T) {
	h := newHarness(t, pikaConfig())
	h.show(paneSettings)
	sp := h.g.settings
	h.tap(sp.saveBtn)
	h.waitFor("Saved.", liveLimit, func() bool { return sp.saved.Text == "Saved." }, func() string { return sp.errLabel.Text })
	h.ui(func() {
		h.win.Canvas().Content().Refresh()
		writePNG(filepath.Join(screenshotDir(t), "settings-saved.png"), h.win.Canvas().Capture())
		line := sp.saveBtn.MinSize().Height
		if got := sp.saveBtn.Size().Height; got > line+1 {
			t.Errorf("the Save button is %.0f high, its text needs %.0f", got, line)
		}
		if got := sp.saved.MinSize().Height; got > line+1 {
			t.Errorf("\"Saved.\" is %.0f high: drawn on more than one line", got)
		}
	})
}
