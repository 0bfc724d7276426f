package tabular

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"onepool/internal/errs"
)

// RowError is what is wrong with one cell of an imported file.
type RowError struct {
	Row    int    // 1-based, the header is row 1
	Column string // the column's header
	Why    string // in English
	Format string // the English format Why was built from (a catalogue key of the web layer)
	Args   []any  // Format's arguments
}

func (e RowError) String() string {
	return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Why)
}

// maxRowErrors is how many row errors are kept; the rest are counted.
const maxRowErrors = 1000

// ImportError lists the bad cells (the first maxRowErrors of them, and
// how many more); nothing was written.
type ImportError struct {
	Rows    []RowError
	Omitted int // bad cells found beyond Rows
}

func (e *ImportError) Error() string {
	var b []string
	for i, r := range e.Rows {
		if i == 20 {
			b = append(b, fmt.Sprintf("… and %d more", len(e.Rows)-20+e.Omitted))
			break
		}
		b = append(b, r.String())
	}
	if len(e.Rows) <= 20 && e.Omitted > 0 {
		b = append(b, fmt.Sprintf("… and %d more", e.Omitted))
	}
	return "the file was not imported: " + strings.Join(b, "; ")
}

// Invalid wraps row errors in an Invalid errs.Error (invalid_rows) so that
// every layer answers 400 with the rows.
func Invalid(rows []RowError) error { return wrap(&ImportError{Rows: rows}) }

func wrap(ie *ImportError) error {
	return &errs.Error{Kind: errs.Invalid, Code: "invalid_rows", Field: "file", Message: ie.Error(), Err: ie}
}

// Wrap gives an *ImportError in err's chain a kind (Invalid); other
// errors are returned as they are.
func Wrap(err error) error {
	var ie *ImportError
	if errors.As(err, &ie) {
		if _, ok := errs.As(err); !ok {
			return wrap(ie)
		}
	}
	return err
}

// Column is one column an import understands: its key and its header
// names (English, Chinese).
type Column struct {
	Key      string
	Names    []string
	Required bool
}

// Table reads a file's rows one at a time by column key, after checking
// its header, and collects every bad cell.
type Table struct {
	r       *Reader
	idx     map[string]int
	cur     []string
	data    int // data rows read
	errs    []RowError
	omitted int
	err     error
}

// NewTable opens r with the default limits and checks its header (the
// first non-empty row) against cols. Close the table. Errors: Invalid
// (empty_import, missing_column, and Open's).
func NewTable(r io.Reader, cols []Column) (*Table, error) {
	return NewTableLimits(r, cols, Limits{})
}

// NewTableLimits is NewTable with other limits.
func NewTableLimits(r io.Reader, cols []Column, lim Limits) (*Table, error) {
	tr, err := Open(r, lim)
	if err != nil {
		return nil, err
	}
	header, err := tr.Next()
	if errors.Is(err, io.EOF) {
		tr.Close()
		return nil, errs.F(errs.Invalid, "empty_import", "file", "the file needs a header row and at least one data row")
	}
	if err != nil {
		tr.Close()
		return nil, err
	}
	t := &Table{r: tr, idx: map[string]int{}}
	head := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if _, dup := head[h]; !dup {
			head[h] = i
		}
	}
	var missing []string
	for _, c := range cols {
		found := false
		for _, n := range c.Names {
			if i, ok := head[strings.ToLower(n)]; ok {
				t.idx[c.Key], found = i, true
				break
			}
		}
		if !found && c.Required {
			missing = append(missing, strings.Join(c.Names, "/"))
		}
	}
	if len(missing) > 0 {
		tr.Close()
		return nil, errs.F(errs.Invalid, "missing_column", "file", "the header lacks column(s) %s", strings.Join(missing, ", "))
	}
	return t, nil
}

// Close releases the file.
func (t *Table) Close() error { return t.r.Close() }

// Next moves to the next data row (empty rows included); false at the end
// or on an error (see Err).
func (t *Table) Next() bool {
	if t.err != nil {
		return false
	}
	row, err := t.r.Next()
	if err != nil {
		t.cur = nil
		switch {
		case !errors.Is(err, io.EOF):
			t.err = err
		case t.data == 0:
			t.err = errs.F(errs.Invalid, "empty_import", "file", "the file needs a header row and at least one data row")
		}
		return false
	}
	t.cur = row
	t.data++
	return true
}

// Err is why Next stopped, nil at the end of a file with data rows.
func (t *Table) Err() error { return t.err }

// Row is the current row's number (1-based; the header's row is 1 when
// the sheet starts at the top).
func (t *Table) Row() int { return t.r.Row() }

// Has reports whether the header has the column.
func (t *Table) Has(key string) bool { _, ok := t.idx[key]; return ok }

// Cell is the current row's trimmed cell of a column ("" when absent).
func (t *Table) Cell(key string) string {
	i, ok := t.idx[key]
	if !ok || i >= len(t.cur) {
		return ""
	}
	return strings.TrimSpace(t.cur[i])
}

// Required is a cell that must not be empty.
func (t *Table) Required(key string) string {
	v := t.Cell(key)
	if v == "" {
		t.Fail(key, "is empty")
	}
	return v
}

// Empty reports whether the current row has no content.
func (t *Table) Empty() bool {
	for _, c := range t.cur {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Fail records a bad cell of the current row.
func (t *Table) Fail(col, format string, args ...any) { t.FailAt(t.Row(), col, format, args...) }

// FailAt records a bad cell of an earlier row (1-based).
func (t *Table) FailAt(row int, col, format string, args ...any) {
	if len(t.errs) >= maxRowErrors {
		t.omitted++
		return
	}
	t.errs = append(t.errs, RowError{Row: row, Column: col, Why: fmt.Sprintf(format, args...), Format: format, Args: args})
}

// Errors are the bad cells found so far (at most maxRowErrors).
func (t *Table) Errors() []RowError { return t.errs }

// Failed reports whether any cell was bad.
func (t *Table) Failed() bool { return len(t.errs) > 0 }

// Invalid is the Invalid error listing the bad cells.
func (t *Table) Invalid() error { return wrap(&ImportError{Rows: t.errs, Omitted: t.omitted}) }
