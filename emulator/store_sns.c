/*
 * store_sns — SNS's SQL (see store_sns.h).
 */
#include "store_sns.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "wire.h"
#include "xmem.h"

void
store_sns_topic_fini(struct store_sns_topic *t)
{
	free(t->name);
	free(t->display_name);
	free(t->signature_version);
	memset(t, 0, sizeof(*t));
}

void
store_sns_sub_fini(struct store_sns_sub *sub)
{
	free(sub->account);
	free(sub->region);
	free(sub->id);
	free(sub->topic);
	free(sub->protocol);
	free(sub->endpoint);
	free(sub->state);
	free(sub->token);
	memset(sub, 0, sizeof(*sub));
}

void
store_sns_delivery_fini(struct store_sns_delivery *d)
{
	free(d->account);
	free(d->region);
	free(d->type);
	free(d->message_id);
	free(d->topic_arn);
	free(d->subscription_arn);
	free(d->endpoint);
	free(d->signature_version);
	free(d->subject);
	free(d->message);
	free(d->token);
	memset(d, 0, sizeof(*d));
}

/* ---- topics ---- */

int
store_sns_topic_get(struct store *s, const char *account, const char *region,
    const char *name, struct store_sns_topic *out)
{
	static const char sql[] = "SELECT name, display_name, "
	    "signature_version, created_ms FROM sns_topic WHERE account_id = "
	    "?1 AND region = ?2 AND name = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, name);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->name = store_text_dup(st, 0);
		out->display_name = store_text_dup(st, 1);
		out->signature_version = store_text_dup(st, 2);
		out->created_ms = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_sns_topic_insert(struct store *s, const char *account,
    const char *region, const struct store_sns_topic *t)
{
	static const char sql[] = "INSERT INTO sns_topic (account_id, region, "
	    "name, display_name, signature_version, created_ms) VALUES (?1, "
	    "?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, t->name);
	store_bind_text(st, 4, t->display_name ? t->display_name : "");
	store_bind_text(st, 5, t->signature_version);
	sqlite3_bind_int64(st, 6, t->created_ms);
	return store_step_done(s, st);
}

int
store_sns_topic_update(struct store *s, const char *account,
    const char *region, const struct store_sns_topic *t)
{
	static const char sql[] = "UPDATE sns_topic SET display_name = ?4, "
	    "signature_version = ?5 WHERE account_id = ?1 AND region = ?2 AND "
	    "name = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, t->name);
	store_bind_text(st, 4, t->display_name ? t->display_name : "");
	store_bind_text(st, 5, t->signature_version);
	return store_step_done(s, st);
}

int
store_sns_topic_delete(struct store *s, const char *account,
    const char *region, const char *name)
{
	static const char subs[] = "DELETE FROM sns_subscription WHERE "
	    "account_id = ?1 AND region = ?2 AND topic = ?3";
	static const char topic[] = "DELETE FROM sns_topic WHERE account_id = "
	    "?1 AND region = ?2 AND name = ?3";

	if (store_exec_keyed(s, subs, account, region, name) < 0)
		return -1;
	return store_exec_keyed(s, topic, account, region, name);
}

json_t *
store_sns_topic_names(struct store *s, const char *account,
    const char *region, const char *after, size_t limit)
{
	static const char sql[] = "SELECT name FROM sns_topic WHERE account_id "
	    "= ?1 AND region = ?2 AND name > ?3 ORDER BY name LIMIT ?4";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, after ? after : "");
	sqlite3_bind_int64(st, 4, (sqlite3_int64)limit);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_string((const char *)
		    sqlite3_column_text(st, 0)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* ---- subscriptions ---- */

#define STORE_SNS_SUB_COLUMNS "account_id, region, id, topic, protocol, " \
	"endpoint, state, token, raw, authenticated, " \
	"authenticate_unsubscribe, created_ms"

static void
store_sns_sub_read(sqlite3_stmt *st, struct store_sns_sub *out)
{
	out->account = store_text_dup(st, 0);
	out->region = store_text_dup(st, 1);
	out->id = store_text_dup(st, 2);
	out->topic = store_text_dup(st, 3);
	out->protocol = store_text_dup(st, 4);
	out->endpoint = store_text_dup(st, 5);
	out->state = store_text_dup(st, 6);
	out->token = store_text_dup(st, 7);
	out->raw = sqlite3_column_int(st, 8);
	out->authenticated = sqlite3_column_int(st, 9);
	out->authenticate_unsubscribe = sqlite3_column_int(st, 10);
	out->created_ms = sqlite3_column_int64(st, 11);
}

/* Steps st (bound) for at most one row into out: 0, 1 (none) or -1. */
static int
store_sns_sub_one(sqlite3_stmt *st, struct store_sns_sub *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		store_sns_sub_read(st, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_sns_sub_insert(struct store *s, const struct store_sns_sub *sub)
{
	static const char sql[] = "INSERT INTO sns_subscription ("
	    STORE_SNS_SUB_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11, ?12)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, sub->account, sub->region);
	store_bind_text(st, 3, sub->id);
	store_bind_text(st, 4, sub->topic);
	store_bind_text(st, 5, sub->protocol);
	store_bind_text(st, 6, sub->endpoint);
	store_bind_text(st, 7, sub->state);
	store_bind_text(st, 8, sub->token);
	sqlite3_bind_int(st, 9, sub->raw != 0);
	sqlite3_bind_int(st, 10, sub->authenticated != 0);
	sqlite3_bind_int(st, 11, sub->authenticate_unsubscribe != 0);
	sqlite3_bind_int64(st, 12, sub->created_ms);
	return store_step_done(s, st);
}

int
store_sns_sub_get(struct store *s, const char *account, const char *region,
    const char *id, struct store_sns_sub *out)
{
	static const char sql[] = "SELECT " STORE_SNS_SUB_COLUMNS " FROM "
	    "sns_subscription WHERE account_id = ?1 AND region = ?2 AND id = "
	    "?3";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, id);
	return store_sns_sub_one(st, out);
}

int
store_sns_sub_find(struct store *s, const char *account, const char *region,
    const char *topic, const char *protocol, const char *endpoint,
    struct store_sns_sub *out)
{
	static const char sql[] = "SELECT " STORE_SNS_SUB_COLUMNS " FROM "
	    "sns_subscription WHERE account_id = ?1 AND region = ?2 AND "
	    "topic = ?3 AND protocol = ?4 AND endpoint = ?5 AND state != "
	    "'deleted' LIMIT 1";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, topic);
	store_bind_text(st, 4, protocol);
	store_bind_text(st, 5, endpoint);
	return store_sns_sub_one(st, out);
}

