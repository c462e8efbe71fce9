/*
 * store_capture — the capture store's SQL (see store_capture.h).
 *
 * Every filter is a term of one static WHERE clause ("?N IS NULL OR ..."),
 * so the listing and the delete are two cached statements whatever the
 * combination. Only the time range and the paging key use the index
 * (capture_by_time, read backwards); the other terms are checked on the
 * narrow capture rows as the index walk meets them, which stays within a
 * few milliseconds for tens of thousands of messages (make bench).
 */
#include "store_capture.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmem.h"

#define STORE_CAPTURE_COLUMNS \
	"c.id, c.message_id, c.account_id, c.region, c.kind, c.created_ms, " \
	"c.api, c.operation, c.configuration_set, c.source, c.subject, " \
	"c.destinations, c.tags, c.size, c.read, coalesce((SELECT " \
	"group_concat(type, char(10)) || char(10) FROM (SELECT type, " \
	"min(id) AS first FROM event e WHERE e.message_id = c.message_id " \
	"GROUP BY type ORDER BY first)), '')"

/*
 * ?1 account, ?2 region, ?3 kind, ?4 api, ?5 operation, ?6 configuration
 * set, ?7 to, ?8 from, ?9 subject and ?10 q (LIKE patterns), ?11 event,
 * ?12 and ?13 tag name and value, ?14..?15 the created_ms range, ?16 and
 * ?17 the paging key, ?18 to as a LIKE pattern. LIKE is ASCII
 * case-insensitive and, unlike instr(lower(...)), copies nothing per row.
 * The patterns on the destinations' JSON text are quick rejections;
 * json_each confirms what they let through.
 */
#define STORE_CAPTURE_WHERE \
	"c.created_ms BETWEEN ?14 AND ?15 AND (c.created_ms < ?16 OR " \
	"c.id < ?17) " \
	"AND (?1 IS NULL OR c.account_id = ?1) " \
	"AND (?2 IS NULL OR c.region = ?2) " \
	"AND (?3 IS NULL OR c.kind = ?3) " \
	"AND (?4 IS NULL OR c.api = ?4) " \
	"AND (?5 IS NULL OR c.operation = ?5) " \
	"AND (?6 IS NULL OR c.configuration_set = ?6) " \
	"AND (?7 IS NULL OR (c.destinations LIKE ?18 ESCAPE '\\' " \
	"AND EXISTS (SELECT 1 FROM json_each(c.destinations) " \
	"WHERE lower(value) = lower(?7)))) " \
	"AND (?8 IS NULL OR c.source LIKE ?8 ESCAPE '\\') " \
	"AND (?9 IS NULL OR c.subject LIKE ?9 ESCAPE '\\') " \
	"AND (?10 IS NULL OR c.subject LIKE ?10 ESCAPE '\\' OR " \
	"c.source LIKE ?10 ESCAPE '\\' OR " \
	"(c.destinations LIKE ?10 ESCAPE '\\' " \
	"AND EXISTS (SELECT 1 FROM json_each(c.destinations) " \
	"WHERE value LIKE ?10 ESCAPE '\\'))) " \
	"AND (?11 IS NULL OR EXISTS (SELECT 1 FROM event e WHERE " \
	"e.message_id = c.message_id AND e.type = ?11)) " \
	"AND (?12 IS NULL OR (instr(c.tags, ?13) > 0 " \
	"AND EXISTS (SELECT 1 FROM json_each(c.tags) t, json_each(t.value) v " \
	"WHERE t.key = ?12 AND v.value = ?13)))"

/* Binds "%s%" as a LIKE pattern matching s anywhere (s's own %, _ and \
 * escaped), or NULL. */
static void
store_capture_bind_like(sqlite3_stmt *st, int col, const char *s)
{
	char *p, *o;

	if (s == NULL) {
		sqlite3_bind_null(st, col);
		return;
	}
	o = p = xmalloc(2 * strlen(s) + 3);
	*o++ = '%';
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	*o++ = '%';
	*o = '\0';
	sqlite3_bind_text(st, col, p, -1, free);
}

void
store_capture_filter_init(struct store_capture_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->since_ms = INT64_MIN;
	f->until_ms = INT64_MAX;
	f->after_ms = INT64_MAX;
	f->after_id = 0;
}

