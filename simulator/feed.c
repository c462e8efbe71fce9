/*
 * feed — events, notifications and the live feed (see feed.h).
 */
#include "feed.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "action.h"
#include "buf.h"
#include "evdest.h"
#include "log.h"
#include "notify.h"
#include "store.h"
#include "store_feed.h"
#include "wire.h"
#include "xmem.h"

#define FEED_PARAM_MAX_BYTES 1024
#define FEED_TYPES_MAX_BYTES 256
#define FEED_KEEPALIVE_MIN_MS 100
#define FEED_KEEPALIVE_MAX_MS 3600000

static const char *const feed_methods_get[] = { "GET", "HEAD", NULL };
static const char *const feed_methods_stream[] = { "GET", NULL };
static const char *const feed_methods_post[] = { "POST", NULL };

/* ---- parameters ---- */

int
feed_time_parse(const char *s, int64_t *ms)
{
	const char *p;
	char *end;
	long long v;

	for (p = s; *p != '\0' && isdigit((unsigned char)*p); p++)
		;
	if (*s != '\0' && *p == '\0' && p - s <= 18) {
		v = strtoll(s, &end, 10);
		*ms = (int64_t)v;
		return 0;
	}
	/* ISO-8601 only: wire_timestamp_parse also takes epoch seconds. */
	if (strchr(s, '-') == NULL)
		return -1;
	return wire_timestamp_parse(s, ms);
}

/* Answers 400 BadRequest with message. */
static void
feed_bad(struct route_response *resp, const char *message)
{
	inspect_error(resp, 400, "BadRequest", message);
}

/*
 * Refuses a query naming a parameter not in known (NULL-terminated):
 * EMU: a misspelt filter fails the test instead of matching everything.
 * Returns 0, or -1 with the error answered.
 */
static int
feed_params_known(const char *query, const char *const *known,
    struct route_response *resp)
{
	const char *p, *end, *eq;
	char msg[160];
	size_t i, n;
	int ok;

	for (p = query; p != NULL && *p; p = end ? end + 1 : NULL) {
		end = strchr(p, '&');
		eq = strchr(p, '=');
		n = end ? (size_t)(end - p) : strlen(p);
		if (eq != NULL && (end == NULL || eq < end))
			n = (size_t)(eq - p);
		if (n == 0)
			continue;
		for (ok = 0, i = 0; known[i] != NULL && !ok; i++)
			ok = strlen(known[i]) == n && strncmp(known[i], p, n) ==
			    0;
		if (!ok) {
			snprintf(msg, sizeof(msg), "unknown parameter %.*s",
			    (int)(n > 64 ? 64 : n), p);
			feed_bad(resp, msg);
			return -1;
		}
	}
	return 0;
}

/* Optional string parameter name into out (empty: absent). Returns 0, or
 * -1 with the error answered when malformed or too long. */
static int
feed_str(const struct route_request *req, const char *name, char *out,
    size_t n, struct route_response *resp)
{
	size_t len = strlen(name);
	const char *p;
	char msg[128];

	out[0] = '\0';
	for (p = req->query; p != NULL && *p; p = strchr(p, '&'), p = p ?
	    p + 1 : NULL) {
		if (strncmp(p, name, len) != 0 || p[len] != '=')
			continue;
		if (inspect_param(req->query, name, out, n) == 0)
			return 0;
		snprintf(msg, sizeof(msg), "%s is malformed or too long", name);
		feed_bad(resp, msg);
		return -1;
	}
	return 0;
}

/* Optional integer parameter name in [min, max] (absent: *out = def). */
static int
feed_int(const struct route_request *req, const char *name, long min,
    long max, long def, long *out, struct route_response *resp)
{
	char v[32], msg[128], *end;
	long long k;

	*out = def;
	if (feed_str(req, name, v, sizeof(v), resp) != 0)
		return -1;
	if (v[0] == '\0')
		return 0;
	k = strtoll(v, &end, 10);
	if (*end != '\0' || !isdigit((unsigned char)v[0]) || k < min ||
	    k > max) {
		snprintf(msg, sizeof(msg), "%s must be %ld-%ld", name, min,
		    max);
		feed_bad(resp, msg);
		return -1;
	}
	*out = (long)k;
	return 0;
}

