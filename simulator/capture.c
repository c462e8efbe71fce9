/*
 * capture — the captured mail's HTTP side (see capture.h).
 */
#include "capture.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "mime.h"
#include "notify.h"
#include "store.h"
#include "store_capture.h"
#include "store_pub.h"
#include "store_send.h"
#include "tclock.h"
#include "wire.h"
#include "worker.h"
#include "xmem.h"

#define CAPTURE_ID_MAX_BYTES 128
#define CAPTURE_DRAIN_TIMEOUT_MS 30000
/* Distinct attachment content types answered as themselves. */
#define CAPTURE_TYPES_MAX 64
#define CAPTURE_TYPE_MAX_BYTES 128
#define CAPTURE_HOUR_MS (3600LL * 1000)

/* The part after /messages/{id} that /html, /text and /attachments/{n}
 * name. */
#define CAPTURE_ATTACHMENTS_SEGMENT "/attachments/"

static const char *const capture_methods_get[] = { "GET", "HEAD", NULL };
static const char *const capture_methods_list[] = { "GET", "HEAD",
    "DELETE", NULL };
static const char *const capture_methods_post[] = { "POST", NULL };

/* The event types a message can have (the `event` filter). */
static const char *const capture_event_types[] = {
	"Send", "Delivery", "Bounce", "Complaint", "Reject", "DeliveryDelay",
	"Open", "Click", "Rendering Failure", "Subscription", NULL
};

/* EMU: sesbox's own answer; the HTML is the sender's, shown in a
 * sandbox that runs nothing and loads nothing remote. */
#define CAPTURE_CSP "default-src 'none'; style-src 'unsafe-inline'; " \
	"img-src data: cid:; sandbox"
#define CAPTURE_CSP_IMAGES "default-src 'none'; style-src 'unsafe-inline'; " \
	"img-src data: cid: http: https:; sandbox"

/* ---- cursors and parameters ---- */

void
capture_cursor_encode(int64_t ms, int64_t id, char out[CAPTURE_CURSOR_BYTES])
{
	unsigned char b[16];
	struct buf t;
	size_t i;

	for (i = 0; i < 8; i++) {
		b[i] = (unsigned char)((uint64_t)ms >> (56 - 8 * i));
		b[8 + i] = (unsigned char)((uint64_t)id >> (56 - 8 * i));
	}
	buf_init(&t);
	buf_base64(&t, b, sizeof(b));
	/* base64url, unpadded: 22 characters. */
	for (i = 0; i < CAPTURE_CURSOR_CHARS; i++)
		out[i] = t.data[i] == '+' ? '-' : t.data[i] == '/' ? '_' :
		    t.data[i];
	out[CAPTURE_CURSOR_CHARS] = '\0';
	buf_fini(&t);
}

int
capture_cursor_decode(const char *s, int64_t *ms, int64_t *id)
{
	char std[CAPTURE_CURSOR_CHARS + 3];
	unsigned char b[18];
	uint64_t a = 0, c = 0;
	size_t i;

	if (strlen(s) != CAPTURE_CURSOR_CHARS)
		return -1;
	for (i = 0; i < CAPTURE_CURSOR_CHARS; i++) {
		if (s[i] == '+' || s[i] == '/')
			return -1;
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	}
	std[i++] = '=';
	std[i++] = '=';
	std[i] = '\0';
	if (buf_base64_decode(std, CAPTURE_CURSOR_CHARS + 2, b) != 16)
		return -1;
	for (i = 0; i < 8; i++) {
		a = a << 8 | b[i];
		c = c << 8 | b[8 + i];
	}
	*ms = (int64_t)a;
	*id = (int64_t)c;
	/* Only what capture_cursor_encode writes: the unused low bits of
	 * the last character are zero. */
	capture_cursor_encode(*ms, *id, std);
	return strcmp(std, s) == 0 && *id > 0 ? 0 : -1;
}

int
capture_time_parse(const char *s, int64_t *ms)
{
	const char *p = s;
	char *end;
	long long v;

	if (*p == '-')
		p++;
	if (*p >= '0' && *p <= '9' && p[strspn(p, "0123456789")] == '\0') {
		v = strtoll(s, &end, 10);
		if (*end != '\0' || strlen(p) > 15)
			return -1;
		*ms = (int64_t)v;
		return 0;
	}
	/* ISO-8601 only: wire_timestamp_parse also takes epoch seconds. */
	if (strchr(s, '-') == NULL || s[0] == '-')
		return -1;
	return wire_timestamp_parse(s, ms);
}

/* How query names parameter name: 2 with a value ("name=..."), 1 bare
 * ("name"), 0 not at all. */
static int
capture_has_param(const char *query, const char *name)
{
	size_t len = strlen(name);
	const char *p;
	int found = 0;

	for (p = query; p != NULL && *p; p = strchr(p, '&'), p = p ? p + 1 :
	    NULL)
		if (strncmp(p, name, len) == 0) {
			if (p[len] == '=')
				return 2;
			if (p[len] == '&' || p[len] == '\0')
				found = 1;
		}
	return found;
}

/*
 * Reads parameter name of query into out: 0 with a value, 1 when it is
 * absent or empty, -1 (err set) when too long or badly encoded.
 */
static int
capture_param(const char *query, const char *name, char *out, size_t n,
    char err[CAPTURE_ERROR_MAX_BYTES])
{
	out[0] = '\0';
	if (query == NULL || capture_has_param(query, name) != 2)
		return 1;
	if (inspect_param(query, name, out, n) != 0) {
		out[0] = '\0';
		snprintf(err, CAPTURE_ERROR_MAX_BYTES, "%s is too long or "
		    "badly encoded", name);
		return -1;
	}
	return out[0] == '\0' ? 1 : 0;
}

