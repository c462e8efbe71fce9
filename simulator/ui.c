/*
 * ui — the web UI's page and assets (see ui.h).
 */
#include "ui.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "embed.h"
#include "xmem.h"

#define UI_DIR "simulator/ui/"
#define UI_FILE_MAX_BYTES 128

/* Content types by file extension. */
static const struct {
	const char *ext;
	const char *type;
} ui_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
};

static const char *
ui_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	for (i = 0; dot != NULL && i < sizeof(ui_types) / sizeof(ui_types[0]);
	    i++)
		if (strcmp(dot, ui_types[i].ext) == 0)
			return ui_types[i].type;
	return "application/octet-stream";
}

/* Answers embedded file name (under simulator/ui/), or 404. */
static void
ui_file(struct route_response *resp, const char *name)
{
	char path[UI_FILE_MAX_BYTES];
	const struct embed_file *f;

	if (snprintf(path, sizeof(path), UI_DIR "%s", name) >=
	    (int)sizeof(path) || (f = embed_find(path)) == NULL) {
		inspect_error(resp, 404, "NotFound", "no such UI file");
		return;
	}
	resp->status = 200;
	resp->content_type = ui_type(path);
	resp->body = xmalloc(f->len + 1);
	memcpy(resp->body, f->data, f->len + 1);
	resp->body_len = f->len;
	route_header(resp, "Content-Security-Policy", UI_CSP);
	route_header(resp, "X-Content-Type-Options", "nosniff");
	route_header(resp, "X-Frame-Options", "DENY");
	route_header(resp, "Referrer-Policy", "no-referrer");
	/* The assets change with the binary: revalidate, never go stale. */
	route_header(resp, "Cache-Control", "no-cache");
}

int
ui_wants(const struct route_request *req)
{
	size_t i;

	if ((strcmp(req->method, "GET") != 0 && strcmp(req->method,
	    "HEAD") != 0) || (req->query != NULL && req->query[0] != '\0') ||
	    req->body_len > 0 || req->reject != NULL)
		return 0;
	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, "Authorization") == 0)
			return 0;
	return 1;
}

void
ui_index(const struct route_request *req, struct route_response *resp)
{
	(void)req;
	resp->op = "ui";
	ui_file(resp, "index.html");
}

/* GET /_sesbox/ui/{file}. */
static void
ui_asset(const struct route_request *req, struct route_response *resp)
{
	const char *name = req->path + strlen(UI_PATH "/");

	if (strchr(name, '/') != NULL) {
		inspect_error(resp, 404, "NotFound", "no such UI file");
		return;
	}
	ui_file(resp, name);
}

static const char *const ui_get[] = { "GET", "HEAD", NULL };

const struct inspect_route ui_routes[] = {
	{ UI_PATH, ui_get, ui_index, 0 },
	{ UI_PATH "/", ui_get, ui_index, 0 },
	{ UI_PATH "/", ui_get, ui_asset, 1 },
};
const size_t ui_nroutes = sizeof(ui_routes) / sizeof(ui_routes[0]);
