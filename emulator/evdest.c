/*
 * evdest — the configuration-set event destination core (see evdest.h).
 */
#include "evdest.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cs.h"
#include "store_cs.h"
#include "sns.h"
#include "store_evdest.h"
#include "xmem.h"

#define EVDEST_ARN_PART_MAX_BYTES 64

/* AWS: the three spellings of each type: v2 and v1 EventType values (BC-V2,
 * BC-SES) and the eventType of the event (SES-REFERENCE §4.6). */
static const struct {
	const char *v2;
	const char *v1;		/* NULL: v1 has no such type */
	const char *event;
} evdest_types[EVDEST_TYPE_COUNT] = {
	[EVDEST_SEND] = { "SEND", "send", "Send" },
	[EVDEST_REJECT] = { "REJECT", "reject", "Reject" },
	[EVDEST_BOUNCE] = { "BOUNCE", "bounce", "Bounce" },
	[EVDEST_COMPLAINT] = { "COMPLAINT", "complaint", "Complaint" },
	[EVDEST_DELIVERY] = { "DELIVERY", "delivery", "Delivery" },
	[EVDEST_OPEN] = { "OPEN", "open", "Open" },
	[EVDEST_CLICK] = { "CLICK", "click", "Click" },
	[EVDEST_RENDERING_FAILURE] = { "RENDERING_FAILURE",
	    "renderingFailure", "Rendering Failure" },
	[EVDEST_DELIVERY_DELAY] = { "DELIVERY_DELAY", NULL, "DeliveryDelay" },
	[EVDEST_SUBSCRIPTION] = { "SUBSCRIPTION", NULL, "Subscription" },
};

/* v1 member names that v2 spells otherwise; every other name is shared. */
static const struct {
	const char *v1;
	const char *v2;
} evdest_keys[] = {
	{ "SNSDestination", "SnsDestination" },
	{ "TopicARN", "TopicArn" },
	{ "IAMRoleARN", "IamRoleArn" },
	{ "DeliveryStreamARN", "DeliveryStreamArn" },
};

/* DimensionValueSource values (BC-SES and BC-V2 DimensionValueSource). */
static const struct {
	const char *v1;
	const char *v2;
} evdest_sources[] = {
	{ "messageTag", "MESSAGE_TAG" },
	{ "emailHeader", "EMAIL_HEADER" },
	{ "linkTag", "LINK_TAG" },
};

typedef int (*evdest_check_fn)(struct op_ctx *ctx, const json_t *target,
    struct awserr *e);

static int evdest_check_sns(struct op_ctx *, const json_t *,
    struct awserr *);
static int evdest_check_firehose(struct op_ctx *, const json_t *,
    struct awserr *);
static int evdest_check_cloudwatch(struct op_ctx *, const json_t *,
    struct awserr *);
static int evdest_check_eventbridge(struct op_ctx *, const json_t *,
    struct awserr *);
static int evdest_check_pinpoint(struct op_ctx *, const json_t *,
    struct awserr *);

/* The targets a destination has exactly one of, by member name. */
static const struct {
	const char *v2;		/* v2 member, and the stored form's */
	const char *v1;		/* v1 member, NULL when v1 lacks it */
	evdest_check_fn check;	/* on the v2 form */
} evdest_targets[] = {
	{ "SnsDestination", "SNSDestination", evdest_check_sns },
	{ "KinesisFirehoseDestination", "KinesisFirehoseDestination",
	    evdest_check_firehose },
	{ "CloudWatchDestination", "CloudWatchDestination",
	    evdest_check_cloudwatch },
	{ "EventBridgeDestination", NULL, evdest_check_eventbridge },
	{ "PinpointDestination", NULL, evdest_check_pinpoint },
};

#define EVDEST_NTARGETS (sizeof(evdest_targets) / sizeof(evdest_targets[0]))

/* ---- event types ---- */

const char *
evdest_type_v2(enum evdest_type t)
{
	return evdest_types[t].v2;
}

const char *
evdest_type_v1(enum evdest_type t)
{
	return evdest_types[t].v1;
}

const char *
evdest_type_event(enum evdest_type t)
{
	return evdest_types[t].event;
}

int
evdest_type_parse(const char *name)
{
	int t;

	for (t = 0; t < EVDEST_TYPE_COUNT; t++)
		if (strcmp(name, evdest_types[t].v2) == 0 ||
		    (evdest_types[t].v1 != NULL &&
		    strcmp(name, evdest_types[t].v1) == 0) ||
		    strcmp(name, evdest_types[t].event) == 0)
			return t;
	return -1;
}

