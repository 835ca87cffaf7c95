package ratelimit

import "testing"

func TestKeyedBurstPerKey(t *testing.T) {
	k := New(0.0001, 3)
	for i := 0; i < 3; i++ {
		if !k.Allow("a") {
			t.Fatalf("event %d refused within the burst", i)
		}
	}
	if k.Blocked("b") || !k.Blocked("a") {
		t.Fatal("Blocked wrong")
	}
	if k.Allow("a") {
		t.Fatal("event beyond the burst allowed")
	}
	if !k.Allow("b") {
		t.Fatal("another key was limited too")
	}
}
