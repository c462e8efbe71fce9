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

#include "evt.h"
#include "msgid.h"
#include "rep.h"
#include "send.h"
#include "store_send.h"
#include "store_supp.h"
#include "supp.h"
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

/* How long row's recipient is retried: its configuration set's
 * MaxDeliverySeconds, else SES's default. */
static int64_t
dlv_expiry_ms(const struct store_queue_row *row)
{
	return row->max_delivery_ms > 0 ? row->max_delivery_ms : DLV_EXPIRY_MS;
}

/* What an assembled event's detail is built as. */
enum dlv_shape {
	DLV_SHAPE_DELIVERY, DLV_SHAPE_BOUNCE, DLV_SHAPE_EXPIRED,
	DLV_SHAPE_AUTO_REPLY, DLV_SHAPE_COMPLAINT, DLV_SHAPE_DELAY,
	DLV_SHAPE_REJECT
};

/* One event being assembled for this batch: the rows it lists. */
struct dlv_event {
	const char *type;		/* "Delivery", "Bounce", ... */
	enum dlv_shape shape;
	char key[160];			/* what recipients must share to join */
	const struct store_queue_row *row;	/* the first recipient's */
	const struct dlv_result *res;		/* the first recipient's */
	const struct store_queue_row **rows;	/* every recipient's */
	size_t nrows, cap;
};

struct dlv_batch {
	struct dlv_event *v;
	size_t n, cap;
	int64_t now_ms;
};

/* Adds row to the batch's event of this type and key for row's message,
 * made when there is none yet. */
static void
dlv_join(struct dlv_batch *b, const struct store_queue_row *row,
    const struct dlv_result *res, const char *type, enum dlv_shape shape,
    const char *key)
{
	struct dlv_event *e = NULL;
	size_t i;

	for (i = 0; i < b->n && e == NULL; i++)
		if (strcmp(b->v[i].row->message_id, row->message_id) == 0 &&
		    strcmp(b->v[i].type, type) == 0 &&
		    b->v[i].shape == shape && strcmp(b->v[i].key, key) == 0)
			e = &b->v[i];
	if (e == NULL) {
		if (b->n == b->cap) {
			b->cap = b->cap ? 2 * b->cap : 16;
			b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
		}
		e = &b->v[b->n++];
		memset(e, 0, sizeof(*e));
		e->type = type;
		e->shape = shape;
		snprintf(e->key, sizeof(e->key), "%s", key);
		e->row = row;
		e->res = res;
	}
	if (e->nrows == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 4;
		e->rows = xrealloc(e->rows, e->cap * sizeof(*e->rows));
	}
	e->rows[e->nrows++] = row;
}

/* The event's recipients as evt wants them: bounced (with the DSN fields
 * of each row's result), delayed (status and diagnostic only), or bare. */
static struct evt_recipient *
dlv_recipients(const struct dlv_event *e, const struct dlv_result *res,
    const char *action, int dsn)
{
	struct evt_recipient *r = xcalloc(e->nrows + 1, sizeof(*r));
	size_t i;

	for (i = 0; i < e->nrows; i++) {
		r[i].email = e->rows[i]->address;
		if (!dsn)
			continue;
		r[i].action = action;
		r[i].status = res->status;
		r[i].diagnostic_code = res->diagnostic;
	}
	return r;
}

static const char **
dlv_addresses(const struct dlv_event *e)
{
	const char **v = xcalloc(e->nrows + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < e->nrows; i++)
		v[i] = e->rows[i]->address;
	return v;
}

/* A feedbackId: SES's MessageId form. */
static void
dlv_feedback_id(const struct store_queue_row *row, int64_t ms,
    char id[MSGID_BYTES])
{
	msgid_new(row->region, ms, id);
}

/*
 * res as the final report of a recipient given up on (*out; *diag new, for
 * the caller to free). AWS: status 4.4.7 and "smtp; 550 4.4.7 Message
 * expired: unable to deliver in 840 minutes.<LAST REPLY>" (captures of
 * 2020-12 and 2022-02).
 */
static void
dlv_expired(const struct dlv_result *res, int64_t expiry_ms,
    struct dlv_result *out, char **diag)
{
	const char *last = res->diagnostic;

	if (last != NULL && strncmp(last, "smtp; ", 6) == 0)
		last += 6;
	*out = *res;
	out->status = "4.4.7";
	*diag = last != NULL && *last != '\0' ? xasprintf("smtp; 550 4.4.7 "
	    "Message expired: unable to deliver in %lld minutes.<%s>",
	    (long long)(expiry_ms / 60000), last) : xasprintf("smtp; 550 "
	    "4.4.7 Message expired: unable to deliver in %lld minutes.",
	    (long long)(expiry_ms / 60000));
	out->diagnostic = *diag;
}

