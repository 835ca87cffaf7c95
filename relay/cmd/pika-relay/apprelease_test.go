package main

import (
	"strings"
	"testing"
)

func TestAppReleaseOptions(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		version string
		err     string
	}{
		{"none", nil, nil, "", ""},
		{"environment", map[string]string{"PIKA_APP_LATEST_VERSION": "1.4.0", "PIKA_APP_DOWNLOAD_URL": "https://pika.example/download"}, nil, "1.4.0", ""},
		{"flags", nil, []string{"-app-latest-version", "v2.0", "-app-download-url", "https://x.example/p.zip"}, "v2.0", ""},
		{"version alone", map[string]string{"PIKA_APP_LATEST_VERSION": "1.4.0"}, nil, "", "set both or neither"},
		{"not a version", map[string]string{"PIKA_APP_LATEST_VERSION": "latest", "PIKA_APP_DOWNLOAD_URL": "https://x.example"}, nil, "", "not like 1.4.0"},
		{"not a web address", map[string]string{"PIKA_APP_LATEST_VERSION": "1.0.0", "PIKA_APP_DOWNLOAD_URL": "javascript:alert(1)"}, nil, "", "http:// or https://"},
	}
	for _, tc := range tests {
		o, err := parseOptions(tc.args, func(k string) string { return tc.env[k] })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || o.app.AppRelease.Version != tc.version {
			t.Errorf("%s: %v, version %q, want %q", tc.name, err, o.app.AppRelease.Version, tc.version)
		}
	}
}
