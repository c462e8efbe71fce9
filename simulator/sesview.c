/*
 * sesview — the SES views of the inspection API (see sesview.h).
 */
#include "sesview.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "dkim.h"
#include "ident.h"
#include "log.h"
#include "route.h"
#include "store.h"
#include "store_cs.h"
#include "store_evdest.h"
#include "store_send.h"
#include "store_supp.h"
#include "store_tpl.h"
#include "supp.h"
#include "tclock.h"
#include "tpl.h"
#include "wire.h"
#include "xmem.h"

#define SESVIEW_API "/_sesbox/api/v1"
#define SESVIEW_TEMPLATES_PATH SESVIEW_API "/templates"
#define SESVIEW_SUPPRESSION_PATH SESVIEW_API "/suppression"
#define SESVIEW_LIMIT_DEFAULT 100
#define SESVIEW_LIMIT_MAX 1000
#define SESVIEW_CURSOR_MAX_BYTES 512
#define SESVIEW_NAME_MAX_BYTES 512
/* Identities are read in pages of this many. */
#define SESVIEW_IDENTITY_PAGE 500
/* AWS: GetSendStatistics covers the last two weeks (BC-SES). */
#define SESVIEW_STATS_WINDOW_MS (14LL * 24 * 3600 * 1000)

/* One paged listing's parameters. */
struct sesview_page {
	size_t limit;
	char cursor[SESVIEW_CURSOR_MAX_BYTES];	/* "" from the start */
};

/* ---- small helpers ---- */

static json_t *
sesview_str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
sesview_time(int64_t ms)
{
	char iso[WIRE_TIMESTAMP_MAX_BYTES];

	if (ms < 0)
		return json_null();
	wire_timestamp_iso(ms, iso);
	return json_string(iso);
}

/* JSON text kept in a column as a new value (null when none). */
static json_t *
sesview_json_text(const char *text)
{
	json_t *v;

	if (text == NULL || (v = json_loads(text, JSON_DECODE_ANY, NULL)) ==
	    NULL)
		return json_null();
	return v;
}

static void
sesview_store_error(struct route_response *resp, const char *what)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "cannot read %s", what);
	inspect_error(resp, 500, "InternalFailure", msg);
}

/* ?limit= and ?cursor= of req. Returns 0, or -1 with the error answered. */
static int
sesview_page_parse(const struct route_request *req,
    struct route_response *resp, struct sesview_page *pg)
{
	char v[16], *end;
	long n;

	pg->limit = SESVIEW_LIMIT_DEFAULT;
	pg->cursor[0] = '\0';
	if (req->query == NULL)
		return 0;
	if (inspect_param(req->query, "limit", v, sizeof(v)) == 0) {
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || n < 1 ||
		    n > SESVIEW_LIMIT_MAX) {
			inspect_error(resp, 400, "BadRequest", "limit must be "
			    "1-1000");
			return -1;
		}
		pg->limit = (size_t)n;
	}
	if (strstr(req->query, "cursor=") != NULL && inspect_param(req->query,
	    "cursor", pg->cursor, sizeof(pg->cursor)) != 0) {
		inspect_error(resp, 400, "BadRequest", "cursor is not one this "
		    "endpoint issued");
		return -1;
	}
	return 0;
}

/* Answers {key: list, "next_cursor": next or null} plus the scope. */
static void
sesview_answer_list(struct route_response *resp, const char *key,
    json_t *list, const char *next, const char *account, const char *region)
{
	route_json(resp, 200, json_pack("{s:s,s:s,s:o,s:o}", "Account",
	    account, "Region", region, key, list, "next_cursor",
	    sesview_str(next)));
}

/*
 * The percent-decoded path segment after prefix in req's path, up to the
 * next '/' (*rest points there, or at the end). Returns 0, or -1 when it
 * is empty, too long or malformed.
 */
static int
sesview_segment(const struct route_request *req, const char *prefix,
    char out[SESVIEW_NAME_MAX_BYTES], const char **rest)
{
	const char *start = req->path + strlen(prefix);
	const char *slash = strchr(start, '/');
	size_t n = slash ? (size_t)(slash - start) : strlen(start);
	long k;

	*rest = start + n;
	if (n == 0 || n >= SESVIEW_NAME_MAX_BYTES)
		return -1;
	memcpy(out, start, n);
	if ((k = wire_percent_decode(out, n, 0)) <= 0)
		return -1;
	out[k] = '\0';
	return 0;
}

