package tabular

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"

	"onepool/internal/errs"
)

// firstSheetPart is the zip path of the workbook's first sheet (as
// excelize's GetSheetList()[0]): workbook.xml's first <sheet>, through the
// workbook's relationships.
func firstSheetPart(zr *zip.Reader) (string, error) {
	var wb struct {
		Sheets []struct {
			ID string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := decodePart(zr, "xl/workbook.xml", &wb); err != nil || len(wb.Sheets) == 0 {
		return "", errors.New("no sheet")
	}
	if err := decodePart(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return "", err
	}
	for _, r := range rels.Rel {
		if r.ID == wb.Sheets[0].ID {
			if strings.HasPrefix(r.Target, "/") {
				return strings.TrimPrefix(r.Target, "/"), nil
			}
			return path.Join("xl", r.Target), nil
		}
	}
	return "", errors.New("no sheet")
}

// decodePart decodes a small XML part (at most 8 MiB of it).
func decodePart(zr *zip.Reader, name string, v any) error {
	for _, f := range zr.File {
		if strings.EqualFold(strings.ReplaceAll(f.Name, `\`, "/"), name) {
			rc, err := f.Open()
			if err != nil {
				return err
			}
			defer rc.Close()
			return xml.NewDecoder(io.LimitReader(rc, xmlInMemory)).Decode(v)
		}
	}
	return errors.New("no part " + name)
}

// scanColumns refuses a sheet with a value or a formula beyond the column
// limit before excelize reads it: excelize's row iterator pads a row with
// one empty string per column up to its last cell, so a 200 KB sheet of
// cells at column XFD costs tens of gigabytes of allocation. The scan reads
// tags and attributes only, in one pass, holding one tag at a time.
func scanColumns(zr *zip.Reader, part string, limit int) error {
	var f *zip.File
	for _, p := range zr.File {
		if strings.EqualFold(strings.ReplaceAll(p.Name, `\`, "/"), part) {
			f = p
		}
	}
	if f == nil {
		return errs.F(errs.Invalid, "invalid_file", "file", "the workbook's first sheet is missing")
	}
	rc, err := f.Open()
	if err != nil {
		return errs.F(errs.Invalid, "invalid_file", "file", "not a readable xlsx or CSV file")
	}
	defer rc.Close()
	s := &scanner{br: bufio.NewReaderSize(rc, 64<<10)}
	row, col := 0, 0
	for {
		name, attrs, closed, err := s.nextTag()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return errs.F(errs.Invalid, "invalid_file", "file", "the workbook's first sheet is not readable")
		}
		switch name {
		case "row":
			row++
			if v, ok := attrs["r"]; ok {
				if n, err := atoi(v); err == nil {
					row = n
				}
			}
			col = 0
		case "c":
			col++
			if v, ok := attrs["r"]; ok {
				c, _, err := excelize.CellNameToCoordinates(v)
				if err != nil {
					return errs.F(errs.Invalid, "invalid_file", "file", "row %d: %q is not a cell name", row, v)
				}
				col = c
			}
			if col <= limit || closed {
				continue
			}
			// A cell beyond the limit: refused when it holds a formula or
			// a value that is not blank.
			child, _, _, err := s.nextTag()
			if err != nil {
				return errs.F(errs.Invalid, "invalid_file", "file", "the workbook's first sheet is not readable")
			}
			if child == "/c" {
				continue
			}
			if child == "v" {
				text, err := s.text()
				if err != nil {
					return errs.F(errs.Invalid, "invalid_file", "file", "the workbook's first sheet is not readable")
				}
				if len(bytes.TrimSpace(text)) == 0 {
					continue
				}
			}
			return errs.F(errs.Invalid, "too_many_columns", "file", "row %d, column %s: a file holds at most %d columns", row, ColumnName(col), limit)
		}
	}
}

func atoi(s string) (int, error) {
	n := 0
	if s == "" || len(s) > 9 {
		return 0, errors.New("not a number")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("not a number")
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// scanner reads XML tags (local names, attributes) and skips the rest.
type scanner struct {
	br *bufio.Reader
}

// maxTag bounds one tag with its attributes.
const maxTag = 64 << 10

// nextTag skips to the next tag and returns its local name ("/c" for an
// end tag), its attributes (local names) and whether it closes itself.
// Comments, processing instructions and declarations are skipped.
func (s *scanner) nextTag() (string, map[string]string, bool, error) {
	for {
		if err := s.skipTo('<'); err != nil {
			return "", nil, false, err
		}
		c, err := s.br.ReadByte()
		if err != nil {
			return "", nil, false, err
		}
		if c == '!' || c == '?' {
			if err := s.skipTo('>'); err != nil {
				return "", nil, false, err
			}
			continue
		}
		s.br.UnreadByte()
		tag, err := s.readTag()
		if err != nil {
			return "", nil, false, err
		}
		return parseTag(tag)
	}
}

// text reads character data up to the next tag (at most maxTag bytes).
func (s *scanner) text() ([]byte, error) {
	var out []byte
	for {
		chunk, err := s.br.ReadSlice('<')
		out = append(out, chunk...)
		if len(out) > maxTag {
			return out[:maxTag], nil
		}
		if err == nil {
			s.br.UnreadByte()
			return out[:len(out)-1], nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	}
}

func (s *scanner) skipTo(b byte) error {
	for {
		_, err := s.br.ReadSlice(b)
		if err == nil {
			return nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// readTag reads a tag's text up to its '>' (quotes respected).
func (s *scanner) readTag() ([]byte, error) {
	var tag []byte
	var quote byte
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			return nil, err
		}
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return tag, nil
		}
		tag = append(tag, c)
		if len(tag) > maxTag {
			return nil, errors.New("tabular: tag too long")
		}
	}
}

// parseTag splits "x:c r=\"A1\" s='2'/" into c, {r: A1, s: 2}, closed.
func parseTag(tag []byte) (string, map[string]string, bool, error) {
	closed := bytes.HasSuffix(tag, []byte("/"))
	if closed {
		tag = tag[:len(tag)-1]
	}
	end := bytes.IndexAny(tag, " \t\r\n")
	if end < 0 {
		end = len(tag)
	}
	name := local(string(tag[:end]))
	if strings.HasPrefix(string(tag), "/") {
		name = "/" + local(strings.TrimPrefix(string(tag[:end]), "/"))
	}
	if name != "row" && name != "c" {
		return name, nil, closed, nil
	}
	attrs := map[string]string{}
	rest := tag[end:]
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		eq := bytes.IndexByte(rest, '=')
		if eq < 0 {
			break
		}
		key := local(string(bytes.TrimSpace(rest[:eq])))
		rest = bytes.TrimLeft(rest[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return "", nil, false, errors.New("tabular: bad attribute")
		}
		q := rest[0]
		stop := bytes.IndexByte(rest[1:], q)
		if stop < 0 {
			return "", nil, false, errors.New("tabular: bad attribute")
		}
		attrs[key] = string(rest[1 : 1+stop])
		rest = rest[2+stop:]
	}
	return name, attrs, closed, nil
}

func local(name string) string {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}
