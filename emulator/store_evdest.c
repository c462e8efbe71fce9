/*
 * store_evdest — configuration-set event destination rows (see
 * store_evdest.h).
 */
#include "store_evdest.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmem.h"

void
store_evdest_fini(struct store_evdest *d)
{
	free(d->name);
	free(d->event_types);
	free(d->destination);
	memset(d, 0, sizeof(*d));
}

/* Fills d from a row of name, enabled, matching_event_types, destination,
 * created_ms, updated_ms. */
static void
store_evdest_row(sqlite3_stmt *st, struct store_evdest *d)
{
	d->name = store_text_dup(st, 0);
	d->enabled = sqlite3_column_int(st, 1);
	d->event_types = store_text_dup(st, 2);
	d->destination = store_text_dup(st, 3);
	d->created_ms = sqlite3_column_int64(st, 4);
	d->updated_ms = sqlite3_column_int64(st, 5);
}

int
store_evdest_get(struct store *s, const char *account, const char *region,
    const char *cs, const char *name, struct store_evdest *out)
{
	static const char sql[] = "SELECT name, enabled, "
	    "matching_event_types, destination, created_ms, updated_ms FROM "
	    "event_destination WHERE account_id = ?1 AND region = ?2 AND "
	    "configuration_set = ?3 AND name = ?4";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, cs, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_evdest_row(st, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_evdest_put(struct store *s, const char *account, const char *region,
    const char *cs, const struct store_evdest *d)
{
	static const char sql[] = "INSERT INTO event_destination (account_id, "
	    "region, configuration_set, name, enabled, matching_event_types, "
	    "destination, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9) ON CONFLICT (account_id, region, "
	    "configuration_set, name) DO UPDATE SET enabled = ?5, "
	    "matching_event_types = ?6, destination = ?7, updated_ms = ?9";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, cs);
	store_bind_text(st, 4, d->name);
	sqlite3_bind_int(st, 5, d->enabled != 0);
	store_bind_text(st, 6, d->event_types);
	store_bind_text(st, 7, d->destination);
	sqlite3_bind_int64(st, 8, d->created_ms);
	sqlite3_bind_int64(st, 9, d->updated_ms);
	return store_step_done(s, st);
}

int
store_evdest_delete(struct store *s, const char *account, const char *region,
    const char *cs, const char *name)
{
	static const char sql[] = "DELETE FROM event_destination WHERE "
	    "account_id = ?1 AND region = ?2 AND configuration_set = ?3 AND "
	    "name = ?4";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, cs, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	if (store_step_done(s, st) != 0)
		return -1;
	return store_changes(s);
}

long
store_evdest_count(struct store *s, const char *account, const char *region,
    const char *cs)
{
	static const char sql[] = "SELECT count(*) FROM event_destination "
	    "WHERE account_id = ?1 AND region = ?2 AND configuration_set = ?3";

	return store_count_keyed(s, sql, account, region, cs);
}

long
store_evdest_list(struct store *s, const char *account, const char *region,
    const char *cs, struct store_evdest **out)
{
	static const char sql[] = "SELECT name, enabled, "
	    "matching_event_types, destination, created_ms, updated_ms FROM "
	    "event_destination WHERE account_id = ?1 AND region = ?2 AND "
	    "configuration_set = ?3 ORDER BY name";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct store_evdest *v = NULL, *d;
	size_t n = 0;
	int rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, cs, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (n + 1) * sizeof(*v));
		d = &v[n++];
		memset(d, 0, sizeof(*d));
		store_evdest_row(st, d);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_evdests_free(v, n);
		return -1;
	}
	*out = v;
	return (long)n;
}

void
store_evdests_free(struct store_evdest *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_evdest_fini(&v[i]);
	free(v);
}