/* The type name (may be NULL) spells in one API (v2: v2 values only),
 * or -1. */
static int
evdest_type_find(const char *name, int v2)
{
	int t;

	if (name == NULL)
		return -1;
	for (t = 0; t < EVDEST_TYPE_COUNT; t++) {
		const char *s = v2 ? evdest_types[t].v2 : evdest_types[t].v1;

		if (s != NULL && strcmp(name, s) == 0)
			return t;
	}
	return -1;
}

/* ---- translating between the APIs ---- */

static const char *
evdest_key(const char *key, int to_v2)
{
	size_t i;

	for (i = 0; i < sizeof(evdest_keys) / sizeof(evdest_keys[0]); i++)
		if (strcmp(key, to_v2 ? evdest_keys[i].v1 :
		    evdest_keys[i].v2) == 0)
			return to_v2 ? evdest_keys[i].v2 : evdest_keys[i].v1;
	return key;
}

static const char *
evdest_source(const char *v, int to_v2)
{
	size_t i;

	for (i = 0; i < sizeof(evdest_sources) / sizeof(evdest_sources[0]);
	    i++)
		if (strcmp(v, to_v2 ? evdest_sources[i].v1 :
		    evdest_sources[i].v2) == 0)
			return to_v2 ? evdest_sources[i].v2 :
			    evdest_sources[i].v1;
	return v;
}

/*
 * A new copy of a target structure (v), its member names and
 * DimensionValueSource values translated to v2 (to_v2) or to v1.
 */
static json_t *
evdest_convert(const json_t *v, int to_v2)
{
	const char *key;
	json_t *out, *m;
	size_t i;

	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach((json_t *)v, key, m) {
			if (strcmp(key, "DimensionValueSource") == 0 &&
			    json_is_string(m))
				json_object_set_new(out, key, json_string(
				    evdest_source(json_string_value(m),
				    to_v2)));
			else
				json_object_set_new(out, evdest_key(key, to_v2),
				    evdest_convert(m, to_v2));
		}
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		for (i = 0; i < json_array_size(v); i++)
			json_array_append_new(out, evdest_convert(
			    json_array_get(v, i), to_v2));
		return out;
	}
	return json_deep_copy(v);
}

/* ---- checks ---- */

/* The code for a bad target: the v1 one given, BadRequestException in v2
 * (the only code the v2 model lists for bad input). */
static const char *
evdest_bad(const struct op_ctx *ctx, const char *v1_code)
{
	return ctx->v2 ? "BadRequestException" : v1_code;
}

/*
 * Checks name's syntax. AWS: the rules are BC-SES EventDestination.Name's.
 * EMU: SES's texts for a bad name are not captured; these follow its
 * configuration-set name texts (cs_name_check).
 */
static int
evdest_name_check(const struct op_ctx *ctx, const char *name,
    struct awserr *e)
{
	const char *code = op_err_code(ctx, OP_ERR_INVALID);
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0) {
		awserr_set(e, code, "The event destination name must be "
		    "specified.");
		return -1;
	}
	if (n > EVDEST_NAME_MAX_BYTES) {
		awserr_set(e, code, "Event destination name cannot exceed %d "
		    "characters.", EVDEST_NAME_MAX_BYTES);
		return -1;
	}
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-") != n) {
		awserr_set(e, code, "Invalid event destination name<%s>: only "
		    "alphanumeric ASCII characters, '_', and '-' are allowed.",
		    name);
		return -1;
	}
	return 0;
}

/*
 * Whether arn is "arn:PARTITION:service:REGION:ACCOUNT:RESOURCE" with an
 * AWS partition, a region (empty when !regional), a 12-digit account and
 * a resource; fills the parts given (region and account: at least
 * EVDEST_ARN_PART_MAX_BYTES; resource: borrowed from arn).
 */
