/*
 * store_send — what an accepted send writes besides its message row
 * (see store_send.h).
 */
#include "store_send.h"

#include <stdlib.h>

#include "store_int.h"

int
store_recipient_insert(struct store *s, const char *message_id, int idx,
    const char *address, const char *kind, int64_t due_ms)
{
	static const char sql[] = "INSERT INTO recipient (message_id, idx, "
	    "address, kind, next_attempt_ms) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, idx);
	sqlite3_bind_text(st, 3, address, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, due_ms);
	return store_step_done(s, st);
}

int
store_event_insert(struct store *s, const char *account, const char *region,
    const char *message_id, const char *type, int64_t ts_ms,
    const json_t *detail)
{
	/* Numbered above every id deleted (schema 017). */
	static const char sql[] = "INSERT INTO event (id, account_id, region, "
	    "message_id, type, ts_ms, detail) VALUES (max(coalesce((SELECT "
	    "max(id) FROM event), 0), coalesce((SELECT value FROM id_floor "
	    "WHERE name = 'event'), 0)) + 1, ?1, ?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *st = store_stmt(s, sql);
	char *text;
	int rc;

	if (st == NULL)
		return -1;
	text = json_dumps(detail, JSON_COMPACT);
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ts_ms);
	sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
	rc = store_step_done(s, st);
	free(text);
	return rc;
}

int
store_quota_add(struct store *s, const char *account, const char *region,
    int64_t ts_ms, int recipients)
{
	static const char sql[] = "INSERT INTO quota_usage (account_id, "
	    "region, minute_ms, recipients) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (account_id, region, minute_ms) DO UPDATE SET "
	    "recipients = recipients + ?4";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	/* EMU: minute buckets; the window's edge is exact to the minute. */
	sqlite3_bind_int64(st, 3, ts_ms - ts_ms % 60000);
	sqlite3_bind_int(st, 4, recipients);
	return store_step_done(s, st);
}

int
store_stats_add(struct store *s, const char *account, const char *region,
    int64_t ts_ms, int attempts)
{
	static const char sql[] = "INSERT INTO send_stats (account_id, region, "
	    "bucket_ms, attempts) VALUES (?1, ?2, ?3, ?4) ON CONFLICT "
	    "(account_id, region, bucket_ms) DO UPDATE SET attempts = "
	    "attempts + ?4";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_int64(st, 3, ts_ms - ts_ms % STORE_STATS_BUCKET_MS);
	sqlite3_bind_int(st, 4, attempts);
	return store_step_done(s, st);
}

json_t *
store_stats_list(struct store *s, const char *account, const char *region,
    int64_t since_ms)
{
	static const char sql[] = "SELECT bucket_ms, attempts, bounces, "
	    "complaints, rejects FROM send_stats WHERE account_id = ?1 AND "
	    "region = ?2 AND bucket_ms >= ?3 ORDER BY bucket_ms";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	store_bind_scope(st, account, region);
	sqlite3_bind_int64(st, 3, since_ms);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:I,s:I,s:I,s:I,s:I}",
		    "Timestamp", (json_int_t)sqlite3_column_int64(st, 0),
		    "DeliveryAttempts", (json_int_t)sqlite3_column_int64(st, 1),
		    "Bounces", (json_int_t)sqlite3_column_int64(st, 2),
		    "Complaints", (json_int_t)sqlite3_column_int64(st, 3),
		    "Rejects", (json_int_t)sqlite3_column_int64(st, 4)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *
store_event_list(struct store *s, const char *message_id)
{
	static const char sql[] = "SELECT type, ts_ms, detail FROM event "
	    "WHERE message_id = ?1 ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:s,s:I,s:o}", "Type",
		    (const char *)sqlite3_column_text(st, 0), "Timestamp",
		    (json_int_t)sqlite3_column_int64(st, 1), "Detail",
		    json_loads((const char *)sqlite3_column_text(st, 2), 0,
		    NULL)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}
