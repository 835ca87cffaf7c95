package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// relayMetrics is a scrape of the relay's /metrics: series (name with
// labels, as written) → value. Only the sums and counts this tool reports
// are kept.
type relayMetrics map[string]float64

// scrapeMetrics reads the relay's Prometheus text (with PIKA_METRICS_TOKEN
// as bearer token when the relay wants one). The relay's own view
// splits the fan-out latency: how long its database commits took and how
// long a broadcast waited to be written to each socket.
func scrapeMetrics(ctx context.Context, baseURL string) (relayMetrics, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	if tok := os.Getenv("PIKA_METRICS_TOKEN"); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape /metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape /metrics: HTTP %d", resp.StatusCode)
	}
	return parseMetrics(io.LimitReader(resp.Body, 8<<20))
}

func parseMetrics(r io.Reader) (relayMetrics, error) {
	m := relayMetrics{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		series := line[:i]
		if !strings.Contains(series, "_sum") && !strings.Contains(series, "_count") {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		m[series] = v
	}
	return m, sc.Err()
}

// meanSince is the mean of a histogram between two scrapes, and how many
// observations it covers.
func meanSince(before, after relayMetrics, name, labels string) (time.Duration, int) {
	n := after[name+"_count"+labels] - before[name+"_count"+labels]
	s := after[name+"_sum"+labels] - before[name+"_sum"+labels]
	if n <= 0 {
		return 0, 0
	}
	return time.Duration(s / n * float64(time.Second)), int(n)
}
