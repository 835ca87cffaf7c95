package nowplaying

import (
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
