package mp3

import (
	"math"
	"testing"
)

// TestDCT4x18 checks the fast 18-point DCT-IV against the definition.
func TestDCT4x18(t *testing.T) {
	x := make([]float32, 18)
	for i := range x {
		x[i] = float32(math.Sin(float64(i*i)+0.3)) * float32(i%5+1)
	}
	var z [18]float32
	dct4x18(x, &z)
	for n := range 18 {
		var want float64
		for k := range 18 {
			want += float64(x[k]) * math.Cos(math.Pi/18*(float64(n)+0.5)*(float64(k)+0.5))
		}
		if d := float64(z[n]) - want; math.Abs(d) > 1e-4 {
			t.Errorf("z[%d] = %g, want %g", n, z[n], want)
		}
	}
}
