/*
 * Unit tests: evdest — the three spellings of each event type, and the
 * look-up the event dispatcher makes (evdest_matching): enabled
 * destinations of one set, account and region, matching one type, as
 * stored (v2 names), gone with their set.
 */
#include <check.h>
#include <string.h>

#include "evdest.h"
#include "fixture.h"
#include "store.h"
#include "store_cs.h"
#include "store_sns.h"

#define ACCOUNT "000000000000"
#define REGION "us-east-1"
#define TOPIC "arn:aws:sns:us-east-1:000000000000:t"
#define BUS "arn:aws:events:us-east-1:000000000000:event-bus/default"

START_TEST(t_type_spellings)
{
	static const char *const v2[] = { "SEND", "REJECT", "BOUNCE",
	    "COMPLAINT", "DELIVERY", "OPEN", "CLICK", "RENDERING_FAILURE",
	    "DELIVERY_DELAY", "SUBSCRIPTION" };
	static const char *const v1[] = { "send", "reject", "bounce",
	    "complaint", "delivery", "open", "click", "renderingFailure",
	    NULL, NULL };
	static const char *const event[] = { "Send", "Reject", "Bounce",
	    "Complaint", "Delivery", "Open", "Click", "Rendering Failure",
	    "DeliveryDelay", "Subscription" };
	int t;

	ck_assert_int_eq(EVDEST_TYPE_COUNT, 10);
	for (t = 0; t < EVDEST_TYPE_COUNT; t++) {
		ck_assert_str_eq(evdest_type_v2(t), v2[t]);
		ck_assert_str_eq(evdest_type_event(t), event[t]);
		ck_assert_int_eq(evdest_type_parse(v2[t]), t);
		ck_assert_int_eq(evdest_type_parse(event[t]), t);
		if (v1[t] == NULL) {
			ck_assert_ptr_null(evdest_type_v1(t));
		} else {
			ck_assert_str_eq(evdest_type_v1(t), v1[t]);
			ck_assert_int_eq(evdest_type_parse(v1[t]), t);
		}
	}
	ck_assert_int_eq(evdest_type_parse("Send "), -1);
	ck_assert_int_eq(evdest_type_parse("sEND"), -1);
	ck_assert_int_eq(evdest_type_parse("deliveryDelay"), -1);
	ck_assert_int_eq(evdest_type_parse(""), -1);
}
END_TEST

static void
setup(void)
{
	char err[STORE_ERROR_MAX_BYTES];

	ck_assert_msg(store_init(NULL, 1, err, sizeof(err)) == 0, "%s", err);
}

static void
teardown(void)
{
	store_shutdown();
}

/* Creates set cs in region on s (a write connection). */
static void
make_set(struct store *s, const char *region, const char *cs)
{
	struct store_cs c;

	memset(&c, 0, sizeof(c));
	c.name = (char *)cs;
	c.sending_enabled = 1;
	c.last_fresh_start_ms = -1;
	ck_assert_int_eq(store_cs_put(s, ACCOUNT, region, &c), 0);
}

/* Creates SNS topic name in region (SNS destinations need one). */
static void
make_topic(struct store *s, const char *region, const char *name)
{
	struct store_sns_topic t;

	memset(&t, 0, sizeof(t));
	t.name = (char *)name;
	t.display_name = (char *)"";
	ck_assert_int_eq(store_sns_topic_insert(s, ACCOUNT, region, &t), 0);
}

/* Creates destination name in set cs through the v2 core. */
static void
make_dest(struct op_ctx *ctx, const char *cs, const char *name,
    const char *def)
{
	struct awserr e;
	json_t *j = json_loads(def, 0, NULL);

	ck_assert_ptr_nonnull(j);
	awserr_init(&e);
	ck_assert_msg(evdest_create(ctx, cs, name, j, &e) == 0, "%s: %s",
	    e.code, e.message);
	json_decref(j);
}

/* evdest_matching's answer as compact JSON with sorted keys (new). */
static char *
matching(const char *region, const char *cs, enum evdest_type t)
{
	struct store *s = store_get();
	json_t *v;
	char *text;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_begin(s), 0);
	v = evdest_matching(s, ACCOUNT, region, cs, t);
	ck_assert_int_eq(store_commit(s), 0);
	ck_assert_ptr_nonnull(v);
	text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(v);
	return text;
}

#define ck_matching(region, cs, t, want)				\
	do {								\
		char *got_ = matching(region, cs, t);			\
		ck_assert_str_eq(got_, want);				\
		free(got_);						\
	} while (0)

