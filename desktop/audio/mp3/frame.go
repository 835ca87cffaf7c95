package mp3

// frameHeader is a decoded MPEG audio frame header (Layer III only).
type frameHeader struct {
	lsf        bool // MPEG-2 or MPEG-2.5: one granule per frame
	mpeg25     bool
	srIndex    int // 0..8, see sfbLong
	sampleRate int
	crc        bool
	mode       int // 0 stereo, 1 joint stereo, 2 dual channel, 3 mono
	modeExt    int
	frameLen   int
	nch        int
}

const (
	modeJoint = 1
	modeMono  = 3
)

var bitratesKbps = [2][15]int{
	{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}, // MPEG-1
	{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},     // MPEG-2/2.5
}

var baseRates = [3]int{44100, 48000, 32000}

// headerKind is what a stream keeps constant between frames: version and
// sample rate (Layer III is checked separately).
func headerKind(b uint32) uint32 { return b & 0xFFFE0C00 }

// layerBits returns the 2-bit layer field (1 = Layer III, 2 = II, 3 = I).
func layerBits(b uint32) int { return int(b>>17) & 3 }

// parseHeader decodes a 32-bit header. ok is false for anything that is not
// a well-formed Layer I/II/III header with a known bitrate; free format
// (index 0) is reported with frameLen 0.
func parseHeader(b uint32) (h frameHeader, ok bool) {
	if b>>21 != 0x7FF {
		return h, false
	}
	ver := int(b>>19) & 3
	brIdx := int(b>>12) & 15
	srIdx := int(b>>10) & 3
	if ver == 1 || layerBits(b) == 0 || brIdx == 15 || srIdx == 3 || b&3 == 2 {
		return h, false
	}
	switch ver {
	case 3:
		h.srIndex = srIdx
	case 2:
		h.lsf = true
		h.srIndex = 3 + srIdx
	case 0:
		h.lsf, h.mpeg25 = true, true
		h.srIndex = 6 + srIdx
	}
	h.sampleRate = baseRates[srIdx]
	if h.lsf {
		h.sampleRate /= 2
	}
	if h.mpeg25 {
		h.sampleRate /= 2
	}
	h.crc = b>>16&1 == 0
	h.mode = int(b>>6) & 3
	h.modeExt = int(b>>4) & 3
	h.nch = 2
	if h.mode == modeMono {
		h.nch = 1
	}
	pad := int(b>>9) & 1
	if brIdx == 0 {
		return h, true
	}
	if layerBits(b) != 1 {
		h.frameLen = 1 // not free format; callers reject Layer I/II
		return h, true
	}
	if h.lsf {
		h.frameLen = 72*bitratesKbps[1][brIdx]*1000/h.sampleRate + pad
	} else {
		h.frameLen = 144*bitratesKbps[0][brIdx]*1000/h.sampleRate + pad
	}
	return h, true
}

// sideInfoLen is the size in bytes of the Layer III side information.
func (h *frameHeader) sideInfoLen() int {
	switch {
	case !h.lsf && h.nch == 1:
		return 17
	case !h.lsf:
		return 32
	case h.nch == 1:
		return 9
	default:
		return 17
	}
}

// granules per frame and samples per granule.
func (h *frameHeader) granules() int {
	if h.lsf {
		return 1
	}
	return 2
}

type granuleInfo struct {
	part23Len    int
	bigValues    int
	globalGain   int
	sfCompress   int
	winSwitch    bool
	blockType    int
	mixed        bool
	tableSelect  [3]int
	subblockGain [3]int
	region0Count int
	region1Count int
	preflag      int
	sfScale      int
	count1Table  int
}

type sideInfo struct {
	mainDataBegin int
	scfsi         [2][4]int
	gr            [2][2]granuleInfo
}

// parseSideInfo reads the side information; it reports false for values the
// standard forbids.
func parseSideInfo(h *frameHeader, b []byte, si *sideInfo) bool {
	br := bitReader{data: b}
	if h.lsf {
		si.mainDataBegin = br.bits(8)
		br.bits(h.nch) // private bits: 1 (mono) or 2
	} else {
		si.mainDataBegin = br.bits(9)
		if h.nch == 1 {
			br.bits(5)
		} else {
			br.bits(3)
		}
		for ch := range h.nch {
			for g := range 4 {
				si.scfsi[ch][g] = br.bit()
			}
		}
	}
	for gr := range h.granules() {
		for ch := range h.nch {
			g := &si.gr[gr][ch]
			*g = granuleInfo{}
			g.part23Len = br.bits(12)
			g.bigValues = br.bits(9)
			g.globalGain = br.bits(8)
			if h.lsf {
				g.sfCompress = br.bits(9)
			} else {
				g.sfCompress = br.bits(4)
			}
			if g.bigValues > 288 {
				return false
			}
			g.winSwitch = br.bit() == 1
			if g.winSwitch {
				g.blockType = br.bits(2)
				g.mixed = br.bit() == 1
				if g.blockType == 0 {
					return false
				}
				g.tableSelect[0] = br.bits(5)
				g.tableSelect[1] = br.bits(5)
				for w := range 3 {
					g.subblockGain[w] = br.bits(3)
				}
			} else {
				for i := range 3 {
					g.tableSelect[i] = br.bits(5)
				}
				g.region0Count = br.bits(4)
				g.region1Count = br.bits(3)
			}
			if !h.lsf {
				g.preflag = br.bit()
			}
			g.sfScale = br.bit()
			g.count1Table = br.bit()
			for _, t := range g.tableSelect {
				if t == 4 || t == 14 {
					return false
				}
			}
		}
	}
	return true
}
