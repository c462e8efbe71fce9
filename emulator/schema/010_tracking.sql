-- The links open and click tracking rewrote, by the n in their click URL.
CREATE TABLE tracked_link (
	message_id TEXT NOT NULL REFERENCES message (message_id)
	    ON DELETE CASCADE,
	n INTEGER NOT NULL,
	url TEXT NOT NULL,
	tags TEXT NOT NULL,			-- JSON {"k": ["v"]}
	PRIMARY KEY (message_id, n)
) WITHOUT ROWID;
