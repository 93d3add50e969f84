package notify_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/notify"
)

func TestSignAndVerify(t *testing.T) {
	secret := []byte("whsec_a-secret-of-enough-length")
	body := []byte(`{"id":"1","type":"transition"}`)
	h := notify.Sign(secret, time.Now(), body)
	require.Regexp(t, `^t=\d+,v1=[0-9a-f]{64}$`, h)
	require.NoError(t, notify.Verify(secret, h, body, 0))

	require.ErrorIs(t, notify.Verify(secret, h, []byte(`{"id":"2","type":"transition"}`), 0), notify.ErrSignatureMismatch, "another body")
	require.ErrorIs(t, notify.Verify([]byte("another secret entirely"), h, body, 0), notify.ErrSignatureMismatch, "another secret")

	// Replays: a captured request signed ten minutes ago is refused, and so
	// is one dated in the future; a shorter tolerance is honoured.
	old := notify.Sign(secret, time.Now().Add(-10*time.Minute), body)
	require.ErrorIs(t, notify.Verify(secret, old, body, 0), notify.ErrSignatureStale)
	require.NoError(t, notify.Verify(secret, old, body, time.Hour))
	ahead := notify.Sign(secret, time.Now().Add(10*time.Minute), body)
	require.ErrorIs(t, notify.Verify(secret, ahead, body, 0), notify.ErrSignatureStale)
	recent := notify.Sign(secret, time.Now().Add(-30*time.Second), body)
	require.ErrorIs(t, notify.Verify(secret, recent, body, 10*time.Second), notify.ErrSignatureStale)

	// Moving a fresh timestamp onto an old signature breaks the HMAC.
	_, sig, _ := strings.Cut(old, ",")
	forged := "t=" + strings.TrimPrefix(strings.Split(h, ",")[0], "t=") + "," + sig
	require.ErrorIs(t, notify.Verify(secret, forged, body, 0), notify.ErrSignatureMismatch)

	// Several signatures: one match is enough (a receiver rotating secrets).
	two := h + ",v1=" + strings.Repeat("ab", 32)
	require.NoError(t, notify.Verify(secret, two, body, 0))

	for _, bad := range []string{"", "v1=00", "t=abc,v1=00", "t=1", h + ",v1=zz", "garbage"} {
		require.ErrorIs(t, notify.Verify(secret, bad, body, 0), notify.ErrSignatureMalformed, bad)
	}
}

func TestBoxSealsAndOpens(t *testing.T) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	b, err := notify.NewBox(key)
	require.NoError(t, err)
	sealed, err := b.Seal([]byte("whsec_plain"), []byte("row-1"))
	require.NoError(t, err)
	require.NotContains(t, sealed, "whsec_plain")
	again, err := b.Seal([]byte("whsec_plain"), []byte("row-1"))
	require.NoError(t, err)
	require.NotEqual(t, sealed, again, "a fresh nonce each time")

	plain, err := b.Open(sealed, []byte("row-1"))
	require.NoError(t, err)
	require.Equal(t, "whsec_plain", string(plain))
	_, err = b.Open(sealed, []byte("row-2"))
	require.Error(t, err, "bound to its row")

	other := make([]byte, 32)
	_, _ = rand.Read(other)
	ob, err := notify.NewBox(other)
	require.NoError(t, err)
	_, err = ob.Open(sealed, []byte("row-1"))
	require.Error(t, err, "another key")

	raw, _ := base64.StdEncoding.DecodeString(sealed)
	raw[len(raw)-1] ^= 1
	_, err = b.Open(base64.StdEncoding.EncodeToString(raw), []byte("row-1"))
	require.Error(t, err, "tampered")

	_, err = notify.NewBox(key[:16])
	require.Error(t, err)
}

func TestFileBoxMakesItsKeyOnceAndKeepsIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, notify.KeyFileName)
	b := notify.NewFileBox(path)
	require.NoDirExists(t, dir, "nothing is written before a secret is sealed")
	sealed, err := b.Seal([]byte("s"), nil)
	require.NoError(t, err)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// A restarted server reads the same key.
	plain, err := notify.NewFileBox(path).Open(sealed, nil)
	require.NoError(t, err)
	require.Equal(t, "s", string(plain))

	require.NoError(t, os.WriteFile(path, []byte("short"), 0o600))
	_, err = notify.NewFileBox(path).Seal([]byte("s"), nil)
	require.Error(t, err, "a damaged key file is an error, not a silent new key")
}

func TestParseKey(t *testing.T) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	for _, s := range []string{hex.EncodeToString(key), base64.StdEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key), " " + hex.EncodeToString(key) + "\n"} {
		got, err := notify.ParseKey(s)
		require.NoError(t, err, s)
		require.Equal(t, key, got)
	}
	for _, s := range []string{"", "abc", hex.EncodeToString(key[:16]), base64.StdEncoding.EncodeToString(append(key, 1))} {
		_, err := notify.ParseKey(s)
		require.Error(t, err, s)
	}
}
