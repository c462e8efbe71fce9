/*
 * evt — SES event and notification payloads (see evt.h).
 *
 * Sections: the event types, text and time helpers, the mail object and
 * its headers, the payload, the detail objects.
 */
#include "evt.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mime.h"
#include "wire.h"
#include "xmem.h"

/*
 * AWS: the event types, their detail keys, which have an identity
 * notification form, and where the detail goes: before "mail" for Bounce
 * and Complaint, after it for the others, in both formats (signed
 * captures: Bounce and Complaint events and notifications 2021-2025,
 * Click 2022, Open 2024, Delivery notifications 2017-2023, Send and
 * Delivery events [LS-SES]; DG examples for the rest).
 */
static const struct evt_kind {
	const char *type;
	const char *key;
	int notification;
	int detail_first;
} evt_kinds[] = {
	{ "Send", "send", 0, 0 },
	{ "Reject", "reject", 0, 0 },
	{ "Bounce", "bounce", 1, 1 },
	{ "Complaint", "complaint", 1, 1 },
	{ "Delivery", "delivery", 1, 0 },
	{ "Open", "open", 0, 0 },
	{ "Click", "click", 0, 0 },
	{ "Rendering Failure", "failure", 0, 0 },
	{ "DeliveryDelay", "deliveryDelay", 0, 0 },
	{ "Subscription", "subscription", 0, 0 },
};

#define EVT_NKINDS (sizeof(evt_kinds) / sizeof(evt_kinds[0]))

static const struct evt_kind *
evt_kind_find(const char *type)
{
	size_t i;

	if (type == NULL)
		return NULL;
	for (i = 0; i < EVT_NKINDS; i++)
		if (strcmp(evt_kinds[i].type, type) == 0)
			return &evt_kinds[i];
	return NULL;
}

const char *
evt_detail_key(const char *type)
{
	const struct evt_kind *k = evt_kind_find(type);

	return k != NULL ? k->key : NULL;
}

/* ------------------------------------------------------------------ */
/* text and time                                                       */

/* Length of the well-formed UTF-8 sequence at s (n bytes left), or 0. */
static size_t
evt_utf8_seq(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	return len <= n && wire_utf8_valid(s, len) ? len : 0;
}

/*
 * A JSON string of s (NULL as ""). EMU: bytes that are not UTF-8 are read
 * as Latin-1, as JavaMail reads 8-bit header bytes, instead of failing.
 */
static json_t *
evt_text(const char *s)
{
	struct buf b;
	size_t i, n, cl;
	json_t *j;

	if (s == NULL)
		s = "";
	n = strlen(s);
	if (wire_utf8_valid(s, n))
		return json_stringn(s, n);
	buf_init(&b);
	for (i = 0; i < n; i += cl) {
		unsigned char c = (unsigned char)s[i];

		if ((cl = evt_utf8_seq(s + i, n - i)) > 0) {
			buf_append(&b, s + i, cl);
			continue;
		}
		buf_putc(&b, (char)(0xc0 | c >> 6));
		buf_putc(&b, (char)(0x80 | (c & 0x3f)));
		cl = 1;
	}
	j = json_stringn(b.data != NULL ? b.data : "", b.len);
	buf_fini(&b);
	return j;
}

static void
evt_set_text(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, evt_text(s));
}

/* Sets key to s unless s is NULL. */
static void
evt_set_opt(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, key, evt_text(s));
}

static void
evt_set_time(json_t *o, const char *key, int64_t ms)
{
	char ts[WIRE_TIMESTAMP_MAX_BYTES];

	wire_timestamp_iso(ms, ts);
	json_object_set_new(o, key, json_string(ts));
}

char *
evt_timestamp(int64_t ms)
{
	char ts[WIRE_TIMESTAMP_MAX_BYTES];

	wire_timestamp_iso(ms, ts);
	return xstrdup(ts);
}

static json_t *
evt_strings(const char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, evt_text(v[i]));
	return a;
}

/* ------------------------------------------------------------------ */
/* the mail object                                                     */

