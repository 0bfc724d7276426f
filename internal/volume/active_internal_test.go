package volume

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"testing"

	"github.com/xuri/excelize/v2"

	"onepool/internal/errs"
)

func pdfWith(objects string) []byte {
	return []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + objects + "\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// objStm is a PDF whose catalog sits in a compressed object stream.
func objStm(t *testing.T, inside string) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte("1 0 " + inside))
	zw.Close()
	return pdfWith("5 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length " + itoa(z.Len()) + " >>\nstream\r\n" + z.String() + "\r\nendstream\nendobj")
}

func itoa(n int) string {
	return string(rune('0'+n/1000%10)) + string(rune('0'+n/100%10)) + string(rune('0'+n/10%10)) + string(rune('0'+n%10))
}

type part struct {
	name string
	data []byte
	raw  bool // stored, not deflated
}

func zipParts(t *testing.T, parts ...part) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range parts {
		m := zip.Deflate
		if p.raw {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: m})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p.data)
	}
	zw.Close()
	return b.Bytes()
}

func docx(t *testing.T, extra ...part) []byte {
	return zipParts(t, append([]part{{"[Content_Types].xml", []byte("<Types/>"), false}, {"word/document.xml", []byte("<w:document/>"), false}}, extra...)...)
}

// TestActiveContent: PDFs that run scripts, launch programs or carry
// files are refused as active_pdf, however the name is spelled and where
// the dictionary sits; Office files that unzip far beyond their size or
// nest archives in archives are refused as archive_bomb. Ordinary PDFs,
// xlsx, and a docx with an embedded workbook are kept.
func TestActiveContent(t *testing.T) {
	x := excelize.NewFile()
	x.SetCellValue(x.GetSheetName(0), "A1", "工程量清单")
	var xl bytes.Buffer
	x.Write(&xl)
	for _, c := range []struct {
		name string
		data []byte
		code string
	}{
		{"scan.pdf", pdfWith("1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >> endobj"), ""},
		{"js.pdf", pdfWith("1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj"), "active_pdf"},
		{"escaped.pdf", pdfWith("1 0 obj << /OpenAction << /S /J#61vaScript /J#53 (x) >> >> endobj"), "active_pdf"},
		{"launch.pdf", pdfWith("1 0 obj << /AA << /O << /S /Launch /F (cmd.exe) >> >> >> endobj"), "active_pdf"},
		{"attached.pdf", pdfWith("1 0 obj << /Names << /EmbeddedFiles 4 0 R >> >> endobj"), "active_pdf"},
		{"objstm.pdf", objStm(t, "<< /Type /Catalog /OpenAction << /S /JavaScript /JS (x) >> >>"), "active_pdf"},
		{"objstm-clean.pdf", objStm(t, "<< /Type /Catalog /Pages 2 0 R >>"), ""},
		{"plan.xlsx", xl.Bytes(), ""},
		{"with-sheet.docx", docx(t, part{"word/embeddings/Microsoft_Excel_Worksheet.xlsx", xl.Bytes(), false}), ""},
		{"nested.docx", docx(t, part{"word/embeddings/inner.docx", docx(t, part{"word/embeddings/deeper.zip", zipParts(t, part{"a.txt", []byte("x"), false}), true}), true}), "archive_bomb"},
		{"ratio.docx", docx(t, part{"word/media/zeros.bin", make([]byte, 8<<20), false}), "archive_bomb"},
		{"macro-inside.docx", docx(t, part{"word/embeddings/inner.xlsm", zipParts(t, part{"[Content_Types].xml", []byte("<Types/>"), false}, part{"xl/vbaProject.bin", []byte("vba!"), false}), true}), "executable_content"},
	} {
		_, _, err := checkUpload(c.name, c.data)
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.code != "" && (errs.CodeOf(err) != c.code || errs.KindOf(err) != errs.Invalid):
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}
