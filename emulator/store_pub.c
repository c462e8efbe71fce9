/*
 * store_pub — the event publisher's SQL (see store_pub.h).
 */
#include "store_pub.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_outbox.h"
#include "xmem.h"

void
store_pub_event_fini(struct store_pub_event *e)
{
	free(e->type);
	json_decref(e->detail);
	free(e->message_id);
	free(e->account);
	free(e->region);
	free(e->source);
	json_decref(e->destinations);
	free(e->raw);
	free(e->operation);
	free(e->configuration_set);
	json_decref(e->tags);
	json_decref(e->submitted);
	free(e->source_ip);
}

int
store_pub_cursor(struct store *s, int64_t *last)
{
	static const char sql[] = "SELECT last_event FROM publish_cursor "
	    "WHERE id = 1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	*last = 0;
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*last = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_pub_cursor_set(struct store *s, int64_t last)
{
	static const char sql[] = "INSERT INTO publish_cursor (id, "
	    "last_event) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET "
	    "last_event = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, last);
	return store_step_done(s, st);
}

static json_t *
store_pub_json(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t != NULL ? json_loads(t, 0, NULL) : NULL;
}

/* A payload column: its JSON, or the text itself when it is not JSON. */
static json_t *
store_pub_payload(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	json_t *j = t != NULL ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;

	return j != NULL ? j : json_string(t != NULL ? t : "");
}

long
store_pub_events(struct store *s, int64_t after, size_t max,
    struct store_pub_event **out)
{
	static const char sql[] = "SELECT e.id, e.type, e.ts_ms, e.message_id, "
	    "m.account_id, m.region, m.source, m.created_ms, m.operation, "
	    "m.configuration_set, m.source_ip FROM event e JOIN "
	    "message m USING (message_id) WHERE e.id > ?1 ORDER BY e.id LIMIT "
	    "?2";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct store_pub_event *v = NULL, *e;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		e = &v[n++];
		memset(e, 0, sizeof(*e));
		e->id = sqlite3_column_int64(st, 0);
		e->type = store_text_dup(st, 1);
		e->ts_ms = sqlite3_column_int64(st, 2);
		e->message_id = store_text_dup(st, 3);
		e->account = store_text_dup(st, 4);
		e->region = store_text_dup(st, 5);
		e->source = store_text_dup(st, 6);
		e->created_ms = sqlite3_column_int64(st, 7);
		e->operation = store_text_dup(st, 8);
		e->configuration_set = store_text_dup(st, 9);
		e->source_ip = store_text_dup(st, 10);
	}
	sqlite3_reset(st);
	*out = v;
	if (rc != SQLITE_DONE) {
		while (n > 0)
			store_pub_event_fini(&v[--n]);
		free(v);
		*out = NULL;
		return -1;
	}
	return (long)n;
}

int
store_pub_load(struct store *s, struct store_pub_event *e)
{
	static const char sql[] = "SELECT m.raw, m.destinations, m.tags, "
	    "e.detail, m.submitted FROM event e JOIN message m USING "
	    "(message_id) WHERE e.id = ?1";
	sqlite3_stmt *st;
	int rc;

	if (e->loaded)
		return 0;
	if ((st = store_stmt(s, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, e->id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		e->raw_len = (size_t)sqlite3_column_bytes(st, 0);
		e->raw = xmalloc(e->raw_len + 1);
		if (e->raw_len > 0)
			memcpy(e->raw, sqlite3_column_blob(st, 0), e->raw_len);
		e->raw[e->raw_len] = '\0';
		e->destinations = store_pub_json(st, 1);
		e->tags = store_pub_json(st, 2);
		e->detail = store_pub_json(st, 3);
		e->submitted = store_pub_json(st, 4);
		e->loaded = 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_pub_record(struct store *s, const struct store_pub_record *r)
{
	static const char sql[] = "INSERT INTO publication (event_id, "
	    "account_id, region, message_id, event_type, format, origin, "
	    "target_kind, target, status, error, payload, ts_ms, outbox_id) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->event_id);
	store_bind_text(st, 2, r->account);
	store_bind_text(st, 3, r->region);
	store_bind_text(st, 4, r->message_id);
	store_bind_text(st, 5, r->event_type);
	store_bind_text(st, 6, r->format);
	store_bind_text(st, 7, r->origin);
	store_bind_text(st, 8, r->target_kind);
	store_bind_text(st, 9, r->target);
	store_bind_text(st, 10, r->status);
	store_bind_text(st, 11, r->error);
	store_bind_text(st, 12, r->payload);
	sqlite3_bind_int64(st, 13, r->ts_ms);
	if (r->outbox_id > 0)
		sqlite3_bind_int64(st, 14, r->outbox_id);
	return store_step_done(s, st);
}

int
store_pub_outbox_settle(struct store *s, int64_t outbox_id,
    const char *status, const char *error)
{
	/* publication_by_outbox serves the look-up. */
	static const char sql[] = "UPDATE publication SET status = ?2, error = "
	    "?3 WHERE outbox_id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, outbox_id);
	store_bind_text(st, 2, status);
	store_bind_text(st, 3, error);
	return store_step_done(s, st);
}

json_t *
store_pub_list(struct store *s, const char *message_id, size_t limit)
{
	static const char sql[] = "SELECT event_id, event_type, format, "
	    "origin, target_kind, target, status, error, payload, ts_ms, "
	    "message_id, outbox_id FROM publication WHERE (?1 IS NULL OR "
	    "message_id = ?1) ORDER BY CASE WHEN ?1 IS NULL THEN -id ELSE id "
	    "END LIMIT ?2";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list, *p, *d;
	int64_t *outbox = NULL;
	size_t n = 0, i;
	int rc;

	if (st == NULL)
		return NULL;
	store_bind_text(st, 1, message_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:I}",
		    "Event", (json_int_t)sqlite3_column_int64(st, 0),
		    "MessageId", (const char *)sqlite3_column_text(st, 10),
		    "Type", (const char *)sqlite3_column_text(st, 1),
		    "Format", (const char *)sqlite3_column_text(st, 2),
		    "Origin", (const char *)sqlite3_column_text(st, 3),
		    "TargetKind", (const char *)sqlite3_column_text(st, 4),
		    "Target", (const char *)sqlite3_column_text(st, 5),
		    "Status", (const char *)sqlite3_column_text(st, 6),
		    "Payload", store_pub_payload(st, 8),
		    "Timestamp", (json_int_t)sqlite3_column_int64(st, 9));
		if (sqlite3_column_type(st, 7) != SQLITE_NULL)
			json_object_set_new(p, "Error", json_string(
			    (const char *)sqlite3_column_text(st, 7)));
		json_array_append_new(list, p);
		outbox = xrealloc(outbox, (n + 1) * sizeof(*outbox));
		outbox[n++] = sqlite3_column_type(st, 11) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(st, 11);
	}
	sqlite3_reset(st);
	/* The forwarding call, read once the listing's statement is done. */
	for (i = 0; rc == SQLITE_DONE && i < n; i++) {
		if (outbox[i] == 0)
			continue;
		if ((d = store_outbox_get_json(s, outbox[i])) != NULL)
			json_object_set_new(json_array_get(list, i),
			    "Delivery", d);
	}
	free(outbox);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}
