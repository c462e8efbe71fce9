/*
 * inspect — sesbox's own HTTP API under /_sesbox/ (see inspect.h).
 */
#include "inspect.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cfg.h"
#include "feed.h"
#include "ident.h"
#include "log.h"
#include "model.h"
#include "op.h"
#include "pub.h"
#include "queue.h"
#include "quota.h"
#include "rep.h"
#include "sesview.h"
#include "sim.h"
#include "rmt.h"
#include "smtp.h"
#include "sns.h"
#include "sns_deliver.h"
#include "store.h"
#include "store_identity.h"
#include "store_pub.h"
#include "store_send.h"
#include "store_sns.h"
#include "tclock.h"
#include "track.h"
#include "ui.h"
#include "verify.h"
#include "version.h"
#include "wire.h"
#include "xmem.h"

#define INSPECT_PARAM_MAX_BYTES 512
#define INSPECT_FLUSH_TIMEOUT_MS 30000
#define INSPECT_LIST_MAX 1000
#define INSPECT_IDENTITIES_PATH "/_sesbox/api/v1/identities"

static const char *const inspect_methods_get[] = { "GET", "HEAD", NULL };
static const char *const inspect_methods_post[] = { "POST", NULL };

/*
 * Copies the percent-decoded value of query parameter name into out.
 * Returns 0, or -1 when absent or malformed.
 */
int
inspect_param(const char *query, const char *name, char *out, size_t n)
{
	size_t len = strlen(name);
	const char *p, *end;
	long k;

	for (p = query; p != NULL && *p; p = end ? end + 1 : NULL) {
		end = strchr(p, '&');
		if (strncmp(p, name, len) != 0 || p[len] != '=')
			continue;
		p += len + 1;
		k = (long)(end ? (size_t)(end - p) : strlen(p));
		if ((size_t)k >= n)
			return -1;
		memcpy(out, p, (size_t)k);
		if ((k = wire_percent_decode(out, (size_t)k, 1)) < 0)
			return -1;
		out[k] = '\0';
		return 0;
	}
	return -1;
}

void
inspect_error(struct route_response *resp, int status, const char *code,
    const char *message)
{
	route_json(resp, status, json_pack("{s:s,s:s}", "code", code,
	    "message", message));
	snprintf(resp->error, sizeof(resp->error), "%s", code);
}

static void
inspect_health(const struct route_request *req, struct route_response *resp)
{
	size_t i, implemented = 0;

	(void)req;
	for (i = 0; i < model_op_count(); i++)
		if (op_handler(model_op_at(i)) != NULL)
			implemented++;
	route_json(resp, 200, json_pack("{s:s,s:s,s:i,s:{s:i,s:i}}",
	    "status", "ok", "version", SESBOX_VERSION,
	    "schema_version", store_schema_version(),
	    "operations", "implemented", (int)implemented,
	    "total", (int)model_op_count()));
}

json_t *
inspect_body(const struct route_request *req, struct route_response *resp)
{
	json_t *body = req->body_len ? json_loadb(req->body, req->body_len, 0,
	    NULL) : json_object();

	if (!json_is_object(body)) {
		json_decref(body);
		inspect_error(resp, 400, "BadRequest", "the body must be a JSON "
		    "object");
		return NULL;
	}
	return body;
}

/* Back to the rules file's rules, or none (what a reset means for them);
 * a rules file that no longer loads leaves the active rules in place. */
static void
inspect_rules_reset(void)
{
	char err[SIM_ERROR_MAX_BYTES];
	json_t *active = sim_rules_get(), *none;

	if (!json_is_null(json_object_get(active, "file"))) {
		if (sim_rules_reload(err, sizeof(err)) != 0)
			log_warn("msg=\"simulator rules not reloaded\" "
			    "err=\"%s\"", err);
	} else {
		none = json_pack("{s:[]}", "rules");
		(void)sim_rules_set(none, err, sizeof(err));
		json_decref(none);
	}
	json_decref(active);
}

/*
 * The scope of a reset body {"account": "...", "region": "..."} (either
 * may be missing; strings borrowed from body). Returns 0, or -1 with the
 * 400 answered.
 */