/*
 * Is this the Message-ID SES writes, "<message_id@...>"? AWS: no real
 * payload lists it (SES adds it when it sends); a Message-ID the sender
 * wrote is listed (captures of SendRawEmail and SMTP sends).
 */
static int
evt_ses_message_id(const char *name, const char *value, const char *id)
{
	size_t n;

	if (id == NULL || strcasecmp(name, "Message-ID") != 0)
		return 0;
	while (*value == ' ' || *value == '\t')
		value++;
	n = strlen(id);
	return value[0] == '<' && strncmp(value + 1, id, n) == 0 &&
	    value[n + 1] == '@';
}

/*
 * The value to list for m's header (name, value), or NULL to leave it
 * out. AWS: payloads list the headers as the sender submitted them, not
 * the Message-ID and Date SES writes when it sends (SES-REFERENCE §4.2;
 * an SMTP send of 2022 lists the sender's own Message-ID and Date).
 */
static const char *
evt_listed(const struct evt_mail *m, const char *name, const char *value)
{
	static const char *const rewritten[] = { "Message-ID", "Date" };
	size_t i;

	if (m->submitted == NULL)
		return evt_ses_message_id(name, value, m->message_id) ? NULL :
		    value;
	for (i = 0; i < sizeof(rewritten) / sizeof(rewritten[0]); i++)
		if (strcasecmp(name, rewritten[i]) == 0)
			return json_string_value(json_object_get(m->submitted,
			    rewritten[i]));
	return value;
}

/* The address a Return-Path names, "<a@b>" → "a@b" (new). */
static char *
evt_path(const char *v)
{
	const char *lt = strchr(v, '<'), *gt, *e;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL)
		return xstrndup(lt + 1, (size_t)(gt - lt - 1));
	while (*v == ' ' || *v == '\t')
		v++;
	e = v + strlen(v);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return xstrndup(v, (size_t)(e - v));
}

enum evt_common_kind {
	EVT_CH_PATH,		/* the address, first field */
	EVT_CH_ADDRESSES,	/* array, one element per field */
	EVT_CH_TEXT,		/* decoded value, first field */
	EVT_CH_MESSAGE_ID	/* see evt_common_headers */
};

/*
 * AWS: commonHeaders keys in SES's order. Real captures show returnPath,
 * from, replyTo, date, to, messageId, subject (Received notifications
 * 2016-2024, the templated Delivery event [LS-SES]) and cc after to
 * (AWS's Lambda SES sample). EMU: sender and bcc were not seen; they
 * take RFC 5322's places (sender after from, bcc after cc).
 */
static const struct evt_common {
	const char *field;
	const char *key;
	enum evt_common_kind kind;
} evt_commons[] = {
	{ "Return-Path", "returnPath", EVT_CH_PATH },
	{ "From", "from", EVT_CH_ADDRESSES },
	{ "Sender", "sender", EVT_CH_ADDRESSES },
	{ "Reply-To", "replyTo", EVT_CH_ADDRESSES },
	{ "Date", "date", EVT_CH_TEXT },
	{ "To", "to", EVT_CH_ADDRESSES },
	{ "Cc", "cc", EVT_CH_ADDRESSES },
	{ "Bcc", "bcc", EVT_CH_ADDRESSES },
	{ "Message-ID", "messageId", EVT_CH_MESSAGE_ID },
	{ "Subject", "subject", EVT_CH_TEXT },
};

#define EVT_NCOMMONS (sizeof(evt_commons) / sizeof(evt_commons[0]))

/* One commonHeaders value from field value v (new string). */
static char *
evt_common_value(enum evt_common_kind kind, const char *v)
{
	char *s;

	if (kind == EVT_CH_PATH)
		return evt_path(v);
	/*
	 * AWS: addresses as JavaMail writes them: "\"台灣甜心網\"
	 * <admin@...>" for a From shown in headers as "台灣甜心網 <admin@...>"
	 * (2022 capture), "Sender Name <s@x>" for "\"Sender Name\" <s@x>"
	 * [DG:notification-contents].
	 */
	if (kind == EVT_CH_ADDRESSES && (s = mime_address_unicode(v)) != NULL)
		return s;
	return mime_header_decode(v);
}

