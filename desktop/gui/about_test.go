package gui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/pikadj/pika/desktop/internal/appversion"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestAboutAndUpdateCheck: at start the window asks the relay and shows a
// newer release in Settings → About; the About box shows the version;
// turning the check off is saved and hides the notice.
func TestAboutAndUpdateCheck(t *testing.T) {
	defer func(v string) { appversion.Version = v }(appversion.Version)
	tests := []struct {
		name    string
		current string
		notice  bool
	}{
		{"older than the release", "1.0.0", true},
		{"the release itself", "9.0.0", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			appversion.Version = tc.current
			relay := relaytest.Start(t, relaytest.WithAppRelease(protocol.AppRelease{Version: "9.0.0", DownloadURL: "https://pika.example/download"}))
			cfg := pikaConfig()
			cfg.RelayURL = relay.URL
			cfg.ConfigDir = t.TempDir()
			answered := func() bool {
				_, err := os.Stat(filepath.Join(cfg.ConfigDir, "update-check.json"))
				return err == nil
			}
			h := newHarness(t, cfg)
			h.show(paneSettings)
			a := h.g.settings.about
			if tc.notice {
				h.waitFor("the update notice", liveLimit, func() bool { return a.update.Visible() }, func() string { return a.status.Text })
				h.ui(func() {
					if !strings.Contains(a.update.Text, "9.0.0") || a.update.URL.String() != "https://pika.example/download" {
						t.Errorf("notice %q → %v", a.update.Text, a.update.URL)
					}
				})
			} else {
				h.waitFor("the update check", liveLimit, func() bool { return answered() && a.last.Latest == "9.0.0" }, func() string { return a.status.Text })
				h.ui(func() {
					if a.update.Visible() {
						t.Errorf("a notice for the version already running: %q", a.update.Text)
					}
				})
			}

			h.tap(a.aboutBtn)
			h.ui(func() {
				top := h.win.Canvas().Overlays().Top()
				if top == nil || a.about == nil {
					t.Fatal("no About box")
				}
				found := false
				for _, l := range findLabels(top) {
					found = found || strings.Contains(l.Text, "Version "+tc.current)
				}
				if !found {
					t.Errorf("the About box does not show version %s", tc.current)
				}
				if b := findButton(top, "Close"); b != nil {
					test.Tap(b)
				}
			})

			h.ui(func() {
				if !a.check.Checked {
					t.Fatal("the update check is off by default")
				}
				a.check.SetChecked(false)
			})
			h.waitFor("the check off saved", liveLimit, func() bool { return h.core.Settings().NoUpdateCheck && !a.update.Visible() }, func() string { return a.status.Text })
		})
	}
}
