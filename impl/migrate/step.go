package migrate

// Outcome is what the migration does (or did) with one legacy key.
type Outcome string

// The outcomes.
const (
	// Moved: the target was absent; the value was copied to it and the
	// legacy key deleted.
	Moved Outcome = "moved"
	// AlreadyScoped: the target already held the same value; the legacy key
	// was deleted.
	AlreadyScoped Outcome = "already-scoped"
	// ConflictQuarantined: the target held a different value (it wins); the
	// legacy value was stored under Step.Quarantine and the legacy key
	// deleted (policy Keep).
	ConflictQuarantined Outcome = "conflict-quarantined"
	// ConflictDropped: the target held a different value (it wins); the
	// legacy value was discarded with the legacy key (policy Drop).
	ConflictDropped Outcome = "conflict-dropped"
)

// Step is the typed result for one legacy key. It never holds a value, only
// fingerprints.
type Step struct {
	// Key is the legacy key.
	Key string `json:"key"`
	// Target is the scoped key it moves to.
	Target string `json:"target"`
	// Scope is the target's scope.
	Scope string `json:"scope"`
	// Outcome is what happens to Key.
	Outcome Outcome `json:"outcome"`
	// Quarantine is the quarantine key that holds the legacy value
	// (ConflictQuarantined only).
	Quarantine string `json:"quarantine,omitempty"`
	// Fingerprint is secrets.Fingerprint of the legacy value.
	Fingerprint string `json:"fingerprint"`
	// TargetFingerprint is secrets.Fingerprint of the value the target held
	// before the step (empty for Moved).
	TargetFingerprint string `json:"target_fingerprint,omitempty"`
}

// Counts tallies steps by outcome.
type Counts struct {
	Moved         int `json:"moved"`
	AlreadyScoped int `json:"already_scoped"`
	Quarantined   int `json:"conflict_quarantined"`
	Dropped       int `json:"conflict_dropped"`
}

// Total is the number of legacy keys.
func (c Counts) Total() int { return c.Moved + c.AlreadyScoped + c.Quarantined + c.Dropped }

// CountSteps tallies steps by outcome.
func CountSteps(steps []Step) Counts {
	var c Counts
	for _, s := range steps {
		switch s.Outcome {
		case Moved:
			c.Moved++
		case AlreadyScoped:
			c.AlreadyScoped++
		case ConflictQuarantined:
			c.Quarantined++
		case ConflictDropped:
			c.Dropped++
		}
	}
	return c
}
