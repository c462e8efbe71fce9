/*
 * store_policy — sending-authorization policies (see store_policy.h).
 */
#include "store_policy.h"

#include "store_int.h"

/* Binds the (account, region, identity) key shared by every statement. */
static void
store_policy_bind_key(sqlite3_stmt *st, const char *account,
    const char *region, const char *identity)
{
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, identity, -1, SQLITE_STATIC);
}

json_t *
store_policy_map(struct store *s, const char *account, const char *region,
    const char *identity)
{
	static const char sql[] = "SELECT name, policy FROM identity_policy "
	    "WHERE account_id = ?1 AND region = ?2 AND identity = ?3 "
	    "ORDER BY name";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *map;
	int rc;

	if (st == NULL)
		return NULL;
	store_policy_bind_key(st, account, region, identity);
	map = json_object();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(map, (const char *)sqlite3_column_text(st,
		    0), json_stringn((const char *)sqlite3_column_text(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(map);
		return NULL;
	}
	return map;
}

long
store_policy_count(struct store *s, const char *account, const char *region,
    const char *identity)
{
	static const char sql[] = "SELECT count(*) FROM identity_policy "
	    "WHERE account_id = ?1 AND region = ?2 AND identity = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);
	long n = -1;

	if (st == NULL)
		return -1;
	store_policy_bind_key(st, account, region, identity);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

int
store_policy_exists(struct store *s, const char *account, const char *region,
    const char *identity, const char *name)
{
	static const char sql[] = "SELECT 1 FROM identity_policy WHERE "
	    "account_id = ?1 AND region = ?2 AND identity = ?3 AND name = ?4";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (st == NULL)
		return -1;
	store_policy_bind_key(st, account, region, identity);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_policy_put(struct store *s, const char *account, const char *region,
    const char *identity, const char *name, const char *policy,
    int64_t now_ms)
{
	static const char sql[] = "INSERT INTO identity_policy (account_id, "
	    "region, identity, name, policy, created_ms, updated_ms) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (account_id, region, "
	    "identity, name) DO UPDATE SET policy = ?5, updated_ms = ?6";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_policy_bind_key(st, account, region, identity);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, policy, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now_ms);
	return store_step_done(s, st);
}

int
store_policy_delete(struct store *s, const char *account, const char *region,
    const char *identity, const char *name)
{
	static const char sql[] = "DELETE FROM identity_policy WHERE "
	    "account_id = ?1 AND region = ?2 AND identity = ?3 AND name = ?4";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_policy_bind_key(st, account, region, identity);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	if (store_step_done(s, st) != 0)
		return -1;
	return store_changes(s);
}
