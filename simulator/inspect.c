/*
 * inspect — sesbox's own HTTP API under /_sesbox/ (see inspect.h).
 */
#include "inspect.h"

#include <jansson.h>
#include <string.h>

#include "log.h"
#include "model.h"
#include "op.h"
#include "store.h"
#include "version.h"

static const char *const inspect_methods_get[] = { "GET", "HEAD", NULL };
static const char *const inspect_methods_post[] = { "POST", NULL };

static void
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

static void
inspect_reset(const struct route_request *req, struct route_response *resp)
{
	struct store *s = store_get();

	if (s == NULL || store_begin(s, 1) != 0) {
		inspect_error(resp, 500, "InternalFailure", "the store is "
		    "unavailable");
		return;
	}
	if (store_reset(s) != 0 || store_commit(s) != 0) {
		store_rollback(s);
		inspect_error(resp, 500, "InternalFailure", "reset failed");
		return;
	}
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

static const struct {
	const char *path;
	const char *const *methods;
	void (*fn)(const struct route_request *, struct route_response *);
} inspect_routes[] = {
	{ "/_sesbox/health", inspect_methods_get, inspect_health },
	{ "/_sesbox/api/v1/reset", inspect_methods_post, inspect_reset },
	{ "/_sesbox/api/v1/operations", inspect_methods_get,
	    inspect_operations },
};

void
inspect_handle(const struct route_request *req, struct route_response *resp)
{
	const char *const *m;
	size_t i;

	for (i = 0; i < sizeof(inspect_routes) / sizeof(inspect_routes[0]);
	    i++) {
		if (strcmp(req->path, inspect_routes[i].path) != 0)
			continue;
		resp->op = inspect_routes[i].path;
		for (m = inspect_routes[i].methods; *m != NULL; m++)
			if (strcmp(*m, req->method) == 0) {
				inspect_routes[i].fn(req, resp);
				return;
			}
		inspect_error(resp, 405, "MethodNotAllowed", "this endpoint "
		    "does not take that method");
		route_header(resp, "Allow", inspect_routes[i].methods[0]);
		return;
	}
	inspect_error(resp, 404, "NotFound", "no such sesbox endpoint");
}
