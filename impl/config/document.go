package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/afero"
	"gopkg.in/yaml.v3"

	"github.com/scopemig/scopemig/impl/atomicfile"
)

// maxSize bounds the config file read; ToolHive's are a few KiB.
const maxSize = 16 << 20

// indent is the indentation of ToolHive's config (yaml.v3's Marshal).
const indent = 4

// document is a parsed config file.
type document struct {
	exists bool
	perm   os.FileMode // permission bits of the existing file, else 0600
	root   *yaml.Node  // the top-level mapping
	doc    *yaml.Node  // the document node holding root
	value  *yaml.Node  // the value of Key; nil when absent
	// lead is the text of a file that holds only comments and blank lines
	// (which yaml.v3 parses as no document at all, so the comments are on
	// no node): written back verbatim before the encoded document.
	lead []byte
}

// rawConfig is a config file as read, before parsing.
type rawConfig struct {
	path   string      // the path as named (error messages, ToolHive's lock next to it)
	target string      // the file read and replaced: path, or the target of a link (atomicfile.Resolve)
	data   []byte      // empty when missing
	exists bool        // the file exists
	perm   os.FileMode // permission bits of the existing file, else 0600
}

// readConfig reads path, checking that it is a regular file of at most
// maxSize bytes. A missing file reads as empty. A symlink is followed when
// atomicfile.Resolve finds it safe (else the error wraps
// atomicfile.ErrUnsafeLink, not ErrInvalidConfig: the config itself may be
// fine); raw.target is then the file it points to.
func readConfig(fsys afero.Fs, path string) (rawConfig, error) {
	raw := rawConfig{path: path, target: path, perm: 0o600}
	res, err := atomicfile.Resolve(fsys, path)
	switch {
	case errors.Is(err, atomicfile.ErrUnsafeLink):
		return raw, fmt.Errorf("config: %w", err)
	case err != nil:
		return raw, fmt.Errorf("%w: %s: %w", ErrInvalidConfig, path, err)
	}
	raw.target = res.Target
	target, fi := res.Target, res.Info
	if fi == nil { // missing
		return raw, nil
	}
	if !fi.Mode().IsRegular() {
		return raw, fmt.Errorf("%w: %s: not a regular file (a %s)", ErrInvalidConfig, path, atomicfile.TypeName(fi.Mode()))
	}
	if fi.Size() > maxSize {
		return raw, fmt.Errorf("%w: %s: larger than %d bytes", ErrInvalidConfig, path, maxSize)
	}
	if raw.data, err = read(fsys, target, fi.Size()); err != nil {
		return raw, fmt.Errorf("%w: %s: %w", ErrInvalidConfig, path, err)
	}
	raw.exists, raw.perm = true, fi.Mode().Perm()
	return raw, nil
}

// parse validates the content; a missing file is an empty document.
func (r rawConfig) parse() (*document, error) {
	if !r.exists {
		return emptyDocument(), nil
	}
	d, err := parse(r.data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidConfig, r.path, err)
	}
	d.exists, d.perm = true, r.perm
	return d, nil
}

func lstat(fsys afero.Fs, path string) (os.FileInfo, error) {
	if ls, ok := fsys.(afero.Lstater); ok {
		fi, _, err := ls.LstatIfPossible(path)
		return fi, err
	}
	return fsys.Stat(path)
}

func read(fsys afero.Fs, path string, size int64) ([]byte, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 0, size+1)
	for {
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			_ = f.Close()
			return nil, err
		}
		if len(buf) > maxSize {
			_ = f.Close()
			return nil, fmt.Errorf("larger than %d bytes", maxSize)
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return buf, nil
}

func emptyDocument() *document {
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	return &document{perm: 0o600, root: root, doc: &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}}
}

// parse validates data: a YAML mapping (or an empty document) whose Key,
// if present once, decodes as a boolean the way ToolHive's yaml.v3 struct
// decoding does (so "yes" is true and null is false).
//
// The file must hold one document: ToolHive reads only the first, and
// rewriting the file would silently drop every other one (and the comments
// of an empty one), so a second document makes the config invalid.
func parse(data []byte) (*document, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) { // empty, or comments only
			return commentsOnly(data), nil
		}
		return nil, err
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, fmt.Errorf("more than one YAML document, and the next one is invalid: %w", err)
	default:
		return nil, fmt.Errorf("more than one YAML document (the second starts at line %d): "+
			"ToolHive reads only the first, and rewriting the file would drop the others; keep one", next.Line)
	}
	if doc.Kind == 0 { // empty, or comments only
		return commentsOnly(data), nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("not a YAML document")
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		root.Kind, root.Tag, root.Value = yaml.MappingNode, "!!map", ""
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("top level is not a mapping (line %d)", root.Line)
	}
	d := &document{root: root, doc: &doc}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Kind != yaml.ScalarNode || k.Value != Key {
			continue
		}
		if d.value != nil {
			return nil, fmt.Errorf("%s defined twice (line %d)", Key, k.Line)
		}
		d.value = root.Content[i+1]
	}
	if d.value != nil {
		if _, err := d.migrated(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// commentsOnly is the empty document of data, a file in which yaml.v3
// found no document: it keeps data to write it back when every line is
// blank or a comment (the comments a user wrote in an otherwise empty
// config survive the flag write, as they do in a config with fields).
// Anything else is dropped, as before.
func commentsOnly(data []byte) *document {
	d := emptyDocument()
	for line := range bytes.Lines(data) {
		line = bytes.TrimSpace(line)
		if len(line) != 0 && line[0] != '#' {
			return d
		}
	}
	if len(bytes.TrimSpace(data)) != 0 {
		d.lead = data
	}
	return d
}

// migrated decodes the flag; absent is false.
func (d *document) migrated() (bool, error) {
	if d.value == nil {
		return false, nil
	}
	var b bool
	if err := d.value.Decode(&b); err != nil {
		return false, fmt.Errorf("%s is not a boolean (line %d): %w", Key, d.value.Line, err)
	}
	return b, nil
}

// setMigrated sets Key to true, in place when present (keeping its
// comments), appended to the top-level mapping otherwise.
func (d *document) setMigrated() {
	if d.value != nil {
		d.value.Kind, d.value.Tag, d.value.Value, d.value.Style = yaml.ScalarNode, "!!bool", "true", 0
		d.value.Alias, d.value.Content = nil, nil
		return
	}
	d.value = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"}
	d.root.Content = append(d.root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: Key}, d.value)
}

// encode renders the document in ToolHive's style (4-space indentation).
func (d *document) encode(w io.Writer) error {
	if len(d.lead) != 0 {
		if _, err := w.Write(d.lead); err != nil {
			return err
		}
		if d.lead[len(d.lead)-1] != '\n' {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
	}
	keepNulls(d.doc, false)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(indent)
	if err := enc.Encode(d.doc); err != nil {
		return err
	}
	return enc.Close()
}

// keepNulls makes the encoder keep an implicit (empty) null a null where
// yaml.v3 would otherwise write it as ” (an empty string): inside a flow
// collection, as a mapping key, or when it carries an anchor. Elsewhere the
// empty form ("key:") is kept as written. Found by FuzzSetMigrated.
func keepNulls(n *yaml.Node, risky bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" && n.Value == "" && (risky || n.Anchor != "") {
		n.Value = "null"
	}
	flow := n.Style&yaml.FlowStyle != 0
	for i, c := range n.Content {
		isKey := n.Kind == yaml.MappingNode && i%2 == 0
		keepNulls(c, flow || isKey)
	}
}