static int
inspect_reset_scope(const json_t *body, const char **account,
    const char **region, struct route_response *resp)
{
	const char *key, *a;
	json_t *v;

	*account = *region = NULL;
	json_object_foreach((json_t *)body, key, v) {
		if (strcmp(key, "account") == 0) {
			a = json_string_value(v);
			if (a == NULL || strlen(a) != 12 || a[strspn(a,
			    "0123456789")] != '\0') {
				inspect_error(resp, 400, "BadRequest", "account "
				    "must be a 12-digit account ID");
				return -1;
			}
			*account = a;
		} else if (strcmp(key, "region") == 0) {
			if (!json_is_string(v) || !wire_region_valid(
			    json_string_value(v))) {
				inspect_error(resp, 400, "BadRequest", "region "
				    "must be a region name such as us-east-1");
				return -1;
			}
			*region = json_string_value(v);
		} else {
			inspect_error(resp, 400, "BadRequest", "the body takes "
			    "only account and region");
			return -1;
		}
	}
	return 0;
}

/*
 * POST /_sesbox/api/v1/reset: everything, or with {"account", "region"}
 * (either or both) only the state of that scope. EMU: a scoped reset
 * leaves what is not per scope alone: the test clock, the simulator
 * rules, the send-rate buckets and the CloudWatch-destination counters.
 */
static void
inspect_reset(const struct route_request *req, struct route_response *resp)
{
	const char *account = NULL, *region = NULL;
	json_t *body, *scope;
	struct store *s;
	int rc;

	if ((body = inspect_body(req, resp)) == NULL)
		return;
	if (inspect_reset_scope(body, &account, &region, resp) != 0) {
		json_decref(body);
		return;
	}
	if ((s = store_write_begin()) == NULL) {
		json_decref(body);
		inspect_error(resp, 500, "InternalFailure", "the store is "
		    "unavailable");
		return;
	}
	rc = account == NULL && region == NULL ? store_reset(s) :
	    store_reset_scope(s, account, region);
	if (store_write_end(s, rc == 0) != 0 || rc != 0) {
		json_decref(body);
		inspect_error(resp, 500, "InternalFailure", "reset failed");
		return;
	}
	if (account != NULL || region != NULL) {
		scope = json_object();
		if (account != NULL)
			json_object_set_new(scope, "account",
			    json_string(account));
		if (region != NULL)
			json_object_set_new(scope, "region",
			    json_string(region));
		log_info("req=%s msg=\"state reset\" scope=%s/%s",
		    req->request_id, account ? account : "*",
		    region ? region : "*");
		json_decref(body);
		route_json(resp, 200, json_pack("{s:b,s:o}", "reset", 1,
		    "scope", scope));
		return;
	}
	json_decref(body);
	tclock_real();
	quota_reset();
	pub_metrics_reset();
	inspect_rules_reset();
	log_info("req=%s msg=\"state reset\" scope=all", req->request_id);
	route_json(resp, 200, json_pack("{s:b,s:s}", "reset", 1, "scope",
	    "all"));
}

static void
inspect_operations(const struct route_request *req,
    struct route_response *resp)
{
	const struct model_op *op;
	json_t *list = json_array();
	size_t i;

	(void)req;
	for (i = 0; i < model_op_count(); i++) {
		op = model_op_at(i);
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:b}",
		    "service", op->service->name, "name", op->name,
		    "method", op->method, "uri", op->request_uri,
		    "implemented", op_handler(op) != NULL));
	}
	route_json(resp, 200, json_pack("{s:o}", "operations", list));
}

static json_t *
inspect_clock_state(void)
{
	char iso[WIRE_TIMESTAMP_MAX_BYTES];
	int64_t now = tclock_now_ms();

	wire_timestamp_iso(now, iso);
	return json_pack("{s:I,s:s,s:b}", "now_ms", (json_int_t)now, "now",
	    iso, "frozen", tclock_frozen());
}

/*
 * GET: the test clock. POST {"advance_ms": N} moves it forward; {"set_ms":
 * N} or {"set": "ISO-8601"} freezes it there; {"real": true} returns to the
 * wall clock.
 */
