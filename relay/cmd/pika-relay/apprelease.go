package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/pikadj/pika/shared/protocol"
)

// appRelease checks the announced desktop release: both set or neither, a
// version like 1.4.0, an http(s) download URL.
func appRelease(version, download string) (protocol.AppRelease, error) {
	version, download = strings.TrimSpace(version), strings.TrimSpace(download)
	switch {
	case version == "" && download == "":
		return protocol.AppRelease{}, nil
	case version == "" || download == "":
		return protocol.AppRelease{}, errors.New("-app-latest-version (PIKA_APP_LATEST_VERSION) and -app-download-url (PIKA_APP_DOWNLOAD_URL) go together: set both or neither")
	}
	if _, _, err := protocol.ParseVersion(version); err != nil {
		return protocol.AppRelease{}, fmt.Errorf("-app-latest-version: %w", err)
	}
	u, err := url.Parse(download)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(download) > 2000 {
		return protocol.AppRelease{}, fmt.Errorf("-app-download-url %q must be an http:// or https:// URL", download)
	}
	return protocol.AppRelease{Version: version, DownloadURL: download}, nil
}