/* ---- identities ---- */

static void
sesview_record(json_t *list, const char *type, const char *name,
    const char *value, const char *purpose, const char *status)
{
	json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:s}", "Type",
	    type, "Name", name, "Value", value, "Purpose", purpose, "Status",
	    status ? status : "NotStarted"));
}

json_t *
sesview_identity_records(const struct store_identity *id, const char *region)
{
	char rn[600], rv[2048];
	json_t *records = json_array(), *tokens, *t;
	char *pub;
	size_t i;

	if (id->verification_token != NULL) {
		snprintf(rn, sizeof(rn), "_amazonses.%s", id->name);
		sesview_record(records, "TXT", rn, id->verification_token,
		    "Verification", id->verification_status);
	}
	if (id->dkim_origin != NULL && strcmp(id->dkim_origin, "EXTERNAL") ==
	    0 && (pub = dkim_public_key(id->dkim_private_key)) != NULL) {
		snprintf(rn, sizeof(rn), "%s._domainkey.%s", id->dkim_selector,
		    id->name);
		snprintf(rv, sizeof(rv), "p=%s", pub);
		sesview_record(records, "TXT", rn, rv, "DKIM", id->dkim_status);
		free(pub);
	} else if (id->dkim_tokens != NULL) {
		tokens = json_loads(id->dkim_tokens, 0, NULL);
		json_array_foreach(tokens, i, t) {
			snprintf(rn, sizeof(rn), "%s._domainkey.%s",
			    json_string_value(t), id->name);
			snprintf(rv, sizeof(rv), "%s.dkim.amazonses.com",
			    json_string_value(t));
			sesview_record(records, "CNAME", rn, rv, "DKIM",
			    id->dkim_status);
		}
		json_decref(tokens);
	}
	if (id->mail_from_domain != NULL) {
		snprintf(rv, sizeof(rv), "10 feedback-smtp.%s.amazonses.com",
		    region);
		sesview_record(records, "MX", id->mail_from_domain, rv,
		    "MAIL FROM", id->mail_from_status);
		sesview_record(records, "TXT", id->mail_from_domain,
		    "\"v=spf1 include:amazonses.com ~all\"", "MAIL FROM",
		    id->mail_from_status);
	}
	return records;
}

static json_t *
sesview_identity_json(const struct store_identity *id, const char *region)
{
	json_t *dkim, *o;
	char *pub;

	dkim = json_pack("{s:b,s:s,s:o}", "Enabled", id->dkim_enabled,
	    "Status", id->dkim_status ? id->dkim_status : "NotStarted",
	    "Origin", sesview_str(id->dkim_origin));
	if (id->dkim_tokens != NULL)
		json_object_set_new(dkim, "Tokens",
		    sesview_json_text(id->dkim_tokens));
	if (id->dkim_selector != NULL)
		json_object_set_new(dkim, "Selector",
		    json_string(id->dkim_selector));
	if (id->dkim_key_length != NULL)
		json_object_set_new(dkim, "KeyLength",
		    json_string(id->dkim_key_length));
	/* The key delivered mail is signed with (every Easy DKIM token's
	 * record, TOKEN.dkim.amazonses.com, would publish it): for a
	 * receiver's check, e.g. dkimpy's. */
	if (id->dkim_private_key != NULL &&
	    (pub = dkim_public_key(id->dkim_private_key)) != NULL) {
		json_object_set_new(dkim, "PublicKey", json_string(pub));
		free(pub);
	}
	o = json_pack("{s:s,s:s,s:s,s:o,s:b,s:o,s:o}",
	    "Identity", id->name, "Type", id->type,
	    "VerificationStatus", id->verification_status ?
	    id->verification_status : "NotStarted",
	    "VerificationToken", sesview_str(id->verification_token),
	    "SendingEnabled", id->sending_enabled,
	    "CreatedTimestamp", sesview_time(id->created_ms),
	    "Dkim", dkim);
	json_object_set_new(o, "MailFrom", json_pack("{s:o,s:s,s:o}",
	    "Domain", sesview_str(id->mail_from_domain),
	    "BehaviorOnMxFailure", id->mail_from_behavior ?
	    id->mail_from_behavior : "UseDefaultValue",
	    "Status", sesview_str(id->mail_from_status)));
	json_object_set_new(o, "Notifications", json_pack(
	    "{s:o,s:o,s:o,s:b,s:b,s:b,s:b}",
	    "BounceTopic", sesview_str(id->bounce_topic),
	    "ComplaintTopic", sesview_str(id->complaint_topic),
	    "DeliveryTopic", sesview_str(id->delivery_topic),
	    "ForwardingEnabled", id->forwarding_enabled,
	    "HeadersInBounceNotificationsEnabled", id->headers_bounce,
	    "HeadersInComplaintNotificationsEnabled", id->headers_complaint,
	    "HeadersInDeliveryNotificationsEnabled", id->headers_delivery));
	json_object_set_new(o, "ConfigurationSet",
	    sesview_str(id->configuration_set));
	json_object_set_new(o, "Records", sesview_identity_records(id, region));
	return o;
}

