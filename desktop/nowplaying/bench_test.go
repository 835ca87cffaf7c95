package nowplaying

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkVirtualDJDetection measures how long after VirtualDJ appends
// an entry its event arrives: with fsnotify, and with the 1 s polling
// fallback alone (network drives).
func BenchmarkVirtualDJDetection(b *testing.B) {
	for _, bc := range []struct {
		name     string
		pollOnly bool
	}{{"fsnotify", false}, {"polling-1s", true}} {
		b.Run(bc.name, func(b *testing.B) {
			dir := b.TempDir()
			hist := filepath.Join(dir, "History")
			if err := os.Mkdir(hist, 0o755); err != nil {
				b.Fatal(err)
			}
			file := filepath.Join(hist, "2026-11-25.m3u")
			if err := os.WriteFile(file, nil, 0o644); err != nil {
				b.Fatal(err)
			}
			ready := make(chan struct{})
			w := NewVirtualDJ(dir, Options{PollInterval: time.Second, pollOnly: bc.pollOnly, ready: func() { close(ready) }})
			out := make(chan Event, 1)
			ctx := b.Context()
			go func() { _ = w.Run(ctx, out) }()
			<-ready
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				at := time.Now()
				entry := vdjEntry("Bench", fmt.Sprint(i), at) + fmt.Sprintf(`C:\Music\bench%d.mp3`, i) + "\r\n"
				f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0o644)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := f.WriteString(entry); err != nil {
					b.Fatal(err)
				}
				f.Close()
				select {
				case <-out:
				case <-time.After(10 * time.Second):
					b.Fatal("no event")
				}
			}
		})
	}
}

// BenchmarkRekordbox50MB compares the two ways to read a 50 MB rekordbox
// master.db that the real SQLCipher 4 wrote. pure-go (what the watcher
// does): the first look derives the key and decrypts every page into a
// plain copy; a look after rekordbox rewrote a few pages decrypts only
// those; then the history is queried with modernc.org/sqlite. cgo: the
// real SQLCipher opens master.db itself (key derivation on every open,
// pages decrypted as read) — it needs cgo in the app and a -shm shared
// with rekordbox.
func BenchmarkRekordbox50MB(b *testing.B) {
	src := filepath.Join(b.TempDir(), "master.db")
	sqlcipher4Exec(b, src, rekordboxKey, rekordboxSchema+rbSQL(rbPlay{id: 1, path: "/a.mp3", artist: "A", title: "T", at: time.Now()})+
		`CREATE TABLE filler (b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 12500) INSERT INTO filler SELECT randomblob(4000) FROM n;`)
	if fi, err := os.Stat(src); err == nil {
		b.Logf("master.db: %d MB", fi.Size()>>20)
	}
	query := func(b *testing.B, db *sql.DB) {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM djmdSongHistory h JOIN djmdContent c ON c.ID = h.ContentID`).Scan(&n); err != nil || n != 1 {
			b.Fatal(n, err)
		}
	}
	plainQuery := func(b *testing.B, c *cipherCopy) {
		db, err := sql.Open("sqlite", mixxxDSN(c.dst))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		query(b, db)
	}
	b.Run("pure-go/first", func(b *testing.B) {
		for b.Loop() {
			c := &cipherCopy{src: src, dst: filepath.Join(b.TempDir(), "copy.db"), pass: rekordboxKey, p: sqlcipher4}
			if _, err := c.refresh(); err != nil {
				b.Fatal(err)
			}
			plainQuery(b, c)
		}
	})
	b.Run("pure-go/few-pages-changed", func(b *testing.B) {
		c := &cipherCopy{src: src, dst: filepath.Join(b.TempDir(), "copy.db"), pass: rekordboxKey, p: sqlcipher4}
		if _, err := c.refresh(); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			c.ivs[1][0]++ // as if page 2 had been written anew
			c.seen = ""
			if changed, err := c.refresh(); err != nil || !changed {
				b.Fatal(changed, err)
			}
			plainQuery(b, c)
		}
	})
	b.Run("cgo/open-and-query", func(b *testing.B) {
		for b.Loop() {
			db := openSQLCipher4(b, src, rekordboxKey, "")
			query(b, db)
			db.Close()
		}
	})
	b.Run("cgo/query-kept-open", func(b *testing.B) {
		db := openSQLCipher4(b, src, rekordboxKey, "")
		defer db.Close()
		for b.Loop() {
			query(b, db)
		}
	})
}
