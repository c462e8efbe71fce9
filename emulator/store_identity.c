/*
 * store_identity — identity rows (see store_identity.h).
 */
#include "store_identity.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmem.h"

#define STORE_IDENTITY_COLUMNS \
	"name, type, verification_status, verification_token, status_ms, " \
	"sending_enabled, created_ms, dkim_enabled, dkim_origin, " \
	"dkim_status, dkim_tokens, dkim_key_length, dkim_private_key, " \
	"dkim_selector, dkim_ms, mail_from_domain, mail_from_behavior, " \
	"mail_from_status, mail_from_ms, bounce_topic, complaint_topic, " \
	"delivery_topic, forwarding_enabled, headers_bounce, " \
	"headers_complaint, headers_delivery, configuration_set"

void
store_identity_init(struct store_identity *id)
{
	memset(id, 0, sizeof(*id));
	id->sending_enabled = 1;
	id->forwarding_enabled = 1;
}

void
store_identity_fini(struct store_identity *id)
{
	char **strings[] = {
		&id->name, &id->type, &id->verification_status,
		&id->verification_token, &id->dkim_origin, &id->dkim_status,
		&id->dkim_tokens, &id->dkim_key_length, &id->dkim_private_key,
		&id->dkim_selector, &id->mail_from_domain,
		&id->mail_from_behavior, &id->mail_from_status,
		&id->bounce_topic, &id->complaint_topic, &id->delivery_topic,
		&id->configuration_set,
	};
	size_t i;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		free(*strings[i]);
		*strings[i] = NULL;
	}
}

/* Reads the STORE_IDENTITY_COLUMNS of the current row. */
static void
store_identity_read(sqlite3_stmt *st, struct store_identity *id)
{
	id->name = store_text_dup(st, 0);
	id->type = store_text_dup(st, 1);
	id->verification_status = store_text_dup(st, 2);
	id->verification_token = store_text_dup(st, 3);
	id->status_ms = sqlite3_column_int64(st, 4);
	id->sending_enabled = sqlite3_column_int(st, 5);
	id->created_ms = sqlite3_column_int64(st, 6);
	id->dkim_enabled = sqlite3_column_int(st, 7);
	id->dkim_origin = store_text_dup(st, 8);
	id->dkim_status = store_text_dup(st, 9);
	id->dkim_tokens = store_text_dup(st, 10);
	id->dkim_key_length = store_text_dup(st, 11);
	id->dkim_private_key = store_text_dup(st, 12);
	id->dkim_selector = store_text_dup(st, 13);
	id->dkim_ms = sqlite3_column_int64(st, 14);
	id->mail_from_domain = store_text_dup(st, 15);
	id->mail_from_behavior = store_text_dup(st, 16);
	id->mail_from_status = store_text_dup(st, 17);
	id->mail_from_ms = sqlite3_column_int64(st, 18);
	id->bounce_topic = store_text_dup(st, 19);
	id->complaint_topic = store_text_dup(st, 20);
	id->delivery_topic = store_text_dup(st, 21);
	id->forwarding_enabled = sqlite3_column_int(st, 22);
	id->headers_bounce = sqlite3_column_int(st, 23);
	id->headers_complaint = sqlite3_column_int(st, 24);
	id->headers_delivery = sqlite3_column_int(st, 25);
	id->configuration_set = store_text_dup(st, 26);
}

