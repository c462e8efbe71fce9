/*
 * op_sns — the SNS operations sesbox implements: topics (Create, Delete,
 * List, Get/SetTopicAttributes), HTTP/HTTPS subscriptions (Subscribe,
 * ConfirmSubscription, Unsubscribe, the two listings, Get/Set-
 * SubscriptionAttributes) and Publish. Messages owed to subscribers are
 * queued through sns.c in the request's transaction and sent after commit
 * by sns_deliver. Texts of SNS's errors come from localstack's snapshots
 * recorded against real SNS (SES-REFERENCE "LS-SNS") unless marked EMU.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "op.h"
#include "sns.h"
#include "store.h"
#include "store_sns.h"
#include "wire.h"
#include "xmem.h"

/* AWS: ListTopics and both subscription listings return up to 100 per
 * page (SNS API reference). */
#define OP_SNS_PAGE 100
/* AWS: a DisplayName is at most 100 characters (SNS API reference,
 * SetTopicAttributes). */
#define OP_SNS_DISPLAY_NAME_MAX 100
/* AWS: a Subject is under 100 characters of printable ASCII (SNS API
 * reference, Publish). */
#define OP_SNS_SUBJECT_MAX 99

/* Account and region an unsigned request is served in (see op_sns_scope). */
struct op_sns_scope {
	char account[32];
	char region[64];
};

static const char *
op_sns_str(const json_t *in, const char *member)
{
	return json_string_value(json_object_get(in, member));
}

/* SNS's usual form of InvalidParameter: "Invalid parameter: <what>". */
static int
op_sns_invalid(struct awserr *e, const char *what)
{
	awserr_set(e, "InvalidParameter", "Invalid parameter: %s", what);
	return -1;
}

static int
op_sns_store_fail(struct awserr *e)
{
	awserr_set(e, "InternalFailure", "the SNS store failed");
	return -1;
}

/*
 * EMU: SNS itself takes only signed requests (but for the two link
 * actions); a request sesbox serves unsigned (lenient mode) is served in
 * the account and region of the ARN it names, so SubscribeURL and
 * UnsubscribeURL links work for any topic, and a default-account request
 * otherwise.
 */
static void
op_sns_scope(struct op_ctx *ctx, const char *arn, struct op_sns_scope *sc)
{
	struct sns_arn a;
	size_t i;

	if (ctx->access_key[0] != '\0' || arn == NULL ||
	    sns_arn_parse(arn, &a) < 6 || !a.fits ||
	    !wire_region_valid(a.region) || strlen(a.account) != 12)
		return;
	for (i = 0; i < 12; i++)
		if (!isdigit((unsigned char)a.account[i]))
			return;
	memcpy(sc->account, a.account, sizeof(a.account));
	memcpy(sc->region, a.region, sizeof(a.region));
	ctx->account = sc->account;
	ctx->region = sc->region;
}

/*
 * EMU: the AuthorizationError a caller of another account gets. Real SNS
 * names the caller's IAM principal, which sesbox does not know; it uses
 * the account root.
 */
static int
op_sns_denied(struct op_ctx *ctx, const char *action, const char *arn,
    struct awserr *e)
{
	awserr_set(e, "AuthorizationError", "User: arn:aws:iam::%s:root is "
	    "not authorized to perform: SNS:%s on resource: %s because no "
	    "resource-based policy allows the SNS:%s action", ctx->account,
	    action, arn, action);
	return -1;
}

/*
 * Checks the ARN a request names in member (member is how SNS names it in
 * its errors) against the caller's account and region; a->name is the
 * topic. With sub, it must also end in a subscription id. Returns 0 or -1
 * with e set.
 */
static int
op_sns_arn(struct op_ctx *ctx, const char *action, const char *member,
    const char *arn, int sub, struct sns_arn *a, struct awserr *e)
{
	int n;

	if (arn == NULL || *arn == '\0') {
		awserr_set(e, "InvalidParameter", "Invalid parameter: %s "
		    "Reason: no value for required parameter", member);
		return -1;
	}
	if ((n = sns_arn_parse(arn, a)) < 6) {
		awserr_set(e, "InvalidParameter", "Invalid parameter: %s "
		    "Reason: An ARN must have at least 6 elements, not %d",
		    member, n);
		return -1;
	}
	/* AWS: an ARN of another region answers "Invalid parameter:
	 * TopicArn" (LS-SNS test_cross_region_access). EMU: so does one
	 * that is not an SNS ARN at all. */
	if (!a->fits || strcmp(a->service, "sns") != 0 ||
	    strcmp(a->region, ctx->region) != 0)
		return op_sns_invalid(e, member);
	/* AWS: "Invalid parameter: SubscriptionId" for an ARN without a
	 * well-formed id (LS-SNS test_unsubscribe_wrong_arn_format). */
	if (sub && (a->nparts != 7 || !sns_id_valid(a->id)))
		return op_sns_invalid(e, "SubscriptionId");
	if (strcmp(a->account, ctx->account) != 0)
		return op_sns_denied(ctx, action, arn, e);
	return 0;
}

