/*
 * store_queue — the delivery queue's SQL (see store_queue.h).
 */
#include "store_queue.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_send.h"
#include "xmem.h"

/* What a claimed row is read from (store_queue_row_read's columns). */
#define STORE_QUEUE_COLUMNS "r.message_id, r.idx, r.address, r.state, " \
	"r.attempts, m.account_id, m.region, m.source, m.created_ms, " \
	"m.verdict, m.configuration_set, " \
	"json_extract(c.delivery, '$.MaxDeliverySeconds'), " \
	"json_extract(c.delivery, '$.TlsPolicy') = 'REQUIRE' " \
	"FROM recipient r JOIN message m USING (message_id) " \
	"LEFT JOIN configuration_set c ON c.account_id = m.account_id AND " \
	"c.region = m.region AND c.name = m.configuration_set"

void
store_queue_row_fini(struct store_queue_row *r)
{
	free(r->message_id);
	free(r->address);
	free(r->state);
	free(r->account);
	free(r->region);
	free(r->source);
	free(r->verdict);
	free(r->configuration_set);
}

static void
store_queue_row_read(sqlite3_stmt *st, struct store_queue_row *r)
{
	r->message_id = store_text_dup(st, 0);
	r->idx = sqlite3_column_int(st, 1);
	r->address = store_text_dup(st, 2);
	r->state = store_text_dup(st, 3);
	r->attempts = sqlite3_column_int(st, 4);
	r->account = store_text_dup(st, 5);
	r->region = store_text_dup(st, 6);
	r->source = store_text_dup(st, 7);
	r->created_ms = sqlite3_column_int64(st, 8);
	r->verdict = store_text_dup(st, 9);
	r->configuration_set = store_text_dup(st, 10);
	r->max_delivery_ms = sqlite3_column_int64(st, 11) * 1000;
	r->tls_required = sqlite3_column_int(st, 12);
}

long
store_queue_claim(struct store *s, int64_t now_ms, size_t max,
    struct store_queue_row **out)
{
	/* recipient_due (state, next_attempt_ms) serves each state. */
	static const char due[] = "SELECT " STORE_QUEUE_COLUMNS " WHERE "
	    "r.state IN ('queued', 'feedback') AND r.next_attempt_ms <= ?1 "
	    "ORDER BY r.next_attempt_ms, r.message_id, r.idx LIMIT ?2";
	static const char rest[] = "SELECT " STORE_QUEUE_COLUMNS " WHERE "
	    "r.message_id = ?1 AND r.idx > ?2 AND r.state IN ('queued', "
	    "'feedback') AND r.next_attempt_ms <= ?3 ORDER BY r.idx";
	struct store_queue_row *v = NULL;
	sqlite3_stmt *st;
	size_t n = 0, cap = 0, i;
	int rc, pass;

	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && n == 0)
			break;
		st = store_stmt(s, pass == 0 ? due : rest);
		if (st == NULL)
			goto fail;
		if (pass == 0) {
			sqlite3_bind_int64(st, 1, now_ms);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
		} else {
			/* v[n - 1] is copied: the array may move below. */
			char *mid = xstrdup(v[n - 1].message_id);
			int idx = v[n - 1].idx;

			sqlite3_bind_text(st, 1, mid, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(st, 2, idx);
			sqlite3_bind_int64(st, 3, now_ms);
			free(mid);
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				v = xrealloc(v, cap * sizeof(*v));
			}
			store_queue_row_read(st, &v[n++]);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	*out = v;
	return (long)n;
fail:
	for (i = 0; i < n; i++)
		store_queue_row_fini(&v[i]);
	free(v);
	*out = NULL;
	return -1;
}

int
store_queue_settle(struct store *s, const struct store_queue_row *r,
    const char *state, int64_t next_ms)
{
	static const char sql[] = "UPDATE recipient SET state = ?3, "
	    "next_attempt_ms = ?4, attempts = attempts + ?5 WHERE message_id = "
	    "?1 AND idx = ?2";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, r->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->idx);
	sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, next_ms);
	sqlite3_bind_int(st, 5, strcmp(r->state, "queued") == 0);
	return store_step_done(s, st);
}

int
store_queue_lease(struct store *s, const struct store_queue_row *r)
{
	static const char sql[] = "UPDATE recipient SET state = 'sending' "
	    "WHERE message_id = ?1 AND idx = ?2";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, r->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->idx);
	return store_step_done(s, st);
}

int
store_queue_leased(struct store *s, const struct store_queue_row *r)
{
	static const char sql[] = "SELECT 1 FROM recipient WHERE message_id "
	    "= ?1 AND idx = ?2 AND state = 'sending'";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, r->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->idx);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_queue_recover(struct store *s)
{
	static const char sql[] = "UPDATE recipient SET state = 'queued' "
	    "WHERE state = 'sending'";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL || store_step_done(s, st) != 0)
		return -1;
	return sqlite3_changes(store_db(s));
}

int
store_queue_raw(struct store *s, const char *message_id, char **raw,
    size_t *len)
{
	static const char sql[] = "SELECT raw FROM message WHERE message_id "
	    "= ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		*raw = xmalloc(*len + 1);
		if (*len > 0)
			memcpy(*raw, sqlite3_column_blob(st, 0), *len);
		(*raw)[*len] = '\0';
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_queue_next_due(struct store *s, int64_t *due)
{
	static const char sql[] = "SELECT min(next_attempt_ms) FROM recipient "
	    "WHERE state IN ('queued', 'feedback')";

	return store_int64(s, sql, INT64_MAX, due);
}

int
store_stats_feedback(struct store *s, const char *account,
    const char *region, int64_t ts_ms, int bounces, int complaints,
    int rejects)
{
	static const char sql[] = "INSERT INTO send_stats (account_id, region, "
	    "bucket_ms, bounces, complaints, rejects) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6) ON CONFLICT (account_id, region, bucket_ms) DO UPDATE SET "
	    "bounces = bounces + ?4, complaints = complaints + ?5, rejects = "
	    "rejects + ?6";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_int64(st, 3, ts_ms - ts_ms % STORE_STATS_BUCKET_MS);
	sqlite3_bind_int(st, 4, bounces);
	sqlite3_bind_int(st, 5, complaints);
	sqlite3_bind_int(st, 6, rejects);
	return store_step_done(s, st);
}
