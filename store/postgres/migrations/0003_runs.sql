-- Runs whose questions are queued for workers. A run's definition holds what a
-- worker needs to rebuild its items without the suite folder: model spec,
-- strategy and its options; its pairs are copied in at enqueue time.
CREATE TABLE runs (
	id         TEXT PRIMARY KEY,
	definition JSON NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE run_pairs (
	run  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	pair TEXT NOT NULL,
	body JSON NOT NULL,
	PRIMARY KEY (run, pair)
);