/* Loads the topic of a checked ARN into t. 0, or -1 with e set. */
static int
op_sns_topic(struct op_ctx *ctx, const struct sns_arn *a,
    struct store_sns_topic *t, struct awserr *e)
{
	int rc;

	if (a->nparts != 6 || !sns_topic_name_valid(a->name))
		rc = 1;
	else if ((rc = store_sns_topic_get(ctx->store, ctx->account,
	    ctx->region, a->name, t)) < 0)
		return op_sns_store_fail(e);
	if (rc == 1) {
		awserr_set(e, "NotFound", "Topic does not exist");
		return -1;
	}
	return 0;
}

/*
 * Loads the live subscription a SubscriptionArn names into sub. Returns
 * 0, 1 when there is none (e set to NotFound for callers that answer it),
 * or -1 with e set.
 */
static int
op_sns_sub(struct op_ctx *ctx, const char *action, const char *arn,
    struct store_sns_sub *sub, struct awserr *e)
{
	struct sns_arn a;
	int rc;

	memset(sub, 0, sizeof(*sub));
	if (op_sns_arn(ctx, action, "SubscriptionArn", arn, 1, &a, e) != 0)
		return -1;
	if ((rc = store_sns_sub_get(ctx->store, ctx->account, ctx->region,
	    a.id, sub)) < 0)
		return op_sns_store_fail(e);
	if (rc == 0 && (strcmp(sub->topic, a.name) != 0 ||
	    strcmp(sub->state, "deleted") == 0)) {
		store_sns_sub_fini(sub);
		rc = 1;
	}
	if (rc == 1)
		awserr_set(e, "NotFound", "Subscription does not exist");
	return rc;
}

