/*
 * pub — the event publisher (see pub.h).
 */
#include "pub.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cfg.h"
#include "evdest.h"
#include "evt.h"
#include "feedback.h"
#include "forward.h"
#include "log.h"
#include "mime.h"
#include "msgid.h"
#include "route.h"
#include "sns.h"
#include "store.h"
#include "store_identity.h"
#include "store_message.h"
#include "store_pub.h"
#include "tclock.h"
#include "wire.h"
#include "worker.h"
#include "xmem.h"

/* Events published per transaction. */
#define PUB_BATCH 256
#define PUB_ARN_MAX_BYTES 512

/* AWS: the Subject of event publishing to SNS (SES-REFERENCE §5.1);
 * identity notifications have none. */
#define PUB_EVENT_SUBJECT "Amazon SES Email Event Notification"
#define PUB_OUTGOING_IP "54.240.8.1"

static struct worker *pub_worker;

/* ---- CloudWatch counters ---- */

struct pub_counter {
	char *labels;		/* Prometheus label set, rendered */
	unsigned long n;
};

static pthread_mutex_t pub_metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pub_counter *pub_counters;
static size_t pub_ncounters, pub_counters_cap;

/* Appends a Prometheus label: the name made valid, the value escaped. */
static void
pub_label(char *out, size_t cap, size_t *len, const char *name,
    const char *value)
{
	size_t n = *len, i;
	const char *v;

	if (n > 0 && n + 1 < cap)
		out[n++] = ',';
	/* EMU: CloudWatch dimension names may hold characters a Prometheus
	 * label cannot; those become '_'. */
	for (i = 0; name[i] != '\0' && n + 1 < cap; i++)
		out[n++] = (name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') || name[i] == '_' ||
		    (i > 0 && name[i] >= '0' && name[i] <= '9') ? name[i] : '_';
	if (n + 2 < cap) {
		out[n++] = '=';
		out[n++] = '"';
	}
	for (v = value; *v != '\0' && n + 3 < cap; v++) {
		if (*v == '"' || *v == '\\')
			out[n++] = '\\';
		out[n++] = *v == '\n' ? ' ' : *v;
	}
	if (n + 1 < cap)
		out[n++] = '"';
	out[n < cap ? n : cap - 1] = '\0';
	*len = n;
}

static void
pub_count(const char *labels)
{
	size_t i;

	pthread_mutex_lock(&pub_metrics_lock);
	for (i = 0; i < pub_ncounters; i++)
		if (strcmp(pub_counters[i].labels, labels) == 0)
			break;
	if (i == pub_ncounters) {
		if (pub_ncounters == pub_counters_cap) {
			pub_counters_cap = pub_counters_cap ?
			    2 * pub_counters_cap : 16;
			pub_counters = xrealloc(pub_counters,
			    pub_counters_cap * sizeof(*pub_counters));
		}
		pub_counters[i].labels = xstrdup(labels);
		pub_counters[i].n = 0;
		pub_ncounters++;
	}
	pub_counters[i].n++;
	pthread_mutex_unlock(&pub_metrics_lock);
}

void
pub_metrics(FILE *out)
{
	size_t i;

	fputs("# HELP sesbox_cloudwatch_events_total SES events published "
	    "to CloudWatch event destinations, by their dimensions.\n"
	    "# TYPE sesbox_cloudwatch_events_total counter\n", out);
	pthread_mutex_lock(&pub_metrics_lock);
	for (i = 0; i < pub_ncounters; i++)
		fprintf(out, "sesbox_cloudwatch_events_total{%s} %lu\n",
		    pub_counters[i].labels, pub_counters[i].n);
	pthread_mutex_unlock(&pub_metrics_lock);
}

void
pub_metrics_reset(void)
{
	size_t i;

	pthread_mutex_lock(&pub_metrics_lock);
	for (i = 0; i < pub_ncounters; i++)
		free(pub_counters[i].labels);
	free(pub_counters);
	pub_counters = NULL;
	pub_ncounters = pub_counters_cap = 0;
	pthread_mutex_unlock(&pub_metrics_lock);
}

/* ---- one event ---- */

/*
 * The sending identity of the last event looked at, kept across a batch
 * (most events of a batch come from the same sender).
 */
struct pub_sender {
	char *account, *region, *source;	/* what it is for (new) */
	int have;				/* an identity was found */
	struct store_identity_feedback id;
	char arn[PUB_ARN_MAX_BYTES];
};

static void
pub_sender_fini(struct pub_sender *p)
{
	free(p->account);
	free(p->region);
	free(p->source);
	if (p->have)
		store_identity_feedback_fini(&p->id);
	memset(p, 0, sizeof(*p));
}

/* The message and event a publication is about. */
struct pub_ctx {
	struct store *s;
	struct store_pub_event *e;
	struct evt_mail mail;
	struct pub_sender *sender;	/* the batch's cache */
	const struct store_identity_feedback *id;	/* in sender */
	int have_id;
	const char *arn;		/* in sender */
	int64_t now_ms;
};

static int
pub_record(struct pub_ctx *c, const char *format, const char *origin,
    const char *kind, const char *target, const char *status,
    const char *error, const char *payload, int64_t outbox_id)
{
	struct store_pub_record r = { .event_id = c->e->id,
	    .account = c->e->account, .region = c->e->region,
	    .message_id = c->e->message_id, .event_type = c->e->type,
	    .format = format, .origin = origin, .target_kind = kind,
	    .target = target, .status = status, .error = error,
	    .payload = payload, .ts_ms = c->now_ms, .outbox_id = outbox_id };

	return store_pub_record(c->s, &r);
}

/*
 * The identity the message was sent under: the address's own when it is
 * verified, else its domain's (AWS: the address's settings take
 * precedence over its domain's).
 */
static int
pub_identity(struct pub_ctx *c)
{
	struct pub_sender *p = c->sender;
	const char *at = strrchr(c->e->source, '@');
	const char *names[2] = { c->e->source, at != NULL ? at + 1 : NULL };
	size_t i;
	int rc;

	if (p->account == NULL || strcmp(p->account, c->e->account) != 0 ||
	    strcmp(p->region, c->e->region) != 0 ||
	    strcmp(p->source, c->e->source) != 0) {
		pub_sender_fini(p);
		p->account = xstrdup(c->e->account);
		p->region = xstrdup(c->e->region);
		p->source = xstrdup(c->e->source);
		for (i = 0; i < 2 && names[i] != NULL && !p->have; i++) {
			if ((rc = store_identity_feedback_get(c->s,
			    c->e->account, c->e->region, names[i], &p->id)) <
			    0)
				return -1;
			if (rc != 0)
				continue;
			if (p->id.verified) {
				p->have = 1;
				snprintf(p->arn, sizeof(p->arn),
				    "arn:aws:ses:%s:%s:identity/%s",
				    c->e->region, c->e->account, p->id.name);
			} else {
				store_identity_feedback_fini(&p->id);
			}
		}
	}
	c->have_id = p->have;
	c->id = &p->id;
	c->arn = p->arn;
	return 0;
}

/* The message text, read only once a payload needs it. */
static int
pub_load(struct pub_ctx *c)
{
	if (store_pub_load(c->s, c->e) != 0)
		return -1;
	c->mail.raw = c->e->raw;
	c->mail.raw_len = c->e->raw_len;
	c->mail.destinations = c->e->destinations;
	c->mail.tags = c->e->tags;
	/* Every send's Date is SES's; a raw one's Message-ID too. */
	if (c->e->submitted == NULL)
		c->e->submitted = json_object();
	c->mail.submitted = c->e->submitted;
	return 0;
}

/* "arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME" → NAME. */
static const char *
pub_stream_name(const char *arn)
{
	const char *slash = strrchr(arn, '/');

	return slash != NULL ? slash + 1 : arn;
}

static int
pub_mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/*
 * Appends text to the stream's file for this hour, laid out as Firehose
 * leaves SES events in S3: firehose/STREAM/YYYY/MM/DD/HH/STREAM (EMU: one
 * object per hour instead of one per buffer flush).
 */
static int
pub_firehose(struct pub_ctx *c, const char *arn, const char *text,
    char *err, size_t errlen)
{
	const char *name = pub_stream_name(arn);
	time_t t = (time_t)(c->now_ms / 1000);
	char path[1024], hour[32];
	struct tm tm;
	FILE *f;

	gmtime_r(&t, &tm);
	strftime(hour, sizeof(hour), "%Y/%m/%d/%H", &tm);
	snprintf(path, sizeof(path), "%s/firehose/%s/%s/%s", store_dir(),
	    name, hour, name);
	if (pub_mkdirs(path) != 0 || (f = fopen(path, "a")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fputs(text, f);
	if (fclose(f) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A CloudWatch destination's dimension values for this event. */
static void
pub_cloudwatch(struct pub_ctx *c, const char *dest, const json_t *cw)
{
	const json_t *dims = json_object_get(cw, "DimensionConfigurations");
	const json_t *d, *tag;
	char labels[2048];
	const char *name, *source, *value;
	size_t len = 0, i;

	labels[0] = '\0';
	pub_label(labels, sizeof(labels), &len, "account", c->e->account);
	pub_label(labels, sizeof(labels), &len, "region", c->e->region);
	pub_label(labels, sizeof(labels), &len, "configuration_set",
	    c->e->configuration_set);
	pub_label(labels, sizeof(labels), &len, "destination", dest);
	pub_label(labels, sizeof(labels), &len, "event_type", c->e->type);
	json_array_foreach(dims, i, d) {
		name = json_string_value(json_object_get(d, "DimensionName"));
		source = json_string_value(json_object_get(d,
		    "DimensionValueSource"));
		value = json_string_value(json_object_get(d,
		    "DefaultDimensionValue"));
		if (name == NULL)
			continue;
		/* AWS: a message tag's value, else the default. EMU: header
		 * and link-tag sources take the default here. */
		if (source != NULL && strcmp(source, "MESSAGE_TAG") == 0 &&
		    (tag = json_array_get(json_object_get(c->e->tags, name),
		    0)) != NULL)
			value = json_string_value(tag);
		pub_label(labels, sizeof(labels), &len, name,
		    value != NULL ? value : "");
	}
	pub_count(labels);
}

/*
 * The detail in the event-publishing form (new reference). AWS: a
 * delivery or bounce has no remoteMtaIp there (SES-REFERENCE §4.6, and a
 * bounce@ event of 2022-01); a complaint's timestamp is its arrivalDate,
 * to the millisecond (events of 2022-03 and 2026).
 */
static json_t *
pub_event_detail(const struct store_pub_event *e)
{
	json_t *d, *arrival;

	if (e->detail == NULL)
		return NULL;
	if (strcmp(e->type, "Delivery") == 0 || strcmp(e->type, "Bounce") ==
	    0) {
		d = json_copy(e->detail);
		json_object_del(d, "remoteMtaIp");
		return d;
	}
	if (strcmp(e->type, "Complaint") == 0 &&
	    (arrival = json_object_get(e->detail, "arrivalDate")) != NULL) {
		d = json_copy(e->detail);
		json_object_set(d, "timestamp", arrival);
		return d;
	}
	return json_incref(e->detail);
}

/*
 * The detail in the notification form (new reference). AWS: bounce
 * notifications since 2021 carry whole seconds (captures of 2021-05,
 * 2022-02, 2022-04, 2022-08, 2022-09), events the millisecond.
 */
static json_t *
pub_notification_detail(const struct store_pub_event *e)
{
	const char *ts;
	char *text;
	json_t *d;
	int64_t ms;

	if (e->detail == NULL || strcmp(e->type, "Bounce") != 0 ||
	    (ts = json_string_value(json_object_get(e->detail,
	    "timestamp"))) == NULL || wire_timestamp_parse(ts, &ms) != 0)
		return json_incref(e->detail);
	d = json_copy(e->detail);
	text = evt_timestamp(ms - ms % 1000);
	json_object_set_new(d, "timestamp", json_string(text));
	free(text);
	return d;
}

/*
 * The message's tags as an event of this type carries them (new
 * reference). AWS: events of a message SES has sent out add the address
 * it sent from, ses:outgoing-ip (Delivery events of 2023 and 2026).
 * EMU: one address of SES's 54.240.0.0/18 for every region.
 */
static json_t *
pub_event_tags(const struct store_pub_event *e)
{
	static const char *const sent[] = { "Delivery", "Complaint", "Open",
	    "Click" };
	json_t *tags;
	size_t i;

	for (i = 0; i < sizeof(sent) / sizeof(sent[0]); i++)
		if (strcmp(e->type, sent[i]) == 0)
			break;
	if (e->tags == NULL || i == sizeof(sent) / sizeof(sent[0]))
		return json_incref(e->tags);
	tags = json_copy(e->tags);
	json_object_set_new(tags, "ses:outgoing-ip", json_pack("[s]",
	    PUB_OUTGOING_IP));
	return tags;
}

/*
 * The event to an EventBridge destination: the event as a rule's target
 * would see it is recorded; with eventbridge-endpoint set, a PutEvents
 * call carrying it is queued (status "queued" until it is settled), else
 * it is only recorded (EMU). *text gets the event (new; NULL when there is
 * none), *outbox_id the call's row or 0, err why it failed. Returns the
 * status, or NULL on a store error.
 */
static const char *
pub_eventbridge(struct pub_ctx *c, const char *bus, json_t *payload,
    char **text, int64_t *outbox_id, char *err, size_t errlen)
{
	const struct cfg *cfg = route_cfg_get();
	char id[ROUTE_REQUEST_ID_BYTES];
	json_t *event;
	int rc = 0;

	*text = NULL;
	*outbox_id = 0;
	route_request_id(id);
	if ((event = forward_eventbridge_event(id, c->e->type, c->e->account,
	    c->e->region, c->e->configuration_set, c->e->ts_ms, payload)) ==
	    NULL) {
		snprintf(err, errlen, "No EventBridge detail-type for %s "
		    "events.", c->e->type);
		return "failed";
	}
	*text = json_dumps(event, JSON_COMPACT);
	if (cfg != NULL && cfg->eventbridge_endpoint != NULL)
		rc = forward_putevents_queue(c->s, cfg->eventbridge_endpoint,
		    event, bus, c->now_ms, outbox_id);
	json_decref(event);
	if (rc != 0)
		return NULL;
	return *outbox_id > 0 ? "queued" : "recorded";
}

/* The event to dests (the matching destinations, borrowed). */
static int
pub_destinations(struct pub_ctx *c, const json_t *dests)
{
	const struct store_pub_event *e = c->e;
	json_t *dest, *detail, *tags, *payload, *sns, *fh, *cw, *eb;
	const char *name, *target, *status, *kind;
	char err[1200], *text, *own;
	int64_t outbox_id;
	size_t i;
	int rc = 0, r;

	if (json_array_size(dests) == 0)
		return 0;
	if (pub_load(c) != 0)
		return -1;
	detail = pub_event_detail(e);
	tags = pub_event_tags(e);
	c->mail.tags = tags;
	/* AWS: a Rendering Failure event's mail has no headers (§4.6). */
	payload = evt_payload(&c->mail, EVT_EVENT, e->type, detail,
	    strcmp(e->type, "Rendering Failure") != 0);
	c->mail.tags = e->tags;
	text = evt_message(payload, EVT_EVENT);
	json_array_foreach(dests, i, dest) {
		name = json_string_value(json_object_get(dest, "Name"));
		err[0] = '\0';
		status = "published";
		own = NULL;
		outbox_id = 0;
		if ((sns = json_object_get(dest, "SnsDestination")) != NULL) {
			kind = "sns";
			target = json_string_value(json_object_get(sns,
			    "TopicArn"));
			if ((r = sns_publish(c->s, target, PUB_EVENT_SUBJECT,
			    text, c->now_ms, &outbox_id)) < 0)
				rc = -1;
			else if (r == 1) {
				status = "failed";
				snprintf(err, sizeof(err), "SNS topic %s not "
				    "found.", target);
			} else if (outbox_id > 0)
				status = "queued";
		} else if ((fh = json_object_get(dest,
		    "KinesisFirehoseDestination")) != NULL) {
			kind = "firehose";
			target = json_string_value(json_object_get(fh,
			    "DeliveryStreamArn"));
			if (pub_firehose(c, target, text, err, sizeof(err)) !=
			    0)
				status = "failed";
		} else if ((cw = json_object_get(dest,
		    "CloudWatchDestination")) != NULL) {
			kind = "cloudwatch";
			target = "cloudwatch";
			pub_cloudwatch(c, name, cw);
		} else if ((eb = json_object_get(dest,
		    "EventBridgeDestination")) != NULL) {
			kind = "eventbridge";
			target = json_string_value(json_object_get(eb,
			    "EventBusArn"));
			if ((status = pub_eventbridge(c, target != NULL ?
			    target : "", payload, &own, &outbox_id, err,
			    sizeof(err))) == NULL)
				rc = -1;
		} else {
			/* EMU: no Pinpoint here: the event is recorded for
			 * inspection. */
			kind = "pinpoint";
			target = json_string_value(json_object_get(
			    json_object_get(dest, "PinpointDestination"),
			    "ApplicationArn"));
			status = "recorded";
		}
		if (rc == 0 && pub_record(c, "event", name, kind,
		    target != NULL ? target : "", status, err[0] ? err : NULL,
		    own != NULL ? own : text, outbox_id) != 0)
			rc = -1;
		free(own);
	}
	free(text);
	json_decref(payload);
	json_decref(detail);
	json_decref(tags);
	return rc;
}

/*
 * AWS: with no topic for bounces (complaints) and feedback forwarding on,
 * SES mails the report to the sender instead — a DSN, an ARF report, or
 * the out-of-office reply itself. sesbox captures it as a message of kind
 * "feedback".
 */
static int
pub_forward(struct pub_ctx *c)
{
	const struct store_pub_event *e = c->e;
	const char *id, *sep, *from;
	const json_t *first;
	int auto_reply;
	char domain[MSGID_DOMAIN_MAX_BYTES];
	struct feedback_report r;
	struct store_message m;
	json_t *to;
	const char *subject;
	char *mime;
	size_t len;
	int bounce = strcmp(e->type, "Bounce") == 0, rc;

	if (!c->id->forwarding_enabled || (!bounce && strcmp(e->type,
	    "Complaint") != 0))
		return 0;
	if (pub_load(c) != 0)
		return -1;
	id = json_string_value(json_object_get(e->detail, "feedbackId"));
	if (id == NULL)
		return 0;
	/* An auto-reply's report names only the address (§4.2 ooto@). */
	first = json_array_get(json_object_get(e->detail,
	    "bouncedRecipients"), 0);
	auto_reply = bounce && json_object_get(first, "action") == NULL &&
	    strcmp(json_string_value(json_object_get(e->detail,
	    "bounceType")) ? json_string_value(json_object_get(e->detail,
	    "bounceType")) : "", "Transient") == 0;
	msgid_domain(e->region, domain);
	memset(&r, 0, sizeof(r));
	r.to = e->source;
	r.feedback_id = id;
	r.original_from = e->source;
	r.original_headers = e->raw;
	sep = strstr(e->raw, "\r\n\r\n");
	r.original_headers_len = sep != NULL ? (size_t)(sep - e->raw) + 2 :
	    e->raw_len;
	r.now_ms = c->now_ms;
	r.detail = e->detail;
	r.message_domain = domain;
	if (auto_reply) {
		struct mime_msg *h = mime_parse_headers(e->raw, e->raw_len);
		const char *sub = h ? mime_header_get(h, "Subject") : NULL;

		from = json_string_value(json_object_get(first,
		    "emailAddress"));
		mime = feedback_auto_reply(&r, from, sub, h ?
		    mime_header_get(h, "Message-ID") : NULL, &len);
		subject = "Auto-reply";
		mime_msg_free(h);
	} else if (bounce) {
		mime = feedback_dsn(&r, &len);
		from = FEEDBACK_DSN_FROM;
		subject = "Delivery Status Notification (Failure)";
	} else {
		mime = feedback_arf(&r, &len);
		from = FEEDBACK_ARF_FROM;
		subject = "Complaint about your message";
	}
	to = json_pack("[s]", e->source);
	memset(&m, 0, sizeof(m));
	m.message_id = id;
	m.account = e->account;
	m.region = e->region;
	m.kind = "feedback";
	m.source = from;
	m.destinations = to;
	m.subject = subject;
	m.raw = mime;
	m.raw_len = len;
	m.created_ms = c->now_ms;
	rc = store_message_insert(c->s, &m);
	if (rc == 0)
		rc = pub_record(c, "email", c->id->name, "email", e->source,
		    "published", NULL, mime, 0);
	json_decref(to);
	free(mime);
	return rc;
}

/* Bounce, Complaint and Delivery to the identity's notification topic. */
static int
pub_notification(struct pub_ctx *c)
{
	const struct store_pub_event *e = c->e;
	const char *topic;
	json_t *detail, *payload;
	char *text, err[600];
	int64_t outbox_id;
	int headers, r, rc = 0;

	if (!c->have_id)
		return 0;
	if (strcmp(e->type, "Bounce") == 0) {
		topic = c->id->bounce_topic;
		headers = c->id->headers_bounce;
	} else if (strcmp(e->type, "Complaint") == 0) {
		topic = c->id->complaint_topic;
		headers = c->id->headers_complaint;
	} else if (strcmp(e->type, "Delivery") == 0) {
		topic = c->id->delivery_topic;
		headers = c->id->headers_delivery;
	} else {
		return 0;
	}
	if (topic == NULL)
		return pub_forward(c);
	if (pub_load(c) != 0)
		return -1;
	detail = pub_notification_detail(e);
	payload = evt_payload(&c->mail, EVT_NOTIFICATION, e->type, detail,
	    headers);
	json_decref(detail);
	if (payload == NULL)
		return 0;
	text = evt_message(payload, EVT_NOTIFICATION);
	err[0] = '\0';
	if ((r = sns_publish(c->s, topic, NULL, text, c->now_ms,
	    &outbox_id)) < 0)
		rc = -1;
	else if (r == 1)
		snprintf(err, sizeof(err), "SNS topic %s not found.", topic);
	if (rc == 0 && pub_record(c, "notification", c->id->name, "sns", topic,
	    err[0] ? "failed" : outbox_id > 0 ? "queued" : "published",
	    err[0] ? err : NULL, text, outbox_id) != 0)
		rc = -1;
	free(text);
	json_decref(payload);
	return rc;
}

static int
pub_event(struct store *s, struct store_pub_event *e, int64_t now_ms,
    struct pub_sender *sender)
{
	struct pub_ctx c;
	json_t *dests = NULL;
	int type = evdest_type_parse(e->type), rc;

	if (e->configuration_set != NULL && type >= 0 && (dests =
	    evdest_matching(s, e->account, e->region, e->configuration_set,
	    (enum evdest_type)type)) == NULL)
		return -1;
	/* Most events go nowhere: no set, and no identity notification. */
	if (json_array_size(dests) == 0 && strcmp(e->type, "Bounce") != 0 &&
	    strcmp(e->type, "Complaint") != 0 && strcmp(e->type,
	    "Delivery") != 0) {
		json_decref(dests);
		return 0;
	}
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.e = e;
	c.now_ms = now_ms;
	c.sender = sender;
	if (pub_identity(&c) != 0) {
		json_decref(dests);
		return -1;
	}
	c.mail.message_id = e->message_id;
	c.mail.account = e->account;
	c.mail.region = e->region;
	c.mail.source = e->source;
	/* AWS: a templated send's Send event has no sourceArn (§4.6). */
	c.mail.source_arn = c.have_id && !(strcmp(e->type, "Send") == 0 &&
	    e->operation != NULL && strstr(e->operation, "Templated") !=
	    NULL) ? c.arn : NULL;
	c.mail.source_ip = e->source_ip;
	/* EMU: callerIdentity (an IAM user name) is left out: sesbox knows
	 * access keys, not IAM users. */
	c.mail.caller_identity = NULL;
	c.mail.destinations = NULL;
	c.mail.timestamp_ms = e->created_ms;
	c.mail.tags = NULL;
	c.mail.raw = "";
	rc = pub_destinations(&c, dests);
	if (rc == 0)
		rc = pub_notification(&c);
	json_decref(dests);
	return rc;
}

/* ---- the worker ---- */

static long
pub_run_once(void *arg, int64_t *next_due)
{
	struct store_pub_event *ev = NULL;
	struct pub_sender sender;
	struct store *s;
	int64_t last, now = tclock_now_ms();
	long n = 0, i;
	int rc = 0;

	(void)arg;
	*next_due = INT64_MAX;
	if ((s = store_write_begin()) == NULL)
		return -1;
	if (store_pub_cursor(s, &last) != 0 ||
	    (n = store_pub_events(s, last, PUB_BATCH, &ev)) < 0)
		rc = -1;
	memset(&sender, 0, sizeof(sender));
	for (i = 0; rc == 0 && i < n; i++) {
		if (pub_event(s, &ev[i], now, &sender) != 0)
			rc = -1;
		last = ev[i].id;
	}
	pub_sender_fini(&sender);
	if (rc == 0 && n > 0)
		rc = store_pub_cursor_set(s, last);
	for (i = 0; i < n; i++)
		store_pub_event_fini(&ev[i]);
	free(ev);
	if (store_write_end(s, rc == 0) != 0 || rc != 0) {
		log_error("msg=\"cannot publish events\"");
		return -1;
	}
	return n;
}

int
pub_start(void)
{
	if ((pub_worker = worker_start(pub_run_once, NULL, PUB_BATCH)) ==
	    NULL) {
		log_error("msg=\"cannot start the event publisher\"");
		return -1;
	}
	return 0;
}

void
pub_stop(void)
{
	worker_stop(pub_worker);
	pub_worker = NULL;
	pub_metrics_reset();
}

void
pub_committed(void)
{
	worker_committed(pub_worker);
}

int
pub_drain(long timeout_ms)
{
	return worker_drain(pub_worker, timeout_ms);
}