/* Optional time parameter (absent: *out = def). */
static int
feed_time(const struct route_request *req, const char *name, int64_t def,
    int64_t *out, struct route_response *resp)
{
	char v[64], msg[128];

	*out = def;
	if (feed_str(req, name, v, sizeof(v), resp) != 0)
		return -1;
	if (v[0] == '\0')
		return 0;
	if (feed_time_parse(v, out) != 0) {
		snprintf(msg, sizeof(msg), "%s must be an ISO-8601 time or "
		    "epoch milliseconds", name);
		feed_bad(resp, msg);
		return -1;
	}
	return 0;
}

/* The cursor parameter: ids below it (absent: INT64_MAX). */
static int
feed_cursor(const struct route_request *req, int64_t *before,
    struct route_response *resp)
{
	char v[32], *end;
	long long k;

	*before = INT64_MAX;
	if (feed_str(req, "cursor", v, sizeof(v), resp) != 0)
		return -1;
	if (v[0] == '\0')
		return 0;
	k = strtoll(v, &end, 10);
	if (*end != '\0' || !isdigit((unsigned char)v[0]) || k < 1) {
		feed_bad(resp, "cursor is not valid");
		return -1;
	}
	*before = (int64_t)k;
	return 0;
}

/*
 * The type parameter: event types, comma-separated, in any of their three
 * spellings (SEND, send, Send; evdest) into ",Send,Bounce," in out (empty:
 * any).
 */
static int
feed_types(const struct route_request *req, char *out, size_t n,
    struct route_response *resp)
{
	char v[FEED_TYPES_MAX_BYTES], msg[400], *tok, *save = NULL;
	struct buf b;
	int t, k;