static int
evdest_arn_ok(const char *arn, const char *service, int regional,
    char *region, char *account, const char **resource)
{
	const char *p = arn, *end;
	size_t n;

	if (strncmp(p, "arn:aws", 7) != 0)
		return 0;
	p += 7;
	if (*p == '-')				/* aws-cn, aws-us-gov, ... */
		p += 1 + strspn(p + 1, "abcdefghijklmnopqrstuvwxyz-");
	if (*p++ != ':')
		return 0;
	n = strlen(service);
	if (strncmp(p, service, n) != 0 || p[n] != ':')
		return 0;
	p += n + 1;
	n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-");
	if (p[n] != ':' || (regional ? n == 0 : n != 0) ||
	    n >= EVDEST_ARN_PART_MAX_BYTES)
		return 0;
	if (region != NULL) {
		memcpy(region, p, n);
		region[n] = '\0';
	}
	p += n + 1;
	if ((end = strchr(p, ':')) == NULL || end - p != 12 ||
	    strspn(p, "0123456789") != 12)
		return 0;
	if (account != NULL) {
		memcpy(account, p, 12);
		account[12] = '\0';
	}
	p = end + 1;
	if (*p == '\0')
		return 0;
	if (resource != NULL)
		*resource = p;
	return 1;
}

/* Whether s is 1..max characters, each a letter, a digit or in extra. */
static int
evdest_chars_ok(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr(extra, s[i]) ==
		    NULL)
			return 0;
	return 1;
}

/* Whether name is an SNS topic name: 1..256 letters, digits, '-' and '_',
 * a FIFO topic's ending in ".fifo" (SNS CreateTopic Name docs). */
