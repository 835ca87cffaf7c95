package audio

import "io"

// newMP3 picks the MP3 decoder.
func newMP3(r io.ReadSeeker, _ Options) (source, header, error) {
	return newGoMP3(r)
}
