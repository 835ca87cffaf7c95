package server_test

import (
	"bytes"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

func TestRegisterValidation(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithAuthRateLimit(100, 100))
	r.RegisterDJ(t, "Taken@Example.com", "First")
	tests := []struct {
		name string
		body any
		want int
	}{
		{"ok", protocol.RegisterRequest{Email: "new@example.com", Password: "0123456789", DisplayName: "New"}, http.StatusAccepted},
		// Answered as a new account: see TestRegisterDoesNotRevealAccounts.
		{"email taken, other case and spaces", protocol.RegisterRequest{Email: "  TAKEN@example.COM ", Password: "0123456789", DisplayName: "X"}, http.StatusAccepted},
		{"bad email", protocol.RegisterRequest{Email: "not-an-email", Password: "0123456789", DisplayName: "X"}, http.StatusBadRequest},
		{"email without domain dot", protocol.RegisterRequest{Email: "a@b", Password: "0123456789", DisplayName: "X"}, http.StatusBadRequest},
		{"password 9 chars", protocol.RegisterRequest{Email: "p9@example.com", Password: "012345678", DisplayName: "X"}, http.StatusBadRequest},
		{"password over 72 bytes", protocol.RegisterRequest{Email: "p73@example.com", Password: strings.Repeat("x", 73), DisplayName: "X"}, http.StatusBadRequest},
		{"no display name", protocol.RegisterRequest{Email: "nn@example.com", Password: "0123456789", DisplayName: "  "}, http.StatusBadRequest},
		{"control chars in name", protocol.RegisterRequest{Email: "cc@example.com", Password: "0123456789", DisplayName: "a\x07b"}, http.StatusBadRequest},
		{"unknown field", map[string]string{"email": "uf@example.com", "password": "0123456789", "displayName": "X", "admin": "yes"}, http.StatusBadRequest},
		{"not an object", []int{1, 2}, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out struct {
				protocol.RegisterResponse
				Token string `json:"token"`
				Error string `json:"error"`
			}
			got := r.DoJSON(t, http.MethodPost, "/api/auth/register", "", tc.body, &out)
			if got != tc.want {
				t.Fatalf("status %d, want %d (%+v)", got, tc.want, out)
			}
			if got == http.StatusAccepted {
				if out.Message != protocol.RegisterMessage || out.Token != "" {
					t.Fatalf("register answered %+v, want only the message", out)
				}
			} else if out.Error == "" {
				t.Fatal("error response without an error message")
			}
		})
	}
}

func TestLoginMeAndTokens(t *testing.T) {
	r := relaytest.Start(t)
	first := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	other := r.RegisterDJ(t, "bob@example.com", "DJ Bob")

	var wrongEmail, wrongPass protocol.APIError
	if got := r.DoJSON(t, http.MethodPost, "/api/auth/login", "", protocol.LoginRequest{Email: "nobody@example.com", Password: relaytest.Password}, &wrongEmail); got != http.StatusUnauthorized {
		t.Fatalf("unknown email: %d", got)
	}
	if got := r.DoJSON(t, http.MethodPost, "/api/auth/login", "", protocol.LoginRequest{Email: "ana@example.com", Password: "wrong-password"}, &wrongPass); got != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", got)
	}
	if wrongEmail != wrongPass {
		t.Fatalf("wrong email and wrong password differ: %+v vs %+v", wrongEmail, wrongPass)
	}
	var login protocol.AuthResponse
	if got := r.DoJSON(t, http.MethodPost, "/api/auth/login", "", protocol.LoginRequest{Email: " ANA@example.com", Password: relaytest.Password}, &login); got != http.StatusOK {
		t.Fatalf("login: %d", got)
	}
	if login.Token == first || login.DJ.Email != "ana@example.com" {
		t.Fatalf("login = %+v", login)
	}

	for _, tc := range []struct {
		name, auth string
		want       int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"not a token", "Bearer hello", http.StatusUnauthorized},
		{"unknown token", "Bearer pk_dj_00000000000000000000000000000000", http.StatusUnauthorized},
		{"basic auth", "Basic YTpi", http.StatusUnauthorized},
		{"first token", "Bearer " + first, http.StatusOK},
		{"login token", "Bearer " + login.Token, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, r.URL+"/api/auth/me", nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}

	var created protocol.CreatedToken
	if got := r.DoJSON(t, http.MethodPost, "/api/auth/tokens", first, protocol.CreateTokenRequest{Name: "MacBook"}, &created); got != http.StatusCreated {
		t.Fatalf("create token: %d", got)
	}
	if created.Name != "MacBook" || !strings.HasPrefix(created.Token, protocol.TokenPrefix) {
		t.Fatalf("created = %+v", created)
	}
	if got := r.DoJSON(t, http.MethodPost, "/api/auth/tokens", first, protocol.CreateTokenRequest{Name: ""}, nil); got != http.StatusBadRequest {
		t.Fatalf("empty token name: %d", got)
	}
	var list []protocol.TokenInfo
	if got := r.DoJSON(t, http.MethodGet, "/api/auth/tokens", created.Token, nil, &list); got != http.StatusOK {
		t.Fatalf("list tokens: %d", got)
	}
	if len(list) != 3 {
		t.Fatalf("ana has %d tokens, want 3 (sign-up, login, MacBook): %+v", len(list), list)
	}
	for _, ti := range list {
		if ti.Current != (ti.ID == created.ID) {
			t.Fatalf("current flag wrong: %+v", ti)
		}
		// Using a token records its last use.
		if ti.Current && (ti.LastUsedAt == nil || ti.LastUsedAt.Before(created.CreatedAt)) {
			t.Fatalf("token used for this request has lastUsedAt %v", ti.LastUsedAt)
		}
	}
	if got := r.DoJSON(t, http.MethodDelete, "/api/auth/tokens/"+created.ID, other, nil, nil); got != http.StatusNotFound {
		t.Fatalf("another DJ revoking ana's token: %d, want 404", got)
	}
	if got := r.DoJSON(t, http.MethodDelete, "/api/auth/tokens/"+created.ID, first, nil, nil); got != http.StatusNoContent {
		t.Fatalf("revoke: %d", got)
	}
	if got := r.DoJSON(t, http.MethodGet, "/api/auth/me", created.Token, nil, nil); got != http.StatusUnauthorized {
		t.Fatalf("revoked token still works: %d", got)
	}
	if got := r.DoJSON(t, http.MethodDelete, "/api/auth/tokens/"+created.ID, first, nil, nil); got != http.StatusNotFound {
		t.Fatalf("revoking twice: %d", got)
	}
	// A revoked token cannot open a session either.
	dj := r.Dial(t, nil)
	f := dj.Request(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: created.Token, Name: "x"})
	if e := f.Err(); e == nil || e.Code != protocol.CodeUnauthorized {
		t.Fatalf("revoked token on /ws: %+v", f)
	}
}

