/*
 * ident — the identity core the identity, policy, template and (later)
 * sending operations share: naming (identity by name or ARN), loading a
 * row with the standard errors, and ARNs. v1 and v2 handlers call these so
 * both APIs see the same identities. It renders nothing and knows no wire
 * format.
 */
#ifndef IDENT_H
#define IDENT_H

#include <jansson.h>

#include "op.h"
#include "store_identity.h"

#define IDENT_ARN_MAX_BYTES 512
#define IDENT_NAME_MAX_BYTES 512

/*
 * The identity name an API argument denotes: the argument itself, or the
 * part after "identity/" when it is an SES identity ARN
 * ("arn:aws:ses:REGION:ACCOUNT:identity/NAME"). Borrowed from arg.
 */
const char *ident_name(const char *arg);

/*
 * The stored name of the identity arg denotes, into out: ident_name(arg),
 * with a domain lower-cased. AWS: an email address is case-sensitive, a
 * domain is not (SES developer guide, "Verifying email addresses").
 * Returns out.
 */
const char *ident_canonical(const char *arg, char out[IDENT_NAME_MAX_BYTES]);

/*
 * Loads the identity arg denotes (name or ARN) into id. Returns 0 when
 * found (release with store_identity_fini), 1 when not found (id empty,
 * e untouched), -1 with e set on a store error. In dns mode, what is
 * pending is looked up first and the row written back when it verified
 * (so callers run in a write transaction); a pending verification past its
 * time shows as Failed.
 */
int ident_load(struct op_ctx *ctx, const char *arg, struct store_identity *id,
    struct awserr *e) __attribute__((warn_unused_result));

/* Writes "arn:aws:ses:REGION:ACCOUNT:identity/NAME" into out. */
void ident_arn(const struct op_ctx *ctx, const char *name,
    char out[IDENT_ARN_MAX_BYTES]);

/* AWS: 10,000 identities per region (SES-REFERENCE §7). */
#define IDENT_MAX_PER_REGION 10000
#define IDENT_EMAIL_LINK_TTL_MS (24LL * 3600 * 1000)
#define IDENT_DOMAIN_TTL_MS (72LL * 3600 * 1000)

/*
 * v2 casing of a v1 status word: "Success" -> "SUCCESS", "NotStarted" ->
 * "NOT_STARTED" (new JSON string). NULL gives NULL.
 */
json_t *ident_status_v2(const char *v1);

/*
 * Loads identity arg, or sets e to "not found" in the caller's API (v1
 * MessageRejected "Identity X is not verified or does not exist.", v2
 * NotFoundException). Returns 0 when loaded, -1 with e set.
 */
int ident_require(struct op_ctx *ctx, const char *arg,
    struct store_identity *id, struct awserr *e)
    __attribute__((warn_unused_result));

/*
 * Creates the email or domain identity name (validated; e.g. "Invalid
 * email address<x>.") or, when it exists, loads it; *created says which.
 * A new identity starts Pending or Success per the verification mode
 * (auto: Success; link: addresses Pending; dns: domains Pending); a domain
 * gets a verification token. The row is written. Returns 0 or -1 with e.
 */
int ident_create(struct op_ctx *ctx, const char *name, int *created,
    struct store_identity *id, struct awserr *e)
    __attribute__((warn_unused_result));

/*
 * Sets up Easy DKIM on a domain identity: three tokens (kept when it has
 * them), a new RSA key of bits, origin AWS_SES, signing on, status per the
 * verification mode. Changes id only (the caller writes it).
 */
void ident_easy_dkim(struct op_ctx *ctx, struct store_identity *id,
    int bits);

/*
 * The status a new verification starts in under the configured mode, for
 * something verified by DNS (domain: domains, DKIM, MAIL FROM) or by a
 * link (addresses): "Pending" when the mode waits for it, else "Success".
 * The one place the verification mode is read.
 */
const char *ident_initial_status(const struct op_ctx *ctx, int domain);

/* Writes id back; -1 with e set (InternalFailure) on a store error. */
int ident_save(struct op_ctx *ctx, const struct store_identity *id,
    struct awserr *e) __attribute__((warn_unused_result));

/*
 * 1 when address may send as the caller: a verified address identity, the
 * same address without a "+label", or an address under a verified domain
 * or one of its parents. 0 when not, -1 with e set on a store error.
 */
int ident_sender_verified(struct op_ctx *ctx, const char *address,
    struct awserr *e) __attribute__((warn_unused_result));

/* Non-zero when id may be used to send (verified, or its DKIM is). */
int ident_verified_for_sending(const struct store_identity *id);

#endif
