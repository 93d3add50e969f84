package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/require"
)

// TestEvidenceEndToEnd: `serve` on PostgreSQL and MinIO takes its evidence
// limit from CRAFTSCODE_EVIDENCE_LIMIT, which is larger than the general
// body limit; a file within it lands in the bucket under an id key, one
// over it gets 413 and leaves the bucket as it was.
func TestEvidenceEndToEnd(t *testing.T) {
	t.Parallel()
	env := s3Env(t)
	env["CRAFTSCODE_BODY_LIMIT"] = "4096"
	env["CRAFTSCODE_EVIDENCE_LIMIT"] = "200000"
	s := serve(t, env)
	admin := env["CRAFTSCODE_ADMIN_TOKEN"]
	plan := seedPlans(t, s.url, admin, 1)[0]

	upload := func(size int) (int, []byte) {
		body := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{'x'}, size-9)...)
		r, err := http.NewRequest("POST", s.url+"/api/v1/action-plans/"+plan+"/evidence?filename=jelent%C3%A9s.pdf", bytes.NewReader(body))
		require.NoError(t, err)
		r.Header.Set("Authorization", "Bearer "+admin)
		res, err := http.DefaultClient.Do(r)
		require.NoError(t, err)
		defer res.Body.Close()
		var out struct{ SHA256 string }
		_ = json.NewDecoder(res.Body).Decode(&out)
		sum := sha256.Sum256(body)
		if res.StatusCode == 201 {
			require.Equal(t, hex.EncodeToString(sum[:]), out.SHA256)
		}
		return res.StatusCode, body
	}
	status, _ := upload(150_000)
	require.Equal(t, 201, status, "over the body limit, within the evidence limit")
	status, _ = upload(250_000)
	require.Equal(t, 413, status)

	mc, err := minio.New(env["S3_ENDPOINT"], &minio.Options{Creds: credentials.NewStaticV4(env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"], "")})
	require.NoError(t, err)
	var keys []string
	for o := range mc.ListObjects(t.Context(), env["S3_BUCKET"], minio.ListObjectsOptions{Recursive: true}) {
		require.NoError(t, o.Err)
		keys = append(keys, o.Key)
	}
	require.Len(t, keys, 1)
	require.True(t, strings.HasPrefix(keys[0], "projects/") && strings.Contains(keys[0], "/action-plans/"+plan+"/evidence/"), keys[0])
	for u := range mc.ListIncompleteUploads(t.Context(), env["S3_BUCKET"], "", true) {
		require.NoError(t, u.Err)
		t.Fatalf("an incomplete upload was left: %s", u.Key)
	}
}
