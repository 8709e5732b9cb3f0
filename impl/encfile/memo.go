package encfile

import (
	"bytes"
	"maps"
)

// memo remembers the last encrypted file a Store decoded or wrote and its
// content, so that rereading an unchanged file skips the decryption and
// the JSON parse. It is sound because the file is authenticated: the same
// bytes always decode to the same content. Every operation still reads the
// whole file. The zero value is empty. The Store's mu guards it.
type memo struct {
	file    []byte            // the encrypted bytes; nil when empty
	content map[string]string // their content; never handed out
}

// get returns a private copy of the content when data is the memoised file.
func (m *memo) get(data []byte) (map[string]string, bool) {
	if m.content == nil || !bytes.Equal(m.file, data) {
		return nil, false
	}
	return maps.Clone(m.content), true
}

// peek is get without the copy: the caller must not modify nor keep the
// map.
func (m *memo) peek(data []byte) (map[string]string, bool) {
	if m.content == nil || !bytes.Equal(m.file, data) {
		return nil, false
	}
	return m.content, true
}

// setFile records the encrypted bytes (copied) and forgets the content
// until setContent.
func (m *memo) setFile(data []byte) {
	m.file = append(m.file[:0], data...)
	m.content = nil
}

// swapFile records data (not copied: the caller gives it up) as the file,
// forgets the content until setShared, and returns the previous file
// buffer for reuse.
func (m *memo) swapFile(data []byte) []byte {
	old := m.file[:0]
	m.file, m.content = data, nil
	return old
}

// setShared records c as the content of the file set last, without a
// copy: c must never be modified afterwards (it may also be in a Cache).
func (m *memo) setShared(c map[string]string) {
	if c == nil {
		c = map[string]string{}
	}
	m.content = c
}

func (m *memo) reset() { m.file, m.content = m.file[:0], nil }
