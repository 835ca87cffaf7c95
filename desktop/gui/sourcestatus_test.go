package gui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/internal/testenv"
	"github.com/pikadj/pika/desktop/nowplaying"
	"github.com/pikadj/pika/relay/relaytest"
)

// The Live pane says why nothing arrives from rekordbox: a master.db that
// does not open with the key shows "wrong key" and a box for the DJ's key,
// which is saved in the settings.
func TestLivePaneSourceStatus(t *testing.T) {
	testenv.NeedTools(t, "sqlcipher")
	dir := filepath.Join(t.TempDir(), "Pioneer", "rekordbox")
	db := filepath.Join(dir, "master.db")
	if err := exec.Command("mkdir", "-p", dir).Run(); err != nil {
		t.Fatal(err)
	}
	// A SQLCipher database with another key and cipher than rekordbox's.
	cmd := exec.Command("sqlcipher", db)
	cmd.Stdin = strings.NewReader("PRAGMA key = 'not-rekordbox';\nPRAGMA cipher_page_size = 4096;\nCREATE TABLE djmdSongHistory (ID VARCHAR(255) PRIMARY KEY);\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sqlcipher: %v\n%s", err, out)
	}
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "ana@example.com", "DJ Ana")
	h := newHarness(t, pikaConfig())
	signIn(h, relay, token, "DJ Ana", "")
	h.show(paneLive)
	lv := h.g.live
	for i, k := range liveSources {
		if k.Name == nowplaying.SourceRekordbox {
			h.ui(func() { lv.source.SetSelectedIndex(i) })
		}
	}
	h.ui(func() { lv.location.SetText(db) })
	h.tap(lv.goLive)
	st := lv.srcStatus
	h.waitFor("the wrong-key status and the key box", liveLimit, func() bool {
		return strings.Contains(st.line.Text, "wrong key") && st.keyBox.Visible()
	}, func() string { return st.line.Text + " | " + lv.errLabel.Text })
	h.typeIn(st.key, "  my-rekordbox-key ")
	h.tap(st.saveKey)
	if got := h.core.Settings().RekordboxKey; got != "my-rekordbox-key" {
		t.Errorf("saved key %q", got)
	}
	h.ui(func() {
		if !strings.Contains(st.keyNote.Text, "go live again") || st.key.Text != "" {
			t.Errorf("after saving: note %q, box %q", st.keyNote.Text, st.key.Text)
		}
	})
	answerEnd(h, "End session")
	h.waitFor("the status line cleared after the session", liveLimit, func() bool { return st.line.Text == "" && !st.keyBox.Visible() }, func() string { return st.line.Text })
}

// The Live pane's status line for the other states a DJ meets: the source
// not found (with the path), a file that is not the program's database,
// and a source followed, first with no track, then with the last one.
func TestLivePaneSourceStatusStates(t *testing.T) {
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "bo@example.com", "DJ Bo")
	h := newHarness(t, pikaConfig())
	signIn(h, relay, token, "DJ Bo", "")
	h.show(paneLive)
	lv := h.g.live
	st := lv.srcStatus
	dir := t.TempDir()
	missing := filepath.Join(dir, "Música", "djay", "MediaLibrary.db")
	notDB := filepath.Join(dir, "MediaLibrary.db")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("Romeo Santos - Propuesta Indecente\n", 300)), 0o644); err != nil {
		t.Fatal(err)
	}
	nowFile := filepath.Join(dir, "now playing.txt")
	if err := os.WriteFile(nowFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, kind, location string
		want                 []string
		warning              bool
		then                 func()
		thenWant             []string
	}{
		{name: "not found", kind: nowplaying.SourceDjay, location: missing,
			want: []string{"djay Pro", missing + " not found", "Pika! keeps looking"}, warning: true},
		{name: "not the program's database", kind: nowplaying.SourceDjay, location: notDB,
			want: []string{notDB + " is not djay Pro's database", "leave it empty"}, warning: true},
		{name: "followed", kind: nowplaying.SourceTextFile, location: nowFile,
			want: []string{"Following Now-playing text file", "no track played yet"},
			then: func() {
				if err := os.WriteFile(nowFile, []byte("Romeo Santos - Propuesta Indecente\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			thenWant: []string{"Following Now-playing text file: last track at", "Romeo Santos – Propuesta Indecente"}},
	}
	has := func(want []string) func() bool {
		return func() bool {
			for _, w := range want {
				if !strings.Contains(st.line.Text, w) {
					return false
				}
			}
			return true
		}
	}
	line := func() string { return st.line.Text + " | " + lv.errLabel.Text }
	// One harness for all: not subtests, since the harness fails the test
	// it was made for.
	for _, tc := range tests {
		func() {
			for i, k := range liveSources {
				if k.Name == tc.kind {
					h.ui(func() { lv.source.SetSelectedIndex(i) })
				}
			}
			h.ui(func() { lv.location.SetText(tc.location) })
			h.tap(lv.goLive)
			h.waitFor("the "+tc.name+" status", liveLimit, has(tc.want), line)
			// The change-PIN row appears once the relay confirms the
			// session, laid out (not squeezed to nothing).
			h.waitFor("the change-PIN row laid out", liveLimit, func() bool {
				return lv.pinBox.Visible() && lv.newPIN.Size().Width > 0
			}, func() string { return fmt.Sprint(lv.pinBox.Visible(), lv.newPIN.Size()) })
			h.ui(func() {
				if got := st.line.Importance == widget.WarningImportance; got != tc.warning {
					t.Errorf("%s: shown as a warning: %v, want %v (%q)", tc.name, got, tc.warning, st.line.Text)
				}
				if st.keyBox.Visible() {
					t.Error("the rekordbox key box is shown for " + tc.kind)
				}
			})
			if tc.then != nil {
				tc.then()
				h.waitFor("the "+tc.name+" status after a track", liveLimit, has(tc.thenWant), line)
			}
			answerEnd(h, "End session")
			h.waitFor("the status line cleared after the session", liveLimit, func() bool { return st.line.Text == "" }, line)
		}()
	}
}