/* GET /_sesbox/api/v1/identities[?account=&region=&limit=&cursor=]. */
static void
sesview_identities(const struct route_request *req,
    struct route_response *resp)
{
	char account[INSPECT_ACCOUNT_MAX_BYTES];
	char region[INSPECT_REGION_MAX_BYTES];
	struct store *s = store_get();
	struct store_identity *rows = NULL;
	struct sesview_page pg;
	json_t *list;
	long n, i;

	if (sesview_page_parse(req, resp, &pg) != 0)
		return;
	inspect_scope(req, account, region);
	if (s == NULL || store_begin(s) != 0) {
		sesview_store_error(resp, "identities");
		return;
	}
	n = store_identity_list(s, account, region, NULL, NULL,
	    pg.cursor[0] ? pg.cursor : NULL, pg.limit, &rows);
	if (store_commit(s) != 0)
		store_rollback(s);
	if (n < 0) {
		sesview_store_error(resp, "identities");
		return;
	}
	list = json_array();
	for (i = 0; i < n && (size_t)i < pg.limit; i++)
		json_array_append_new(list, sesview_identity_json(&rows[i],
		    region));
	sesview_answer_list(resp, "identities", list, (size_t)n > pg.limit ?
	    rows[pg.limit - 1].name : NULL, account, region);
	store_identities_free(rows, (size_t)n);
}

/* ---- templates ---- */

static json_t *
sesview_template_json(const struct store_tpl *t)
{
	return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "Name", t->name,
	    "SubjectPart", sesview_str(t->subject),
	    "TextPart", sesview_str(t->text),
	    "HtmlPart", sesview_str(t->html),
	    "CreatedTimestamp", sesview_time(t->created_ms),
	    "UpdatedTimestamp", sesview_time(t->updated_ms));
}

/* GET /_sesbox/api/v1/templates[?account=&region=&limit=&cursor=]: each
 * with its parts. */
static void
sesview_templates(const struct route_request *req,
    struct route_response *resp)
{
	char account[INSPECT_ACCOUNT_MAX_BYTES];
	char region[INSPECT_REGION_MAX_BYTES];
	struct store *s = store_get();
	struct store_tpl *rows = NULL, t;
	struct sesview_page pg;
	json_t *list = NULL;
	long n = -1, i;

	if (sesview_page_parse(req, resp, &pg) != 0)
		return;
	inspect_scope(req, account, region);
	if (s == NULL || store_begin(s) != 0) {
		sesview_store_error(resp, "templates");
		return;
	}
	n = store_tpl_list(s, account, region, pg.cursor[0] ? pg.cursor : NULL,
	    pg.limit, &rows);
	if (n >= 0)
		list = json_array();
	for (i = 0; list != NULL && i < n && (size_t)i < pg.limit; i++) {
		switch (store_tpl_get(s, account, region, rows[i].name, &t)) {
		case 0:
			json_array_append_new(list, sesview_template_json(&t));
			store_tpl_fini(&t);
			break;
		case 1:		/* deleted meanwhile */
			break;
		default:
			json_decref(list);
			list = NULL;
		}
	}
	if (store_commit(s) != 0)
		store_rollback(s);
	if (list == NULL) {
		store_tpls_free(rows, n < 0 ? 0 : (size_t)n);
		sesview_store_error(resp, "templates");
		return;
	}
	sesview_answer_list(resp, "templates", list, (size_t)n > pg.limit ?
	    rows[pg.limit - 1].name : NULL, account, region);
	store_tpls_free(rows, (size_t)n);
}

