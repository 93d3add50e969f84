package notify

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// KeySize is the length of the server key: AES-256.
const KeySize = 32

// KeyFileName is the key file the server makes in its data folder when no
// key is configured.
const KeyFileName = "secret.key"

// ParseKey reads a server key written as hex (64 digits) or base64
// (standard or URL alphabet, padded or not) of 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == KeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == KeySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("the key must be %d bytes, written as 64 hex digits or in base64", KeySize)
}

// Box seals small secrets (webhook signing secrets) with AES-256-GCM under
// the server key, so that a copy of the database alone does not give them
// away. The key is loaded on first use: a server that never stores a
// secret never touches its key file.
type Box struct {
	mu      sync.Mutex
	load    func() ([]byte, error)
	aead    cipher.AEAD
	derived map[string][]byte
}

// NewBox seals under a known key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("the key must be %d bytes", KeySize)
	}
	k := append([]byte(nil), key...)
	return &Box{load: func() ([]byte, error) { return k, nil }}, nil
}

// NewFileBox seals under the key in path, made (mode 0600) with a fresh
// random key the first time it is needed. Every instance that shares the
// database must share this key; several instances should set
// CRAFTSCODE_SECRET_KEY instead.
func NewFileBox(path string) *Box {
	return &Box{load: func() ([]byte, error) { return loadOrCreateKey(path) }}
}

func loadOrCreateKey(path string) ([]byte, error) {
	read := func() ([]byte, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		k, err := ParseKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("key file %s: %w", path, err)
		}
		return k, nil
	}
	k, err := read()
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	// O_EXCL: when two processes race, one writes and both read its key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return read()
	}
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return nil, fmt.Errorf("key file: %w", werr)
	}
	return key, nil
}

func (b *Box) cipher() (cipher.AEAD, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.aead != nil {
		return b.aead, nil
	}
	key, err := b.load()
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if b.aead, err = cipher.NewGCM(block); err != nil {
		return nil, err
	}
	return b.aead, nil
}

// Seal encrypts plain, bound to context (such as the owning row's id, so
// that a sealed value moved to another row does not open), and returns
// base64 text: a version byte, the nonce and the ciphertext.
func (b *Box) Seal(plain, context []byte) (string, error) {
	aead, err := b.cipher()
	if err != nil {
		return "", err
	}
	out := make([]byte, 1, 1+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = 1
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out = append(out, nonce...)
	out = aead.Seal(out, nonce, plain, context)
	return base64.StdEncoding.EncodeToString(out), nil
}

// Open reverses Seal; it fails for another key, another context or any
// change to the text.
func (b *Box) Open(sealed string, context []byte) ([]byte, error) {
	aead, err := b.cipher()
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < 1+aead.NonceSize() || raw[0] != 1 {
		return nil, errors.New("sealed secret: malformed")
	}
	n := 1 + aead.NonceSize()
	plain, err := aead.Open(nil, raw[1:n], raw[n:], context)
	if err != nil {
		return nil, errors.New("sealed secret: does not open under this key")
	}
	return plain, nil
}

// Derive returns a key for one purpose (such as signing unsubscribe
// links), made from the server key so that no second key must be kept,
// and different for each purpose so that one signature never stands for
// another.
func (b *Box) Derive(purpose string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if k, ok := b.derived[purpose]; ok {
		return k, nil
	}
	key, err := b.load()
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("craftscode derived key: " + purpose))
	if b.derived == nil {
		b.derived = map[string][]byte{}
	}
	b.derived[purpose] = m.Sum(nil)
	return b.derived[purpose], nil
}
