package nowplaying

import (
	"fmt"
	"strings"
)

// Kind describes one kind of source: its name in a Spec, how the app
// labels it, and what its location means.
type Kind struct {
	Name  string // as written in a spec: "virtualdj"
	Label string // as the app shows it: "VirtualDJ"
	// Hint says what the location is, for a placeholder or a usage line.
	Hint string
	// NeedLocation: the kind has no default location.
	NeedLocation bool
	// NoLocation: the kind takes no location at all (manual).
	NoLocation bool
	// Usage is the spec's form for usage lines: "virtualdj[:DIR]".
	Usage string
	// defaults finds the location when the spec names none; nil when the
	// kind needs none or has none.
	defaults func() (string, error)
	newW     func(loc string, opt Options) (Watcher, error)
}

// Kinds lists every source kind, in the order the app offers them (new
// kinds go before manual, so saved picker positions keep their meaning).
func Kinds() []Kind { return kinds }

var kinds = []Kind{
	{Name: SourceVirtualDJ, Label: "VirtualDJ", Hint: "VirtualDJ folder (empty: the usual place)", Usage: "virtualdj[:DIR]",
		defaults: func() (string, error) { return FindDefault(SourceVirtualDJ) },
		newW:     func(l string, o Options) (Watcher, error) { return NewVirtualDJ(l, o), nil }},
	{Name: SourceMixxx, Label: "Mixxx", Hint: "mixxxdb.sqlite (empty: the usual place)", Usage: "mixxx[:DB]",
		defaults: func() (string, error) { return FindDefault(SourceMixxx) },
		newW:     func(l string, o Options) (Watcher, error) { return NewMixxx(l, o), nil }},
	{Name: SourceSerato, Label: "Serato", Hint: "_Serato_ folder (empty: the usual place)", Usage: "serato[:DIR]",
		defaults: func() (string, error) { return FindDefault(SourceSerato) },
		newW:     func(l string, o Options) (Watcher, error) { return NewSerato(l, o), nil }},
	{Name: SourceM3U, Label: "M3U / M3U8 file", Hint: "Path of the playlist or history file", Usage: "m3u:PATH", NeedLocation: true,
		newW: func(l string, o Options) (Watcher, error) { return NewM3U(l, o), nil }},
	{Name: SourceEngineDJ, Label: "Engine DJ", Hint: "Engine Library folder (empty: the usual place)", Usage: "engine[:DIR]",
		defaults: func() (string, error) { return FindDefault(SourceEngineDJ) },
		newW:     func(l string, o Options) (Watcher, error) { return NewEngineDJ(l, o), nil }},
	{Name: SourceTraktor, Label: "Traktor (broadcast)", Hint: "Port Traktor broadcasts to (empty: 8000)", Usage: "traktor[:PORT]",
		newW: newBroadcastFromSpec},
	{Name: SourceMPRIS, Label: "Media player (Linux, MPRIS)", Hint: "Player name, e.g. vlc (empty: any player)", Usage: "mpris[:PLAYER]",
		newW: func(l string, o Options) (Watcher, error) { return NewMPRIS(l, o), nil }},
	{Name: SourceRekordbox, Label: "rekordbox 6/7", Hint: "master.db or its folder (empty: the usual place)", Usage: "rekordbox[:PATH]",
		defaults: func() (string, error) { return FindDefault(SourceRekordbox) },
		newW:     func(l string, o Options) (Watcher, error) { return NewRekordbox(l, o), nil }},
	{Name: SourceSeratoDB, Label: "Serato DJ Pro 4 (master.sqlite)", Hint: "master.sqlite or its Library folder (empty: the usual place)", Usage: "seratodb[:PATH]",
		defaults: func() (string, error) { return FindDefault(SourceSeratoDB) },
		newW:     func(l string, o Options) (Watcher, error) { return NewSeratoDB(l, o), nil }},
	{Name: SourceDJUCED, Label: "DJUCED (playing.txt)", Hint: "DJUCED folder (empty: the usual place)", Usage: "djuced[:DIR]",
		defaults: func() (string, error) { return FindDefault(SourceDJUCED) },
		newW:     func(l string, o Options) (Watcher, error) { return NewDJUCED(l, o), nil }},
	{Name: SourceTextFile, Label: "Now-playing text file", Hint: "Path of the text file the DJ program rewrites", Usage: "textfile:PATH", NeedLocation: true,
		newW: func(l string, o Options) (Watcher, error) { return NewTextFile(l, o), nil }},
	{Name: SourceDjay, Label: "djay Pro", Hint: "MediaLibrary.db or the djay folder (empty: the usual place)", Usage: "djay[:PATH]",
		defaults: func() (string, error) { return FindDefault(SourceDjay) },
		newW:     func(l string, o Options) (Watcher, error) { return NewDjay(l, o), nil }},
	{Name: SourceManual, Label: "Manual (send from the Library)", Usage: "manual", NoLocation: true,
		newW: func(_ string, o Options) (Watcher, error) { return newManual(o), nil }},
}