/*
 * The event's detail, as identity notifications carry it (the fuller
 * form; new). AWS: the shapes and texts of real simulator notifications
 * (SES-REFERENCE §4.2): complaints and auto-replies carry whole seconds, a
 * refusal before sending carries the send's own time.
 */
static json_t *
dlv_detail(const struct dlv_event *e, int64_t now)
{
	const struct dlv_result *res = e->res;
	struct dlv_result expired;
	char id[MSGID_BYTES], *diag = NULL;
	struct evt_recipient *rcpt;
	const char **addr;
	json_t *d = NULL;

	switch (e->shape) {
	case DLV_SHAPE_DELIVERY: {
		struct evt_delivery dv = { .timestamp_ms = now,
		    .processing_ms = now - e->row->created_ms,
		    .nrecipients = e->nrows,
		    .smtp_response = res->smtp_response ? res->smtp_response :
		    "", .remote_mta_ip = res->remote_mta_ip,
		    .reporting_mta = res->delivery_mta };

		dv.recipients = addr = dlv_addresses(e);
		d = evt_delivery_detail(&dv, EVT_NOTIFICATION);
		free(addr);
		break;
	}
	case DLV_SHAPE_BOUNCE:
	case DLV_SHAPE_EXPIRED:
	case DLV_SHAPE_AUTO_REPLY: {
		struct evt_bounce bn = { .nrecipients = e->nrows };

		if (e->shape == DLV_SHAPE_AUTO_REPLY) {
			bn.type = "Transient";
			bn.sub_type = "General";
			bn.timestamp_ms = now - now % 1000;
			rcpt = dlv_recipients(e, res, NULL, 0);
		} else if (e->shape == DLV_SHAPE_EXPIRED) {
			bn.type = "Transient";
			bn.sub_type = res->bounce_subtype ? res->bounce_subtype :
			    "General";
			bn.timestamp_ms = now;
			bn.remote_mta_ip = res->remote_mta_ip;
			bn.reporting_mta = res->reporting_mta;
			dlv_expired(res, dlv_expiry_ms(e->row), &expired,
			    &diag);
			rcpt = dlv_recipients(e, &expired, "failed", 1);
		} else {
			bn.type = res->bounce_type;
			bn.sub_type = res->bounce_subtype ? res->bounce_subtype :
			    "General";
			bn.timestamp_ms = res->at_acceptance ?
			    e->row->created_ms : now;
			bn.remote_mta_ip = res->remote_mta_ip;
			bn.reporting_mta = res->reporting_mta;
			rcpt = dlv_recipients(e, res, res->action, 1);
		}
		dlv_feedback_id(e->row, e->shape == DLV_SHAPE_AUTO_REPLY ? now :
		    bn.timestamp_ms, id);
		bn.feedback_id = id;
		bn.recipients = rcpt;
		d = evt_bounce_detail(&bn);
		free(rcpt);
		break;
	}
	case DLV_SHAPE_COMPLAINT: {
		/* AWS: complaints since 2022 carry arrivalDate, in ms; the
		 * notification's timestamp is its whole second (captures of
		 * 2022-03, 2022-05, 2022-06, 2026-03). */
		struct evt_complaint cp = { .nrecipients = e->nrows,
		    .timestamp_ms = now - now % 1000,
		    .user_agent = res->complaint_agent,
		    .feedback_type = res->complaint_type, .arrival_ms = now };

		dlv_feedback_id(e->row, now, id);
		cp.feedback_id = id;
		cp.recipients = addr = dlv_addresses(e);
		d = evt_complaint_detail(&cp);
		free(addr);
		break;
	}
	case DLV_SHAPE_DELAY: {
		/* EMU: SES picks the delayType from the failure; a transient
		 * failure is "General" unless the transport says. AWS: the
		 * Developer Guide's example lists no reportingMTA. */
		struct evt_delay dl = { .timestamp_ms = now,
		    .delay_type = res->delay_type ? res->delay_type :
		    "General", .expiration_ms = e->row->created_ms +
		    dlv_expiry_ms(e->row), .nrecipients = e->nrows };

		rcpt = dlv_recipients(e, res, NULL, 1);
		dl.recipients = rcpt;
		d = evt_delay_detail(&dl);
		free(rcpt);
		break;
	}
	case DLV_SHAPE_REJECT:
		/* AWS: the only reason SES gives (§4.6). */
		d = evt_reject_detail("Bad content");
		break;
	}
	free(diag);
	return d;
}

/* One row's precheck, told whether its account lists any address (one
 * look per account instead of one per row). */
static int
dlv_precheck_one(struct store *s, const struct store_queue_row *row,
    struct dlv_result *out, int any_suppressed)
{
	const char *reason;
	int rc;

