package registry

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/hkdf"

	"onepool/internal/errs"
)

// KeyEnv is the environment variable that holds the master key (base64 of
// 32 bytes); it wins over the key file.
const KeyEnv = "ONEPOOL_KEY"

// HKDF info strings: one master key, two independent keys.
const (
	infoEnc  = "onepool registry v1: AES-256-GCM field encryption"
	infoHash = "onepool registry v1: HMAC-SHA256 look-up hash"
)

// Keys holds the keys of the registry's sensitive fields: an AES-256 key
// that encrypts them and an HMAC-SHA256 key that hashes their normalized
// form for look-ups and duplicate detection. Both are derived from one
// 32-byte master key with HKDF-SHA256. The master key lives outside the
// database (an environment variable or a key file), so a copy of the
// database alone reveals no resident ID, card number or cause.
type Keys struct {
	aead        cipher.AEAD
	hashKey     []byte
	fingerprint string
}

// NewKeys derives the keys from a 32-byte master key. Errors: Invalid.
func NewKeys(master []byte) (*Keys, error) {
	if len(master) != 32 {
		return nil, errs.F(errs.Invalid, "invalid_key", "key", "the master key must be 32 bytes, got %d", len(master))
	}
	derive := func(info string) ([]byte, error) {
		k := make([]byte, 32)
		if _, err := io.ReadFull(hkdf.New(sha256.New, master, nil, []byte(info)), k); err != nil {
			return nil, errs.Wrap(err, "registry: derive key")
		}
		return k, nil
	}
	enc, err := derive(infoEnc)
	if err != nil {
		return nil, err
	}
	mac, err := derive(infoHash)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, errs.Wrap(err, "registry: cipher")
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, errs.Wrap(err, "registry: cipher")
	}
	fp := hmac.New(sha256.New, master)
	fp.Write([]byte("onepool key fingerprint"))
	return &Keys{aead: aead, hashKey: mac, fingerprint: hex.EncodeToString(fp.Sum(nil))}, nil
}

// Fingerprint is HMAC-SHA256(master key, "onepool key fingerprint") in
// hex: it names the key (the database stores it, see BindKeys) and tells
// nothing about it.
func (k *Keys) Fingerprint() string { return k.fingerprint }

// LoadKeys returns the registry keys from the master key in the
// environment variable ONEPOOL_KEY (base64 of 32 bytes), which wins, or
// else from the key file at path (base64, one line). When neither exists
// it generates a random master key, writes it to path with mode 0600
// (creating the directory, mode 0700) and reports created, so the caller
// can say where the key is — and that it must be backed up: without it the
// registry's encrypted fields cannot be read. getenv nil means os.Getenv.
// A malformed key is an Invalid error naming its source.
func LoadKeys(path string, getenv func(string) string) (k *Keys, created bool, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := strings.TrimSpace(getenv(KeyEnv)); v != "" {
		k, err := keysFrom(v, KeyEnv)
		return k, false, err
	}
	if path == "" {
		return nil, false, errs.F(errs.Invalid, "invalid_key", "key", "no key: set %s or give a key file", KeyEnv)
	}
	data, err := os.ReadFile(path)
	if err == nil {
		k, err := keysFrom(strings.TrimSpace(string(data)), "key file "+path)
		return k, false, err
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, errs.Wrap(err, "registry: read key file %s", path)
	}
	master := make([]byte, 32)
	if _, err := rand.Read(master); err != nil {
		return nil, false, errs.Wrap(err, "registry: generate key")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, errs.Wrap(err, "registry: create key directory")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Another process created it meanwhile: use theirs.
		return LoadKeys(path, func(string) string { return "" })
	}
	if err != nil {
		return nil, false, errs.Wrap(err, "registry: create key file %s", path)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(master) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, false, errs.Wrap(err, "registry: write key file %s", path)
	}
	k, err = NewKeys(master)
	return k, err == nil, err
}

func keysFrom(b64, source string) (*Keys, error) {
	master, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(master) != 32 {
		return nil, errs.F(errs.Invalid, "invalid_key", "key", "%s does not hold a key: want base64 of 32 bytes", source)
	}
	return NewKeys(master)
}

// Seal encrypts plain with AES-256-GCM under a random 12-byte nonce and
// returns base64(nonce‖ciphertext). The empty string stays empty.
func (k *Keys) Seal(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	buf := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", errs.Wrap(err, "registry: nonce")
	}
	return base64.StdEncoding.EncodeToString(k.aead.Seal(buf, buf, []byte(plain), nil)), nil
}

// Open decrypts what Seal returned. The empty string stays empty. A
// value that was altered, or sealed under another key, is an Internal
// error (decrypt_failed).
func (k *Keys) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	n := k.aead.NonceSize()
	if err != nil || len(raw) < n+k.aead.Overhead() {
		return "", errs.E(errs.Internal, "decrypt_failed", "an encrypted registry field is damaged")
	}
	plain, err := k.aead.Open(raw[n:n], raw[:n], raw[n:], nil)
	if err != nil {
		return "", &errs.Error{Kind: errs.Internal, Code: "decrypt_failed", Message: "an encrypted registry field is damaged or was sealed under another key", Err: err}
	}
	return string(plain), nil
}

// Hash returns the hex HMAC-SHA256 of a normalized value under the hash
// key: equal values give equal hashes, and without the key a hash cannot
// be reversed by trying the (few) possible ID numbers. The empty string
// stays empty.
func (k *Keys) Hash(normalized string) string {
	if normalized == "" {
		return ""
	}
	m := hmac.New(sha256.New, k.hashKey)
	m.Write([]byte(normalized))
	return hex.EncodeToString(m.Sum(nil))
}
