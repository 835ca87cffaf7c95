package livelink

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/pikadj/pika/desktop/internal/librarydb"
)

func TestRelayURLs(t *testing.T) {
	tests := []struct {
		in, http, ws string
		bad          bool
	}{
		{"https://relay.pika.dance", "https://relay.pika.dance", "wss://relay.pika.dance/ws", false},
		{"relay.pika.dance", "https://relay.pika.dance", "wss://relay.pika.dance/ws", false},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080", "ws://127.0.0.1:8080/ws", false},
		{"ws://127.0.0.1:8080/ws", "http://127.0.0.1:8080", "ws://127.0.0.1:8080/ws", false},
		{"wss://example.com/pika/ws?x=1#f", "https://example.com/pika", "wss://example.com/pika/ws", false},
		{"https://user:pw@example.com", "https://example.com", "wss://example.com/ws", false},
		{"", "", "", true},
		{"ftp://example.com", "", "", true},
		{"http://", "", "", true},
	}
	for _, tc := range tests {
		h, w, err := relayURLs(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("relayURLs(%q) = %q %q, want an error", tc.in, h, w)
			}
			continue
		}
		if err != nil || h != tc.http || w != tc.ws {
			t.Errorf("relayURLs(%q) = %q %q %v, want %q %q", tc.in, h, w, err, tc.http, tc.ws)
		}
	}
}

func TestPublicLinks(t *testing.T) {
	tests := []struct {
		name                          string
		public, relayJoin, relayRecap string
		join, local, recap            string
	}{
		{"relay public, public page set: the page wins", "https://pika.dance", "https://relay.pika.dance/live/s1", "https://relay.pika.dance/recap/s1",
			"https://pika.dance/live/s1", "", "https://pika.dance/recap/s1"},
		{"relay public, no public page", "", "https://relay.pika.dance/live/s1", "https://relay.pika.dance/recap/s1",
			"https://relay.pika.dance/live/s1", "", "https://relay.pika.dance/recap/s1"},
		{"relay public, lan public page ignored", "http://192.168.1.5", "https://relay.pika.dance/live/s1", "https://relay.pika.dance/recap/s1",
			"https://relay.pika.dance/live/s1", "", "https://relay.pika.dance/recap/s1"},
		{"tailscale relay, public page", "https://pika.dance", "http://100.101.102.103:8080/live/s1", "",
			"https://pika.dance/live/s1", "http://100.101.102.103:8080/live/s1", "https://pika.dance/recap/s1"},
		{"loopback relay, public page", "https://pika.dance/", "http://127.0.0.1:8080/live/s1", "http://127.0.0.1:8080/recap/s1",
			"https://pika.dance/live/s1", "http://127.0.0.1:8080/live/s1", "https://pika.dance/recap/s1"},
		{"lan relay, no public page", "", "http://192.168.1.20:8080/live/s1", "http://192.168.1.20:8080/recap/s1",
			"", "http://192.168.1.20:8080/live/s1", "http://192.168.1.20:8080/recap/s1"},
		{"lan public page is no better", "http://10.0.0.5", "http://localhost:8080/live/s1", "",
			"", "http://localhost:8080/live/s1", ""},
		{"mdns name", "https://pika.dance", "http://djlaptop.local:8080/live/s1", "",
			"https://pika.dance/live/s1", "http://djlaptop.local:8080/live/s1", "https://pika.dance/recap/s1"},
		{"a stage set: the room's link on the public page", "https://pika.dance", "http://127.0.0.1:8080/s/swing-main", "http://127.0.0.1:8080/recap/s1",
			"https://pika.dance/s/swing-main", "http://127.0.0.1:8080/s/swing-main", "https://pika.dance/recap/s1"},
		{"ipv6 loopback", "https://pika.dance", "http://[::1]:8080/live/s1", "",
			"https://pika.dance/live/s1", "http://[::1]:8080/live/s1", "https://pika.dance/recap/s1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j, l, r := publicLinks(tc.public, "s1", tc.relayJoin, tc.relayRecap)
			if j != tc.join || l != tc.local || r != tc.recap {
				t.Errorf("got join %q local %q recap %q\nwant join %q local %q recap %q", j, l, r, tc.join, tc.local, tc.recap)
			}
		})
	}
}