static int
evdest_sns_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n > 5 && strcmp(name + n - 5, ".fifo") == 0)
		n -= 5;
	return n >= 1 && strlen(name) <= 256 && strspn(name, "abcdefghijklm"
	    "nopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

static int
evdest_check_sns(struct op_ctx *ctx, const json_t *t, struct awserr *e)
{
	const char *arn = json_string_value(json_object_get(t, "TopicArn"));
	const char *code = evdest_bad(ctx, "InvalidSNSDestination");
	const char *name;

	if (arn == NULL)
		arn = "";
	/* EMU: SES's text for a malformed ARN is not captured. */
	if (!evdest_arn_ok(arn, "sns", 1, NULL, NULL, &name) ||
	    !evdest_sns_name_ok(name)) {
		awserr_set(e, code, "Invalid SNS topic ARN <%s>: expected "
		    "arn:aws:sns:REGION:ACCOUNT:TOPIC_NAME.", arn);
		return -1;
	}
	/* AWS: "SNS topic <arn:aws:sns:...:topic> not found." (LS-SES
	 * test_cannot_create_event_for_no_topic, a real v1 reply). EMU: with
	 * sns-endpoint set, the topic is the endpoint's and is not looked
	 * for (sns_topic_exists). */
	switch (sns_topic_exists(ctx->store, arn)) {
	case 1:
		break;
	case 0:
		awserr_set(e, code, "SNS topic <%s> not found.", arn);
		return -1;
	default:
		awserr_set(e, "InternalFailure", "cannot read SNS topics");
		return -1;
	}
	/* AWS: SES publishes this to a topic it is given, without a
	 * Subject (SES-REFERENCE §4.6, §5.1); rolled back with the call if
	 * it fails; forwarded to the SNS endpoint when one is set. */
	if (sns_publish(ctx->store, arn, NULL, "Successfully validated SNS "
	    "topic for Amazon SES event publishing.", ctx->now_ms,
	    NULL) != 0) {
		awserr_set(e, "InternalFailure", "cannot publish to %s", arn);
		return -1;
	}
	return 0;
}

/*
 * EMU: SES's texts for a bad Firehose target are not captured. Only the
 * ARNs' form is checked: sesbox has no IAM or Firehose to ask whether the
 * role may write to the stream.
 */
static int
evdest_check_firehose(struct op_ctx *ctx, const json_t *t, struct awserr *e)
{
	const char *role = json_string_value(json_object_get(t,
	    "IamRoleArn"));
	const char *stream = json_string_value(json_object_get(t,
	    "DeliveryStreamArn"));
	const char *code = evdest_bad(ctx, "InvalidFirehoseDestination");
	const char *res;

	if (role == NULL)
		role = "";
	if (stream == NULL)
		stream = "";
	if (!evdest_arn_ok(role, "iam", 0, NULL, NULL, &res) ||
	    strncmp(res, "role/", 5) != 0 || strlen(res) == 5) {
		awserr_set(e, code, "Invalid IAM role ARN <%s>: expected "
		    "arn:aws:iam::ACCOUNT:role/ROLE_NAME.", role);
		return -1;
	}
	if (!evdest_arn_ok(stream, "firehose", 1, NULL, NULL, &res) ||
	    strncmp(res, "deliverystream/", 15) != 0 ||
	    !evdest_chars_ok(res + 15, 64, "_.-")) {
		awserr_set(e, code, "Invalid delivery stream ARN <%s>: "
		    "expected arn:aws:firehose:REGION:ACCOUNT:deliverystream/"
		    "STREAM_NAME.", stream);
		return -1;
	}
	return 0;
}

/*
 * AWS: the rules are the BC-SES CloudWatchDimensionConfiguration docs (a
 * name of letters, digits, '_', '-' and ':'; a default value of letters,
 * digits, '_', '-', '@' and '.'; 256 characters or fewer) and the quota of
 * 10 dimensions (DG:quotas). EMU: SES's texts are not captured; these
 * follow its tag texts (SES-REFERENCE §1.5).
 */
static int
evdest_check_cloudwatch(struct op_ctx *ctx, const json_t *t,
    struct awserr *e)
{
	const json_t *dims = json_object_get(t, "DimensionConfigurations");
	const char *code = evdest_bad(ctx, "InvalidCloudWatchDestination");
	const char *name, *value;
	size_t i, j;

	if (json_array_size(dims) == 0) {
		awserr_set(e, code, "At least one CloudWatch dimension "
		    "configuration must be specified.");
		return -1;
	}
	if (json_array_size(dims) > EVDEST_DIMENSIONS_MAX) {
		awserr_set(e, code, "A CloudWatch destination cannot have more "
		    "than %d dimension configurations.", EVDEST_DIMENSIONS_MAX);
		return -1;
	}
	for (i = 0; i < json_array_size(dims); i++) {
		name = json_string_value(json_object_get(json_array_get(dims,
		    i), "DimensionName"));
		value = json_string_value(json_object_get(json_array_get(dims,
		    i), "DefaultDimensionValue"));
		if (name == NULL)
			name = "";
		if (value == NULL)
			value = "";
		if (*name == '\0') {
			awserr_set(e, code, "The dimension name must be "
			    "specified.");
			return -1;
		}
		if (strlen(name) > EVDEST_DIMENSION_MAX_BYTES) {
			awserr_set(e, code, "Dimension name cannot exceed %d "
			    "characters.", EVDEST_DIMENSION_MAX_BYTES);
			return -1;
		}
		if (!evdest_chars_ok(name, EVDEST_DIMENSION_MAX_BYTES,
		    "_-:")) {
			awserr_set(e, code, "Invalid dimension name <%s>: only "
			    "alphanumeric ASCII characters, '_', '-' and ':' "
			    "are allowed.", name);
			return -1;
		}
		if (*value == '\0') {
			awserr_set(e, code, "The default dimension value must "
			    "be specified.");
			return -1;
		}
		if (strlen(value) > EVDEST_DIMENSION_MAX_BYTES) {
			awserr_set(e, code, "Default dimension value cannot "
			    "exceed %d characters.",
			    EVDEST_DIMENSION_MAX_BYTES);
			return -1;
		}
		if (!evdest_chars_ok(value, EVDEST_DIMENSION_MAX_BYTES,
		    "_-@.")) {
			awserr_set(e, code, "Invalid default dimension value "
			    "<%s>: only alphanumeric ASCII characters, '_', "
			    "'-', '@' and '.' are allowed.", value);
			return -1;
		}
		/* A metric cannot have one dimension twice. */
		for (j = 0; j < i; j++)
			if (strcmp(name, json_string_value(json_object_get(
			    json_array_get(dims, j), "DimensionName"))) == 0) {
				awserr_set(e, code, "Duplicate dimension name "
				    "<%s>.", name);
				return -1;
			}
	}
	return 0;
}

/*
 * AWS: "Only the default bus is supported." (BC-V2 EventBridgeDestination
 * docs); SES publishes to the default bus of the sending account and
 * region. EMU: SES's text is not captured.
 */
static int
evdest_check_eventbridge(struct op_ctx *ctx, const json_t *t,
    struct awserr *e)
{
	const char *arn = json_string_value(json_object_get(t,
	    "EventBusArn"));
	char region[EVDEST_ARN_PART_MAX_BYTES];
	char account[EVDEST_ARN_PART_MAX_BYTES];
	const char *res;

	if (arn == NULL)
		arn = "";
	if (!evdest_arn_ok(arn, "events", 1, region, account, &res) ||
	    strcmp(res, "event-bus/default") != 0 ||
	    strcmp(region, ctx->region) != 0 ||
	    strcmp(account, ctx->account) != 0) {
		awserr_set(e, "BadRequestException", "Invalid event bus ARN "
		    "<%s>: only the default event bus of this account and "
		    "region (arn:aws:events:%s:%s:event-bus/default) is "
		    "supported.", arn, ctx->region, ctx->account);
		return -1;
	}
	return 0;
}

/*
 * EMU: the model leaves ApplicationArn optional, but a Pinpoint target
 * without a project has nowhere to send to; SES's texts are not captured.
 */
static int
evdest_check_pinpoint(struct op_ctx *ctx, const json_t *t, struct awserr *e)
{
	const char *arn = json_string_value(json_object_get(t,
	    "ApplicationArn"));
	const char *res;

	(void)ctx;
	if (arn == NULL) {
		awserr_set(e, "BadRequestException", "PinpointDestination "
		    "must specify an ApplicationArn.");
		return -1;
	}
	if (!evdest_arn_ok(arn, "mobiletargeting", 1, NULL, NULL, &res) ||
	    strncmp(res, "apps/", 5) != 0 ||
	    !evdest_chars_ok(res + 5, 64, "")) {
		awserr_set(e, "BadRequestException", "Invalid Pinpoint "
		    "application ARN <%s>: expected arn:aws:mobiletargeting:"
		    "REGION:ACCOUNT:apps/PROJECT_ID.", arn);
		return -1;
	}
	return 0;
}

/* ---- the stored form ---- */

/*
 * Reads def (the API's definition) into d's enabled, event_types and
 * destination (new strings; d's name untouched). keep (may be NULL): a
 * stored event_types text whose types v1 cannot name are kept after the
 * given ones. Returns 0, or -1 with e set (d's strings left NULL).
 */
static int
evdest_parse(struct op_ctx *ctx, const json_t *def, const char *keep,
    struct store_evdest *d, struct awserr *e)
{
	const json_t *list = json_object_get(def, "MatchingEventTypes");
	const json_t *target = NULL;
	json_t *types, *kept, *dest, *obj;
	unsigned seen = 0;
	size_t i, k = 0, n = 0;
	int t;

	types = json_array();
	for (i = 0; i < json_array_size(list); i++) {
		t = evdest_type_find(json_string_value(json_array_get(list, i)),
		    ctx->v2);
		/* The model checked the values; repeats count once. */
		if (t >= 0 && !(seen & 1u << t)) {
			seen |= 1u << t;
			json_array_append_new(types,
			    json_string(evdest_types[t].v2));
		}
	}
	if (keep != NULL && (kept = json_loads(keep, 0, NULL)) != NULL) {
		for (i = 0; i < json_array_size(kept); i++) {
			t = evdest_type_find(json_string_value(json_array_get(
			    kept, i)), 1);
			if (t >= 0 && evdest_types[t].v1 == NULL &&
			    !(seen & 1u << t)) {
				seen |= 1u << t;
				json_array_append_new(types, json_string(
				    evdest_types[t].v2));
			}
		}
		json_decref(kept);
	}
	/* EMU: SES's answer to an empty MatchingEventTypes (or, in v2, none)
	 * is not captured; a destination that matches nothing is refused. */
	if (json_array_size(types) == 0) {
		json_decref(types);
		awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "At least one "
		    "event type must be specified.");
		return -1;
	}
	for (i = 0; i < EVDEST_NTARGETS; i++) {
		const char *m = ctx->v2 ? evdest_targets[i].v2 :
		    evdest_targets[i].v1;
		const json_t *v = m != NULL ? json_object_get(def, m) : NULL;

		if (v != NULL && !json_is_null(v)) {
			target = v;
			k = i;
			n++;
		}
	}
	/*
	 * AWS: "Please provide only one destination with each request. ..."
	 * is v2's reply to two targets, captured on SES by floci-io/floci
	 * (#1079 review); v1 is taken to say the same ("you must provide
	 * one, and only one, destination", BC-SES EventDestination docs).
	 * EMU: the text for no target is not captured; it is worded alike.
	 */
	if (n != 1) {
		json_decref(types);
		awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "Please "
		    "provide %sone destination with each request. Either a "
		    "Firehose Destination or a Cloudwatch Destination or an "
		    "SNS Destination or an EventBridge Destination.", n > 1 ?
		    "only " : "");
		return -1;
	}
	dest = evdest_convert(target, 1);
	if (evdest_targets[k].check(ctx, dest, e) != 0) {
		json_decref(dest);
		json_decref(types);
		return -1;
	}
	/* AWS: Enabled defaults to false ("The default value is false.",
	 * BC-SES EventDestination.Enabled); v2 is taken to agree. */
	d->enabled = json_is_true(json_object_get(def, "Enabled"));
	d->event_types = json_dumps(types, JSON_COMPACT);
	obj = json_pack("{s:o}", evdest_targets[k].v2, dest);
	d->destination = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(obj);
	json_decref(types);
	return 0;
}

