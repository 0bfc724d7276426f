package volume_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/volume"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const (
	county = "990101"
	owner  = "project:2026-001"
	place  = "990101001001"
)

var ctx = context.Background()

// stepClock returns a clock that advances a second on every call.
func stepClock() clock.Clock {
	t := time.Date(2026, 5, 1, 9, 0, 0, 0, clock.Zone)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func pdf(body string) []byte {
	return []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n% " + body + "\n%%EOF\n")
}

func pngBytes(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func xlsxBytes(t testing.TB) []byte {
	x := excelize.NewFile()
	x.SetCellValue(x.GetSheetName(0), "A1", "工程量清单")
	x.SetCellValue(x.GetSheetName(0), "B1", 12345.67)
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipOf builds a zip with the named (empty-ish) entries.
func zipOf(t testing.TB, names ...string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<x/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func put(t *testing.T, s *volume.Store, kind, name string, data []byte) volume.File {
	t.Helper()
	f, err := s.Put(ctx, "zhang", county, owner, kind, name, place, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("put %s %q: %v", kind, name, err)
	}
	return f
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func uploads(t *testing.T, db *store.DB) []audit.Record {
	t.Helper()
	recs, err := audit.List(ctx, db, audit.Filter{County: county, Action: "volume.upload"})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestUploadVersionsAndRetry: a PDF comes back byte for byte; the same name
// again is version 2 and version 1 stays; the same bytes again change
// nothing; every real upload leaves one audit entry.
func TestUploadVersionsAndRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := volume.New(db, stepClock())
		v1data, v2data := pdf("预算 第一稿"), pdf("预算 第二稿")
		v1 := put(t, s, "budget", "预算书.pdf", v1data)
		if v1.Version != 1 || v1.Name != "预算书.pdf" || v1.ContentType != "application/pdf" || v1.Size != int64(len(v1data)) ||
			v1.Owner != owner || v1.County != county || v1.Place != place || v1.UploadedBy != "zhang" || v1.ID != 1 {
			t.Fatalf("v1 %+v", v1)
		}
		f, data, err := s.Content(ctx, county, v1.ID)
		if err != nil || !bytes.Equal(data, v1data) || f != v1 {
			t.Fatalf("content of v1: %+v %q %v (stored %+v)", f, data, err, v1)
		}

		v2 := put(t, s, "budget", "预算书.pdf", v2data)
		if v2.Version != 2 || v2.ID != 2 || v2.SHA256 == v1.SHA256 {
			t.Fatalf("v2 %+v", v2)
		}
		if _, data, _ := s.Content(ctx, county, v1.ID); !bytes.Equal(data, v1data) {
			t.Error("version 1 changed after version 2 was uploaded")
		}
		if _, data, _ := s.Content(ctx, county, v2.ID); !bytes.Equal(data, v2data) {
			t.Error("version 2 does not come back as uploaded")
		}

		// Retrying the last upload is a no-op returning the stored version.
		again := put(t, s, "budget", "预算书.pdf", v2data)
		if again != v2 {
			t.Errorf("identical re-upload gave %+v, want %+v", again, v2)
		}
		// The same bytes under another kind are a new file but one blob.
		other := put(t, s, "final_accounts", "预算书.pdf", v2data)
		if other.Version != 1 || other.ID != 3 {
			t.Errorf("same bytes, other kind: %+v", other)
		}
		list, err := s.List(ctx, county, owner)
		if err != nil || len(list) != 3 || list[0] != v1 || list[1] != v2 || list[2] != other {
			t.Fatalf("list %+v %v", list, err)
		}
		if n := count(t, db, "volume_blobs"); n != 2 {
			t.Errorf("%d blobs, want 2 (content is stored once)", n)
		}
		recs := uploads(t, db)
		if len(recs) != 3 {
			t.Fatalf("%d audit entries, want one per real upload (3)", len(recs))
		}
		objs := map[string]bool{}
		for _, r := range recs {
			objs[r.Object] = r.Actor == "zhang" && r.Place == place && strings.Contains(r.After, `"SHA256":"`)
		}
		for _, o := range []string{"project:2026-001 budget 预算书.pdf v1", "project:2026-001 budget 预算书.pdf v2", "project:2026-001 final_accounts 预算书.pdf v1"} {
			if !objs[o] {
				t.Errorf("no audit entry %q in %v", o, objs)
			}
		}
		if p, err := audit.Verify(ctx, db); err != nil || len(p) != 0 {
			t.Errorf("audit chain: %v %v", p, err)
		}

		// Files are per county.
		if _, err := s.File(ctx, "990102", v1.ID); errs.CodeOf(err) != "unknown_file" || errs.KindOf(err) != errs.NotFound {
			t.Errorf("another county's file: %v", err)
		}
		if _, _, err := s.Content(ctx, county, 99); errs.CodeOf(err) != "unknown_file" {
			t.Errorf("unknown id: %v", err)
		}
		if f, err := s.File(ctx, county, v2.ID); err != nil || f != v2 {
			t.Errorf("file %+v %v", f, err)
		}
		if l, err := s.List(ctx, county, "project:other"); err != nil || len(l) != 0 {
			t.Errorf("another owner's list: %+v %v", l, err)
		}
	})
}

// TestRefusals: programs, wrong or unsupported types, oversize, empty files
// and bad kinds are refused, naming the field, and nothing is written.
func TestRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := volume.New(db, stepClock())
		big := io.MultiReader(bytes.NewReader(pdf("")), io.LimitReader(zeros{}, volume.MaxFileBytes+1-int64(len(pdf("")))))
		for _, c := range []struct {
			kind, name string
			r          io.Reader
			code       string
			field      string
		}{
			{"budget", "预算书.pdf", bytes.NewReader(append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 64)...)), "executable_content", "file"},
			{"budget", "预算书.pdf", bytes.NewReader(append([]byte("MZ\x90\x00\x03\x00"), make([]byte, 64)...)), "executable_content", "file"},
			{"budget", "预算书.pdf", strings.NewReader("#!/bin/sh\nrm -rf /\n"), "executable_content", "file"},
			{"budget", "预算书.pdf", bytes.NewReader([]byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01")), "executable_content", "file"},
			{"budget", "预算书.xlsx", bytes.NewReader(zipOf(t, "[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin")), "executable_content", "file"},
			{"photo_before", "现场.pdf", bytes.NewReader(pngBytes(t)), "type_mismatch", "name"},
			{"budget", "x.pdf", strings.NewReader("预算 100 元\n"), "type_mismatch", "name"},
			{"budget", "x.exe", bytes.NewReader(pdf("")), "type_mismatch", "name"},
			{"budget", "a.zip", bytes.NewReader(zipOf(t, "a.txt")), "unsupported_type", "file"},
			{"budget", "预算书.pdf", strings.NewReader("%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n"), "active_pdf", "file"},
			{"budget", "a.html", strings.NewReader("<!DOCTYPE html><script>alert(1)</script>"), "unsupported_type", "file"},
			{"budget", "a.doc", bytes.NewReader([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00")), "unsupported_type", "file"},
			{"budget", "a.txt", bytes.NewReader([]byte("text\x00with nul")), "unsupported_type", "file"},
			{"budget", "big.pdf", big, "file_too_large", "file"},
			{"budget", "empty.pdf", strings.NewReader(""), "empty_file", "file"},
			{"budget", "/../..", bytes.NewReader(pdf("")), "invalid_name", "name"},
			{"budget", " \t\u202e ", bytes.NewReader(pdf("")), "invalid_name", "name"},
			{"receipts", "a.pdf", bytes.NewReader(pdf("")), "invalid_kind", "kind"},
		} {
			_, err := s.Put(ctx, "zhang", county, owner, c.kind, c.name, place, c.r)
			e, ok := errs.As(err)
			if !ok || e.Code != c.code || e.Field != c.field || e.Kind != errs.Invalid {
				t.Errorf("%s %q: %v, want %s (%s)", c.kind, c.name, err, c.code, c.field)
			}
		}
		if _, err := s.Put(ctx, "zhang", county, owner, "photo_before", "现场.pdf", place, bytes.NewReader(pngBytes(t))); !strings.Contains(err.Error(), ".pdf") || !strings.Contains(err.Error(), "PNG") {
			t.Errorf("type_mismatch should name both types: %v", err)
		}
		if l, err := s.List(ctx, county, owner); err != nil || len(l) != 0 {
			t.Errorf("refused uploads were listed: %+v %v", l, err)
		}
		if n := count(t, db, "volume_blobs") + count(t, db, "volume_files"); n != 0 {
			t.Errorf("refused uploads left %d rows", n)
		}
		if len(uploads(t, db)) != 0 {
			t.Error("refused uploads were audited as uploads")
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestNamesAndOfficeFiles: directory parts are dropped, names without an
// extension get the detected one, and Office Open XML is told apart from
// other zips.
func TestNamesAndOfficeFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := volume.New(db, stepClock())
		for _, c := range []struct {
			name  string
			data  []byte
			want  string
			ctype string
		}{
			{"../../etc/passwd.txt", []byte("root:x:0:0\n"), "passwd.txt", "text/plain; charset=utf-8"},
			{`C:\Users\村委\Desktop\..\花名册.CSV`, []byte("\xEF\xBB\xBF姓名,金额\n张三,100\n"), "花名册.CSV", "text/plain; charset=utf-8"},
			{"会议纪要\x00\u202e", pdf("纪要"), "会议纪要.pdf", "application/pdf"},
			{"  计划 v1.2  ", pdf("计划"), "计划 v1.2.pdf", "application/pdf"},
			{"工程量清单.xlsx", xlsxBytes(t), "工程量清单.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
			{"清单", xlsxBytes(t), "清单.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
			{"说明.docx", zipOf(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), "说明.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
			{"现场", pngBytes(t), "现场.png", "image/png"},
			{strings.Repeat("长", 200) + ".pdf", pdf("long"), strings.Repeat("长", 116) + ".pdf", "application/pdf"},
		} {
			f, err := s.Put(ctx, "zhang", county, owner, "other", c.name, place, bytes.NewReader(c.data))
			if err != nil || f.Name != c.want || f.ContentType != c.ctype {
				t.Errorf("%q: %+v %v, want %q %s", c.name, f, err, c.want, c.ctype)
				continue
			}
			if _, data, err := s.Content(ctx, county, f.ID); err != nil || !bytes.Equal(data, c.data) {
				t.Errorf("%q: content differs (%v)", c.name, err)
			}
		}
	})
}

// TestPutTx: an upload inside a caller's transaction commits or rolls back
// with it.
func TestPutTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := volume.New(db, stepClock())
		err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			if _, err := s.PutTx(ctx, tx, "zhang", county, owner, "acceptance", "验收单.pdf", place, bytes.NewReader(pdf("验收"))); err != nil {
				return err
			}
			return errs.E(errs.RuleBroken, "step_refused", "the step was refused")
		})
		if errs.CodeOf(err) != "step_refused" {
			t.Fatal(err)
		}
		if n := count(t, db, "volume_files") + count(t, db, "volume_blobs"); n != 0 {
			t.Errorf("a rolled-back step kept its attachment (%d rows)", n)
		}
		var f volume.File
		if err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			f, err = s.PutTx(ctx, tx, "zhang", county, owner, "acceptance", "验收单.pdf", place, bytes.NewReader(pdf("验收")))
			return err
		}); err != nil || f.ID != 1 || f.Version != 1 {
			t.Fatalf("%+v %v", f, err)
		}
		if len(uploads(t, db)) != 1 {
			t.Error("no audit entry for the committed upload")
		}
	})
}

