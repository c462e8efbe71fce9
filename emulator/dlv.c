/*
 * dlv — the delivery policy (see dlv.h).
 *
 * Events are stored in their identity-notification form (the fuller one:
 * a delivery keeps remoteMtaIp); whoever publishes the event-publishing
 * form drops what that form lacks.
 */
#include "dlv.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msgid.h"
#include "send.h"
#include "store_send.h"
#include "xmem.h"

/*
 * EMU: how long a soft-bounced recipient is retried, and after which
 * delays (SES retries for up to 14 hours by default; its schedule is not
 * published).
 */
#define DLV_EXPIRY_MS (14LL * 3600 * 1000)
static const int64_t dlv_backoff_ms[] = {
	60000, 5 * 60000, 15 * 60000, 30 * 60000, 60 * 60000, 2 * 3600000,
};

/* One event being assembled for this batch. */
struct dlv_event {
	const struct store_queue_row *row;	/* the first recipient's */
	const char *type;		/* "Delivery", "Bounce", ... */
	char key[160];			/* what recipients must share to join */
	json_t *detail;			/* new */
	json_t *list;			/* its recipients array (borrowed), or
					 * NULL for an event that lists none */
};

struct dlv_batch {
	struct dlv_event *v;
	size_t n, cap;
	int64_t now_ms;
};

