package atomicfile

import "errors"

// ErrNotDurable wraps a Write error that came after the rename (steps
// 8–10): path may already hold the new content, not yet durably. Every
// other Write error leaves path as it was.
var ErrNotDurable = errors.New("replaced, but not yet durable")