/* A string filter: f_field points at buf when the parameter has a value. */
static int
capture_param_str(const char *query, const char *name, char *buf, size_t n,
    const char **field, char err[CAPTURE_ERROR_MAX_BYTES])
{
	int rc = capture_param(query, name, buf, n, err);

	if (rc < 0)
		return -1;
	*field = rc == 0 ? buf : NULL;
	return 0;
}

int
capture_query_parse(const char *query, struct capture_query *cq,
    char err[CAPTURE_ERROR_MAX_BYTES])
{
	static const struct {
		const char *name;
		size_t off, size, field;
	} strs[] = {
#define CAPTURE_STR(name, member, fld) { name, \
	offsetof(struct capture_query, member), \
	sizeof(((struct capture_query *)0)->member), \
	offsetof(struct store_capture_filter, fld) }
		CAPTURE_STR("account", account, account),
		CAPTURE_STR("region", region, region),
		CAPTURE_STR("kind", kind, kind),
		CAPTURE_STR("api", api, api),
		CAPTURE_STR("operation", operation, operation),
		CAPTURE_STR("configuration_set", configuration_set,
		    configuration_set),
		CAPTURE_STR("event", event, event),
		CAPTURE_STR("to", to, to),
		CAPTURE_STR("from", from, from),
		CAPTURE_STR("subject", subject, subject),
		CAPTURE_STR("q", q, q),
#undef CAPTURE_STR
	};
	char v[CAPTURE_PARAM_MAX_BYTES], *colon;
	size_t i;
	int rc;

	memset(cq, 0, sizeof(*cq));
	store_capture_filter_init(&cq->f);
	cq->limit = CAPTURE_LIMIT_DEFAULT;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (capture_param_str(query, strs[i].name, (char *)cq +
		    strs[i].off, strs[i].size, (const char **)(void *)
		    ((char *)&cq->f + strs[i].field), err) != 0)
			return -1;
	if ((rc = capture_param(query, "limit", v, 16, err)) < 0) {
		snprintf(err, CAPTURE_ERROR_MAX_BYTES, "limit must be 1-%d",
		    STORE_CAPTURE_LIST_MAX);
		return -1;
	}
	if (rc == 0) {
		if (v[strspn(v, "0123456789")] != '\0' || strlen(v) > 4 ||
		    atoi(v) < 1 || atoi(v) > STORE_CAPTURE_LIST_MAX) {
			snprintf(err, CAPTURE_ERROR_MAX_BYTES, "limit must be "
			    "1-%d", STORE_CAPTURE_LIST_MAX);
			return -1;
		}
		cq->limit = (size_t)atoi(v);
	}
	cq->wait_ms = -1;
	cq->count = 1;
	if ((rc = capture_param(query, "wait_ms", v, 16, err)) < 0 ||
	    (rc == 0 && (v[strspn(v, "0123456789")] != '\0' || strlen(v) > 5 ||
	    atol(v) > NOTIFY_WAIT_MAX_MS))) {
		snprintf(err, CAPTURE_ERROR_MAX_BYTES, "wait_ms must be 0-%d",
		    NOTIFY_WAIT_MAX_MS);
		return -1;
	}
	if (rc == 0)
		cq->wait_ms = atol(v);
	if ((rc = capture_param(query, "count", v, 16, err)) < 0 ||
	    (rc == 0 && (v[strspn(v, "0123456789")] != '\0' || strlen(v) > 4 ||
	    atol(v) < 1 || (size_t)atol(v) > cq->limit))) {
		snprintf(err, CAPTURE_ERROR_MAX_BYTES, "count must be 1-%zu "
		    "(at most limit)", cq->limit);
		return -1;
	}
	if (rc == 0)
		cq->count = atol(v);
	if ((rc = capture_param(query, "cursor", v, sizeof(v), err)) < 0 ||
	    (rc == 0 && capture_cursor_decode(v, &cq->f.after_ms,
	    &cq->f.after_id) != 0)) {
		snprintf(err, CAPTURE_ERROR_MAX_BYTES, "cursor is not a "
		    "next_cursor this API returned");
		return -1;
	}
	if ((rc = capture_param(query, "since", v, sizeof(v), err)) < 0 ||
	    (rc == 0 && capture_time_parse(v, &cq->f.since_ms) != 0)) {
		snprintf(err, CAPTURE_ERROR_MAX_BYTES, "since must be an "
		    "ISO-8601 time or epoch milliseconds");
		return -1;
	}
	if ((rc = capture_param(query, "until", v, sizeof(v), err)) < 0 ||
	    (rc == 0 && capture_time_parse(v, &cq->f.until_ms) != 0)) {
		snprintf(err, CAPTURE_ERROR_MAX_BYTES, "until must be an "
		    "ISO-8601 time or epoch milliseconds");
		return -1;
	}
	if (cq->f.api != NULL && strcmp(cq->api, "v1") != 0 &&
	    strcmp(cq->api, "v2") != 0 && strcmp(cq->api, "smtp") != 0) {
		snprintf(err, CAPTURE_ERROR_MAX_BYTES, "api must be v1, v2 or "
		    "smtp");
		return -1;
	}
	if (cq->f.event != NULL) {
		for (i = 0; capture_event_types[i] != NULL; i++)
			if (strcmp(cq->event, capture_event_types[i]) == 0)
				break;
		if (capture_event_types[i] == NULL) {
			snprintf(err, CAPTURE_ERROR_MAX_BYTES, "event must be "
			    "one of Send, Delivery, Bounce, Complaint, Reject, "
			    "DeliveryDelay, Open, Click, Rendering Failure, "
			    "Subscription");
			return -1;
		}
	}
	if ((rc = capture_param(query, "tag", cq->tag, sizeof(cq->tag),
	    err)) < 0)
		return -1;
	if (rc == 0) {
		/* AWS: tag values cannot hold ':' but names can
		 * (ses:operation), so the last one splits. */
		if ((colon = strrchr(cq->tag, ':')) == NULL ||
		    colon == cq->tag || colon[1] == '\0') {
			snprintf(err, CAPTURE_ERROR_MAX_BYTES, "tag must be "
			    "NAME:VALUE");
			return -1;
		}
		*colon = '\0';
		cq->f.tag_name = cq->tag;
		cq->f.tag_value = colon + 1;
	}
	return 0;
}

