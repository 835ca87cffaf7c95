package clocale

import "testing"

func TestLanguage(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // "" for leave alone
	}{
		{"C.UTF-8", map[string]string{"LANG": "C.UTF-8"}, Fallback},
		{"C.utf8", map[string]string{"LANG": "C.utf8"}, Fallback},
		{"POSIX with encoding", map[string]string{"LANG": "POSIX.UTF-8"}, Fallback},
		{"C with modifier", map[string]string{"LANG": "C@euro"}, Fallback},
		{"LC_ALL wins over LANG", map[string]string{"LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8"}, Fallback},
		{"LC_MESSAGES wins over LANG", map[string]string{"LC_MESSAGES": "C.UTF-8", "LANG": "fr_FR.UTF-8"}, Fallback},
		{"LC_ALL real language", map[string]string{"LC_ALL": "de_DE.UTF-8", "LANG": "C.UTF-8"}, ""},
		{"plain C is fine already", map[string]string{"LANG": "C"}, ""},
		{"plain POSIX is fine already", map[string]string{"LANG": "POSIX"}, ""},
		{"unset", map[string]string{}, ""},
		{"real locale", map[string]string{"LANG": "en_GB.UTF-8"}, ""},
		{"C-like name is not C", map[string]string{"LANG": "ca_ES.UTF-8"}, ""},
		{"LANGUAGE already set", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "fr"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Language(func(k string) string { return tt.env[k] })
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("Language() = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}