func TestAuthRateLimit(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithAuthRateLimit(0.001, 3))
	codes := []int{}
	for i := 0; i < 5; i++ {
		codes = append(codes, r.DoJSON(t, http.MethodPost, "/api/auth/login", "", protocol.LoginRequest{Email: "x@example.com", Password: "0123456789"}, nil))
	}
	want := []int{401, 401, 401, 429, 429}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("login statuses %v, want %v", codes, want)
		}
	}
	// Registration shares the per-IP budget.
	if got := r.DoJSON(t, http.MethodPost, "/api/auth/register", "", protocol.RegisterRequest{Email: "n@example.com", Password: "0123456789", DisplayName: "N"}, nil); got != http.StatusTooManyRequests {
		t.Fatalf("register after the limit: %d", got)
	}
}

// TestSecretsNeverStoredOrLogged looks for every raw token and the
// password in the database files and the logs.
func TestSecretsNeverStoredOrLogged(t *testing.T) {
	r := relaytest.Start(t)
	secrets := []string{relaytest.Password}
	secrets = append(secrets, r.RegisterDJ(t, "ana@example.com", "DJ Ana"))
	var login protocol.AuthResponse
	r.DoJSON(t, http.MethodPost, "/api/auth/login", "", protocol.LoginRequest{Email: "ana@example.com", Password: relaytest.Password}, &login)
	secrets = append(secrets, login.Token)
	var created protocol.CreatedToken
	r.DoJSON(t, http.MethodPost, "/api/auth/tokens", login.Token, protocol.CreateTokenRequest{Name: "Home PC"}, &created)
	secrets = append(secrets, created.Token)
	dj, reg := r.StartSession(t, created.Token, "Secret set", "86420975")
	dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "A", Title: "B"}})
	r.Join(t, reg.SessionID, "client-secret", "86420975")
	r.DoJSON(t, http.MethodGet, "/api/auth/me?token="+created.Token, created.Token, nil, nil)
	r.Stop() // flush and close the database

	files, _ := filepath.Glob(r.DBPath + "*")
	if len(files) == 0 {
		t.Fatal("no database files found")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue // a -shm or -wal the closing database removed meanwhile
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains the secret %q", filepath.Base(f), s)
			}
		}
	}
	logs := r.Logs()
	if !strings.Contains(logs, `"path":"/api/auth/login"`) {
		t.Fatalf("no request line for the login in the logs:\n%s", logs)
	}
	for _, s := range append(secrets, "86420975") {
		if strings.Contains(logs, s) {
			t.Errorf("the logs contain the secret %q", s)
		}
	}
}