/* "true"/"false" in any case into *out; -1 for anything else. */
static int
op_sns_bool(const char *v, int *out)
{
	if (v != NULL && strcasecmp(v, "true") == 0)
		*out = 1;
	else if (v != NULL && strcasecmp(v, "false") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* The attributes sesbox does not implement yet, of topics and of
 * subscriptions: answered NotImplemented rather than ignored. */
static const char *const op_sns_topic_unsupported[] = {
	"ApplicationFailureFeedbackRoleArn",
	"ApplicationSuccessFeedbackRoleArn",
	"ApplicationSuccessFeedbackSampleRate", "ArchivePolicy",
	"ContentBasedDeduplication", "DataProtectionPolicy", "DeliveryPolicy",
	"FirehoseFailureFeedbackRoleArn", "FirehoseSuccessFeedbackRoleArn",
	"FirehoseSuccessFeedbackSampleRate", "FifoThroughputScope",
	"HTTPFailureFeedbackRoleArn", "HTTPSuccessFeedbackRoleArn",
	"HTTPSuccessFeedbackSampleRate", "KmsMasterKeyId",
	"LambdaFailureFeedbackRoleArn", "LambdaSuccessFeedbackRoleArn",
	"LambdaSuccessFeedbackSampleRate", "Policy",
	"SQSFailureFeedbackRoleArn", "SQSSuccessFeedbackRoleArn",
	"SQSSuccessFeedbackSampleRate", "TracingConfig", NULL,
};
static const char *const op_sns_sub_unsupported[] = {
	"DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy",
	"ReplayPolicy", "SubscriptionRoleArn", NULL,
};

static int
op_sns_listed(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

/*
 * Applies one topic attribute to t. Returns 0 or -1 with e set. in_map:
 * it came in CreateTopic's Attributes (FifoTopic is only valid there).
 */
static int
op_sns_topic_attr(struct store_sns_topic *t, const char *name,
    const char *value, int in_map, struct awserr *e)
{
	if (value == NULL)
		value = "";
	if (strcmp(name, "DisplayName") == 0) {
		/* EMU: the text for a too long DisplayName is not captured;
		 * SNS's "Invalid parameter: <member>" form. */
		if (strlen(value) > OP_SNS_DISPLAY_NAME_MAX)
			return op_sns_invalid(e, "DisplayName");
		free(t->display_name);
		t->display_name = xstrdup(value);
		return 0;
	}
	if (strcmp(name, "SignatureVersion") == 0) {
		/* EMU: text as other emulators have it; not captured. */
		if (strcmp(value, "1") != 0 && strcmp(value, "2") != 0)
			return op_sns_invalid(e, "SignatureVersion");
		free(t->signature_version);
		t->signature_version = xstrdup(value);
		return 0;
	}
	if (in_map && strcmp(name, "FifoTopic") == 0) {
		if (strcasecmp(value, "false") == 0)
			return 0;
		awserr_set(e, "NotImplemented", "sesbox does not implement "
		    "FIFO topics yet");
		return -1;
	}
	if (op_sns_listed(op_sns_topic_unsupported, name)) {
		awserr_set(e, "NotImplemented", "sesbox does not implement the "
		    "topic attribute %s yet", name);
		return -1;
	}
	/* AWS: "Invalid parameter: AttributeName" (LS-SNS
	 * test_topic_get_attributes_with_fifo_false). */
	return op_sns_invalid(e, "AttributeName");
}

/* ---- topics ---- */

static int
op_create_topic(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const char *name = op_sns_str(in, "Name"), *key;
	json_t *attrs = json_object_get(in, "Attributes"), *v;
	struct store_sns_topic t = { 0 }, old;
	size_t n = strlen(name);
	char *arn;
	int rc = -1, found;

	/* AWS: FIFO topics end in ".fifo". */
	if (n > 5 && strcmp(name + n - 5, ".fifo") == 0 &&
	    json_is_string(json_object_get(attrs, "FifoTopic")) &&
	    strcasecmp(op_sns_str(attrs, "FifoTopic"), "true") == 0) {
		awserr_set(e, "NotImplemented", "sesbox does not implement "
		    "FIFO topics yet");
		return -1;
	}
	/* AWS: "Invalid parameter: Topic Name" (LS-SNS
	 * test_create_topic_name_constraints). */
	if (!sns_topic_name_valid(name))
		return op_sns_invalid(e, "Topic Name");
	if (json_array_size(json_object_get(in, "Tags")) > 0 ||
	    json_object_get(in, "DataProtectionPolicy") != NULL) {
		awserr_set(e, "NotImplemented", "sesbox does not implement "
		    "topic %s yet", json_object_get(in, "Tags") != NULL ?
		    "tags" : "data protection policies");
		return -1;
	}
	t.name = xstrdup(name);
	t.display_name = xstrdup("");
	json_object_foreach(attrs, key, v)
		if (op_sns_topic_attr(&t, key, json_string_value(v), 1, e) != 0)
			goto out;
	if ((found = store_sns_topic_get(ctx->store, ctx->account,
	    ctx->region, name, &old)) < 0) {
		op_sns_store_fail(e);
		goto out;
	}
	if (found == 0) {
		/* AWS: CreateTopic is idempotent by name. EMU: the text for
		 * other attributes follows SNS's captured "Topic already
		 * exists with different tags". */
		if (json_object_size(attrs) > 0 && (strcmp(old.display_name,
		    t.display_name) != 0 || (t.signature_version != NULL &&
		    (old.signature_version == NULL ? strcmp(
		    t.signature_version, "1") != 0 : strcmp(
		    old.signature_version, t.signature_version) != 0)))) {
			store_sns_topic_fini(&old);
			awserr_set(e, "InvalidParameter", "Invalid parameter: "
			    "Attributes Reason: Topic already exists with "
			    "different attributes");
			goto out;
		}
		store_sns_topic_fini(&old);
	} else {
		t.created_ms = ctx->now_ms;
		if (store_sns_topic_insert(ctx->store, ctx->account,
		    ctx->region, &t) != 0) {
			op_sns_store_fail(e);
			goto out;
		}
	}
	arn = sns_topic_arn(ctx->region, ctx->account, name);
	*out = json_pack("{s:s}", "TopicArn", arn);
	free(arn);
	rc = 0;
out:
	store_sns_topic_fini(&t);
	return rc;
}

static int
op_delete_topic(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const char *arn = op_sns_str(in, "TopicArn");
	struct op_sns_scope sc;
	struct sns_arn a;

	(void)out;
	op_sns_scope(ctx, arn, &sc);
	if (op_sns_arn(ctx, "DeleteTopic", "TopicArn", arn, 0, &a, e) != 0)
		return -1;
	/* AWS: deleting a topic that does not exist succeeds (LS-SNS
	 * test_delete_non_existent_topic). */
	if (a.nparts == 6 && store_sns_topic_delete(ctx->store, ctx->account,
	    ctx->region, a.name) < 0)
		return op_sns_store_fail(e);
	return 0;
}

static int
op_list_topics(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const char *token = op_sns_str(in, "NextToken");
	char *after = NULL, *arn, *next;
	json_t *names, *topics, *v;
	size_t i;

	/* EMU: text for a token that is not one of ours not captured. */
	if (token != NULL && (after = op_token_decode(token)) == NULL)
		return op_sns_invalid(e, "NextToken");
	names = store_sns_topic_names(ctx->store, ctx->account, ctx->region,
	    after, OP_SNS_PAGE + 1);
	free(after);
	if (names == NULL)
		return op_sns_store_fail(e);
	topics = json_array();
	json_array_foreach(names, i, v) {
		if (i == OP_SNS_PAGE)
			break;
		arn = sns_topic_arn(ctx->region, ctx->account,
		    json_string_value(v));
		json_array_append_new(topics, json_pack("{s:s}", "TopicArn",
		    arn));
		free(arn);
	}
	*out = json_pack("{s:o}", "Topics", topics);
	if (json_array_size(names) > OP_SNS_PAGE) {
		next = op_token_encode(json_string_value(json_array_get(names,
		    OP_SNS_PAGE - 1)));
		json_object_set_new(*out, "NextToken", json_string(next));
		free(next);
	}
	json_decref(names);
	return 0;
}

/* AWS: the attribute values of a new topic (LS-SNS GetTopicAttributes
 * snapshots): the default access policy and the effective HTTP delivery
 * policy, compact JSON in SNS's key order. */
static char *
op_sns_policy(const char *arn, const char *account)
{
	return xasprintf("{\"Version\":\"2008-10-17\",\"Id\":"
	    "\"__default_policy_ID\",\"Statement\":[{\"Sid\":"
	    "\"__default_statement_ID\",\"Effect\":\"Allow\",\"Principal\":"
	    "{\"AWS\":\"*\"},\"Action\":[\"SNS:GetTopicAttributes\","
	    "\"SNS:SetTopicAttributes\",\"SNS:AddPermission\","
	    "\"SNS:RemovePermission\",\"SNS:DeleteTopic\",\"SNS:Subscribe\","
	    "\"SNS:ListSubscriptionsByTopic\",\"SNS:Publish\"],\"Resource\":"
	    "\"%s\",\"Condition\":{\"StringEquals\":{\"AWS:SourceOwner\":"
	    "\"%s\"}}}]}", arn, account);
}

#define OP_SNS_RETRY_POLICY "{\"minDelayTarget\":20,\"maxDelayTarget\":20," \
	"\"numRetries\":3,\"numMaxDelayRetries\":0,\"numNoDelayRetries\":0," \
	"\"numMinDelayRetries\":0,\"backoffFunction\":\"linear\"}"

static int
op_get_topic_attributes(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const char *arn = op_sns_str(in, "TopicArn");
	struct store_sns_topic t = { 0 };
	struct op_sns_scope sc;
	struct sns_arn a;
	long counts[3];
	char *topic_arn, *policy, num[3][24];
	int i;

	op_sns_scope(ctx, arn, &sc);
	if (op_sns_arn(ctx, "GetTopicAttributes", "TopicArn", arn, 0, &a, e) !=
	    0 || op_sns_topic(ctx, &a, &t, e) != 0)
		return -1;
	if (store_sns_sub_counts(ctx->store, ctx->account, ctx->region,
	    t.name, counts) != 0) {
		store_sns_topic_fini(&t);
		return op_sns_store_fail(e);
	}
	for (i = 0; i < 3; i++)
		snprintf(num[i], sizeof(num[i]), "%ld", counts[i]);
	topic_arn = sns_topic_arn(ctx->region, ctx->account, t.name);
	policy = op_sns_policy(topic_arn, ctx->account);
	*out = json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}}",
	    "Attributes", "DisplayName", t.display_name,
	    "EffectiveDeliveryPolicy",
	    "{\"http\":{\"defaultHealthyRetryPolicy\":" OP_SNS_RETRY_POLICY
	    ",\"disableSubscriptionOverrides\":false,\"defaultRequestPolicy\":"
	    "{\"headerContentType\":\"text/plain; charset=UTF-8\"}}}",
	    "Owner", ctx->account, "Policy", policy,
	    "SubscriptionsConfirmed", num[0], "SubscriptionsDeleted", num[2],
	    "SubscriptionsPending", num[1], "TopicArn", topic_arn);
	/* AWS: SignatureVersion is listed once it has been set (LS-SNS:
	 * absent on new topics, "2" after setting it). */
	if (t.signature_version != NULL)
		json_object_set_new(json_object_get(*out, "Attributes"),
		    "SignatureVersion", json_string(t.signature_version));
	free(policy);
	free(topic_arn);
	store_sns_topic_fini(&t);
	return 0;
}

