/*
 * forward — SES's calls to EventBridge and SNS endpoints (see forward.h).
 *
 * A row holds what the call says; the SigV4 signature is made when the
 * call is sent, with the wall clock, so that a peer checking the request
 * time (AWS allows 5 minutes of skew) accepts a retry made much later.
 */
#include "forward.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cfg.h"
#include "route.h"
#include "sigv4.h"
#include "version.h"
#include "wire.h"
#include "xmem.h"

#define FORWARD_HOST_MAX_BYTES 512
#define FORWARD_ARN_MAX_BYTES 1024

/*
 * AWS: the detail-types SES sends to EventBridge, one per event type
 * (SES-DG "Monitoring SES events using Amazon EventBridge"; EventBridge
 * events reference, "Amazon Simple Email Service events").
 */
static const struct {
	const char *event_type;
	const char *detail_type;
} forward_detail_types[] = {
	{ "Send", "Email Sent" },
	{ "Reject", "Email Rejected" },
	{ "Bounce", "Email Bounced" },
	{ "Complaint", "Email Complaint Received" },
	{ "Delivery", "Email Delivered" },
	{ "Open", "Email Opened" },
	{ "Click", "Email Clicked" },
	{ "Rendering Failure", "Email Rendering Failed" },
	{ "DeliveryDelay", "Email Delivery Delayed" },
	{ "Subscription", "Email Subscribed" },
};

const char *
forward_detail_type(const char *event_type)
{
	size_t i;

	for (i = 0; i < sizeof(forward_detail_types) /
	    sizeof(forward_detail_types[0]); i++)
		if (strcmp(forward_detail_types[i].event_type, event_type) == 0)
			return forward_detail_types[i].detail_type;
	return NULL;
}

json_t *
forward_eventbridge_event(const char *id, const char *event_type,
    const char *account, const char *region, const char *configuration_set,
    int64_t time_ms, json_t *detail)
{
	const char *detail_type = forward_detail_type(event_type);
	char iso[WIRE_TIMESTAMP_MAX_BYTES], *dot;
	json_t *resources = json_array();

	if (detail_type == NULL) {
		json_decref(resources);
		return NULL;
	}
	/* AWS: "time" to the second and "resources" naming the
	 * configuration set (a captured Open event, 2025). */
	wire_timestamp_iso(time_ms, iso);
	if ((dot = strchr(iso, '.')) != NULL)
		strcpy(dot, "Z");
	if (configuration_set != NULL)
		json_array_append_new(resources, json_sprintf(
		    "arn:aws:ses:%s:%s:configuration-set/%s", region, account,
		    configuration_set));
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:O}",
	    "version", "0", "id", id, "detail-type", detail_type,
	    "source", FORWARD_EVENT_SOURCE, "account", account, "time", iso,
	    "region", region, "resources", resources, "detail", detail);
}

int
forward_putevents_queue(struct store *s, const char *endpoint,
    const json_t *event, const char *bus_arn, int64_t now_ms, int64_t *id)
{
	struct store_outbox o = { 0 };
	const char *iso = json_string_value(json_object_get(event, "time"));
	char *detail, *body;
	int64_t time_ms = now_ms;
	json_t *req;
	int rc;

	if (iso != NULL)
		(void)wire_timestamp_parse(iso, &time_ms);
	detail = json_dumps(json_object_get(event, "detail"), JSON_COMPACT);
	/* AWS: PutEventsRequestEntry's members in the model's order; Time
	 * in epoch seconds, as JSON 1.1 writes timestamps. */
	req = json_pack("{s:[{s:I,s:s,s:O,s:s,s:s,s:s}]}", "Entries",
	    "Time", (json_int_t)(time_ms / 1000),
	    "Source", FORWARD_EVENT_SOURCE,
	    "Resources", json_object_get(event, "resources"),
	    "DetailType", json_string_value(json_object_get(event,
	    "detail-type")),
	    "Detail", detail != NULL ? detail : "{}",
	    "EventBusName", bus_arn);
	body = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	free(detail);
	if (body == NULL)
		return -1;
	o.kind = STORE_OUTBOX_EVENTBRIDGE;
	o.account = (char *)json_string_value(json_object_get(event,
	    "account"));
	o.region = (char *)json_string_value(json_object_get(event, "region"));
	o.endpoint = (char *)endpoint;
	o.type = (char *)json_string_value(json_object_get(event,
	    "detail-type"));
	o.message_id = (char *)json_string_value(json_object_get(event, "id"));
	o.topic_arn = (char *)bus_arn;
	o.message = body;
	o.timestamp_ms = now_ms;
	o.next_attempt_ms = now_ms;
	rc = store_outbox_insert(s, &o, id);
	free(body);
	return rc;
}

