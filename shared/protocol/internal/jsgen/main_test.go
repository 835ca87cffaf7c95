package main

import (
	"os"
	"strings"
	"testing"
)

func TestGenerateNamesEveryKind(t *testing.T) {
	src, err := generate("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"SUBSCRIBE: 'SUBSCRIBE',",
		"SESSION_ENDED: 'session_ended',",
		"FASTER: 'faster',",
		"maxFrameBytes: 10240,",
		"resumeWindowMs: 300000,",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("protocol.js lacks %q", want)
		}
	}
}

// The checked-in copy the pages load must match the protocol.
func TestCheckedInCopyIsFresh(t *testing.T) {
	src, err := generate("../..")
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("../../../../webclient/static/assets/js/protocol.js")
	if err != nil {
		t.Fatal(err)
	}
	if string(have) != string(src) {
		t.Fatal("webclient/static/assets/js/protocol.js is stale: run go generate ./shared/protocol")
	}
}

func TestGenerateRefusesAnotherPackage(t *testing.T) {
	if _, err := generate("."); err == nil {
		t.Fatal("generating from the generator's own folder should fail")
	}
}
