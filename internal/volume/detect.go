package volume

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"onepool/internal/errs"
)

// maxNameRunes is the longest display name kept.
const maxNameRunes = 120

// fileType is one kind of content the volume accepts.
type fileType struct {
	label string   // shown in messages: "PDF", "PNG image"…
	mime  string   // stored content type
	exts  []string // name extensions that claim it, lower case, first is the default
}

// The accepted types. Nothing else is stored.
var (
	typePDF  = &fileType{"PDF", "application/pdf", []string{".pdf"}}
	typeJPEG = &fileType{"JPEG image", "image/jpeg", []string{".jpg", ".jpeg"}}
	typePNG  = &fileType{"PNG image", "image/png", []string{".png"}}
	typeGIF  = &fileType{"GIF image", "image/gif", []string{".gif"}}
	typeWebP = &fileType{"WebP image", "image/webp", []string{".webp"}}
	typeText = &fileType{"UTF-8 text", "text/plain; charset=utf-8", []string{".txt", ".csv"}}
	typeXLSX = &fileType{"Excel workbook (xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{".xlsx"}}
	typeDOCX = &fileType{"Word document (docx)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{".docx"}}

	fileTypes = []*fileType{typePDF, typeJPEG, typePNG, typeGIF, typeWebP, typeText, typeXLSX, typeDOCX}
)

// executableMagic are the openings of programs: ELF, Windows (MZ), Mach-O
// (32/64-bit, both byte orders, universal) and scripts (#!).
var executableMagic = []string{
	"\x7fELF",
	"MZ",
	"\xfe\xed\xfa\xce", "\xfe\xed\xfa\xcf", "\xce\xfa\xed\xfe", "\xcf\xfa\xed\xfe", "\xca\xfe\xba\xbe",
	"#!",
}

// oleMagic opens the old binary Office formats (.doc, .xls), which are not
// accepted.
const oleMagic = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

// checkUpload cleans the display name and detects the content's type. It
// returns the name to store (with the detected type's extension when the
// name had none) and the content type, or an Invalid error naming the field.
func checkUpload(name string, data []byte) (string, string, error) {
	clean, err := cleanName(name)
	if err != nil {
		return "", "", err
	}
	t, err := detect(data)
	if err != nil {
		return "", "", err
	}
	final, err := fitName(clean, t)
	if err != nil {
		return "", "", err
	}
	return final, t.mime, nil
}

// detect finds the content's type from its bytes alone.
func detect(data []byte) (*fileType, error) {
	if len(data) == 0 {
		return nil, errs.F(errs.Invalid, "empty_file", "file", "the file is empty")
	}
	for _, m := range executableMagic {
		if bytes.HasPrefix(data, []byte(m)) {
			return nil, errs.F(errs.Invalid, "executable_content", "file", "the file is a program or script, which cannot be kept in a volume")
		}
	}
	sniffed := http.DetectContentType(data)
	switch sniffed {
	case "application/pdf":
		if bytes.HasPrefix(data, []byte("%PDF-")) {
			if err := checkPDF(data); err != nil {
				return nil, err
			}
			return typePDF, nil
		}
	case "image/jpeg":
		return typeJPEG, nil
	case "image/png":
		return typePNG, nil
	case "image/gif":
		return typeGIF, nil
	case "image/webp":
		return typeWebP, nil
	case "application/zip":
		return detectOOXML(data)
	case "text/plain; charset=utf-8":
		if isText(data) {
			return typeText, nil
		}
	}
	if bytes.HasPrefix(data, []byte(oleMagic)) {
		return nil, errs.F(errs.Invalid, "unsupported_type", "file", "old binary Office files (.doc, .xls) are not accepted: save the file as .docx or .xlsx, or as PDF")
	}
	return nil, errs.F(errs.Invalid, "unsupported_type", "file", "the content (%s) is not an accepted type: PDF, JPEG, PNG, GIF, WebP, UTF-8 text or CSV, xlsx, docx", strings.SplitN(sniffed, ";", 2)[0])
}

// detectOOXML accepts a zip that is an xlsx or a docx: it has
// [Content_Types].xml and the parts of exactly one of the two, no macros,
// and passes checkArchive (no bomb, no archive in an embedded archive).
func detectOOXML(data []byte) (*fileType, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errs.F(errs.Invalid, "unsupported_type", "file", "the file is a damaged or unusual zip archive, not an Office document")
	}
	if err := checkArchive(zr, 0); err != nil {
		return nil, err
	}
	var types, xl, word bool
	for _, f := range zr.File {
		n := strings.ToLower(f.Name)
		switch {
		case n == "[content_types].xml":
			types = true
		case strings.HasPrefix(n, "xl/"):
			xl = true
		case strings.HasPrefix(n, "word/"):
			word = true
		}
	}
	switch {
	case types && xl && !word:
		return typeXLSX, nil
	case types && word && !xl:
		return typeDOCX, nil
	}
	return nil, errs.F(errs.Invalid, "unsupported_type", "file", "the file is a zip archive, not an xlsx or docx document; archives are not accepted")
}

// isText reports whether data is UTF-8 text: valid UTF-8 with no control
// characters other than tab, line feed, form feed and carriage return.
func isText(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	for _, c := range data {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0x7f {
			return false
		}
	}
	return true
}

// cleanName keeps only the base name (after the last / or \), removes
// invalid UTF-8, control and invisible formatting characters (such as
// right-to-left overrides), and trims spaces and dots at either end.
func cleanName(name string) (string, error) {
	s := strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '.' })
	if s == "" {
		return "", errs.F(errs.Invalid, "invalid_name", "name", "the file needs a name")
	}
	return s, nil
}

// splitExt splits name into stem and extension when its end looks like an
// extension: a dot, then 1–5 ASCII letters or digits with at least one
// letter ("预算书.pdf" → ".pdf"; "计划 v1.2" has none).
func splitExt(name string) (stem, ext string) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || len(name)-i-1 < 1 || len(name)-i-1 > 5 {
		return name, ""
	}
	letter := false
	for _, c := range []byte(name[i+1:]) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9':
		default:
			return name, ""
		}
	}
	if !letter {
		return name, ""
	}
	return name[:i], name[i:]
}

// fitName checks the name's extension against the detected type (adding
// the type's extension when there is none) and limits it to maxNameRunes,
// keeping the extension.
func fitName(name string, t *fileType) (string, error) {
	stem, ext := splitExt(name)
	if ext == "" {
		ext = t.exts[0]
	} else {
		ok := false
		for _, e := range t.exts {
			if strings.EqualFold(ext, e) {
				ok = true
			}
		}
		if !ok {
			return "", errs.F(errs.Invalid, "type_mismatch", "name", "the name %q says %s but the content is %s (%s)", name, strings.ToLower(ext), t.label, t.exts[0])
		}
	}
	if max := maxNameRunes - utf8.RuneCountInString(ext); utf8.RuneCountInString(stem) > max {
		stem = string([]rune(stem)[:max])
		stem = strings.TrimRightFunc(stem, func(r rune) bool { return unicode.IsSpace(r) || r == '.' })
	}
	if stem == "" {
		return "", errs.F(errs.Invalid, "invalid_name", "name", "the file needs a name")
	}
	return stem + ext, nil
}
