/*
 * evdest — the configuration-set event destination core that v1 and v2
 * share (op_evdest; op_cs for DescribeConfigurationSet's
 * eventDestinations), and the look-up the event dispatcher makes.
 *
 * One stored form for both APIs, in the v2 model's names (store_evdest):
 * this module translates v1 input and output to and from it, checks
 * destination names, matching event types and targets, and chooses each
 * API's error codes and texts. It does not publish events, render any wire
 * format, or know whether a target (an SNS topic, a delivery stream)
 * exists beyond the well-formedness of its ARN.
 */
#ifndef EVDEST_H
#define EVDEST_H

#include <jansson.h>

#include "op.h"
#include "store.h"

/* AWS: 10 destinations per set, names of 64 characters or fewer of
 * letters, digits, '_' and '-'; 10 CloudWatch dimensions per destination,
 * names and default values of 256 characters or fewer (DG:quotas; BC-SES
 * EventDestination.Name and CloudWatchDimensionConfiguration docs;
 * SES-REFERENCE §7). */
#define EVDEST_MAX_PER_SET 10
#define EVDEST_NAME_MAX_BYTES 64
#define EVDEST_DIMENSIONS_MAX 10
#define EVDEST_DIMENSION_MAX_BYTES 256

/* The event types a destination may match, in the v2 model's order. */
enum evdest_type {
	EVDEST_SEND,
	EVDEST_REJECT,
	EVDEST_BOUNCE,
	EVDEST_COMPLAINT,
	EVDEST_DELIVERY,
	EVDEST_OPEN,
	EVDEST_CLICK,
	EVDEST_RENDERING_FAILURE,
	EVDEST_DELIVERY_DELAY,		/* v2 only */
	EVDEST_SUBSCRIPTION,		/* v2 only */
	EVDEST_TYPE_COUNT
};

/* The v2 EventType value ("SEND", "RENDERING_FAILURE"; the stored form). */
const char *evdest_type_v2(enum evdest_type t);
/* The v1 EventType value ("send", "renderingFailure"), or NULL for a type
 * v1 lacks (DELIVERY_DELAY, SUBSCRIPTION). */
const char *evdest_type_v1(enum evdest_type t);
/* The eventType an event of type t carries ("Send", "Rendering Failure",
 * "DeliveryDelay"; SES-REFERENCE §4.6), as the event table stores it. */
const char *evdest_type_event(enum evdest_type t);
/* The type any of those three spellings names (exact case), or -1. */
int evdest_type_parse(const char *name);

/*
 * For the event dispatcher: the enabled destinations of configuration set
 * cs in (account, region) whose MatchingEventTypes include type. Returns a
 * new JSON array (empty when none, or when there is no such set) of v2
 * EventDestination objects as stored, in name order:
 *   {"Name": "n", "Enabled": true, "MatchingEventTypes": ["SEND", ...],
 *    "SnsDestination": {"TopicArn": "arn:aws:sns:..."}}
 * with exactly one of SnsDestination, KinesisFirehoseDestination,
 * CloudWatchDestination, EventBridgeDestination, PinpointDestination.
 * Returns NULL on a store error (logged by the store). Reads only; fine
 * inside a read or a write transaction on s.
 */
json_t *evdest_matching(struct store *s, const char *account,
    const char *region, const char *cs, enum evdest_type type);

/*
 * The operations. def is the API's definition (borrowed): v1
 * EventDestination, v2 EventDestinationDefinition, as decoded. Each
 * returns 0, or -1 with e set:
 *   set cs missing: v1 ConfigurationSetDoesNotExist / v2 NotFoundException
 *     "Configuration set <CS> does not exist.";
 *   destination missing (update, delete): v1 EventDestinationDoesNotExist
 *     / v2 NotFoundException "No EventDestination found for CS";
 *   name taken (create): v1 EventDestinationAlreadyExists / v2
 *     AlreadyExistsException;
 *   bad name, no event type, no target or more than one: v1
 *     InvalidParameterValue / v2 BadRequestException;
 *   bad target: v1 InvalidSNSDestination, InvalidFirehoseDestination or
 *     InvalidCloudWatchDestination / v2 BadRequestException;
 *   more than EVDEST_MAX_PER_SET (create): v1 LimitExceeded / v2
 *     LimitExceededException;
 *   InternalFailure on a store error.
 * A v1 update keeps the stored v2-only event types (v1 cannot name them).
 */
int evdest_create(struct op_ctx *ctx, const char *cs, const char *name,
    const json_t *def, struct awserr *e) __attribute__((warn_unused_result));
int evdest_update(struct op_ctx *ctx, const char *cs, const char *name,
    const json_t *def, struct awserr *e) __attribute__((warn_unused_result));
int evdest_delete(struct op_ctx *ctx, const char *cs, const char *name,
    struct awserr *e) __attribute__((warn_unused_result));

/*
 * Every destination of set cs, shaped for ctx's API: v1 EventDestination
 * objects (v1 names; v2-only event types and targets left out) or v2 ones.
 * Returns a new JSON array, or NULL with e set (set missing, as above;
 * InternalFailure).
 */
json_t *evdest_list(struct op_ctx *ctx, const char *cs, struct awserr *e);

#endif