json_t *
capture_list_eval(const struct capture_query *cq)
{
	char cursor[CAPTURE_CURSOR_BYTES];
	struct store *s = store_get();
	int64_t ms = 0, id = 0;
	json_t *list;
	int more = 0;

	if (s == NULL || store_begin(s) != 0)
		return NULL;
	list = store_capture_list(s, &cq->f, cq->limit, &more, &ms, &id);
	if (store_commit(s) != 0) {
		store_rollback(s);
		json_decref(list);
		return NULL;
	}
	if (list == NULL)
		return NULL;
	if (more)
		capture_cursor_encode(ms, id, cursor);
	return json_pack("{s:o,s:o}", "messages", list, "next_cursor", more ?
	    json_string(cursor) : json_null());
}

/* ---- the list ---- */

/*
 * notify_check_fn of a listing: the page, once it holds count messages
 * (at once without wait_ms); at the deadline, 408 with what there is.
 */
static int
capture_wait_check(void *arg, int timed_out, struct route_response *resp)
{
	struct capture_query *cq = arg;
	json_t *out = capture_list_eval(cq);
	size_t n;
	char msg[160];

	if (out == NULL) {
		inspect_error(resp, 500, "InternalFailure", "cannot list "
		    "messages");
		return 1;
	}
	n = json_array_size(json_object_get(out, "messages"));
	if (cq->wait_ms < 0 || n >= (size_t)cq->count) {
		route_json(resp, 200, out);
		return 1;
	}
	if (!timed_out) {
		json_decref(out);
		return 0;
	}
	/* EMU: not an AWS API; 408 says the wait ran out (as /events). */
	snprintf(msg, sizeof(msg), "waited %ld ms for %ld matching "
	    "message%s; %zu matched", cq->wait_ms, cq->count, cq->count == 1 ?
	    "" : "s", n);
	route_json(resp, 408, json_pack("{s:s,s:s,s:O,s:O}", "code", "Timeout",
	    "message", msg, "messages", json_object_get(out, "messages"),
	    "next_cursor", json_object_get(out, "next_cursor")));
	snprintf(resp->error, sizeof(resp->error), "Timeout");
	json_decref(out);
	return 1;
}

/* GET (list) or DELETE (those matching) /_sesbox/api/v1/messages. */
static void
capture_messages(const struct route_request *req, struct route_response *resp)
{
	char err[CAPTURE_ERROR_MAX_BYTES];
	struct capture_query *cq = xmalloc(sizeof(*cq));
	struct store *s;
	long n;

	if (capture_query_parse(req->query, cq, err) != 0) {
		inspect_error(resp, 400, "BadRequest", err);
		goto done;
	}
	if (strcmp(req->method, "DELETE") != 0) {
		/* Without wait_ms the first check answers at once. */
		notify_wait(req, resp, capture_wait_check, cq, free,
		    cq->wait_ms < 0 ? 0 : cq->wait_ms);
		return;
	}
	if ((s = store_write_begin()) == NULL) {
		inspect_error(resp, 500, "InternalFailure", "the store is "
		    "unavailable");
		goto done;
	}
	n = store_capture_delete(s, &cq->f);
	if (store_write_end(s, n >= 0) != 0 || n < 0) {
		inspect_error(resp, 500, "InternalFailure", "cannot delete "
		    "messages");
		goto done;
	}
	log_info("req=%s msg=\"messages deleted\" n=%ld", req->request_id, n);
	route_json(resp, 200, json_pack("{s:I}", "deleted", (json_int_t)n));
done:
	free(cq);
}

/* ---- one message ---- */

/*
 * The MessageId of a /messages/{id}[/...] path (percent-decoded) into id.
 * Returns 0, or -1 (404 answered) when it is not one.
 */
static int
capture_path_id(const struct route_request *req, struct route_response *resp,
    char id[CAPTURE_ID_MAX_BYTES])
{
	const char *start = req->path + strlen(CAPTURE_MESSAGES_PATH "/");
	size_t n = strcspn(start, "/");
	long k;

	if (n == 0 || n >= CAPTURE_ID_MAX_BYTES) {
		inspect_error(resp, 404, "NotFound", "no such message");
		return -1;
	}
	memcpy(id, start, n);
	if ((k = wire_percent_decode(id, n, 0)) <= 0) {
		inspect_error(resp, 404, "NotFound", "no such message");
		return -1;
	}
	id[k] = '\0';
	return 0;
}

/*
 * The message of the path, with its events and publications when
 * detail: new, or NULL with the error answered (404 when missing).
 */
