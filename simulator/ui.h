/*
 * ui — serves sesbox's web UI: the page at GET / (for a browser: no query,
 * no body, no signature, so SES v1 and SNS requests to / keep their door)
 * and its assets under /_sesbox/ui/, all embedded at build time from
 * simulator/ui/ (embed.h). Every answer carries a strict
 * Content-Security-Policy: scripts and styles from the UI's own files only.
 *
 * It has no state and reads nothing at run time; the UI's data comes from
 * the inspection API (inspect, sesview), not from here.
 */
#ifndef UI_H
#define UI_H

#include <stddef.h>

#include "inspect.h"
#include "route.h"

#define UI_PATH "/_sesbox/ui"

/* The Content-Security-Policy of every UI answer. */
#define UI_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; connect-src 'self'; frame-src 'self'; " \
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/* This module's route table (for inspect_tables[]). */
extern const struct inspect_route ui_routes[];
extern const size_t ui_nroutes;

/* Non-zero when req, a request for /, is a browser's for the UI page. */
int ui_wants(const struct route_request *req);
/* Answers the UI page (index.html). */
void ui_index(const struct route_request *req, struct route_response *resp);

#endif
