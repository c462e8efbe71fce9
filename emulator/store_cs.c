/*
 * store_cs — configuration set rows (see store_cs.h).
 */
#include "store_cs.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmem.h"

void
store_cs_fini(struct store_cs *c)
{
	free(c->name);
	free(c->tracking);
	free(c->delivery);
	free(c->suppression);
	free(c->vdm);
	free(c->archiving);
	memset(c, 0, sizeof(*c));
	c->last_fresh_start_ms = -1;
}

int
store_cs_get(struct store *s, const char *account, const char *region,
    const char *name, struct store_cs *out)
{
	static const char sql[] = "SELECT name, created_ms, sending_enabled, "
	    "reputation_metrics_enabled, last_fresh_start_ms, tracking, "
	    "delivery, suppression, vdm, archiving FROM configuration_set "
	    "WHERE account_id = ?1 AND region = ?2 AND name = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	memset(out, 0, sizeof(*out));
	out->last_fresh_start_ms = -1;
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->name = store_text_dup(st, 0);
		out->created_ms = sqlite3_column_int64(st, 1);
		out->sending_enabled = sqlite3_column_int(st, 2);
		out->reputation_metrics_enabled = sqlite3_column_int(st, 3);
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			out->last_fresh_start_ms = sqlite3_column_int64(st, 4);
		out->tracking = store_text_dup(st, 5);
		out->delivery = store_text_dup(st, 6);
		out->suppression = store_text_dup(st, 7);
		out->vdm = store_text_dup(st, 8);
		out->archiving = store_text_dup(st, 9);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_cs_put(struct store *s, const char *account, const char *region,
    const struct store_cs *c)
{
	static const char sql[] = "INSERT INTO configuration_set (account_id, "
	    "region, name, created_ms, sending_enabled, "
	    "reputation_metrics_enabled, last_fresh_start_ms, tracking, "
	    "delivery, suppression, vdm, archiving) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
	    "ON CONFLICT (account_id, region, name) DO UPDATE SET "
	    "sending_enabled = ?5, reputation_metrics_enabled = ?6, "
	    "last_fresh_start_ms = ?7, tracking = ?8, delivery = ?9, "
	    "suppression = ?10, vdm = ?11, archiving = ?12";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, c->name);
	sqlite3_bind_int64(st, 4, c->created_ms);
	sqlite3_bind_int(st, 5, c->sending_enabled != 0);
	sqlite3_bind_int(st, 6, c->reputation_metrics_enabled != 0);
	if (c->last_fresh_start_ms >= 0)
		sqlite3_bind_int64(st, 7, c->last_fresh_start_ms);
	else
		sqlite3_bind_null(st, 7);
	store_bind_text(st, 8, c->tracking);
	store_bind_text(st, 9, c->delivery);
	store_bind_text(st, 10, c->suppression);
	store_bind_text(st, 11, c->vdm);
	store_bind_text(st, 12, c->archiving);
	return store_step_done(s, st);
}

int
store_cs_delete(struct store *s, const char *account, const char *region,
    const char *name)
{
	static const char sql[] = "DELETE FROM configuration_set WHERE "
	    "account_id = ?1 AND region = ?2 AND name = ?3";

	return store_exec_keyed(s, sql, account, region, name);
}

long
store_cs_count(struct store *s, const char *account, const char *region)
{
	static const char sql[] = "SELECT count(*) FROM configuration_set "
	    "WHERE account_id = ?1 AND region = ?2";

	return store_count_keyed(s, sql, account, region, NULL);
}

long
store_cs_names(struct store *s, const char *account, const char *region,
    const char *after, size_t limit, char ***out)
{
	static const char sql[] = "SELECT name FROM configuration_set WHERE "
	    "account_id = ?1 AND region = ?2 AND (?3 IS NULL OR name > ?3) "
	    "ORDER BY name LIMIT ?4";
	sqlite3_stmt *st = store_stmt(s, sql);
	char **v = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, after);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)limit + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = store_text_dup(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_cs_names_free(v, n);
		return -1;
	}
	*out = v;
	return (long)n;
}

void
store_cs_names_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
