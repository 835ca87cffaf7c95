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

// BenchmarkRekordbox50MB measures reading a 50 MB SQLCipher 4 master.db:
// the first look (key derivation and every page decrypted) and a look
// after rekordbox rewrote a few pages (only those are decrypted again).
func BenchmarkRekordbox50MB(b *testing.B) {
	plain := plainRekordbox(b, sqlcipher4.reserve())
	path := filepath.Join(b.TempDir(), "plain.db")
	if err := os.WriteFile(path, plain, 0o644); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE filler (b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 12500) INSERT INTO filler SELECT randomblob(4000) FROM n`); err != nil {
		b.Fatal(err)
	}
	db.Close()
	if plain, err = os.ReadFile(path); err != nil {
		b.Fatal(err)
	}
	src := filepath.Join(b.TempDir(), "master.db")
	sqlcipherEncrypt(b, plain, src, rekordboxKey, sqlcipher4)
	b.Logf("master.db: %d MB", len(plain)>>20)
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			c := &cipherCopy{src: src, dst: filepath.Join(b.TempDir(), "copy.db"), pass: rekordboxKey, p: sqlcipher4}
			if _, err := c.refresh(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("few-pages-changed", func(b *testing.B) {
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
		}
	})
}
