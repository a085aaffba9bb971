package rng

import "testing"

func TestStreamsDifferAndRepeat(t *testing.T) {
	a, b := New(1, 0), New(1, 1)
	c := New(1, 0)
	same := 0
	for i := 0; i < 100; i++ {
		x, y, z := a.Uint64(), b.Uint64(), c.Uint64()
		if x == y {
			same++
		}
		if x != z {
			t.Fatalf("draw %d: same seed and path gave %d and %d", i, x, z)
		}
	}
	if same > 0 {
		t.Fatalf("streams (1,0) and (1,1) agreed on %d of 100 draws", same)
	}
	if New(1).Uint64() == New(2).Uint64() {
		t.Fatal("seeds 1 and 2 gave the same first draw")
	}
}
