package nowplaying

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// traktorCollection enriches Traktor's broadcast plays (artist and title
// only) from Traktor's collection.nml: the file's path, BPM and key. The
// file is read again when it changes (Traktor saves it on quit and now and
// then), at most every nmlRecheck.
type traktorCollection struct {
	path string // "" : look in the usual places at each reload

	mu      sync.Mutex
	loaded  string // the file read, and its size and time
	stamp   string
	checked time.Time
	byName  map[string]nmlTrack
}

type nmlTrack struct {
	path, key string
	bpm       float64
}

const (
	nmlRecheck = 5 * time.Second
	// maxNML bounds collection.nml (a 100 000-track collection is ~150 MB).
	maxNML = 512 << 20
)

// enrich fills e's path, BPM and key from the collection when a track of
// the same artist and title is in it; it leaves e as it is otherwise.
func (c *traktorCollection) enrich(e *Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.reload()
	if t, ok := c.byName[nmlKey(e.Artist, e.Title)]; ok {
		if e.Path == "" {
			e.Path = t.path
		}
		e.BPM, e.Key = t.bpm, t.key
	}
	return err
}

func (c *traktorCollection) reload() error {
	if time.Since(c.checked) < nmlRecheck && c.byName != nil {
		return nil
	}
	c.checked = time.Now()
	p := c.path
	if p == "" {
		p = newestTraktorCollection(DefaultLocations(SourceTraktor))
		if p == "" {
			return nil // no Traktor folder: nothing to enrich with
		}
	}
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("traktor collection: %w", err)
	}
	stamp := fmt.Sprint(fi.Size(), fi.ModTime().UnixNano())
	if p == c.loaded && stamp == c.stamp {
		return nil
	}
	if fi.Size() > maxNML {
		return fmt.Errorf("traktor collection %s is larger than %d MB: not read", p, maxNML>>20)
	}
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("traktor collection: %w", err)
	}
	defer f.Close()
	m, err := parseNML(f)
	if err != nil {
		// Traktor may be writing it: keep the last good one, try again.
		return fmt.Errorf("traktor collection %s: %w", p, err)
	}
	c.byName, c.loaded, c.stamp = m, p, stamp
	return nil
}

// newestTraktorCollection is the collection.nml of the newest Traktor
// version folder ("Traktor 3.11.1", "Traktor 4.0.2") in dirs.
func newestTraktorCollection(dirs []string) string {
	var found []string
	for _, d := range dirs {
		ms, _ := filepath.Glob(filepath.Join(d, "Traktor*", "collection.nml"))
		found = append(found, ms...)
	}
	if len(found) == 0 {
		return ""
	}
	sort.Slice(found, func(i, j int) bool {
		return versionLess(filepath.Base(filepath.Dir(found[i])), filepath.Base(filepath.Dir(found[j])))
	})
	return found[len(found)-1]
}

// versionLess orders "Traktor 3.9.0" before "Traktor 3.11.1".
func versionLess(a, b string) bool {
	num := func(s string) []int {
		var out []int
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
			n, _ := strconv.Atoi(f)
			out = append(out, n)
		}
		return out
	}
	na, nb := num(a), num(b)
	for i := 0; i < len(na) && i < len(nb); i++ {
		if na[i] != nb[i] {
			return na[i] < nb[i]
		}
	}
	return len(na) < len(nb)
}

func nmlKey(artist, title string) string {
	return strings.ToLower(strings.TrimSpace(artist)) + "\x00" + strings.ToLower(strings.TrimSpace(title))
}

// nmlKeys names Traktor's MUSICAL_KEY values: 0–11 major from C, 12–23
// minor from C.
var nmlKeys = [24]string{
	"C major", "Db major", "D major", "Eb major", "E major", "F major", "F# major", "G major", "Ab major", "A major", "Bb major", "B major",
	"C minor", "C# minor", "D minor", "Eb minor", "E minor", "F minor", "F# minor", "G minor", "G# minor", "A minor", "Bb minor", "B minor",
}

// parseNML reads the COLLECTION entries of a Traktor NML file.
func parseNML(r io.Reader) (map[string]nmlTrack, error) {
	type entry struct {
		Artist   string `xml:"ARTIST,attr"`
		Title    string `xml:"TITLE,attr"`
		Location struct {
			Dir    string `xml:"DIR,attr"`
			File   string `xml:"FILE,attr"`
			Volume string `xml:"VOLUME,attr"`
		} `xml:"LOCATION"`
		Info struct {
			Key string `xml:"KEY,attr"`
		} `xml:"INFO"`
		Tempo struct {
			BPM string `xml:"BPM,attr"`
		} `xml:"TEMPO"`
		MusicalKey struct {
			Value string `xml:"VALUE,attr"`
		} `xml:"MUSICAL_KEY"`
	}
	dec := xml.NewDecoder(r)
	out := map[string]nmlTrack{}
	inCollection, sawNML := false, false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if !sawNML {
				return nil, errors.New("not a Traktor NML file")
			}
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read NML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "NML":
				sawNML = true
			case "COLLECTION":
				inCollection = true
			case "ENTRY":
				if !inCollection {
					if err := dec.Skip(); err != nil {
						return nil, fmt.Errorf("read NML: %w", err)
					}
					continue
				}
				var e entry
				if err := dec.DecodeElement(&e, &t); err != nil {
					return nil, fmt.Errorf("read NML entry: %w", err)
				}
				if e.Artist == "" && e.Title == "" {
					continue
				}
				tr := nmlTrack{path: nmlPath(e.Location.Volume, e.Location.Dir, e.Location.File)}
				if b, err := strconv.ParseFloat(e.Tempo.BPM, 64); err == nil && b > 0 && b < 1000 {
					tr.bpm = b
				}
				if v, err := strconv.Atoi(e.MusicalKey.Value); err == nil && v >= 0 && v < len(nmlKeys) {
					tr.key = nmlKeys[v]
				} else {
					tr.key = strings.TrimSpace(e.Info.Key)
				}
				out[nmlKey(e.Artist, e.Title)] = tr
			}
		case xml.EndElement:
			if t.Name.Local == "COLLECTION" {
				inCollection = false
			}
		}
	}
}

// nmlPath makes a file path of an NML LOCATION: DIR is "/:Users/:dj/:Music/:"
// (":" before each folder), VOLUME the drive ("C:") on Windows or the
// volume's name on macOS ("Macintosh HD": the start-up disk, else under
// /Volumes).
func nmlPath(volume, dir, file string) string {
	if file == "" {
		return ""
	}
	d := strings.ReplaceAll(dir, "/:", "/")
	p := strings.TrimSuffix(d, "/") + "/" + file
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	switch {
	case len(volume) == 2 && volume[1] == ':':
		return volume + strings.ReplaceAll(p, "/", `\`)
	case volume == "" || volume == "Macintosh HD":
		return p
	default:
		return "/Volumes/" + volume + p
	}
}