	memset(out, 0, sizeof(*out));
	if (row->verdict != NULL && strcmp(row->verdict, "virus") == 0) {
		out->kind = DLV_REJECT;
		return 1;
	}
	if (strcmp(row->state, "queued") != 0 || !any_suppressed)
		return 0;
	if ((rc = supp_check(s, row->account, row->region,
	    row->configuration_set, row->address, &reason)) <= 0)
		return rc;
	/* AWS: accepted, not sent, bounced at the send's own time (§4.7,
	 * §10). */
	out->kind = DLV_PERMANENT;
	out->bounce_type = "Permanent";
	out->bounce_subtype = "OnAccountSuppressionList";
	out->action = "failed";
	out->status = "5.1.1";
	out->diagnostic = supp_diagnostic();
	out->reporting_mta = "dns; amazonses.com";
	out->at_acceptance = 1;
	return 1;
}

int
dlv_precheck_all(struct store *s, const struct store_queue_row *rows,
    struct dlv_result *res, int *decided, size_t n)
{
	const struct store_queue_row *last = NULL;
	int any = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (last == NULL || strcmp(last->account, rows[i].account) !=
		    0 || strcmp(last->region, rows[i].region) != 0) {
			if ((any = store_supp_any(s, rows[i].account,
			    rows[i].region)) < 0)
				return -1;
			last = &rows[i];
		}
		if ((decided[i] = dlv_precheck_one(s, &rows[i], &res[i],
		    any)) < 0)
			return -1;
	}
	return 0;
}

/*
 * AWS: a hard bounce or a complaint puts the address on the account-level
 * list (when its reason is in force; never for the simulator, and not for
 * an address bounced for being on it already), with the message and the
 * feedback that did it (§10).
 */
static int
dlv_suppress(struct store *s, const struct dlv_event *e, const json_t *detail,
    int64_t now_ms)
{
	const char *reason = NULL, *feedback;
	size_t i;
	int rc = 0;

	if (e->shape == DLV_SHAPE_BOUNCE && e->res->bounce_type != NULL &&
	    strcmp(e->res->bounce_type, "Permanent") == 0 &&
	    (e->res->bounce_subtype == NULL ||
	    strcmp(e->res->bounce_subtype, "OnAccountSuppressionList") != 0))
		reason = "BOUNCE";
	else if (e->shape == DLV_SHAPE_COMPLAINT)
		reason = "COMPLAINT";
	if (reason == NULL)
		return 0;
	feedback = json_string_value(json_object_get(detail, "feedbackId"));
	for (i = 0; i < e->nrows && rc >= 0; i++)
		rc = supp_record(s, e->rows[i]->account, e->rows[i]->region,
		    e->rows[i]->configuration_set, e->rows[i]->address, reason,
		    e->rows[i]->message_id, feedback, now_ms);
	return rc < 0 ? -1 : 0;
}

/* The follow-up a delivered recipient's result asks for. */
static void
dlv_follow_up(struct dlv_batch *b, const struct store_queue_row *row,
    const struct dlv_result *res)
{
	if (res->complaint_type != NULL)
		dlv_join(b, row, res, "Complaint", DLV_SHAPE_COMPLAINT,
		    res->complaint_type);
	if (res->auto_reply)
		dlv_join(b, row, res, "Bounce", DLV_SHAPE_AUTO_REPLY, "");
}

/* One row's outcome into the batch; sets its next state. */
static void
dlv_one(struct dlv_batch *b, const struct store_queue_row *row,
    const struct dlv_result *res, const char **state, int64_t *next_ms)
{
	char key[160];
	size_t k;

	*state = "delivered";
	*next_ms = b->now_ms;
	if (strcmp(row->state, "feedback") == 0) {
		dlv_follow_up(b, row, res);
		return;
	}
	switch (res->kind) {
	case DLV_DELIVERED:
		dlv_join(b, row, res, "Delivery", DLV_SHAPE_DELIVERY,
		    res->smtp_response ? res->smtp_response : "");
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
		dlv_join(b, row, res, "Reject", DLV_SHAPE_REJECT, "");
		*state = "rejected";
		break;
	case DLV_PERMANENT:
		snprintf(key, sizeof(key), "%s/%s/%s/%s",
		    res->bounce_type ? res->bounce_type : "",
		    res->bounce_subtype ? res->bounce_subtype : "",
		    res->status ? res->status : "",
		    res->diagnostic ? res->diagnostic : "");
		dlv_join(b, row, res, "Bounce", DLV_SHAPE_BOUNCE, key);
		*state = "bounced";
		break;
	case DLV_TRANSIENT:
		snprintf(key, sizeof(key), "%s/%s/%s",
		    res->bounce_subtype ? res->bounce_subtype : "",
		    res->status ? res->status : "",
		    res->diagnostic ? res->diagnostic : "");
		if (b->now_ms - row->created_ms >= dlv_expiry_ms(row)) {
			/* AWS: a soft bounce SES stopped retrying is
			 * reported as a Transient bounce (§4.4). */
			dlv_join(b, row, res, "Bounce", DLV_SHAPE_EXPIRED, key);
			*state = "bounced";
			break;
		}
		dlv_join(b, row, res, "DeliveryDelay", DLV_SHAPE_DELAY, key);
		k = row->attempts > 0 ? (size_t)row->attempts : 0;
		if (k >= sizeof(dlv_backoff_ms) / sizeof(dlv_backoff_ms[0]))
			k = sizeof(dlv_backoff_ms) / sizeof(dlv_backoff_ms[0]) -
			    1;
		*next_ms = b->now_ms + dlv_backoff_ms[k];
		if (*next_ms > row->created_ms + dlv_expiry_ms(row))
			*next_ms = row->created_ms + dlv_expiry_ms(row);
		*state = "queued";
		break;
	}
}

