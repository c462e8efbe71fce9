/*
 * store_outbox — the outbox's SQL (see store_outbox.h).
 */
#include "store_outbox.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "wire.h"
#include "xmem.h"

/* Kinds a listing filters on at most. */
#define STORE_OUTBOX_KINDS_MAX 3

void
store_outbox_fini(struct store_outbox *o)
{
	free(o->kind);
	free(o->account);
	free(o->region);
	free(o->endpoint);
	free(o->type);
	free(o->message_id);
	free(o->topic_arn);
	free(o->subscription_arn);
	free(o->signature_version);
	free(o->subject);
	free(o->message);
	free(o->token);
	memset(o, 0, sizeof(*o));
}

int
store_outbox_insert(struct store *s, const struct store_outbox *o,
    int64_t *id)
{
	static const char sql[] = "INSERT INTO outbox (account_id, region, "
	    "kind, endpoint, type, message_id, topic_arn, subscription_arn, "
	    "raw, signature_version, subject, message, token, timestamp_ms, "
	    "next_attempt_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12, ?13, ?14, ?15)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, o->account, o->region);
	store_bind_text(st, 3, o->kind);
	store_bind_text(st, 4, o->endpoint);
	store_bind_text(st, 5, o->type);
	store_bind_text(st, 6, o->message_id);
	store_bind_text(st, 7, o->topic_arn);
	store_bind_text(st, 8, o->subscription_arn);
	sqlite3_bind_int(st, 9, o->raw != 0);
	store_bind_text(st, 10, o->signature_version);
	store_bind_text(st, 11, o->subject);
	store_bind_text(st, 12, o->message);
	store_bind_text(st, 13, o->token);
	sqlite3_bind_int64(st, 14, o->timestamp_ms);
	sqlite3_bind_int64(st, 15, o->next_attempt_ms);
	if (store_step_done(s, st) != 0)
		return -1;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(store_db(s));
	return 0;
}

long
store_outbox_claim(struct store *s, int64_t now_ms, size_t max,
    struct store_outbox **out)
{
	/* outbox_due (state, next_attempt_ms) serves the scan. */
	static const char due[] = "SELECT id, kind, account_id, region, "
	    "endpoint, type, message_id, topic_arn, subscription_arn, raw, "
	    "signature_version, subject, message, token, timestamp_ms, "
	    "attempts, next_attempt_ms FROM outbox WHERE state = 'queued' AND "
	    "next_attempt_ms <= ?1 ORDER BY next_attempt_ms, id LIMIT ?2";
	static const char take[] = "UPDATE outbox SET state = 'sending', "
	    "attempts = attempts + 1 WHERE id = ?1";
	struct store_outbox *v = NULL, *o;
	sqlite3_stmt *st = store_stmt(s, due);
	size_t n = 0, cap = 0, i;
	int rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		o = &v[n++];
		o->id = sqlite3_column_int64(st, 0);
		o->kind = store_text_dup(st, 1);
		o->account = store_text_dup(st, 2);
		o->region = store_text_dup(st, 3);
		o->endpoint = store_text_dup(st, 4);
		o->type = store_text_dup(st, 5);
		o->message_id = store_text_dup(st, 6);
		o->topic_arn = store_text_dup(st, 7);
		o->subscription_arn = store_text_dup(st, 8);
		o->raw = sqlite3_column_int(st, 9);
		o->signature_version = store_text_dup(st, 10);
		o->subject = store_text_dup(st, 11);
		o->message = store_text_dup(st, 12);
		o->token = store_text_dup(st, 13);
		o->timestamp_ms = sqlite3_column_int64(st, 14);
		o->attempts = sqlite3_column_int(st, 15) + 1;
		o->next_attempt_ms = sqlite3_column_int64(st, 16);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((st = store_stmt(s, take)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, v[i].id);
		if (store_step_done(s, st) != 0)
			goto fail;
	}
	*out = v;
	return (long)n;
fail:
	for (i = 0; i < n; i++)
		store_outbox_fini(&v[i]);
	free(v);
	return -1;
}

int
store_outbox_settle(struct store *s, const struct store_outbox *o,
    int64_t at_ms, const char *status, int http_status, const char *error,
    int64_t next_ms)
{
	static const char attempt[] = "INSERT OR REPLACE INTO outbox_attempt "
	    "(outbox_id, attempt, at_ms, status, http_status, error) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6)";
	static const char update[] = "UPDATE outbox SET state = ?2, "
	    "next_attempt_ms = ?3 WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(s, attempt);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, o->id);
	sqlite3_bind_int(st, 2, o->attempts);
	sqlite3_bind_int64(st, 3, at_ms);
	store_bind_text(st, 4, status);
	if (http_status > 0)
		sqlite3_bind_int(st, 5, http_status);
	store_bind_text(st, 6, error);
	if (store_step_done(s, st) != 0 || (st = store_stmt(s, update)) ==
	    NULL)
		return -1;
	sqlite3_bind_int64(st, 1, o->id);
	store_bind_text(st, 2, strcmp(status, "retry") == 0 ? "queued" :
	    status);
	sqlite3_bind_int64(st, 3, next_ms);
	return store_step_done(s, st);
}

int
store_outbox_next_due(struct store *s, int64_t *due)
{
	static const char sql[] = "SELECT min(next_attempt_ms) FROM outbox "
	    "WHERE state = 'queued'";

	return store_int64(s, sql, INT64_MAX, due);
}

