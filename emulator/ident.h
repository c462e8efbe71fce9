/*
 * ident — the identity core the identity, policy, template and (later)
 * sending operations share: naming (identity by name or ARN), loading a
 * row with the standard errors, and ARNs. v1 and v2 handlers call these so
 * both APIs see the same identities. It renders nothing and knows no wire
 * format.
 */
#ifndef IDENT_H
#define IDENT_H

#include "op.h"
#include "store_identity.h"

#define IDENT_ARN_MAX_BYTES 512

/*
 * The identity name an API argument denotes: the argument itself, or the
 * part after "identity/" when it is an SES identity ARN
 * ("arn:aws:ses:REGION:ACCOUNT:identity/NAME"). Borrowed from arg.
 */
const char *ident_name(const char *arg);

/*
 * Loads the identity arg denotes (name or ARN) into id. Returns 0 when
 * found (release with store_identity_fini), 1 when not found (id empty,
 * e untouched), -1 with e set on a store error.
 */
int ident_load(struct op_ctx *ctx, const char *arg, struct store_identity *id,
    struct awserr *e) __attribute__((warn_unused_result));

/* Writes "arn:aws:ses:REGION:ACCOUNT:identity/NAME" into out. */
void ident_arn(const struct op_ctx *ctx, const char *name,
    char out[IDENT_ARN_MAX_BYTES]);

#endif