int
forward_publish_queue(struct store *s, const char *endpoint,
    const char *account, const char *region, const char *topic_arn,
    const char *subject, const char *message, int64_t now_ms, int64_t *id)
{
	struct store_outbox o = { 0 };
	char mid[ROUTE_REQUEST_ID_BYTES];

	route_request_id(mid);
	o.kind = STORE_OUTBOX_SNS_PUBLISH;
	o.account = (char *)account;
	o.region = (char *)region;
	o.endpoint = (char *)endpoint;
	o.type = "Publish";
	o.message_id = mid;
	o.topic_arn = (char *)topic_arn;
	o.subject = (char *)subject;
	o.message = (char *)message;
	o.timestamp_ms = now_ms;
	o.next_attempt_ms = now_ms;
	return store_outbox_insert(s, &o, id);
}

/* ---- the calls ---- */

/* Appends s percent-encoded as botocore's Query serializer does (all but
 * A-Z a-z 0-9 - _ . ~). */
static void
forward_form_value(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			buf_putc(b, (char)c);
			continue;
		}
		buf_putc(b, '%');
		buf_putc(b, hex[c >> 4]);
		buf_putc(b, hex[c & 15]);
	}
}

static void
forward_form_field(struct buf *b, const char *key, const char *value)
{
	if (b->len > 0)
		buf_putc(b, '&');
	buf_puts(b, key);
	buf_putc(b, '=');
	forward_form_value(b, value);
}

/* The access key and secret a call for account is signed with (borrowed,
 * valid while the configuration is). */
static void
forward_credentials(const char *account, const char **key,
    const char **secret)
{
	const struct cfg *c = route_cfg_get();
	size_t i;

	for (i = 0; c != NULL && i < c->ncredentials; i++)
		if (strcmp(c->credentials[i].account_id, account) == 0) {
			*key = c->credentials[i].access_key;
			*secret = c->credentials[i].secret_key;
			return;
		}
	/* EMU: without an entry, the account id is the access key (which
	 * LocalStack takes as the account) and the secret a fixed word. */
	*key = account;
	*secret = FORWARD_SECRET_DEFAULT;
}

/* "arn:aws:SERVICE:REGION:..." → REGION into out; "" when not an ARN. */
static void
forward_arn_region(const char *arn, char *out, size_t n)
{
	const char *p = arn;
	int i;

	out[0] = '\0';
	for (i = 0; i < 3 && p != NULL; i++)
		if ((p = strchr(p, ':')) != NULL)
			p++;
	if (p != NULL && strchr(p, ':') != NULL)
		snprintf(out, n, "%.*s", (int)(strchr(p, ':') - p), p);
}

/*
 * The Host header value, path and query of url (new strings in *host,
 * *path, *query; *query NULL when none). Returns 0, or -1 when url does
 * not parse.
 */
static int
forward_url_parts(const char *url, char **host, char **path, char **query)
{
	CURLU *u = curl_url();
	char *h = NULL, *port = NULL, *p = NULL, *q = NULL;
	int rc = -1;

	*host = *path = *query = NULL;
	if (u == NULL)
		abort();
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK)
		goto out;
	(void)curl_url_get(u, CURLUPART_PORT, &port, 0);
	(void)curl_url_get(u, CURLUPART_QUERY, &q, 0);
	*host = port != NULL ? xasprintf("%s:%s", h, port) : xstrdup(h);
	*path = xstrdup(p);
	*query = q != NULL ? xstrdup(q) : NULL;
	rc = 0;
out:
	curl_free(h);
	curl_free(port);
	curl_free(p);
	curl_free(q);
	curl_url_cleanup(u);
	return rc;
}

int
forward_prepare(const struct store_outbox *o, const char *base_url,
    struct outbox_request *r, char *err, size_t errlen)
{
	struct sigv4_header h[4];
	struct sigv4_request req;
	const char *service, *type, *key, *secret, *target = NULL;
	char region[64], amz_date[17], *host, *path, *query, *authz;
	struct timespec now;
	struct buf b;
	size_t nh = 0, i;

	(void)base_url;
	if (forward_url_parts(o->endpoint, &host, &path, &query) != 0) {
		snprintf(err, errlen, "cannot parse the endpoint URL");
		return -1;
	}
	buf_init(&b);
	if (strcmp(o->kind, STORE_OUTBOX_EVENTBRIDGE) == 0) {
		/* AWS: EventBridge's JSON 1.1 protocol (events model). */
		service = "events";
		type = "application/x-amz-json-1.1";
		target = "AWSEvents.PutEvents";
		buf_puts(&b, o->message);
	} else {
		/* AWS: SNS's Query protocol, 2010-03-31 (sns model). */
		service = "sns";
		type = "application/x-www-form-urlencoded; charset=utf-8";
		forward_form_field(&b, "Action", "Publish");
		forward_form_field(&b, "Version", "2010-03-31");
		forward_form_field(&b, "TopicArn", o->topic_arn);
		forward_form_field(&b, "Message", o->message);
		if (o->subject != NULL)
			forward_form_field(&b, "Subject", o->subject);
	}
	if (b.data == NULL)
		buf_puts(&b, "");
	r->body = buf_steal(&b, &r->body_len);
	/* EMU: signed by the wall clock, not the test clock: the peer
	 * compares the request time with its own. */
	clock_gettime(CLOCK_REALTIME, &now);
	sigv4_amz_date((int64_t)now.tv_sec * 1000, amz_date);
	forward_arn_region(o->topic_arn, region, sizeof(region));
	if (region[0] == '\0')
		snprintf(region, sizeof(region), "%s", o->region);
	h[nh++] = (struct sigv4_header){ "Host", host };
	h[nh++] = (struct sigv4_header){ "Content-Type", type };
	h[nh++] = (struct sigv4_header){ "X-Amz-Date", amz_date };
	if (target != NULL)
		h[nh++] = (struct sigv4_header){ "X-Amz-Target", target };
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = path;
	req.query = query;
	req.headers = h;
	req.nheaders = nh;
	req.body = (const unsigned char *)r->body;
	req.body_len = r->body_len;
	forward_credentials(o->account, &key, &secret);
	authz = sigv4_sign(&req, key, secret, region, service, amz_date);
	for (i = 0; i < nh; i++)
		outbox_request_header(r, h[i].name, h[i].value);
	outbox_request_header(r, "Authorization", authz);
	/* Like an SDK's, not signed. */
	outbox_request_header(r, "User-Agent", "sesbox/" SESBOX_VERSION);
	free(authz);
	free(host);
	free(path);
	free(query);
	return 0;
}

