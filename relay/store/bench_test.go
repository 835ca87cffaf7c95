package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// BenchmarkLikeParallel measures durable likes per second through the
// group-commit writer, with many dancers liking at once.
func BenchmarkLikeParallel(b *testing.B) {
	ctx := context.Background()
	s := open(b, filepath.Join(b.TempDir(), "pika.db"))
	defer s.Close()
	dj, _, err := s.CreateDJ(ctx, "a@example.com", "hash", "A", "t", "h1")
	if err != nil {
		b.Fatal(err)
	}
	sess, _ := s.CreateSession(ctx, dj.ID, "A", "Night", "", time.Now())
	play, _ := s.RecordPlay(ctx, sess.ID, protocol.Track{Artist: "A", Title: "B"}, time.Now())
	var n atomic.Int64
	b.SetParallelism(64)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Like(ctx, sess.ID, play.Play.PlayID, fmt.Sprintf("client-%08d", n.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "likes/s")
}
