/*
 * action — a recipient's actions on a captured message (see action.h).
 */
#include "action.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dlv.h"
#include "inspect.h"
#include "log.h"
#include "sim.h"
#include "store.h"
#include "store_feed.h"
#include "store_track.h"
#include "tclock.h"
#include "track.h"
#include "xmem.h"

#define ACTION_MESSAGES_PATH "/_sesbox/api/v1/messages/"
#define ACTION_ERROR_MAX_BYTES 512

/* One action under way. */
struct action_ctx {
	const struct route_request *req;
	const char *message_id;
	const json_t *body;
	struct store *s;		/* in a write transaction */
	int64_t now_ms;
	/* Set when the request is refused: */
	int status;
	char err[ACTION_ERROR_MAX_BYTES];
};

/* A body field's string (NULL when absent). */
static const char *
action_str(const struct action_ctx *c, const char *key)
{
	return json_string_value(json_object_get(c->body, key));
}

static const char *
action_header(const struct route_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return "";
}

static int
action_refuse(struct action_ctx *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
action_refuse(struct action_ctx *c, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->status = status;
	return 1;
}

/* The opener's address and user agent: the body's, else the caller's. */
static void
action_client(const struct action_ctx *c, const char **ip, const char **ua)
{
	*ip = action_str(c, "ipAddress");
	*ua = action_str(c, "userAgent");
	if (*ip == NULL)
		*ip = c->req->source_ip;
	if (*ua == NULL)
		*ua = action_header(c->req, "User-Agent");
}

/* The actions: 0 done, 1 refused (c->status, c->err), -1 store error. */

static int
action_open(struct action_ctx *c, const struct store_queue_row *row)
{
	const char *ip, *ua;

	/* EMU: recorded whether or not the message was sent with open
	 * tracking, as hitting its pixel URL would be. */
	(void)row;
	action_client(c, &ip, &ua);
	return track_open_record(c->s, c->message_id, ip, ua, c->now_ms) == 0 ?
	    0 : -1;
}

static int
action_click(struct action_ctx *c, const struct store_queue_row *row)
{
	const char *url = action_str(c, "link"), *ip, *ua;
	const json_t *nv = json_object_get(c->body, "n");
	char *link = NULL;
	int n = 0, rc;

	(void)row;
	if ((url == NULL) == (nv == NULL))
		return action_refuse(c, 400, "give the link (its URL) or n (its "
		    "number), one of them");
	if (url != NULL) {
		if ((rc = store_track_link_find(c->s, c->message_id, url, &n)) <
		    0)
			return -1;
		if (rc == 1)
			return action_refuse(c, 400, "link: not a tracked link "
			    "of this message");
	} else {
		n = (int)json_integer_value(nv);
	}
	action_client(c, &ip, &ua);
	rc = track_click_record(c->s, c->message_id, n, ip, ua, c->now_ms,
	    &link);
	free(link);
	if (rc == 1)
		return action_refuse(c, 400, "n: this message has no tracked "
		    "link %d", n);
	return rc;
}

/* A value of one of the simulator's enumerations (sim.c), or def. */
static int
action_enum(struct action_ctx *c, const char *key, const char *def,
    const char **out)
{
	const char *v = action_str(c, key);

	if (v == NULL) {
		*out = def;
		return 0;
	}
	if (sim_value_check(key, v, out, c->err, sizeof(c->err)) != 0) {
		c->status = 400;
		return 1;
	}
	return 0;
}

static int
action_complain(struct action_ctx *c, const struct store_queue_row *row)
{
	struct dlv_result res;
	int rc;

	memset(&res, 0, sizeof(res));
	res.kind = DLV_DELIVERED;
	if ((rc = action_enum(c, "feedbackType", "abuse",
	    &res.complaint_type)) != 0)
		return rc;
	res.complaint_agent = action_str(c, "userAgent");
	return dlv_manual(c->s, route_cfg_get(), row, &res, c->now_ms);
}

static int
action_bounce(struct action_ctx *c, const struct store_queue_row *row)
{
	struct dlv_result res;
	int rc;

	memset(&res, 0, sizeof(res));
	/* The MTAs a simulated bounce names; the rest as a simulator bounce
	 * rule's defaults (docs/simulator.md). */
	sim_mtas(row->region, &res);
	res.kind = DLV_PERMANENT;
	res.action = "failed";
	if ((rc = action_enum(c, "bounceType", "Permanent",
	    &res.bounce_type)) != 0 || (rc = action_enum(c, "bounceSubType",
	    "General", &res.bounce_subtype)) != 0)
		return rc;
	res.status = action_str(c, "status") ? action_str(c, "status") :
	    "5.1.1";
	res.diagnostic = action_str(c, "diagnosticCode") ? action_str(c,
	    "diagnosticCode") : "smtp; 550 5.1.1 user unknown";
	return dlv_manual(c->s, route_cfg_get(), row, &res, c->now_ms);
}

static const struct action_def {
	const char *name;
	int (*fn)(struct action_ctx *, const struct store_queue_row *);
	/* The body fields it takes besides "recipient"; "n" is an integer,
	 * the rest strings. */
	const char *const fields[6];
} action_defs[] = {
	{ "open", action_open, { "ipAddress", "userAgent" } },
	{ "click", action_click, { "link", "n", "ipAddress", "userAgent" } },
	{ "complain", action_complain, { "feedbackType", "userAgent" } },
	{ "bounce", action_bounce, { "bounceType", "bounceSubType", "status",
	    "diagnosticCode" } },
};

/* Checks the body's fields against d: names, then types. */
static int
action_check_body(struct action_ctx *c, const struct action_def *d)
{
	const char *key;
	json_t *v;
	size_t i;
	int known;

	json_object_foreach((json_t *)c->body, key, v) {
		known = strcmp(key, "recipient") == 0;
		for (i = 0; !known && i < 6 && d->fields[i] != NULL; i++)
			known = strcmp(key, d->fields[i]) == 0;
		if (!known)
			return action_refuse(c, 400, "%s: not a field of the %s "
			    "action", key, d->name);
		if (strcmp(key, "n") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > 1000000)
				return action_refuse(c, 400, "n: must be a "
				    "positive integer");
		} else if (!json_is_string(v) || json_string_length(v) == 0) {
			return action_refuse(c, 400, "%s: must be a non-empty "
			    "string", key);
		}
	}
	return 0;
}

