package nowplaying

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"time"
)

// A pure-Go reader of SQLCipher databases (rekordbox's master.db): it
// decrypts the pages of the database and of its -wal into a plain SQLite
// file that modernc.org/sqlite opens read-only. It never writes the
// encrypted file, so rekordbox can keep it open. Chosen over cgo with
// SQLCipher because the app stays cgo-free for its database, and Debian
// 12 packages only SQLCipher 3, not the 4 that rekordbox writes.
//
// The format (SQLCipher's documentation): page 1 begins with a 16-byte
// salt; the key is PBKDF2(passphrase, salt); every page ends with a
// reserved area holding a random IV and an HMAC over the page's
// ciphertext, its IV and its page number (little-endian), keyed with
// PBKDF2(key, salt XOR 0x3a, 2 iterations). The ciphertext is AES-256-CBC.

// ErrWrongKey: the database's first page does not authenticate with the
// key: the key is wrong (or the file is not a SQLCipher database).
var ErrWrongKey = errors.New("wrong key")

// cipherParams are a SQLCipher version's defaults.
type cipherParams struct {
	pageSize int
	kdfIter  int
	hash     func() hash.Hash
	hmacSize int
}

// reserve is the bytes at the end of every page: IV and HMAC, rounded up
// to the AES block size.
func (p cipherParams) reserve() int {
	n := aes.BlockSize + p.hmacSize
	return (n + aes.BlockSize - 1) / aes.BlockSize * aes.BlockSize
}

// sqlcipher4 is what rekordbox 6 and 7 use (SQLCipher 4's defaults).
var sqlcipher4 = cipherParams{pageSize: 4096, kdfIter: 256000, hash: sha512.New, hmacSize: sha512.Size}

// maxCipherDB bounds the encrypted database read (a large rekordbox
// library is a few hundred MB).
const maxCipherDB = 2 << 30

// cipherKeys are the keys derived from a passphrase and a salt.
type cipherKeys struct {
	salt     [16]byte
	aes, mac []byte
}

func deriveKeys(p cipherParams, pass string, salt []byte) (cipherKeys, error) {
	var k cipherKeys
	copy(k.salt[:], salt)
	key, err := pbkdf2.Key(p.hash, pass, salt, p.kdfIter, 32)
	if err != nil {
		return k, fmt.Errorf("derive key: %w", err)
	}
	macSalt := make([]byte, len(salt))
	for i, b := range salt {
		macSalt[i] = b ^ 0x3a
	}
	mac, err := pbkdf2.Key(p.hash, string(key), macSalt, 2, 32)
	if err != nil {
		return k, fmt.Errorf("derive key: %w", err)
	}
	k.aes, k.mac = key, mac
	return k, nil
}

// cipherCopy keeps a decrypted copy of an encrypted database up to date.
// Pages are decrypted again only when their IV changed (SQLCipher writes a
// new random IV with every page write), so a refresh of a large library
// costs a read and a few pages.
type cipherCopy struct {
	src, dst string
	pass     string
	p        cipherParams
	keys     *cipherKeys
	block    cipher.Block
	ivs      [][16]byte // IV of each page as written to dst
	size     int64      // pages in dst
	seen     string     // size and time of src and its -wal at the last refresh
	seenAt   time.Time
}

// recheck is how often the files are read even when their size and time
// look unchanged (file systems with one-second times).
const recheck = 10 * time.Second

// stamp is the size and modification time of the database and its -wal:
// unchanged, nothing is read again.
func (c *cipherCopy) stamp() string {
	var b strings.Builder
	for _, p := range []string{c.src, c.src + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			fmt.Fprintf(&b, "%d/%d;", fi.Size(), fi.ModTime().UnixNano())
		} else {
			b.WriteString("-;")
		}
	}
	return b.String()
}