static void
inspect_clock(const struct route_request *req, struct route_response *resp)
{
	json_t *body, *v;
	int64_t ms;

	if (strcmp(req->method, "POST") == 0) {
		if ((body = inspect_body(req, resp)) == NULL)
			return;
		if ((v = json_object_get(body, "advance_ms")) != NULL) {
			if (!json_is_integer(v) || json_integer_value(v) < 0) {
				inspect_error(resp, 400, "BadRequest",
				    "advance_ms must be a non-negative integer");
				json_decref(body);
				return;
			}
			tclock_advance_ms(json_integer_value(v));
		} else if ((v = json_object_get(body, "set_ms")) != NULL ||
		    (v = json_object_get(body, "set")) != NULL) {
			if (json_is_integer(v))
				ms = json_integer_value(v);
			else if (!json_is_string(v) || wire_timestamp_parse(
			    json_string_value(v), &ms) != 0) {
				inspect_error(resp, 400, "BadRequest", "set "
				    "takes an ISO-8601 time, set_ms an integer");
				json_decref(body);
				return;
			}
			tclock_set_ms(ms);
		} else if (json_is_true(json_object_get(body, "real"))) {
			tclock_real();
		} else {
			inspect_error(resp, 400, "BadRequest", "expected one of "
			    "advance_ms, set, set_ms or real");
			json_decref(body);
			return;
		}
		json_decref(body);
		queue_kick();	/* rows may have come due */
		sns_kick();
		capture_kick();	/* messages may have grown old */
		log_info("req=%s msg=\"clock changed\" frozen=%d now_ms=%lld",
		    req->request_id, tclock_frozen(),
		    (long long)tclock_now_ms());
	}
	route_json(resp, 200, inspect_clock_state());
}

/*
 * POST /_sesbox/api/v1/queue/flush: returns once every recipient due by
 * the test clock has been settled (its events recorded), every event
 * published and every SNS delivery due attempted, so a test asserts on
 * them without waiting blindly.
 */
static void
inspect_queue_flush(const struct route_request *req,
    struct route_response *resp)
{
	(void)req;
	if (queue_drain(INSPECT_FLUSH_TIMEOUT_MS) != 0 ||
	    pub_drain(INSPECT_FLUSH_TIMEOUT_MS) != 0 ||
	    sns_deliver_drain(INSPECT_FLUSH_TIMEOUT_MS) != 0) {
		inspect_error(resp, 503, "ServiceUnavailable", "the delivery "
		    "queue did not settle in time");
		return;
	}
	route_json(resp, 200, json_pack("{s:b}", "flushed", 1));
}

/*
 * /_sesbox/api/v1/simulator/rules: GET the active mailbox-simulator rules,
 * PUT {"rules": [...]} to replace them (docs/simulator.md).
 */
static void
inspect_rules(const struct route_request *req, struct route_response *resp)
{
	char err[SIM_ERROR_MAX_BYTES];
	json_t *body;

	if (strcmp(req->method, "PUT") == 0) {
		if ((body = inspect_body(req, resp)) == NULL)
			return;
		if (sim_rules_set(body, err, sizeof(err)) != 0) {
			json_decref(body);
			inspect_error(resp, 400, "BadRequest", err);
			return;
		}
		json_decref(body);
		log_info("req=%s msg=\"simulator rules replaced\"",
		    req->request_id);
	}
	route_json(resp, 200, sim_rules_get());
}

/* POST /_sesbox/api/v1/simulator/rules/reload: reads the rules file
 * (--simulator-rules) again. */
static void
inspect_rules_reload(const struct route_request *req,
    struct route_response *resp)
{
	char err[SIM_ERROR_MAX_BYTES];

	if (sim_rules_reload(err, sizeof(err)) != 0) {
		inspect_error(resp, 400, "BadRequest", err);
		return;
	}
	log_info("req=%s msg=\"simulator rules reloaded\"", req->request_id);
	route_json(resp, 200, sim_rules_get());
}

/*
 * POST /_sesbox/api/v1/sns/flush: returns once every SNS delivery due by
 * the test clock has been attempted and recorded.
 */
static void
inspect_sns_flush(const struct route_request *req,
    struct route_response *resp)
{
	(void)req;
	if (sns_deliver_drain(INSPECT_FLUSH_TIMEOUT_MS) != 0) {
		inspect_error(resp, 503, "ServiceUnavailable", "the SNS "
		    "deliveries did not settle in time");
		return;
	}
	route_json(resp, 200, json_pack("{s:b}", "flushed", 1));
}

/* GET /_sesbox/api/v1/sns/deliveries[?topic=ARN&limit=N]: newest first,
 * each with its attempts. */
static void
inspect_sns_deliveries(const struct route_request *req,
    struct route_response *resp)
{
	char topic[INSPECT_PARAM_MAX_BYTES], limit[16];
	struct store *s = store_get();
	json_t *list = NULL;
	long n = 100;

