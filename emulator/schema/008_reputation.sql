-- The enforcement status last evaluated for an account and region, kept
-- only while it is not HEALTHY, so a send checks it with one look-up.
CREATE TABLE reputation (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	status TEXT NOT NULL,			-- 'PROBATION' or 'SHUTDOWN'
	updated_ms INTEGER NOT NULL,
	PRIMARY KEY (account_id, region)
) WITHOUT ROWID;
