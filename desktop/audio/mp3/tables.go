package mp3

import "math"

// Scale factor band boundaries (in spectral lines) per sample rate index:
// 0-2 MPEG-1 44.1/48/32 kHz, 3-5 MPEG-2 22.05/24/16 kHz, 6-8 MPEG-2.5
// 11.025/12/8 kHz.
var sfbLong = [9][23]int{
	{0, 4, 8, 12, 16, 20, 24, 30, 36, 44, 52, 62, 74, 90, 110, 134, 162, 196, 238, 288, 342, 418, 576},
	{0, 4, 8, 12, 16, 20, 24, 30, 36, 42, 50, 60, 72, 88, 106, 128, 156, 190, 230, 276, 330, 384, 576},
	{0, 4, 8, 12, 16, 20, 24, 30, 36, 44, 54, 66, 82, 102, 126, 156, 194, 240, 296, 364, 448, 550, 576},
	{0, 6, 12, 18, 24, 30, 36, 44, 54, 66, 80, 96, 116, 140, 168, 200, 238, 284, 336, 396, 464, 522, 576},
	{0, 6, 12, 18, 24, 30, 36, 44, 54, 66, 80, 96, 114, 136, 162, 194, 232, 278, 332, 394, 464, 540, 576},
	{0, 6, 12, 18, 24, 30, 36, 44, 54, 66, 80, 96, 116, 140, 168, 200, 238, 284, 336, 396, 464, 522, 576},
	{0, 6, 12, 18, 24, 30, 36, 44, 54, 66, 80, 96, 116, 140, 168, 200, 238, 284, 336, 396, 464, 522, 576},
	{0, 6, 12, 18, 24, 30, 36, 44, 54, 66, 80, 96, 116, 140, 168, 200, 238, 284, 336, 396, 464, 522, 576},
	{0, 12, 24, 36, 48, 60, 72, 88, 108, 132, 160, 192, 232, 280, 336, 400, 476, 566, 568, 570, 572, 574, 576},
}

var sfbShort = [9][14]int{
	{0, 4, 8, 12, 16, 22, 30, 40, 52, 66, 84, 106, 136, 192},
	{0, 4, 8, 12, 16, 22, 28, 38, 50, 64, 80, 100, 126, 192},
	{0, 4, 8, 12, 16, 22, 30, 42, 58, 78, 104, 138, 180, 192},
	{0, 4, 8, 12, 18, 24, 32, 42, 56, 74, 100, 132, 174, 192},
	{0, 4, 8, 12, 18, 26, 36, 48, 62, 80, 104, 136, 180, 192},
	{0, 4, 8, 12, 18, 26, 36, 48, 62, 80, 104, 134, 174, 192},
	{0, 4, 8, 12, 18, 26, 36, 48, 62, 80, 104, 134, 174, 192},
	{0, 4, 8, 12, 18, 26, 36, 48, 62, 80, 104, 134, 174, 192},
	{0, 8, 16, 24, 36, 52, 72, 96, 124, 160, 162, 164, 166, 192},
}

// pretab is the preemphasis added to long-block scale factors when preflag
// is set.
var pretab = [22]int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3, 2, 0}

// MPEG-1 scalefac_compress to (slen1, slen2).
var slen1 = [16]int{0, 0, 0, 0, 3, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4}
var slen2 = [16]int{0, 1, 2, 3, 0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 2, 3}

// MPEG-2 LSF: number of scale factors per slen group, by table (see
// lsfScalefacLayout) and block kind (0 long, 1 short, 2 mixed).
var nrOfSfb = [6][3][4]int{
	{{6, 5, 5, 5}, {9, 9, 9, 9}, {6, 9, 9, 9}},
	{{6, 5, 7, 3}, {9, 9, 12, 6}, {6, 9, 12, 6}},
	{{11, 10, 0, 0}, {18, 18, 0, 0}, {15, 18, 0, 0}},
	{{7, 7, 7, 0}, {12, 12, 12, 0}, {6, 15, 12, 0}},
	{{6, 6, 6, 3}, {12, 9, 9, 6}, {6, 12, 9, 6}},
	{{8, 8, 5, 0}, {15, 12, 9, 0}, {6, 18, 9, 0}},
}

// pow43 holds |x|^(4/3) for every value the Huffman stage can produce
// (15 + 13 linbits).
var pow43 [8207]float32

// Gains are 2^(e/4) for a quarter-step exponent e; gainTable[e+gainBias].
const gainBias = 512

var gainTable [gainBias + 128]float32

// Alias-reduction butterflies.
var aliasCS, aliasCA [8]float32

// imdctWin are the long-block windows per block type (type 2 unused here),
// shortWin the 12-point short window.
var (
	imdctWin [4][36]float32
	shortWin [12]float32
)

// dct4Short is the 6-point DCT-IV matrix the short IMDCT reduces to (the
// long one has a fast form, dct4x18).
var dct4Short [6][6]float32

func init() {
	for i := range pow43 {
		pow43[i] = float32(math.Pow(float64(i), 4.0/3.0))
	}
	for i := range gainTable {
		gainTable[i] = float32(math.Pow(2, float64(i-gainBias)/4))
	}
	c := [8]float64{-0.6, -0.535, -0.33, -0.185, -0.095, -0.041, -0.0142, -0.0037}
	for i, v := range c {
		s := math.Sqrt(1 + v*v)
		aliasCS[i] = float32(1 / s)
		aliasCA[i] = float32(v / s)
	}
	for i := range 36 {
		imdctWin[0][i] = float32(math.Sin(math.Pi / 36 * (float64(i) + 0.5)))
	}
	for i := range 18 {
		imdctWin[1][i] = imdctWin[0][i]
		imdctWin[3][i+18] = imdctWin[0][i+18]
	}
	for i := 18; i < 24; i++ {
		imdctWin[1][i] = 1
	}
	for i := 24; i < 30; i++ {
		imdctWin[1][i] = float32(math.Sin(math.Pi / 12 * (float64(i-18) + 0.5)))
	}
	for i := 6; i < 12; i++ {
		imdctWin[3][i] = float32(math.Sin(math.Pi / 12 * (float64(i-6) + 0.5)))
	}
	for i := 12; i < 18; i++ {
		imdctWin[3][i] = 1
	}
	for i := range 12 {
		shortWin[i] = float32(math.Sin(math.Pi / 12 * (float64(i) + 0.5)))
	}
	for n := range 6 {
		for k := range 6 {
			dct4Short[n][k] = float32(math.Cos(math.Pi / 6 * (float64(n) + 0.5) * (float64(k) + 0.5)))
		}
	}
}
