/*
 * store_feed — events, notifications and the live feed's SQL (see
 * store_feed.h).
 */
#include "store_feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_outbox.h"
#include "wire.h"
#include "xmem.h"

/*
 * Which detail list names an event's recipients; the other types list
 * the message's destinations. Delivery's are strings, the others objects
 * with emailAddress (evt.c).
 */
#define STORE_FEED_RCPT_TYPES "('Bounce', 'Complaint', 'DeliveryDelay', " \
	"'Delivery')"
#define STORE_FEED_RCPT_PATH "CASE e.type WHEN 'Bounce' THEN " \
	"'$.bouncedRecipients' WHEN 'Complaint' THEN '$.complainedRecipients' " \
	"WHEN 'DeliveryDelay' THEN '$.delayedRecipients' ELSE '$.recipients' " \
	"END"

/* An event filter's WHERE clause over event e (?1-?8, see bind). */
#define STORE_FEED_EVENT_WHERE \
	"(?1 IS NULL OR instr(?1, ',' || e.type || ',') > 0) AND " \
	"(?2 IS NULL OR e.message_id = ?2) AND " \
	"(?3 IS NULL OR (e.type IN " STORE_FEED_RCPT_TYPES " AND EXISTS " \
	"(SELECT 1 FROM json_each(e.detail, " STORE_FEED_RCPT_PATH ") j " \
	"WHERE lower(CASE j.type WHEN 'object' THEN json_extract(j.value, " \
	"'$.emailAddress') ELSE j.value END) = lower(?3))) OR (e.type NOT IN " \
	STORE_FEED_RCPT_TYPES " AND EXISTS (SELECT 1 FROM message m2, " \
	"json_each(m2.destinations) j WHERE m2.message_id = e.message_id AND " \
	"lower(j.value) = lower(?3)))) AND " \
	"(?4 IS NULL OR EXISTS (SELECT 1 FROM publication p WHERE " \
	"p.message_id = e.message_id AND p.event_id = e.id AND (p.target = ?4 " \
	"OR p.origin = ?4))) AND " \
	"(?5 IS NULL OR e.account_id = ?5) AND (?6 IS NULL OR e.region = ?6) " \
	"AND e.ts_ms >= ?7 AND e.ts_ms <= ?8"

static void
store_feed_event_bind(sqlite3_stmt *st, const struct store_feed_event_filter *f)
{
	store_bind_text(st, 1, f->types);
	store_bind_text(st, 2, f->message_id);
	store_bind_text(st, 3, f->recipient);
	store_bind_text(st, 4, f->destination);
	store_bind_text(st, 5, f->account);
	store_bind_text(st, 6, f->region);
	sqlite3_bind_int64(st, 7, f->since_ms);
	sqlite3_bind_int64(st, 8, f->until_ms);
}

/* The recipients an event names (new array). */
static json_t *
store_feed_recipients(const char *type, const json_t *detail,
    const char *destinations)
{
	static const struct {
		const char *type, *key;
	} lists[] = {
		{ "Bounce", "bouncedRecipients" },
		{ "Complaint", "complainedRecipients" },
		{ "DeliveryDelay", "delayedRecipients" },
		{ "Delivery", "recipients" },
	};
	const json_t *list, *v;
	json_t *out;
	size_t i, k;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (strcmp(type, lists[i].type) != 0)
			continue;
		out = json_array();
		list = json_object_get(detail, lists[i].key);
		json_array_foreach(list, k, v) {
			if (json_is_object(v))
				v = json_object_get(v, "emailAddress");
			if (json_is_string(v))
				json_array_append(out, (json_t *)v);
		}
		return out;
	}
	out = destinations != NULL ? json_loads(destinations, 0, NULL) : NULL;
	return json_is_array(out) ? out : (json_decref(out), json_array());
}

#define STORE_FEED_EVENT_COLUMNS "e.id, e.message_id, e.type, e.ts_ms, " \
	"e.detail, m.destinations FROM event e LEFT JOIN message m ON " \
	"m.message_id = e.message_id"

