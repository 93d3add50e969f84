package documents

import (
	"encoding/json"
	"fmt"
	"time"
)

// Approval is the `approval` key of an approved revision's template data:
// what the approved document records about its approval, so that a printed
// or mailed copy says when, by whom and on which revision it was approved,
// and where to check it. It is absent from a draft's data.
type Approval struct {
	ApprovedAt time.Time `json:"approved_at"`
	// Role is who approved: coordinator (for the lead partner), secretariat
	// (the programme's joint secretariat), admin (the service's
	// administrator), or "" when the approver is no longer known.
	Role string `json:"role"`
	// Organisation is the lead partner's name for the coordinator, the
	// programme for the secretariat, "" otherwise. People's names are not
	// printed: the record speaks for the organisation.
	Organisation   string `json:"organisation"`
	Revision       int    `json:"revision"`
	RevisionSHA256 string `json:"revision_sha256"`
	// VerifyURL is the service's public verification page; "" when the
	// service does not know its public address.
	VerifyURL string `json:"verify_url"`
}

// WithApproval adds a to a snapshot's JSON under the key approval, keeping
// every other key as it is.
func WithApproval(snapshot []byte, a Approval) ([]byte, error) {
	return withKey(snapshot, "approval", a)
}

// withKey sets one top-level key of a snapshot's JSON.
func withKey(snapshot []byte, key string, v any) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(snapshot, &top); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	top[key] = raw
	return json.Marshal(top)
}
