/*
 * cs — the configuration-set core (see cs.h).
 */
#include "cs.h"

#include <stdio.h>
#include <string.h>

void
cs_arn(const struct op_ctx *ctx, const char *name, char out[CS_ARN_MAX_BYTES])
{
	/* AWS: resource type "configuration-set" (IAM service authorization
	 * reference for SES). */
	snprintf(out, CS_ARN_MAX_BYTES,
	    "arn:aws:ses:%s:%s:configuration-set/%s", ctx->region,
	    ctx->account, name);
}

int
cs_name_check(const struct op_ctx *ctx, const char *name,
    const char *v1_code, struct awserr *e)
{
	const char *bad = ctx->v2 ? "BadRequestException" : v1_code;
	size_t n = strlen(name);

	/* AWS: an empty name answers InvalidParameterValue "The configuration
	 * set name must be specified." (aws-cloudformation/aws-cloudformation-
	 * resource-providers-ses#36, a real reply). */
	if (n == 0) {
		awserr_set(e, ctx->v2 ? "BadRequestException" :
		    "InvalidParameterValue", "The configuration set name must "
		    "be specified.");
		return -1;
	}
	/* EMU: SES's text for a long name was not captured; this one follows
	 * its tag message ("Tag name cannot exceed 255 characters.", LS-SES)
	 * as floci-io/floci does. The code is the model's
	 * InvalidConfigurationSet (v1 CreateConfigurationSet errors). */
	if (n > CS_NAME_MAX_BYTES) {
		awserr_set(e, bad, "Configuration set name cannot exceed %d "
		    "characters.", CS_NAME_MAX_BYTES);
		return -1;
	}
	/* AWS: "Invalid configuration set name<Não Responda>: only
	 * alphanumeric ASCII characters, '_', and '-' are allowed." (a real
	 * reply quoted in Innovt's MailNotificationHandler.cs; no space
	 * before '<', as in "Invalid email address<x>."). */
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-") != n) {
		awserr_set(e, bad, "Invalid configuration set name<%s>: only "
		    "alphanumeric ASCII characters, '_', and '-' are allowed.",
		    name);
		return -1;
	}
	return 0;
}

int
cs_load(struct op_ctx *ctx, const char *name, struct store_cs *out,
    struct awserr *e)
{
	int rc = store_cs_get(ctx->store, ctx->account, ctx->region, name,
	    out);

	if (rc < 0) {
		awserr_set(e, "InternalFailure", "cannot read configuration "
		    "sets");
		return -1;
	}
	/* AWS: v1 text from LS-SES (test_deleting_non_existent_configuration_
	 * set, recorded against SES). v2 answers NotFoundException; its text
	 * is taken to be v1's (floci-io/floci maps the one to the other). */
	if (rc == 1) {
		awserr_set(e, ctx->v2 ? "NotFoundException" :
		    "ConfigurationSetDoesNotExist", "Configuration set <%s> "
		    "does not exist.", name);
		return -1;
	}
	return 0;
}

int
cs_check_send(struct op_ctx *ctx, const char *name, struct awserr *e)
{
	struct store_cs c;
	int paused;

	if (cs_name_check(ctx, name, "InvalidParameterValue", e) != 0)
		return -1;
	if (cs_load(ctx, name, &c, e) != 0)
		return -1;
	paused = !c.sending_enabled;
	store_cs_fini(&c);
	/* AWS: the codes (BC-SES SendEmail errors; BC-V2 SendEmail errors,
	 * SES-REFERENCE §11). EMU: the text is not captured anywhere; it
	 * follows floci-io/floci#1193's. */
	if (paused) {
		awserr_set(e, ctx->v2 ? "SendingPausedException" :
		    "ConfigurationSetSendingPausedException", "Sending is "
		    "paused for configuration set <%s>.", name);
		return -1;
	}
	return 0;
}
