package linearize

import (
	"sync"

	"github.com/anishathalye/porcupine"
)

// Kind is the kind of a recorded operation.
type Kind uint8

const (
	Get       Kind = iota // GetSecret(Key)
	Set                   // SetSecret(Key, Value)
	Delete                // DeleteSecret(Key)
	Migrate               // a whole migration (every attempt, restarts included) as one operation
	Dump                  // the final read of the whole store, flag and config
	ConfigSet             // ToolHive's UpdateConfigAtPath setting config field Key to Value
)

var kindNames = [...]string{Get: "get", Set: "set", Delete: "delete", Migrate: "migrate", Dump: "dump", ConfigSet: "config-set"}

func (k Kind) String() string { return kindNames[k] }

// In is the input of a recorded operation.
type In struct {
	Kind  Kind
	Key   string
	Value string
}

// Out is the outcome of a recorded operation. Unknown: the call failed
// (crash, injected or unexpected error) and may or may not have taken
// effect.
type Out struct {
	Unknown  bool
	NotFound bool
	Value    string // get: the value read
	State    string // dump: the encoded state read
}

// History records the operations of concurrent processes. The zero value
// is empty and ready; safe for concurrent use.
type History struct {
	mu  sync.Mutex // guards ops
	ops []porcupine.Operation
}

func (h *History) Add(proc int, in In, call int64, out Out, ret int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops = append(h.ops, porcupine.Operation{ClientId: proc, Input: in, Call: call, Output: out, Return: ret})
}

func (h *History) Operations() []porcupine.Operation {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]porcupine.Operation(nil), h.ops...)
}