	if (feed_str(req, "type", v, sizeof(v), resp) != 0)
		return -1;
	out[0] = '\0';
	if (v[0] == '\0')
		return 0;
	buf_init(&b);
	buf_putc(&b, ',');
	for (tok = strtok_r(v, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((t = evdest_type_parse(tok)) < 0) {
			k = snprintf(msg, sizeof(msg), "type: must be one of ");
			for (t = 0; t < EVDEST_TYPE_COUNT && k > 0 &&
			    (size_t)k < sizeof(msg); t++)
				k += snprintf(msg + k, sizeof(msg) - (size_t)k,
				    "%s%s", t ? ", " : "", evdest_type_event(
				    (enum evdest_type)t));
			feed_bad(resp, msg);
			buf_fini(&b);
			return -1;
		}
		buf_printf(&b, "%s,", evdest_type_event((enum evdest_type)t));
	}
	snprintf(out, n, "%s", b.len > 1 ? b.data : "");
	buf_fini(&b);
	return 0;
}

/* NULL for an absent (empty) string parameter. */
static const char *
feed_opt(const char *v)
{
	return v[0] != '\0' ? v : NULL;
}

/* {key: list, "next_cursor": ...}: the next page starts below the last
 * listed id when the listing had more than limit (it is asked limit + 1). */
static json_t *
feed_page(const char *key, json_t *list, long limit)
{
	json_t *next = json_null(), *last;
	char cursor[32];

	if ((long)json_array_size(list) > limit) {
		json_array_remove(list, (size_t)limit);
		last = json_array_get(list, (size_t)limit - 1);
		snprintf(cursor, sizeof(cursor), "%" PRId64,
		    (int64_t)json_integer_value(json_object_get(last, "Id")));
		next = json_string(cursor);
	}
	return json_pack("{s:o,s:o}", key, list, "next_cursor", next);
}

/* ---- events ---- */

/* One events request: its filters (the strings it owns) and its wait. */
struct feed_events_req {
	struct store_feed_event_filter f;
	char types[FEED_TYPES_MAX_BYTES];
	char message[128];
	char recipient[512];
	char destination[FEED_PARAM_MAX_BYTES];
	char account[INSPECT_ACCOUNT_MAX_BYTES];
	char region[INSPECT_REGION_MAX_BYTES];
	long limit;
	long count;		/* events the wait wants; 0: no wait */
	long wait_ms;
};

/* notify_check_fn: the listing, once count events match (or at once
 * without a wait; 408 with what there is on a timeout). */
static int
feed_events_check(void *arg, int timed_out, struct route_response *resp)
{
	struct feed_events_req *q = arg;
	struct store *s = store_get();
	json_t *list = NULL, *page;
	char msg[160];
	long n = 0;

	if (s == NULL || store_begin(s) != 0) {
		inspect_error(resp, 500, "InternalFailure", "the store is "
		    "unavailable");
		return 1;
	}
	if (q->count > 0 && (n = store_feed_event_count(s, &q->f)) >= 0 &&
	    n < q->count && !timed_out) {
		store_rollback(s);
		return 0;
	}
	if (n >= 0)
		list = store_feed_events(s, &q->f, (size_t)q->limit + 1, 1);
	store_rollback(s);
	if (list == NULL) {
		inspect_error(resp, 500, "InternalFailure", "cannot read the "
		    "events");
		return 1;
	}
	page = feed_page("events", list, q->limit);
	if (q->count > 0 && n < q->count) {
		/* EMU: not an AWS API; 408 says the wait ran out. */
		snprintf(msg, sizeof(msg), "waited %ld ms for %ld matching "
		    "event%s; %ld matched", q->wait_ms, q->count, q->count == 1 ?
		    "" : "s", n);
		route_json(resp, 408, json_pack("{s:s,s:s,s:O,s:O}", "code",
		    "Timeout", "message", msg, "events", json_object_get(page,
		    "events"), "next_cursor", json_object_get(page,
		    "next_cursor")));
		json_decref(page);
		snprintf(resp->error, sizeof(resp->error), "Timeout");
	} else {
		route_json(resp, 200, page);
	}
	return 1;
}

/*
 * GET /_sesbox/api/v1/events[?type=&message=&recipient=&destination=
 * &since=&until=&account=&region=&limit=&cursor=&wait_ms=&count=].
 */
static void
feed_events(const struct route_request *req, struct route_response *resp)
{
	static const char *const known[] = { "type", "message", "recipient",
		"destination", "since", "until", "account", "region", "limit",
		"cursor", "wait_ms", "count", NULL };
	struct feed_events_req *q = xcalloc(1, sizeof(*q));
	char wait[32];
	long count;

	if (feed_params_known(req->query, known, resp) != 0 ||
	    feed_types(req, q->types, sizeof(q->types), resp) != 0 ||
	    feed_str(req, "message", q->message, sizeof(q->message),
	    resp) != 0 ||
	    feed_str(req, "recipient", q->recipient, sizeof(q->recipient),
	    resp) != 0 ||
	    feed_str(req, "destination", q->destination,
	    sizeof(q->destination), resp) != 0 ||
	    feed_str(req, "account", q->account, sizeof(q->account),
	    resp) != 0 ||
	    feed_str(req, "region", q->region, sizeof(q->region), resp) != 0 ||
	    feed_time(req, "since", INT64_MIN, &q->f.since_ms, resp) != 0 ||
	    feed_time(req, "until", INT64_MAX, &q->f.until_ms, resp) != 0 ||
	    feed_cursor(req, &q->f.before_id, resp) != 0 ||
	    feed_int(req, "limit", 1, FEED_LIST_MAX, FEED_LIST_DEFAULT,
	    &q->limit, resp) != 0 ||
	    feed_str(req, "wait_ms", wait, sizeof(wait), resp) != 0 ||
	    feed_int(req, "wait_ms", 0, NOTIFY_WAIT_MAX_MS, 0, &q->wait_ms,
	    resp) != 0 ||
	    feed_int(req, "count", 1, FEED_LIST_MAX, 1, &count, resp) != 0) {
		free(q);
		return;
	}
	q->f.types = feed_opt(q->types);
	q->f.message_id = feed_opt(q->message);
	q->f.recipient = feed_opt(q->recipient);
	q->f.destination = feed_opt(q->destination);
	q->f.account = feed_opt(q->account);
	q->f.region = feed_opt(q->region);
	/* Only wait_ms makes it a wait; count alone changes nothing. */
	q->count = wait[0] != '\0' ? count : 0;
	notify_wait(req, resp, feed_events_check, q, free, q->wait_ms);
}

/* ---- notifications ---- */

/*
 * GET /_sesbox/api/v1/notifications[?type=&message=&destination=&status=
 * &format=&account=&region=&limit=&cursor=].
 */
static void
feed_notifications(const struct route_request *req,
    struct route_response *resp)
{
	static const char *const known[] = { "type", "message", "destination",
		"status", "format", "account", "region", "limit", "cursor",
		NULL };
	static const char *const statuses[] = { "published", "recorded",
		"failed", "queued", NULL };
	static const char *const formats[] = { "event", "notification",
		"email", NULL };
	char types[FEED_TYPES_MAX_BYTES], message[128], status[32];
	char destination[FEED_PARAM_MAX_BYTES], format[32];
	char account[INSPECT_ACCOUNT_MAX_BYTES];
	char region[INSPECT_REGION_MAX_BYTES];
	struct store_feed_pub_filter f;
	struct store *s = store_get();
	json_t *list = NULL;
	long limit;
	size_t i;