	if (req->query != NULL && inspect_param(req->query, "limit", limit,
	    sizeof(limit)) == 0 && ((n = atol(limit)) < 1 ||
	    n > STORE_SNS_DELIVERY_LIST_MAX)) {
		inspect_error(resp, 400, "BadRequest", "limit must be 1-1000");
		return;
	}
	if (s != NULL && store_begin(s) == 0) {
		list = store_sns_delivery_list(s, inspect_param(req->query,
		    "topic", topic, sizeof(topic)) ? NULL : topic, (size_t)n);
		if (store_commit(s) != 0)
			store_rollback(s);
	}
	if (list == NULL) {
		inspect_error(resp, 500, "InternalFailure", "cannot list SNS "
		    "deliveries");
		return;
	}
	route_json(resp, 200, json_pack("{s:o}", "deliveries", list));
}

/* GET /_sesbox/sns/SimpleNotificationService-<hex>.pem: the certificate
 * SNS messages are signed under (their SigningCertURL). */
static void
inspect_sns_cert(const struct route_request *req, struct route_response *resp)
{
	const char *name = sns_cert_name(), *pem = sns_cert_pem();

	if (name == NULL || pem == NULL || strcmp(req->path +
	    strlen(SNS_CERT_PATH), name) != 0) {
		inspect_error(resp, 404, "NotFound", "no such certificate");
		return;
	}
	resp->status = 200;
	/* EMU: the content type real SNS serves its certificates with is
	 * not recorded; the PEM certificate type. */
	resp->content_type = "application/x-x509-ca-cert";
	resp->body = xstrdup(pem);
	resp->body_len = strlen(pem);
}

/* GET /_sesbox/api/v1/publications[?limit=]: every publication of every
 * event, newest first. */
static void
inspect_publications(const struct route_request *req,
    struct route_response *resp)
{
	struct store *s = store_get();
	char limit[16];
	long n = 100;
	json_t *list;

	if (req->query != NULL && inspect_param(req->query, "limit", limit,
	    sizeof(limit)) == 0 && ((n = atol(limit)) < 1 ||
	    n > INSPECT_LIST_MAX)) {
		inspect_error(resp, 400, "BadRequest", "limit must be 1-1000");
		return;
	}
	if (s == NULL || (list = store_pub_list(s, NULL, (size_t)n)) ==
	    NULL) {
		inspect_error(resp, 500, "InternalFailure", "cannot read the "
		    "publications");
		return;
	}
	route_json(resp, 200, json_pack("{s:o}", "publications", list));
}

void
inspect_scope(const struct route_request *req,
    char account[INSPECT_ACCOUNT_MAX_BYTES],
    char region[INSPECT_REGION_MAX_BYTES])
{
	const struct cfg *cfg = route_cfg_get();

	if (req->query == NULL || inspect_param(req->query, "account", account,
	    INSPECT_ACCOUNT_MAX_BYTES) != 0)
		snprintf(account, INSPECT_ACCOUNT_MAX_BYTES, "%s",
		    cfg->default_account);
	if (req->query == NULL || inspect_param(req->query, "region", region,
	    INSPECT_REGION_MAX_BYTES) != 0)
		snprintf(region, INSPECT_REGION_MAX_BYTES, "%s", cfg->region);
}

/* GET /_sesbox/api/v1/reputation[?account=&region=] (rep_report). */
static void
inspect_reputation(const struct route_request *req,
    struct route_response *resp)
{
	char account[INSPECT_ACCOUNT_MAX_BYTES];
	char region[INSPECT_REGION_MAX_BYTES];
	struct store *s = store_get();
	json_t *r;

	inspect_scope(req, account, region);
	if (s == NULL || (r = rep_report(s, route_cfg_get(), account, region,
	    tclock_now_ms())) == NULL) {
		inspect_error(resp, 500, "InternalFailure", "cannot read the "
		    "reputation");
		return;
	}
	route_json(resp, 200, r);
}

/* GET /_sesbox/metrics: CloudWatch-destination counters, SMTP counters
 * and reputation gauges, Prometheus text. */
static void
inspect_metrics(const struct route_request *req,
    struct route_response *resp)
{
	struct store *s = store_get();
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	(void)req;
	if (f == NULL) {
		inspect_error(resp, 500, "InternalFailure", "out of memory");
		return;
	}
	pub_metrics(f);
	smtp_metrics(f);
	rmt_metrics(f);
	rc = s != NULL ? rep_metrics(s, route_cfg_get(), tclock_now_ms(), f) :
	    -1;
	fclose(f);
	if (rc != 0) {
		free(text);
		inspect_error(resp, 500, "InternalFailure", "cannot read the "
		    "reputation");
		return;
	}
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4";
	resp->body = text;
	resp->body_len = len;
}

