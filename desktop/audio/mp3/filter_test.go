package mp3

import "math"

// lowpass filters x with a 255-tap Blackman-windowed sinc, cutoff fc in
// cycles per sample, zero phase.
func lowpass(x []float32, fc float64) []float32 {
	if fc >= 0.5 {
		return x
	}
	const n = 255
	var h [n]float32
	var sum float64
	for i := range n {
		k := float64(i - n/2)
		v := 2 * fc
		if k != 0 {
			v = math.Sin(2*math.Pi*fc*k) / (math.Pi * k)
		}
		w := 0.42 - 0.5*math.Cos(2*math.Pi*float64(i)/(n-1)) + 0.08*math.Cos(4*math.Pi*float64(i)/(n-1))
		h[i] = float32(v * w)
		sum += v * w
	}
	for i := range h {
		h[i] /= float32(sum)
	}
	y := make([]float32, len(x))
	for i := n / 2; i < len(x)-n/2; i++ {
		var a float32
		for j, c := range h {
			a += c * x[i+j-n/2]
		}
		y[i] = a
	}
	return y
}

func cosPi(x float64) float64 { return math.Cos(math.Pi * x) }
