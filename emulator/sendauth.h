/*
 * sendauth — sending authorization: may the caller send as an identity it
 * names by ARN (v1 SourceArn/FromArn/ReturnPathArn, v2
 * FromEmailAddressIdentityArn/FeedbackForwardingEmailAddressIdentityArn,
 * the X-SES-*-ARN headers of a raw message)? The identity may belong to
 * another account; its sending-authorization policies decide, by IAM's
 * evaluation logic (an explicit Deny wins, then an Allow, else the
 * implicit deny), with the SES condition keys.
 *
 * It evaluates exactly the grammar op_policy accepts. It does not choose
 * which ARN applies to which address, parse messages, or check quotas,
 * recipients or the sandbox: the send path does, and calls this once per
 * ARN it was given.
 */
#ifndef SENDAUTH_H
#define SENDAUTH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "awserr.h"
#include "op.h"

/* AWS: the sending actions a policy grants (DG:sending-authorization-
 * policy-examples); v2 SendEmail and SendBulkEmail are ses:SendEmail. */
#define SENDAUTH_ACTION_SEND "ses:SendEmail"
#define SENDAUTH_ACTION_RAW "ses:SendRawEmail"
#define SENDAUTH_ACTION_TEMPLATED "ses:SendTemplatedEmail"
#define SENDAUTH_ACTION_BULK "ses:SendBulkTemplatedEmail"

/* All strings borrowed for the duration of the call. */
struct sendauth_request {
	const char *caller_account;	/* ctx->account */
	const char *action;		/* one of SENDAUTH_ACTION_* */
	const char *identity_arn;	/* as given */
	const char *from_address;	/* bare: ses:FromAddress */
	const char *from_display;	/* ses:FromDisplayName, or NULL */
	const char *const *recipients;	/* bare: ses:Recipients */
	size_t nrecipients;
	const char *feedback_address;	/* ses:FeedbackAddress, or NULL */
	const char *api_version;	/* "2010-12-01" or "2019-09-27" */
	int64_t now_ms;			/* aws:CurrentTime, aws:EpochTime */
	/* Optional (NULL: not given). */
	const char *source_ip;		/* aws:SourceIp */
	/* The address that is sent as identity_arn and must belong to it:
	 * From for SourceArn/FromArn, the return path for ReturnPathArn.
	 * NULL means from_address; "" skips the check. */
	const char *address;
};

/*
 * Decides whether the caller may send as r->identity_arn. The identity is
 * loaded in the ARN's account (and ctx's region: AWS serves an identity
 * only at the endpoint of the region it was verified in; "*" stands for
 * it) together with its policies. The owner needs no policy, though an
 * explicit Deny in one binds it too. Returns 0 when allowed; -1 with e set
 * to SES's error otherwise:
 *   - malformed ARN: InvalidParameterValue / BadRequestException;
 *   - not authorized (no policy allows, one denies, the identity is not
 *     there to hold one, or it is in another region): AccessDenied /
 *     AccessDeniedException "User `arn:aws:iam::CALLER:root' is not
 *     authorized to perform `ses:SendEmail' on resource `ARN'";
 *   - identity not verified, or r's address not under it: MessageRejected
 *     "Email address is not verified. The following identities failed the
 *     check in region REGION: ADDRESS";
 *   - InternalFailure on a store error.
 * Runs inside the request's (write) transaction.
 */
int sendauth_check(struct op_ctx *ctx, const struct sendauth_request *r,
    struct awserr *e) __attribute__((warn_unused_result));

/*
 * Pure evaluation: policies is an array of policy documents (JSON objects,
 * borrowed), r the request; the resource is r->identity_arn. Returns 1
 * allow, 0 deny (explicit or implicit). *why (may be NULL) names the
 * deciding statement: its Sid (borrowed from policies), or a static text
 * ("identity owner", "unnamed Deny statement", "no statement allows", ...).
 */
int sendauth_evaluate(const json_t *policies,
    const struct sendauth_request *r, const char **why);

/*
 * Sets e to the not-authorized error for r (the caller's root user, the
 * action, and the resource r->identity_arn) in the v1 or v2 shape.
 */
void sendauth_error_denied(const struct sendauth_request *r, int v2,
    struct awserr *e);

/*
 * Splits "arn:aws:ses:REGION:ACCOUNT:identity/NAME" into its parts (into
 * the caller's buffers, sized as IDENT_*_MAX_BYTES or more). Returns 0, or
 * -1 when arn is not an SES identity ARN.
 */
int sendauth_arn_parse(const char *arn, char *region, size_t regionlen,
    char *account, size_t accountlen, char *name, size_t namelen);

#endif