/* In the write transaction: the recipient, then the action. */
static int
action_run(struct action_ctx *c, const struct action_def *d)
{
	const char *recipient = action_str(c, "recipient");
	struct store_queue_row row;
	char *kind = NULL;
	int rc;

	if ((rc = store_feed_recipient(c->s, c->message_id, recipient, &row,
	    &kind)) < 0)
		return -1;
	if (rc == 1)
		return action_refuse(c, 404, "no such message");
	if (strcmp(kind, "send") != 0)
		rc = action_refuse(c, 400, "only sent messages have recipients "
		    "who act; this message is a %s", kind);
	else if (rc == 2)
		rc = action_refuse(c, 400, "recipient: %s is not a recipient of "
		    "this message", recipient ? recipient : "(first)");
	else
		rc = d->fn(c, &row);
	free(kind);
	store_queue_row_fini(&row);
	return rc;
}

void
action_handle(const struct route_request *req, struct route_response *resp)
{
	const char *id = req->path + strlen(ACTION_MESSAGES_PATH), *slash;
	const char *verb;
	const struct action_def *d = NULL;
	struct action_ctx c;
	char mid[128];
	json_t *body, *event = NULL;
	size_t i;
	int rc;

	/* {id}/actions/{verb}: inspect.c matched the prefix. */
	slash = strchr(id, '/');
	verb = slash + strlen("/actions/");
	for (i = 0; i < sizeof(action_defs) / sizeof(action_defs[0]); i++)
		if (strcmp(verb, action_defs[i].name) == 0)
			d = &action_defs[i];
	if (d == NULL || (size_t)(slash - id) >= sizeof(mid)) {
		inspect_error(resp, 404, "NotFound", "no such action (open, "
		    "click, complain, bounce)");
		return;
	}
	snprintf(mid, sizeof(mid), "%.*s", (int)(slash - id), id);
	if ((body = inspect_body(req, resp)) == NULL)
		return;
	memset(&c, 0, sizeof(c));
	c.req = req;
	c.message_id = mid;
	c.body = body;
	c.now_ms = tclock_now_ms();
	if ((rc = action_check_body(&c, d)) == 0) {
		if ((c.s = store_write_begin()) == NULL) {
			rc = -1;
		} else {
			rc = action_run(&c, d);
			if (rc == 0 && (event = store_feed_event_latest(c.s,
			    mid)) == NULL)
				rc = -1;
			if (store_write_end(c.s, rc == 0) != 0)
				rc = -1;
		}
	}
	if (rc == 0) {
		log_info("req=%s msg=\"message action\" action=%s msgid=%s",
		    req->request_id, d->name, mid);
		route_json(resp, 200, json_pack("{s:s,s:O}", "MessageId", mid,
		    "Event", event));
	} else if (rc > 0) {
		inspect_error(resp, c.status, c.status == 404 ? "NotFound" :
		    "BadRequest", c.err);
	} else {
		inspect_error(resp, 500, "InternalFailure", "the action was not "
		    "recorded");
	}
	json_decref(event);
	json_decref(body);
}
