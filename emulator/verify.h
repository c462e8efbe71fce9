/*
 * verify — verification emails and their links.
 *
 * Builds the mail SES sends to prove an address is its owner's (the
 * standard "Email Address Verification Request" and custom-template
 * emails), captures it in the message store with a one-use link back to
 * sesbox, and decides what opening that link does: verify the identity
 * (creating it for custom templates) or, after 24 hours by the test clock,
 * fail it. It does not choose when to send (the operations do) nor render
 * HTTP (the inspection API does).
 */
#ifndef VERIFY_H
#define VERIFY_H

#include "msgid.h"
#include "op.h"
#include "store.h"
#include "store_cvt.h"

#define VERIFY_PATH "/_sesbox/verify"
#define VERIFY_LINK_TTL_MS (24LL * 3600 * 1000)

/*
 * Captures the standard verification email for address (a Pending email
 * identity) with a new link. Sets id (MessageId). Returns 0 or -1 with e.
 */
int verify_send_standard(struct op_ctx *ctx, const char *address,
    char id[MSGID_BYTES], struct awserr *e)
    __attribute__((warn_unused_result));
/* Same with a custom verification template t (borrowed). */
int verify_send_custom(struct op_ctx *ctx, const char *address,
    const struct store_cvt *t, char id[MSGID_BYTES], struct awserr *e)
    __attribute__((warn_unused_result));

enum verify_result {
	VERIFY_VERIFIED,	/* the identity is now Success */
	VERIFY_EXPIRED,		/* too late: the identity is Failed */
	VERIFY_UNKNOWN,		/* no such link (used, deleted, made up) */
};

struct verify_outcome {
	enum verify_result result;
	char identity[320];
	char redirect[2048];	/* custom templates: where to send the user */
};

/*
 * Opens the link with token at now_ms inside the caller's write
 * transaction. Returns 0 with out filled, -1 on a store error.
 */
int verify_open(struct store *s, const char *token, int64_t now_ms,
    struct verify_outcome *out) __attribute__((warn_unused_result));

#endif
