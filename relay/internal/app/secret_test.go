package app

import "testing"

func TestSecretPath(t *testing.T) {
	tests := []struct{ db, replica, want string }{
		{"file:pika.db", "", "pika.secret"},
		{"file:/data/pika.db", "", "/data/pika.secret"},
		{"/data/pika.db", "", "/data/pika.secret"},
		{"file:/data/pika.db?_journal=WAL", "", "/data/pika.secret"},
		{"libsql://db.turso.io", "/var/lib/pika/pika-replica.db", "/var/lib/pika/pika.secret"},
	}
	for _, tc := range tests {
		if got := SecretPath(tc.db, tc.replica); got != tc.want {
			t.Errorf("SecretPath(%q, %q) = %q, want %q", tc.db, tc.replica, got, tc.want)
		}
	}
}
