/*
 * store_track — the SQL of open and click tracking (see store_track.h).
 */
#include "store_track.h"

#include <stdlib.h>

#include "store_int.h"

int
store_track_link_put(struct store *s, const char *message_id, int n,
    const char *url, const json_t *tags)
{
	static const char sql[] = "INSERT INTO tracked_link (message_id, n, "
	    "url, tags) VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *st = store_stmt(s, sql);
	char *text;
	int rc;

	if (st == NULL)
		return -1;
	text = json_dumps(tags, JSON_COMPACT);
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, n);
	sqlite3_bind_text(st, 3, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	rc = store_step_done(s, st);
	free(text);
	return rc;
}

int
store_track_link_get(struct store *s, const char *message_id, int n,
    char **url, json_t **tags)
{
	static const char sql[] = "SELECT url, tags FROM tracked_link WHERE "
	    "message_id = ?1 AND n = ?2";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	*url = NULL;
	*tags = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, n);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*url = store_text_dup(st, 0);
		*tags = json_loads((const char *)sqlite3_column_text(st, 1), 0,
		    NULL);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_track_owner(struct store *s, const char *message_id, char **account,
    char **region)
{
	static const char sql[] = "SELECT account_id, region FROM message "
	    "WHERE message_id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	*account = *region = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*account = store_text_dup(st, 0);
		*region = store_text_dup(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_track_link_find(struct store *s, const char *message_id,
    const char *url, int *n)
{
	static const char sql[] = "SELECT n FROM tracked_link WHERE "
	    "message_id = ?1 AND url = ?2 ORDER BY n LIMIT 1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}