/*
 * The v2 EventDestination object of stored row d (new), or, with v1, the
 * v1 one. EMU: v1 cannot name the v2-only types (DELIVERY_DELAY,
 * SUBSCRIPTION) or targets (EventBridge, Pinpoint); a v1 view leaves them
 * out rather than hide the destination, so its name stays visible (and
 * taken) in both APIs.
 */
static json_t *
evdest_view(const struct store_evdest *d, int v1)
{
	json_t *types = json_loads(d->event_types, 0, NULL);
	json_t *dest = json_loads(d->destination, 0, NULL);
	json_t *out, *list, *v;
	const char *key;
	size_t i;
	int t;

	list = json_array();
	for (i = 0; i < json_array_size(types); i++) {
		t = evdest_type_find(json_string_value(json_array_get(types,
		    i)), 1);
		if (t < 0)
			continue;
		if (!v1)
			json_array_append_new(list,
			    json_string(evdest_types[t].v2));
		else if (evdest_types[t].v1 != NULL)
			json_array_append_new(list,
			    json_string(evdest_types[t].v1));
	}
	out = json_pack("{s:s,s:b,s:o}", "Name", d->name, "Enabled",
	    d->enabled, "MatchingEventTypes", list);
	json_object_foreach(dest, key, v) {
		for (i = 0; i < EVDEST_NTARGETS; i++) {
			if (strcmp(key, evdest_targets[i].v2) != 0)
				continue;
			if (!v1)
				json_object_set(out, key, v);
			else if (evdest_targets[i].v1 != NULL)
				json_object_set_new(out, evdest_targets[i].v1,
				    evdest_convert(v, 0));
		}
	}
	json_decref(types);
	json_decref(dest);
	return out;
}

