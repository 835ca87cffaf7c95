package nowplaying

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestM3UParserLines(t *testing.T) {
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.Local)
	tests := []struct {
		name  string
		lines []string
		want  []Event
	}{
		{
			name: "vdj entry with entities and windows path",
			lines: []string{
				`#EXTVDJ:<time>21:10</time><lastplaytime>1795641043</lastplaytime><artist>Simon &amp; Garfunkel</artist><title>Cecilia &lt;Live&gt; &#39;70</title>`,
				`C:\Música\Simon & Garfunkel - Cecilia.flac`,
			},
			want: []Event{{Source: "virtualdj", Path: `C:\Música\Simon & Garfunkel - Cecilia.flac`, Artist: "Simon & Garfunkel", Title: "Cecilia <Live> '70", StartedAt: time.Unix(1795641043, 0)}},
		},
		{
			name:  "vdj tags in another order, time only",
			lines: []string{`#EXTVDJ:<artist>Beyoncé</artist><title>Halo</title><time>23:59</time>`, `/Users/dj/Music/Beyoncé - Halo.mp3`},
			want:  []Event{{Source: "virtualdj", Path: "/Users/dj/Music/Beyoncé - Halo.mp3", Artist: "Beyoncé", Title: "Halo", StartedAt: time.Date(2026, 11, 25, 23, 59, 0, 0, time.Local)}},
		},
		{
			name:  "extinf",
			lines: []string{"#EXTM3U", "#EXTINF:-1 tvg-id=\"a,b\",Juan Luis Guerra - Burbujas de Amor", "/m/burbujas.flac"},
			want:  []Event{{Source: "virtualdj", Path: "/m/burbujas.flac", Artist: `Juan Luis Guerra`, Title: "Burbujas de Amor"}},
		},
		{
			name:  "bare paths and comments",
			lines: []string{"# comment", "", "/a.mp3", "  ", "\\\\NAS\\share\\b.mp3"},
			want:  []Event{{Source: "virtualdj", Path: "/a.mp3"}, {Source: "virtualdj", Path: `\\NAS\share\b.mp3`}},
		},
		{
			name:  "hostile tags are ignored",
			lines: []string{"#EXTVDJ:<lastplaytime>99999999999999999999</lastplaytime><time>99:99</time><artist>A</title><title></title>", "x.mp3"},
			want:  []Event{{Source: "virtualdj", Path: "x.mp3"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := m3uParser{source: "virtualdj", day: day}
			var got []Event
			for _, l := range tc.lines {
				if e, ok := p.line(l); ok {
					got = append(got, e)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d events %+v, want %d", len(got), got, len(tc.want))
			}
			for i := range got {
				if !sameEvent(got[i], tc.want[i]) {
					t.Errorf("event %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func sameEvent(a, b Event) bool {
	return a.Source == b.Source && a.Path == b.Path && a.Artist == b.Artist && a.Title == b.Title && a.StartedAt.Equal(b.StartedAt)
}

func TestVirtualDJFixture(t *testing.T) {
	tail := lineTail{path: "testdata/virtualdj/History/2026-11-25.m3u"}
	lines, err := tail.skipToEnd()
	if err != nil {
		t.Fatal(err)
	}
	p := m3uParser{source: SourceVirtualDJ, day: historyDay("2026-11-25.m3u")}
	var got []Event
	for _, l := range lines {
		if e, ok := p.line(l); ok {
			got = append(got, e)
		}
	}
	want := []Event{
		{Source: "virtualdj", Path: `C:\Users\Marta\Music\Salsa\Buena Vista Social Club - Chan Chan.mp3`, Artist: "Buena Vista Social Club", Title: "Chan Chan", StartedAt: time.Unix(1795640520, 0)},
		{Source: "virtualdj", Path: `C:\Users\Marta\Music\Salsa\Marc Anthony - Vivir Mi Vida.mp3`, Artist: "Marc Anthony", Title: "Vivir Mi Vida", StartedAt: time.Unix(1795640796, 0)},
		{Source: "virtualdj", Path: `D:\Música\Simon & Garfunkel - Cecilia (Live).flac`, Artist: "Simon & Garfunkel", Title: "Cecilia <Live>", StartedAt: time.Unix(1795641043, 0)},
		{Source: "virtualdj", Path: `C:\Users\Marta\Music\Pop\Beyoncé - Crazy in Love.m4a`, Artist: "Beyoncé", Title: "Crazy in Love (feat. Jay'Z)", StartedAt: time.Unix(1795641290, 0)},
		{Source: "virtualdj", Path: `\\NAS\share\Bachata\Romeo Santos - Propuesta Indecente.mp3`, Artist: "Romeo Santos", Title: "Propuesta Indecente", StartedAt: time.Date(2026, 11, 25, 21, 18, 0, 0, time.Local)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !sameEvent(got[i], want[i]) {
			t.Errorf("event %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestTracklistFixture(t *testing.T) {
	now := time.Date(2026, 11, 25, 21, 20, 0, 0, time.Local)
	f := tracklistFollower{tail: lineTail{path: "testdata/tracklist.txt"}, opt: Options{Now: func() time.Time { return now }}.withDefaults()}
	lines, err := f.tail.skipToEnd()
	if err != nil {
		t.Fatal(err)
	}
	var got []Event
	for _, l := range lines {
		if e, ok := f.parse(l); ok {
			got = append(got, e)
		}
	}
	if len(got) != 4 {
		t.Fatalf("got %d entries: %+v", len(got), got)
	}
	last := got[3]
	// The fixture is Windows-1252, as VirtualDJ writes it on Windows.
	if last.Artist != "Beyoncé" || last.Title != "Crazy in Love" || !last.StartedAt.Equal(time.Date(2026, 11, 25, 21, 14, 0, 0, time.Local)) {
		t.Errorf("last entry = %+v", last)
	}
	if got[2].Artist != "Simon & Garfunkel" || got[2].Title != "Cecilia (Live)" {
		t.Errorf("third entry = %+v", got[2])
	}
	// A time later than now belongs to the previous day (set across midnight).
	e, ok := f.parse("23:50 : Late - Track")
	if !ok || !e.StartedAt.Equal(time.Date(2026, 11, 24, 23, 50, 0, 0, time.Local)) {
		t.Errorf("late entry = %+v", e)
	}
}

func TestDecodeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"\xef\xbb\xbf#EXTM3U", "#EXTM3U"},
		{"Beyonc\xe9", "Beyoncé"},
		{"\x93quoted\x94 \x80", "“quoted” €"},
		{"Müller", "Müller"},
	}
	for _, tc := range tests {
		if got := decodeText([]byte(tc.in)); got != tc.want {
			t.Errorf("decodeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDefaultLocations(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		source, goos string
		env          map[string]string
		want         string
	}{
		{"virtualdj", "darwin", map[string]string{"HOME": "/Users/dj"}, "/Users/dj/Documents/VirtualDJ"},
		{"virtualdj", "windows", map[string]string{"USERPROFILE": `C:\Users\dj`}, `C:\Users\dj\Documents\VirtualDJ`},
		{"virtualdj", "linux", map[string]string{"HOME": "/home/dj"}, "/home/dj/.vdj"},
		{"mixxx", "darwin", map[string]string{"HOME": "/Users/dj"}, "/Users/dj/Library/Containers/org.mixxx.mixxx/Data/Library/Application Support/Mixxx/mixxxdb.sqlite"},
		{"mixxx", "windows", map[string]string{"USERPROFILE": `C:\Users\dj`, "LOCALAPPDATA": `C:\Users\dj\AppData\Local`}, `C:\Users\dj\AppData\Local\Mixxx\mixxxdb.sqlite`},
		{"mixxx", "linux", map[string]string{"HOME": "/home/dj"}, "/home/dj/.mixxx/mixxxdb.sqlite"},
		{"serato", "darwin", map[string]string{"HOME": "/Users/dj"}, "/Users/dj/Music/_Serato_"},
		{"serato", "windows", map[string]string{"USERPROFILE": `C:\Users\dj`}, `C:\Users\dj\Music\_Serato_`},
	}
	for _, tc := range tests {
		got := defaultLocations(tc.source, tc.goos, env(tc.env))
		if len(got) == 0 || got[0] != tc.want {
			t.Errorf("%s on %s: %v, want first %s", tc.source, tc.goos, got, tc.want)
		}
	}
}

func TestParseSource(t *testing.T) {
	tests := []struct {
		spec    string
		want    string // type name
		wantErr string
	}{
		{"virtualdj:/tmp/vdj", "*nowplaying.VirtualDJ", ""},
		{`virtualdj:C:\Users\dj\Documents\VirtualDJ`, "*nowplaying.VirtualDJ", ""},
		{"m3u:/tmp/x.m3u", "*nowplaying.M3U", ""},
		{"m3u", "", "needs a path"},
		{"mixxx:/tmp/mixxxdb.sqlite", "*nowplaying.Mixxx", ""},
		{"serato:/tmp/_Serato_", "*nowplaying.Serato", ""},
		{"manual", "*nowplaying.Manual", ""},
		{"nosuch:/x", "", "unknown source"},
		{"", "", "no source given"},
	}
	for _, tc := range tests {
		w, err := ParseSource(tc.spec, Options{})
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseSource(%q) err = %v, want %q", tc.spec, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSource(%q): %v", tc.spec, err)
			continue
		}
		if got := typeName(w); got != tc.want {
			t.Errorf("ParseSource(%q) = %s, want %s", tc.spec, got, tc.want)
		}
	}
	if w, _ := ParseSource(`virtualdj:C:\VDJ`, Options{}); w.(*VirtualDJ).dir != `C:\VDJ` {
		t.Errorf("windows dir lost: %q", w.(*VirtualDJ).dir)
	}
	t.Setenv("HOME", t.TempDir())
	if _, err := ParseSource("serato", Options{}); err == nil || !strings.Contains(err.Error(), "no serato folder") {
		t.Errorf("missing default folder: err = %v", err)
	}
	_ = os.Getenv
}

func typeName(v any) string {
	switch v.(type) {
	case *VirtualDJ:
		return "*nowplaying.VirtualDJ"
	case *M3U:
		return "*nowplaying.M3U"
	case *Mixxx:
		return "*nowplaying.Mixxx"
	case *Serato:
		return "*nowplaying.Serato"
	case *Manual:
		return "*nowplaying.Manual"
	}
	return "?"
}

func FuzzM3UParser(f *testing.F) {
	b, _ := os.ReadFile("testdata/virtualdj/History/2026-11-25.m3u")
	f.Add(b)
	f.Add([]byte("#EXTINF:1,a - b\n/x\n#EXTVDJ:<time>1:1</time><lastplaytime>-5</lastplaytime>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := m3uParser{source: "m3u"}
		for _, l := range strings.Split(decodeText(data), "\n") {
			p.line(l)
		}
		tf := tracklistFollower{opt: Options{}.withDefaults()}
		for _, l := range strings.Split(string(data), "\n") {
			tf.parse(l)
		}
	})
}
