/*
 * store_cvt — custom verification email template rows (see store_cvt.h).
 */
#include "store_cvt.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmem.h"

void
store_cvt_fini(struct store_cvt *t)
{
	free(t->name);
	free(t->from_address);
	free(t->subject);
	free(t->content);
	free(t->success_url);
	free(t->failure_url);
	memset(t, 0, sizeof(*t));
}

int
store_cvt_get(struct store *s, const char *account, const char *region,
    const char *name, struct store_cvt *out)
{
	static const char sql[] = "SELECT name, from_address, subject, "
	    "content, success_url, failure_url, created_ms, updated_ms FROM "
	    "custom_verification_template WHERE account_id = ?1 AND "
	    "region = ?2 AND name = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->name = store_text_dup(st, 0);
		out->from_address = store_text_dup(st, 1);
		out->subject = store_text_dup(st, 2);
		out->content = store_text_dup(st, 3);
		out->success_url = store_text_dup(st, 4);
		out->failure_url = store_text_dup(st, 5);
		out->created_ms = sqlite3_column_int64(st, 6);
		out->updated_ms = sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_cvt_put(struct store *s, const char *account, const char *region,
    const struct store_cvt *t)
{
	static const char sql[] = "INSERT INTO custom_verification_template "
	    "(account_id, region, name, from_address, subject, content, "
	    "success_url, failure_url, created_ms, updated_ms) VALUES (?1, ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
	    "ON CONFLICT (account_id, region, name) DO UPDATE SET "
	    "from_address = ?4, subject = ?5, content = ?6, success_url = ?7, "
	    "failure_url = ?8, updated_ms = ?10";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, t->name);
	store_bind_text(st, 4, t->from_address);
	store_bind_text(st, 5, t->subject);
	store_bind_text(st, 6, t->content);
	store_bind_text(st, 7, t->success_url);
	store_bind_text(st, 8, t->failure_url);
	sqlite3_bind_int64(st, 9, t->created_ms);
	sqlite3_bind_int64(st, 10, t->updated_ms);
	return store_step_done(s, st);
}

int
store_cvt_delete(struct store *s, const char *account, const char *region,
    const char *name)
{
	static const char sql[] = "DELETE FROM custom_verification_template "
	    "WHERE account_id = ?1 AND region = ?2 AND name = ?3";

	return store_exec_keyed(s, sql, account, region, name);
}

long
store_cvt_count(struct store *s, const char *account, const char *region)
{
	static const char sql[] = "SELECT count(*) FROM "
	    "custom_verification_template WHERE account_id = ?1 AND "
	    "region = ?2";

	return store_count_keyed(s, sql, account, region, NULL);
}

long
store_cvt_list(struct store *s, const char *account, const char *region,
    const char *after, size_t limit, struct store_cvt **out)
{
	static const char sql[] = "SELECT name, from_address, subject, "
	    "success_url, failure_url, created_ms, updated_ms FROM "
	    "custom_verification_template WHERE account_id = ?1 AND "
	    "region = ?2 AND (?3 IS NULL OR name > ?3) ORDER BY name LIMIT ?4";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct store_cvt *v = NULL, *t;
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
		t = &v[n++];
		memset(t, 0, sizeof(*t));
		t->name = store_text_dup(st, 0);
		t->from_address = store_text_dup(st, 1);
		t->subject = store_text_dup(st, 2);
		t->success_url = store_text_dup(st, 3);
		t->failure_url = store_text_dup(st, 4);
		t->created_ms = sqlite3_column_int64(st, 5);
		t->updated_ms = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_cvts_free(v, n);
		return -1;
	}
	*out = v;
	return (long)n;
}

void
store_cvts_free(struct store_cvt *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_cvt_fini(&v[i]);
	free(v);
}