int
store_outbox_recover(struct store *s)
{
	static const char sql[] = "UPDATE outbox SET state = 'queued', "
	    "attempts = attempts - 1 WHERE state = 'sending'";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL || store_step_done(s, st) != 0)
		return -1;
	return store_changes(s);
}

/* Adds the attempts of row id to its JSON summary d. */
static int
store_outbox_attempts(struct store *s, int64_t id, json_t *d)
{
	static const char sql[] = "SELECT attempt, at_ms, status, http_status, "
	    "error FROM outbox_attempt WHERE outbox_id = ?1 ORDER BY attempt";
	char iso[WIRE_TIMESTAMP_MAX_BYTES];
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list, *a;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		wire_timestamp_iso(sqlite3_column_int64(st, 1), iso);
		a = json_pack("{s:i,s:s,s:s}", "Attempt",
		    sqlite3_column_int(st, 0), "Timestamp", iso, "Status",
		    (const char *)sqlite3_column_text(st, 2));
		json_object_set_new(a, "HttpStatus", sqlite3_column_type(st,
		    3) == SQLITE_NULL ? json_null() :
		    json_integer(sqlite3_column_int(st, 3)));
		json_object_set_new(a, "Error", sqlite3_column_type(st, 4) ==
		    SQLITE_NULL ? json_null() : json_string((const char *)
		    sqlite3_column_text(st, 4)));
		json_array_append_new(list, a);
	}
	sqlite3_reset(st);
	json_object_set_new(d, "Attempts", list);
	return rc == SQLITE_DONE ? 0 : -1;
}

#define STORE_OUTBOX_SUMMARY "id, kind, type, message_id, topic_arn, " \
	"subscription_arn, endpoint, raw, state, timestamp_ms, " \
	"next_attempt_ms, account_id, region"

/* The summary of the row st is on (columns STORE_OUTBOX_SUMMARY). */
static json_t *
store_outbox_summary(sqlite3_stmt *st)
{
	char ts[WIRE_TIMESTAMP_MAX_BYTES], next[WIRE_TIMESTAMP_MAX_BYTES];
	const char *state = (const char *)sqlite3_column_text(st, 8);
	json_t *d;

	wire_timestamp_iso(sqlite3_column_int64(st, 9), ts);
	wire_timestamp_iso(sqlite3_column_int64(st, 10), next);
	d = json_pack("{s:I,s:s,s:s,s:s,s:s}",
	    "Id", (json_int_t)sqlite3_column_int64(st, 0),
	    "Kind", (const char *)sqlite3_column_text(st, 1),
	    "Type", (const char *)sqlite3_column_text(st, 2),
	    "MessageId", (const char *)sqlite3_column_text(st, 3),
	    "TopicArn", (const char *)sqlite3_column_text(st, 4));
	json_object_set_new(d, "SubscriptionArn", sqlite3_column_type(st, 5) ==
	    SQLITE_NULL ? json_null() : json_string((const char *)
	    sqlite3_column_text(st, 5)));
	json_object_set_new(d, "Endpoint", json_string((const char *)
	    sqlite3_column_text(st, 6)));
	json_object_set_new(d, "RawMessageDelivery",
	    json_boolean(sqlite3_column_int(st, 7)));
	json_object_set_new(d, "State", json_string(state));
	json_object_set_new(d, "Timestamp", json_string(ts));
	json_object_set_new(d, "Account", json_string((const char *)
	    sqlite3_column_text(st, 11)));
	json_object_set_new(d, "Region", json_string((const char *)
	    sqlite3_column_text(st, 12)));
	json_object_set_new(d, "NextAttempt", strcmp(state, "queued") == 0 ?
	    json_string(next) : json_null());
	return d;
}

json_t *
store_outbox_list(struct store *s, const char *const *kinds,
    const char *topic_arn, size_t limit)
{
	/* NULL ?1 / ?2: any topic / any kind. */
	static const char sql[] = "SELECT " STORE_OUTBOX_SUMMARY " FROM "
	    "outbox WHERE (?1 IS NULL OR topic_arn = ?1) AND (?2 IS NULL OR "
	    "kind IN (?2, ?3, ?4)) ORDER BY id DESC LIMIT ?5";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list;
	int64_t *ids = NULL;
	size_t n = 0, i;
	int rc;

	if (st == NULL)
		return NULL;
	store_bind_text(st, 1, topic_arn);
	for (i = 0; kinds != NULL && kinds[i] != NULL &&
	    i < STORE_OUTBOX_KINDS_MAX; i++)
		store_bind_text(st, 2 + (int)i, kinds[i]);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)limit);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_array_append_new(list, store_outbox_summary(st));
		ids = xrealloc(ids, (n + 1) * sizeof(*ids));
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	for (i = 0; rc == SQLITE_DONE && i < n; i++)
		if (store_outbox_attempts(s, ids[i], json_array_get(list, i)) !=
		    0)
			rc = SQLITE_ERROR;
	free(ids);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *
store_outbox_get_json(struct store *s, int64_t id)
{
	static const char sql[] = "SELECT " STORE_OUTBOX_SUMMARY " FROM "
	    "outbox WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *d = NULL;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		d = store_outbox_summary(st);
	sqlite3_reset(st);
	if (d != NULL && store_outbox_attempts(s, id, d) != 0) {
		json_decref(d);
		d = NULL;
	}
	return d;
}