/* ---- operations ---- */

static int
evdest_store_fail(struct awserr *e)
{
	awserr_set(e, "InternalFailure", "cannot access event destinations");
	return -1;
}

/* Checks that set cs exists (the API's error when not). */
static int
evdest_set_check(struct op_ctx *ctx, const char *cs, struct awserr *e)
{
	struct store_cs c;

	if (cs_load(ctx, cs, &c, e) != 0)
		return -1;
	store_cs_fini(&c);
	return 0;
}

/*
 * AWS: "No EventDestination found for <set name>" (LS-SES
 * test_deleting_non_existent_configuration_set_event_destination, a real
 * v1 reply: the set's name, not the destination's, without brackets). v2
 * answers NotFoundException; its text is taken to be v1's.
 */
static int
evdest_not_found(struct op_ctx *ctx, const char *cs, struct awserr *e)
{
	awserr_set(e, ctx->v2 ? "NotFoundException" :
	    "EventDestinationDoesNotExist", "No EventDestination found for %s",
	    cs);
	return -1;
}

int
evdest_create(struct op_ctx *ctx, const char *cs, const char *name,
    const json_t *def, struct awserr *e)
{
	struct store_evdest d;
	long n;
	int rc;

	/* EMU: the order of the checks is not captured: the set, the name,
	 * a duplicate, the definition, then the quota. */
	if (evdest_set_check(ctx, cs, e) != 0)
		return -1;
	if (evdest_name_check(ctx, name, e) != 0)
		return -1;
	if ((rc = store_evdest_get(ctx->store, ctx->account, ctx->region, cs,
	    name, &d)) < 0)
		return evdest_store_fail(e);
	store_evdest_fini(&d);
	/* EMU: the codes are the models'; SES's text is not captured. */
	if (rc == 0) {
		awserr_set(e, ctx->v2 ? "AlreadyExistsException" :
		    "EventDestinationAlreadyExists", "Event destination <%s> "
		    "already exists in configuration set <%s>.", name, cs);
		return -1;
	}
	if (evdest_parse(ctx, def, NULL, &d, e) != 0)
		return -1;
	if ((n = store_evdest_count(ctx->store, ctx->account, ctx->region,
	    cs)) < 0) {
		store_evdest_fini(&d);
		return evdest_store_fail(e);
	}
	/* EMU: the quota is documented (DG:quotas), SES's text for it is
	 * not; worded as the configuration-set quota's. */
	if (n >= EVDEST_MAX_PER_SET) {
		store_evdest_fini(&d);
		awserr_set(e, op_err_code(ctx, OP_ERR_LIMIT), "Maximum number "
		    "of event destinations (%d) reached for configuration set "
		    "<%s>.", EVDEST_MAX_PER_SET, cs);
		return -1;
	}
	d.name = xstrdup(name);
	d.created_ms = d.updated_ms = ctx->now_ms;
	rc = store_evdest_put(ctx->store, ctx->account, ctx->region, cs, &d);
	store_evdest_fini(&d);
	return rc != 0 ? evdest_store_fail(e) : 0;
}

