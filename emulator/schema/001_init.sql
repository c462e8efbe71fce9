-- 001: accounts and their sending state; identities (listed now, filled by
-- the identity operations); recipient counts behind the daily quota.
-- Every row is keyed by (account_id, region).

CREATE TABLE account (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	sending_enabled INTEGER NOT NULL DEFAULT 1,
	production_access INTEGER NOT NULL DEFAULT 1,
	details TEXT,			-- JSON: v2 GetAccount.Details
	updated_ms INTEGER NOT NULL,
	PRIMARY KEY (account_id, region)
) WITHOUT ROWID;

CREATE TABLE identity (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	name TEXT NOT NULL,		-- as created: address or domain
	type TEXT NOT NULL CHECK (type IN ('EmailAddress', 'Domain')),
	verification_status TEXT NOT NULL DEFAULT 'Pending',
	sending_enabled INTEGER NOT NULL DEFAULT 1,
	created_ms INTEGER NOT NULL,
	PRIMARY KEY (account_id, region, name)
) WITHOUT ROWID;

CREATE TABLE quota_usage (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	ts_ms INTEGER NOT NULL,
	recipients INTEGER NOT NULL
);
CREATE INDEX quota_usage_by_time ON quota_usage (account_id, region, ts_ms);
