package registry

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"time"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/store"
)

// sealedColumns are the columns that hold values sealed under the data
// key: one non-empty value among them is enough to tell a wrong key.
var sealedColumns = []struct{ table, column string }{
	{"reg_members", "id_enc"},
	{"reg_households", "card_enc"},
	{"reg_years", "causes_enc"},
	{"relief_applications", "cause_enc"},
}

// BindKeys loads the data key for db as LoadKeys does ($ONEPOOL_KEY, else
// the key file at path) and checks it against the database:
//
//   - the database stores the key's fingerprint (table system_keys),
//     written at the key's first use; a key whose fingerprint differs is
//     refused (key_mismatch), naming the key's source;
//   - a database that already has a fingerprint or encrypted data is never
//     given a new key: without $ONEPOOL_KEY and without the key file it is
//     refused (key_missing), so a restore without its key file fails at
//     once instead of failing on every reveal;
//   - a database from before the fingerprint (encrypted data, no
//     fingerprint) gets one only when the key opens a stored value.
//
// created reports that a new key file was generated (a new database).
func BindKeys(ctx context.Context, db *store.DB, path string, getenv func(string) string) (k *Keys, created bool, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	source := "the key file " + path
	fromEnv := strings.TrimSpace(getenv(KeyEnv)) != ""
	if fromEnv {
		source = "$" + KeyEnv
	}
	stored, err := storedFingerprint(ctx, db)
	if err != nil {
		return nil, false, err
	}
	sealed, err := sampleSealed(ctx, db)
	if err != nil {
		return nil, false, err
	}
	if !fromEnv && path != "" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && (stored != "" || sealed != "") {
			return nil, false, errs.F(errs.Invalid, "key_missing", "key",
				"the database %s holds data encrypted under a data key, but %s does not exist: restore the key file that belongs to this database (or set $%s); a new key would leave that data unreadable",
				db.Source, path, KeyEnv)
		}
	}
	k, created, err = LoadKeys(path, getenv)
	if err != nil {
		return nil, false, err
	}
	fp := k.Fingerprint()
	mismatch := func() error {
		return errs.F(errs.Invalid, "key_mismatch", "key",
			"the data key in %s does not match the database %s (it was encrypted under another key): start with the key file that belongs to this database or its backup",
			source, db.Source)
	}
	if stored != "" {
		if stored != fp {
			return nil, false, mismatch()
		}
		return k, created, nil
	}
	if sealed != "" {
		if _, err := k.Open(sealed); err != nil {
			return nil, false, mismatch()
		}
	}
	// First use of the key with this database: record its fingerprint. Two
	// servers starting at once: the first insert wins and the other checks
	// against it.
	err = db.Write(ctx, time.Now(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO system_keys (name, fingerprint, created_at) VALUES ('data', ?, ?) ON CONFLICT (name) DO NOTHING`, fp, clock.Micros(tx.Now))
		return err
	})
	if err != nil {
		return nil, false, errs.Wrap(err, "registry: record the key fingerprint")
	}
	if stored, err = storedFingerprint(ctx, db); err != nil {
		return nil, false, err
	}
	if stored != fp {
		return nil, false, mismatch()
	}
	return k, created, nil
}

func storedFingerprint(ctx context.Context, db *store.DB) (string, error) {
	var fp string
	err := db.QueryRowContext(ctx, `SELECT fingerprint FROM system_keys WHERE name = 'data'`).Scan(&fp)
	if err != nil && errs.KindOf(db.MapError(err)) != errs.NotFound {
		return "", errs.Wrap(err, "registry: read the key fingerprint")
	}
	return fp, nil
}

func sampleSealed(ctx context.Context, db *store.DB) (string, error) {
	for _, c := range sealedColumns {
		var v string
		err := db.QueryRowContext(ctx, `SELECT `+c.column+` FROM `+c.table+` WHERE `+c.column+` <> '' LIMIT 1`).Scan(&v)
		if err == nil {
			return v, nil
		}
		if errs.KindOf(db.MapError(err)) != errs.NotFound {
			return "", errs.Wrap(err, "registry: look for encrypted data")
		}
	}
	return "", nil
}