func TestIsLocalURL(t *testing.T) {
	tests := []struct {
		url   string
		local bool
	}{
		{"https://pika.dance/live/s1", false},
		{"http://203.0.113.7:8080", false},
		{"http://[2001:db8::1]:8080", false},
		{"http://100.63.255.255", false}, // just below carrier-grade NAT
		{"http://100.128.0.1", false},    // just above it
		{"http://localhost:8080", true},
		{"http://127.0.0.1:8080", true},
		{"http://[::1]:8080", true},
		{"http://10.1.2.3", true},
		{"http://172.16.0.1", true},
		{"http://192.168.1.20", true},
		{"http://169.254.10.1", true},
		{"http://100.64.0.1", true},      // carrier-grade NAT
		{"http://100.101.102.103", true}, // Tailscale
		{"http://100.127.255.254", true},
		{"http://[fd7a:115c:a1e0::1]:8080", true}, // Tailscale IPv6 (unique local)
		{"http://[fc00::1]", true},
		{"http://[fe80::1]", true},
		{"http://[fe80::1%25eth0]", true},
		{"http://djlaptop.local", true},
		{"http://router.lan", true},
		{"http://nas.home.arpa", true},
		{"http://djlaptop", true},
		{"http://0.0.0.0:8080", true},
		{"not a url", true},
	}
	for _, tc := range tests {
		if got := isLocalURL(tc.url); got != tc.local {
			t.Errorf("isLocalURL(%q) = %v, want %v", tc.url, got, tc.local)
		}
	}
}

func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "library.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOutboxBound(t *testing.T) {
	ctx := context.Background()
	st := &store{db: openDB(t), max: 3}
	if err := librarydb.Migrate(ctx, st.db); err != nil {
		t.Fatal(err)
	}
	if err := librarydb.Migrate(ctx, st.db); err != nil {
		t.Fatalf("second migration: %v", err)
	}
	var dropped int64
	for i := range 5 {
		n, err := st.push(ctx, "s1", "NOW_PLAYING", []byte{byte('a' + i)})
		if err != nil {
			t.Fatal(err)
		}
		dropped += n
	}
	if dropped != 2 {
		t.Errorf("dropped %d, want 2", dropped)
	}
	var got []string
	for {
		r, ok, err := st.first(ctx, "s1", "pending")
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		got = append(got, string(r.payload))
		if err := st.remove(ctx, r.id); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 3 || got[0] != "c" || got[1] != "d" || got[2] != "e" {
		t.Errorf("outbox kept %v, want the newest three in order [c d e]", got)
	}
}

type sqlDB = sql.DB

// An outbox made before rows were tagged belongs to the stored session;
// adopt keeps that session's rows (and this run's pending ones) in order
// and drops the others.
func TestOutboxMigrationAndAdopt(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := db.Exec(`CREATE TABLE livelink_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL,
		payload TEXT NOT NULL, created_at TEXT NOT NULL);
		CREATE TABLE livelink_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
		INSERT INTO livelink_state VALUES ('session_id', 'old');
		INSERT INTO livelink_outbox (type, payload, created_at) VALUES ('NOW_PLAYING', 'a', 'x'), ('NOW_PLAYING', 'b', 'x');`); err != nil {
		t.Fatal(err)
	}
	st := &store{db: db, max: 100}
	if err := librarydb.Migrate(ctx, st.db); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ session, payload string }{{"pending", "c"}, {"other-run", "d"}, {"pending", "e"}} {
		if _, err := st.push(ctx, r.session, "NOW_PLAYING", []byte(r.payload)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, session string
		want          []string
		dropped       map[string]int
	}{
		{"resumed", "old", []string{"a", "b", "c", "e"}, map[string]int{"other-run": 1}},
		{"new session", "new", nil, map[string]int{"old": 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dropped, err := st.adopt(ctx, tt.session, "pending")
			if err != nil {
				t.Fatal(err)
			}
			counts := map[string]int{}
			for id, m := range dropped {
				counts[id] = m.count
			}
			if fmt.Sprint(counts) != fmt.Sprint(tt.dropped) {
				t.Errorf("dropped %v, want %v", dropped, tt.dropped)
			}
			rows, err := db.Query(`SELECT payload FROM livelink_outbox WHERE session_id = ? ORDER BY id`, tt.session)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var p string
				if err := rows.Scan(&p); err != nil {
					t.Fatal(err)
				}
				got = append(got, p)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("kept %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPlainHTTP(t *testing.T) {
	tests := []struct {
		in    string
		host  string
		plain bool
	}{
		{"http://relay.example.com", "relay.example.com", true},
		{"ws://relay.example.com:8080/ws", "relay.example.com:8080", true},
		{"http://203.0.113.9:8080", "203.0.113.9:8080", true},
		{"http://[2001:db8::1]:8080", "[2001:db8::1]:8080", true},
		{"https://relay.example.com", "", false},
		{"wss://relay.example.com/ws", "", false},
		{"relay.example.com", "", false}, // no scheme: https
		{"http://127.0.0.1:8080", "", false},
		{"http://localhost:8080", "", false},
		{"http://[::1]:8080", "", false},
		{"http://192.168.1.20:8080", "", false},
		{"http://10.0.0.5", "", false},
		{"http://pika-laptop.local:8080", "", false},
		{"http://100.101.102.103", "", false}, // Tailscale
		{"not a url at all ::", "", false},
	}
	for _, tt := range tests {
		host, plain := PlainHTTP(tt.in)
		if host != tt.host || plain != tt.plain {
			t.Errorf("PlainHTTP(%q) = %q, %v; want %q, %v", tt.in, host, plain, tt.host, tt.plain)
		}
	}
}
