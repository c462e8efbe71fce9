/*
 * rest — the SES v2 REST-JSON protocol codec (2019-09-27).
 *
 * Routes method + path to an operation by its URI template (labels, greedy
 * labels; the most literal template wins), decodes path labels, query-string
 * members, header members and the JSON body into one json_t shaped like the
 * input (same value forms as qry.h describes), validates it, and renders
 * results (JSON body plus header and status-code bindings) and errors
 * ({"message": ...} with x-amzn-ErrorType). It never sees SigV4 or the store.
 */
#ifndef REST_H
#define REST_H

#include <jansson.h>
#include <stddef.h>

#include "awserr.h"
#include "model.h"
#include "wire.h"

#define REST_LABELS_MAX 8
#define REST_OUT_HEADERS_MAX 8
#define REST_PATH_SEGMENTS_MAX 32

/* Path label values captured by rest_route. */
struct rest_match {
	const struct model_member *members[REST_LABELS_MAX];
	char *values[REST_LABELS_MAX];	/* new, percent-decoded */
	size_t n;
};

struct rest_out {
	int status;
	char *body;			/* new */
	size_t body_len;
	struct wire_header headers[REST_OUT_HEADERS_MAX];	/* values new */
	size_t nheaders;
};

/*
 * Finds the operation of svc for method and the raw (percent-encoded) path.
 * Returns it with m filled (release with rest_match_fini), or NULL with e
 * set (UnknownOperationException, 404).
 */
const struct model_op *rest_route(const struct model_service *svc,
    const char *method, const char *path, struct rest_match *m,
    struct awserr *e);
void rest_match_fini(struct rest_match *m);

/*
 * Decodes and validates op's input from the matched labels, the raw query
 * string (may be NULL), the request headers and the body. Returns 0 with
 * *in new, or -1 with e set (BadRequestException).
 */
int rest_decode(const struct model_op *op, const struct rest_match *m,
    const char *query, const struct wire_header *headers, size_t nheaders,
    const char *body, size_t body_len, json_t **in, struct awserr *e)
    __attribute__((warn_unused_result));

/* Renders out (borrowed; may be NULL) for op into r. */
void rest_encode(const struct model_op *op, const json_t *out,
    struct rest_out *r);
/* Renders e into r: status, {"message": ...} and x-amzn-ErrorType. */
void rest_error(const struct model_service *svc, const struct awserr *e,
    struct rest_out *r);
/* Adds a header to r (value copied). */
void rest_out_header(struct rest_out *r, const char *name, const char *value);
void rest_out_fini(struct rest_out *r);

#endif