/* Binds ?1..?18 from f. */
static void
store_capture_bind(sqlite3_stmt *st, const struct store_capture_filter *f)
{
	store_bind_text(st, 1, f->account);
	store_bind_text(st, 2, f->region);
	store_bind_text(st, 3, f->kind);
	store_bind_text(st, 4, f->api);
	store_bind_text(st, 5, f->operation);
	store_bind_text(st, 6, f->configuration_set);
	store_bind_text(st, 7, f->to);
	store_capture_bind_like(st, 18, f->to);
	store_capture_bind_like(st, 8, f->from);
	store_capture_bind_like(st, 9, f->subject);
	store_capture_bind_like(st, 10, f->q);
	store_bind_text(st, 11, f->event);
	store_bind_text(st, 12, f->tag_value != NULL ? f->tag_name : NULL);
	store_bind_text(st, 13, f->tag_value);
	sqlite3_bind_int64(st, 14, f->since_ms);
	/* The paging key bounds the range from above too: the index seeks
	 * to it instead of walking down from the newest. */
	sqlite3_bind_int64(st, 15, f->until_ms < f->after_ms ? f->until_ms :
	    f->after_ms);
	sqlite3_bind_int64(st, 16, f->after_ms);
	sqlite3_bind_int64(st, 17, f->after_id);
}

static json_t *
store_capture_json(const char *text, const char *fallback)
{
	json_t *v = json_loads(text != NULL ? text : fallback, 0, NULL);

	return v != NULL ? v : json_loads(fallback, 0, NULL);
}

/* The summary of the row st is on (STORE_CAPTURE_COLUMNS first). */
static json_t *
store_capture_summary(sqlite3_stmt *st)
{
	const char *types = (const char *)sqlite3_column_text(st, 15);
	json_t *m, *list = json_array();
	const char *p, *nl;

	m = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:I}",
	    "MessageId", (const char *)sqlite3_column_text(st, 1),
	    "Account", (const char *)sqlite3_column_text(st, 2),
	    "Region", (const char *)sqlite3_column_text(st, 3),
	    "Kind", (const char *)sqlite3_column_text(st, 4),
	    "Source", (const char *)sqlite3_column_text(st, 9),
	    "Destinations", store_capture_json((const char *)
	    sqlite3_column_text(st, 11), "[]"),
	    "Subject", (const char *)sqlite3_column_text(st, 10),
	    "Timestamp", (json_int_t)sqlite3_column_int64(st, 5));
	if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
		json_object_set_new(m, "Api", json_string(
		    (const char *)sqlite3_column_text(st, 6)));
		json_object_set_new(m, "Operation", json_string(
		    (const char *)sqlite3_column_text(st, 7)));
		json_object_set_new(m, "Tags", store_capture_json((const char *)
		    sqlite3_column_text(st, 12), "{}"));
		if (sqlite3_column_type(st, 8) != SQLITE_NULL)
			json_object_set_new(m, "ConfigurationSet", json_string(
			    (const char *)sqlite3_column_text(st, 8)));
	}
	json_object_set_new(m, "Read", json_boolean(sqlite3_column_int(st,
	    14)));
	for (p = types != NULL ? types : ""; (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1)
		json_array_append_new(list, json_stringn(p, (size_t)(nl - p)));
	json_object_set_new(m, "EventTypes", list);
	json_object_set_new(m, "Size", json_integer(sqlite3_column_int64(st,
	    13)));
	return m;
}

json_t *
store_capture_list(struct store *s, const struct store_capture_filter *f,
    size_t limit, int *more, int64_t *last_ms, int64_t *last_id)
{
	static const char sql[] = "SELECT " STORE_CAPTURE_COLUMNS " FROM "
	    "capture c WHERE " STORE_CAPTURE_WHERE " ORDER BY c.created_ms "
	    "DESC, c.id DESC LIMIT ?19";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list;
	size_t n = 0;
	int rc;

	*more = 0;
	if (st == NULL)
		return NULL;
	store_capture_bind(st, f);
	/* One more than asked: whether another page follows. */
	sqlite3_bind_int64(st, 19, (sqlite3_int64)limit + 1);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit) {
			*more = 1;
			continue;
		}
		json_array_append_new(list, store_capture_summary(st));
		*last_id = sqlite3_column_int64(st, 0);
		*last_ms = sqlite3_column_int64(st, 5);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

