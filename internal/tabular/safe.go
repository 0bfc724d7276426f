package tabular

import (
	"encoding/csv"
	"io"
	"regexp"
)

// number is a plain number as exports write it ("-1,234.50", "+3", "12%"):
// a spreadsheet reads it as a value, never as a formula.
var number = regexp.MustCompile(`^[+-]?[0-9][0-9,]*(\.[0-9]+)?%?$`)

// Formula reports whether a spreadsheet would take the cell for a formula
// (or a DDE call): it starts with =, +, -, @, a tab or a carriage return,
// and is not a plain number.
func Formula(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return !number.MatchString(s)
	}
	return false
}

// SafeCSV is a cell for a CSV export: a cell a spreadsheet would run as a
// formula is prefixed with an apostrophe, so it shows as the text it is.
// Plain numbers, negative ones included, are left alone.
func SafeCSV(s string) string {
	if Formula(s) {
		return "'" + s
	}
	return s
}

// CSVWriter writes CSV records with every cell passed through SafeCSV.
type CSVWriter struct{ *csv.Writer }

// NewCSVWriter is a csv.Writer whose Write neutralizes formula cells.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{csv.NewWriter(w)} }

// Write writes one record, each cell made safe.
func (w *CSVWriter) Write(record []string) error {
	safe := make([]string, len(record))
	for i, c := range record {
		safe[i] = SafeCSV(c)
	}
	return w.Writer.Write(safe)
}
