package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Pika")
	s := NewStore(dir, false)
	got, err := s.Load()
	if err != nil || got.MinBPM != 70 || got.MaxBPM != 140 || got.Source != "virtualdj" {
		t.Fatalf("fresh Load = %+v, %v; want defaults", got, err)
	}
	want := Settings{RelayURL: " https://relay.example ", PublicURL: "https://pika.example/", MinBPM: 80, MaxBPM: 160,
		LibraryFolders: []string{"/music", "/más música"}, Source: "m3u:/tmp/h.m3u", SessionName: "Friday Social", Workers: 2}
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "settings.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("settings.json mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	got, err = NewStore(dir, false).Load()
	if err != nil {
		t.Fatal(err)
	}
	if got.RelayURL != "https://relay.example" || got.SessionName != "Friday Social" || len(got.LibraryFolders) != 2 || got.LibraryFolders[1] != "/más música" {
		t.Errorf("Load = %+v", got)
	}
	if j := got.JoinURL("abc_123"); j != "https://pika.example/live/abc_123" {
		t.Errorf("JoinURL = %q", j)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*Settings)
		wantErr string
	}{
		{"defaults", func(*Settings) {}, ""},
		{"relay not http", func(s *Settings) { s.RelayURL = "ftp://x" }, "http"},
		{"relay no host", func(s *Settings) { s.RelayURL = "https://" }, "http"},
		{"public page javascript", func(s *Settings) { s.PublicURL = "javascript:alert(1)" }, "public page"},
		{"narrow range", func(s *Settings) { s.MinBPM, s.MaxBPM = 100, 120 }, "BPM range"},
		{"NaN range", func(s *Settings) { s.MinBPM = 0 }, "BPM range"},
		{"long name", func(s *Settings) { s.SessionName = strings.Repeat("x", 101) }, "longer"},
		{"workers", func(s *Settings) { s.Workers = -1 }, "workers"},
		{"jump threshold", func(s *Settings) { s.BPMJumpPct = 12 }, ""},
		{"jump threshold too wide", func(s *Settings) { s.BPMJumpPct = 80 }, "tempo jump"},
		{"jump threshold negative", func(s *Settings) { s.BPMJumpPct = -1 }, "tempo jump"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Defaults()
			tt.mod(&s)
			err := s.Validate()
			if (tt.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate() = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestCorruptSettingsFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "settings.json"), []byte(`{"relayUrl": 12`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := NewStore(dir, false).Load()
	if err == nil || !strings.Contains(err.Error(), "settings") {
		t.Errorf("Load of a corrupt file: err = %v", err)
	}
	if got.MaxBPM != 140 {
		t.Errorf("corrupt file should give defaults, got %+v", got)
	}
}

func TestTokenFileFallback(t *testing.T) {
	dir := t.TempDir()
	s := NewStore(dir, false)
	if tok, err := s.Token(); err != nil || tok != "" {
		t.Fatalf("no token yet: %q, %v", tok, err)
	}
	tests := []struct{ tok, wantErr string }{
		{"nope", "must start"},
		{"pk_dj_", "must start"},
		{"pk_dj_abc def", "spaces"},
		{"pk_dj_" + strings.Repeat("a", 200), "must start"},
	}
	for _, tt := range tests {
		err := s.SetToken(tt.tok)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || tt.tok != "pk_dj_" && strings.Contains(err.Error(), tt.tok) {
			t.Errorf("SetToken(%q) = %v; want %q without the token in it", tt.tok, err, tt.wantErr)
		}
	}
	const tok = "pk_dj_0123456789abcdef0123456789abcdef"
	if err := s.SetToken(tok); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "token"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	if got, err := NewStore(dir, false).Token(); err != nil || got != tok {
		t.Errorf("Token() = %q, %v", got, err)
	}
	if err := s.SetToken(""); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Token(); err != nil || got != "" {
		t.Errorf("after delete: %q, %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("garbage\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(); err == nil || strings.Contains(err.Error(), "garbage") {
		t.Errorf("damaged token file: %v", err)
	}
}

// TestTokenWhereTheKeychainIsMissing uses the real keychain client: where
// the OS has a keychain the token goes there (and is removed after), where
// it has none (a CI box) the private file takes over. Either way the token
// comes back and no copy stays on disk once it is in the keychain.
func TestTokenWhereTheKeychainIsMissing(t *testing.T) {
	if os.Getenv("PIKA_NO_KEYRING") == "1" {
		t.Skip("PIKA_NO_KEYRING=1")
	}
	// Never touch the DJ's real entry on a developer's machine.
	old := keyringService
	keyringService = "Pika! test " + t.Name()
	t.Cleanup(func() { keyringService = old })
	dir := t.TempDir()
	s := NewStore(dir, true)
	const tok = "pk_dj_abcdefabcdefabcdefabcdefabcdef01"
	if err := s.SetToken(tok); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.DeleteToken() })
	got, err := s.Token()
	if err != nil || got != tok {
		t.Fatalf("Token() = %q, %v", got, err)
	}
	_, statErr := os.Stat(filepath.Join(dir, "token"))
	inFile := statErr == nil
	if inFile == !s.keyringDown.Load() {
		t.Errorf("token file present = %v while keychain down = %v", inFile, s.keyringDown.Load())
	}
	if err := s.DeleteToken(); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Token(); got != "" {
		t.Errorf("after delete: %q", got)
	}
}
