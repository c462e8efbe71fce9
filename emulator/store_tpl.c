/*
 * store_tpl — email template rows (see store_tpl.h).
 */
#include "store_tpl.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmem.h"

void
store_tpl_fini(struct store_tpl *t)
{
	free(t->name);
	free(t->subject);
	free(t->text);
	free(t->html);
	memset(t, 0, sizeof(*t));
}

int
store_tpl_get(struct store *s, const char *account, const char *region,
    const char *name, struct store_tpl *out)
{
	static const char sql[] = "SELECT name, subject, text_part, "
	    "html_part, created_ms, updated_ms FROM email_template WHERE "
	    "account_id = ?1 AND region = ?2 AND name = ?3";
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
		out->subject = store_text_dup(st, 1);
		out->text = store_text_dup(st, 2);
		out->html = store_text_dup(st, 3);
		out->created_ms = sqlite3_column_int64(st, 4);
		out->updated_ms = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_tpl_put(struct store *s, const char *account, const char *region,
    const struct store_tpl *t)
{
	static const char sql[] = "INSERT INTO email_template (account_id, "
	    "region, name, subject, text_part, html_part, created_ms, "
	    "updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT (account_id, region, name) DO UPDATE SET "
	    "subject = ?4, text_part = ?5, html_part = ?6, updated_ms = ?8";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, t->name);
	store_bind_text(st, 4, t->subject);
	store_bind_text(st, 5, t->text);
	store_bind_text(st, 6, t->html);
	sqlite3_bind_int64(st, 7, t->created_ms);
	sqlite3_bind_int64(st, 8, t->updated_ms);
	return store_step_done(s, st);
}

int
store_tpl_delete(struct store *s, const char *account, const char *region,
    const char *name)
{
	static const char sql[] = "DELETE FROM email_template WHERE "
	    "account_id = ?1 AND region = ?2 AND name = ?3";

	return store_exec_keyed(s, sql, account, region, name);
}

long
store_tpl_count(struct store *s, const char *account, const char *region)
{
	static const char sql[] = "SELECT count(*) FROM email_template "
	    "WHERE account_id = ?1 AND region = ?2";

	return store_count_keyed(s, sql, account, region, NULL);
}

long
store_tpl_list(struct store *s, const char *account, const char *region,
    const char *after, size_t limit, struct store_tpl **out)
{
	static const char sql[] = "SELECT name, created_ms, updated_ms FROM "
	    "email_template WHERE account_id = ?1 AND region = ?2 AND "
	    "(?3 IS NULL OR name > ?3) ORDER BY name LIMIT ?4";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct store_tpl *v = NULL, *t;
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
		t->created_ms = sqlite3_column_int64(st, 1);
		t->updated_ms = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_tpls_free(v, n);
		return -1;
	}
	*out = v;
	return (long)n;
}

void
store_tpls_free(struct store_tpl *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_tpl_fini(&v[i]);
	free(v);
}