/* The event st is on (STORE_FEED_EVENT_COLUMNS), new. */
static json_t *
store_feed_event_row(sqlite3_stmt *st)
{
	char iso[WIRE_TIMESTAMP_MAX_BYTES];
	const char *type = (const char *)sqlite3_column_text(st, 2);
	json_t *detail, *e;

	wire_timestamp_iso(sqlite3_column_int64(st, 3), iso);
	detail = json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL);
	if (detail == NULL)
		detail = json_object();
	e = json_pack("{s:I,s:s,s:s,s:s}", "Id",
	    (json_int_t)sqlite3_column_int64(st, 0), "MessageId",
	    (const char *)sqlite3_column_text(st, 1), "Type", type,
	    "Timestamp", iso);
	json_object_set_new(e, "Recipients", store_feed_recipients(type, detail,
	    (const char *)sqlite3_column_text(st, 5)));
	json_object_set_new(e, "Detail", detail);
	return e;
}

json_t *
store_feed_events(struct store *s, const struct store_feed_event_filter *f,
    size_t limit, int publications)
{
	static const char sql[] = "SELECT " STORE_FEED_EVENT_COLUMNS " WHERE "
	    STORE_FEED_EVENT_WHERE " AND e.id < ?9 ORDER BY e.id DESC "
	    "LIMIT ?10";
	struct store_feed_pub_filter pf;
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list, *e, *pubs;
	size_t i;
	int rc;

	if (st == NULL)
		return NULL;
	store_feed_event_bind(st, f);
	sqlite3_bind_int64(st, 9, f->before_id);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)limit);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, store_feed_event_row(st));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	json_array_foreach(list, i, e) {
		if (!publications)
			break;
		memset(&pf, 0, sizeof(pf));
		pf.message_id = json_string_value(json_object_get(e,
		    "MessageId"));
		pf.event_id = json_integer_value(json_object_get(e, "Id"));
		pf.before_id = INT64_MAX;
		if ((pubs = store_feed_pubs(s, &pf, (size_t)-1 >> 2)) == NULL)
			goto fail;
		json_object_set_new(e, "Publications", pubs);
	}
	return list;
fail:
	json_decref(list);
	return NULL;
}

