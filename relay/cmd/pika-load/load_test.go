package main

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

func TestFrameSniffing(t *testing.T) {
	bpm := 120.0
	np := protocol.Encode(protocol.TypeNowPlaying, "", protocol.Play{PlayID: "p1", Track: protocol.Track{Artist: "A", Title: trackTitle(42), BPM: &bpm}, StartedAt: time.Now()})
	tests := []struct {
		name  string
		frame []byte
		typ   string
		id    string
		seq   int
	}{
		{"now playing", np, "NOW_PLAYING", "", 42},
		{"ack of a like", protocol.Encode(protocol.TypeAck, "l17", protocol.Ack{ID: "l17"}), "ACK", "l17", -1},
		{"like count", protocol.Encode(protocol.TypeLikeCount, "", protocol.LikeCount{PlayID: "p1", Count: 3}), "LIKE_COUNT", "", -1},
		{"error", protocol.Encode(protocol.TypeError, "l2", protocol.Error{Code: protocol.CodeRateLimited, Message: "slow down"}), "ERROR", "l2", -1},
		{"type not first", []byte(`{"payload":{},"type":"ACK","id":"x"}`), "ACK", "x", -1},
		{"spaced JSON", []byte(`{ "type" : "LIKE_COUNT" }`), "LIKE_COUNT", "", -1},
		{"not JSON", []byte(`garbage`), "", "", -1},
		{"empty", nil, "", "", -1},
		{"other track", []byte(`{"type":"NOW_PLAYING","payload":{"track":{"title":"Someone else"}}}`), "NOW_PLAYING", "", -1},
		{"title without number", []byte(`{"type":"NOW_PLAYING","payload":{"track":{"title":"pika-load track x"}}}`), "NOW_PLAYING", "", -1},
		{"absurd number", []byte(`{"type":"NOW_PLAYING","payload":{"track":{"title":"pika-load track 123456789"}}}`), "NOW_PLAYING", "", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(frameType(tt.frame)); got != tt.typ {
				t.Errorf("frameType = %q, want %q", got, tt.typ)
			}
			if tt.id != "" {
				if got := string(frameID(tt.frame)); got != tt.id {
					t.Errorf("frameID = %q, want %q", got, tt.id)
				}
			}
			if got := playSeq(tt.frame); got != tt.seq {
				t.Errorf("playSeq = %d, want %d", got, tt.seq)
			}
		})
	}
}

// The hand-built LIKE must be a frame the relay's decoder accepts.
func TestLikeFrameDecodes(t *testing.T) {
	frame := appendLikeFrame(nil, 99, "play_Ab-1")
	env, p, perr := protocol.Decode(frame)
	if perr != nil {
		t.Fatalf("Decode: %v", perr)
	}
	like, ok := p.(*protocol.Like)
	if env.Type != protocol.TypeLike || env.ID != "l99" || !ok || like.PlayID != "play_Ab-1" {
		t.Fatalf("decoded %+v %#v", env, p)
	}
}

func TestSummarise(t *testing.T) {
	tests := []struct {
		name          string
		samples       []int32
		p50, p99, max time.Duration
	}{
		{"none", nil, 0, 0, 0},
		{"one", []int32{5000}, 5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond},
		{"1..100 ms shuffled", shuffled(100), 50 * time.Millisecond, 99 * time.Millisecond, 100 * time.Millisecond},
		{"1..1000 ms", shuffled(1000), 500 * time.Millisecond, 990 * time.Millisecond, 1000 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarise(tt.samples)
			if got.P50 != tt.p50 || got.P99 != tt.p99 || got.Max != tt.max || got.N != len(tt.samples) {
				t.Errorf("got %+v, want p50 %v p99 %v max %v", got, tt.p50, tt.p99, tt.max)
			}
		})
	}
}

// shuffled returns 1..n milliseconds in µs, in a scrambled order.
func shuffled(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = int32((i*37)%n+1) * 1000
	}
	return s
}

