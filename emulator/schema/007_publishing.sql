-- The event publisher's progress: every event whose id is at most
-- last_event has been published (event ids only grow; reset empties both).
CREATE TABLE publish_cursor (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	last_event INTEGER NOT NULL
);

-- What each event was published to, in which format, and how it went.
CREATE TABLE publication (
	id INTEGER PRIMARY KEY,
	event_id INTEGER NOT NULL,
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	message_id TEXT NOT NULL,
	event_type TEXT NOT NULL,		-- eventType, e.g. 'Bounce'
	format TEXT NOT NULL,			-- 'event' or 'notification'
	origin TEXT NOT NULL,			-- destination name, or identity
	target_kind TEXT NOT NULL,		-- 'sns', 'firehose', ...
	target TEXT NOT NULL,			-- ARN
	status TEXT NOT NULL,			-- 'published', 'recorded', 'failed'
	error TEXT,
	payload TEXT NOT NULL,			-- the JSON text published
	ts_ms INTEGER NOT NULL
);
CREATE INDEX publication_by_message ON publication (message_id);