int
store_identity_get(struct store *s, const char *account, const char *region,
    const char *name, struct store_identity *out)
{
	static const char sql[] = "SELECT " STORE_IDENTITY_COLUMNS " FROM "
	    "identity WHERE account_id = ?1 AND region = ?2 AND name = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	store_identity_init(out);
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_identity_read(st, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_identity_feedback_get(struct store *s, const char *account,
    const char *region, const char *name,
    struct store_identity_feedback *out)
{
	static const char sql[] = "SELECT name, verification_status = "
	    "'Success', bounce_topic, complaint_topic, delivery_topic, "
	    "forwarding_enabled, headers_bounce, headers_complaint, "
	    "headers_delivery FROM identity WHERE account_id = ?1 AND region = "
	    "?2 AND name = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->name = store_text_dup(st, 0);
		out->verified = sqlite3_column_int(st, 1);
		out->bounce_topic = store_text_dup(st, 2);
		out->complaint_topic = store_text_dup(st, 3);
		out->delivery_topic = store_text_dup(st, 4);
		out->forwarding_enabled = sqlite3_column_int(st, 5);
		out->headers_bounce = sqlite3_column_int(st, 6);
		out->headers_complaint = sqlite3_column_int(st, 7);
		out->headers_delivery = sqlite3_column_int(st, 8);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

void
store_identity_feedback_fini(struct store_identity_feedback *f)
{
	free(f->name);
	free(f->bounce_topic);
	free(f->complaint_topic);
	free(f->delivery_topic);
	memset(f, 0, sizeof(*f));
}

int
store_identity_put(struct store *s, const char *account, const char *region,
    const struct store_identity *id)
{
	/* An upsert, not INSERT OR REPLACE: replacing would delete the row
	 * and cascade to its policies. */
	static const char sql[] = "INSERT INTO identity (account_id, region, "
	    STORE_IDENTITY_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
	    "?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29) "
	    "ON CONFLICT (account_id, region, name) DO UPDATE SET "
	    "type = ?4, verification_status = ?5, verification_token = ?6, "
	    "status_ms = ?7, sending_enabled = ?8, created_ms = ?9, "
	    "dkim_enabled = ?10, dkim_origin = ?11, dkim_status = ?12, "
	    "dkim_tokens = ?13, dkim_key_length = ?14, dkim_private_key = ?15, "
	    "dkim_selector = ?16, dkim_ms = ?17, mail_from_domain = ?18, "
	    "mail_from_behavior = ?19, mail_from_status = ?20, "
	    "mail_from_ms = ?21, bounce_topic = ?22, complaint_topic = ?23, "
	    "delivery_topic = ?24, forwarding_enabled = ?25, "
	    "headers_bounce = ?26, headers_complaint = ?27, "
	    "headers_delivery = ?28, configuration_set = ?29";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, id->name);
	store_bind_text(st, 4, id->type);
	store_bind_text(st, 5, id->verification_status ?
	    id->verification_status : "Pending");
	store_bind_text(st, 6, id->verification_token);
	sqlite3_bind_int64(st, 7, id->status_ms);
	sqlite3_bind_int(st, 8, id->sending_enabled);
	sqlite3_bind_int64(st, 9, id->created_ms);
	sqlite3_bind_int(st, 10, id->dkim_enabled);
	store_bind_text(st, 11, id->dkim_origin);
	store_bind_text(st, 12, id->dkim_status ? id->dkim_status :
	    "NotStarted");
	store_bind_text(st, 13, id->dkim_tokens);
	store_bind_text(st, 14, id->dkim_key_length);
	store_bind_text(st, 15, id->dkim_private_key);
	store_bind_text(st, 16, id->dkim_selector);
	sqlite3_bind_int64(st, 17, id->dkim_ms);
	store_bind_text(st, 18, id->mail_from_domain);
	store_bind_text(st, 19, id->mail_from_behavior ?
	    id->mail_from_behavior : "UseDefaultValue");
	store_bind_text(st, 20, id->mail_from_status);
	sqlite3_bind_int64(st, 21, id->mail_from_ms);
	store_bind_text(st, 22, id->bounce_topic);
	store_bind_text(st, 23, id->complaint_topic);
	store_bind_text(st, 24, id->delivery_topic);
	sqlite3_bind_int(st, 25, id->forwarding_enabled);
	sqlite3_bind_int(st, 26, id->headers_bounce);
	sqlite3_bind_int(st, 27, id->headers_complaint);
	sqlite3_bind_int(st, 28, id->headers_delivery);
	store_bind_text(st, 29, id->configuration_set);
	return store_step_done(s, st);
}

int
store_identity_delete(struct store *s, const char *account,
    const char *region, const char *name)
{
	static const char sql[] = "DELETE FROM identity WHERE account_id = ?1 "
	    "AND region = ?2 AND name = ?3";

	return store_exec_keyed(s, sql, account, region, name);
}

long
store_identity_count(struct store *s, const char *account, const char *region)
{
	static const char sql[] = "SELECT count(*) FROM identity WHERE "
	    "account_id = ?1 AND region = ?2";

	return store_count_keyed(s, sql, account, region, NULL);
}

long
store_identity_list(struct store *s, const char *account, const char *region,
    const char *type, const char *status, const char *after, size_t limit,
    struct store_identity **out)
{
	static const char sql[] = "SELECT " STORE_IDENTITY_COLUMNS " FROM "
	    "identity WHERE account_id = ?1 AND region = ?2 AND "
	    "(?3 IS NULL OR type = ?3) AND (?4 IS NULL OR "
	    "verification_status = ?4) AND (?5 IS NULL OR name > ?5) "
	    "ORDER BY name LIMIT ?6";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct store_identity *v = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, type);
	store_bind_text(st, 4, status);
	store_bind_text(st, 5, after);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)limit + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (n + 1) * sizeof(*v));
		store_identity_read(st, &v[n++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_identities_free(v, n);
		return -1;
	}
	*out = v;
	return (long)n;
}

void
store_identities_free(struct store_identity *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_identity_fini(&v[i]);
	free(v);
}