static json_t *
evt_common_headers(const struct mime_msg *mm, const struct evt_mail *m,
    enum evt_format fmt)
{
	json_t *o = json_object();
	size_t k, i, n = mime_header_count(mm);

	for (k = 0; k < EVT_NCOMMONS; k++) {
		const struct evt_common *c = &evt_commons[k];
		json_t *list = NULL;

		/*
		 * AWS: event publishing names the SES MessageId, with or
		 * without a Message-ID field (an empty raw message gives
		 * {"messageId": ...} [LS-SES]; a sender's "Message-ID: null"
		 * still gives the SES id, 2022 Click capture). Identity
		 * notifications show the sender's own Message-ID and nothing
		 * without one [DG:notification-contents; captures 2017-2025].
		 */
		if (c->kind == EVT_CH_MESSAGE_ID && fmt == EVT_EVENT) {
			evt_set_text(o, c->key, m->message_id);
			continue;
		}
		for (i = 0; i < n; i++) {
			const char *name = mime_header_name(mm, i);
			const char *value = mime_header_value(mm, i);
			char *s;

			if (strcasecmp(name, c->field) != 0 ||
			    (value = evt_listed(m, name, value)) == NULL)
				continue;
			s = evt_common_value(c->kind, value);
			if (c->kind == EVT_CH_ADDRESSES) {
				if (list == NULL)
					list = json_array();
				json_array_append_new(list, evt_text(s));
				free(s);
				continue;
			}
			evt_set_text(o, c->key, s);
			free(s);
			break;
		}
		if (list != NULL)
			json_object_set_new(o, c->key, list);
	}
	return o;
}

/* Adds headersTruncated, headers and commonHeaders to mail. */
static void
evt_headers(json_t *mail, const struct evt_mail *m, enum evt_format fmt)
{
	struct mime_msg *mm = mime_parse_headers(m->raw, m->raw_len);
	json_t *list = json_array();
	size_t i, n = mime_header_count(mm), used = 0;
	int truncated = 0;

	for (i = 0; i < n && !truncated; i++) {
		const char *name = mime_header_name(mm, i);
		const char *value = mime_header_value(mm, i);
		size_t size;
		char *v;

		if ((value = evt_listed(m, name, value)) == NULL)
			continue;
		/*
		 * AWS: values unfolded and RFC 2047 decoded: "Subject":
		 * "用戶驗證", "From": "台灣甜心網 <admin@...>" for encoded
		 * fields (SMTP send 2022; SendRawEmail Open event 2024;
		 * SES-built SendEmail "Invitación ..." 2025).
		 */
		v = mime_header_decode(value);
		/*
		 * AWS: a 2024 capture with headersTruncated true lists whole
		 * fields whose names and values add up to 10,234 bytes and
		 * drops the rest. EMU: the size counts bytes of the value as
		 * shown; SES (Java) may count characters.
		 */
		size = strlen(name) + strlen(v);
		if (used + size >= EVT_HEADERS_MAX_BYTES) {
			truncated = 1;
		} else {
			used += size;
			json_array_append_new(list, json_pack("{s:o,s:o}",
			    "name", evt_text(name), "value", evt_text(v)));
		}
		free(v);
	}
	json_object_set_new(mail, "headersTruncated",
	    json_boolean(truncated));
	json_object_set_new(mail, "headers", list);
	json_object_set_new(mail, "commonHeaders",
	    evt_common_headers(mm, m, fmt));
	mime_msg_free(mm);
}

