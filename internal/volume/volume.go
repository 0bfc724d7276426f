// Package volume keeps "one project, one volume" (一项目一册, M-15): the
// documents uploaded for a project (and later for a relief application),
// checked by content, stored in the database once per SHA-256, and kept as
// versions that are never replaced. A volume can be downloaded as one zip
// with a printable index.
//
// An uploaded file's display name is cleaned and never used as a path; its
// type is detected from its bytes, never trusted from its name.
package volume

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/store"
)

// MaxFileBytes is the largest file accepted: 20 MiB.
const MaxFileBytes = 20 << 20

// Kinds are the kinds of documents in a project's volume, in the volume's
// order: meeting minutes, application, budget, final accounts, photos
// before and after, finance records, inspection, acceptance, other.
var Kinds = []string{"minutes", "application", "budget", "final_accounts", "photo_before", "photo_after", "finance", "inspection", "acceptance", "other"}

// kindLabels are the kinds' Chinese names, used in the volume's index.
var kindLabels = map[string]string{
	"minutes":        "会议纪要",
	"application":    "申报材料",
	"budget":         "预算",
	"final_accounts": "决算",
	"photo_before":   "实施前照片",
	"photo_after":    "实施后照片",
	"finance":        "财务资料",
	"inspection":     "检查记录",
	"acceptance":     "验收资料",
	"other":          "其他",
}

// kindIndex returns the kind's position in Kinds, len(Kinds) when unknown.
func kindIndex(kind string) int {
	for i, k := range Kinds {
		if k == kind {
			return i
		}
	}
	return len(Kinds)
}

// File is one stored version of a document in a volume.
type File struct {
	County string
	Owner  string // what the file belongs to, e.g. "project:2026-001"
	ID     int64  // per county, increasing
	Kind   string // one of Kinds
	// Name is the cleaned display name, with an extension matching the
	// content. It is never a path.
	Name        string
	Version     int    // 1, 2, … per (owner, kind, name)
	SHA256      string // hex, of the content
	Size        int64
	ContentType string // detected from the content
	Place       string // division code of the owner, when it has one
	UploadedAt  time.Time
	UploadedBy  string
}

// Store is the volume store.
type Store struct {
	db  *store.DB
	clk clock.Clock
}

// New returns the store. A nil clock means clock.System.
func New(db *store.DB, clk clock.Clock) *Store {
	if clk == nil {
		clk = clock.System
	}
	return &Store{db: db, clk: clk}
}

// upload is a checked upload, ready to store.
type upload struct {
	owner, kind, name, ctype, sha string
	data                          []byte
}

// prepare reads and checks one upload: owner, kind, size, name and type.
func prepare(owner, kind, name string, r io.Reader) (upload, error) {
	if owner == "" || owner != strings.TrimSpace(owner) || len(owner) > 200 || strings.IndexFunc(owner, unicode.IsControl) >= 0 {
		return upload{}, errs.F(errs.Invalid, "invalid_owner", "owner", "%q is not a record a volume can belong to", owner)
	}
	if kindIndex(kind) == len(Kinds) {
		return upload{}, errs.F(errs.Invalid, "invalid_kind", "kind", "%q is not a kind of document: use one of %s", kind, strings.Join(Kinds, ", "))
	}
	if _, err := cleanName(name); err != nil {
		return upload{}, err
	}
	if r == nil {
		return upload{}, errs.F(errs.Invalid, "empty_file", "file", "the file is empty")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return upload{}, &errs.Error{Kind: errs.Invalid, Code: "upload_failed", Field: "file", Message: "the file could not be read completely; upload it again", Err: err}
	}
	if len(data) > MaxFileBytes {
		return upload{}, errs.F(errs.Invalid, "file_too_large", "file", "the file is larger than %d MiB", MaxFileBytes>>20)
	}
	if len(data) == 0 {
		return upload{}, errs.F(errs.Invalid, "empty_file", "file", "the file is empty")
	}
	final, ctype, err := checkUpload(name, data)
	if err != nil {
		return upload{}, err
	}
	sum := sha256.Sum256(data)
	return upload{owner: owner, kind: kind, name: final, ctype: ctype, sha: hex.EncodeToString(sum[:]), data: data}, nil
}

// Put checks one upload and stores it in a transaction of its own, with an
// audit entry (action "volume.upload"). The same (owner, kind, name) again
// becomes the next version; the same bytes as the latest version are a
// no-op that returns the stored File (a safe retry).
//
// Errors: Invalid naming the field — invalid_owner, invalid_kind,
// invalid_name, empty_file, file_too_large, upload_failed,
// executable_content, unsupported_type, type_mismatch.
func (s *Store) Put(ctx context.Context, actor, county, owner, kind, name, place string, r io.Reader) (File, error) {
	u, err := prepare(owner, kind, name, r)
	if err != nil {
		return File{}, err
	}
	var f File
	err = s.db.Write(ctx, s.clk(), func(tx *store.Tx) error {
		var err error
		f, err = put(ctx, tx, actor, county, place, u)
		return err
	})
	return f, err
}

// PutTx is Put inside the caller's transaction, so that a step and its
// attachments commit together. It reads r inside the transaction: pass
// content already received (a parsed form's file), not a slow client. An
// Unavailable error means a concurrent upload took the same number: let the
// transaction roll back and retry it (store.DB.Write does).
func (s *Store) PutTx(ctx context.Context, tx *store.Tx, actor, county, owner, kind, name, place string, r io.Reader) (File, error) {
	u, err := prepare(owner, kind, name, r)
	if err != nil {
		return File{}, err
	}
	return put(ctx, tx, actor, county, place, u)
}

