/*
 * store_message — captured mail (see store_message.h).
 */
#include "store_message.h"

#include <stdlib.h>

#include "store_int.h"
#include "xmem.h"

int
store_message_insert(struct store *s, const struct store_message *m)
{
	/* Numbered above every rowid deleted (schema 017). */
	static const char sql[] = "INSERT INTO message (rowid, message_id, "
	    "account_id, region, kind, source, destinations, subject, raw, "
	    "created_ms, api, operation, configuration_set, tags, source_ip, "
	    "caller, verdict, submitted) VALUES (max(coalesce((SELECT "
	    "max(rowid) FROM message), 0), coalesce((SELECT value FROM "
	    "id_floor WHERE name = 'message'), 0)) + 1, ?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
	sqlite3_stmt *st = store_stmt(s, sql);
	char *dest, *tags, *submitted;
	int rc;

	if (st == NULL)
		return -1;
	dest = json_dumps(m->destinations, JSON_COMPACT);
	tags = m->tags != NULL ? json_dumps(m->tags, JSON_COMPACT) : NULL;
	submitted = m->submitted != NULL ? json_dumps(m->submitted,
	    JSON_COMPACT) : NULL;
	sqlite3_bind_text(st, 1, m->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, m->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, dest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, m->subject, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, m->raw, (int)m->raw_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, m->created_ms);
	store_bind_text(st, 10, m->api);
	store_bind_text(st, 11, m->operation);
	store_bind_text(st, 12, m->configuration_set);
	store_bind_text(st, 13, tags);
	store_bind_text(st, 14, m->source_ip);
	store_bind_text(st, 15, m->caller);
	store_bind_text(st, 16, m->verdict);
	store_bind_text(st, 17, submitted);
	rc = store_step_done(s, st);
	free(dest);
	free(tags);
	free(submitted);
	return rc;
}