long
store_capture_delete(struct store *s, const struct store_capture_filter *f)
{
	static const char sql[] = "DELETE FROM message WHERE rowid IN "
	    "(SELECT c.id FROM capture c WHERE " STORE_CAPTURE_WHERE ")";
	struct store_capture_filter all = *f;
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	all.after_ms = INT64_MAX;
	all.after_id = 0;
	store_capture_bind(st, &all);
	if (store_step_done(s, st) != 0)
		return -1;
	return store_changes(s);
}

int
store_capture_delete_one(struct store *s, const char *message_id)
{
	static const char sql[] = "DELETE FROM message WHERE message_id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	if (store_step_done(s, st) != 0)
		return -1;
	return store_changes(s) > 0 ? 0 : 1;
}

json_t *
store_capture_get(struct store *s, const char *message_id, int *missing)
{
	static const char sql[] = "SELECT " STORE_CAPTURE_COLUMNS ", m.raw "
	    "FROM message m JOIN capture c ON c.id = m.rowid WHERE "
	    "m.message_id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *m = NULL;
	int rc;

	*missing = 0;
	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		m = store_capture_summary(st);
		/* An empty blob reads back as NULL. */
		json_object_set_new(m, "Raw", sqlite3_column_bytes(st, 16) > 0 ?
		    json_stringn_nocheck(sqlite3_column_blob(st, 16),
		    (size_t)sqlite3_column_bytes(st, 16)) : json_string(""));
	} else if (rc == SQLITE_DONE) {
		*missing = 1;
	}
	sqlite3_reset(st);
	return m;
}

int
store_capture_read_set(struct store *s, const char *message_id, int read)
{
	static const char sql[] = "UPDATE capture SET read = ?2 WHERE id = "
	    "(SELECT rowid FROM message WHERE message_id = ?1)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, read != 0);
	if (store_step_done(s, st) != 0)
		return -1;
	return store_changes(s) > 0 ? 0 : 1;
}

/* How many messages there are at most, cheaply: ids (message rowids)
 * only grow, so their span bounds the count (deletes leave gaps). */
static long
store_capture_count_bound(struct store *s)
{
	static const char sql[] = "SELECT coalesce((SELECT max(id) FROM "
	    "capture) - (SELECT min(id) FROM capture) + 1, 0)";
	int64_t n;

	return store_int64(s, sql, 0, &n) == 0 ? (long)n : -1;
}

static long
store_capture_count(struct store *s)
{
	static const char sql[] = "SELECT count(*) FROM capture";
	int64_t n;

	return store_int64(s, sql, 0, &n) == 0 ? (long)n : -1;
}

/*
 * A message retention may take: none of its recipients waits in the
 * delivery queue and each of its events has been published, so pruning
 * never loses a delivery, an event or a notification under way.
 */
#define STORE_CAPTURE_SETTLED \
	"NOT EXISTS (SELECT 1 FROM recipient r WHERE r.message_id = " \
	"c.message_id AND r.state IN ('queued', 'feedback')) AND NOT EXISTS " \
	"(SELECT 1 FROM event e WHERE e.message_id = c.message_id AND e.id > " \
	"coalesce((SELECT last_event FROM publish_cursor), 0))"