json_t *
evt_mail_object(const struct evt_mail *m, enum evt_format fmt,
    int with_headers)
{
	json_t *o = json_object();

	evt_set_time(o, "timestamp", m->timestamp_ms);
	evt_set_text(o, "source", m->source);
	evt_set_opt(o, "sourceArn", m->source_arn);
	/* AWS: events carry these as the ses:source-ip and
	 * ses:caller-identity tags instead. */
	if (fmt == EVT_NOTIFICATION) {
		evt_set_opt(o, "sourceIp", m->source_ip);
		evt_set_opt(o, "callerIdentity", m->caller_identity);
	}
	evt_set_text(o, "sendingAccountId", m->account);
	evt_set_text(o, "messageId", m->message_id);
	json_object_set_new(o, "destination", m->destinations != NULL ?
	    json_deep_copy(m->destinations) : json_array());
	if (with_headers)
		evt_headers(o, m, fmt);
	else if (fmt == EVT_EVENT)	/* AWS: Rendering Failure [DG] */
		json_object_set_new(o, "headersTruncated", json_false());
	if (fmt == EVT_EVENT && m->tags != NULL)
		json_object_set_new(o, "tags", json_deep_copy(m->tags));
	return o;
}

/* ------------------------------------------------------------------ */
/* the payload                                                         */

json_t *
evt_payload(const struct evt_mail *m, enum evt_format fmt, const char *type,
    const json_t *detail, int with_headers)
{
	const struct evt_kind *k = evt_kind_find(type);
	json_t *o, *d, *mail;

	if (k == NULL || (fmt == EVT_NOTIFICATION && !k->notification))
		return NULL;
	o = json_object();
	json_object_set_new(o, fmt == EVT_EVENT ? "eventType" :
	    "notificationType", json_string(k->type));
	d = detail != NULL ? json_deep_copy(detail) : json_object();
	mail = evt_mail_object(m, fmt, with_headers);
	if (k->detail_first) {
		json_object_set_new(o, k->key, d);
		json_object_set_new(o, "mail", mail);
	} else {
		json_object_set_new(o, "mail", mail);
		json_object_set_new(o, k->key, d);
	}
	return o;
}

char *
evt_message(const json_t *payload, enum evt_format fmt)
{
	char *s = json_dumps(payload, JSON_COMPACT), *t;

	if (s == NULL || fmt != EVT_EVENT)
		return s;
	t = xasprintf("%s\n", s);
	free(s);
	return t;
}

/* ------------------------------------------------------------------ */
/* detail objects                                                      */

static json_t *
evt_recipients(const struct evt_recipient *r, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		evt_set_text(o, "emailAddress", r[i].email);
		evt_set_opt(o, "action", r[i].action);
		evt_set_opt(o, "status", r[i].status);
		evt_set_opt(o, "diagnosticCode", r[i].diagnostic_code);
		json_array_append_new(a, o);
	}
	return a;
}

json_t *
evt_bounce_detail(const struct evt_bounce *b)
{
	json_t *o = json_object();

	evt_set_text(o, "feedbackId", b->feedback_id);
	evt_set_text(o, "bounceType", b->type);
	evt_set_text(o, "bounceSubType", b->sub_type);
	json_object_set_new(o, "bouncedRecipients",
	    evt_recipients(b->recipients, b->nrecipients));
	evt_set_time(o, "timestamp", b->timestamp_ms);
	evt_set_opt(o, "remoteMtaIp", b->remote_mta_ip);
	evt_set_opt(o, "reportingMTA", b->reporting_mta);
	return o;
}

json_t *
evt_complaint_detail(const struct evt_complaint *c)
{
	json_t *o = json_object(), *rcpts = json_array();
	size_t i;

	evt_set_text(o, "feedbackId", c->feedback_id);
	json_object_set_new(o, "complaintSubType", c->sub_type != NULL ?
	    evt_text(c->sub_type) : json_null());
	for (i = 0; i < c->nrecipients; i++)
		json_array_append_new(rcpts, json_pack("{s:o}",
		    "emailAddress", evt_text(c->recipients[i])));
	json_object_set_new(o, "complainedRecipients", rcpts);
	evt_set_time(o, "timestamp", c->timestamp_ms);
	evt_set_opt(o, "userAgent", c->user_agent);
	evt_set_opt(o, "complaintFeedbackType", c->feedback_type);
	if (c->arrival_ms != 0)
		evt_set_time(o, "arrivalDate", c->arrival_ms);
	return o;
}

