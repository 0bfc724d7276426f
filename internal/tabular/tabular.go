// Package tabular is the one way a table comes in: every import (funds,
// the registry, the bank's return files, places) reads its CSV or xlsx
// upload through Open, which streams rows one at a time and refuses a file
// beyond its limits — bytes, rows, columns, characters per cell and, for
// an xlsx (a zip), the unzipped size — with a clear error naming the row
// and column. The server's memory therefore does not grow with the file:
// an xlsx is spooled to a temporary file and its sheet read with
// excelize's streaming iterator (never GetRows, which pads every row to
// the sheet's last used column), a CSV is read record by record.
//
// Table maps a header to columns and collects row errors for the
// all-or-nothing imports; Safe* neutralize exported cells that a
// spreadsheet would run as a formula.
package tabular

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"onepool/internal/errs"
)

// The default limits (Limits' zero fields take them).
const (
	MaxBytes    = 50 << 20  // an uploaded file
	MaxRows     = 100_000   // data rows after the header
	MaxColumns  = 64        // the last non-empty cell of any row
	MaxCell     = 4096      // characters in one cell
	MaxUnzipped = 256 << 20 // an xlsx's parts, unzipped, together
	// maxInMemoryParts bounds the parts of an xlsx other than worksheets
	// and the shared strings: excelize holds those in memory.
	maxInMemoryParts = 32 << 20
	// xmlInMemory is excelize's UnzipXMLSizeLimit: a worksheet or the
	// shared strings larger than this are read from a temporary file.
	xmlInMemory = 8 << 20
	// maxRecordBytes bounds one CSV record before it is split into cells,
	// so that one endless line is refused before it is held.
	maxRecordBytes = 2 << 20
)

// Limits bound one file. A zero field takes the default.
type Limits struct {
	Bytes    int64 // the file as uploaded
	Rows     int   // non-empty rows after the header
	Columns  int   // columns up to the last non-empty cell of a row
	Cell     int   // characters in a cell
	Unzipped int64 // an xlsx unzipped
}

func (l Limits) withDefaults() Limits {
	if l.Bytes <= 0 {
		l.Bytes = MaxBytes
	}
	if l.Rows <= 0 {
		l.Rows = MaxRows
	}
	if l.Columns <= 0 {
		l.Columns = MaxColumns
	}
	if l.Cell <= 0 {
		l.Cell = MaxCell
	}
	if l.Unzipped <= 0 {
		l.Unzipped = MaxUnzipped
	}
	return l
}

// ColumnName is a column's spreadsheet name: 1 → A, 27 → AA, 16384 → XFD.
func ColumnName(n int) string {
	s, err := excelize.ColumnNumberToName(n)
	if err != nil {
		return fmt.Sprint(n)
	}
	return s
}

// Reader streams the rows of one CSV or xlsx file.
type Reader struct {
	lim     Limits
	src     func() ([]string, error) // the next raw row; io.EOF at the end
	closers []func() error
	counter *countingReader // the bytes read of a CSV (nil for xlsx)

	row     int      // the number of the row last returned (1-based)
	rows    int      // non-empty rows returned
	gap     int      // empty rows read and not yet returned
	pending int      // empty rows to return before stash
	stash   []string // a non-empty row waiting behind pending empty rows
	started bool     // a non-empty row was returned
	csv     bool
}

// Open reads r (a CSV, UTF-8 with or without a byte order mark, or
// GB18030/GBK as Excel saves it on a Chinese Windows; or an xlsx, its
// first sheet), recognized by content. Close it. Errors: Invalid
// (too_large, invalid_file).
func Open(r io.Reader, lim Limits) (*Reader, error) {
	lim = lim.withDefaults()
	cr := &countingReader{r: r, limit: lim.Bytes}
	br := bufio.NewReaderSize(cr, 64<<10)
	head, _ := br.Peek(4)
	if bytes.HasPrefix(head, []byte("PK")) {
		cr.noRecord = true
		return openXLSX(br, lim)
	}
	return openCSV(br, cr, lim)
}

