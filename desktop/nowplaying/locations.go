package nowplaying

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// DefaultLocations lists where the DJ software of the given source
// ("virtualdj", "mixxx", "serato") keeps its files on this operating
// system, most likely first. For VirtualDJ and Serato it is the program's
// folder (the History folder is inside); for Mixxx the mixxxdb.sqlite file.
func DefaultLocations(source string) []string {
	return defaultLocations(source, runtime.GOOS, os.Getenv)
}

func defaultLocations(source, goos string, getenv func(string) string) []string {
	home := getenv("HOME")
	if goos == "windows" {
		home = getenv("USERPROFILE")
	}
	if home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			home = h
		}
	}
	join := func(parts ...string) string {
		if goos == "windows" {
			return strings.Join(parts, `\`)
		}
		return strings.Join(parts, "/")
	}
	switch source {
	case SourceVirtualDJ:
		switch goos {
		case "windows":
			return []string{join(home, "Documents", "VirtualDJ"), join(home, "AppData", "Local", "VirtualDJ")}
		case "darwin":
			return []string{join(home, "Documents", "VirtualDJ"), join(home, "Library", "Application Support", "VirtualDJ")}
		default:
			return []string{join(home, ".vdj"), join(home, "Documents", "VirtualDJ")}
		}
	case SourceMixxx:
		switch goos {
		case "windows":
			local := getenv("LOCALAPPDATA")
			if local == "" {
				local = join(home, "AppData", "Local")
			}
			return []string{join(local, "Mixxx", "mixxxdb.sqlite")}
		case "darwin":
			return []string{
				join(home, "Library", "Containers", "org.mixxx.mixxx", "Data", "Library", "Application Support", "Mixxx", "mixxxdb.sqlite"),
				join(home, "Library", "Application Support", "Mixxx", "mixxxdb.sqlite"),
			}
		default:
			return []string{join(home, ".mixxx", "mixxxdb.sqlite"), join(home, ".local", "share", "mixxx", "mixxxdb.sqlite")}
		}
	case SourceSerato:
		return []string{join(home, "Music", "_Serato_")}
	case SourceRekordbox:
		if goos == "windows" {
			appdata := getenv("APPDATA")
			if appdata == "" {
				appdata = join(home, "AppData", "Roaming")
			}
			return []string{join(appdata, "Pioneer", "rekordbox", "master.db")}
		}
		return []string{join(home, "Library", "Pioneer", "rekordbox", "master.db")}
	case SourceSeratoDB:
		if goos == "windows" {
			local := getenv("LOCALAPPDATA")
			if local == "" {
				local = join(home, "AppData", "Local")
			}
			return []string{join(local, "Serato", "Library", "master.sqlite")}
		}
		return []string{join(home, "Library", "Application Support", "Serato", "Library", "master.sqlite")}
	case SourceTraktor:
		return []string{join(home, "Documents", "Native Instruments")}
	case SourceDJUCED:
		return []string{join(home, "Documents", "DJUCED")}
	case SourceEngineDJ:
		return []string{join(home, "Music", "Engine Library")}
	case SourceDjay:
		if goos == "windows" {
			return []string{join(home, "Music", "djay", "djay Media Library", "MediaLibrary.db")}
		}
		return []string{join(home, "Music", "djay", "djay Media Library.djayMediaLibrary", "MediaLibrary.db")}
	}
	return nil
}

// FindDefault returns the first default location of source that exists.
func FindDefault(source string) (string, error) {
	locs := DefaultLocations(source)
	if len(locs) == 0 {
		return "", fmt.Errorf("no default location for source %q", source)
	}
	for _, l := range locs {
		if _, err := os.Stat(l); err == nil {
			return filepath.Clean(l), nil
		}
	}
	return "", fmt.Errorf("no %s folder found (looked in %s); name it with %s:PATH", source, strings.Join(locs, ", "), source)
}
