/*
 * store_link — outstanding verification links (see store_link.h).
 */
#include "store_link.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"

int
store_link_insert(struct store *s, const struct store_link *l)
{
	static const char sql[] = "INSERT INTO verification_link (token, "
	    "account_id, region, identity, template, success_url, "
	    "failure_url, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, l->token);
	store_bind_text(st, 2, l->account);
	store_bind_text(st, 3, l->region);
	store_bind_text(st, 4, l->identity);
	store_bind_text(st, 5, l->template);
	store_bind_text(st, 6, l->success_url);
	store_bind_text(st, 7, l->failure_url);
	sqlite3_bind_int64(st, 8, l->created_ms);
	return store_step_done(s, st);
}

int
store_link_get(struct store *s, const char *token, struct store_link *l)
{
	static const char sql[] = "SELECT token, account_id, region, identity, "
	    "template, success_url, failure_url, created_ms FROM "
	    "verification_link WHERE token = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	memset(l, 0, sizeof(*l));
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		l->token = store_text_dup(st, 0);
		l->account = store_text_dup(st, 1);
		l->region = store_text_dup(st, 2);
		l->identity = store_text_dup(st, 3);
		l->template = store_text_dup(st, 4);
		l->success_url = store_text_dup(st, 5);
		l->failure_url = store_text_dup(st, 6);
		l->created_ms = sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_link_delete(struct store *s, const char *token)
{
	static const char sql[] = "DELETE FROM verification_link WHERE "
	    "token = ?1";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	return store_step_done(s, st);
}

void
store_link_fini(struct store_link *l)
{
	free(l->token);
	free(l->account);
	free(l->region);
	free(l->identity);
	free(l->template);
	free(l->success_url);
	free(l->failure_url);
	memset(l, 0, sizeof(*l));
}
