package workflow

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/google/uuid"
)

// NewID returns a new identifier: a UUIDv7, so ids sort by creation time
// and serve as stable pagination cursors.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// NameID is the id named by parts: the same parts give the same id (a
// name-based UUID), for an event that must happen once, such as a report
// turning overdue.
func NameID(parts ...string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("craftscode:"+strings.Join(parts, "\x00"))).String()
}

// ValidID reports whether s is an id in canonical form.
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}

// tokenPrefix marks craftscode bearer tokens, so leaked ones are easy to
// recognise in logs and secret scanners.
const tokenPrefix = "cct_"

// NewToken returns a fresh bearer token and the hash that is stored. The
// token itself is never stored. It carries 256 random bits, so a plain
// SHA-256 is enough: there is nothing to brute-force as with passwords.
func NewToken() (token, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken returns the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return hex.EncodeToString(sum[:])
}