// ReadAll reads a whole (small) file: rows in file order, empty rows
// between non-empty ones included. Errors: as Open and Next.
func ReadAll(r io.Reader, lim Limits) ([][]string, error) {
	tr, err := Open(r, lim)
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	var out [][]string
	for {
		row, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
}

// Row is the number of the row Next returned last: the sheet's row number
// for an xlsx, the record's for a CSV (blank lines are not records).
func (r *Reader) Row() int { return r.row }

// Close releases the temporary files.
func (r *Reader) Close() error {
	var first error
	for i := len(r.closers) - 1; i >= 0; i-- {
		if err := r.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	r.closers = nil
	return first
}

// Next returns the next row, without its trailing empty cells; io.EOF
// after the last non-empty row. Leading empty rows are skipped (their
// numbers are still counted); empty rows between non-empty ones are
// returned empty. Errors: Invalid (too_large, too_many_rows,
// too_many_columns, cell_too_long, row_too_long, invalid_encoding,
// invalid_file).
func (r *Reader) Next() ([]string, error) {
	if r.pending > 0 {
		r.pending--
		r.row++
		return []string{}, nil
	}
	if r.stash != nil {
		row := r.stash
		r.stash = nil
		r.row++
		return row, nil
	}
	for {
		if r.counter != nil {
			r.counter.mark = r.counter.n
		}
		raw, err := r.src()
		if err != nil {
			return nil, r.mapErr(err)
		}
		row := trimRow(raw)
		if len(row) == 0 {
			r.gap++
			continue
		}
		num := r.row + r.gap + 1
		if err := r.check(num, row); err != nil {
			return nil, err
		}
		r.rows++
		if r.rows > r.lim.Rows+1 {
			return nil, errs.F(errs.Invalid, "too_many_rows", "file", "row %d: a file holds at most %d rows after the header", num, r.lim.Rows)
		}
		if !r.started {
			r.started = true
			r.row, r.gap = num, 0
			return row, nil
		}
		if r.gap > 0 {
			r.pending, r.stash, r.gap = r.gap-1, row, 0
			r.row++
			return []string{}, nil
		}
		r.row = num
		return row, nil
	}
}

func (r *Reader) check(num int, row []string) error {
	if len(row) > r.lim.Columns {
		return errs.F(errs.Invalid, "too_many_columns", "file", "row %d, column %s: a file holds at most %d columns", num, ColumnName(len(row)), r.lim.Columns)
	}
	for j, c := range row {
		if r.csv && !utf8.ValidString(c) {
			return errs.F(errs.Invalid, "invalid_encoding", "file", "row %d, column %s: not UTF-8 or GB18030 text: save the file as “CSV UTF-8”", num, ColumnName(j+1))
		}
		if len(c) > r.lim.Cell && utf8.RuneCountInString(c) > r.lim.Cell {
			return errs.F(errs.Invalid, "cell_too_long", "file", "row %d, column %s: a cell holds at most %d characters", num, ColumnName(j+1), r.lim.Cell)
		}
	}
	return nil
}

var (
	errTooLarge   = errors.New("tabular: file too large")
	errRowTooLong = errors.New("tabular: record too long")
)

func (r *Reader) mapErr(err error) error {
	num := r.row + r.gap + 1
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return io.EOF
	case errors.Is(err, errTooLarge):
		return tooLarge(r.lim.Bytes)
	case errors.Is(err, errRowTooLong):
		return errs.F(errs.Invalid, "row_too_long", "file", "row %d is longer than %d KiB", num, maxRecordBytes>>10)
	case errors.Is(err, excelize.ErrMaxRows):
		return errs.F(errs.Invalid, "too_many_rows", "file", "a file holds at most %d rows after the header", r.lim.Rows)
	case errors.As(err, &pe):
		return errs.F(errs.Invalid, "invalid_file", "file", "CSV row %d: %v", pe.Line, pe.Err)
	}
	if e, ok := errs.As(err); ok {
		return e
	}
	return errs.F(errs.Invalid, "invalid_file", "file", "row %d cannot be read: not a readable xlsx or CSV file", num)
}

func tooLarge(n int64) error {
	return errs.F(errs.Invalid, "too_large", "file", "the file is larger than %d MiB", n>>20)
}

// trimRow drops the trailing blank cells.
func trimRow(row []string) []string {
	n := len(row)
	for n > 0 && strings.TrimSpace(row[n-1]) == "" {
		n--
	}
	return row[:n]
}

// countingReader refuses to read beyond limit bytes, and a record (the
// bytes since mark) beyond maxRecordBytes.
type countingReader struct {
	r        io.Reader
	n, mark  int64
	limit    int64
	noRecord bool // an xlsx: no record limit
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n > c.limit {
		return 0, errTooLarge
	}
	if !c.noRecord && c.n-c.mark > maxRecordBytes {
		return 0, errRowTooLong
	}
	if rest := c.limit + 1 - c.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.limit {
		return n, errTooLarge
	}
	return n, err
}

func openCSV(br *bufio.Reader, cr *countingReader, lim Limits) (*Reader, error) {
	var in io.Reader = br
	if head, _ := br.Peek(3); bytes.Equal(head, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	} else if sample, _ := br.Peek(64 << 10); !validPrefix(sample) {
		// Excel on a Chinese Windows saves "CSV" in GB18030 (GBK).
		in = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	c := csv.NewReader(in)
	c.FieldsPerRecord = -1
	c.ReuseRecord = true
	r := &Reader{lim: lim, counter: cr, csv: true}
	r.src = func() ([]string, error) {
		rec, err := c.Read()
		if err != nil {
			return nil, err
		}
		// The cells of a record share one string: copy each, so that a
		// cell kept does not keep its whole line.
		for i, f := range rec {
			rec[i] = strings.Clone(f)
		}
		return rec, nil
	}
	return r, nil
}

// validPrefix reports whether b is UTF-8, but for a rune cut at its end.
func validPrefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

func openXLSX(br *bufio.Reader, lim Limits) (*Reader, error) {
	tmp, err := os.CreateTemp("", "onepool-import-*.xlsx")
	if err != nil {
		return nil, errs.Wrap(err, "tabular: temporary file")
	}
	r := &Reader{lim: lim}
	r.closers = append(r.closers, func() error { return os.Remove(tmp.Name()) })
	fail := func(err error) (*Reader, error) {
		tmp.Close()
		r.Close()
		return nil, err
	}
	size, err := io.Copy(tmp, br)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return fail(tooLarge(lim.Bytes))
		}
		if e, ok := errs.As(err); ok {
			return fail(e)
		}
		return fail(errs.F(errs.Invalid, "invalid_file", "file", "the file could not be read"))
	}
	zr, err := checkZip(tmp, size, lim)
	if err != nil {
		return fail(err)
	}
	if part, err := firstSheetPart(zr); err == nil {
		if err := scanColumns(zr, part, lim.Columns); err != nil {
			return fail(err)
		}
	}
	if err := tmp.Close(); err != nil {
		return fail(errs.Wrap(err, "tabular: temporary file"))
	}
	f, err := excelize.OpenFile(tmp.Name(), excelize.Options{UnzipSizeLimit: lim.Unzipped, UnzipXMLSizeLimit: xmlInMemory, ShortDatePattern: isoDate})
	if err != nil {
		return fail(errs.F(errs.Invalid, "invalid_file", "file", "not a readable xlsx or CSV file"))
	}
	r.closers = append(r.closers, f.Close)
	normalizeFormats(f)
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return fail(errs.F(errs.Invalid, "invalid_file", "file", "the workbook has no sheet"))
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return fail(errs.F(errs.Invalid, "invalid_file", "file", "cannot read sheet %s", sheets[0]))
	}
	r.closers = append(r.closers, rows.Close)
	r.src = func() ([]string, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return nil, err
			}
			return nil, io.EOF
		}
		cols, err := rows.Columns()
		if err != nil {
			return nil, err
		}
		return cols, nil
	}
	return r, nil
}

// checkZip refuses a zip whose parts unzip beyond the limits before
// excelize opens it (the sizes a zip declares are enforced when it is
// read: archive/zip fails on a part longer than it says).
func checkZip(f *os.File, size int64, lim Limits) (*zip.Reader, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return nil, errs.F(errs.Invalid, "invalid_file", "file", "not a readable xlsx or CSV file")
	}
	var total, inMemory uint64
	for _, p := range zr.File {
		n := p.UncompressedSize64
		total += n
		name := strings.ToLower(strings.ReplaceAll(p.Name, `\`, "/"))
		streamed := (strings.HasPrefix(name, "xl/worksheets/sheet") || name == "xl/sharedstrings.xml") && n > xmlInMemory
		if !streamed {
			inMemory += n
		}
	}
	if total > uint64(lim.Unzipped) {
		return nil, errs.F(errs.Invalid, "too_large", "file", "the workbook unzips to more than %d MiB", lim.Unzipped>>20)
	}
	if inMemory > maxInMemoryParts {
		return nil, errs.F(errs.Invalid, "too_large", "file", "the workbook's parts other than its sheets unzip to more than %d MiB", maxInMemoryParts>>20)
	}
	return zr, nil
}
