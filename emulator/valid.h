/*
 * valid — checks a decoded operation input against its model shape.
 *
 * Reports the constraint violations SES reports, in Coral's words:
 * "2 validation errors detected: Value null at 'source' failed to satisfy
 * constraint: Member must not be null; ...". Covers required members, enum
 * values, string/blob/list/map lengths and numeric ranges. Types are the
 * decoders' business (a value of the wrong type never reaches here), and so
 * are business rules (those belong to the operations).
 */
#ifndef VALID_H
#define VALID_H

#include <jansson.h>

#include "awserr.h"
#include "model.h"

/* Violations listed in one message at most, as Coral does. */
#define VALID_ERRORS_MAX 10

/*
 * Checks in (borrowed) against shape. Returns 0 when valid; else -1 with e
 * set to code (v1 "ValidationError", v2 "BadRequestException") and the
 * message listing every violation found.
 */
int valid_input(const struct model_shape *shape, const json_t *in,
    const char *code, struct awserr *e) __attribute__((warn_unused_result));

/*
 * Writes into out the Coral path segment for a model member name: the name
 * with its first letter lower-cased ("ToAddresses" -> "toAddresses").
 */
void valid_member_path(char *out, size_t outlen, const char *prefix,
    const char *name);

#endif
