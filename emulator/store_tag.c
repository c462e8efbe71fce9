/*
 * store_tag — tags of taggable resources, by ARN (see store_tag.h).
 */
#include "store_tag.h"

#include "store_int.h"

json_t *
store_tag_list(struct store *s, const char *account, const char *region,
    const char *arn)
{
	static const char sql[] = "SELECT key, value FROM resource_tag WHERE "
	    "account_id = ?1 AND region = ?2 AND arn = ?3 ORDER BY key";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *tags;
	int rc;

	if (st == NULL)
		return NULL;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, arn, -1, SQLITE_STATIC);
	tags = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(tags, json_pack("{s:s,s:s}", "Key",
		    (const char *)sqlite3_column_text(st, 0), "Value",
		    (const char *)sqlite3_column_text(st, 1)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(tags);
		return NULL;
	}
	return tags;
}

int
store_tag_put(struct store *s, const char *account, const char *region,
    const char *arn, const json_t *tags)
{
	static const char sql[] = "INSERT OR REPLACE INTO resource_tag "
	    "(account_id, region, arn, key, value) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *st;
	json_t *t;
	size_t i;

	json_array_foreach(tags, i, t) {
		if ((st = store_stmt(s, sql)) == NULL)
			return -1;
		store_bind_scope(st, account, region);
		sqlite3_bind_text(st, 3, arn, -1, SQLITE_STATIC);
		store_bind_text(st, 4, json_string_value(json_object_get(t,
		    "Key")));
		store_bind_text(st, 5, json_string_value(json_object_get(t,
		    "Value")) ? json_string_value(json_object_get(t,
		    "Value")) : "");
		if (store_step_done(s, st) != 0)
			return -1;
	}
	return 0;
}

int
store_tag_delete_all(struct store *s, const char *account, const char *region,
    const char *arn)
{
	static const char sql[] = "DELETE FROM resource_tag WHERE "
	    "account_id = ?1 AND region = ?2 AND arn = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, arn, -1, SQLITE_STATIC);
	return store_step_done(s, st);
}
