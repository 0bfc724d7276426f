package volume

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/tabular"
)

// entry is one file of the volume as it appears in the zip and the index.
type entry struct {
	File
	Seq    int
	Label  string // the kind's Chinese name
	Path   string // inside the zip
	Href   template.URL
	Latest bool
}

// WriteZip writes the owner's whole volume — the latest and the older
// versions of every file — to w as one zip: each file under
// "NN-kind/name" (NN is the kind's position in Kinds; older versions as
// "name (v1).ext"), plus "index.html", a printable, self-contained index
// (no scripts, no external resources) listing each file's kind, name,
// version, size, SHA-256, uploader and time, and "index.csv" with the same
// columns (UTF-8 with a byte order mark, for spreadsheet programs). Each
// file's bytes are checked against its SHA-256 before they are written.
func (s *Store) WriteZip(ctx context.Context, w io.Writer, county, owner, title string) error {
	files, err := s.List(ctx, county, owner)
	if err != nil {
		return err
	}
	entries := plan(files)
	zw := zip.NewWriter(w)
	now := s.clk()
	var html bytes.Buffer
	if err := indexHTML.Execute(&html, indexPage{Title: title, Owner: owner, Generated: now.In(clock.Zone).Format("2006-01-02 15:04:05"),
		Entries: entries, Total: totalSize(entries)}); err != nil {
		return errs.Wrap(err, "volume: index")
	}
	if err := add(zw, "index.html", now, zip.Deflate, html.Bytes()); err != nil {
		return err
	}
	if err := add(zw, "index.csv", now, zip.Deflate, indexCSV(entries)); err != nil {
		return err
	}
	for _, e := range entries {
		data, err := s.blob(ctx, e.File)
		if err != nil {
			return err
		}
		method := zip.Deflate
		switch e.ContentType {
		case typeJPEG.mime, typePNG.mime, typeGIF.mime, typeWebP.mime, typeXLSX.mime, typeDOCX.mime:
			method = zip.Store // already compressed
		}
		if err := add(zw, e.Path, e.UploadedAt, method, data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return errs.Wrap(err, "volume: write zip")
	}
	return nil
}

func add(zw *zip.Writer, name string, at time.Time, method uint16, data []byte) error {
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: at.In(clock.Zone)})
	if err == nil {
		_, err = fw.Write(data)
	}
	if err != nil {
		return errs.Wrap(err, "volume: write zip entry")
	}
	return nil
}

// plan gives each file (in List order) its path in the zip.
func plan(files []File) []entry {
	type key struct{ kind, name string }
	latest := map[key]int{}
	for _, f := range files {
		if k := (key{f.Kind, f.Name}); f.Version > latest[k] {
			latest[k] = f.Version
		}
	}
	used := map[string]bool{"index.html": true, "index.csv": true}
	out := make([]entry, 0, len(files))
	for i, f := range files {
		e := entry{File: f, Seq: i + 1, Label: kindLabels[f.Kind], Latest: f.Version == latest[key{f.Kind, f.Name}]}
		if e.Label == "" {
			e.Label = f.Kind
		}
		dir := fmt.Sprintf("%02d-%s", kindIndex(f.Kind)+1, zipSafe(f.Kind))
		stem, ext := splitExt(zipSafe(f.Name))
		base := stem + ext
		if !e.Latest {
			base = fmt.Sprintf("%s (v%d)%s", stem, f.Version, ext)
		}
		for n := 2; used[strings.ToLower(dir+"/"+base)]; n++ {
			base = fmt.Sprintf("%s (v%d-%d)%s", stem, f.Version, n, ext)
		}
		used[strings.ToLower(dir+"/"+base)] = true
		e.Path = dir + "/" + base
		e.Href = template.URL(url.PathEscape(dir) + "/" + url.PathEscape(base))
		out = append(out, e)
	}
	return out
}

// zipSafe makes a display name safe as one path element on every system:
// characters Windows forbids become "_", and trailing dots and spaces go.
func zipSafe(name string) string {
	s := strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '_'
		}
		return r
	}, name)
	s = strings.TrimRight(s, ". ")
	if s == "" {
		s = "_"
	}
	return s
}

func totalSize(entries []entry) int64 {
	var n int64
	for _, e := range entries {
		n += e.Size
	}
	return n
}

// humanSize formats n bytes for people: "980 B", "12.3 KB", "4.5 MB".
func humanSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
}

// indexColumns are the index's columns, in both index.html and index.csv.
var indexColumns = []string{"序号", "类别", "文件名", "版本", "大小（字节）", "SHA-256", "上传人", "上传时间", "册内路径"}

func when(t time.Time) string { return t.In(clock.Zone).Format("2006-01-02 15:04:05") }

// indexCSV is the index as CSV, UTF-8 with a byte order mark. Cells a
// spreadsheet would take for a formula are prefixed with an apostrophe.
func indexCSV(entries []entry) []byte {
	var b bytes.Buffer
	b.WriteString("\xEF\xBB\xBF")
	cw := tabular.NewCSVWriter(&b)
	cw.UseCRLF = true
	cw.Write(indexColumns)
	for _, e := range entries {
		cw.Write([]string{strconv.Itoa(e.Seq), e.Label + " " + e.Kind, e.Name, "v" + strconv.Itoa(e.Version),
			strconv.FormatInt(e.Size, 10), e.SHA256, e.UploadedBy, when(e.UploadedAt), e.Path})
	}
	cw.Flush()
	return b.Bytes()
}

type indexPage struct {
	Title, Owner, Generated string
	Entries                 []entry
	Total                   int64
}

var indexHTML = template.Must(template.New("index").Funcs(template.FuncMap{
	"human": humanSize,
	"when":  when,
	"cols":  func() []string { return indexColumns },
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",SimSun,sans-serif;margin:2em;color:#000;background:#fff}
h1{font-size:18pt;margin:0 0 .3em}
p.meta{margin:0 0 1em;font-size:10pt}
table{border-collapse:collapse;width:100%;font-size:9.5pt}
th,td{border:1px solid #444;padding:3px 5px;text-align:left;vertical-align:top}
th{background:#eee}
td.n{text-align:right;white-space:nowrap}
td.sha{font-family:Consolas,"DejaVu Sans Mono",monospace;font-size:7.5pt;word-break:break-all;max-width:16em}
td.old{color:#555}
a{color:#000}
@page{size:A4 landscape;margin:12mm}
@media print{body{margin:0}thead{display:table-header-group}tr{page-break-inside:avoid}a{text-decoration:none}}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="meta">归属：{{.Owner}}　文件 {{len .Entries}} 份，共 {{human .Total}}　生成时间：{{.Generated}}</p>
<table>
<thead><tr>{{range cols}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Entries}}
<tr><td class="n">{{.Seq}}</td><td>{{.Label}}<br>{{.Kind}}</td><td><a href="{{.Href}}">{{.Name}}</a></td><td{{if not .Latest}} class="old"{{end}}>v{{.Version}}{{if not .Latest}}（旧版）{{end}}</td><td class="n">{{.Size}}<br>{{human .Size}}</td><td class="sha">{{.SHA256}}</td><td>{{.UploadedBy}}</td><td>{{when .UploadedAt}}</td><td>{{.Path}}</td></tr>
{{- else}}
<tr><td colspan="9">本册尚无文件。</td></tr>
{{- end}}
</tbody>
</table>
</body>
</html>
`))
