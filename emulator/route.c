/*
 * route — what to do with one HTTP request (see route.h).
 */
#include "route.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "awserr.h"
#include "buf.h"
#include "capture.h"
#include "cfg.h"
#include "inspect.h"
#include "log.h"
#include "model.h"
#include "op.h"
#include "qry.h"
#include "rest.h"
#include "sigv4.h"
#include "store.h"
#include "tclock.h"
#include "ui.h"
#include "xmem.h"

#define ROUTE_SIGV4_HEADERS_MAX 64

/* AWS: SDKs sign SES requests as "ses"; old clients used "email". */
static const char *const route_services[] = { "ses", "email" };
/* AWS: and SNS requests as "sns" (botocore sns model, signingName). */
static const char *const route_sns_services[] = { "sns" };

static const struct cfg *route_cfg;

/* route_response.door: which renderer an answer came from. */
enum { ROUTE_DOOR_OTHER, ROUTE_DOOR_V1, ROUTE_DOOR_V2, ROUTE_DOOR_SNS };

/* Which services a door's requests are signed for. */
struct route_scope {
	const char *const *services;
	size_t nservices;
	/* Unsigned requests are served even in strict mode (SNS's link
	 * actions). */
	int anonymous;
};

/* One API call: the handler's context and the SigV4 data it points into. */
struct route_call {
	struct op_ctx ctx;
	struct sigv4_auth auth;		/* ctx.access_key, ctx.region point here */
};

void
route_init(const struct cfg *cfg)
{
	route_cfg = cfg;
}

const struct cfg *
route_cfg_get(void)
{
	return route_cfg;
}