int
evdest_update(struct op_ctx *ctx, const char *cs, const char *name,
    const json_t *def, struct awserr *e)
{
	struct store_evdest old, d;
	int rc;

	if (evdest_set_check(ctx, cs, e) != 0)
		return -1;
	if ((rc = store_evdest_get(ctx->store, ctx->account, ctx->region, cs,
	    name, &old)) < 0)
		return evdest_store_fail(e);
	if (rc == 1)
		return evdest_not_found(ctx, cs, e);
	/* EMU: an update replaces the whole definition, as a create would
	 * write it, except that v1 keeps the v2-only event types it cannot
	 * name (as v1 PutConfigurationSetDeliveryOptions keeps v2's members
	 * of the block). */
	memset(&d, 0, sizeof(d));
	if (evdest_parse(ctx, def, ctx->v2 ? NULL : old.event_types, &d,
	    e) != 0) {
		store_evdest_fini(&old);
		return -1;
	}
	d.name = old.name;
	d.created_ms = old.created_ms;
	d.updated_ms = ctx->now_ms;
	old.name = NULL;
	store_evdest_fini(&old);
	rc = store_evdest_put(ctx->store, ctx->account, ctx->region, cs, &d);
	store_evdest_fini(&d);
	return rc != 0 ? evdest_store_fail(e) : 0;
}

int
evdest_delete(struct op_ctx *ctx, const char *cs, const char *name,
    struct awserr *e)
{
	int rc;

	if (evdest_set_check(ctx, cs, e) != 0)
		return -1;
	if ((rc = store_evdest_delete(ctx->store, ctx->account, ctx->region,
	    cs, name)) < 0)
		return evdest_store_fail(e);
	return rc == 0 ? evdest_not_found(ctx, cs, e) : 0;
}

json_t *
evdest_list(struct op_ctx *ctx, const char *cs, struct awserr *e)
{
	struct store_evdest *v;
	json_t *out;
	long n, i;

	if (evdest_set_check(ctx, cs, e) != 0)
		return NULL;
	/* EMU: in name order; SES's order is not captured. */
	if ((n = store_evdest_list(ctx->store, ctx->account, ctx->region, cs,
	    &v)) < 0) {
		evdest_store_fail(e);
		return NULL;
	}
	out = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(out, evdest_view(&v[i], !ctx->v2));
	store_evdests_free(v, (size_t)n);
	return out;
}

json_t *
evdest_matching(struct store *s, const char *account, const char *region,
    const char *cs, enum evdest_type type)
{
	struct store_evdest *v;
	json_t *out, *types;
	long n, i;
	size_t j;

	if ((n = store_evdest_list(s, account, region, cs, &v)) < 0)
		return NULL;
	out = json_array();
	for (i = 0; i < n; i++) {
		if (!v[i].enabled)
			continue;
		types = json_loads(v[i].event_types, 0, NULL);
		for (j = 0; j < json_array_size(types); j++)
			if (evdest_type_find(json_string_value(json_array_get(
			    types, j)), 1) == (int)type) {
				json_array_append_new(out,
				    evdest_view(&v[i], 0));
				break;
			}
		json_decref(types);
	}
	store_evdests_free(v, (size_t)n);
	return out;
}
