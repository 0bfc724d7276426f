package web

// An asset's own files (issue 14): the handover documents, upkeep photos
// and disposal minutes stored on the volume under the asset's owner
// (assets.VolumeOwner), listed on the asset's page and downloaded at
// /assets/{id}/files/{file} the way a project's files are. A file of
// another owner, or an asset outside the viewer's area, answers exactly
// as a missing one.

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"onepool/internal/assets"
	"onepool/internal/errs"
)

// assetFileRow is a file as the asset's page links it: its name and size.
type assetFileRow struct {
	ID   int64
	Name string
	Size string
}

// fileSize says a size in bytes, KB or MB.
func fileSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

// assetFiles are the asset's files by id, for its page.
func (s *Server) assetFiles(c *call, id int64) (map[int64]*assetFileRow, error) {
	fs, err := s.d.Volume.List(c.r.Context(), c.p.County, assets.VolumeOwner(id))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*assetFileRow, len(fs))
	for _, f := range fs {
		out[f.ID] = &assetFileRow{ID: f.ID, Name: f.Name, Size: fileSize(f.Size)}
	}
	return out, nil
}

func (s *Server) assetFileDownload(w http.ResponseWriter, c *call) error {
	id, err := assetID(c)
	if err != nil {
		return err
	}
	if _, err := s.d.Assets.Get(c.r.Context(), c.p, id); err != nil {
		return err
	}
	unknown := errs.F(errs.NotFound, "unknown_file", "file", "no such file")
	fid, err := strconv.ParseInt(c.r.PathValue("file"), 10, 64)
	if err != nil {
		return unknown
	}
	f, data, err := s.d.Volume.Content(c.r.Context(), c.p.County, fid)
	if errs.KindOf(err) == errs.NotFound || (err == nil && f.Owner != assets.VolumeOwner(id)) {
		return unknown
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(data)
	return err
}