static int
op_set_topic_attributes(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const char *arn = op_sns_str(in, "TopicArn");
	struct store_sns_topic t = { 0 };
	struct op_sns_scope sc;
	struct sns_arn a;
	int rc = -1;

	(void)out;
	op_sns_scope(ctx, arn, &sc);
	if (op_sns_arn(ctx, "SetTopicAttributes", "TopicArn", arn, 0, &a, e) !=
	    0 || op_sns_topic(ctx, &a, &t, e) != 0)
		return -1;
	if (op_sns_topic_attr(&t, op_sns_str(in, "AttributeName"),
	    op_sns_str(in, "AttributeValue"), 0, e) == 0) {
		if (store_sns_topic_update(ctx->store, ctx->account,
		    ctx->region, &t) != 0)
			op_sns_store_fail(e);
		else
			rc = 0;
	}
	store_sns_topic_fini(&t);
	return rc;
}

/* ---- subscriptions ---- */

/* Reads Subscribe's Attributes into *raw. Returns 0 or -1 with e set. */
static int
op_sns_sub_attrs(const json_t *attrs, int *raw, struct awserr *e)
{
	const char *key, *value;
	json_t *v;

	json_object_foreach((json_t *)attrs, key, v) {
		value = json_string_value(v);
		if (strcmp(key, "RawMessageDelivery") == 0) {
			if (op_sns_bool(value, raw) != 0) {
				awserr_set(e, "InvalidParameter", "Invalid "
				    "parameter: Attributes Reason: "
				    "RawMessageDelivery: Invalid value [%s]. "
				    "Must be true or false.", value ? value :
				    "");
				return -1;
			}
		} else if (op_sns_listed(op_sns_sub_unsupported, key)) {
			awserr_set(e, "NotImplemented", "sesbox does not "
			    "implement the subscription attribute %s yet",
			    key);
			return -1;
		} else {
			/* EMU: text for an unknown name not captured. */
			return op_sns_invalid(e, "AttributeName");
		}
	}
	return 0;
}