static void
inspect_page(struct route_response *resp, int status, const char *title,
    const char *text)
{
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	resp->body = xasprintf("<!DOCTYPE html>\n<html><head><meta "
	    "charset=\"utf-8\"><title>%s</title></head><body><h1>%s</h1>"
	    "<p>%s</p></body></html>\n", title, title, text);
	resp->body_len = strlen(resp->body);
}

/* GET /_sesbox/verify?token=...: the link in a verification email. */
static void
inspect_verify(const struct route_request *req, struct route_response *resp)
{
	char token[INSPECT_PARAM_MAX_BYTES];
	struct verify_outcome out;
	struct store *s;

	if (req->query == NULL || inspect_param(req->query, "token", token,
	    sizeof(token)) != 0) {
		inspect_page(resp, 400, "Invalid link", "This verification "
		    "link is incomplete.");
		return;
	}
	if ((s = store_write_begin()) == NULL) {
		inspect_page(resp, 500, "Error", "The store is unavailable.");
		return;
	}
	if (store_write_end(s, verify_open(s, token, tclock_now_ms(), &out) ==
	    0) != 0) {
		inspect_page(resp, 500, "Error", "Verification failed.");
		return;
	}
	log_info("req=%s msg=\"verification link opened\" result=%s",
	    req->request_id, out.result == VERIFY_VERIFIED ? "verified" :
	    out.result == VERIFY_EXPIRED ? "expired" : "unknown");
	if (out.redirect[0] != '\0') {
		/* AWS: custom templates send the user to their success or
		 * failure URL (SES-REFERENCE §9.4). */
		resp->status = 302;
		route_header(resp, "Location", out.redirect);
		resp->content_type = "text/plain";
		resp->body = xstrdup("");
		return;
	}
	if (out.result == VERIFY_VERIFIED)
		/* AWS: the wording of SES's confirmation page. */
		inspect_page(resp, 200, "Congratulations!", "You have "
		    "successfully verified an email address. You can now start "
		    "sending email from this address.");
	else if (out.result == VERIFY_EXPIRED)
		inspect_page(resp, 410, "Link expired", "This verification "
		    "link has expired. Request a new verification email.");
	else
		inspect_page(resp, 404, "Invalid link", "This verification "
		    "link is not valid or has already been used.");
}

/*
 * GET /_sesbox/api/v1/identities/{name}/dns-records[?account=&region=]:
 * the records a user must publish for a domain identity, as the SES
 * console lists them (SES-REFERENCE §9.2).
 */
static void
inspect_dns_records(const struct route_request *req,
    struct route_response *resp)
{
	const char *start = req->path + strlen(INSPECT_IDENTITIES_PATH "/");
	const char *end = strstr(start, "/dns-records");
	char name[512], account[INSPECT_ACCOUNT_MAX_BYTES];
	char region[INSPECT_REGION_MAX_BYTES], rn[600];
	struct store_identity id;
	struct store *s = store_get();
	json_t *records;
	long k;
	int rc;

	if (end == NULL || end[strlen("/dns-records")] != '\0' ||
	    (size_t)(end - start) >= sizeof(name)) {
		inspect_error(resp, 404, "NotFound", "no such sesbox endpoint");
		return;
	}
	memcpy(name, start, (size_t)(end - start));
	if ((k = wire_percent_decode(name, (size_t)(end - start), 0)) < 0) {
		inspect_error(resp, 400, "BadRequest", "bad identity name");
		return;
	}
	name[k] = '\0';
	inspect_scope(req, account, region);
	if (s == NULL || (rc = store_identity_get(s, account, region,
	    ident_canonical(name, rn), &id)) < 0) {
		inspect_error(resp, 500, "InternalFailure", "cannot read "
		    "identities");
		return;
	}
	if (rc == 1) {
		inspect_error(resp, 404, "NotFound", "no such identity");
		return;
	}
	records = sesview_identity_records(&id, region);
	route_json(resp, 200, json_pack("{s:s,s:s,s:s,s:o}", "Identity",
	    id.name, "Account", account, "Region", region, "Records",
	    records));
	store_identity_fini(&id);
}

static const char *const inspect_methods_get_post[] = { "GET", "POST",
    NULL };
static const char *const inspect_methods_get_put[] = { "GET", "PUT",
    NULL };

