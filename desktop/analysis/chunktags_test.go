package analysis

import (
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/dhowden/tag"
	"github.com/pikadj/pika/desktop/internal/testenv"
)

// WAV and AIFF tags as ffmpeg writes them: LIST/INFO for WAV (and an
// "id3 " chunk with -write_id3v2 1), an "ID3 " chunk for AIFF.
func TestReadChunkTags(t *testing.T) {
	testenv.NeedTools(t, "ffmpeg")
	meta := []string{"-metadata", "title=Chunk Title", "-metadata", "artist=Chunk Artist",
		"-metadata", "album=Chunk Album", "-metadata", "genre=Blues", "-metadata", "date=2019"}
	full := Tags{Artist: "Chunk Artist", Title: "Chunk Title", Album: "Chunk Album", Genre: "Blues", Year: 2019}
	tests := []struct {
		name string
		file string
		args []string
		want Tags
	}{
		{"WAV LIST/INFO", "info.wav", meta, full},
		// ffmpeg's WAV muxer writes no ID3; the "id3 " chunk gets the
		// ID3v2 tag ffmpeg writes for an MP3 (see addID3Chunk).
		{"WAV id3 chunk", "id3.wav", []string{"-metadata", "title=Plain Title"},
			Tags{Artist: "ID3 Artist", Title: "ID3 Title", Album: "Chunk Album", Year: 2020, BPM: 101}},
		{"AIFF ID3 chunk", "id3.aiff", append([]string{"-write_id3v2", "1", "-metadata", "TKEY=Am"}, meta...),
			Tags{Artist: "Chunk Artist", Title: "Chunk Title", Album: "Chunk Album", Genre: "Blues", Year: 2019, Key: "Am"}},
		{"WAV no tags", "plain.wav", []string{"-fflags", "+bitexact", "-map_metadata", "-1"}, Tags{}},
		{"AIFF no tags", "plain.aiff", []string{"-map_metadata", "-1"}, Tags{}},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.file)
			args := append([]string{"-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1"}, tc.args...)
			if out, err := exec.Command("ffmpeg", append(args, "-y", p)...).CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg: %v\n%s", err, out)
			}
			if tc.file == "id3.wav" {
				addID3Chunk(t, p, []string{"-metadata", "title=ID3 Title", "-metadata", "artist=ID3 Artist",
					"-metadata", "album=Chunk Album", "-metadata", "date=2020", "-metadata", "TBPM=101"})
			}
			got, err := ReadTags(p)
			if tc.want == (Tags{}) {
				if !errors.Is(err, tag.ErrNoTagsFound) {
					t.Errorf("untagged file: %+v, %v; want tag.ErrNoTagsFound", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("\n got %+v\nwant %+v", got, tc.want)
			}
			// The audio still decodes and the tags come with the analysis.
			r, err := AnalyzeFile(t.Context(), p, DefaultOptions())
			if err != nil || r.Tags != tc.want {
				t.Errorf("AnalyzeFile: tags %+v, %v", r.Tags, err)
			}
		})
	}
}

// addID3Chunk appends an "id3 " chunk holding the ID3v2 tag ffmpeg writes
// for an MP3 with the given metadata to the WAV file at p.
func addID3Chunk(t *testing.T, p string, meta []string) {
	t.Helper()
	mp3 := filepath.Join(t.TempDir(), "tag.mp3")
	args := append([]string{"-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=0.1", "-id3v2_version", "4"}, meta...)
	if out, err := exec.Command("ffmpeg", append(args, "-y", mp3)...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	b, err := os.ReadFile(mp3)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 10 || string(b[:3]) != "ID3" {
		t.Fatalf("ffmpeg wrote no ID3v2 tag")
	}
	n := 10 + int(b[6])<<21 | int(b[7])<<14 | int(b[8])<<7 | int(b[9])
	id3 := b[:n]
	w, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	w = append(w, "id3 "...)
	w = binary.LittleEndian.AppendUint32(w, uint32(len(id3)))
	w = append(w, id3...)
	if len(id3)%2 == 1 {
		w = append(w, 0)
	}
	binary.LittleEndian.PutUint32(w[4:8], uint32(len(w)-8))
	if err := os.WriteFile(p, w, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Hostile chunk sizes give an error or no tags, never a huge allocation.
func TestReadChunkTagsHostile(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	riff := func(chunks ...[]byte) []byte {
		b := append([]byte("RIFF"), le.AppendUint32(nil, 0xFFFFFFFF)...)
		b = append(b, "WAVE"...)
		for _, c := range chunks {
			b = append(b, c...)
		}
		return b
	}
	chunk := func(o binary.AppendByteOrder, id string, size uint32, body string) []byte {
		return append(o.AppendUint32([]byte(id), size), body...)
	}
	tests := []struct {
		name    string
		data    []byte
		wantErr bool
		want    Tags
	}{
		{"huge id3 chunk", riff(chunk(le, "id3 ", 0xFFFFFFF0, "ID3")), true, Tags{}},
		{"huge LIST chunk", riff(chunk(le, "LIST", 0x7FFFFFFF, "INFO")), true, Tags{}},
		{"truncated LIST", riff(chunk(le, "LIST", 100, "INFOINAM")), true, Tags{}},
		{"INFO item overruns", riff(chunk(le, "LIST", 16, "INFOINAM\xff\x00\x00\x00abcd")), false, Tags{}},
		{"garbage id3 chunk", riff(chunk(le, "id3 ", 8, "ID3\x04\x00\x00\xff\xff")), true, Tags{}},
		{"odd INFO padding", riff(chunk(le, "LIST", 26, "INFOIART\x03\x00\x00\x00Bob\x00INAM\x02\x00\x00\x00Hi")), false, Tags{Artist: "Bob", Title: "Hi"}},
		{"Latin-1 INFO", riff(chunk(le, "LIST", 18, "INFOIART\x05\x00\x00\x00Bj\xf6rk\x00")), false, Tags{Artist: "Björk"}},
		{"huge AIFF ID3", append([]byte("FORM\x00\x00\x00\x10AIFF"), chunk(be, "ID3 ", 0xFFFFFFFF, "")...), true, Tags{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.wav")
			if err := os.WriteFile(p, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadTags(p)
			if tc.wantErr != (err != nil && !errors.Is(err, tag.ErrNoTagsFound)) || got != tc.want {
				t.Errorf("got %+v, %v; want %+v, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