static int
op_subscribe(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const char *arn = op_sns_str(in, "TopicArn");
	const char *protocol = op_sns_str(in, "Protocol");
	const char *endpoint = op_sns_str(in, "Endpoint");
	json_t *attrs = json_object_get(in, "Attributes");
	struct store_sns_topic t = { 0 };
	struct store_sns_sub sub = { 0 };
	char id[SNS_ID_CHARS + 1], token[SNS_TOKEN_CHARS + 1], *sub_arn;
	struct op_sns_scope sc;
	struct sns_arn a;
	int raw = 0, found, rc = -1;

	op_sns_scope(ctx, arn, &sc);
	if (op_sns_arn(ctx, "Subscribe", "TopicArn", arn, 0, &a, e) != 0)
		return -1;
	/*
	 * AWS: "Amazon SNS does not support this protocol string: X" (LS-SNS
	 * test_subscribe_with_invalid_protocol). EMU: sesbox delivers to
	 * http and https only, so it answers the same for the protocols SNS
	 * has and sesbox lacks (email, sqs, lambda, sms, ...).
	 */
	if (strcmp(protocol, "http") != 0 && strcmp(protocol, "https") != 0) {
		awserr_set(e, "InvalidParameter", "Invalid parameter: Amazon "
		    "SNS does not support this protocol string: %s", protocol);
		return -1;
	}
	/* EMU: text for an endpoint of another scheme not captured. */
	if (endpoint == NULL || strncasecmp(endpoint, protocol,
	    strlen(protocol)) != 0 || strncmp(endpoint + strlen(protocol),
	    "://", 3) != 0 || endpoint[strlen(protocol) + 3] == '\0')
		return op_sns_invalid(e, "Endpoint "
		    "must match the specified protocol");
	if (op_sns_topic(ctx, &a, &t, e) != 0)
		return -1;
	if (op_sns_sub_attrs(attrs, &raw, e) != 0)
		goto out;
	if ((found = store_sns_sub_find(ctx->store, ctx->account, ctx->region,
	    t.name, protocol, endpoint, &sub)) < 0) {
		op_sns_store_fail(e);
		goto out;
	}
	if (found == 0) {
		/* AWS: subscribing again is idempotent; with attributes
		 * that differ it is refused (LS-SNS
		 * test_subscribe_idempotency). */
		if (json_object_get(attrs, "RawMessageDelivery") != NULL &&
		    raw != sub.raw) {
			awserr_set(e, "InvalidParameter", "Invalid parameter: "
			    "Attributes Reason: Subscription already exists "
			    "with different attributes");
			goto out;
		}
		/* EMU: a pending endpoint is sent its confirmation again. */
		if (strcmp(sub.state, "pending") == 0 &&
		    sns_confirmation_queue(ctx->store, &t, &sub, ctx->now_ms) !=
		    0) {
			op_sns_store_fail(e);
			goto out;
		}
	} else {
		sns_uuid(id);
		sns_token(token);
		sub.account = xstrdup(ctx->account);
		sub.region = xstrdup(ctx->region);
		sub.id = xstrdup(id);
		sub.topic = xstrdup(t.name);
		sub.protocol = xstrdup(protocol);
		sub.endpoint = xstrdup(endpoint);
		sub.state = xstrdup("pending");
		sub.token = xstrdup(token);
		sub.raw = raw;
		sub.created_ms = ctx->now_ms;
		if (store_sns_sub_insert(ctx->store, &sub) != 0 ||
		    sns_confirmation_queue(ctx->store, &t, &sub, ctx->now_ms) !=
		    0) {
			op_sns_store_fail(e);
			goto out;
		}
	}
	/* AWS: a pending subscription's ARN is "pending confirmation"
	 * unless ReturnSubscriptionArn (LS-SNS
	 * test_http_subscription_response). */
	if (strcmp(sub.state, "pending") == 0 &&
	    !json_is_true(json_object_get(in, "ReturnSubscriptionArn")))
		*out = json_pack("{s:s}", "SubscriptionArn",
		    "pending confirmation");
	else {
		sub_arn = sns_sub_arn(&sub);
		*out = json_pack("{s:s}", "SubscriptionArn", sub_arn);
		free(sub_arn);
	}
	rc = 0;
out:
	store_sns_sub_fini(&sub);
	store_sns_topic_fini(&t);
	return rc;
}

