-- Model responses by content-addressed key (see provider/cache.Key). The value is
-- the JSON of an emohallucer.Response. The json type (not jsonb) keeps the text
-- exactly as written and accepts \u0000, which model output may contain and jsonb
-- refuses.
CREATE TABLE responses (
	key        TEXT PRIMARY KEY,
	response   JSON NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
