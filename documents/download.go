package documents

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Presigner is the optional capability of a store whose objects a browser
// can fetch itself (S3). The filesystem store lacks it and keeps streaming
// through the service.
type Presigner interface {
	// PresignGet returns a URL that lets anyone holding it GET key until
	// expiry has passed; the object store answers with the headers of opts.
	// It does not check that key exists.
	PresignGet(ctx context.Context, key string, expiry time.Duration, opts GetOptions) (*url.URL, error)
	// PresignOrigin is the scheme://host[:port] the URLs point at, for a
	// page's Content-Security-Policy.
	PresignOrigin() string
}

// GetOptions are the response headers a presigned GET asks the store to
// send instead of the stored ones; empty fields are left as stored.
type GetOptions struct {
	ContentType        string
	ContentDisposition string
}

// Attachment is the Content-Disposition of a download named name: UTF-8
// kept (RFC 6266 with RFC 5987's filename*), with an ASCII fallback for old
// clients. The API, the pages and presigned URLs all use it.
func Attachment(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, extValue(name))
}

// extValue percent-encodes every byte that is not an attr-char of RFC 5987
// (url.PathEscape leaves '=', ':' and '@', which strict parsers refuse).
func extValue(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
