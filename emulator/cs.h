/*
 * cs — the configuration-set core the v1 and v2 operations (op_cs) and the
 * send path share: names and their checks, ARNs, loading a set with each
 * API's "does not exist" error, and the check a send makes. It renders
 * nothing, knows no wire format and does not publish events.
 */
#ifndef CS_H
#define CS_H

#include "op.h"
#include "store_cs.h"

/* AWS: "Contain 64 characters or fewer", letters, digits, '_' and '-'
 * (BC-SES ConfigurationSet.Name docs); 10,000 sets per region
 * (SES-REFERENCE §7, DG:quotas). */
#define CS_NAME_MAX_BYTES 64
#define CS_MAX_PER_REGION 10000
#define CS_ARN_MAX_BYTES 512

/* Writes "arn:aws:ses:REGION:ACCOUNT:configuration-set/NAME" into out. */
void cs_arn(const struct op_ctx *ctx, const char *name,
    char out[CS_ARN_MAX_BYTES]);

/*
 * Checks name's syntax. Returns 0, or -1 with e set: an empty name is v1
 * InvalidParameterValue; a long one or one with other characters is
 * v1_code (InvalidConfigurationSet on create, InvalidParameterValue on a
 * send); v2 answers BadRequestException for all three.
 */
int cs_name_check(const struct op_ctx *ctx, const char *name,
    const char *v1_code, struct awserr *e)
    __attribute__((warn_unused_result));

/*
 * Loads set name into out. Returns 0 (release with store_cs_fini), or -1
 * with e set: v1 ConfigurationSetDoesNotExist / v2 NotFoundException
 * "Configuration set <NAME> does not exist.", InternalFailure on a store
 * error (out is zeroed either way).
 */
int cs_load(struct op_ctx *ctx, const char *name, struct store_cs *out,
    struct awserr *e) __attribute__((warn_unused_result));

/*
 * For the send path: checks the configuration set `name` a send in ctx's
 * account and region names. Returns 0 when it exists and its sending is
 * enabled; -1 with e set to the API's error otherwise:
 *   bad name: v1 InvalidParameterValue / v2 BadRequestException
 *     "Invalid configuration set name<NAME>: only alphanumeric ASCII
 *     characters, '_', and '-' are allowed.";
 *   missing: v1 ConfigurationSetDoesNotExist / v2 NotFoundException
 *     "Configuration set <NAME> does not exist.";
 *   paused: v1 ConfigurationSetSendingPausedException / v2
 *     SendingPausedException "Sending is paused for configuration set
 *     <NAME>." (EMU text, see cs.c);
 *   InternalFailure on a store error.
 * Reads only; fine inside a read or a write transaction.
 */
int cs_check_send(struct op_ctx *ctx, const char *name, struct awserr *e)
    __attribute__((warn_unused_result));

#endif
