-- 004: configuration-set event destinations, one row per (account_id,
-- region, configuration_set, name), shared by SES v1 and v2 and deleted
-- with their set. One stored form for both APIs, in the v2 model's names:
-- matching_event_types is a JSON array of v2 EventType values ('BOUNCE',
-- 'RENDERING_FAILURE', ...), in the order first given, without repeats;
-- destination is a JSON object with exactly one member, the v2 name of the
-- target (SnsDestination, KinesisFirehoseDestination, CloudWatchDestination,
-- EventBridgeDestination, PinpointDestination) holding its v2 structure.

CREATE TABLE event_destination (
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	configuration_set TEXT NOT NULL,
	name TEXT NOT NULL,
	enabled INTEGER NOT NULL DEFAULT 0,
	matching_event_types TEXT NOT NULL,	-- JSON: v2 EventType values
	destination TEXT NOT NULL,		-- JSON: {"<v2 member>": {...}}
	created_ms INTEGER NOT NULL,
	updated_ms INTEGER NOT NULL,
	PRIMARY KEY (account_id, region, configuration_set, name),
	FOREIGN KEY (account_id, region, configuration_set)
	    REFERENCES configuration_set (account_id, region, name)
	    ON DELETE CASCADE
) WITHOUT ROWID;
