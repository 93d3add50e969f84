package sqlstore

import (
	"sync/atomic"

	"gorm.io/gorm"
)

// CountQueries makes the store count the statements gorm runs for it (not
// BEGIN and COMMIT) and returns the counter. Tests use it to show that a
// read costs a fixed number of queries.
func (s *Store) CountQueries() *atomic.Int64 {
	n := new(atomic.Int64)
	count := func(db *gorm.DB) {
		if !db.DryRun { // gorm builds subqueries with a dry run of the query callbacks
			n.Add(1)
		}
	}
	cb := s.db.Callback()
	_ = cb.Query().After("gorm:query").Register("test:count_query", count)
	_ = cb.Row().After("gorm:row").Register("test:count_row", count)
	_ = cb.Raw().After("gorm:raw").Register("test:count_raw", count)
	_ = cb.Create().After("gorm:create").Register("test:count_create", count)
	_ = cb.Update().After("gorm:update").Register("test:count_update", count)
	_ = cb.Delete().After("gorm:delete").Register("test:count_delete", count)
	return n
}