void
route_request_id(char out[ROUTE_REQUEST_ID_BYTES])
{
	static __thread uint64_t s[2];
	unsigned char b[16];
	uint64_t x, y;
	int i;

	/* xorshift128+ seeded per thread from the kernel: ids need to be
	 * unique, not secret. */
	while (s[0] == 0 && s[1] == 0)
		if (getrandom(s, sizeof(s), 0) != sizeof(s))
			s[0] = (uint64_t)(uintptr_t)&s ^ 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < 2; i++) {
		x = s[0];
		y = s[1];
		s[0] = y;
		x ^= x << 23;
		s[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
		memcpy(b + 8 * i, &(uint64_t){ s[1] + y }, 8);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	str_hex(out, b, 4);
	out[8] = '-';
	str_hex(out + 9, b + 4, 2);
	out[13] = '-';
	str_hex(out + 14, b + 6, 2);
	out[18] = '-';
	str_hex(out + 19, b + 8, 2);
	out[23] = '-';
	str_hex(out + 24, b + 10, 6);
	out[36] = '\0';
}

void
route_header(struct route_response *resp, const char *name,
    const char *value)
{
	if (resp->nheaders == ROUTE_HEADERS_MAX)
		return;
	resp->headers[resp->nheaders].name = name;
	resp->headers[resp->nheaders++].value = xstrdup(value);
}

void
route_json(struct route_response *resp, int status, json_t *body)
{
	resp->status = status;
	resp->content_type = "application/json";
	resp->body = json_dumps(body, JSON_COMPACT);
	resp->body_len = strlen(resp->body);
	json_decref(body);
}

void
route_response_fini(struct route_response *resp)
{
	size_t i;

	for (i = 0; i < resp->nheaders; i++)
		free((char *)resp->headers[i].value);
	free(resp->body);
	resp->nheaders = 0;
	resp->body = NULL;
}

/* ---- rendering, per protocol ---- */

static void
route_query_error(const struct model_service *svc,
    const struct route_request *req, struct route_response *resp,
    const struct awserr *e)
{
	resp->body = qry_error(svc, e, req->request_id, &resp->status,
	    &resp->body_len);
	resp->content_type = "text/xml";
	snprintf(resp->error, sizeof(resp->error), "%s", e->code);
}

static void
route_v1_error(const struct route_request *req, struct route_response *resp,
    const struct awserr *e)
{
	route_query_error(model_ses(), req, resp, e);
}

/* Moves a rendered v2 answer into resp (r is released). */
static void
route_take_rest(struct route_response *resp, struct rest_out *r)
{
	size_t i;

	resp->status = r->status;
	resp->content_type = "application/json";
	for (i = 0; i < r->nheaders; i++)
		route_header(resp, r->headers[i].name, r->headers[i].value);
	resp->body = r->body;
	resp->body_len = r->body_len;
	r->body = NULL;
	rest_out_fini(r);
}

static void
route_v2_error(const struct route_request *req, struct route_response *resp,
    const struct awserr *e)
{
	struct rest_out r;

	(void)req;
	rest_error(model_sesv2(), e, &r);
	route_take_rest(resp, &r);
	snprintf(resp->error, sizeof(resp->error), "%s", e->code);
}

/* ---- caller identity ---- */

/*
 * Fills ctx's account, region and access key from the request's SigV4 data,
 * signed for one of sc's services. Returns 0, or -1 with e set (strict
 * mode only).
 */
static int
route_auth(const struct route_request *req, const struct route_scope *sc,
    struct op_ctx *ctx, struct sigv4_auth *auth, struct awserr *e)
{
	struct sigv4_header h[ROUTE_SIGV4_HEADERS_MAX];
	struct sigv4_request sr;
	const struct cfg_credential *cred;
	size_t i, n = 0;

	for (i = 0; i < req->nheaders && n < ROUTE_SIGV4_HEADERS_MAX; i++) {
		h[n].name = req->headers[i].name;
		h[n++].value = req->headers[i].value;
	}
	sr.method = req->method;
	sr.path = req->path;
	sr.query = req->query;
	sr.headers = h;
	sr.nheaders = n;
	sr.body = (const unsigned char *)req->body;
	sr.body_len = req->body_len;

	ctx->account = route_cfg->default_account;
	ctx->region = route_cfg->region;
	ctx->access_key = "";
	if (sigv4_parse(&sr, auth, e) != 0) {
		if (route_cfg->strict_auth && !(sc->anonymous &&
		    strcmp(e->code, "MissingAuthenticationToken") == 0))
			return -1;
		/* EMU: like the other emulators, a request without usable
		 * SigV4 data is served as the default account and region. */
		awserr_init(e);
		return 0;
	}
	ctx->access_key = auth->access_key;
	ctx->account = cfg_account_for_key(route_cfg, auth->access_key);
	/* Any region sesbox can partition by, in both modes; the service
	 * only when verifying (lenient mode takes any signature). */
	if (sigv4_check_scope(auth, NULL, sc->services,
	    route_cfg->strict_auth ? sc->nservices : 0, e) != 0)
		return -1;
	ctx->region = auth->region;
	if (!route_cfg->strict_auth)
		return 0;
	if ((cred = cfg_credential_find(route_cfg, auth->access_key)) ==
	    NULL) {
		sigv4_error_unknown_key(e);
		return -1;
	}
	return sigv4_verify(&sr, auth, cred->secret_key, wire_now_ms(), e);
}

/*
 * Runs op inside one transaction; the caller acknowledges only on 0, and
 * only after the commit when it sets resp->pending.
 */
static int
route_run(const struct route_request *req, struct route_response *resp,
    struct op_ctx *ctx, const struct model_op *op, const json_t *in,
    json_t **out, struct awserr *e)
{
	int writes = op_writes(op), rc, end;

	*out = NULL;
	ctx->v2 = op->service->rest;
	if (op_handler(op) == NULL)
		return op_call(ctx, op, in, out, e);
	ctx->store = writes ? store_write_begin() : store_get();
	if (ctx->store == NULL || (!writes && store_begin(ctx->store) != 0)) {
		awserr_set(e, "InternalFailure", "the store is unavailable");
		return -1;
	}
	rc = op_call(ctx, op, in, out, e);
	if (writes) {
		end = store_write_end_async(ctx->store, rc == 0, req->commit_fn,
		    req->commit_arg);
		if (end == 1)
			resp->pending = 1;
		else if (end != 0 && rc == 0) {
			awserr_set(e, "InternalFailure", "the transaction did "
			    "not commit");
			rc = -1;
		}
	} else if (rc != 0) {
		store_rollback(ctx->store);
	} else if (store_commit(ctx->store) != 0) {
		store_rollback(ctx->store);
		awserr_set(e, "InternalFailure", "the transaction did not "
		    "commit");
		rc = -1;
	}
	if (rc != 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static void
route_ctx_init(const struct route_request *req, struct op_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = route_cfg;
	ctx->request_id = req->request_id;
	ctx->source_ip = req->source_ip;
	ctx->now_ms = tclock_now_ms();
}

/*
 * What both API doors do first: the HTTP layer's refusal if any, then the
 * caller's identity. Returns 0 with ctx ready, or -1 with e set.
 */
static int
route_begin(const struct route_request *req, struct route_response *resp,
    const struct route_scope *sc, struct route_call *c, struct awserr *e)
{
	awserr_init(e);
	route_ctx_init(req, &c->ctx);
	/* Before auth: a dropped body cannot match its signature. */
	if (req->reject != NULL) {
		*e = *req->reject;
		return -1;
	}
	if (route_auth(req, sc, &c->ctx, &c->auth, e) != 0)
		return -1;
	snprintf(resp->account, sizeof(resp->account), "%s", c->ctx.account);
	snprintf(resp->region, sizeof(resp->region), "%s", c->ctx.region);
	return 0;
}

void
route_commit_failed(struct route_response *resp, const char *request_id)
{
	struct route_request req = { .request_id = request_id };
	struct awserr e;

	route_response_fini(resp);
	resp->pending = 0;
	awserr_set(&e, "InternalFailure", "the transaction did not commit");
	if (resp->door == ROUTE_DOOR_V1)
		route_v1_error(&req, resp, &e);
	else if (resp->door == ROUTE_DOOR_SNS)
		route_query_error(model_sns(), &req, resp, &e);
	else
		route_v2_error(&req, resp, &e);
	route_header(resp, "x-amzn-RequestId", request_id);
}

/* ---- Query: SES v1 and SNS ---- */

/*
 * One Query door: svc's operations, signed for sc's services; p holds the
 * parameters, perr why they did not parse (checked after the caller's
 * identity, like the rest of the input).
 */
static void
route_query_door(const struct model_service *svc,
    const struct route_scope *sc, const struct route_request *req,
    struct route_response *resp, struct qry_params *p,
    const struct awserr *perr)
{
	const struct model_op *op = NULL;
	struct route_call c;
	struct awserr e;
	json_t *in = NULL, *out = NULL;

	if (route_begin(req, resp, sc, &c, &e) != 0)
		goto fail;
	if (awserr_isset(perr)) {
		e = *perr;
		goto fail;
	}
	if (qry_decode(svc, p, &op, &in, &e) != 0) {
		if (op != NULL)
			resp->op = op->name;
		goto fail;
	}
	resp->op = op->name;
	if (route_run(req, resp, &c.ctx, op, in, &out, &e) != 0)
		goto fail;
	resp->status = 200;
	resp->content_type = "text/xml";
	resp->body = qry_encode(op, out, req->request_id, &resp->body_len);
	goto done;
fail:
	route_query_error(svc, req, resp, &e);
done:
	json_decref(in);
	json_decref(out);
}

/* Non-zero when req carries SigV4 data (header or presigned query). */
static int
route_signed(const struct route_request *req, const char **credential)
{
	size_t i;

	*credential = NULL;
	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, "Authorization") == 0) {
			*credential = req->headers[i].value;
			return 1;
		}
	if (req->query != NULL && (*credential = strstr(req->query,
	    "X-Amz-Credential=")) != NULL)
		return 1;
	return 0;
}

/*
 * Whether a request to / is for SNS: signed with an "sns" credential
 * scope, or unsigned and naming an action SNS has and SES v1 does not
 * (SNS's SubscribeURL and UnsubscribeURL links are unsigned GETs).
 */
static int
route_query_is_sns(const struct route_request *req, struct qry_params *p)
{
	const char *cred, *action;

	if (route_signed(req, &cred))
		return cred != NULL && (strstr(cred, "/sns/aws4_request") !=
		    NULL || strcasestr(cred, "%2Fsns%2Faws4_request") != NULL);
	action = qry_params_get(p, "Action");
	return action != NULL && model_op_find(model_ses(), action) == NULL &&
	    model_op_find(model_sns(), action) != NULL;
}

static void
route_query(const struct route_request *req, struct route_response *resp)
{
	static const struct route_scope ses = { route_services,
	    sizeof(route_services) / sizeof(route_services[0]), 0 };
	struct route_scope sns = { route_sns_services,
	    sizeof(route_sns_services) / sizeof(route_sns_services[0]), 0 };
	struct qry_params *p = qry_params_new();
	const char *action;
	struct awserr perr;
	int rc = 0;

	/* Not when the HTTP layer refused it: route_begin answers that. */
	awserr_init(&perr);
	if (req->reject == NULL && req->query != NULL)
		rc = qry_params_add(p, req->query, strlen(req->query), &perr);
	if (req->reject == NULL && rc == 0 && req->body_len > 0)
		rc = qry_params_add(p, req->body, req->body_len, &perr);
	if (route_query_is_sns(req, p)) {
		resp->door = ROUTE_DOOR_SNS;
		/* AWS: SNS takes the links it mails (ConfirmSubscription,
		 * Unsubscribe) unsigned (SNS API reference). */
		action = qry_params_get(p, "Action");
		sns.anonymous = action != NULL &&
		    (strcmp(action, "ConfirmSubscription") == 0 ||
		    strcmp(action, "Unsubscribe") == 0);
		route_query_door(model_sns(), &sns, req, resp, p, &perr);
	} else {
		resp->door = ROUTE_DOOR_V1;
		route_query_door(model_ses(), &ses, req, resp, p, &perr);
	}
	qry_params_free(p);
}

/* ---- v2: REST-JSON ---- */

static void
route_v2(const struct route_request *req, struct route_response *resp)
{
	static const struct route_scope v2 = { route_services,
	    sizeof(route_services) / sizeof(route_services[0]), 0 };
	const struct model_op *op;
	struct rest_match m = { .n = 0 };
	struct route_call c;
	struct rest_out r;
	struct awserr e;
	json_t *in = NULL, *out = NULL;

	resp->door = ROUTE_DOOR_V2;
	if (route_begin(req, resp, &v2, &c, &e) != 0)
		goto fail;
	if ((op = rest_route(model_sesv2(), req->method, req->path, &m, &e)) ==
	    NULL)
		goto fail;
	resp->op = op->name;
	if (rest_decode(op, &m, req->query, req->headers, req->nheaders,
	    req->body, req->body_len, &in, &e) != 0 ||
	    route_run(req, resp, &c.ctx, op, in, &out, &e) != 0)
		goto fail;
	rest_encode(op, out, &r);
	route_take_rest(resp, &r);
	goto done;
fail:
	route_v2_error(req, resp, &e);
done:
	rest_match_fini(&m);
	json_decref(in);
	json_decref(out);
}

void
route_handle(const struct route_request *req, struct route_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->op = "-";
	snprintf(resp->account, sizeof(resp->account), "-");
	snprintf(resp->region, sizeof(resp->region), "-");
	if (strncmp(req->path, INSPECT_PREFIX, strlen(INSPECT_PREFIX)) == 0)
		inspect_handle(req, resp);
	else if (strcmp(req->path, CAPTURE_LOCALSTACK_PATH) == 0)
		/* EMU: LocalStack's /_aws/ses, so its users' suites run. */
		capture_localstack(req, resp);
	else if (strncmp(req->path, "/v2/", 4) == 0)
		route_v2(req, resp);
	else if (strcmp(req->path, "/") == 0 && ui_wants(req))
		/* EMU: SES answers a bare GET / with an error; a browser
		 * gets sesbox's web UI (no SDK sends such a request). */
		ui_index(req, resp);
	else if (strcmp(req->path, "/") == 0)
		route_query(req, resp);
	else {
		struct awserr e;

		/* AWS: unknown paths answer 404 UnknownOperationException. */
		awserr_set(&e, "UnknownOperationException", "%s %s is not an "
		    "SES operation", req->method, req->path);
		route_v2_error(req, resp, &e);
	}
	/* AWS: every response names its request (x-amzn-RequestId). */
	route_header(resp, "x-amzn-RequestId", req->request_id);
}