long
store_feed_event_count(struct store *s,
    const struct store_feed_event_filter *f)
{
	static const char sql[] = "SELECT count(*) FROM event e WHERE "
	    STORE_FEED_EVENT_WHERE;
	sqlite3_stmt *st = store_stmt(s, sql);
	long n = -1;

	if (st == NULL)
		return -1;
	store_feed_event_bind(st, f);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

json_t *
store_feed_event_latest(struct store *s, const char *message_id)
{
	static const char sql[] = "SELECT " STORE_FEED_EVENT_COLUMNS " WHERE "
	    "e.message_id = ?1 ORDER BY e.id DESC LIMIT 1";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *e = NULL;

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		e = store_feed_event_row(st);
	sqlite3_reset(st);
	return e;
}

/* ---- publications ---- */

static json_t *
store_feed_payload(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	json_t *j = t != NULL ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;

	return j != NULL ? j : json_string(t != NULL ? t : "");
}

/*
 * The outbound requests publication p caused, with their attempts (new
 * array): its forwarding call (outbox_id), or the SNS deliveries its
 * topic queued for subscribers in the same transaction, carrying the same
 * message at the same time (sns_publish: SNS's own message ids are not
 * kept with the publication).
 */
static json_t *
store_feed_deliveries(struct store *s, int64_t outbox_id, const char *kind,
    const char *target, const char *payload, int64_t ts_ms)
{
	static const char sql[] = "SELECT id FROM outbox WHERE kind = 'sns' "
	    "AND type = 'Notification' AND topic_arn = ?1 AND timestamp_ms = ?2 "
	    "AND message = ?3 ORDER BY id";
	sqlite3_stmt *st;
	int64_t *ids = NULL;
	size_t n = 0, i;
	json_t *list = json_array(), *d;
	int rc;

	if (outbox_id > 0) {
		ids = xmalloc(sizeof(*ids));
		ids[n++] = outbox_id;
	} else if (strcmp(kind, "sns") == 0) {
		if ((st = store_stmt(s, sql)) == NULL)
			goto fail;
		store_bind_text(st, 1, target);
		sqlite3_bind_int64(st, 2, ts_ms);
		store_bind_text(st, 3, payload);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			ids = xrealloc(ids, (n + 1) * sizeof(*ids));
			ids[n++] = sqlite3_column_int64(st, 0);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	for (i = 0; i < n; i++)
		if ((d = store_outbox_get_json(s, ids[i])) != NULL)
			json_array_append_new(list, d);
	free(ids);
	return list;
fail:
	free(ids);
	json_decref(list);
	return NULL;
}

/* Every attempt of deliveries, oldest first (new array). */
static json_t *
store_feed_attempts(const json_t *deliveries)
{
	json_t *out = json_array(), *a, *c;
	const json_t *d, *v;
	size_t i, k, j;

	json_array_foreach(deliveries, i, d) {
		json_array_foreach(json_object_get(d, "Attempts"), k, v) {
			c = json_deep_copy(v);
			json_object_set(c, "Delivery", json_object_get(d, "Id"));
			json_object_set(c, "Endpoint", json_object_get(d,
			    "Endpoint"));
			/* Insertion by time: attempts of several deliveries
			 * interleave. */
			for (j = json_array_size(out); j > 0; j--) {
				a = json_array_get(out, j - 1);
				if (strcmp(json_string_value(json_object_get(a,
				    "Timestamp")), json_string_value(
				    json_object_get(c, "Timestamp"))) <= 0)
					break;
			}
			json_array_insert_new(out, j, c);
		}
	}
	return out;
}

json_t *
store_feed_pubs(struct store *s, const struct store_feed_pub_filter *f,
    size_t limit)
{
	static const char sql[] = "SELECT p.id, p.event_id, p.event_type, "
	    "p.format, p.origin, p.target_kind, p.target, p.status, p.error, "
	    "p.payload, p.ts_ms, p.message_id, p.outbox_id FROM publication p "
	    "WHERE (?1 IS NULL OR instr(?1, ',' || p.event_type || ',') > 0) "
	    "AND (?2 IS NULL OR p.message_id = ?2) AND (?3 IS NULL OR "
	    "p.target = ?3 OR p.origin = ?3) AND (?4 IS NULL OR p.status = ?4) "
	    "AND (?5 IS NULL OR p.format = ?5) AND (?6 IS NULL OR p.account_id "
	    "= ?6) AND (?7 IS NULL OR p.region = ?7) AND (?8 = 0 OR p.event_id "
	    "= ?8) AND p.id < ?9 ORDER BY CASE WHEN ?8 = 0 THEN -p.id ELSE p.id "
	    "END LIMIT ?10";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct row {
		int64_t outbox_id, ts_ms;
		char *kind, *target, *payload;
	} *rows = NULL;
	json_t *list, *p, *d;
	size_t n = 0, i;
	int rc;

	if (st == NULL)
		return NULL;
	store_bind_text(st, 1, f->types);
	store_bind_text(st, 2, f->message_id);
	store_bind_text(st, 3, f->destination);
	store_bind_text(st, 4, f->status);
	store_bind_text(st, 5, f->format);
	store_bind_text(st, 6, f->account);
	store_bind_text(st, 7, f->region);
	sqlite3_bind_int64(st, 8, f->event_id);
	sqlite3_bind_int64(st, 9, f->before_id);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)limit);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:I}",
		    "Id", (json_int_t)sqlite3_column_int64(st, 0),
		    "Event", (json_int_t)sqlite3_column_int64(st, 1),
		    "MessageId", (const char *)sqlite3_column_text(st, 11),
		    "Type", (const char *)sqlite3_column_text(st, 2),
		    "Format", (const char *)sqlite3_column_text(st, 3),
		    "Origin", (const char *)sqlite3_column_text(st, 4),
		    "TargetKind", (const char *)sqlite3_column_text(st, 5),
		    "Target", (const char *)sqlite3_column_text(st, 6),
		    "Status", (const char *)sqlite3_column_text(st, 7),
		    "Payload", store_feed_payload(st, 9),
		    "Timestamp", (json_int_t)sqlite3_column_int64(st, 10));
		if (sqlite3_column_type(st, 8) != SQLITE_NULL)
			json_object_set_new(p, "Error", json_string(
			    (const char *)sqlite3_column_text(st, 8)));
		json_array_append_new(list, p);
		rows = xrealloc(rows, (n + 1) * sizeof(*rows));
		rows[n].outbox_id = sqlite3_column_type(st, 12) == SQLITE_NULL ?
		    0 : sqlite3_column_int64(st, 12);
		rows[n].ts_ms = sqlite3_column_int64(st, 10);
		rows[n].kind = store_text_dup(st, 5);
		rows[n].target = store_text_dup(st, 6);
		rows[n++].payload = store_text_dup(st, 9);
	}
	sqlite3_reset(st);
	/* The outbound requests, read once the listing's statement is done. */
	for (i = 0; i < n; i++) {
		if (rc == SQLITE_DONE) {
			p = json_array_get(list, i);
			d = store_feed_deliveries(s, rows[i].outbox_id,
			    rows[i].kind ? rows[i].kind : "", rows[i].target,
			    rows[i].payload, rows[i].ts_ms);
			if (d == NULL) {
				rc = SQLITE_ERROR;
			} else if (json_array_size(d) > 0) {
				if (rows[i].outbox_id > 0)
					json_object_set(p, "Delivery",
					    json_array_get(d, 0));
				json_object_set_new(p, "Attempts",
				    store_feed_attempts(d));
				json_object_set_new(p, "Deliveries", d);
			} else {
				json_decref(d);
			}
		}
		free(rows[i].kind);
		free(rows[i].target);
		free(rows[i].payload);
	}
	free(rows);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* ---- the live feed ---- */