// TestWriteZip: the volume's zip has every version under its kind's folder
// with the stored bytes, and an index (HTML and CSV) listing each file.
func TestWriteZip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := volume.New(db, stepClock())
		want := map[string][]byte{}
		add := func(kind, name, path string, data []byte) volume.File {
			f := put(t, s, kind, name, data)
			want[path] = data
			return f
		}
		files := []volume.File{
			add("photo_after", "竣工.png", "06-photo_after/竣工.png", pngBytes(t)),
			add("budget", "预算书.pdf", "03-budget/预算书 (v1).pdf", pdf("v1")),
			add("budget", "预算书.pdf", "03-budget/预算书.pdf", pdf("v2")),
			add("minutes", "纪要<1>?.pdf", "01-minutes/纪要_1__.pdf", pdf("m")),
			add("finance", "=cmd.csv", "07-finance/=cmd.csv", []byte("a,b\n1,2\n")),
			add("other", "台账.xlsx", "10-other/台账.xlsx", xlsxBytes(t)),
		}
		var buf bytes.Buffer
		if err := s.WriteZip(ctx, &buf, county, owner, "项目 2026-001 <档案>"); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]byte{}
		var order []string
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			got[zf.Name] = b
			order = append(order, zf.Name)
		}
		if len(got) != len(want)+2 {
			t.Errorf("zip entries %v", order)
		}
		for p, data := range want {
			if !bytes.Equal(got[p], data) {
				t.Errorf("%s: %d bytes in the zip, want the %d uploaded (entries %v)", p, len(got[p]), len(data), order)
			}
		}
		html := string(got["index.html"])
		if !strings.Contains(html, "项目 2026-001 &lt;档案&gt;") {
			t.Error("index.html lacks the (escaped) title")
		}
		for _, f := range files {
			for _, s := range []string{f.SHA256, template(f.Name), "zhang"} {
				if !strings.Contains(html, s) {
					t.Errorf("index.html does not list %s (%s)", f.Name, s)
				}
			}
		}
		for _, bad := range []string{"<script", "http://", "https://", "src=", "@import", "url("} {
			if strings.Contains(strings.ToLower(html), bad) {
				t.Errorf("index.html is not self-contained: has %q", bad)
			}
		}
		csvb := got["index.csv"]
		if !bytes.HasPrefix(csvb, []byte("\xEF\xBB\xBF")) {
			t.Error("index.csv has no byte order mark")
		}
		rows, err := csv.NewReader(bytes.NewReader(csvb[3:])).ReadAll()
		if err != nil || len(rows) != len(files)+1 {
			t.Fatalf("index.csv: %d rows %v", len(rows), err)
		}
		seen := map[string]bool{}
		for _, r := range rows[1:] {
			seen[r[5]] = true
			if strings.HasPrefix(r[2], "=") {
				t.Errorf("a name that a spreadsheet runs as a formula: %q", r[2])
			}
		}
		for _, f := range files {
			if !seen[f.SHA256] {
				t.Errorf("index.csv lacks %s", f.Name)
			}
		}

		// An empty volume is still a zip with its index.
		buf.Reset()
		if err := s.WriteZip(ctx, &buf, county, "project:none", "空"); err != nil {
			t.Fatal(err)
		}
		if zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil || len(zr.File) != 2 {
			t.Errorf("empty volume zip: %v", err)
		}
	})
}