func TestPacer(t *testing.T) {
	start := time.Unix(1000, 0)
	tests := []struct {
		name       string
		rate       float64
		burst      int
		at         []time.Duration
		send, skip []int
	}{
		{"even", 100, 10, []time.Duration{0, 10 * time.Millisecond, 20 * time.Millisecond, 1 * time.Second}, []int{0, 1, 1, 10}, []int{0, 0, 0, 88}},
		{"fractional rate accumulates", 50, 5, []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}, []int{0, 1, 1}, []int{0, 0, 0}},
		{"time going nowhere", 100, 10, []time.Duration{50 * time.Millisecond, 50 * time.Millisecond}, []int{5, 0}, []int{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPacer(tt.rate, tt.burst, start)
			for i, at := range tt.at {
				send, skip := p.due(start.Add(at))
				if send != tt.send[i] || skip != tt.skip[i] {
					t.Errorf("step %d at %v: due = %d, %d; want %d, %d", i, at, send, skip, tt.send[i], tt.skip[i])
				}
			}
		})
	}
}

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    int64
		wantErr bool
	}{
		{"normal", "Name:\tpika-relay\nVmPeak:\t  9000 kB\nVmRSS:\t   12345 kB\nThreads:\t8\n", 12345 * 1024, false},
		{"kernel thread", "Name:\tkthreadd\nThreads:\t1\n", 0, true},
		{"odd unit", "VmRSS:\t 12 MB\n", 0, true},
		{"negative", "VmRSS:\t -5 kB\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmRSS([]byte(tt.status))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseVmRSS = %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name    string
		stat    string
		want    time.Duration
		wantErr bool
	}{
		{"normal", "42 (pika-relay) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 1000 1000000 300", 3 * time.Second, false},
		{"name with spaces and parens", "42 (a) b) R 1 42 42 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 1 1 1", 100 * time.Millisecond, false},
		{"short", "42 (x) S 1 2", 0, true},
		{"garbage", "nothing here", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(tt.stat))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseStatCPU = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestEndpoints(t *testing.T) {
	tests := []struct {
		in, ws, base string
		wantErr      bool
	}{
		{"http://127.0.0.1:8080", "ws://127.0.0.1:8080/ws", "http://127.0.0.1:8080", false},
		{"https://pika.example.org/", "wss://pika.example.org/ws", "https://pika.example.org", false},
		{"ws://[::1]:9000/ws", "ws://[::1]:9000/ws", "http://[::1]:9000", false},
		{"http://host/prefix/", "ws://host/prefix/ws", "http://host/prefix", false},
		{"ftp://host", "", "", true},
		{"http://", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ws, base, _, err := endpoints(tt.in)
			if (err != nil) != tt.wantErr || ws != tt.ws || base != tt.base {
				t.Errorf("endpoints = %q, %q, %v; want %q, %q, error %v", ws, base, err, tt.ws, tt.base, tt.wantErr)
			}
		})
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"zero dancers", []string{"-dancers", "0"}, "-dancers"},
		{"too many dancers", []string{"-dancers", "1000000"}, "-dancers"},
		{"negative likes", []string{"-likes-per-sec", "-1"}, "-likes-per-sec"},
		{"play slower than the run", []string{"-duration", "5s", "-play-every", "10s"}, "-play-every"},
		{"endless", []string{"-duration", "5h"}, "-duration"},
		{"stray argument", []string{"now"}, "unexpected"},
		{"unknown way", []string{"-reconnect", "catchup,sideways"}, "-reconnect"},
		{"empty way", []string{"-reconnect", "catchup,,full"}, "-reconnect"},
		{"too many rounds", []string{"-reconnect", strings.Repeat("full,", 10) + "full"}, "-reconnect"},
		{"more away plays than the relay keeps", []string{"-away-plays", "40"}, "-away-plays"},
		{"pids without relays", []string{"-relay-pids", "12,13"}, "-relay-pids"},
		{"a pid that is not one", []string{"-dancer-urls", "http://a,http://b", "-relay-pids", "12,x"}, "-relay-pids"},
		{"endless history", []string{"-prior-plays", "5000"}, "-prior-plays"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Dancers != 5000 || c.LikesPerSec != 500 || c.Timeout <= c.Duration {
					t.Errorf("defaults: %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one naming %s", err, tt.wantErr)
			}
		})
	}
}

