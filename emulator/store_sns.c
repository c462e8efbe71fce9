/*
 * store_sns — SNS's SQL (see store_sns.h).
 */
#include "store_sns.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
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

json_t *
store_sns_delivery_list(struct store *s, const char *topic_arn, size_t limit)
{
	static const char *const kinds[] = { STORE_OUTBOX_SNS,
	    STORE_OUTBOX_SNS_PUBLISH, NULL };

	return store_outbox_list(s, kinds, topic_arn, limit);
}