static json_t *
capture_load(const struct route_request *req, struct route_response *resp,
    int detail, char id[CAPTURE_ID_MAX_BYTES])
{
	struct store *s = store_get();
	json_t *m = NULL, *v;
	int missing = 0, bad = 0;

	if (capture_path_id(req, resp, id) != 0)
		return NULL;
	if (s == NULL || store_begin(s) != 0) {
		inspect_error(resp, 500, "InternalFailure", "the store is "
		    "unavailable");
		return NULL;
	}
	m = store_capture_get(s, id, &missing);
	if (m != NULL && detail) {
		if ((v = store_event_list(s, id)) == NULL)
			bad = 1;
		json_object_set_new(m, "Events", v != NULL ? v : json_array());
		if ((v = store_pub_list(s, id, STORE_CAPTURE_LIST_MAX)) ==
		    NULL)
			bad = 1;
		json_object_set_new(m, "Publications", v != NULL ? v :
		    json_array());
	}
	if (store_commit(s) != 0) {
		store_rollback(s);
		bad = 1;
	}
	if (bad || (m == NULL && !missing)) {
		json_decref(m);
		inspect_error(resp, 500, "InternalFailure", "cannot read the "
		    "message");
		return NULL;
	}
	if (m == NULL)
		inspect_error(resp, 404, "NotFound", "no such message");
	return m;
}

/* s[0..n) as a JSON string, bytes that are not UTF-8 as U+FFFD (the
 * answer must stay valid JSON whatever a sender's 8bit text holds). */
static json_t *
capture_json_text(const char *s, size_t n)
{
	struct buf b;
	json_t *v;
	size_t i, k;

	if (wire_utf8_valid(s, n))
		return json_stringn(s, n);
	buf_init(&b);
	for (i = 0; i < n; i += k) {
		unsigned char c = (unsigned char)s[i];

		k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ?
		    2 : 1;
		if (c != 0 && i + k <= n && wire_utf8_valid(s + i, k)) {
			buf_append(&b, s + i, k);
		} else {
			buf_puts(&b, "\xef\xbf\xbd");
			k = 1;
		}
	}
	v = json_stringn(b.data != NULL ? b.data : "", b.len);
	buf_fini(&b);
	return v;
}

/* The raw text of a loaded message (borrowed from m). */
static const char *
capture_raw(const json_t *m, size_t *len)
{
	const json_t *raw = json_object_get(m, "Raw");

	*len = json_string_length(raw);
	return json_string_value(raw);
}

/* A message taken apart: which leaves are its text and HTML bodies and
 * which are attachments. */
struct capture_mime {
	struct mime_msg *msg;		/* NULL when the text does not parse */
	json_t *summary;		/* mime_summary of msg, or NULL */
	long text, html;		/* leaf index, or -1 */
	size_t *att;			/* leaf indexes of the attachments */
	size_t natt;
};

static int
capture_str_is(const json_t *o, const char *key, const char *v)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && strcasecmp(s, v) == 0;
}

/*
 * EMU: the first text/plain and the first text/html leaf that are
 * neither named (a file name) nor Content-Disposition: attachment are
 * the message's text and HTML, as mail clients show them; every other
 * leaf is an attachment, in order (inline images and the parts of a
 * report included).
 */
static void
capture_mime_init(struct capture_mime *cm, const char *raw, size_t len)
{
	char err[MIME_ERROR_MAX_BYTES];
	const json_t *parts, *p;
	size_t i;
	int body;

	memset(cm, 0, sizeof(*cm));
	cm->text = cm->html = -1;
	if ((cm->msg = mime_parse(raw, len, err)) == NULL)
		return;
	cm->summary = mime_summary(cm->msg);
	parts = json_object_get(cm->summary, "parts");
	cm->att = xcalloc(json_array_size(parts) + 1, sizeof(*cm->att));
	json_array_foreach(parts, i, p) {
		body = json_is_null(json_object_get(p, "filename")) &&
		    !capture_str_is(p, "disposition", "attachment");
		if (body && cm->text < 0 && capture_str_is(p, "content_type",
		    "text/plain"))
			cm->text = (long)i;
		else if (body && cm->html < 0 && capture_str_is(p,
		    "content_type", "text/html"))
			cm->html = (long)i;
		else
			cm->att[cm->natt++] = i;
	}
}

static void
capture_mime_fini(struct capture_mime *cm)
{
	mime_msg_free(cm->msg);
	json_decref(cm->summary);
	free(cm->att);
}

/* Leaf i's decoded text (borrowed from cm), or NULL. */
static const json_t *
capture_mime_text(const struct capture_mime *cm, long i)
{
	if (i < 0)
		return NULL;
	return json_object_get(json_array_get(json_object_get(cm->summary,
	    "parts"), (size_t)i), "text");
}

