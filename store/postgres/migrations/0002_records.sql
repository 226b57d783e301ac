-- Records of runs, one per question of a run: saving the same run, pair and role
-- again replaces the earlier record, so at-least-once delivery of work is safe.
-- status and cost_usd are copied out of the record so that resuming, enqueueing
-- and cost limits need not parse every record.
CREATE TABLE records (
	run        TEXT NOT NULL,
	pair       TEXT NOT NULL,
	role       TEXT NOT NULL,
	status     TEXT NOT NULL,
	cost_usd   DOUBLE PRECISION NOT NULL DEFAULT 0,
	record     JSON NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (run, pair, role)
);
