-- 014: the capture store's listing. One narrow row per captured message
-- with what a summary shows and the filters read, so listing and
-- filtering never touch the message table's raw MIME (a walk over 10,000
-- narrow rows takes a few milliseconds whatever the messages' size).
-- Triggers keep it in step with message and event, so no writer changes:
-- a message's row is made with it and deleted with it; an event adds its
-- type to the message's event_types once, in first-seen order. Deleting
-- a message also deletes the events and publications about it (they name
-- it by message_id, without a foreign key).
--
-- A capture row's id is its message's rowid: no second index on message_id
-- to keep up on the send path (found through message's own). Nothing in
-- sesbox runs VACUUM, which could renumber message's rowids.

CREATE TABLE capture (
	id INTEGER PRIMARY KEY,			-- message.rowid; listing order
	message_id TEXT NOT NULL,
	account_id TEXT NOT NULL,
	region TEXT NOT NULL,
	kind TEXT NOT NULL,
	created_ms INTEGER NOT NULL,
	api TEXT,
	operation TEXT,
	configuration_set TEXT,
	source TEXT NOT NULL,
	subject TEXT NOT NULL,
	destinations TEXT NOT NULL,		-- JSON array, as message's
	tags TEXT,				-- JSON {"name": ["value"]}
	size INTEGER NOT NULL,			-- bytes of the raw message
	read INTEGER NOT NULL DEFAULT 0,	-- the UI's unread state
	-- the distinct event types seen, each followed by a line feed
	event_types TEXT NOT NULL DEFAULT ''
);
-- Newest first is (created_ms DESC, id DESC): this index read backwards.
CREATE INDEX capture_by_time ON capture (created_ms);

INSERT INTO capture (id, message_id, account_id, region, kind, created_ms,
    api, operation, configuration_set, source, subject, destinations, tags,
    size)
SELECT rowid, message_id, account_id, region, kind, created_ms, api,
    operation, configuration_set, source, subject, destinations, tags,
    length(raw) FROM message;
UPDATE capture SET event_types = coalesce((SELECT group_concat(type,
    char(10)) || char(10) FROM (SELECT type, min(id) AS first FROM event
    WHERE event.message_id = capture.message_id GROUP BY type
    ORDER BY first)), '');

CREATE TRIGGER capture_message_insert AFTER INSERT ON message
BEGIN
	INSERT INTO capture (id, message_id, account_id, region, kind,
	    created_ms, api, operation, configuration_set, source, subject,
	    destinations, tags, size)
	VALUES (NEW.rowid, NEW.message_id, NEW.account_id, NEW.region,
	    NEW.kind, NEW.created_ms, NEW.api, NEW.operation,
	    NEW.configuration_set, NEW.source, NEW.subject, NEW.destinations,
	    NEW.tags, length(NEW.raw));
END;

CREATE TRIGGER capture_message_delete AFTER DELETE ON message
BEGIN
	DELETE FROM capture WHERE id = OLD.rowid;
	DELETE FROM event WHERE message_id = OLD.message_id;
	DELETE FROM publication WHERE message_id = OLD.message_id;
END;

CREATE TRIGGER capture_event_insert AFTER INSERT ON event
BEGIN
	UPDATE capture SET event_types = event_types || NEW.type || char(10)
	    WHERE id = (SELECT rowid FROM message WHERE message_id =
	    NEW.message_id) AND instr(char(10) || event_types, char(10) ||
	    NEW.type || char(10)) = 0;
END;