const fileColumns = `county, owner, id, kind, name, version, sha256, size, content_type, place, uploaded_at, uploaded_by`

func scanFile(sc interface{ Scan(...any) error }, extra ...any) (File, error) {
	var f File
	var at int64
	err := sc.Scan(append([]any{&f.County, &f.Owner, &f.ID, &f.Kind, &f.Name, &f.Version, &f.SHA256, &f.Size, &f.ContentType, &f.Place, &at, &f.UploadedBy}, extra...)...)
	f.UploadedAt = clock.FromMicros(at)
	return f, err
}

func put(ctx context.Context, tx *store.Tx, actor, county, place string, u upload) (File, error) {
	latest, err := scanFile(tx.QueryRowContext(ctx, `SELECT `+fileColumns+` FROM volume_files
		WHERE county = ? AND owner = ? AND kind = ? AND name = ? ORDER BY version DESC LIMIT 1`, county, u.owner, u.kind, u.name))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		latest = File{}
	case err != nil:
		return File{}, errs.Wrap(err, "volume: latest version")
	case latest.SHA256 == u.sha:
		return latest, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO volume_blobs (sha256, size, content) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		u.sha, int64(len(u.data)), u.data); err != nil {
		return File{}, errs.Wrap(err, "volume: store content")
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM volume_files WHERE county = ?`, county).Scan(&id); err != nil {
		return File{}, errs.Wrap(err, "volume: next id")
	}
	f := File{County: county, Owner: u.owner, ID: id, Kind: u.kind, Name: u.name, Version: latest.Version + 1, SHA256: u.sha,
		Size: int64(len(u.data)), ContentType: u.ctype, Place: place, UploadedAt: clock.FromMicros(clock.Micros(tx.Now)), UploadedBy: actor}
	if _, err := tx.ExecContext(ctx, `INSERT INTO volume_files (`+fileColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.County, f.Owner, f.ID, f.Kind, f.Name, f.Version, f.SHA256, f.Size, f.ContentType, f.Place, clock.Micros(tx.Now), f.UploadedBy); err != nil {
		if errs.CodeOf(err) == "unique_violation" {
			// Only a concurrent upload (PostgreSQL) can take the same id or
			// version between our read and our insert: retry the whole
			// transaction.
			return File{}, &errs.Error{Kind: errs.Unavailable, Code: "busy", Message: "another upload was saved at the same moment; try again", Err: err}
		}
		return File{}, errs.Wrap(err, "volume: insert file")
	}
	if _, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "volume.upload",
		Object: fmt.Sprintf("%s %s %s v%d", f.Owner, f.Kind, f.Name, f.Version), Place: place, After: f}); err != nil {
		return File{}, err
	}
	return f, nil
}

// List returns every version of every file of the owner, ordered by kind
// (in Kinds order), name and version.
func (s *Store) List(ctx context.Context, county, owner string) ([]File, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+fileColumns+` FROM volume_files WHERE county = ? AND owner = ?`, county, owner)
	if err != nil {
		return nil, errs.Wrap(err, "volume: list")
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, errs.Wrap(err, "volume: list")
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "volume: list")
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ka, kb := kindIndex(a.Kind), kindIndex(b.Kind); ka != kb {
			return ka < kb
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Version < b.Version
	})
	return out, nil
}

func unknownFile(id int64) error {
	return errs.F(errs.NotFound, "unknown_file", "id", "there is no file %d", id)
}

// File returns one stored file's record. Errors: NotFound unknown_file.
func (s *Store) File(ctx context.Context, county string, id int64) (File, error) {
	f, err := scanFile(s.db.QueryRowContext(ctx, `SELECT `+fileColumns+` FROM volume_files WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, unknownFile(id)
	}
	if err != nil {
		return File{}, errs.Wrap(err, "volume: file %d", id)
	}
	return f, nil
}

// Content returns one stored file's record and bytes, checked against its
// SHA-256. Errors: NotFound unknown_file.
func (s *Store) Content(ctx context.Context, county string, id int64) (File, []byte, error) {
	var data []byte
	f, err := scanFile(s.db.QueryRowContext(ctx, `SELECT f.county, f.owner, f.id, f.kind, f.name, f.version, f.sha256, f.size, f.content_type, f.place, f.uploaded_at, f.uploaded_by, b.content
		FROM volume_files f JOIN volume_blobs b ON b.sha256 = f.sha256 WHERE f.county = ? AND f.id = ?`, county, id), &data)
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, nil, unknownFile(id)
	}
	if err != nil {
		return File{}, nil, errs.Wrap(err, "volume: content of file %d", id)
	}
	if err := verify(f, data); err != nil {
		return File{}, nil, err
	}
	return f, data, nil
}

// blob returns the stored bytes of f, checked against its SHA-256.
func (s *Store) blob(ctx context.Context, f File) ([]byte, error) {
	var data []byte
	if err := s.db.QueryRowContext(ctx, `SELECT content FROM volume_blobs WHERE sha256 = ?`, f.SHA256).Scan(&data); err != nil {
		return nil, errs.Wrap(err, "volume: content of file %d", f.ID)
	}
	return data, verify(f, data)
}

// verify checks that data is f's content.
func verify(f File, data []byte) error {
	sum := sha256.Sum256(data)
	if int64(len(data)) != f.Size || hex.EncodeToString(sum[:]) != f.SHA256 {
		return errs.Wrap(fmt.Errorf("stored %d bytes do not match size %d and SHA-256 %s", len(data), f.Size, f.SHA256), "volume: the content of file %d is damaged", f.ID)
	}
	return nil
}