/* Adds Envelope, Headers, Text, Html and Attachments to m. */
static void
capture_detail(json_t *m)
{
	struct capture_mime cm;
	struct mime_msg *hdrs;
	json_t *headers, *atts = json_array(), *p, *s;
	const json_t *t;
	const char *raw, *cid;
	size_t len, i;

	raw = capture_raw(m, &len);
	capture_mime_init(&cm, raw, len);
	/* EMU: the envelope sesbox used: MAIL FROM the source, RCPT TO
	 * every recipient (Bcc included). */
	json_object_set_new(m, "Envelope", json_pack("{s:O,s:O}", "MailFrom",
	    json_object_get(m, "Source"), "RcptTo", json_object_get(m,
	    "Destinations")));
	if (cm.summary != NULL) {
		headers = json_incref(json_object_get(cm.summary, "headers"));
	} else {
		/* Not a message mime_parse takes (sesbox stored it, so it
		 * should be): its headers still show. */
		hdrs = mime_parse_headers(raw, len);
		s = mime_summary(hdrs);
		headers = json_incref(json_object_get(s, "headers"));
		json_decref(s);
		mime_msg_free(hdrs);
	}
	json_object_set_new(m, "Headers", headers);
	t = capture_mime_text(&cm, cm.text);
	json_object_set_new(m, "Text", t != NULL ? json_copy((json_t *)t) :
	    json_null());
	t = capture_mime_text(&cm, cm.html);
	json_object_set_new(m, "Html", t != NULL ? json_copy((json_t *)t) :
	    json_null());
	for (i = 0; i < cm.natt; i++) {
		p = json_array_get(json_object_get(cm.summary, "parts"),
		    cm.att[i]);
		cid = mime_leaf_content_id(cm.msg, cm.att[i]);
		json_array_append_new(atts, json_pack("{s:I,s:O,s:O,s:O,s:o,"
		    "s:O}", "Index", (json_int_t)i + 1, "Filename",
		    json_object_get(p, "filename"), "ContentType",
		    json_object_get(p, "content_type"), "Size",
		    json_object_get(p, "size"), "ContentId", cid != NULL ?
		    json_string(cid) : json_null(), "Disposition",
		    json_object_get(p, "disposition")));
	}
	json_object_set_new(m, "Attachments", atts);
	capture_mime_fini(&cm);
	json_object_set_new(m, "Raw", capture_json_text(raw, len));
}

/* GET (detail) or DELETE /_sesbox/api/v1/messages/{id}. */
static void
capture_message(const struct route_request *req, struct route_response *resp)
{
	char id[CAPTURE_ID_MAX_BYTES];
	struct store *s;
	json_t *m;
	int rc;

	if (strcmp(req->method, "DELETE") == 0) {
		if (capture_path_id(req, resp, id) != 0)
			return;
		if ((s = store_write_begin()) == NULL) {
			inspect_error(resp, 500, "InternalFailure", "the store "
			    "is unavailable");
			return;
		}
		rc = store_capture_delete_one(s, id);
		if (store_write_end(s, rc >= 0) != 0 || rc < 0) {
			inspect_error(resp, 500, "InternalFailure", "cannot "
			    "delete the message");
			return;
		}
		if (rc == 1) {
			inspect_error(resp, 404, "NotFound", "no such message");
			return;
		}
		log_info("req=%s msg=\"message deleted\" msgid=%s",
		    req->request_id, id);
		route_json(resp, 200, json_pack("{s:i}", "deleted", 1));
		return;
	}
	if ((m = capture_load(req, resp, 1, id)) == NULL)
		return;
	capture_detail(m);
	/* Raw first, then the parts; the keys' order is the contract's. */
	route_json(resp, 200, m);
}

/* Copies s into a quoted-string filename: ASCII, each other character,
 * quote, backslash or control character as one '_'. */
static void
capture_filename_ascii(struct buf *b, const char *s)
{
	unsigned char c;

	for (; *s; s++) {
		c = (unsigned char)*s;
		if (c >= 0x80 && c < 0xc0)
			continue;	/* the rest of a UTF-8 character */
		buf_putc(b, c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ?
		    '_' : (char)c);
	}
}

/* Sets Content-Disposition: attachment; filename="..." (and RFC 5987's
 * filename* when the name is not ASCII). */
static void
capture_disposition(struct route_response *resp, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;
	const unsigned char *p;
	int ascii = 1;

	buf_init(&b);
	buf_puts(&b, "attachment; filename=\"");
	capture_filename_ascii(&b, name);
	buf_putc(&b, '"');
	for (p = (const unsigned char *)name; *p; p++)
		if (*p >= 0x80)
			ascii = 0;
	if (!ascii) {
		buf_puts(&b, "; filename*=UTF-8''");
		for (p = (const unsigned char *)name; *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' &&
			    *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    strchr("!#$&+-.^_`|~", *p) != NULL) {
				buf_putc(&b, (char)*p);
			} else {
				buf_putc(&b, '%');
				buf_putc(&b, hex[*p >> 4]);
				buf_putc(&b, hex[*p & 15]);
			}
		}
	}
	route_header(resp, "Content-Disposition", b.data);
	buf_fini(&b);
}

/* Takes body (new, len bytes) as the answer. */
static void
capture_body(struct route_response *resp, const char *type, char *body,
    size_t len)
{
	resp->status = 200;
	resp->content_type = type;
	resp->body = body;
	resp->body_len = len;
}

/* A copy of s[0..n) (new, NUL-terminated), NUL bytes and all. */
static char *
capture_memdup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* GET .../{id}/raw: the MIME text as a file. */
static void
capture_message_raw(const struct route_request *req,
    struct route_response *resp)
{
	char id[CAPTURE_ID_MAX_BYTES], *name;
	const char *raw;
	json_t *m;
	size_t len;

	if ((m = capture_load(req, resp, 0, id)) == NULL)
		return;
	raw = capture_raw(m, &len);
	capture_body(resp, "message/rfc822", capture_memdup(raw, len), len);
	name = xasprintf("%s.eml", id);
	capture_disposition(resp, name);
	free(name);
	json_decref(m);
}

/* GET .../{id}/html and .../{id}/text: the body part, as UTF-8. */
static void
capture_message_part(const struct route_request *req,
    struct route_response *resp, int html)
{
	char id[CAPTURE_ID_MAX_BYTES], images[8];
	struct capture_mime cm;
	const json_t *t;
	const char *raw;
	json_t *m;
	size_t len;

