-- Model responses by content-addressed key (see provider/cache.Key). The value is
-- the JSON of an emohallucer.Response; it is never updated in place except by
-- saving the same key again.
CREATE TABLE responses (
	key        TEXT PRIMARY KEY,
	response   TEXT NOT NULL,
	created_at TEXT NOT NULL
) WITHOUT ROWID;
