package encfile

import "bytes"

// memo remembers the last encrypted file a Store decoded or wrote and its
// contents, so that rereading an unchanged file skips the decryption and
// the JSON parse. It is sound because the file is authenticated: the same
// bytes always decode to the same content. Every operation still reads the
// whole file. The zero value is empty. The Store's mu guards it.
type memo struct {
	file []byte    // the encrypted bytes; nil when empty
	c    *contents // their contents (immutable); nil when unknown
}

// get returns the contents when data is the memoised file.
func (m *memo) get(data []byte) (*contents, bool) {
	if m.c == nil || !bytes.Equal(m.file, data) {
		return nil, false
	}
	return m.c, true
}

// setFile records the encrypted bytes (copied) and forgets the contents
// until setContents.
func (m *memo) setFile(data []byte) {
	m.file = append(m.file[:0], data...)
	m.c = nil
}

// swapFile records data (not copied: the caller gives it up) as the file,
// forgets the contents until setContents, and returns the previous file
// buffer for reuse.
func (m *memo) swapFile(data []byte) []byte {
	old := m.file[:0]
	m.file, m.c = data, nil
	return old
}

// setContents records c as the contents of the file set last.
func (m *memo) setContents(c *contents) { m.c = c }

func (m *memo) reset() { m.file, m.c = m.file[:0], nil }