static int
op_confirm_subscription(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const char *arn = op_sns_str(in, "TopicArn");
	const char *token = op_sns_str(in, "Token");
	const char *auth = op_sns_str(in, "AuthenticateOnUnsubscribe");
	struct store_sns_sub sub;
	struct op_sns_scope sc;
	struct sns_arn a;
	char *sub_arn;
	int rc, flag = 0;

	op_sns_scope(ctx, arn, &sc);
	/*
	 * AWS: the topic must be an ARN of this region ("Invalid parameter:
	 * Topic"), but need not exist: the token decides (LS-SNS
	 * test_subscribe_external_http_endpoint: a malformed token is
	 * "Invalid token", an unknown one "Invalid parameter: Token").
	 */
	if (sns_arn_parse(arn, &a) < 6 || !a.fits ||
	    strcmp(a.region, ctx->region) != 0)
		return op_sns_invalid(e, "Topic");
	if (!sns_token_valid(token)) {
		awserr_set(e, "InvalidParameter", "Invalid token");
		return -1;
	}
	if (auth != NULL && op_sns_bool(auth, &flag) != 0)
		return op_sns_invalid(e, "AuthenticateOnUnsubscribe");
	if ((rc = store_sns_sub_by_token(ctx->store, token, &sub)) < 0)
		return op_sns_store_fail(e);
	if (rc == 1 || strcmp(sub.region, ctx->region) != 0) {
		if (rc == 0)
			store_sns_sub_fini(&sub);
		return op_sns_invalid(e, "Token");
	}
	/* A pending subscription is confirmed, an unsubscribed one restored
	 * (the UnsubscribeConfirmation's SubscribeURL); a confirmed one
	 * stays (AWS: ConfirmSubscription is idempotent). */
	if (strcmp(sub.state, "confirmed") != 0) {
		free(sub.state);
		sub.state = xstrdup("confirmed");
		sub.authenticated = ctx->access_key[0] != '\0';
		if (store_sns_sub_update(ctx->store, &sub) != 0) {
			store_sns_sub_fini(&sub);
			return op_sns_store_fail(e);
		}
	}
	/* EMU: AuthenticateOnUnsubscribe is checked, not kept. */
	(void)flag;
	sub_arn = sns_sub_arn(&sub);
	*out = json_pack("{s:s}", "SubscriptionArn", sub_arn);
	free(sub_arn);
	store_sns_sub_fini(&sub);
	return 0;
}

static int
op_unsubscribe(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const char *arn = op_sns_str(in, "SubscriptionArn");
	struct store_sns_topic t = { 0 };
	struct store_sns_sub sub;
	struct op_sns_scope sc;
	char token[SNS_TOKEN_CHARS + 1];
	int rc, was_confirmed;

	(void)out;
	op_sns_scope(ctx, arn, &sc);
	if ((rc = op_sns_sub(ctx, "Unsubscribe", arn, &sub, e)) < 0)
		return -1;
	/* AWS: unsubscribing twice succeeds (LS-SNS
	 * test_unsubscribe_idempotency). */
	if (rc == 1)
		return 0;
	was_confirmed = strcmp(sub.state, "confirmed") == 0;
	sns_token(token);
	free(sub.state);
	free(sub.token);
	sub.state = xstrdup("deleted");
	sub.token = xstrdup(token);
	rc = store_sns_sub_update(ctx->store, &sub);
	/* AWS: the endpoint is told, with a token that restores the
	 * subscription (SES-REFERENCE §5.2). EMU: only a confirmed one; a
	 * pending endpoint never agreed to anything. */
	if (rc == 0 && was_confirmed && (rc = store_sns_topic_get(ctx->store,
	    sub.account, sub.region, sub.topic, &t)) == 0)
		rc = sns_unsubscribe_queue(ctx->store, &t, &sub, ctx->now_ms);
	store_sns_topic_fini(&t);
	store_sns_sub_fini(&sub);
	return rc < 0 ? op_sns_store_fail(e) : 0;
}

/* Appends the listing entries of subs to list. */
static void
op_sns_sub_entries(json_t *list, struct store_sns_sub *subs, size_t n)
{
	char *topic_arn, *sub_arn;
	size_t i;

	for (i = 0; i < n; i++) {
		topic_arn = sns_topic_arn(subs[i].region, subs[i].account,
		    subs[i].topic);
		sub_arn = sns_sub_arn(&subs[i]);
		/* AWS: pending subscriptions list as "PendingConfirmation"
		 * (LS-SNS test_subscription_paging). */
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:s}",
		    "SubscriptionArn", strcmp(subs[i].state, "pending") == 0 ?
		    "PendingConfirmation" : sub_arn, "Owner", subs[i].account,
		    "Protocol", subs[i].protocol, "Endpoint", subs[i].endpoint,
		    "TopicArn", topic_arn));
		free(sub_arn);
		free(topic_arn);
	}
}

/* Both listings: subscriptions of topic (NULL: all), one page. */
static int
op_sns_list_subs(struct op_ctx *ctx, const json_t *in, const char *topic,
    json_t **out, struct awserr *e)
{
	const char *token = op_sns_str(in, "NextToken");
	struct store_sns_sub *subs;
	char *after = NULL, *nl = NULL, *key, *next;
	json_t *list;
	long n, i;

	/* The token is "topic\nid" of the last entry returned. */
	if (token != NULL && ((after = op_token_decode(token)) == NULL ||
	    (nl = strchr(after, '\n')) == NULL)) {
		free(after);
		return op_sns_invalid(e, "NextToken");
	}
	if (nl != NULL)
		*nl++ = '\0';
	n = store_sns_sub_list(ctx->store, ctx->account, ctx->region, topic,
	    NULL, after, nl, OP_SNS_PAGE + 1, &subs);
	free(after);
	if (n < 0)
		return op_sns_store_fail(e);
	list = json_array();
	op_sns_sub_entries(list, subs, n > OP_SNS_PAGE ? OP_SNS_PAGE :
	    (size_t)n);
	*out = json_pack("{s:o}", "Subscriptions", list);
	if (n > OP_SNS_PAGE) {
		key = xasprintf("%s\n%s", subs[OP_SNS_PAGE - 1].topic,
		    subs[OP_SNS_PAGE - 1].id);
		next = op_token_encode(key);
		json_object_set_new(*out, "NextToken", json_string(next));
		free(next);
		free(key);
	}
	for (i = 0; i < n; i++)
		store_sns_sub_fini(&subs[i]);
	free(subs);
	return 0;
}

