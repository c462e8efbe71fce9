-- A message's event types are read from the event table when listed (one
-- look-up on event_by_message per row of a page) instead of kept in its
-- capture row by a trigger, which rewrote that row on every event: a
-- tenth of a send's cost. The capture.event_types column stays, unused
-- (SQLite cannot drop it from 014's commented definition).
DROP TRIGGER capture_event_insert;

-- The same index with the type in it: "has this message an event of type
-- T" is then answered from the index alone, not the (large) event rows.
DROP INDEX event_by_message;
CREATE INDEX event_by_message ON event (message_id, type);