/*
 * The rendering data of a render request: "data" as an object, or as a
 * string holding one (TemplateData's form); absent is {}. New, or NULL
 * when it is neither.
 */
static json_t *
sesview_render_data(const json_t *body)
{
	const json_t *d = json_object_get(body, "data");
	json_t *v;

	/* EMU: TestRenderTemplate requires TemplateData; a preview without
	 * data renders with none, to show which attribute is missing. */
	if (d == NULL)
		return json_object();
	if (json_is_object(d))
		return json_incref((json_t *)d);
	if (!json_is_string(d))
		return NULL;
	v = json_loadb(json_string_value(d), json_string_length(d), 0, NULL);
	if (!json_is_object(v)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/*
 * Renders t's parts with data as a send would, subject first: sets
 * Subject, Text, Html (null for an absent part) and RenderedTemplate (the
 * MIME message TestRenderTemplate gives) in out. Returns 0, or -1 with
 * *kind and err for the first part that fails.
 */
static int
sesview_render(const struct store_tpl *t, const json_t *data, json_t *out,
    enum tpl_error *kind, char err[TPL_ERROR_MAX_BYTES])
{
	const char *parts[3] = { t->subject, t->text, t->html };
	static const char *const names[3] = { "Subject", "Text", "Html" };
	size_t len;
	char *r;
	int i;

	for (i = 0; i < 3; i++) {
		if (parts[i] == NULL) {
			json_object_set_new(out, names[i], json_null());
			continue;
		}
		if ((r = tpl_render(parts[i], strlen(parts[i]), data, &len, kind,
		    err)) == NULL)
			return -1;
		json_object_set_new(out, names[i], json_stringn(r, len));
		free(r);
	}
	if ((r = tpl_render_message(t->subject, t->text, t->html, data, &len,
	    kind, err)) == NULL)
		return -1;
	json_object_set_new(out, "RenderedTemplate", json_stringn(r, len));
	free(r);
	return 0;
}

/*
 * GET /_sesbox/api/v1/templates/{name}: one template;
 * POST .../{name}/render {"data": {...}}: its parts rendered, or the error
 * SES answers TestRenderTemplate with.
 */
static void
sesview_template(const struct route_request *req,
    struct route_response *resp)
{
	char account[INSPECT_ACCOUNT_MAX_BYTES];
	char region[INSPECT_REGION_MAX_BYTES];
	char name[SESVIEW_NAME_MAX_BYTES], msg[SESVIEW_NAME_MAX_BYTES + 64];
	char err[TPL_ERROR_MAX_BYTES];
	struct store *s = store_get();
	enum tpl_error kind;
	struct store_tpl t;
	const char *rest;
	json_t *body = NULL, *data, *out;
	int render, rc;

	if (sesview_segment(req, SESVIEW_TEMPLATES_PATH "/", name, &rest) !=
	    0 || (*rest != '\0' && strcmp(rest, "/render") != 0)) {
		inspect_error(resp, 404, "NotFound", "no such sesbox endpoint");
		return;
	}
	render = *rest != '\0';
	if (render != (strcmp(req->method, "POST") == 0)) {
		inspect_error(resp, 405, "MethodNotAllowed", "this endpoint "
		    "does not take that method");
		route_header(resp, "Allow", render ? "POST" : "GET");
		return;
	}
	if (render && (body = inspect_body(req, resp)) == NULL)
		return;
	inspect_scope(req, account, region);
	if (s == NULL || store_begin(s) != 0) {
		json_decref(body);
		sesview_store_error(resp, "templates");
		return;
	}
	rc = store_tpl_get(s, account, region, name, &t);
	if (store_commit(s) != 0)
		store_rollback(s);
	if (rc != 0) {
		json_decref(body);
		if (rc < 0) {
			sesview_store_error(resp, "templates");
			return;
		}
		/* AWS: "Template foobar does not exist." (SES-REFERENCE
		 * §1.5), v1's TemplateDoesNotExist. */
		snprintf(msg, sizeof(msg), "Template %s does not exist.", name);
		inspect_error(resp, 404, "TemplateDoesNotExist", msg);
		return;
	}
	if (!render) {
		route_json(resp, 200, sesview_template_json(&t));
		store_tpl_fini(&t);
		return;
	}
	data = sesview_render_data(body);
	json_decref(body);
	if (data == NULL) {
		store_tpl_fini(&t);
		/* As TestRenderTemplate answers TemplateData that is not a
		 * JSON object (op_tpl). */
		inspect_error(resp, 400, "InvalidRenderingParameter", "Template "
		    "rendering data is invalid");
		return;
	}
	out = json_pack("{s:s}", "Name", t.name);
	rc = sesview_render(&t, data, out, &kind, err);
	json_decref(data);
	store_tpl_fini(&t);
	if (rc != 0) {
		json_decref(out);
		/* AWS: a missing attribute is MissingRenderingAttribute
		 * (SES-REFERENCE §8.2); a send records it as a Rendering
		 * Failure with the same text. */
		inspect_error(resp, 400, kind == TPL_ERR_MISSING ?
		    "MissingRenderingAttribute" : "InvalidRenderingParameter",
		    err);
		return;
	}
	route_json(resp, 200, out);
}

/* ---- configuration sets ---- */

static json_t *
sesview_evdest_json(const struct store_evdest *d)
{
	return json_pack("{s:s,s:b,s:o,s:o,s:o,s:o}", "Name", d->name,
	    "Enabled", d->enabled,
	    "MatchingEventTypes", sesview_json_text(d->event_types),
	    "Destination", sesview_json_text(d->destination),
	    "CreatedTimestamp", sesview_time(d->created_ms),
	    "UpdatedTimestamp", sesview_time(d->updated_ms));
}

/* Set name with its destinations (new), or NULL on a store error; *gone
 * when it was deleted meanwhile. */
static json_t *
sesview_cs_json(struct store *s, const char *account, const char *region,
    const char *name, int *gone)
{
	struct store_evdest *dests = NULL;
	struct store_cs c;
	json_t *o, *list;
	long n, i;
	int rc;

	*gone = 0;
	if ((rc = store_cs_get(s, account, region, name, &c)) != 0) {
		*gone = rc == 1;
		return NULL;
	}
	if ((n = store_evdest_list(s, account, region, name, &dests)) < 0) {
		store_cs_fini(&c);
		return NULL;
	}
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, sesview_evdest_json(&dests[i]));
	store_evdests_free(dests, (size_t)n);
	o = json_pack("{s:s,s:o,s:b,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
	    "Name", c.name,
	    "CreatedTimestamp", sesview_time(c.created_ms),
	    "SendingEnabled", c.sending_enabled,
	    "ReputationMetricsEnabled", c.reputation_metrics_enabled,
	    "LastFreshStart", sesview_time(c.last_fresh_start_ms),
	    "TrackingOptions", sesview_json_text(c.tracking),
	    "DeliveryOptions", sesview_json_text(c.delivery),
	    "SuppressionOptions", sesview_json_text(c.suppression),
	    "VdmOptions", sesview_json_text(c.vdm),
	    "ArchivingOptions", sesview_json_text(c.archiving),
	    "EventDestinations", list);
	store_cs_fini(&c);
	return o;
}

/* GET /_sesbox/api/v1/configuration-sets[?account=&region=&limit=&cursor=]:
 * each with its options and event destinations. */
static void
sesview_configuration_sets(const struct route_request *req,
    struct route_response *resp)
{
	char account[INSPECT_ACCOUNT_MAX_BYTES];
	char region[INSPECT_REGION_MAX_BYTES];
	struct store *s = store_get();
	struct sesview_page pg;
	char **names = NULL;
	json_t *list = NULL, *o;
	long n, i;
	int gone;

	if (sesview_page_parse(req, resp, &pg) != 0)
		return;
	inspect_scope(req, account, region);
	if (s == NULL || store_begin(s) != 0) {
		sesview_store_error(resp, "configuration sets");
		return;
	}
	n = store_cs_names(s, account, region, pg.cursor[0] ? pg.cursor : NULL,
	    pg.limit, &names);
	if (n >= 0)
		list = json_array();
	for (i = 0; list != NULL && i < n && (size_t)i < pg.limit; i++) {
		if ((o = sesview_cs_json(s, account, region, names[i],
		    &gone)) != NULL)
			json_array_append_new(list, o);
		else if (!gone) {
			json_decref(list);
			list = NULL;
		}
	}
	if (store_commit(s) != 0)
		store_rollback(s);
	if (list == NULL) {
		store_cs_names_free(names, n < 0 ? 0 : (size_t)n);
		sesview_store_error(resp, "configuration sets");
		return;
	}
	sesview_answer_list(resp, "configuration_sets", list, (size_t)n >
	    pg.limit ? names[pg.limit - 1] : NULL, account, region);
	store_cs_names_free(names, (size_t)n);
}

/* ---- suppression list ---- */

static json_t *
sesview_supp_json(const struct store_supp *d)
{
	return json_pack("{s:s,s:s,s:o,s:o,s:o}", "EmailAddress", d->address,
	    "Reason", d->reason, "LastUpdateTime", sesview_time(d->updated_ms),
	    "MessageId", sesview_str(d->message_id),
	    "FeedbackId", sesview_str(d->feedback_id));
}

/*
 * The canonical form of a given address (new), or NULL with SES v2's
 * error for a malformed one answered (op_supp's text).
 */
static char *
sesview_supp_address(struct route_response *resp, const char *given)
{
	char why[ADDR_WHY_MAX_BYTES], msg[SESVIEW_NAME_MAX_BYTES + 64];
	char *canon = supp_address_canonical(given);

	if (addr_check(canon, why) != 0) {
		snprintf(msg, sizeof(msg), "Invalid email address<%s>.", given);
		inspect_error(resp, 400, "BadRequestException", msg);
		free(canon);
		return NULL;
	}
	return canon;
}

static void
sesview_supp_missing(struct route_response *resp, const char *address)
{
	char msg[SESVIEW_NAME_MAX_BYTES + 64];

	/* AWS: NotFoundException, with the canonical address (op_supp). */
	snprintf(msg, sizeof(msg), "Email address %s does not exist on your "
	    "suppression list.", address);
	inspect_error(resp, 404, "NotFoundException", msg);
}

/* GET: the list (?reason=BOUNCE|COMPLAINT, limit, cursor). */
static void
sesview_supp_list(const struct route_request *req,
    struct route_response *resp, const char *account, const char *region)
{
	struct store_supp_filter f = { 0, -1, -1, NULL };
	struct store_supp *rows = NULL;
	struct store *s = store_get();
	struct sesview_page pg;
	char reason[32];
	json_t *list;
	long n, i;

	if (sesview_page_parse(req, resp, &pg) != 0)
		return;
	if (req->query != NULL && inspect_param(req->query, "reason", reason,
	    sizeof(reason)) == 0 && (f.reasons = supp_reason_bit(reason)) ==
	    0) {
		inspect_error(resp, 400, "BadRequest", "reason must be BOUNCE "
		    "or COMPLAINT");
		return;
	}
	f.after = pg.cursor[0] ? pg.cursor : NULL;
	if (s == NULL || store_begin(s) != 0) {
		sesview_store_error(resp, "the suppression list");
		return;
	}
	n = store_supp_list(s, account, region, &f, pg.limit, &rows);
	if (store_commit(s) != 0)
		store_rollback(s);
	if (n < 0) {
		sesview_store_error(resp, "the suppression list");
		return;
	}
	list = json_array();
	for (i = 0; i < n && (size_t)i < pg.limit; i++)
		json_array_append_new(list, sesview_supp_json(&rows[i]));
	sesview_answer_list(resp, "suppressed", list, (size_t)n > pg.limit ?
	    rows[pg.limit - 1].address : NULL, account, region);
	store_supp_list_free(rows, (size_t)n);
}

/*
 * PUT: adds or replaces address (as given) with body's "reason", as
 * PutSuppressedDestination does; the same validation errors.
 */
static void
sesview_supp_put(const struct route_request *req,
    struct route_response *resp, const char *account, const char *region,
    const char *given, const json_t *body)
{
	const json_t *r = json_object_get(body, "reason");
	struct store_supp d;
	struct store *s;
	char msg[256];
	int ok;

	if (r == NULL || json_is_null(r)) {
		/* AWS: the v2 model's validation text (test_suppression). */
		inspect_error(resp, 400, "BadRequestException", "1 validation "
		    "error detected: Value null at 'reason' failed to satisfy "
		    "constraint: Member must not be null");
		return;
	}
	if (!json_is_string(r) || supp_reason_bit(json_string_value(r)) == 0) {
		snprintf(msg, sizeof(msg), "1 validation error detected: Value "
		    "'%.64s' at 'reason' failed to satisfy constraint: Member "
		    "must satisfy enum value set: [BOUNCE, COMPLAINT]",
		    json_is_string(r) ? json_string_value(r) : "?");
		inspect_error(resp, 400, "BadRequestException", msg);
		return;
	}
	memset(&d, 0, sizeof(d));
	if ((d.address = sesview_supp_address(resp, given)) == NULL)
		return;
	d.reason = xstrdup(json_string_value(r));
	d.updated_ms = tclock_now_ms();
	if ((s = store_write_begin()) == NULL) {
		store_supp_fini(&d);
		inspect_error(resp, 500, "InternalFailure", "the store is "
		    "unavailable");
		return;
	}
	ok = store_supp_put(s, account, region, &d) == 0;
	if (store_write_end(s, ok) != 0 || !ok) {
		store_supp_fini(&d);
		inspect_error(resp, 500, "InternalFailure", "cannot write the "
		    "suppression list");
		return;
	}
	log_info("req=%s msg=\"address suppressed\" account=%s region=%s "
	    "reason=%s", req->request_id, account, region, d.reason);
	route_json(resp, 200, sesview_supp_json(&d));
	store_supp_fini(&d);
}

/* GET or DELETE one entry. */
static void
sesview_supp_one(const struct route_request *req,
    struct route_response *resp, const char *account, const char *region,
    const char *given)
{
	int del = strcmp(req->method, "DELETE") == 0, rc;
	struct store_supp d;
	struct store *s;
	char *address;

	if ((address = sesview_supp_address(resp, given)) == NULL)
		return;
	if (del) {
		if ((s = store_write_begin()) == NULL) {
			rc = -1;
		} else {
			rc = store_supp_delete(s, account, region, address);
			if (store_write_end(s, rc >= 0) != 0)
				rc = -1;
		}
		if (rc > 0) {
			log_info("req=%s msg=\"address unsuppressed\" "
			    "account=%s region=%s", req->request_id, account,
			    region);
			route_json(resp, 200, json_pack("{s:i}", "deleted", 1));
		}
	} else {
		if ((s = store_get()) == NULL || store_begin(s) != 0) {
			rc = -1;
		} else {
			rc = store_supp_get(s, account, region, address, &d);
			if (store_commit(s) != 0)
				store_rollback(s);
			rc = rc == 0 ? 1 : rc == 1 ? 0 : -1;
		}
		if (rc > 0) {
			route_json(resp, 200, sesview_supp_json(&d));
			store_supp_fini(&d);
		}
	}
	if (rc == 0)
		sesview_supp_missing(resp, address);
	else if (rc < 0)
		inspect_error(resp, 500, "InternalFailure", "cannot access the "
		    "suppression list");
	free(address);
}

/*
 * /_sesbox/api/v1/suppression: GET lists, PUT {"email", "reason"} adds;
 * /_sesbox/api/v1/suppression/{email}: GET, PUT {"reason"}, DELETE.
 */
static void
sesview_suppression(const struct route_request *req,
    struct route_response *resp)
{
	char account[INSPECT_ACCOUNT_MAX_BYTES];
	char region[INSPECT_REGION_MAX_BYTES];
	char given[SESVIEW_NAME_MAX_BYTES];
	const json_t *email;
	const char *rest;
	json_t *body = NULL;
	int one = req->path[strlen(SESVIEW_SUPPRESSION_PATH)] == '/';

	inspect_scope(req, account, region);
	if (one && (sesview_segment(req, SESVIEW_SUPPRESSION_PATH "/", given,
	    &rest) != 0 || *rest != '\0')) {
		inspect_error(resp, 404, "NotFound", "no such sesbox endpoint");
		return;
	}
	if (strcmp(req->method, "PUT") == 0) {
		if ((body = inspect_body(req, resp)) == NULL)
			return;
		if (!one) {
			email = json_object_get(body, "email");
			/* EMU: the body's "email" stands for v2's EmailAddress;
			 * its absence is told in v2's words. */
			if (!json_is_string(email)) {
				json_decref(body);
				inspect_error(resp, 400, "BadRequestException",
				    "1 validation error detected: Value null "
				    "at 'emailAddress' failed to satisfy "
				    "constraint: Member must not be null");
				return;
			}
			snprintf(given, sizeof(given), "%s",
			    json_string_value(email));
		}
		sesview_supp_put(req, resp, account, region, given, body);
		json_decref(body);
	} else if (one) {
		sesview_supp_one(req, resp, account, region, given);
	} else {
		sesview_supp_list(req, resp, account, region);
	}
}

/* ---- statistics ---- */

/* A time parameter: ISO-8601 or epoch milliseconds. Returns 0 or -1. */
static int
sesview_time_param(const char *v, int64_t *ms)
{
	const char *p;
	char *end;

	for (p = v; *p != '\0' && isdigit((unsigned char)*p); p++)
		;
	if (*v != '\0' && *p == '\0') {
		*ms = strtoll(v, &end, 10);
		return 0;
	}
	return wire_timestamp_parse(v, ms);
}

/*
 * GET /_sesbox/api/v1/statistics[?account=&region=&since=]: the
 * GetSendStatistics buckets (15 minutes each) of the last two weeks, or
 * since a time, oldest first, with their totals.
 */
static void
sesview_statistics(const struct route_request *req,
    struct route_response *resp)
{
	static const char *const counts[] = { "DeliveryAttempts", "Bounces",
	    "Complaints", "Rejects" };
	char account[INSPECT_ACCOUNT_MAX_BYTES];
	char region[INSPECT_REGION_MAX_BYTES];
	char since_s[64];
	struct store *s = store_get();
	int64_t now = tclock_now_ms(), since = now - SESVIEW_STATS_WINDOW_MS;
	json_int_t total[4] = { 0, 0, 0, 0 };
	json_t *points = NULL, *p, *totals;
	size_t i, k;

	if (req->query != NULL && inspect_param(req->query, "since", since_s,
	    sizeof(since_s)) == 0 && sesview_time_param(since_s, &since) !=
	    0) {
		inspect_error(resp, 400, "BadRequest", "since takes an "
		    "ISO-8601 time or epoch milliseconds");
		return;
	}
	inspect_scope(req, account, region);
	if (s != NULL && store_begin(s) == 0) {
		points = store_stats_list(s, account, region, since);
		if (store_commit(s) != 0)
			store_rollback(s);
	}
	if (points == NULL) {
		sesview_store_error(resp, "statistics");
		return;
	}
	json_array_foreach(points, i, p) {
		json_object_set_new(p, "Timestamp", sesview_time(
		    json_integer_value(json_object_get(p, "Timestamp"))));
		for (k = 0; k < 4; k++)
			total[k] += json_integer_value(json_object_get(p,
			    counts[k]));
	}
	totals = json_object();
	for (k = 0; k < 4; k++)
		json_object_set_new(totals, counts[k], json_integer(total[k]));
	route_json(resp, 200, json_pack("{s:s,s:s,s:o,s:o,s:I,s:o,s:o}",
	    "Account", account, "Region", region, "Since", sesview_time(since),
	    "Now", sesview_time(now), "BucketMinutes",
	    (json_int_t)(STORE_STATS_BUCKET_MS / 60000), "SendDataPoints",
	    points, "Totals", totals));
}

/* ---- routes ---- */

static const char *const sesview_get[] = { "GET", "HEAD", NULL };
static const char *const sesview_get_post[] = { "GET", "HEAD", "POST",
    NULL };
static const char *const sesview_get_put[] = { "GET", "HEAD", "PUT", NULL };
static const char *const sesview_get_put_delete[] = { "GET", "HEAD", "PUT",
    "DELETE", NULL };

const struct inspect_route sesview_routes[] = {
	{ SESVIEW_API "/identities", sesview_get, sesview_identities, 0 },
	{ SESVIEW_TEMPLATES_PATH, sesview_get, sesview_templates, 0 },
	{ SESVIEW_TEMPLATES_PATH "/", sesview_get_post, sesview_template, 1 },
	{ SESVIEW_API "/configuration-sets", sesview_get,
	    sesview_configuration_sets, 0 },
	{ SESVIEW_SUPPRESSION_PATH, sesview_get_put, sesview_suppression, 0 },
	{ SESVIEW_SUPPRESSION_PATH "/", sesview_get_put_delete,
	    sesview_suppression, 1 },
	{ SESVIEW_API "/statistics", sesview_get, sesview_statistics, 0 },
};
const size_t sesview_nroutes = sizeof(sesview_routes) /
    sizeof(sesview_routes[0]);