	if ((m = capture_load(req, resp, 0, id)) == NULL)
		return;
	raw = capture_raw(m, &len);
	capture_mime_init(&cm, raw, len);
	t = capture_mime_text(&cm, html ? cm.html : cm.text);
	if (t == NULL) {
		inspect_error(resp, 404, "NotFound", html ? "the message has "
		    "no HTML part" : "the message has no text part");
	} else {
		capture_body(resp, html ? "text/html; charset=utf-8" :
		    "text/plain; charset=utf-8", capture_memdup(
		    json_string_value(t), json_string_length(t)),
		    json_string_length(t));
		if (html) {
			route_header(resp, "Content-Security-Policy",
			    req->query != NULL && inspect_param(req->query,
			    "images", images, sizeof(images)) == 0 &&
			    strcmp(images, "1") == 0 ? CAPTURE_CSP_IMAGES :
			    CAPTURE_CSP);
			route_header(resp, "X-Content-Type-Options",
			    "nosniff");
		}
	}
	capture_mime_fini(&cm);
	json_decref(m);
}

static void
capture_message_html(const struct route_request *req,
    struct route_response *resp)
{
	capture_message_part(req, resp, 1);
}

static void
capture_message_text(const struct route_request *req,
    struct route_response *resp)
{
	capture_message_part(req, resp, 0);
}

/*
 * A content type as a static string for the answer: the same text for
 * each distinct type (kept for the process's life, at most
 * CAPTURE_TYPES_MAX of them), application/octet-stream for any other or
 * for one that is not a plain type/subtype.
 */