int
store_sns_sub_by_token(struct store *s, const char *token,
    struct store_sns_sub *out)
{
	static const char sql[] = "SELECT " STORE_SNS_SUB_COLUMNS " FROM "
	    "sns_subscription WHERE token = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, token);
	return store_sns_sub_one(st, out);
}

int
store_sns_sub_update(struct store *s, const struct store_sns_sub *sub)
{
	static const char sql[] = "UPDATE sns_subscription SET state = ?4, "
	    "token = ?5, raw = ?6, authenticated = ?7 WHERE account_id = ?1 "
	    "AND region = ?2 AND id = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, sub->account, sub->region);
	store_bind_text(st, 3, sub->id);
	store_bind_text(st, 4, sub->state);
	store_bind_text(st, 5, sub->token);
	sqlite3_bind_int(st, 6, sub->raw != 0);
	sqlite3_bind_int(st, 7, sub->authenticated != 0);
	return store_step_done(s, st);
}

long
store_sns_sub_list(struct store *s, const char *account, const char *region,
    const char *topic, const char *state, const char *after_topic,
    const char *after_id, size_t limit, struct store_sns_sub **out)
{
	/* NULL ?3 / ?4 match any topic / any live state. */
	static const char sql[] = "SELECT " STORE_SNS_SUB_COLUMNS " FROM "
	    "sns_subscription WHERE account_id = ?1 AND region = ?2 AND "
	    "(?3 IS NULL OR topic = ?3) AND state != 'deleted' AND (?4 IS NULL "
	    "OR state = ?4) AND (topic > ?5 OR (topic = ?5 AND id > ?6)) "
	    "ORDER BY topic, id LIMIT ?7";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct store_sns_sub *v = NULL;
	size_t n = 0, cap = 0, i;
	int rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, topic);
	store_bind_text(st, 4, state);
	store_bind_text(st, 5, after_topic ? after_topic : "");
	store_bind_text(st, 6, after_topic ? (after_id ? after_id : "") :
	    "");
	sqlite3_bind_int64(st, 7, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		memset(&v[n], 0, sizeof(v[n]));
		store_sns_sub_read(st, &v[n++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		for (i = 0; i < n; i++)
			store_sns_sub_fini(&v[i]);
		free(v);
		return -1;
	}
	*out = v;
	return (long)n;
}

int
store_sns_sub_counts(struct store *s, const char *account, const char *region,
    const char *topic, long counts[3])
{
	static const char sql[] = "SELECT coalesce(sum(state = 'confirmed'), "
	    "0), coalesce(sum(state = 'pending'), 0), coalesce(sum(state = "
	    "'deleted'), 0) FROM sns_subscription WHERE account_id = ?1 AND "
	    "region = ?2 AND topic = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc, i;

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, topic);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (i = 0; i < 3; i++)
			counts[i] = (long)sqlite3_column_int64(st, i);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* ---- deliveries ---- */

int
store_sns_delivery_insert(struct store *s, const struct store_sns_delivery *d)
{
	static const char sql[] = "INSERT INTO sns_delivery (account_id, "
	    "region, type, message_id, topic_arn, subscription_arn, endpoint, "
	    "raw, signature_version, subject, message, token, timestamp_ms, "
	    "next_attempt_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12, ?13, ?14)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, d->account, d->region);
	store_bind_text(st, 3, d->type);
	store_bind_text(st, 4, d->message_id);
	store_bind_text(st, 5, d->topic_arn);
	store_bind_text(st, 6, d->subscription_arn);
	store_bind_text(st, 7, d->endpoint);
	sqlite3_bind_int(st, 8, d->raw != 0);
	store_bind_text(st, 9, d->signature_version);
	store_bind_text(st, 10, d->subject);
	store_bind_text(st, 11, d->message);
	store_bind_text(st, 12, d->token);
	sqlite3_bind_int64(st, 13, d->timestamp_ms);
	sqlite3_bind_int64(st, 14, d->next_attempt_ms);
	return store_step_done(s, st);
}

long
store_sns_delivery_claim(struct store *s, int64_t now_ms, size_t max,
    struct store_sns_delivery **out)
{
	/* sns_delivery_due (state, next_attempt_ms) serves the scan. */
	static const char due[] = "SELECT id, account_id, region, type, "
	    "message_id, topic_arn, subscription_arn, endpoint, raw, "
	    "signature_version, subject, message, token, timestamp_ms, "
	    "attempts, next_attempt_ms FROM sns_delivery WHERE state = "
	    "'queued' AND next_attempt_ms <= ?1 ORDER BY next_attempt_ms, id "
	    "LIMIT ?2";
	static const char take[] = "UPDATE sns_delivery SET state = "
	    "'sending', attempts = attempts + 1 WHERE id = ?1";
	struct store_sns_delivery *v = NULL, *d;
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
		d = &v[n++];
		d->id = sqlite3_column_int64(st, 0);
		d->account = store_text_dup(st, 1);
		d->region = store_text_dup(st, 2);
		d->type = store_text_dup(st, 3);
		d->message_id = store_text_dup(st, 4);
		d->topic_arn = store_text_dup(st, 5);
		d->subscription_arn = store_text_dup(st, 6);
		d->endpoint = store_text_dup(st, 7);
		d->raw = sqlite3_column_int(st, 8);
		d->signature_version = store_text_dup(st, 9);
		d->subject = store_text_dup(st, 10);
		d->message = store_text_dup(st, 11);
		d->token = store_text_dup(st, 12);
		d->timestamp_ms = sqlite3_column_int64(st, 13);
		d->attempts = sqlite3_column_int(st, 14) + 1;
		d->next_attempt_ms = sqlite3_column_int64(st, 15);
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
		store_sns_delivery_fini(&v[i]);
	free(v);
	return -1;
}

int
store_sns_delivery_settle(struct store *s, const struct store_sns_delivery *d,
    int64_t at_ms, const char *status, int http_status, const char *error,
    int64_t next_ms)
{
	static const char attempt[] = "INSERT OR REPLACE INTO sns_attempt "
	    "(delivery_id, attempt, at_ms, status, http_status, error) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6)";
	static const char update[] = "UPDATE sns_delivery SET state = ?2, "
	    "next_attempt_ms = ?3 WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(s, attempt);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, d->id);
	sqlite3_bind_int(st, 2, d->attempts);
	sqlite3_bind_int64(st, 3, at_ms);
	store_bind_text(st, 4, status);
	if (http_status > 0)
		sqlite3_bind_int(st, 5, http_status);
	store_bind_text(st, 6, error);
	if (store_step_done(s, st) != 0 || (st = store_stmt(s, update)) ==
	    NULL)
		return -1;
	sqlite3_bind_int64(st, 1, d->id);
	store_bind_text(st, 2, strcmp(status, "retry") == 0 ? "queued" :
	    status);
	sqlite3_bind_int64(st, 3, next_ms);
	return store_step_done(s, st);
}

int
store_sns_delivery_next_due(struct store *s, int64_t *due)
{
	static const char sql[] = "SELECT min(next_attempt_ms) FROM "
	    "sns_delivery WHERE state = 'queued'";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	*due = INT64_MAX;
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		*due = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_sns_delivery_recover(struct store *s)
{
	static const char sql[] = "UPDATE sns_delivery SET state = 'queued', "
	    "attempts = attempts - 1 WHERE state = 'sending'";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL || store_step_done(s, st) != 0)
		return -1;
	return store_changes(s);
}

/* Adds the attempts of delivery id to its JSON summary d. */
static int
store_sns_attempts(struct store *s, int64_t id, json_t *d)
{
	static const char sql[] = "SELECT attempt, at_ms, status, http_status, "
	    "error FROM sns_attempt WHERE delivery_id = ?1 ORDER BY attempt";
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

json_t *
store_sns_delivery_list(struct store *s, const char *topic_arn, size_t limit)
{
	static const char sql[] = "SELECT id, type, message_id, topic_arn, "
	    "subscription_arn, endpoint, raw, state, timestamp_ms, "
	    "next_attempt_ms, account_id, region FROM sns_delivery WHERE (?1 "
	    "IS NULL OR topic_arn = ?1) ORDER BY id DESC LIMIT ?2";
	char ts[WIRE_TIMESTAMP_MAX_BYTES], next[WIRE_TIMESTAMP_MAX_BYTES];
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list, *d;
	int64_t *ids = NULL;
	size_t n = 0, i;
	int rc;

	if (st == NULL)
		return NULL;
	store_bind_text(st, 1, topic_arn);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 7);

		wire_timestamp_iso(sqlite3_column_int64(st, 8), ts);
		wire_timestamp_iso(sqlite3_column_int64(st, 9), next);
		d = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:s}",
		    "Id", (json_int_t)sqlite3_column_int64(st, 0),
		    "Type", (const char *)sqlite3_column_text(st, 1),
		    "MessageId", (const char *)sqlite3_column_text(st, 2),
		    "TopicArn", (const char *)sqlite3_column_text(st, 3),
		    "SubscriptionArn", (const char *)sqlite3_column_text(st, 4),
		    "Endpoint", (const char *)sqlite3_column_text(st, 5),
		    "RawMessageDelivery", sqlite3_column_int(st, 6),
		    "State", state, "Timestamp", ts,
		    "Account", (const char *)sqlite3_column_text(st, 10),
		    "Region", (const char *)sqlite3_column_text(st, 11));
		json_object_set_new(d, "NextAttempt", strcmp(state, "queued")
		    == 0 ? json_string(next) : json_null());
		json_array_append_new(list, d);
		ids = xrealloc(ids, (n + 1) * sizeof(*ids));
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	for (i = 0; rc == SQLITE_DONE && i < n; i++)
		if (store_sns_attempts(s, ids[i], json_array_get(list, i)) != 0)
			rc = SQLITE_ERROR;
	free(ids);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}