// KindNamed returns the kind called name (any case).
func KindNamed(name string) (Kind, bool) {
	for _, k := range kinds {
		if strings.EqualFold(k.Name, name) {
			return k, true
		}
	}
	return Kind{}, false
}

// SourceUsage is the list of spec forms, for usage lines and errors:
// "virtualdj[:DIR] | mixxx[:DB] | … | manual".
func SourceUsage() string {
	forms := make([]string, len(kinds))
	for i, k := range kinds {
		forms[i] = k.Usage
	}
	return strings.Join(forms, " | ")
}

// Spec names a source: its kind and, optionally, where it is. Its text
// form is "kind[:location]"; only the first colon separates the kind, so
// Windows paths ("virtualdj:C:\Users\dj\Documents\VirtualDJ") work.
type Spec struct {
	Kind     string // a Kind's Name, lower case
	Location string // empty: the kind's default location
}

// ParseSpec reads a spec's text form. The location is kept as written
// (default locations are looked up by Watcher, when the source starts).
func ParseSpec(text string) (Spec, error) {
	name, loc, _ := strings.Cut(strings.TrimSpace(text), ":")
	k, ok := KindNamed(strings.TrimSpace(name))
	if !ok {
		if name == "" {
			return Spec{}, fmt.Errorf("no source given: use %s", SourceUsage())
		}
		return Spec{}, fmt.Errorf("unknown source %q: use %s", name, SourceUsage())
	}
	if k.NeedLocation && strings.TrimSpace(loc) == "" {
		return Spec{}, fmt.Errorf("source %s needs a path: %s", k.Name, k.Usage)
	}
	return NewSpec(k.Name, loc)
}

// NewSpec checks a kind and location picked separately (as the app's
// source picker does).
func NewSpec(kind, location string) (Spec, error) {
	k, ok := KindNamed(kind)
	if !ok {
		return Spec{}, fmt.Errorf("unknown source %q: use %s", kind, SourceUsage())
	}
	location = strings.TrimSpace(location)
	switch {
	case k.NoLocation:
		location = ""
	case k.NeedLocation && location == "":
		return Spec{}, fmt.Errorf("%s needs the path of the file to watch (%s)", k.Label, k.Hint)
	}
	return Spec{Kind: k.Name, Location: location}, nil
}

// String is the spec's text form, which ParseSpec reads back.
func (s Spec) String() string {
	if s.Location == "" {
		return s.Kind
	}
	return s.Kind + ":" + s.Location
}

// IsManual reports whether the tracks come from the DJ's picks in the app.
func (s Spec) IsManual() bool { return s.Kind == SourceManual }

// Watcher builds the spec's watcher; without a location the kind's first
// default location that exists is used (see DefaultLocations).
func (s Spec) Watcher(opt Options) (Watcher, error) {
	k, ok := KindNamed(s.Kind)
	if !ok {
		return nil, fmt.Errorf("unknown source %q: use %s", s.Kind, SourceUsage())
	}
	loc := s.Location
	if loc == "" && k.defaults != nil {
		found, err := k.defaults()
		if err != nil {
			return nil, err
		}
		loc = found
	}
	if loc == "" && k.NeedLocation {
		return nil, fmt.Errorf("%s needs a path: %s", k.Label, k.Usage)
	}
	return k.newW(loc, opt)
}

// ParseSource builds the watcher a spec's text names (ParseSpec, then
// Spec.Watcher).
func ParseSource(text string, opt Options) (Watcher, error) {
	s, err := ParseSpec(text)
	if err != nil {
		return nil, err
	}
	return s.Watcher(opt)
}