static const char *
capture_type_static(const char *type)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char *types[CAPTURE_TYPES_MAX];
	const char *found = "application/octet-stream";
	size_t i, n = strlen(type);

	if (n == 0 || n >= CAPTURE_TYPE_MAX_BYTES || strchr(type, '/') ==
	    NULL || type[strspn(type, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&^_.+-/")] != '\0')
		return found;
	pthread_mutex_lock(&lock);
	for (i = 0; i < CAPTURE_TYPES_MAX && types[i] != NULL; i++)
		if (strcmp(types[i], type) == 0)
			break;
	if (i < CAPTURE_TYPES_MAX) {
		if (types[i] == NULL)
			types[i] = xstrdup(type);
		found = types[i];
	}
	pthread_mutex_unlock(&lock);
	return found;
}

/* GET .../{id}/attachments/{n}: attachment n (from 1), decoded. */
static void
capture_message_attachment(const struct route_request *req,
    struct route_response *resp)
{
	const char *seg = strstr(req->path + strlen(CAPTURE_MESSAGES_PATH "/"),
	    CAPTURE_ATTACHMENTS_SEGMENT);
	char id[CAPTURE_ID_MAX_BYTES], *body, *name;
	struct capture_mime cm;
	const json_t *p;
	const char *raw, *num;
	json_t *m;
	size_t len, k = 0;

	if ((m = capture_load(req, resp, 0, id)) == NULL)
		return;
	raw = capture_raw(m, &len);
	capture_mime_init(&cm, raw, len);
	num = seg + strlen(CAPTURE_ATTACHMENTS_SEGMENT);
	if (num[0] >= '1' && num[0] <= '9' && strlen(num) <= 6 &&
	    num[strspn(num, "0123456789")] == '\0')
		k = (size_t)atoi(num);
	if (k < 1 || k > cm.natt) {
		inspect_error(resp, 404, "NotFound", "no such attachment");
	} else {
		p = json_array_get(json_object_get(cm.summary, "parts"),
		    cm.att[k - 1]);
		body = mime_leaf_body(cm.msg, cm.att[k - 1], &len);
		capture_body(resp, capture_type_static(json_string_value(
		    json_object_get(p, "content_type"))), body, len);
		name = json_is_string(json_object_get(p, "filename")) ?
		    xstrdup(json_string_value(json_object_get(p,
		    "filename"))) : xasprintf("attachment-%zu", k);
		capture_disposition(resp, name);
		free(name);
	}
	capture_mime_fini(&cm);
	json_decref(m);
}

/* POST .../{id}/read {"read": true|false}: the unread state. */
static void
capture_message_read(const struct route_request *req,
    struct route_response *resp)
{
	char id[CAPTURE_ID_MAX_BYTES];
	json_t *body, *v;
	struct store *s;
	int read, rc;

	if (capture_path_id(req, resp, id) != 0)
		return;
	body = json_loadb(req->body != NULL ? req->body : "", req->body_len, 0,
	    NULL);
	if (!json_is_object(body)) {
		json_decref(body);
		inspect_error(resp, 400, "BadRequest", "the body must be a "
		    "JSON object");
		return;
	}
	v = json_object_get(body, "read");
	read = json_is_true(v);
	if (!json_is_boolean(v)) {
		json_decref(body);
		inspect_error(resp, 400, "BadRequest", "read must be true or "
		    "false");
		return;
	}
	json_decref(body);
	if ((s = store_write_begin()) == NULL) {
		inspect_error(resp, 500, "InternalFailure", "the store is "
		    "unavailable");
		return;
	}
	rc = store_capture_read_set(s, id, read);
	if (store_write_end(s, rc >= 0) != 0 || rc < 0) {
		inspect_error(resp, 500, "InternalFailure", "cannot mark the "
		    "message");
		return;
	}
	if (rc == 1) {
		inspect_error(resp, 404, "NotFound", "no such message");
		return;
	}
	route_json(resp, 200, json_pack("{s:s,s:b}", "MessageId", id, "Read",
	    read));
}

/* ---- retention ---- */

static struct worker *capture_worker;
static long capture_keep;		/* retention-max-messages; 0: off */
static int64_t capture_age_ms;		/* retention-max-age-hours; 0: off */
static atomic_long capture_pruned;	/* since start-up */

/*
 * One pruning batch: looks (read transaction) whether anything is due,
 * then deletes up to CAPTURE_PRUNE_BATCH in a write transaction of its
 * own, so senders wait for one short batch at most.
 */
static long
capture_prune_once(void *arg, int64_t *next_due)
{
	int64_t now = tclock_now_ms(), oldest, before;
	struct store *s = store_get();
	long n;
	int due;

	(void)arg;
	before = capture_age_ms > 0 ? now - capture_age_ms : INT64_MIN;
	if (s == NULL || store_begin(s) != 0)
		return -1;
	due = store_capture_due(s, capture_keep, before, &oldest);
	if (store_commit(s) != 0) {
		store_rollback(s);
		return -1;
	}
	if (due <= 0) {
		*next_due = capture_age_ms > 0 && oldest != INT64_MAX ?
		    oldest + capture_age_ms + 1 : INT64_MAX;
		return due;
	}
	if ((s = store_write_begin()) == NULL)
		return -1;
	n = store_capture_prune(s, capture_keep, before, CAPTURE_PRUNE_BATCH);
	if (store_write_end(s, n >= 0) != 0 || n < 0) {
		log_error("msg=\"cannot prune captured messages\"");
		return -1;
	}
	atomic_fetch_add(&capture_pruned, n);
	log_debug("msg=\"captured messages pruned\" n=%ld", n);
	return n;
}

int
capture_start(const struct cfg *cfg)
{
	capture_keep = cfg->retention_max_messages;
	capture_age_ms = (int64_t)cfg->retention_max_age_hours *
	    CAPTURE_HOUR_MS;
	atomic_store(&capture_pruned, 0);
	if (capture_keep == 0 && capture_age_ms == 0)
		return 0;
	if ((capture_worker = worker_start(capture_prune_once, NULL,
	    CAPTURE_PRUNE_BATCH)) == NULL) {
		log_error("msg=\"cannot start the retention worker\"");
		return -1;
	}
	return 0;
}

void
capture_stop(void)
{
	worker_stop(capture_worker);
	capture_worker = NULL;
}

void
capture_committed(void)
{
	worker_committed(capture_worker);
}

void
capture_kick(void)
{
	worker_kick(capture_worker);
}

static json_t *
capture_retention_state(void)
{
	return json_pack("{s:I,s:I,s:I}", "max_messages",
	    (json_int_t)capture_keep, "max_age_hours",
	    (json_int_t)(capture_age_ms / CAPTURE_HOUR_MS), "pruned",
	    (json_int_t)atomic_load(&capture_pruned));
}

/* GET /_sesbox/api/v1/retention: the limits and how many were pruned. */
static void
capture_retention(const struct route_request *req,
    struct route_response *resp)
{
	(void)req;
	route_json(resp, 200, capture_retention_state());
}

/*
 * POST /_sesbox/api/v1/retention/prune: returns once the pruner has
 * deleted everything due by the test clock, so a test asserts on it
 * without waiting blindly.
 */
static void
capture_retention_prune(const struct route_request *req,
    struct route_response *resp)
{
	(void)req;
	if (capture_worker != NULL && worker_drain(capture_worker,
	    CAPTURE_DRAIN_TIMEOUT_MS) != 0) {
		inspect_error(resp, 503, "ServiceUnavailable", "the retention "
		    "pruner did not settle in time");
		return;
	}
	route_json(resp, 200, capture_retention_state());
}

/* ---- LocalStack ---- */

/*
 * t with each CRLF as LF (new); with single, without the one line break
 * SES's builder ends a single-part body with.
 */
static json_t *
capture_lf(const json_t *t, int single)
{
	const char *s = json_string_value(t);
	size_t n = json_string_length(t), i, o = 0;
	char *d;
	json_t *v;

	if (s == NULL)
		return json_null();
	if (single && n >= 2 && s[n - 2] == '\r' && s[n - 1] == '\n')
		n -= 2;
	d = xmalloc(n + 1);
	for (i = 0; i < n; i++)
		if (!(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'))
			d[o++] = s[i];
	v = json_stringn(d, o);
	free(d);
	return v;
}

/*
 * EMU: LocalStack's record of a sent message, so suites written for it
 * run (localstack/services/ses/provider.py, save_for_retrospection):
 * SendRawEmail gives {Id, Region, Source, RawData, Timestamp}, the others
 * {Id, Region, Destination, Source, Subject, Body: {text_part,
 * html_part}, Timestamp}, Timestamp UTC "%Y-%m-%dT%H:%M:%S". sesbox
 * renders templates, so templated sends have Subject and Body too (not
 * LocalStack's Template and TemplateData); Source is the bare address;
 * line breaks in the parts are LF (the message has CRLF), and the line
 * break SES's builder ends a single-part body with is dropped (so "abc"
 * and "abc\n" both read "abc").
 */
static json_t *
capture_localstack_entry(const json_t *row)
{
	static const char *const keys[] = { "ToAddresses", "CcAddresses",
	    "BccAddresses" };
	static const char *const kinds[] = { "to", "cc", "bcc" };
	const char *op = json_string_value(json_object_get(row, "Operation"));
	const char *raw = json_string_value(json_object_get(row, "Raw"));
	const json_t *rcpts = json_object_get(row, "Recipients"), *r;
	char ts[32];
	struct capture_mime cm;
	json_t *e, *dest, *list;
	time_t t = (time_t)(json_integer_value(json_object_get(row,
	    "Timestamp")) / 1000);
	struct tm tm;
	size_t i, k;
	int single;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	e = json_pack("{s:O,s:O}", "Id", json_object_get(row, "MessageId"),
	    "Region", json_object_get(row, "Region"));
	if (op != NULL && strcmp(op, "SendRawEmail") == 0) {
		json_object_set(e, "Source", json_object_get(row, "Source"));
		json_object_set_new(e, "RawData", capture_json_text(raw,
		    json_string_length(json_object_get(row, "Raw"))));
		json_object_set_new(e, "Timestamp", json_string(ts));
		return e;
	}
	dest = json_object();
	if (json_array_size(rcpts) == 0) {
		json_object_set(dest, "ToAddresses", json_object_get(row,
		    "Destinations"));
	} else {
		for (k = 0; k < 3; k++) {
			list = json_array();
			json_array_foreach(rcpts, i, r)
				if (capture_str_is(r, "Kind", kinds[k]))
					json_array_append(list,
					    json_object_get(r, "Address"));
			if (json_array_size(list) > 0)
				json_object_set_new(dest, keys[k], list);
			else
				json_decref(list);
		}
	}
	json_object_set_new(e, "Destination", dest);
	json_object_set(e, "Source", json_object_get(row, "Source"));
	json_object_set(e, "Subject", json_object_get(row, "Subject"));
	capture_mime_init(&cm, raw, json_string_length(json_object_get(row,
	    "Raw")));
	single = cm.msg != NULL && mime_leaf_count(cm.msg) == 1;
	json_object_set_new(e, "Body", json_pack("{s:o,s:o}", "text_part",
	    capture_lf(capture_mime_text(&cm, cm.text), single), "html_part",
	    capture_lf(capture_mime_text(&cm, cm.html), single)));
	capture_mime_fini(&cm);
	json_object_set_new(e, "Timestamp", json_string(ts));
	return e;
}

void
capture_localstack(const struct route_request *req,
    struct route_response *resp)
{
	char id[CAPTURE_ID_MAX_BYTES], email[CAPTURE_PARAM_MAX_BYTES];
	char err[CAPTURE_ERROR_MAX_BYTES];
	struct store *s;
	json_t *rows, *out, *r;
	size_t i;
	long n;
	int hid, hemail;

	resp->op = CAPTURE_LOCALSTACK_PATH;
	if ((hid = capture_param(req->query, "id", id, sizeof(id), err)) < 0 ||
	    (hemail = capture_param(req->query, "email", email, sizeof(email),
	    err)) < 0) {
		inspect_error(resp, 400, "BadRequest", err);
		return;
	}
	if (strcmp(req->method, "DELETE") == 0) {
		if ((s = store_write_begin()) == NULL) {
			inspect_error(resp, 500, "InternalFailure", "the store "
			    "is unavailable");
			return;
		}
		n = store_capture_localstack_delete(s, hid == 0 ? id : NULL);
		if (store_write_end(s, n >= 0) != 0 || n < 0) {
			inspect_error(resp, 500, "InternalFailure", "cannot "
			    "delete messages");
			return;
		}
		log_info("req=%s msg=\"messages deleted\" n=%ld",
		    req->request_id, n);
		/* EMU: LocalStack answers 204 and deletes nothing more when
		 * the id is unknown (it fails there). */
		capture_body(resp, "text/plain", xstrdup(""), 0);
		resp->status = 204;
		return;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") !=
	    0) {
		inspect_error(resp, 405, "MethodNotAllowed", "this endpoint "
		    "does not take that method");
		route_header(resp, "Allow", "GET, DELETE");
		return;
	}
	if ((s = store_get()) == NULL || store_begin(s) != 0) {
		inspect_error(resp, 500, "InternalFailure", "the store is "
		    "unavailable");
		return;
	}
	rows = store_capture_localstack(s, hid == 0 ? id : NULL, hemail == 0 ?
	    email : NULL);
	if (store_commit(s) != 0)
		store_rollback(s);
	if (rows == NULL) {
		inspect_error(resp, 500, "InternalFailure", "cannot list "
		    "messages");
		return;
	}
	out = json_array();
	json_array_foreach(rows, i, r)
		json_array_append_new(out, capture_localstack_entry(r));
	json_decref(rows);
	route_json(resp, 200, json_pack("{s:o}", "messages", out));
}

/* ---- routes ---- */

const struct inspect_route capture_routes[] = {
	{ CAPTURE_MESSAGES_PATH, capture_methods_list, capture_messages, 0 },
	{ CAPTURE_MESSAGES_PATH "/*", capture_methods_list, capture_message,
	    0 },
	{ CAPTURE_MESSAGES_PATH "/*/raw", capture_methods_get,
	    capture_message_raw, 0 },
	{ CAPTURE_MESSAGES_PATH "/*/html", capture_methods_get,
	    capture_message_html, 0 },
	{ CAPTURE_MESSAGES_PATH "/*/text", capture_methods_get,
	    capture_message_text, 0 },
	{ CAPTURE_MESSAGES_PATH "/*" CAPTURE_ATTACHMENTS_SEGMENT "*",
	    capture_methods_get, capture_message_attachment, 0 },
	{ CAPTURE_MESSAGES_PATH "/*/read", capture_methods_post,
	    capture_message_read, 0 },
	{ "/_sesbox/api/v1/retention", capture_methods_get, capture_retention,
	    0 },
	{ "/_sesbox/api/v1/retention/prune", capture_methods_post,
	    capture_retention_prune, 0 },
};
const size_t capture_nroutes = sizeof(capture_routes) /
    sizeof(capture_routes[0]);