long
store_capture_prune(struct store *s, long keep, int64_t before_ms,
    long batch)
{
	static const char oldest[] = "DELETE FROM message WHERE rowid IN "
	    "(SELECT c.id FROM (SELECT message_id, created_ms, id FROM "
	    "capture ORDER BY created_ms, id LIMIT ?1) c WHERE "
	    STORE_CAPTURE_SETTLED ")";
	static const char older[] = "DELETE FROM message WHERE rowid IN "
	    "(SELECT c.id FROM capture c WHERE c.created_ms < ?1 AND "
	    STORE_CAPTURE_SETTLED " ORDER BY c.created_ms, c.id LIMIT ?2)";
	sqlite3_stmt *st;
	long n, done = 0;

	if (keep > 0) {
		if ((n = store_capture_count_bound(s)) > keep)
			n = store_capture_count(s);
		if (n < 0)
			return -1;
		if (n > keep) {
			if ((st = store_stmt(s, oldest)) == NULL)
				return -1;
			sqlite3_bind_int64(st, 1, n - keep < batch ? n - keep :
			    batch);
			if (store_step_done(s, st) != 0)
				return -1;
			done = store_changes(s);
		}
	}
	if (before_ms != INT64_MIN && done < batch) {
		if ((st = store_stmt(s, older)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, before_ms);
		sqlite3_bind_int64(st, 2, batch - done);
		if (store_step_done(s, st) != 0)
			return -1;
		done += store_changes(s);
	}
	return done;
}

static int
store_capture_oldest(struct store *s, int64_t *created_ms)
{
	static const char sql[] = "SELECT min(created_ms) FROM capture";

	return store_int64(s, sql, INT64_MAX, created_ms);
}

int
store_capture_due(struct store *s, long keep, int64_t before_ms,
    int64_t *oldest_ms)
{
	long n;

	if (store_capture_oldest(s, oldest_ms) != 0)
		return -1;
	if (*oldest_ms == INT64_MAX)
		return 0;
	if (before_ms != INT64_MIN && *oldest_ms < before_ms)
		return 1;
	if (keep <= 0)
		return 0;
	if ((n = store_capture_count_bound(s)) <= keep)
		return n < 0 ? -1 : 0;
	if ((n = store_capture_count(s)) < 0)
		return -1;
	return n > keep;
}

/* The recipients message_id queued, in order, as [{Address, Kind}]. */
static json_t *
store_capture_recipients(struct store *s, const char *message_id)
{
	static const char sql[] = "SELECT address, kind FROM recipient WHERE "
	    "message_id = ?1 ORDER BY idx";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:s,s:s}", "Address",
		    (const char *)sqlite3_column_text(st, 0), "Kind",
		    (const char *)sqlite3_column_text(st, 1)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *
store_capture_localstack(struct store *s, const char *message_id,
    const char *source)
{
	static const char sql[] = "SELECT c.message_id, c.region, c.source, "
	    "c.subject, c.created_ms, c.operation, m.raw, c.destinations FROM "
	    "capture c JOIN message m ON m.rowid = c.id WHERE "
	    "c.kind = 'send' "
	    "AND (?1 IS NULL OR c.message_id = ?1) AND (?2 IS NULL OR "
	    "lower(c.source) = lower(?2)) ORDER BY c.created_ms, c.id";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list, *rows, *r, *rcpts;
	size_t i;
	int rc;

	if (st == NULL)
		return NULL;
	store_bind_text(st, 1, message_id);
	store_bind_text(st, 2, source);
	rows = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = json_pack("{s:s,s:s,s:s,s:s,s:I,s:o}",
		    "MessageId", (const char *)sqlite3_column_text(st, 0),
		    "Region", (const char *)sqlite3_column_text(st, 1),
		    "Source", (const char *)sqlite3_column_text(st, 2),
		    "Subject", (const char *)sqlite3_column_text(st, 3),
		    "Timestamp", (json_int_t)sqlite3_column_int64(st, 4),
		    "Operation", sqlite3_column_type(st, 5) != SQLITE_NULL ?
		    json_string((const char *)sqlite3_column_text(st, 5)) :
		    json_null());
		json_object_set_new(r, "Raw", sqlite3_column_bytes(st, 6) > 0 ?
		    json_stringn_nocheck(sqlite3_column_blob(st, 6),
		    (size_t)sqlite3_column_bytes(st, 6)) : json_string(""));
		json_object_set_new(r, "Destinations", store_capture_json(
		    (const char *)sqlite3_column_text(st, 7), "[]"));
		json_array_append_new(rows, r);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(rows);
		return NULL;
	}
	/* The recipient statement after the listing's: one at a time. */
	list = rows;
	json_array_foreach(list, i, r) {
		if ((rcpts = store_capture_recipients(s, json_string_value(
		    json_object_get(r, "MessageId")))) == NULL) {
			json_decref(list);
			return NULL;
		}
		json_object_set_new(r, "Recipients", rcpts);
	}
	return list;
}

long
store_capture_localstack_delete(struct store *s, const char *message_id)
{
	static const char sql[] = "DELETE FROM message WHERE kind = 'send' "
	    "AND (?1 IS NULL OR message_id = ?1)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, message_id);
	if (store_step_done(s, st) != 0)
		return -1;
	return store_changes(s);
}
