// Package clock gives onepool its notion of time: an injectable clock and the
// local zone of the counties (China Standard Time, UTC+8, fixed: no tz
// database is needed on an offline machine).
package clock

import "time"

// Clock returns the current time. Tests pass a fixed or stepping clock.
type Clock func() time.Time

// System is the real clock.
func System() time.Time { return time.Now() }

// Zone is China Standard Time.
var Zone = time.FixedZone("CST", 8*3600)

// Day returns t's local calendar day as YYYY-MM-DD.
func Day(t time.Time) string { return t.In(Zone).Format("2006-01-02") }

// Micros converts t to microseconds since the epoch (how timestamps are stored).
func Micros(t time.Time) int64 { return t.UnixMicro() }

// FromMicros converts stored microseconds back to a time in Zone.
func FromMicros(us int64) time.Time { return time.UnixMicro(us).In(Zone) }
