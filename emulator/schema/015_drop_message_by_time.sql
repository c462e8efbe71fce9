-- Listing reads the capture table (014) on its own time index, so the
-- message table's (account_id, region, created_ms) index only cost every
-- send an index insert. A scoped reset scans instead.
DROP INDEX message_by_time;
