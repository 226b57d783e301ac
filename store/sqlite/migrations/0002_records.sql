-- Records of runs, one per question of a run: saving the same run, pair and role
-- again replaces the earlier record, so at-least-once delivery of work is safe.
CREATE TABLE records (
	run        TEXT NOT NULL,
	pair       TEXT NOT NULL,
	role       TEXT NOT NULL,
	record     TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (run, pair, role)
) WITHOUT ROWID;
