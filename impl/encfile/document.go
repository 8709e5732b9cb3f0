package encfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Member is one top-level member of the store's JSON document other than
// the secrets: a field a later ToolHive may add to the file. Value is the
// member's JSON exactly as it was in the file.
type Member struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

// Document is a whole decoded store file: the secrets and every other
// top-level member, so that a rewrite keeps what it does not understand.
type Document struct {
	// Secrets is the "secrets" member, never nil.
	Secrets map[string]string
	// Others are the other top-level members, in file order, values
	// verbatim. Nil for a file ToolHive v0.47.0 wrote.
	Others []Member
	// SecretsAt is the position of the secrets member among Others when
	// written (0: first, as ToolHive writes it; len(Others): last).
	SecretsAt int
}

// others is the immutable part of a decoded file beyond its secrets; nil
// when there is none (every file ToolHive v0.47.0 writes).
type others struct {
	members   []Member // never modified
	secretsAt int
}

// DecodeDocument is Decode that also returns the file's other top-level
// members (same errors).
func DecodeDocument(key [32]byte, data []byte) (Document, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return Document{}, err
	}
	m, o, err := decodeDoc(aead, append([]byte(nil), data...))
	if err != nil {
		return Document{}, err
	}
	d := Document{Secrets: m}
	if o != nil {
		d.Others, d.SecretsAt = slices.Clone(o.members), o.secretsAt
	}
	return d, nil
}

// EncodeDocument is Encode of a whole document: the secrets member at
// SecretsAt (clamped to [0, len(Others)]) among the other members, which
// are written verbatim. A document without others is byte for byte what
// Encode writes. A member value that is not valid JSON, or a member named
// like the secrets member, fails with ErrCorrupt.
func EncodeDocument(key [32]byte, d Document, random io.Reader) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	var o *others
	if len(d.Others) > 0 {
		for _, mb := range d.Others {
			if !json.Valid(mb.Value) || isSecretsMember(mb.Name) {
				return nil, fmt.Errorf("%w: member %q", ErrCorrupt, mb.Name)
			}
		}
		o = &others{members: slices.Clone(d.Others), secretsAt: min(max(d.SecretsAt, 0), len(d.Others))}
	}
	out, _, err := encode(aead, d.Secrets, o, random, nil, nil)
	return out, err
}

// parseOthers returns the top-level members of the JSON document plain
// that encoding/json does not assign to fileStructure.Secrets, in order,
// and where the (first) secrets member stood among them; nil when there
// are none. plain has already been unmarshalled into fileStructure
// successfully, so it is valid JSON; a top level that is not an object
// (null) has no members.
//
// The fast path: a document whose canonical re-encoding (appendDocument of
// its secrets) is plain itself has no other member — true of every file
// ToolHive v0.47.0 or scopemig writes without extras — and costs one
// encode, no second parse.
func parseOthers(plain []byte, secrets map[string]string) (*others, error) {
	canon, _ := appendDocument(make([]byte, 0, len(plain)), secrets, nil)
	if bytes.Equal(canon, plain) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(plain))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil
	}
	o := &others{secretsAt: -1}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, ok := tok.(string)
		if !ok {
			return nil, errors.New("member name is not a string")
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if isSecretsMember(name) {
			if o.secretsAt < 0 {
				o.secretsAt = len(o.members)
			}
			continue
		}
		o.members = append(o.members, Member{Name: name, Value: raw})
	}
	if len(o.members) == 0 {
		return nil, nil
	}
	if o.secretsAt < 0 {
		o.secretsAt = 0 // no secrets member: written first, as ToolHive does
	}
	return o, nil
}

// isSecretsMember reports whether encoding/json assigns a top-level member
// named name to fileStructure.Secrets (its name matching is
// case-insensitive, with Unicode folding): exactly the members a rewrite
// replaces with the one "secrets" member.
func isSecretsMember(name string) bool {
	if name == "secrets" {
		return true
	}
	doc, err := json.Marshal(map[string]map[string]string{name: {}})
	if err != nil {
		return false
	}
	var fs fileStructure
	return json.Unmarshal(doc, &fs) == nil && fs.Secrets != nil
}

// appendOthersDocument appends the document with the secrets member among
// o's members at o.secretsAt.
func appendOthersDocument(dst []byte, secrets map[string]string, o *others, keys []string) ([]byte, []string) {
	dst = append(dst, '{')
	for i := 0; i <= len(o.members); i++ {
		if i == o.secretsAt {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst, keys = appendSecretsMember(dst, secrets, keys)
		}
		if i == len(o.members) {
			break
		}
		if i > 0 || o.secretsAt == 0 { // something precedes member i
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, o.members[i].Name)
		dst = append(dst, ':')
		dst = append(dst, o.members[i].Value...)
	}
	return append(dst, '}'), keys
}