int
store_feed_heads(struct store *s, int64_t *message, char *message_key,
    int64_t *event, char *event_key)
{
	static const char sql[] = "SELECT m.rowid, m.message_id, e.id, "
	    "e.message_id FROM (SELECT 1) LEFT JOIN (SELECT rowid, message_id "
	    "FROM message ORDER BY rowid DESC LIMIT 1) m LEFT JOIN (SELECT id, "
	    "message_id FROM event ORDER BY id DESC LIMIT 1) e";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	*message = *event = 0;
	message_key[0] = event_key[0] = '\0';
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*message = sqlite3_column_int64(st, 0);
		*event = sqlite3_column_int64(st, 2);
		snprintf(message_key, STORE_FEED_KEY_BYTES, "%s", sqlite3_column_text(
		    st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
		snprintf(event_key, STORE_FEED_KEY_BYTES, "%s", sqlite3_column_text(
		    st, 3) ? (const char *)sqlite3_column_text(st, 3) : "");
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_feed_check(struct store *s, int events, int64_t *at, char *key)
{
	static const char msg_at[] = "SELECT message_id FROM message WHERE "
	    "rowid = ?1";
	static const char msg_below[] = "SELECT rowid, message_id FROM message "
	    "WHERE rowid < ?1 ORDER BY rowid DESC LIMIT 1";
	static const char evt_at[] = "SELECT message_id FROM event WHERE id = "
	    "?1";
	static const char evt_below[] = "SELECT id, message_id FROM event WHERE "
	    "id < ?1 ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc, same = 0, found;

	if (*at == 0)
		return 0;
	if ((st = store_stmt(s, events ? evt_at : msg_at)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, *at);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* An unknown key (a resumed position) is taken as this row's. */
		same = key[0] == '\0' || strcmp(key, (const char *)
		    sqlite3_column_text(st, 0)) == 0;
		if (same)
			snprintf(key, STORE_FEED_KEY_BYTES, "%s",
			    sqlite3_column_text(st, 0));
	}
	found = rc == SQLITE_ROW;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (same)
		return 0;
	/* Gone, or another row in its place: back to the last row below. */
	if ((st = store_stmt(s, events ? evt_below : msg_below)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, *at);
	*at = 0;
	key[0] = '\0';
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*at = sqlite3_column_int64(st, 0);
		snprintf(key, STORE_FEED_KEY_BYTES, "%s", sqlite3_column_text(st,
		    1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return found ? 2 : 1;
}

json_t *
store_feed_messages_after(struct store *s, int64_t after, size_t max,
    int64_t *rowids)
{
	static const char sql[] = "SELECT rowid, message_id, subject, source, "
	    "destinations, created_ms, kind FROM message WHERE rowid > ?1 "
	    "ORDER BY rowid LIMIT ?2";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list, *dest;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rowids[json_array_size(list)] = sqlite3_column_int64(st, 0);
		dest = json_loads((const char *)sqlite3_column_text(st, 4), 0,
		    NULL);
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:o,s:I,"
		    "s:s}", "MessageId", (const char *)sqlite3_column_text(st,
		    1), "Subject", (const char *)sqlite3_column_text(st, 2),
		    "Source", (const char *)sqlite3_column_text(st, 3),
		    "Destinations", dest != NULL ? dest : json_array(),
		    "Timestamp", (json_int_t)sqlite3_column_int64(st, 5),
		    "Kind", (const char *)sqlite3_column_text(st, 6)));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *
store_feed_events_after(struct store *s, int64_t after, size_t max,
    int64_t *message_rowids)
{
	static const char sql[] = "SELECT e.id, e.message_id, e.type, e.ts_ms, "
	    "coalesce(m.rowid, 0) FROM event e LEFT JOIN message m ON "
	    "m.message_id = e.message_id WHERE e.id > ?1 ORDER BY e.id LIMIT ?2";
	char iso[WIRE_TIMESTAMP_MAX_BYTES];
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		message_rowids[json_array_size(list)] =
		    sqlite3_column_int64(st, 4);
		wire_timestamp_iso(sqlite3_column_int64(st, 3), iso);
		json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:s}", "Id",
		    (json_int_t)sqlite3_column_int64(st, 0), "MessageId",
		    (const char *)sqlite3_column_text(st, 1), "Type",
		    (const char *)sqlite3_column_text(st, 2), "Timestamp", iso));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* ---- actions ---- */

int
store_feed_recipient(struct store *s, const char *message_id,
    const char *address, struct store_queue_row *out, char **kind)
{
	static const char msg[] = "SELECT kind FROM message WHERE message_id = "
	    "?1";
	/* NULL ?2: the first recipient. */
	static const char rcpt[] = "SELECT r.message_id, r.idx, r.address, "
	    "r.state, r.attempts, m.account_id, m.region, m.source, "
	    "m.created_ms, m.verdict, m.configuration_set FROM recipient r "
	    "JOIN message m USING (message_id) WHERE r.message_id = ?1 AND (?2 "
	    "IS NULL OR lower(r.address) = lower(?2)) ORDER BY r.idx LIMIT 1";
	sqlite3_stmt *st = store_stmt(s, msg);
	int rc;

	memset(out, 0, sizeof(*out));
	*kind = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*kind = store_text_dup(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 1 : -1;
	if ((st = store_stmt(s, rcpt)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	store_bind_text(st, 2, address);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->message_id = store_text_dup(st, 0);
		out->idx = sqlite3_column_int(st, 1);
		out->address = store_text_dup(st, 2);
		out->state = store_text_dup(st, 3);
		out->attempts = sqlite3_column_int(st, 4);
		out->account = store_text_dup(st, 5);
		out->region = store_text_dup(st, 6);
		out->source = store_text_dup(st, 7);
		out->created_ms = sqlite3_column_int64(st, 8);
		out->verdict = store_text_dup(st, 9);
		out->configuration_set = store_text_dup(st, 10);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 2 : -1;
}