static const struct inspect_route inspect_routes[] = {
	{ "/_sesbox/health", inspect_methods_get, inspect_health, 0 },
	{ "/_sesbox/api/v1/reset", inspect_methods_post, inspect_reset, 0 },
	{ "/_sesbox/api/v1/operations", inspect_methods_get,
	    inspect_operations, 0 },
	{ "/_sesbox/api/v1/clock", inspect_methods_get_post, inspect_clock, 0 },
	{ "/_sesbox/api/v1/queue/flush", inspect_methods_post,
	    inspect_queue_flush, 0 },
	{ "/_sesbox/api/v1/publications", inspect_methods_get,
	    inspect_publications, 0 },
	{ "/_sesbox/metrics", inspect_methods_get, inspect_metrics, 0 },
	{ "/_sesbox/api/v1/reputation", inspect_methods_get,
	    inspect_reputation, 0 },
	{ TRACK_PATH, inspect_methods_get, track_handle, 1 },
	{ "/_sesbox/api/v1/simulator/rules", inspect_methods_get_put,
	    inspect_rules, 0 },
	{ "/_sesbox/api/v1/simulator/rules/reload", inspect_methods_post,
	    inspect_rules_reload, 0 },
	{ VERIFY_PATH, inspect_methods_get, inspect_verify, 0 },
	{ INSPECT_IDENTITIES_PATH "/", inspect_methods_get,
	    inspect_dns_records, 1 },
	{ "/_sesbox/api/v1/sns/deliveries", inspect_methods_get,
	    inspect_sns_deliveries, 0 },
	{ "/_sesbox/api/v1/sns/flush", inspect_methods_post, inspect_sns_flush,
	    0 },
	{ SNS_CERT_PATH, inspect_methods_get, inspect_sns_cert, 1 },
};
static const size_t inspect_nroutes = sizeof(inspect_routes) /
    sizeof(inspect_routes[0]);

/*
 * Every route table: this file's, then the other modules' under
 * /_sesbox/ (each adds its own line).
 */
static const struct {
	const struct inspect_route *v;
	const size_t *n;
} inspect_tables[] = {
	{ inspect_routes, &inspect_nroutes },
	{ capture_routes, &capture_nroutes },
	{ feed_routes, &feed_nroutes },
	{ sesview_routes, &sesview_nroutes },
	{ ui_routes, &ui_nroutes },
};

/*
 * Whether path is route r's: the same, or for a prefix route longer and
 * starting with it; a '*' in r's path stands for one non-empty segment.
 */
static int
inspect_route_match(const struct inspect_route *r, const char *path)
{
	const char *p = r->path;

	while (*p != '\0') {
		if (*p == '*') {
			if (*path == '\0' || *path == '/')
				return 0;
			while (*path != '\0' && *path != '/')
				path++;
			p++;
		} else if (*p++ != *path++) {
			return 0;
		}
	}
	return r->prefix ? *path != '\0' : *path == '\0';
}

/*
 * The route for path: the one matching most literally (the longest path
 * of those that match, a whole path before a prefix), so a table's
 * ".../{id}/actions/" wins over another's ".../{id}" prefix whatever their
 * order.
 */
static const struct inspect_route *
inspect_route_find(const char *path)
{
	const struct inspect_route *r, *best = NULL;
	size_t t, i;

	for (t = 0; t < sizeof(inspect_tables) / sizeof(inspect_tables[0]);
	    t++)
		for (i = 0; i < *inspect_tables[t].n; i++) {
			r = &inspect_tables[t].v[i];
			if (!inspect_route_match(r, path))
				continue;
			if (best == NULL || (best->prefix && !r->prefix) ||
			    (best->prefix == r->prefix && strlen(r->path) >
			    strlen(best->path)))
				best = r;
		}
	return best;
}

void
inspect_handle(const struct route_request *req, struct route_response *resp)
{
	const struct inspect_route *r = inspect_route_find(req->path);
	const char *const *m;

	if (r == NULL) {
		inspect_error(resp, 404, "NotFound", "no such sesbox endpoint");
		return;
	}
	resp->op = r->path;
	for (m = r->methods; *m != NULL; m++)
		if (strcmp(*m, req->method) == 0) {
			r->fn(req, resp);
			return;
		}
	inspect_error(resp, 405, "MethodNotAllowed", "this endpoint does not "
	    "take that method");
	route_header(resp, "Allow", r->methods[0]);
}