func TestParseMetrics(t *testing.T) {
	text := `# HELP pika_db_operation_seconds Database operation latency.
# TYPE pika_db_operation_seconds histogram
pika_db_operation_seconds_bucket{op="commit",le="0.005"} 3
pika_db_operation_seconds_sum{op="commit"} 0.5
pika_db_operation_seconds_count{op="commit"} 10
pika_fanout_latency_seconds_sum 2
pika_fanout_latency_seconds_count 40
pika_dancers_connected 5000
garbage line
pika_fanout_latency_seconds_sum not-a-number
`
	before, err := parseMetrics(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	after := relayMetrics{}
	for k, v := range before {
		after[k] = v * 3
	}
	tests := []struct {
		name, labels string
		mean         time.Duration
		n            int
	}{
		{"pika_db_operation_seconds", `{op="commit"}`, 50 * time.Millisecond, 20},
		{"pika_fanout_latency_seconds", "", 50 * time.Millisecond, 80},
		{"pika_missing_seconds", "", 0, 0},
	}
	for _, tt := range tests {
		mean, n := meanSince(before, after, tt.name, tt.labels)
		if mean != tt.mean || n != tt.n {
			t.Errorf("%s: mean %v over %d, want %v over %d", tt.name, mean, n, tt.mean, tt.n)
		}
	}
	if _, ok := before["pika_dancers_connected"]; ok {
		t.Error("kept a series that is neither a sum nor a count")
	}
}

// A frame's head and tail come out whole whatever its size, and its place
// among the broadcasts is read from the tail.
func TestFrameReaderAndPosition(t *testing.T) {
	bpm := 120.0
	big := protocol.SessionState{ClientID: "c" + strings.Repeat("A", 40), Epoch: "ep0ch", Seq: 77}
	for i := range 40 {
		big.History = append(big.History, protocol.HistoryEntry{Play: protocol.Play{PlayID: "p" + strconv.Itoa(i), Track: protocol.Track{Artist: "A", Title: strings.Repeat("t", i*7)}}})
	}
	tests := []struct {
		name     string
		frame    []byte
		epoch    string
		seq      uint64
		ok       bool
		clientID string
	}{
		{"broadcast", protocol.EncodeBroadcast(protocol.TypeNowPlaying, protocol.Play{PlayID: "p1", Track: protocol.Track{Title: trackTitle(3), BPM: &bpm}}, "e1", 12), "e1", 12, true, ""},
		{"first broadcast of an epoch", protocol.EncodeBroadcast(protocol.TypeLikeCount, protocol.LikeCount{PlayID: "p1", Count: 2}, "e2", 1), "e2", 1, true, ""},
		{"big state", protocol.Encode(protocol.TypeSessionState, "", big), "ep0ch", 77, true, big.ClientID},
		{"state at seq 0", protocol.Encode(protocol.TypeSessionState, "", protocol.SessionState{Epoch: "e3"}), "e3", 0, true, ""},
		{"ack", protocol.Encode(protocol.TypeAck, "l1", protocol.Ack{ID: "l1"}), "", 0, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fr := newFrameReader()
			// Byte by byte too: a socket hands a frame over in pieces.
			head, tail, size, err := fr.read(iotest.OneByteReader(bytes.NewReader(tt.frame)))
			if err != nil || size != len(tt.frame) {
				t.Fatalf("read byte by byte: size %d of %d, %v", size, len(tt.frame), err)
			}
			if !bytes.HasPrefix(tt.frame, head) || !bytes.HasSuffix(tt.frame, tail) || len(tail) != min(len(tt.frame), tailLen) {
				t.Fatalf("byte by byte: head %d bytes, tail %d bytes: not the frame's ends", len(head), len(tail))
			}
			head, tail, size, err = fr.read(bytes.NewReader(tt.frame))
			if err != nil || size != len(tt.frame) {
				t.Fatalf("read: size %d of %d, %v", size, len(tt.frame), err)
			}
			if !bytes.HasPrefix(tt.frame, head) || !bytes.HasSuffix(tt.frame, tail) || len(tail) != min(len(tt.frame), tailLen) {
				t.Fatalf("head %d bytes, tail %d bytes: not the frame's ends", len(head), len(tail))
			}
			epoch, seq, ok := framePosition(tail)
			if string(epoch) != tt.epoch || seq != tt.seq || ok != tt.ok {
				t.Errorf("position %q %d %v, want %q %d %v", epoch, seq, ok, tt.epoch, tt.seq, tt.ok)
			}
			if tt.clientID != "" && string(stringAfter(tail, clientIDKey)) != tt.clientID {
				t.Errorf("client id %q, want %q", stringAfter(tail, clientIDKey), tt.clientID)
			}
		})
	}
}

func TestParseWchar(t *testing.T) {
	tests := []struct {
		name    string
		io      string
		want    int64
		wantErr bool
	}{
		{"normal", "rchar: 6976\nwchar: 1234567\nsyscr: 10\n", 1234567, false},
		{"missing", "rchar: 1\n", 0, true},
		{"garbage", "wchar: lots\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWchar([]byte(tt.io))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseWchar = %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// The pages' backoff (ws.js): 0.5 s doubling, ±25 %, never below 0.5 s
// nor above 30 s.
func TestBackoffDelay(t *testing.T) {
	tests := []struct {
		attempt int
		lo, hi  time.Duration
	}{
		{0, 500 * time.Millisecond, 625 * time.Millisecond},
		{1, 750 * time.Millisecond, 1250 * time.Millisecond},
		{3, 3 * time.Second, 5 * time.Second},
		{20, 22500 * time.Millisecond, 30 * time.Second},
	}
	for _, tt := range tests {
		for range 50 {
			if d := backoffDelay(tt.attempt); d < tt.lo || d > tt.hi {
				t.Fatalf("attempt %d: %v outside [%v, %v]", tt.attempt, d, tt.lo, tt.hi)
			}
		}
	}
}
