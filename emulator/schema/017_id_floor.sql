-- Message rowids and event ids only grow, even as messages are deleted
-- (retention, DELETE /_sesbox/api/v1/messages/{id}, a scoped reset): the
-- publisher's cursor and the live feed's positions are such ids, and
-- SQLite numbers a new row max(id) + 1, so deleting the newest would hand
-- its id to the next row, which the cursor then counts as seen. The
-- highest id deleted is kept here; new rows are numbered above it. A full
-- reset empties this table with all the others.
CREATE TABLE id_floor (
	name TEXT PRIMARY KEY,			-- 'message' or 'event'
	value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO id_floor VALUES
    ('message', coalesce((SELECT max(rowid) FROM message), 0)),
    ('event', max(coalesce((SELECT max(id) FROM event), 0),
        coalesce((SELECT last_event FROM publish_cursor), 0)));

DROP TRIGGER capture_message_delete;
CREATE TRIGGER capture_message_delete AFTER DELETE ON message
BEGIN
	INSERT INTO id_floor SELECT 'message', OLD.rowid
	    WHERE OLD.rowid > coalesce((SELECT max(rowid) FROM message), 0)
	    ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value);
	INSERT INTO id_floor SELECT 'event', max(id) FROM event
	    WHERE message_id = OLD.message_id
	    HAVING max(id) = (SELECT max(id) FROM event)
	    ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value);
	DELETE FROM capture WHERE id = OLD.rowid;
	DELETE FROM event WHERE message_id = OLD.message_id;
	DELETE FROM publication WHERE message_id = OLD.message_id;
END;