/* "2018-01-23T01:46:30.711Z" into out[32]. */
static void
dlv_iso(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

static json_t *
dlv_time(int64_t ms)
{
	char iso[32];

	dlv_iso(ms, iso);
	return json_string(iso);
}

static json_t *
dlv_feedback_id(const struct store_queue_row *row, int64_t ms)
{
	char id[MSGID_BYTES];

	msgid_new(row->region, ms, id);
	return json_string(id);
}

/* The batch's event of this type and key for row's message, made with
 * make() when there is none yet; returns its recipients array. */
static json_t *
dlv_event_for(struct dlv_batch *b, const struct store_queue_row *row,
    const char *type, const char *key,
    json_t *(*make)(const struct store_queue_row *, const struct dlv_result *,
    int64_t, json_t **), const struct dlv_result *res)
{
	struct dlv_event *e;
	size_t i;

	for (i = 0; i < b->n; i++) {
		e = &b->v[i];
		if (strcmp(e->row->message_id, row->message_id) == 0 &&
		    strcmp(e->type, type) == 0 && strcmp(e->key, key) == 0)
			return e->list;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	e = &b->v[b->n++];
	e->row = row;
	e->type = type;
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->detail = make(row, res, b->now_ms, &e->list);
	return e->list;
}

static const char *
dlv_or(const char *s)
{
	return s != NULL ? s : "";
}

/* AWS: delivery object of a notification (§4.2, §4.3). */
static json_t *
dlv_make_delivery(const struct store_queue_row *row,
    const struct dlv_result *res, int64_t now, json_t **list)
{
	json_t *d = json_object();

	json_object_set_new(d, "timestamp", dlv_time(now));
	json_object_set_new(d, "processingTimeMillis",
	    json_integer(now - row->created_ms));
	json_object_set_new(d, "recipients", *list = json_array());
	json_object_set_new(d, "smtpResponse", json_string(
	    dlv_or(res->smtp_response)));
	if (res->remote_mta_ip != NULL)
		json_object_set_new(d, "remoteMtaIp",
		    json_string(res->remote_mta_ip));
	if (res->delivery_mta != NULL)
		json_object_set_new(d, "reportingMTA",
		    json_string(res->delivery_mta));
	return d;
}

/* AWS: bounce object (§4.2): bounceType, bounceSubType,
 * bouncedRecipients, timestamp, feedbackId, remoteMtaIp?, reportingMTA?. */
static json_t *
dlv_make_bounce(const struct store_queue_row *row,
    const struct dlv_result *res, int64_t now, json_t **list)
{
	json_t *d = json_object();
	int64_t ts = res->at_acceptance ? row->created_ms : now;

	json_object_set_new(d, "bounceType", json_string(
	    res->kind == DLV_TRANSIENT ? "Transient" :
	    dlv_or(res->bounce_type)));
	json_object_set_new(d, "bounceSubType", json_string(
	    dlv_or(res->bounce_subtype)));
	json_object_set_new(d, "bouncedRecipients", *list = json_array());
	json_object_set_new(d, "timestamp", dlv_time(ts));
	json_object_set_new(d, "feedbackId", dlv_feedback_id(row, ts));
	if (res->remote_mta_ip != NULL)
		json_object_set_new(d, "remoteMtaIp",
		    json_string(res->remote_mta_ip));
	if (res->reporting_mta != NULL)
		json_object_set_new(d, "reportingMTA",
		    json_string(res->reporting_mta));
	return d;
}

/* AWS: an auto-reply is reported as a Transient/General bounce with the
 * bare recipient, whole seconds (§4.2 ooto@). */
static json_t *
dlv_make_auto_reply(const struct store_queue_row *row,
    const struct dlv_result *res, int64_t now, json_t **list)
{
	json_t *d = json_object();
	int64_t ts = now - now % 1000;

	(void)res;
	json_object_set_new(d, "bounceType", json_string("Transient"));
	json_object_set_new(d, "bounceSubType", json_string("General"));
	json_object_set_new(d, "bouncedRecipients", *list = json_array());
	json_object_set_new(d, "timestamp", dlv_time(ts));
	json_object_set_new(d, "feedbackId", dlv_feedback_id(row, ts));
	return d;
}

/* AWS: complaint object; the simulator's has no arrivalDate and whole
 * seconds (§4.2 complaint@). */
static json_t *
dlv_make_complaint(const struct store_queue_row *row,
    const struct dlv_result *res, int64_t now, json_t **list)
{
	json_t *d = json_object();
	int64_t ts = now - now % 1000;

	json_object_set_new(d, "complainedRecipients", *list = json_array());
	json_object_set_new(d, "timestamp", dlv_time(ts));
	json_object_set_new(d, "feedbackId", dlv_feedback_id(row, ts));
	if (res->complaint_agent != NULL)
		json_object_set_new(d, "userAgent",
		    json_string(res->complaint_agent));
	json_object_set_new(d, "complaintFeedbackType",
	    json_string(dlv_or(res->complaint_type)));
	return d;
}

/* AWS: deliveryDelay object (§4.6). */
static json_t *
dlv_make_delay(const struct store_queue_row *row,
    const struct dlv_result *res, int64_t now, json_t **list)
{
	json_t *d = json_object();

	json_object_set_new(d, "timestamp", dlv_time(now));
	/* EMU: SES picks the delayType from the failure; a simulated or
	 * SMTP transient failure is "General" unless the transport says. */
	json_object_set_new(d, "delayType", json_string(
	    res->delay_type != NULL ? res->delay_type : "General"));
	json_object_set_new(d, "expirationTime", dlv_time(row->created_ms +
	    DLV_EXPIRY_MS));
	/* AWS: the Developer Guide's example lists no reportingMTA. */
	json_object_set_new(d, "delayedRecipients", *list = json_array());
	return d;
}

/* A bounced recipient: emailAddress, then action, status, diagnosticCode
 * when the result has them. */
static json_t *
dlv_bounced(const struct store_queue_row *row, const struct dlv_result *res)
{
	json_t *r = json_pack("{s:s}", "emailAddress", row->address);

	if (res->action != NULL)
		json_object_set_new(r, "action", json_string(res->action));
	if (res->status != NULL)
		json_object_set_new(r, "status", json_string(res->status));
	if (res->diagnostic != NULL)
		json_object_set_new(r, "diagnosticCode",
		    json_string(res->diagnostic));
	return r;
}

/* EMU: a recipient given up on after its retries: the final DSN's
 * "failed" with the last transient status. */
static json_t *
dlv_expired(const struct store_queue_row *row, const struct dlv_result *res)
{
	json_t *r = json_pack("{s:s,s:s}", "emailAddress", row->address,
	    "action", "failed");

	if (res->status != NULL)
		json_object_set_new(r, "status", json_string(res->status));
	if (res->diagnostic != NULL)
		json_object_set_new(r, "diagnosticCode",
		    json_string(res->diagnostic));
	return r;
}

/* The follow-up a delivered recipient's result asks for. */
static void
dlv_follow_up(struct dlv_batch *b, const struct store_queue_row *row,
    const struct dlv_result *res)
{
	json_t *list;

	if (res->complaint_type != NULL) {
		list = dlv_event_for(b, row, "Complaint", res->complaint_type,
		    dlv_make_complaint, res);
		json_array_append_new(list, json_pack("{s:s}", "emailAddress",
		    row->address));
	}
	if (res->auto_reply) {
		list = dlv_event_for(b, row, "Bounce", "auto-reply",
		    dlv_make_auto_reply, res);
		json_array_append_new(list, json_pack("{s:s}", "emailAddress",
		    row->address));
	}
}

int
dlv_precheck(const struct store_queue_row *row, struct dlv_result *out)
{
	memset(out, 0, sizeof(*out));
	if (row->verdict != NULL && strcmp(row->verdict, "virus") == 0) {
		out->kind = DLV_REJECT;
		return 1;
	}
	return 0;
}

/* AWS: the reject object's only reason (§4.6). */
static json_t *
dlv_make_reject(const struct store_queue_row *row,
    const struct dlv_result *res, int64_t now, json_t **list)
{
	(void)row;
	(void)res;
	(void)now;
	*list = NULL;		/* recipients are not listed */
	return json_pack("{s:s}", "reason", "Bad content");
}

/* One row's outcome into the batch; sets its next state. */
static void
dlv_one(struct dlv_batch *b, const struct store_queue_row *row,
    const struct dlv_result *res, const char **state, int64_t *next_ms)
{
	char key[160];
	json_t *list;
	size_t k;

	*state = "delivered";
	*next_ms = b->now_ms;
	if (strcmp(row->state, "feedback") == 0) {
		dlv_follow_up(b, row, res);
		return;
	}
	switch (res->kind) {
	case DLV_DELIVERED:
		list = dlv_event_for(b, row, "Delivery",
		    dlv_or(res->smtp_response), dlv_make_delivery, res);
		json_array_append_new(list, json_string(row->address));
		if (res->follow_up_ms > 0 && (res->complaint_type != NULL ||
		    res->auto_reply)) {
			/* Due later: the worker claims the row again. */
			*state = "feedback";
			*next_ms = b->now_ms + res->follow_up_ms;
			break;
		}
		dlv_follow_up(b, row, res);
		break;
	case DLV_REJECT:
		(void)dlv_event_for(b, row, "Reject", "", dlv_make_reject, res);
		*state = "rejected";
		break;
	case DLV_PERMANENT:
		snprintf(key, sizeof(key), "%s/%s", dlv_or(res->bounce_type),
		    dlv_or(res->bounce_subtype));
		list = dlv_event_for(b, row, "Bounce", key, dlv_make_bounce,
		    res);
		json_array_append_new(list, dlv_bounced(row, res));
		*state = "bounced";
		break;
	case DLV_TRANSIENT:
		if (b->now_ms - row->created_ms >= DLV_EXPIRY_MS) {
			/* AWS: a soft bounce SES stopped retrying is
			 * reported as a Transient bounce (§4.4). */
			snprintf(key, sizeof(key), "Transient/%s",
			    res->bounce_subtype ? res->bounce_subtype :
			    "General");
			list = dlv_event_for(b, row, "Bounce", key,
			    dlv_make_bounce, res);
			json_array_append_new(list, dlv_expired(row, res));
			*state = "bounced";
			break;
		}
		list = dlv_event_for(b, row, "DeliveryDelay",
		    dlv_or(res->delay_type), dlv_make_delay, res);
		json_array_append_new(list, json_pack("{s:s,s:s,s:s}",
		    "emailAddress", row->address, "status",
		    dlv_or(res->status), "diagnosticCode",
		    dlv_or(res->diagnostic)));
		k = row->attempts > 0 ? (size_t)row->attempts : 0;
		if (k >= sizeof(dlv_backoff_ms) / sizeof(dlv_backoff_ms[0]))
			k = sizeof(dlv_backoff_ms) / sizeof(dlv_backoff_ms[0]) -
			    1;
		*next_ms = b->now_ms + dlv_backoff_ms[k];
		if (*next_ms > row->created_ms + DLV_EXPIRY_MS)
			*next_ms = row->created_ms + DLV_EXPIRY_MS;
		*state = "queued";
		break;
	}
}

/*
 * GetSendStatistics counts of one settled row. AWS: simulator traffic
 * stays out of the statistics and the reputation (§4.1); a complaint
 * counts when it is reported (a delayed one, when it comes due).
 */
static int
dlv_count(struct store *s, const struct store_queue_row *row,
    const struct dlv_result *res, const char *state, int64_t now_ms)
{
	int follow_up = strcmp(row->state, "feedback") == 0, sim, bounces,
	    complaints, rejects;

	sim = send_is_simulator(row->address);
	bounces = !sim && !follow_up && res->kind == DLV_PERMANENT;
	complaints = !sim && res->complaint_type != NULL && (follow_up ||
	    (res->kind == DLV_DELIVERED && strcmp(state, "delivered") == 0));
	rejects = !follow_up && res->kind == DLV_REJECT;
	if (!bounces && !complaints && !rejects)
		return 0;
	return store_stats_feedback(s, row->account, row->region, now_ms,
	    bounces, complaints, rejects);
}

int
dlv_settle(struct store *s, const struct store_queue_row *rows,
    const struct dlv_result *res, size_t n, int64_t now_ms)
{
	struct dlv_batch b = { .v = NULL, .n = 0, .cap = 0, .now_ms = now_ms };
	struct dlv_result *use = xcalloc(n + 1, sizeof(*use));
	const char *state;
	int64_t next_ms;
	size_t i, k;
	int rc = 0;

	/* AWS: SES refuses a message, not a recipient: one refusal rejects
	 * all of the message's recipients being delivered now. */
	memcpy(use, res, n * sizeof(*use));
	for (i = 0; i < n; i++)
		for (k = 0; use[i].kind == DLV_REJECT && k < n; k++)
			if (strcmp(rows[k].message_id, rows[i].message_id) ==
			    0 && strcmp(rows[k].state, "feedback") != 0)
				use[k] = use[i];
	for (i = 0; i < n && rc == 0; i++) {
		dlv_one(&b, &rows[i], &use[i], &state, &next_ms);
		rc = store_queue_settle(s, &rows[i], state, next_ms);
		if (rc == 0)
			rc = dlv_count(s, &rows[i], &use[i], state, now_ms);
	}
	free(use);
	for (i = 0; i < b.n; i++) {
		if (rc == 0)
			rc = store_event_insert(s, b.v[i].row->account,
			    b.v[i].row->region, b.v[i].row->message_id,
			    b.v[i].type, now_ms, b.v[i].detail);
		json_decref(b.v[i].detail);
	}
	free(b.v);
	return rc;
}
