/*
 * qry — the SES v1 Query protocol codec (2010-12-01).
 *
 * Decodes form parameters (body and query string: "X.member.N",
 * "X.entry.N.key/value", nested structures, booleans, numbers, timestamps,
 * base64 blobs) into one json_t shaped like the operation's input, checks it
 * with valid_input, and renders results and errors as SES's XML. It never
 * sees HTTP, SigV4 or the store; the operations never see XML.
 *
 * Decoded values: strings and enums are JSON strings; integers and longs
 * JSON integers; floats and doubles JSON reals; booleans JSON booleans;
 * timestamps JSON integers in ms since the epoch; blobs JSON strings holding
 * the decoded bytes (use json_string_length). Encoding reads the same forms
 * (a timestamp may also be a JSON real in seconds or an ISO-8601 string).
 */
#ifndef QRY_H
#define QRY_H

#include <jansson.h>
#include <stddef.h>

#include "awserr.h"
#include "model.h"

#define QRY_PARAMS_MAX 20000
#define QRY_NAME_MAX_BYTES 512

struct qry_params;

/* New, empty parameter set. */
struct qry_params *qry_params_new(void);
void qry_params_free(struct qry_params *p);
/*
 * Parses an application/x-www-form-urlencoded string (s, n bytes; copied) and
 * adds its parameters. Returns 0, or -1 with e set (malformed escape,
 * invalid UTF-8, too many parameters).
 */
int qry_params_add(struct qry_params *p, const char *s, size_t n,
    struct awserr *e) __attribute__((warn_unused_result));
/* Value of the first parameter called name (borrowed), or NULL. */
const char *qry_params_get(struct qry_params *p, const char *name);

/*
 * Resolves the Action to an operation of svc and decodes and validates its
 * input. On success returns 0, *op set and *in new (an empty object when the
 * operation takes no input). Else -1 with e set: MissingAction,
 * InvalidAction, ValidationError, ...
 */
int qry_decode(const struct model_service *svc, struct qry_params *p,
    const struct model_op **op, json_t **in, struct awserr *e)
    __attribute__((warn_unused_result));

/*
 * Decodes the members of shape (NULL: none) found in p into *in (new; an
 * empty object when none), without validating or checking for unknown
 * parameters. Returns 0, or -1 with e set (a value of the wrong type).
 */
int qry_decode_input(const struct model_shape *shape, struct qry_params *p,
    json_t **in, struct awserr *e) __attribute__((warn_unused_result));

/*
 * Renders <OpResponse xmlns=...><OpResult>...</OpResult><ResponseMetadata>
 * for out (borrowed; may be NULL). Returns a new string, length in *len.
 */
char *qry_encode(const struct model_op *op, const json_t *out,
    const char *request_id, size_t *len);

/*
 * Renders SES's <ErrorResponse> for e and sets *status. Returns a new
 * string, length in *len.
 */
char *qry_error(const struct model_service *svc, const struct awserr *e,
    const char *request_id, int *status, size_t *len);

#endif
