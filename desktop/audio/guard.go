package audio

import (
	"fmt"
	"io"
)

// The third-party Ogg Vorbis decoder indexes slices with values from the
// file and has panicked on fuzzed input; guarded turns such a panic into an
// error for that file.
type guarded struct {
	name string
	src  source
}

func (g guarded) next() (blk []float32, err error) {
	defer func() {
		if p := recover(); p != nil {
			blk, err = nil, fmt.Errorf("%w: %s decoder failed: %v", ErrCorrupt, g.name, p)
		}
	}()
	return g.src.next()
}

// side forwards to a source that has a side signal (nil otherwise, which
// the stream reports as an error when Side was asked).
func (g guarded) side() []float32 {
	if s, ok := g.src.(sideSource); ok {
		return s.side()
	}
	return nil
}

func (g guarded) Close() error {
	if c, ok := g.src.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// guardOpen runs a third-party constructor with the same protection.
func guardOpen(name string, open func() (source, header, error)) (src source, h header, err error) {
	defer func() {
		if p := recover(); p != nil {
			src, err = nil, fmt.Errorf("%w: %s decoder failed: %v", ErrCorrupt, name, p)
		}
	}()
	src, h, err = open()
	if err != nil {
		return nil, h, err
	}
	return guarded{name: name, src: src}, h, nil
}
