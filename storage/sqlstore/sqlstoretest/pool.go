package sqlstoretest

import (
	"context"
	"database/sql"
	"testing"

	"github.com/craftscode/craftscode/storage/sqlstore"
)

// WarmPool opens n connections of the store at once (at most the pool's
// limit) and gives them back, so that callers racing each other find them
// idle, rather than the first one finishing while the others still connect.
func WarmPool(t testing.TB, s *sqlstore.Store, n int) {
	t.Helper()
	if limit := s.DB().Stats().MaxOpenConnections; limit > 0 {
		n = min(n, limit) // beyond its limit the pool would wait forever
	}
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range n {
		c, err := s.DB().Conn(context.Background())
		if err != nil {
			t.Fatalf("WarmPool: %v", err)
		}
		conns = append(conns, c)
	}
}
