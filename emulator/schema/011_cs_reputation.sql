-- Per-configuration-set reputation counts (ReputationMetricsEnabled):
-- sends, bounces and complaints of a set by hour, counted by the delivery
-- worker while the set has its reputation metrics enabled, and deleted
-- with the set.
CREATE TABLE cs_stats (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	configuration_set TEXT NOT NULL,
	bucket_ms INTEGER NOT NULL,
	sends INTEGER NOT NULL DEFAULT 0,
	bounces INTEGER NOT NULL DEFAULT 0,
	complaints INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (account_id, region, configuration_set, bucket_ms),
	FOREIGN KEY (account_id, region, configuration_set)
	    REFERENCES configuration_set (account_id, region, name)
	    ON DELETE CASCADE
) WITHOUT ROWID;