json_t *
evt_delivery_detail(const struct evt_delivery *d, enum evt_format fmt)
{
	json_t *o = json_object();

	evt_set_time(o, "timestamp", d->timestamp_ms);
	json_object_set_new(o, "processingTimeMillis",
	    json_integer((json_int_t)d->processing_ms));
	json_object_set_new(o, "recipients",
	    evt_strings(d->recipients, d->nrecipients));
	evt_set_text(o, "smtpResponse", d->smtp_response);
	if (fmt == EVT_NOTIFICATION)
		evt_set_opt(o, "remoteMtaIp", d->remote_mta_ip);
	evt_set_opt(o, "reportingMTA", d->reporting_mta);
	return o;
}

json_t *
evt_delay_detail(const struct evt_delay *d)
{
	json_t *o = json_object(), *rcpts = json_array();
	size_t i;

	evt_set_time(o, "timestamp", d->timestamp_ms);
	evt_set_text(o, "delayType", d->delay_type);
	evt_set_time(o, "expirationTime", d->expiration_ms);
	for (i = 0; i < d->nrecipients; i++) {
		json_t *r = json_object();

		evt_set_text(r, "emailAddress", d->recipients[i].email);
		evt_set_opt(r, "status", d->recipients[i].status);
		evt_set_opt(r, "diagnosticCode",
		    d->recipients[i].diagnostic_code);
		json_array_append_new(rcpts, r);
	}
	json_object_set_new(o, "delayedRecipients", rcpts);
	evt_set_opt(o, "reportingMTA", d->reporting_mta);
	return o;
}

json_t *
evt_reject_detail(const char *reason)
{
	json_t *o = json_object();

	evt_set_text(o, "reason", reason);
	return o;
}

json_t *
evt_failure_detail(const char *error_message, const char *template_name)
{
	json_t *o = json_object();

	evt_set_text(o, "errorMessage", error_message);
	evt_set_text(o, "templateName", template_name);
	return o;
}

json_t *
evt_open_detail(const struct evt_open *op)
{
	json_t *o = json_object();

	evt_set_time(o, "timestamp", op->timestamp_ms);
	evt_set_text(o, "userAgent", op->user_agent);
	evt_set_text(o, "ipAddress", op->ip_address);
	return o;
}

json_t *
evt_click_detail(const struct evt_click *c)
{
	json_t *o = json_object();

	evt_set_time(o, "timestamp", c->timestamp_ms);
	evt_set_text(o, "ipAddress", c->ip_address);
	evt_set_text(o, "userAgent", c->user_agent);
	evt_set_text(o, "link", c->link);
	json_object_set_new(o, "linkTags", c->link_tags != NULL ?
	    json_deep_copy(c->link_tags) : json_null());
	return o;
}

static json_t *
evt_prefs(const struct evt_topic_prefs *p)
{
	json_t *o = json_object(), *topics = json_array();
	size_t i;

	json_object_set_new(o, "unsubscribeAll",
	    json_boolean(p->unsubscribe_all));
	for (i = 0; i < p->ntopics; i++)
		json_array_append_new(topics, json_pack("{s:o,s:o}",
		    "topicName", evt_text(p->topics[i].topic),
		    "subscriptionStatus", evt_text(p->topics[i].status)));
	json_object_set_new(o, "topicSubscriptionStatus", topics);
	return o;
}

json_t *
evt_subscription_detail(const struct evt_subscription *s)
{
	json_t *o = json_object();

	evt_set_text(o, "contactList", s->contact_list);
	evt_set_time(o, "timestamp", s->timestamp_ms);
	evt_set_text(o, "source", s->source);
	if (s->new_prefs != NULL)
		json_object_set_new(o, "newTopicPreferences",
		    evt_prefs(s->new_prefs));
	if (s->old_prefs != NULL)
		json_object_set_new(o, "oldTopicPreferences",
		    evt_prefs(s->old_prefs));
	return o;
}