// template escapes s as html/template does in text.
func template(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// FuzzDetect: any name and bytes are either accepted as one of the allowed
// types, under a clean name with a matching extension, or refused as
// Invalid with a known code — never a panic.
func FuzzDetect(f *testing.F) {
	f.Add("预算书.pdf", pdf("x"))
	f.Add("a.png", pngBytes(f))
	f.Add("b", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"))
	f.Add("c.gif", []byte("GIF89a\x01\x00\x01\x00"))
	f.Add("d.webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "))
	f.Add("e.csv", []byte("\xEF\xBB\xBF名称,金额\n"))
	f.Add("f.xlsx", xlsxBytes(f))
	f.Add("g.docx", zipOf(f, "[Content_Types].xml", "word/document.xml"))
	f.Add("../h.pdf", []byte("\x7fELF"))
	f.Add(`..\i`, []byte("MZ"))
	f.Add("j.zip", zipOf(f, "x"))
	f.Add("", []byte{})
	types := volume.ContentTypes()
	codes := map[string]bool{"empty_file": true, "executable_content": true, "unsupported_type": true, "type_mismatch": true, "invalid_name": true}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		got, ctype, err := volume.Check(name, data)
		if err != nil {
			if errs.KindOf(err) != errs.Invalid || !codes[errs.CodeOf(err)] {
				t.Fatalf("error %v (kind %v)", err, errs.KindOf(err))
			}
			return
		}
		exts, ok := types[ctype]
		if !ok {
			t.Fatalf("accepted as %q", ctype)
		}
		if got == "" || utf8.RuneCountInString(got) > 120 || !utf8.ValidString(got) || strings.ContainsAny(got, `/\`) ||
			strings.IndexFunc(got, unicode.IsControl) >= 0 {
			t.Fatalf("name %q from %q", got, name)
		}
		match := false
		for _, e := range exts {
			match = match || strings.HasSuffix(strings.ToLower(got), e)
		}
		if !match {
			t.Fatalf("name %q does not end in an extension of %s", got, ctype)
		}
	})
}

// TestConcurrentUploads: uploads at the same moment each get their own id
// and version (on PostgreSQL a clash is retried).
func TestConcurrentUploads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := volume.New(db, nil)
		const n = 6
		errc := make(chan error, n)
		for i := range n {
			go func() {
				_, err := s.Put(ctx, "zhang", county, owner, "photo_after", "现场.pdf", place, bytes.NewReader(pdf(strings.Repeat("x", i))))
				errc <- err
			}()
		}
		for range n {
			if err := <-errc; err != nil {
				t.Error(err)
			}
		}
		list, err := s.List(ctx, county, owner)
		if err != nil || len(list) != n {
			t.Fatalf("%d files %v", len(list), err)
		}
		ids := map[int64]bool{}
		for i, f := range list {
			ids[f.ID] = true
			if f.Version != i+1 {
				t.Errorf("versions %+v", list)
			}
		}
		if len(ids) != n || len(uploads(t, db)) != n {
			t.Errorf("ids %v, %d audit entries", ids, len(uploads(t, db)))
		}
	})
}
