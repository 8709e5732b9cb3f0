package encfile

// memo remembers the last encrypted file a Store decoded or wrote and its
// contents, so that rereading an unchanged file skips the decryption and
// the JSON parse. It is sound because the file is authenticated: the same
// bytes always decode to the same contents. Every operation still reads
// the whole file. The zero value is empty. The Store's mu guards it.
type memo struct {
	file string    // the encrypted bytes (immutable: may be a cache key)
	c    *contents // their contents (immutable); nil when empty
}

// get returns the contents when data is the memoised file.
func (m *memo) get(data []byte) (*contents, bool) {
	if m.c == nil || m.file != string(data) {
		return nil, false
	}
	return m.c, true
}

// set records file and its contents.
func (m *memo) set(file string, c *contents) { m.file, m.c = file, c }

func (m *memo) reset() { m.file, m.c = "", nil }
