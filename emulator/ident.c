/*
 * ident — the identity core shared by the identity-related operations
 * (see ident.h).
 */
#include "ident.h"

#include <stdio.h>
#include <string.h>

const char *
ident_name(const char *arg)
{
	const char *p;

	/* AWS: operations taking an Identity accept "its name or its ARN"
	 * (BC-SES PutIdentityPolicy and friends). */
	if (strncmp(arg, "arn:", 4) == 0 &&
	    (p = strstr(arg, ":identity/")) != NULL)
		return p + strlen(":identity/");
	return arg;
}

int
ident_load(struct op_ctx *ctx, const char *arg, struct store_identity *id,
    struct awserr *e)
{
	int rc = store_identity_get(ctx->store, ctx->account, ctx->region,
	    ident_name(arg), id);

	if (rc < 0)
		awserr_set(e, "InternalFailure", "cannot read identities");
	return rc;
}

void
ident_arn(const struct op_ctx *ctx, const char *name,
    char out[IDENT_ARN_MAX_BYTES])
{
	snprintf(out, IDENT_ARN_MAX_BYTES, "arn:aws:ses:%s:%s:identity/%s",
	    ctx->region, ctx->account, name);
}
