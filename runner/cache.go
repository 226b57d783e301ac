package runner

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"

	eh "github.com/emohallucer/emohallucer"
	"github.com/emohallucer/emohallucer/provider/stack"
	"github.com/emohallucer/emohallucer/store/responselog"
	"github.com/emohallucer/emohallucer/store/sqlite"
)

// DefaultCacheHint is DefaultCachePath as help texts show it.
const DefaultCacheHint = "~/.cache/emohallucer/responses.jsonl"

// DefaultCachePath is where the response cache lives unless the user says
// otherwise: $EMOHALLUCER_CACHE, else in the user's cache folder, shared by
// every run of every project, because its keys are content addresses that
// never collide across runs.
func DefaultCachePath() string {
	if p := os.Getenv("EMOHALLUCER_CACHE"); p != "" {
		return p
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "emohallucer", "responses.jsonl")
	}
	return filepath.Join("runs", "responses.jsonl")
}

// OpenCache opens the response cache at path: an SQLite database when the
// file is one or its name says so (FILE.db, .sqlite, .sqlite3), else an
// append-only log of JSON lines (store/responselog), the default because it
// costs a map access per lookup and one write per answer.
func OpenCache(ctx context.Context, path string) (eh.Store, error) {
	if isSQLite(path) {
		return sqlite.Open(ctx, path)
	}
	return responselog.Open(ctx, path)
}

// isSQLite tells whether path is, or by its name is meant to be, an SQLite
// database.
func isSQLite(path string) bool {
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		head := make([]byte, 16)
		if n, _ := io.ReadFull(f, head); n > 0 {
			return string(head[:n]) == "SQLite format 3\x00"
		}
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".db", ".sqlite", ".sqlite3":
		return true
	}
	return false
}

// cachePath is the response cache file of cfg: CachePath, else the default.
func (cfg Config) cachePath() string {
	if cfg.CachePath != "" {
		return cfg.CachePath
	}
	return DefaultCachePath()
}

// openCacheFor opens the response cache a run uses: the shared store, the
// cache file, or none (--no-cache, or only deterministic baselines).
func openCacheFor(ctx context.Context, cfg Config) (stack.Store, func(), error) {
	nop := func() {}
	if cfg.NoCache {
		return nil, nop, nil
	}
	if cfg.Store != nil {
		return cfg.Store, nop, nil
	}
	needed := false
	for _, m := range cfg.Models {
		needed = needed || !m.Model.Capabilities().Deterministic
	}
	if !needed {
		return nil, nop, nil
	}
	path := cfg.cachePath()
	db, err := OpenCache(ctx, path)
	if err != nil {
		// A store says when the file holds something it cannot read
		// (EINVALID); anything else (a driver's "unable to open database
		// file", a folder in the way) is the file system's refusal.
		code := eh.ErrorCode(err)
		if code == eh.EINTERNAL {
			code = eh.EIO
		}
		return nil, nop, &eh.Error{Code: code, Message: "response cache " + path, Hint: "choose another file with --cache, or run with --no-cache", Err: err}
	}
	return db, func() { db.Close() }, nil
}
