package card

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderDecodesAndDiffers(t *testing.T) {
	base := Card{Kind: "Set recap", Title: "Friday social", DJ: "DJ Ana", Date: "4 Dec 2026",
		Tracks: []Track{{"Ella Fitzgerald", "Cheek to Cheek", 3}, {"Count Basie", "Jumpin' at the Woodside", 1}},
		BPMs:   []float64{120, 140, 160, 150, 180}}
	long := base
	long.Title = strings.Repeat("Very long name ", 50)
	long.Tracks = make([]Track, 40)
	long.BPMs = make([]float64, 5000)
	for i := range long.BPMs {
		long.BPMs[i] = float64(100 + i%90)
	}
	other := base
	other.Title = "Saturday social"
	cases := []struct {
		name string
		c    Card
	}{{"base", base}, {"long", long}, {"other", other}, {"empty", Card{}}, {"hostile", Card{Title: "\x00\n\t<script>", Accent: "#zzzzzz"}}}
	seen := map[string]string{}
	for _, tc := range cases {
		b, err := Render(tc.c)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: decode: %v", tc.name, err)
		}
		if s := img.Bounds().Size(); s.X != Width || s.Y != Height {
			t.Fatalf("%s: %v, want %dx%d", tc.name, s, Width, Height)
		}
		if prev, ok := seen[string(b)]; ok {
			t.Fatalf("%s draws the same picture as %s", tc.name, prev)
		}
		seen[string(b)] = tc.name
		if dir := os.Getenv("PIKA_TEST_OUTPUT"); dir != "" && tc.name != "empty" && tc.name != "hostile" {
			// For a person to look at: scripts/test keeps them.
			if err := os.WriteFile(filepath.Join(dir, "recap-card-"+tc.name+".png"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestFitShortens(t *testing.T) {
	f, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in       string
		w        int
		ellipsis bool
	}{{"short", 1000, false}, {strings.Repeat("wide ", 100), 300, true}, {"tab\there", 1000, false}}
	for _, tc := range tests {
		got := fit(f.body, tc.in, tc.w)
		if strings.HasSuffix(got, "…") != tc.ellipsis || strings.ContainsAny(got, "\t\n") {
			t.Errorf("fit(%q, %d) = %q", tc.in, tc.w, got)
		}
	}
}

func TestCacheBounded(t *testing.T) {
	c := NewCache(2)
	for _, title := range []string{"a", "b", "a", "c"} {
		if _, err := c.PNG(Card{Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	if c.Len() != 2 {
		t.Fatalf("%d cached, want 2", c.Len())
	}
	if _, ok := c.byKey[Card{Title: "b"}.Key()]; ok {
		t.Fatal("the least recently used card is still cached")
	}
}

func TestCacheBusy(t *testing.T) {
	c := NewCache(4)
	if _, err := c.PNG(Card{Title: "cached"}); err != nil {
		t.Fatal(err)
	}
	for range MaxPending { // renders under way elsewhere
		c.pending <- struct{}{}
	}
	if _, err := c.PNG(Card{Title: "new"}); !errors.Is(err, ErrBusy) {
		t.Fatalf("a render past the bound: %v, want ErrBusy", err)
	}
	if _, err := c.PNG(Card{Title: "cached"}); err != nil {
		t.Fatalf("a cached card while busy: %v", err)
	}
}