	memset(&f, 0, sizeof(f));
	if (feed_params_known(req->query, known, resp) != 0 ||
	    feed_types(req, types, sizeof(types), resp) != 0 ||
	    feed_str(req, "message", message, sizeof(message), resp) != 0 ||
	    feed_str(req, "destination", destination, sizeof(destination),
	    resp) != 0 ||
	    feed_str(req, "status", status, sizeof(status), resp) != 0 ||
	    feed_str(req, "format", format, sizeof(format), resp) != 0 ||
	    feed_str(req, "account", account, sizeof(account), resp) != 0 ||
	    feed_str(req, "region", region, sizeof(region), resp) != 0 ||
	    feed_cursor(req, &f.before_id, resp) != 0 ||
	    feed_int(req, "limit", 1, FEED_LIST_MAX, FEED_LIST_DEFAULT,
	    &limit, resp) != 0)
		return;
	for (i = 0; status[0] && statuses[i] && strcmp(status, statuses[i]);
	    i++)
		;
	if (status[0] && statuses[i] == NULL) {
		feed_bad(resp, "status: must be one of published, recorded, "
		    "failed, queued");
		return;
	}
	for (i = 0; format[0] && formats[i] && strcmp(format, formats[i]); i++)
		;
	if (format[0] && formats[i] == NULL) {
		feed_bad(resp, "format: must be one of event, notification, "
		    "email");
		return;
	}
	f.types = feed_opt(types);
	f.message_id = feed_opt(message);
	f.destination = feed_opt(destination);
	f.status = feed_opt(status);
	f.format = feed_opt(format);
	f.account = feed_opt(account);
	f.region = feed_opt(region);
	if (s != NULL && store_begin(s) == 0) {
		list = store_feed_pubs(s, &f, (size_t)limit + 1);
		store_rollback(s);
	}
	if (list == NULL) {
		inspect_error(resp, 500, "InternalFailure", "cannot read the "
		    "notifications");
		return;
	}
	route_json(resp, 200, feed_page("notifications", list, limit));
}

/* ---- the live feed (Server-Sent Events) ---- */

/*
 * One client of GET /_sesbox/api/v1/feed. The HTTP layer reads it
 * (feed_live_read, on the connection's thread), which is where the store
 * is read: after a commit the notifier only marks it dirty and wakes the
 * connection. So what is queued is at most one pull of frames; a slow
 * client is not fed faster than it reads, it falls behind on its cursor
 * (EMU: no frame is dropped while the rows are still in the store).
 */
struct feed_live {
	struct route_stream st;		/* first: the HTTP layer's view */
	pthread_mutex_t lock;
	struct buf out;			/* frames ready to send */
	size_t off;			/* of out, sent already */
	/* The position: the last message and event sent (store_feed.h). */
	int64_t message;
	int64_t event;
	char message_key[STORE_FEED_KEY_BYTES];
	char event_key[STORE_FEED_KEY_BYTES];
	unsigned resets;		/* store_reset_count at the position */
	long keepalive_ms;
	int fd;				/* the client's socket */
	int started;			/* the first read ran */
	struct notify_sub *sub;
	/* Under lock: */
	int dirty;			/* commits since the last pull */
	int keepalive;			/* a keepalive comment is due */
	int ended;			/* stopping, or the client left */
};

/* notify: marks what happened and wakes the connection. */
static void
feed_live_notify(void *arg, enum notify_why why)
{
	struct feed_live *f = arg;

	pthread_mutex_lock(&f->lock);
	switch (why) {
	case NOTIFY_COMMITTED:
		f->dirty = 1;
		break;
	case NOTIFY_TICK:
		f->keepalive = 1;
		break;
	case NOTIFY_HANGUP:
		/* Nobody to send the rest to. */
		f->out.len = f->off = 0;
		f->ended = 1;
		break;
	case NOTIFY_STOPPING:
		/* What is queued goes out, then the stream ends. */
		f->ended = 1;
		break;
	}
	pthread_mutex_unlock(&f->lock);
	/* f outlives this call: feed_live_close unsubscribes first. */
	f->st.wake(f->st.wake_arg);
}

/* One frame into b: its id is the position after it. */
static void
feed_live_frame(struct buf *b, int64_t message, int64_t event,
    const char *type, const json_t *data)
{
	char *text = json_dumps(data, JSON_COMPACT);

	buf_printf(b, "id: %" PRId64 "-%" PRId64 "\nevent: %s\ndata: %s\n\n",
	    message, event, type, text);
	free(text);
}

/* A message's frame; the position moves on to it. */
static void
feed_live_message(struct feed_live *f, struct buf *frames, int64_t rowid,
    const json_t *m)
{
	f->message = rowid;
	snprintf(f->message_key, sizeof(f->message_key), "%s",
	    json_string_value(json_object_get(m, "MessageId")));
	feed_live_frame(frames, f->message, f->event, "message", m);
}

/*
 * Reads what was captured after the cursors into frames (lock not held:
 * only this connection's thread touches the cursors) and moves them on.
 * The two tables are merged in commit order as far as it is known: a
 * message before the events about it (a send commits its message and its
 * Send event together), events in id order. Returns 1 when a whole pull's
 * worth came (there may be more), 0 when not, -1 on error.
 */
static int
feed_live_pull(struct feed_live *f, struct buf *frames)
{
	struct store *s = store_get();
	int64_t rowids[FEED_PULL_ROWS], of[FEED_PULL_ROWS];
	unsigned resets = store_reset_count();
	json_t *msgs = NULL, *evts = NULL, *v;
	int rm, re, more;
	size_t i, k = 0, nm;

	if (s == NULL || store_begin(s) != 0)
		return -1;
	/* Where the position stands now: a reset or a deletion may have
	 * taken its rows, and new rows their places. */
	if ((rm = store_feed_check(s, 0, &f->message, f->message_key)) < 0 ||
	    (re = store_feed_check(s, 1, &f->event, f->event_key)) < 0)
		goto fail;
	if (resets != f->resets && (rm != 0 || re != 0 || (f->message == 0 &&
	    f->event == 0))) {
		/* A reset this snapshot shows: every row is new. */
		f->message = f->event = 0;
		f->message_key[0] = f->event_key[0] = '\0';
		f->resets = resets;
	}
	if ((msgs = store_feed_messages_after(s, f->message, FEED_PULL_ROWS,
	    rowids)) == NULL || (evts = store_feed_events_after(s, f->event,
	    FEED_PULL_ROWS, of)) == NULL)
		goto fail;
	store_rollback(s);
	nm = json_array_size(msgs);
	more = nm == FEED_PULL_ROWS || json_array_size(evts) ==
	    FEED_PULL_ROWS;
	json_array_foreach(evts, i, v) {
		for (; k < nm && rowids[k] <= of[i]; k++)
			feed_live_message(f, frames, rowids[k],
			    json_array_get(msgs, k));
		/* Its message is beyond this pull: the next one. */
		if (of[i] > f->message && nm == FEED_PULL_ROWS)
			break;
		f->event = json_integer_value(json_object_get(v, "Id"));
		snprintf(f->event_key, sizeof(f->event_key), "%s",
		    json_string_value(json_object_get(v, "MessageId")));
		feed_live_frame(frames, f->message, f->event, "event", v);
	}
	for (; k < nm; k++)
		feed_live_message(f, frames, rowids[k], json_array_get(msgs, k));
	json_decref(msgs);
	json_decref(evts);
	return more;
fail:
	store_rollback(s);
	json_decref(msgs);
	json_decref(evts);
	return -1;
}

/* route_stream.read. */
static long
feed_live_read(struct route_stream *st, char *buf, size_t max)
{
	struct feed_live *f = (struct feed_live *)st;
	struct buf frames;
	int pull, rc;
	size_t n;

	if (!f->started) {
		f->started = 1;
		/* Subscribed here, once the server has set wake. */
		f->sub = notify_subscribe(feed_live_notify, f, f->keepalive_ms,
		    f->fd);
		pthread_mutex_lock(&f->lock);
		if (f->sub == NULL)
			f->ended = 1;
		/* Something at once, so the client sees the stream open. */
		buf_printf(&f->out, "retry: 2000\n: sesbox live feed\n\n");
		pthread_mutex_unlock(&f->lock);
	}
	pthread_mutex_lock(&f->lock);
	if (f->off == f->out.len) {
		f->out.len = f->off = 0;
		pull = f->dirty && !f->ended;
		f->dirty = 0;
		if (pull) {
			pthread_mutex_unlock(&f->lock);
			buf_init(&frames);
			rc = feed_live_pull(f, &frames);
			pthread_mutex_lock(&f->lock);
			if (rc < 0) {
				log_warn("msg=\"live feed cannot read the "
				    "store\"");
				f->ended = 1;
			} else if (rc > 0) {
				f->dirty = 1;	/* the rest on the next read */
			}
			if (!f->ended && frames.len > 0)
				buf_append(&f->out, frames.data, frames.len);
			buf_fini(&frames);
		}
		if (f->out.len == 0 && f->keepalive && !f->ended)
			buf_puts(&f->out, ": keepalive\n\n");
		f->keepalive = 0;
	}
	if (f->off == f->out.len) {
		rc = f->ended ? -1 : 0;
		pthread_mutex_unlock(&f->lock);
		return rc;
	}
	n = f->out.len - f->off;
	if (n > max)
		n = max;
	memcpy(buf, f->out.data + f->off, n);
	f->off += n;
	pthread_mutex_unlock(&f->lock);
	return (long)n;
}

/* route_stream.close. */
static void
feed_live_close(struct route_stream *st)
{
	struct feed_live *f = (struct feed_live *)st;

	/* Not under f->lock: a notify call under way takes it. */
	notify_unsubscribe(f->sub);
	pthread_mutex_destroy(&f->lock);
	buf_fini(&f->out);
	free(f);
}

/* The Last-Event-ID header's position ("MESSAGE-EVENT"), if any. */
static const char *
feed_header(const struct route_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

/* GET /_sesbox/api/v1/feed[?keepalive_ms=]: text/event-stream. */
static void
feed_live(const struct route_request *req, struct route_response *resp)
{
	static const char *const known[] = { "keepalive_ms", NULL };
	const char *last = feed_header(req, "Last-Event-ID");
	struct store *s = store_get();
	struct feed_live *f;
	long long m, e;
	long keepalive;
	int used = 0;

	if (feed_params_known(req->query, known, resp) != 0 ||
	    feed_int(req, "keepalive_ms", FEED_KEEPALIVE_MIN_MS,
	    FEED_KEEPALIVE_MAX_MS, FEED_KEEPALIVE_MS, &keepalive, resp) != 0)
		return;
	if (last != NULL && *last != '\0' && (sscanf(last, "%lld-%lld%n", &m,
	    &e, &used) != 2 || (size_t)used != strlen(last) || m < 0 ||
	    e < 0)) {
		feed_bad(resp, "Last-Event-ID is not a position of this feed");
		return;
	}
	f = xcalloc(1, sizeof(*f));
	f->st.read = feed_live_read;
	f->st.close = feed_live_close;
	pthread_mutex_init(&f->lock, NULL);
	buf_init(&f->out);
	f->keepalive_ms = keepalive;
	f->fd = req->client_fd;
	f->dirty = 1;
	f->resets = store_reset_count();
	if (last != NULL && *last != '\0') {
		/* The keys are unknown: taken from the rows found there. */
		f->message = (int64_t)m;
		f->event = (int64_t)e;
	} else if (s == NULL || store_begin(s) != 0 ||
	    store_feed_heads(s, &f->message, f->message_key, &f->event,
	    f->event_key) != 0) {
		if (s != NULL)
			store_rollback(s);
		feed_live_close(&f->st);
		inspect_error(resp, 500, "InternalFailure", "the store is "
		    "unavailable");
		return;
	} else {
		store_rollback(s);
	}
	resp->status = 200;
	resp->content_type = "text/event-stream; charset=utf-8";
	route_header(resp, "Cache-Control", "no-cache");
	/* For a proxy in front (nginx): pass frames through at once. */
	route_header(resp, "X-Accel-Buffering", "no");
	resp->stream = &f->st;
}

const struct inspect_route feed_routes[] = {
	{ "/_sesbox/api/v1/events", feed_methods_get, feed_events, 0 },
	{ "/_sesbox/api/v1/notifications", feed_methods_get,
	    feed_notifications, 0 },
	{ "/_sesbox/api/v1/feed", feed_methods_stream, feed_live, 0 },
	{ ACTION_PATH, feed_methods_post, action_handle, 1 },
};
const size_t feed_nroutes = sizeof(feed_routes) / sizeof(feed_routes[0]);
