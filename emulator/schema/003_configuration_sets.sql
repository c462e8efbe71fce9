-- 003: configuration sets, one row per (account_id, region, name), shared
-- by SES v1 and v2. The option blocks v2 shapes as structures are kept as
-- JSON text in the v2 model's member names and casing ('REQUIRE', not
-- 'Require'); NULL when the block was never set. Tags live in resource_tag
-- under the set's ARN; event destinations come in a later migration.

CREATE TABLE configuration_set (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	name TEXT NOT NULL,
	created_ms INTEGER NOT NULL,
	sending_enabled INTEGER NOT NULL DEFAULT 1,
	reputation_metrics_enabled INTEGER NOT NULL DEFAULT 0,
	last_fresh_start_ms INTEGER,		-- NULL until a fresh start
	tracking TEXT,				-- JSON: v2 TrackingOptions
	delivery TEXT,				-- JSON: v2 DeliveryOptions
	suppression TEXT,			-- JSON: v2 SuppressionOptions
	vdm TEXT,				-- JSON: v2 VdmOptions
	archiving TEXT,				-- JSON: v2 ArchivingOptions
	PRIMARY KEY (account_id, region, name)
) WITHOUT ROWID;
