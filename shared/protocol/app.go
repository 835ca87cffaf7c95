package protocol

import (
	"fmt"
	"strconv"
	"strings"
)

// AppRelease answers GET /api/app/latest: the newest desktop app release
// the relay's operator announces, for the app's update check (204 when
// none is configured).
type AppRelease struct {
	Version     string `json:"version"`     // "1.4.0"
	DownloadURL string `json:"downloadUrl"` // the page or file a DJ opens
}

// ParseVersion reads "1.4.0" or "v1.4" (up to three numbers; a pre-release
// suffix "-rc.1" sorts before the release). Anything else is an error.
func ParseVersion(v string) (nums [3]int, pre string, err error) {
	s := strings.TrimPrefix(strings.TrimSpace(v), "v")
	s, _, _ = strings.Cut(s, "+") // build metadata does not order
	s, pre, _ = strings.Cut(s, "-")
	parts := strings.Split(s, ".")
	if s == "" || len(parts) > 3 || len(v) > 64 {
		return nums, "", fmt.Errorf("version %q is not like 1.4.0", v)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 1_000_000 || p != strconv.Itoa(n) {
			return nums, "", fmt.Errorf("version %q is not like 1.4.0", v)
		}
		nums[i] = n
	}
	if strings.ContainsAny(pre, " \t") {
		return nums, "", fmt.Errorf("version %q is not like 1.4.0", v)
	}
	return nums, pre, nil
}

// CompareVersions orders two versions ParseVersion reads: -1 when a is
// older than b, 0 when equal, 1 when newer.
func CompareVersions(a, b string) (int, error) {
	na, pa, err := ParseVersion(a)
	if err != nil {
		return 0, err
	}
	nb, pb, err := ParseVersion(b)
	if err != nil {
		return 0, err
	}
	for i := range na {
		if na[i] != nb[i] {
			if na[i] < nb[i] {
				return -1, nil
			}
			return 1, nil
		}
	}
	switch {
	case pa == pb:
		return 0, nil
	case pa == "": // a release is newer than its pre-releases
		return 1, nil
	case pb == "":
		return -1, nil
	case pa < pb:
		return -1, nil
	}
	return 1, nil
}
