package workflow

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar date without time or zone, written as YYYY-MM-DD.
type Date struct{ t time.Time }

const dateLayout = "2006-01-02"

// The years a date may fall in; others are typing mistakes (and year 0
// is not a date PostgreSQL keeps).
const (
	MinYear = 1900
	MaxYear = 2200
)

// ParseDate parses YYYY-MM-DD, a date from MinYear to MaxYear.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("not a date in the form YYYY-MM-DD: %q", s)
	}
	if t.Year() < MinYear || t.Year() > MaxYear {
		return Date{}, fmt.Errorf("the date %q is not between %d and %d", s, MinYear, MaxYear)
	}
	return Date{t}, nil
}

// MustDate parses s or panics; for literals in code and tests.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Date) String() string               { return d.t.Format(dateLayout) }
func (d Date) Time() time.Time              { return d.t }
func (d Date) Before(o Date) bool           { return d.t.Before(o.t) }
func (d Date) IsZero() bool                 { return d.t.IsZero() }
func (d Date) AddDays(n int) Date           { return addDays(d, n) }
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date must be a string in the form YYYY-MM-DD")
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores the date as text, which both PostgreSQL (date) and SQLite
// accept.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a date from PostgreSQL (time.Time) or SQLite (text or time).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		d.t = time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)
		return nil
	case string:
		return d.scanString(v)
	case []byte:
		return d.scanString(string(v))
	}
	return fmt.Errorf("cannot scan %T into a Date", src)
}

func (d *Date) scanString(s string) error {
	if len(s) > len(dateLayout) {
		s = s[:len(dateLayout)]
	}
	// What is stored was checked when it was written; read it as it is.
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return fmt.Errorf("not a date in the form YYYY-MM-DD: %q", s)
	}
	*d = Date{t}
	return nil
}
