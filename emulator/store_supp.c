/*
 * store_supp — the account-level suppression list (see store_supp.h).
 */
#include "store_supp.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmem.h"

void
store_supp_fini(struct store_supp *d)
{
	free(d->address);
	free(d->reason);
	free(d->message_id);
	free(d->feedback_id);
	memset(d, 0, sizeof(*d));
}

/* Fills d from the row st stands on (columns in SELECT order below). */
static void
store_supp_row(sqlite3_stmt *st, struct store_supp *d)
{
	d->address = store_text_dup(st, 0);
	d->reason = store_text_dup(st, 1);
	d->updated_ms = sqlite3_column_int64(st, 2);
	d->message_id = store_text_dup(st, 3);
	d->feedback_id = store_text_dup(st, 4);
}

int
store_supp_any(struct store *s, const char *account, const char *region)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM "
	    "suppressed_destination WHERE account_id = ?1 AND region = ?2)";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc, any = 0;

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		any = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? any : -1;
}

int
store_supp_get(struct store *s, const char *account, const char *region,
    const char *address, struct store_supp *out)
{
	static const char sql[] = "SELECT address, reason, updated_ms, "
	    "message_id, feedback_id FROM suppressed_destination WHERE "
	    "account_id = ?1 AND region = ?2 AND address = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, address, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_supp_row(st, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_supp_put(struct store *s, const char *account, const char *region,
    const struct store_supp *d)
{
	static const char sql[] = "INSERT OR REPLACE INTO "
	    "suppressed_destination (account_id, region, address, reason, "
	    "updated_ms, message_id, feedback_id) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, d->address);
	store_bind_text(st, 4, d->reason);
	sqlite3_bind_int64(st, 5, d->updated_ms);
	store_bind_text(st, 6, d->message_id);
	store_bind_text(st, 7, d->feedback_id);
	return store_step_done(s, st);
}

int
store_supp_delete(struct store *s, const char *account, const char *region,
    const char *address)
{
	static const char sql[] = "DELETE FROM suppressed_destination WHERE "
	    "account_id = ?1 AND region = ?2 AND address = ?3";

	return store_exec_keyed(s, sql, account, region, address);
}

long
store_supp_list(struct store *s, const char *account, const char *region,
    const struct store_supp_filter *f, size_t limit, struct store_supp **out)
{
	static const char sql[] = "SELECT address, reason, updated_ms, "
	    "message_id, feedback_id FROM suppressed_destination WHERE "
	    "account_id = ?1 AND region = ?2 AND (?3 IS NULL OR address > ?3) "
	    "AND (?4 = 0 OR (?4 & CASE reason WHEN 'BOUNCE' THEN 1 "
	    "ELSE 2 END) != 0) "
	    "AND (?5 < 0 OR updated_ms >= ?5) AND (?6 < 0 OR updated_ms <= ?6) "
	    "ORDER BY address LIMIT ?7";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct store_supp *v = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, f->after);
	sqlite3_bind_int(st, 4, f->reasons);
	sqlite3_bind_int64(st, 5, f->start_ms);
	sqlite3_bind_int64(st, 6, f->end_ms);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)limit + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (n + 1) * sizeof(*v));
		store_supp_row(st, &v[n++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_supp_list_free(v, n);
		return -1;
	}
	*out = v;
	return (long)n;
}

void
store_supp_list_free(struct store_supp *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_supp_fini(&v[i]);
	free(v);
}

int
store_supp_reasons_get(struct store *s, const char *account,
    const char *region, int *reasons, char **validation)
{
	static const char sql[] = "SELECT reasons, validation FROM "
	    "account_suppression WHERE account_id = ?1 AND region = ?2";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	*reasons = STORE_SUPP_ALL;
	if (validation != NULL)
		*validation = NULL;
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*reasons = sqlite3_column_int(st, 0) & STORE_SUPP_ALL;
		if (validation != NULL)
			*validation = store_text_dup(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_supp_reasons_put(struct store *s, const char *account,
    const char *region, int reasons, const char *validation, int64_t now_ms)
{
	static const char sql[] = "INSERT OR REPLACE INTO account_suppression "
	    "(account_id, region, reasons, validation, updated_ms) VALUES "
	    "(?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_int(st, 3, reasons & STORE_SUPP_ALL);
	store_bind_text(st, 4, validation);
	sqlite3_bind_int64(st, 5, now_ms);
	return store_step_done(s, st);
}