static int
op_list_subscriptions(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	return op_sns_list_subs(ctx, in, NULL, out, e);
}

static int
op_list_subscriptions_by_topic(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	const char *arn = op_sns_str(in, "TopicArn");
	struct store_sns_topic t = { 0 };
	struct op_sns_scope sc;
	struct sns_arn a;
	int rc;

	op_sns_scope(ctx, arn, &sc);
	if (op_sns_arn(ctx, "ListSubscriptionsByTopic", "TopicArn", arn, 0, &a,
	    e) != 0 || op_sns_topic(ctx, &a, &t, e) != 0)
		return -1;
	rc = op_sns_list_subs(ctx, in, t.name, out, e);
	store_sns_topic_fini(&t);
	return rc;
}

static int
op_get_subscription_attributes(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	const char *arn = op_sns_str(in, "SubscriptionArn");
	struct store_sns_sub sub;
	struct op_sns_scope sc;
	char *topic_arn, *sub_arn, *principal;

	op_sns_scope(ctx, arn, &sc);
	if (op_sns_sub(ctx, "GetSubscriptionAttributes", arn, &sub, e) != 0)
		return -1;
	topic_arn = sns_topic_arn(sub.region, sub.account, sub.topic);
	sub_arn = sns_sub_arn(&sub);
	/* EMU: real SNS names the IAM user who subscribed; sesbox knows
	 * only the account. */
	principal = xasprintf("arn:aws:iam::%s:root", sub.account);
	/*
	 * AWS: the attributes of an HTTP subscription (LS-SNS
	 * test_subscribe_external_http_endpoint_content_type). EMU: its
	 * EffectiveDeliveryPolicy without a DeliveryPolicy is inferred from
	 * the topic's defaults.
	 */
	*out = json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}}",
	    "Attributes",
	    "ConfirmationWasAuthenticated", sub.authenticated ? "true" :
	    "false",
	    "EffectiveDeliveryPolicy", "{\"healthyRetryPolicy\":"
	    OP_SNS_RETRY_POLICY ",\"sicklyRetryPolicy\":null,\"throttlePolicy\""
	    ":null,\"requestPolicy\":{\"headerContentType\":\"text/plain; "
	    "charset=UTF-8\"},\"guaranteed\":false}",
	    "Endpoint", sub.endpoint, "Owner", sub.account,
	    "PendingConfirmation", strcmp(sub.state, "pending") == 0 ? "true" :
	    "false",
	    "Protocol", sub.protocol,
	    "RawMessageDelivery", sub.raw ? "true" : "false",
	    "SubscriptionArn", sub_arn, "SubscriptionPrincipal", principal,
	    "TopicArn", topic_arn);
	free(principal);
	free(sub_arn);
	free(topic_arn);
	store_sns_sub_fini(&sub);
	return 0;
}

static int
op_set_subscription_attributes(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	const char *arn = op_sns_str(in, "SubscriptionArn");
	const char *name = op_sns_str(in, "AttributeName");
	const char *value = op_sns_str(in, "AttributeValue");
	struct store_sns_sub sub;
	struct op_sns_scope sc;
	int rc = -1, raw;

	(void)out;
	op_sns_scope(ctx, arn, &sc);
	if (op_sns_sub(ctx, "SetSubscriptionAttributes", arn, &sub, e) != 0)
		return -1;
	if (strcmp(name, "RawMessageDelivery") == 0) {
		/* AWS: LS-SNS test_validate_set_sub_attributes. */
		if (op_sns_bool(value, &raw) != 0)
			awserr_set(e, "InvalidParameter", "Invalid parameter: "
			    "RawMessageDelivery: Invalid value [%s]. Must be "
			    "true or false.", value ? value : "");
		else {
			sub.raw = raw;
			if (store_sns_sub_update(ctx->store, &sub) != 0)
				op_sns_store_fail(e);
			else
				rc = 0;
		}
	} else if (op_sns_listed(op_sns_sub_unsupported, name)) {
		awserr_set(e, "NotImplemented", "sesbox does not implement the "
		    "subscription attribute %s yet", name);
	} else {
		/* AWS: LS-SNS test_validate_set_sub_attributes. */
		op_sns_invalid(e, "AttributeName");
	}
	store_sns_sub_fini(&sub);
	return rc;
}

/* ---- publishing ---- */

/* Non-zero when subject is one SNS takes. */
static int
op_sns_subject_valid(const char *subject)
{
	size_t i;

	for (i = 0; subject[i] != '\0'; i++)
		if ((unsigned char)subject[i] < 0x20 ||
		    (unsigned char)subject[i] > 0x7e)
			return 0;
	return i > 0 && i <= OP_SNS_SUBJECT_MAX;
}

