package volume

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"io"
	"strings"

	"onepool/internal/errs"
)

// activePDFNames are the PDF names that make a document act when opened
// or carry other files: scripts (/JavaScript, /JS, which is also how an
// /OpenAction or /AA runs one), launching programs (/Launch), attached
// files (/EmbeddedFile, /EmbeddedFiles) and embedded players (/RichMedia).
// A scan or a printed report has none of them.
var activePDFNames = map[string]bool{"JavaScript": true, "JS": true, "Launch": true, "EmbeddedFile": true, "EmbeddedFiles": true, "RichMedia": true}

// Budgets for looking inside a PDF's compressed object streams, where a
// PDF 1.5+ keeps most dictionaries.
const (
	maxObjStmBytes   = 16 << 20 // one object stream, inflated
	maxInflatedBytes = 64 << 20 // all of them
)

// checkPDF refuses an active PDF (active_pdf): one that names any of
// activePDFNames in its body or in an object stream. Names are read as PDF
// reads them (#xx escapes decoded), so /J#61vaScript is /JavaScript.
// An encrypted document's object streams cannot be read and are not.
func checkPDF(data []byte) error {
	if n := activeName(data); n != "" {
		return activePDF(n)
	}
	budget := maxInflatedBytes
	for rest := data; budget > 0; {
		i := bytes.Index(rest, []byte("stream"))
		if i < 0 {
			break
		}
		dict := rest[max(0, bytes.LastIndex(rest[:i], []byte("obj"))):i]
		rest = rest[i+len("stream"):]
		body := bytes.TrimLeft(rest, "\r\n")
		if !hasName(dict, "ObjStm") {
			continue
		}
		zr, err := zlib.NewReader(bytes.NewReader(body))
		if err != nil {
			continue
		}
		plain, _ := io.ReadAll(io.LimitReader(zr, int64(min(maxObjStmBytes, budget))))
		budget -= len(plain)
		if n := activeName(plain); n != "" {
			return activePDF(n)
		}
	}
	return nil
}

func activePDF(name string) error {
	return errs.F(errs.Invalid, "active_pdf", "file", "the PDF contains active content (/%s: scripts, launched programs or attached files), which cannot be kept in a volume: print it to a new PDF", name)
}

// pdfDelimiter ends a PDF name.
func pdfDelimiter(c byte) bool {
	return strings.IndexByte(" \t\r\n\f\x00()<>[]{}/%", c) >= 0
}

// activeName is the first active name in b, or "".
func activeName(b []byte) string {
	for i := bytes.IndexByte(b, '/'); i >= 0; {
		name, next := pdfName(b, i+1)
		if activePDFNames[name] {
			return name
		}
		j := bytes.IndexByte(b[next:], '/')
		if j < 0 {
			break
		}
		i = next + j
	}
	return ""
}

// hasName reports whether b names name.
func hasName(b []byte, want string) bool {
	for i := bytes.IndexByte(b, '/'); i >= 0; {
		name, next := pdfName(b, i+1)
		if name == want {
			return true
		}
		j := bytes.IndexByte(b[next:], '/')
		if j < 0 {
			return false
		}
		i = next + j
	}
	return false
}

// pdfName decodes the name starting at b[i] (after its '/') and returns it
// with the index after it. Names longer than 64 bytes are cut (no active
// name is that long).
func pdfName(b []byte, i int) (string, int) {
	var out []byte
	for i < len(b) && !pdfDelimiter(b[i]) {
		c := b[i]
		if c == '#' && i+2 < len(b) {
			if h, ok := unhex(b[i+1], b[i+2]); ok {
				c, i = h, i+2
			}
		}
		if len(out) < 64 {
			out = append(out, c)
		}
		i++
	}
	return string(out), i
}

func unhex(a, b byte) (byte, bool) {
	v := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	x, ok1 := v(a)
	y, ok2 := v(b)
	return x<<4 | y, ok1 && ok2
}

// Archive limits: an Office document is a zip; what it may hold.
const (
	maxUnzipped    = 100 << 20 // all parts, as declared (archive/zip holds a part to its declared size)
	maxRatio       = 100       // declared size over compressed size of a part
	ratioFloor     = 1 << 20   // parts smaller than this may compress as well as they like
	maxNestedDepth = 1         // an embedded document inside the document, no deeper
)

// checkArchive refuses a zip that would unzip to far more than it
// weighs, or holds archives inside archives (archive_bomb), and macros at
// any depth (executable_content). depth is 0 for the upload itself.
func checkArchive(zr *zip.Reader, depth int) error {
	var total uint64
	for _, f := range zr.File {
		n := strings.ToLower(f.Name)
		if strings.HasSuffix(n, "vbaproject.bin") {
			return errs.F(errs.Invalid, "executable_content", "file", "the document contains macros, which cannot be kept in a volume: save it without macros (.xlsx, .docx)")
		}
		size := f.UncompressedSize64
		total += size
		if total > maxUnzipped {
			return errs.F(errs.Invalid, "archive_bomb", "file", "the document unzips to more than %d MiB", maxUnzipped>>20)
		}
		if size > ratioFloor && size > maxRatio*max(f.CompressedSize64, 1) {
			return errs.F(errs.Invalid, "archive_bomb", "file", "the part %s unzips to %d times its size", f.Name, size/max(f.CompressedSize64, 1))
		}
		if f.FileInfo().IsDir() || size < 4 {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return errs.F(errs.Invalid, "unsupported_type", "file", "the file is a damaged or unusual zip archive, not an Office document")
		}
		head := make([]byte, 4)
		_, err = io.ReadFull(rc, head)
		if err != nil || !bytes.Equal(head, []byte("PK\x03\x04")) {
			rc.Close()
			continue
		}
		if depth+1 > maxNestedDepth {
			rc.Close()
			return errs.F(errs.Invalid, "archive_bomb", "file", "the document holds archives inside archives (%s)", f.Name)
		}
		inner, err := io.ReadAll(io.LimitReader(io.MultiReader(bytes.NewReader(head), rc), MaxFileBytes+1))
		rc.Close()
		if err != nil || len(inner) > MaxFileBytes {
			return errs.F(errs.Invalid, "archive_bomb", "file", "the embedded %s is larger than %d MiB", f.Name, MaxFileBytes>>20)
		}
		izr, err := zip.NewReader(bytes.NewReader(inner), int64(len(inner)))
		if err != nil {
			continue // not a readable zip: kept as the bytes it is
		}
		if err := checkArchive(izr, depth+1); err != nil {
			return err
		}
	}
	return nil
}
