package gui

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
