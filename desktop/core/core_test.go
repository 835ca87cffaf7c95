package core

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/desktop/settings"
)

func TestBackgroundWatchesFoldersAndAnalysesNewFiles(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	cfgDir := t.TempDir()
	music := t.TempDir()
	copyInto(t, music, "08-strut-88-Cmin.ogg")

	// First run: import, then close half way through nothing — the
	// folder is remembered in the settings.
	core, err := Open(ctx, Config{ConfigDir: cfgDir, NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	importEvents, stopImport := core.Events()
	if _, err := core.ImportFolder(ctx, music); err != nil {
		t.Fatal(err)
	}
	done := nextEvent(t, ctx, importEvents, func(e ImportProgress) bool { return e.Current == "" })
	if done.Files != 1 || done.Folder != music {
		t.Errorf("import progress %+v; want 1 file in %s", done, music)
	}
	stopImport()
	if err := core.WaitAnalysis(ctx); err != nil {
		t.Fatal(err)
	}
	if got := core.Settings().LibraryFolders; len(got) != 1 || got[0] != music {
		t.Errorf("settings folders %v, want [%s]", got, music)
	}
	core.Close()

	// The GUI's way: background on. A file copied in later is picked up
	// and analysed without the DJ doing anything.
	core, err = Open(ctx, Config{ConfigDir: cfgDir, NoKeyring: true, Background: true})
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	events, stop := core.Events()
	defer stop()
	added := copyInto(t, t.TempDir(), "19-dsoul-90-Bbmin.ogg")
	if err := os.Rename(added, filepath.Join(music, "19-dsoul-90-Bbmin.ogg")); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, ctx, events, func(e LibraryChanged) bool {
		return e.Track != nil && strings.HasSuffix(e.Track.Path, "19-dsoul-90-Bbmin.ogg")
	})
	until(t, ctx, "the new file to be analysed", func() bool {
		c, err := core.Counts(ctx)
		return err == nil && c.Analysed == 2
	})
	found, err := core.Search(ctx, "dsoul", 0)
	if err != nil || len(found) != 1 || found[0].Analysis == nil {
		t.Fatalf("search: %+v, %v", found, err)
	}
	if b := found[0].Analysis.BPM; b < 86 || b > 94 && b < 176 || b > 184 {
		t.Errorf("dsoul BPM %.1f, truth 90", b)
	}

	if err := core.RemoveFolder(ctx, music); err != nil {
		t.Fatal(err)
	}
	folders, err := core.Library().Folders(ctx)
	if err != nil || len(folders) != 0 || len(core.Settings().LibraryFolders) != 0 {
		t.Errorf("after RemoveFolder: library %v, settings %v", folders, core.Settings().LibraryFolders)
	}
	if c, _ := core.Counts(ctx); c.Total != 2 {
		t.Errorf("RemoveFolder dropped tracks: %+v", c)
	}
}

func TestImportVirtualDJThroughCore(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	core, err := Open(ctx, Config{ConfigDir: t.TempDir(), NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	music := t.TempDir()
	p := copyInto(t, music, "10-jazzrock-124-Abmaj.mp3")
	db := filepath.Join(t.TempDir(), "database.xml")
	xml := `<?xml version="1.0" encoding="UTF-8"?>
<VirtualDJ_Database Version="2024">
 <Song FilePath="` + p + `"><Tags Author="Jazz &amp; Rock" Title="Ten"/><Scan Bpm="0.483871" Key="G#"/></Song>
 <Song FilePath="D:\Gone\missing.mp3"><Tags Author="Nobody" Title="Missing"/><Scan Bpm="0.6" Key="Am"/></Song>
</VirtualDJ_Database>`
	if err := os.WriteFile(db, []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := core.ImportVirtualDJ(ctx, db)
	if err != nil || res.Added != 2 || res.Missing != 1 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	if err := core.WaitAnalysis(ctx); err != nil {
		t.Fatal(err)
	}
	tr, err := core.Library().ByPath(ctx, p)
	if err != nil || tr.Analysis == nil || tr.VDJBPM != 124 || tr.VDJCamelot != "4B" || tr.Tags.Artist != "Jazz & Rock" {
		t.Fatalf("VirtualDJ track: %+v, %v", tr, err)
	}
	// Ours and VirtualDJ's are kept side by side.
	if tr.Analysis.BPM == 0 || tr.Analysis.Camelot == "" {
		t.Errorf("our analysis missing: %+v", tr.Analysis)
	}
	missing, err := core.Tracks(ctx, library.Filter{State: library.StateMissing, Key: "8A", MinBPM: 99, MaxBPM: 101})
	if err != nil || len(missing) != 1 || missing[0].Tags.Title != "Missing" {
		t.Errorf("missing track by VirtualDJ's BPM and key: %+v, %v", missing, err)
	}
}

// A relay URL given for this run (--relay, PIKA_RELAY_URL) is never saved:
// not by a settings save that leaves it as shown, nor by going live.
func TestRelayOverrideIsNotSaved(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	const stored = "https://relay.example"
	tests := []struct {
		name      string
		edit      func(*settings.Settings)
		wantRelay string
	}{
		{"other field changed", func(s *settings.Settings) { s.MinBPM = 70 }, stored},
		{"relay changed by the user", func(s *settings.Settings) { s.RelayURL = "https://other.example" }, "https://other.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			plain, err := Open(ctx, Config{ConfigDir: dir, NoKeyring: true})
			if err != nil {
				t.Fatal(err)
			}
			s := plain.Settings()
			s.RelayURL = stored
			if err := plain.SaveSettings(s); err != nil {
				t.Fatal(err)
			}
			plain.Close()

			core, err := Open(ctx, Config{ConfigDir: dir, NoKeyring: true, RelayURL: "http://127.0.0.1:9"})
			if err != nil {
				t.Fatal(err)
			}
			defer core.Close()
			s = core.Settings()
			if s.RelayURL != "http://127.0.0.1:9" {
				t.Fatalf("override not in effect: %q", s.RelayURL)
			}
			tt.edit(&s)
			if err := core.SaveSettings(s); err != nil {
				t.Fatal(err)
			}
			saved, err := settings.NewStore(dir, false).Load()
			if err != nil {
				t.Fatal(err)
			}
			if saved.RelayURL != tt.wantRelay {
				t.Errorf("saved relay %q, want %q", saved.RelayURL, tt.wantRelay)
			}
			if got := core.Settings().RelayURL; got != "http://127.0.0.1:9" {
				t.Errorf("after saving, this run uses %q; want the override still", got)
			}
		})
	}
}