/* Copies the text between <tag> and </tag> in body into out. */
static int
forward_xml_text(const char *body, const char *open, const char *close,
    char *out, size_t n)
{
	const char *a = strstr(body, open), *e;

	if (a == NULL || (e = strstr(a += strlen(open), close)) == NULL)
		return -1;
	snprintf(out, n, "%.*s", (int)(e - a), a);
	return 0;
}

/* "CODE: MESSAGE" of an AWS error answer (JSON 1.1 or Query XML) into
 * err, or "" when body holds neither. */
static void
forward_error_body(const char *body, size_t len, char *err, size_t n)
{
	char code[128], msg[OUTBOX_ERROR_MAX_BYTES - 160];
	const char *c, *m, *hash;
	json_t *j;

	err[0] = '\0';
	if ((j = json_loadb(body, len, 0, NULL)) != NULL) {
		c = json_string_value(json_object_get(j, "__type"));
		if ((m = json_string_value(json_object_get(j, "message"))) ==
		    NULL)
			m = json_string_value(json_object_get(j, "Message"));
		if (c != NULL && (hash = strrchr(c, '#')) != NULL)
			c = hash + 1;
		if (c != NULL)
			snprintf(err, n, "%s: %s", c, m != NULL ? m : "");
		json_decref(j);
		return;
	}
	if (forward_xml_text(body, "<Code>", "</Code>", code,
	    sizeof(code)) == 0) {
		if (forward_xml_text(body, "<Message>", "</Message>", msg,
		    sizeof(msg)) != 0)
			msg[0] = '\0';
		snprintf(err, n, "%s: %s", code, msg);
	}
}

/* For a 2xx PutEvents answer: 0 when every entry went in, else -1 with
 * err saying why the first did not. */
static int
forward_putevents_entries(const char *body, size_t len, char *err, size_t n)
{
	json_t *j = json_loadb(body, len, 0, NULL), *e = NULL;
	json_int_t failed;
	size_t i;

	failed = json_integer_value(json_object_get(j, "FailedEntryCount"));
	if (failed <= 0) {
		json_decref(j);
		return 0;
	}
	json_array_foreach(json_object_get(j, "Entries"), i, e)
		if (json_object_get(e, "ErrorCode") != NULL)
			break;
	if (i == json_array_size(json_object_get(j, "Entries")))
		e = NULL;
	snprintf(err, n, "FailedEntryCount %lld: %s: %s", (long long)failed,
	    json_string_value(json_object_get(e, "ErrorCode")) ?
	    json_string_value(json_object_get(e, "ErrorCode")) : "",
	    json_string_value(json_object_get(e, "ErrorMessage")) ?
	    json_string_value(json_object_get(e, "ErrorMessage")) : "");
	json_decref(j);
	return -1;
}

const char *
forward_outcome(const struct store_outbox *o, int http_status,
    const char *body, size_t len, char *err, size_t errlen)
{
	char why[OUTBOX_ERROR_MAX_BYTES];

	if (http_status >= 200 && http_status < 300) {
		if (strcmp(o->kind, STORE_OUTBOX_EVENTBRIDGE) != 0 ||
		    forward_putevents_entries(body, len, err, errlen) == 0)
			return "delivered";
	} else if (http_status != 0) {
		forward_error_body(body, len, why, sizeof(why));
		snprintf(err, errlen, "HTTP %d%s%s", http_status, why[0] ?
		    ": " : "", why);
	}
	/* EMU: any failure is retried, a 4xx answer too (the peer may be an
	 * emulator still starting, or a test double told to fail), with
	 * doubling delays; the SDKs retry only throttling and 5xx. */
	return o->attempts < 1 + FORWARD_RETRIES ? "retry" : "failed";
}

int64_t
forward_retry_delay_ms(int attempts)
{
	int shift = attempts > 1 ? attempts - 1 : 0;

	return (int64_t)FORWARD_RETRY_DELAY_MS << (shift < 16 ? shift : 16);
}
