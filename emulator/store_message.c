/*
 * store_message — captured mail (see store_message.h).
 */
#include "store_message.h"

#include <stdlib.h>

#include "store_int.h"
#include "xmem.h"

#define STORE_MESSAGE_COLUMNS \
	"message_id, account_id, region, kind, source, destinations, " \
	"subject, created_ms, api, operation, configuration_set, tags"

int
store_message_insert(struct store *s, const struct store_message *m)
{
	static const char sql[] = "INSERT INTO message (message_id, "
	    "account_id, region, kind, source, destinations, subject, raw, "
	    "created_ms, api, operation, configuration_set, tags, source_ip, "
	    "caller, verdict, submitted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
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

static json_t *
store_message_summary(sqlite3_stmt *st)
{
	const char *dest = (const char *)sqlite3_column_text(st, 5);
	const char *tags = (const char *)sqlite3_column_text(st, 11);
	json_t *m;

	m = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:I}",
	    "MessageId", (const char *)sqlite3_column_text(st, 0),
	    "Account", (const char *)sqlite3_column_text(st, 1),
	    "Region", (const char *)sqlite3_column_text(st, 2),
	    "Kind", (const char *)sqlite3_column_text(st, 3),
	    "Source", (const char *)sqlite3_column_text(st, 4),
	    "Destinations", json_loads(dest ? dest : "[]", 0, NULL),
	    "Subject", (const char *)sqlite3_column_text(st, 6),
	    "Timestamp", (json_int_t)sqlite3_column_int64(st, 7));
	if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
		json_object_set_new(m, "Api", json_string(
		    (const char *)sqlite3_column_text(st, 8)));
		json_object_set_new(m, "Operation", json_string(
		    (const char *)sqlite3_column_text(st, 9)));
		json_object_set_new(m, "Tags", json_loads(tags ? tags : "{}",
		    0, NULL));
		if (sqlite3_column_type(st, 10) != SQLITE_NULL)
			json_object_set_new(m, "ConfigurationSet", json_string(
			    (const char *)sqlite3_column_text(st, 10)));
	}
	return m;
}

json_t *
store_message_get(struct store *s, const char *message_id, int *missing)
{
	static const char sql[] = "SELECT " STORE_MESSAGE_COLUMNS ", raw FROM "
	    "message WHERE message_id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *m = NULL;
	int rc;

	*missing = 0;
	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		m = store_message_summary(st);
		/* An empty blob reads back as NULL. */
		json_object_set_new(m, "Raw", sqlite3_column_bytes(st, 12) > 0 ?
		    json_stringn_nocheck(sqlite3_column_blob(st, 12),
		    (size_t)sqlite3_column_bytes(st, 12)) : json_string(""));
	} else if (rc == SQLITE_DONE) {
		*missing = 1;
	}
	sqlite3_reset(st);
	return m;
}
