/*
 * inspect — sesbox's own HTTP API under /_sesbox/: health, the test hooks
 * (reset, the test clock, the operation list), the verification links
 * mailed by sesbox, and SNS's side: the signing certificate, the delivery
 * attempts and their flush. Other modules add their route tables
 * (capture.c: the captured messages). Answers plain JSON (HTML for the
 * links); it is not an AWS API, so errors are {"code": ..., "message":
 * ...} with a fitting HTTP status.
 */
#ifndef INSPECT_H
#define INSPECT_H

#include <jansson.h>
#include <stddef.h>

#include "route.h"

#define INSPECT_PREFIX "/_sesbox/"
#define INSPECT_ACCOUNT_MAX_BYTES 32
#define INSPECT_REGION_MAX_BYTES 64

/*
 * One endpoint: the methods it takes (NULL-terminated) and its handler.
 * A '*' in path stands for one non-empty segment; of the routes matching
 * a request, the most literal wins (a whole path over a prefix, then the
 * longest), whichever table it is in.
 */
struct inspect_route {
	/* A segment "*" stands for any one segment (a message id...). */
	const char *path;
	const char *const *methods;
	void (*fn)(const struct route_request *, struct route_response *);
	int prefix;		/* path is a prefix: ".../{id}" */
};

/* Handles a request whose path starts with INSPECT_PREFIX. */
void inspect_handle(const struct route_request *req,
    struct route_response *resp);

/* For the modules serving endpoints under /_sesbox/: */

/* Copies the percent-decoded value of query parameter name into out.
 * Returns 0, or -1 when absent or malformed. */
int inspect_param(const char *query, const char *name, char *out, size_t n);
/* Answers {"code", "message"} with status. */
void inspect_error(struct route_response *resp, int status, const char *code,
    const char *message);
/* The body of req as a JSON object (new; an empty body is {}), or NULL
 * with the 400 answered. */
json_t *inspect_body(const struct route_request *req,
    struct route_response *resp);
/* The ?account=&region= of req, else the configured defaults. */
void inspect_scope(const struct route_request *req,
    char account[INSPECT_ACCOUNT_MAX_BYTES],
    char region[INSPECT_REGION_MAX_BYTES]);

#endif