// refresh brings dst up to date with src and src's -wal. It reports
// whether dst changed.
func (c *cipherCopy) refresh() (bool, error) {
	st := c.stamp()
	if st == c.seen && c.ivs != nil && time.Since(c.seenAt) < recheck {
		return false, nil
	}
	if hotJournal(c.src + "-journal") {
		return false, fmt.Errorf("%s is being written (a rollback journal is open)", c.src)
	}
	raw, err := readLimited(c.src, maxCipherDB)
	if err != nil {
		return false, err
	}
	ps := c.p.pageSize
	if len(raw) < ps {
		return false, fmt.Errorf("%s is shorter than one page (%d bytes): not written completely yet, or not a rekordbox 6/7 master.db", c.src, len(raw))
	}
	if bytes.HasPrefix(raw, []byte("SQLite format 3\x00")) {
		return false, fmt.Errorf("%s is not encrypted: %w", c.src, ErrWrongKey)
	}
	if c.keys == nil || !bytes.Equal(c.keys.salt[:], raw[:16]) {
		k, err := deriveKeys(c.p, c.pass, raw[:16])
		if err != nil {
			return false, err
		}
		b, err := aes.NewCipher(k.aes)
		if err != nil {
			return false, fmt.Errorf("aes: %w", err)
		}
		c.keys, c.block, c.ivs, c.size = &k, b, nil, 0
	}
	buf := make([]byte, ps)
	if err := c.decryptPage(1, raw[:ps], buf); err != nil {
		return false, err
	}
	if len(raw)%ps != 0 {
		return false, fmt.Errorf("%s ends inside a page: being written", c.src)
	}
	pages := map[uint32][]byte{}
	n := uint32(len(raw) / ps)
	for i := uint32(0); i < n; i++ {
		pages[i+1] = raw[int(i)*ps : int(i+1)*ps]
	}
	if wal, err := readLimited(c.src+"-wal", maxCipherDB); err == nil {
		if sz := walPages(wal, ps, pages); sz > 0 {
			n = sz
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return false, err
	}

	f, err := os.OpenFile(c.dst, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return false, fmt.Errorf("decrypted copy: %w", err)
	}
	defer f.Close()
	changed := int64(n) != c.size
	ivs := make([][16]byte, n)
	for pg := uint32(1); pg <= n; pg++ {
		enc := pages[pg]
		if enc == nil {
			// A page past the file end that no committed frame wrote.
			continue
		}
		iv := enc[ps-c.p.reserve() : ps-c.p.reserve()+aes.BlockSize]
		copy(ivs[pg-1][:], iv)
		if int(pg) <= len(c.ivs) && c.ivs[pg-1] == ivs[pg-1] {
			continue
		}
		if err := c.decryptPage(pg, enc, buf); err != nil {
			c.ivs = nil // a torn page: check every page next time
			return false, err
		}
		if _, err := f.WriteAt(buf, int64(pg-1)*int64(ps)); err != nil {
			return false, fmt.Errorf("decrypted copy: %w", err)
		}
		changed = true
	}
	if err := f.Truncate(int64(n) * int64(ps)); err != nil {
		return false, fmt.Errorf("decrypted copy: %w", err)
	}
	c.ivs, c.size = ivs, int64(n)
	if st == c.stamp() {
		c.seen, c.seenAt = st, time.Now()
	}
	return changed, nil
}

// invalidate makes the next refresh read and decrypt every page (the copy
// did not read back: it may hold pages of two transactions).
func (c *cipherCopy) invalidate() { c.ivs, c.seen = nil, "" }

// hotJournal reports whether a rollback journal with a valid header is
// beside the database: a transaction is being written, and the database
// may hold part of it.
func hotJournal(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [8]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return false
	}
	return magic == [8]byte{0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7}
}

// decryptPage authenticates and decrypts page pg into out.
func (c *cipherCopy) decryptPage(pg uint32, enc, out []byte) error {
	ps, res := c.p.pageSize, c.p.reserve()
	off := 0
	if pg == 1 {
		off = 16
	}
	end := ps - res
	iv := enc[end : end+aes.BlockSize]
	m := hmac.New(c.p.hash, c.keys.mac)
	m.Write(enc[off : end+aes.BlockSize])
	var no [4]byte
	binary.LittleEndian.PutUint32(no[:], pg)
	m.Write(no[:])
	if !hmac.Equal(m.Sum(nil), enc[end+aes.BlockSize:end+aes.BlockSize+c.p.hmacSize]) {
		if pg == 1 {
			return ErrWrongKey
		}
		return fmt.Errorf("page %d does not authenticate (being written?)", pg)
	}
	cipher.NewCBCDecrypter(c.block, iv).CryptBlocks(out[off:end], enc[off:end])
	copy(out[end:], enc[end:])
	if pg == 1 {
		copy(out, "SQLite format 3\x00")
		// The WAL is applied already: the copy is a rollback-journal
		// database, which opens read-only without a -shm.
		out[18], out[19] = 1, 1
	}
	return nil
}

// walPages puts into pages the newest version of every page that a
// committed transaction of the -wal wrote (frames are checked as SQLite
// does: salts and the running checksum) and returns the database size in
// pages after the last commit (0: no commit).
func walPages(wal []byte, ps int, pages map[uint32][]byte) uint32 {
	const hdr, fhdr = 32, 24
	if len(wal) < hdr {
		return 0
	}
	magic := binary.BigEndian.Uint32(wal)
	if magic&^1 != 0x377f0682 || int(binary.BigEndian.Uint32(wal[8:])) != ps {
		return 0
	}
	var order binary.ByteOrder = binary.LittleEndian
	if magic&1 == 1 {
		order = binary.BigEndian
	}
	s0, s1 := walChecksum(order, wal[:24], 0, 0)
	if s0 != binary.BigEndian.Uint32(wal[24:]) || s1 != binary.BigEndian.Uint32(wal[28:]) {
		return 0
	}
	salt := wal[16:24]
	pending := map[uint32][]byte{}
	var size uint32
	for off := hdr; off+fhdr+ps <= len(wal); off += fhdr + ps {
		fh := wal[off : off+fhdr]
		if !bytes.Equal(fh[8:16], salt) {
			break
		}
		data := wal[off+fhdr : off+fhdr+ps]
		s0, s1 = walChecksum(order, fh[:8], s0, s1)
		s0, s1 = walChecksum(order, data, s0, s1)
		if s0 != binary.BigEndian.Uint32(fh[16:]) || s1 != binary.BigEndian.Uint32(fh[20:]) {
			break
		}
		pending[binary.BigEndian.Uint32(fh)] = data
		if commit := binary.BigEndian.Uint32(fh[4:]); commit != 0 {
			for pg, d := range pending {
				pages[pg] = d
			}
			clear(pending)
			size = commit
		}
	}
	for pg := range pages {
		if size > 0 && pg > size {
			delete(pages, pg)
		}
	}
	return size
}

// walChecksum is SQLite's WAL checksum over b (a multiple of 8 bytes).
func walChecksum(order binary.ByteOrder, b []byte, s0, s1 uint32) (uint32, uint32) {
	for i := 0; i+8 <= len(b); i += 8 {
		s0 += order.Uint32(b[i:]) + s1
		s1 += order.Uint32(b[i+4:]) + s0
	}
	return s0, s1
}

// readLimited reads a whole file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MB", path, limit>>20)
	}
	return b, nil
}