static int
op_publish(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const char *topic_arn = op_sns_str(in, "TopicArn");
	const char *target_arn = op_sns_str(in, "TargetArn");
	const char *message = op_sns_str(in, "Message");
	const char *subject = op_sns_str(in, "Subject");
	const char *structure = op_sns_str(in, "MessageStructure");
	const char *arn = topic_arn != NULL ? topic_arn : target_arn;
	const char *msg_http = message, *msg_https = message;
	json_t *byproto = NULL;
	struct store_sns_topic t = { 0 };
	char id[SNS_ID_CHARS + 1];
	struct op_sns_scope sc;
	struct sns_arn a;
	int rc = -1;

	op_sns_scope(ctx, arn, &sc);
	if (op_sns_str(in, "PhoneNumber") != NULL) {
		awserr_set(e, "NotImplemented", "sesbox does not implement "
		    "Publish to a PhoneNumber (SMS) yet");
		return -1;
	}
	if (arn == NULL) {
		awserr_set(e, "InvalidParameter", "Invalid parameter: TopicArn "
		    "or TargetArn Reason: no value for required parameter");
		return -1;
	}
	if (op_sns_arn(ctx, "Publish", topic_arn != NULL ? "TopicArn" :
	    "TargetArn", arn, 0, &a, e) != 0)
		return -1;
	/* AWS: texts from LS-SNS test_empty_sns_message,
	 * test_publish_too_long_message, test_publish_with_empty_subject.
	 * EMU: other bad subjects (too long, not printable ASCII) get the
	 * empty subject's text. */
	if (*message == '\0') {
		awserr_set(e, "InvalidParameter", "Invalid parameter: Empty "
		    "message");
		return -1;
	}
	if (strlen(message) > SNS_MESSAGE_MAX_BYTES) {
		awserr_set(e, "InvalidParameter", "Invalid parameter: Message "
		    "too long");
		return -1;
	}
	if (subject != NULL && !op_sns_subject_valid(subject))
		return op_sns_invalid(e, "Subject");
	/* AWS: LS-SNS test_validations_for_fifo. */
	if (op_sns_str(in, "MessageDeduplicationId") != NULL) {
		awserr_set(e, "InvalidParameter", "Invalid parameter: "
		    "MessageDeduplicationId Reason: The request includes "
		    "MessageDeduplicationId parameter that is not valid for "
		    "this topic type");
		return -1;
	}
	if (json_object_size(json_object_get(in, "MessageAttributes")) > 0) {
		awserr_set(e, "NotImplemented", "sesbox does not implement SNS "
		    "message attributes yet");
		return -1;
	}
	if (structure != NULL) {
		/* AWS: LS-SNS test_message_structure_json_exc. EMU: any
		 * other MessageStructure than json is refused by name. */
		if (strcmp(structure, "json") != 0)
			return op_sns_invalid(e, "MessageStructure");
		/* Not inside json_is_object: the macro evaluates twice. */
		byproto = json_loads(message, 0, NULL);
		if (!json_is_object(byproto)) {
			json_decref(byproto);
			awserr_set(e, "InvalidParameter", "Invalid parameter: "
			    "Message Structure - JSON message body failed to "
			    "parse");
			return -1;
		}
		if (!json_is_string(json_object_get(byproto, "default"))) {
			json_decref(byproto);
			awserr_set(e, "InvalidParameter", "Invalid parameter: "
			    "Message Structure - No default entry in JSON "
			    "message body");
			return -1;
		}
		msg_http = msg_https = op_sns_str(byproto, "default");
		if (json_is_string(json_object_get(byproto, "http")))
			msg_http = op_sns_str(byproto, "http");
		if (json_is_string(json_object_get(byproto, "https")))
			msg_https = op_sns_str(byproto, "https");
	}
	if (op_sns_topic(ctx, &a, &t, e) != 0)
		goto out;
	if (sns_topic_publish(ctx->store, ctx->account, ctx->region, &t,
	    subject, msg_http, msg_https, ctx->now_ms, id) != 0) {
		op_sns_store_fail(e);
		goto out;
	}
	*out = json_pack("{s:s}", "MessageId", id);
	rc = 0;
out:
	store_sns_topic_fini(&t);
	json_decref(byproto);
	return rc;
}

const struct op_entry op_sns_table[] = {
	{ "sns", "ConfirmSubscription", op_confirm_subscription },
	{ "sns", "CreateTopic", op_create_topic },
	{ "sns", "DeleteTopic", op_delete_topic },
	{ "sns", "GetSubscriptionAttributes", op_get_subscription_attributes },
	{ "sns", "GetTopicAttributes", op_get_topic_attributes },
	{ "sns", "ListSubscriptions", op_list_subscriptions },
	{ "sns", "ListSubscriptionsByTopic", op_list_subscriptions_by_topic },
	{ "sns", "ListTopics", op_list_topics },
	{ "sns", "Publish", op_publish },
	{ "sns", "SetSubscriptionAttributes", op_set_subscription_attributes },
	{ "sns", "SetTopicAttributes", op_set_topic_attributes },
	{ "sns", "Subscribe", op_subscribe },
	{ "sns", "Unsubscribe", op_unsubscribe },
	{ NULL, NULL, NULL },
};