/*
 * GetSendStatistics counts of one settled row, and its configuration set's
 * reputation counts. AWS: simulator traffic stays out of the statistics
 * and the reputation (§4.1); a complaint counts when it is reported (a
 * delayed one, when it comes due).
 */
static int
dlv_count(struct store *s, const struct cfg *cfg,
    const struct store_queue_row *row, const struct dlv_result *res,
    const char *state, int64_t now_ms)
{
	int follow_up = strcmp(row->state, "feedback") == 0, sim, sends,
	    bounces, complaints, rejects;

	sim = send_is_simulator(row->address);
	/* AWS: an account-suppressed address stays out of the bounce rate. */
	bounces = !sim && !follow_up && res->kind == DLV_PERMANENT &&
	    (res->bounce_subtype == NULL ||
	    strcmp(res->bounce_subtype, "OnAccountSuppressionList") != 0);
	complaints = !sim && res->complaint_type != NULL && (follow_up ||
	    (res->kind == DLV_DELIVERED && strcmp(state, "delivered") == 0));
	rejects = !follow_up && res->kind == DLV_REJECT;
	/* A set's send is counted at its first attempt, as the account's is
	 * at acceptance: every recipient but the simulator's. */
	sends = !sim && !follow_up && row->attempts == 0;
	if (row->configuration_set != NULL && (sends || bounces ||
	    complaints) && rep_cs_count(s, row->account, row->region,
	    row->configuration_set, now_ms, sends, bounces, complaints) != 0)
		return -1;
	if (!bounces && !complaints && !rejects)
		return 0;
	if (store_stats_feedback(s, row->account, row->region, now_ms,
	    bounces, complaints, rejects) != 0)
		return -1;
	return bounces || complaints ? rep_update(s, cfg, row->account,
	    row->region, now_ms) : 0;
}

/* dlv_settle, and dlv_manual's recording (settle unset: the rows' queue
 * state is left alone). */
static int
dlv_record(struct store *s, const struct cfg *cfg,
    const struct store_queue_row *rows, const struct dlv_result *res,
    size_t n, int64_t now_ms, int settle)
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
		if (settle)
			rc = store_queue_settle(s, &rows[i], state, next_ms);
		if (rc == 0)
			rc = dlv_count(s, cfg, &rows[i], &use[i], state,
			    now_ms);
	}
	for (i = 0; i < b.n; i++) {
		if (rc == 0) {
			json_t *detail = dlv_detail(&b.v[i], now_ms);

			rc = store_event_insert(s, b.v[i].row->account,
			    b.v[i].row->region, b.v[i].row->message_id,
			    b.v[i].type, now_ms, detail);
			if (rc == 0)
				rc = dlv_suppress(s, &b.v[i], detail, now_ms);
			json_decref(detail);
		}
		free(b.v[i].rows);
	}
	free(b.v);
	free(use);
	return rc;
}

int
dlv_settle(struct store *s, const struct cfg *cfg,
    const struct store_queue_row *rows, const struct dlv_result *res,
    size_t n, int64_t now_ms)
{
	return dlv_record(s, cfg, rows, res, n, now_ms, 1);
}

int
dlv_manual(struct store *s, const struct cfg *cfg,
    const struct store_queue_row *row, const struct dlv_result *res,
    int64_t now_ms)
{
	struct store_queue_row r = *row;
	struct dlv_result use = *res;

	if (use.complaint_type != NULL) {
		/* As a complaint that comes due after a delivery. */
		r.state = (char *)"feedback";
		use.auto_reply = 0;
	} else {
		if (use.kind != DLV_PERMANENT)
			return -1;
		/* As a refusal at a later attempt: the send was counted
		 * already. */
		r.state = (char *)"queued";
		if (r.attempts < 1)
			r.attempts = 1;
	}
	use.follow_up_ms = 0;
	return dlv_record(s, cfg, &r, &use, 1, now_ms, 0);
}