START_TEST(t_matching)
{
	struct op_ctx ctx;
	struct store *s;

	memset(&ctx, 0, sizeof(ctx));
	ctx.account = ACCOUNT;
	ctx.region = REGION;
	ctx.now_ms = 1700000000000;
	ctx.v2 = 1;
	s = store_write_begin();
	ck_assert_ptr_nonnull(s);
	ctx.store = s;
	make_set(s, REGION, "cs");
	make_set(s, REGION, "other");
	make_set(s, "eu-west-1", "cs");
	make_topic(s, REGION, "t");
	make_topic(s, "eu-west-1", "w");
	make_dest(&ctx, "cs", "sns", "{\"Enabled\": true, "
	    "\"MatchingEventTypes\": [\"BOUNCE\", \"SEND\"], "
	    "\"SnsDestination\": {\"TopicArn\": \"" TOPIC "\"}}");
	make_dest(&ctx, "cs", "off", "{\"Enabled\": false, "
	    "\"MatchingEventTypes\": [\"SEND\"], "
	    "\"SnsDestination\": {\"TopicArn\": \"" TOPIC "\"}}");
	make_dest(&ctx, "cs", "eb", "{\"Enabled\": true, "
	    "\"MatchingEventTypes\": [\"DELIVERY_DELAY\", \"SEND\"], "
	    "\"EventBridgeDestination\": {\"EventBusArn\": \"" BUS "\"}}");
	make_dest(&ctx, "other", "cw", "{\"Enabled\": true, "
	    "\"MatchingEventTypes\": [\"OPEN\"], \"CloudWatchDestination\": "
	    "{\"DimensionConfigurations\": [{\"DimensionName\": \"d\", "
	    "\"DimensionValueSource\": \"LINK_TAG\", "
	    "\"DefaultDimensionValue\": \"v\"}]}}");
	ctx.region = "eu-west-1";
	make_dest(&ctx, "cs", "west", "{\"Enabled\": true, "
	    "\"MatchingEventTypes\": [\"OPEN\"], \"SnsDestination\": "
	    "{\"TopicArn\": \"arn:aws:sns:eu-west-1:000000000000:w\"}}");
	ck_assert_int_eq(store_write_end(s, 1), 0);

	/* Enabled ones only, in name order, as stored. */
	ck_matching(REGION, "cs", EVDEST_SEND, "[{\"Enabled\":true,"
	    "\"EventBridgeDestination\":{\"EventBusArn\":\"" BUS "\"},"
	    "\"MatchingEventTypes\":[\"DELIVERY_DELAY\",\"SEND\"],"
	    "\"Name\":\"eb\"},{\"Enabled\":true,\"MatchingEventTypes\":"
	    "[\"BOUNCE\",\"SEND\"],\"Name\":\"sns\",\"SnsDestination\":"
	    "{\"TopicArn\":\"" TOPIC "\"}}]");
	ck_matching(REGION, "cs", EVDEST_BOUNCE, "[{\"Enabled\":true,"
	    "\"MatchingEventTypes\":[\"BOUNCE\",\"SEND\"],\"Name\":\"sns\","
	    "\"SnsDestination\":{\"TopicArn\":\"" TOPIC "\"}}]");
	ck_matching(REGION, "cs", EVDEST_DELIVERY_DELAY, "[{\"Enabled\":true,"
	    "\"EventBridgeDestination\":{\"EventBusArn\":\"" BUS "\"},"
	    "\"MatchingEventTypes\":[\"DELIVERY_DELAY\",\"SEND\"],"
	    "\"Name\":\"eb\"}]");
	ck_matching(REGION, "cs", EVDEST_OPEN, "[]");
	ck_matching(REGION, "other", EVDEST_OPEN, "[{\"CloudWatchDestination\":"
	    "{\"DimensionConfigurations\":[{\"DefaultDimensionValue\":\"v\","
	    "\"DimensionName\":\"d\",\"DimensionValueSource\":\"LINK_TAG\"}]},"
	    "\"Enabled\":true,\"MatchingEventTypes\":[\"OPEN\"],"
	    "\"Name\":\"cw\"}]");
	ck_matching("eu-west-1", "cs", EVDEST_SEND, "[]");
	ck_matching("eu-west-1", "cs", EVDEST_OPEN, "[{\"Enabled\":true,"
	    "\"MatchingEventTypes\":[\"OPEN\"],\"Name\":\"west\","
	    "\"SnsDestination\":{\"TopicArn\":\"arn:aws:sns:eu-west-1:"
	    "000000000000:w\"}}]");
	ck_matching(REGION, "nope", EVDEST_SEND, "[]");

	/* A set's destinations go with it. */
	s = store_write_begin();
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_cs_delete(s, ACCOUNT, REGION, "cs"), 1);
	ck_assert_int_eq(store_write_end(s, 1), 0);
	ck_matching(REGION, "cs", EVDEST_SEND, "[]");
	ck_matching("eu-west-1", "cs", EVDEST_OPEN, "[{\"Enabled\":true,"
	    "\"MatchingEventTypes\":[\"OPEN\"],\"Name\":\"west\","
	    "\"SnsDestination\":{\"TopicArn\":\"arn:aws:sns:eu-west-1:"
	    "000000000000:w\"}}]");
}
END_TEST

static Suite *
evdest_suite(void)
{
	Suite *s = suite_create("evdest");
	TCase *types = tcase_create("types");
	TCase *store = tcase_create("matching");

	tcase_add_test(types, t_type_spellings);
	suite_add_tcase(s, types);
	tcase_add_checked_fixture(store, setup, teardown);
	tcase_add_test(store, t_matching);
	suite_add_tcase(s, store);
	return s;
}

int
main(void)
{
	return fixture_run(evdest_suite());
}
