/*
 * test_forward — Check suite for emulator/forward.c: the detail-types, the
 * EventBridge event, the PutEvents and Publish calls queued and how they
 * are built and signed (checked with sigv4's verifier), what answers mean
 * and the retry delays.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cfg.h"
#include "forward.h"
#include "route.h"
#include "sigv4.h"
#include "store.h"
#include "store_outbox.h"
#include "version.h"
#include "xmem.h"

#define BUS "arn:aws:events:eu-west-1:111111111111:event-bus/default"
#define T0 1700000000123LL	/* 2023-11-14T22:13:20.123Z */

START_TEST(t_detail_types)
{
	static const char *const pairs[][2] = {
		{ "Send", "Email Sent" },
		{ "Reject", "Email Rejected" },
		{ "Bounce", "Email Bounced" },
		{ "Complaint", "Email Complaint Received" },
		{ "Delivery", "Email Delivered" },
		{ "Open", "Email Opened" },
		{ "Click", "Email Clicked" },
		{ "Rendering Failure", "Email Rendering Failed" },
		{ "DeliveryDelay", "Email Delivery Delayed" },
		{ "Subscription", "Email Subscribed" },
	};
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		ck_assert_str_eq(forward_detail_type(pairs[i][0]),
		    pairs[i][1]);
	ck_assert_ptr_null(forward_detail_type("Nope"));
}
END_TEST

START_TEST(t_event)
{
	json_t *detail = json_pack("{s:s}", "eventType", "Open");
	json_t *ev;
	char *text;

	ev = forward_eventbridge_event("df1515d9-b441-32ac-346a-8b4d5dd153c6",
	    "Open", "111111111111", "eu-west-1", "cs1", T0, detail);
	text = json_dumps(ev, JSON_COMPACT);
	ck_assert_str_eq(text, "{\"version\":\"0\",\"id\":\"df1515d9-b441-32ac-"
	    "346a-8b4d5dd153c6\",\"detail-type\":\"Email Opened\",\"source\":"
	    "\"aws.ses\",\"account\":\"111111111111\",\"time\":"
	    "\"2023-11-14T22:13:20Z\",\"region\":\"eu-west-1\",\"resources\":"
	    "[\"arn:aws:ses:eu-west-1:111111111111:configuration-set/cs1\"],"
	    "\"detail\":{\"eventType\":\"Open\"}}");
	free(text);
	json_decref(ev);
	ck_assert_ptr_null(forward_eventbridge_event("x", "Nope", "1", "r",
	    NULL, T0, detail));
	json_decref(detail);
}
END_TEST

/* The request's header called name (borrowed), or NULL. */
static const char *
header(const struct outbox_request *r, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < r->nheaders; i++)
		if (strncasecmp(r->headers[i], name, n) == 0 &&
		    r->headers[i][n] == ':')
			return r->headers[i] + n + 2;
	return NULL;
}

/* Checks r's SigV4 signature with sigv4's verifier: signed by key for
 * service in region, with secret. */
static void
verify(const struct outbox_request *r, const char *path, const char *key,
    const char *secret, const char *region, const char *service)
{
	struct sigv4_header h[16];
	struct sigv4_request req = { .method = "POST", .path = path,
	    .headers = h, .body = (const unsigned char *)r->body,
	    .body_len = r->body_len };
	struct sigv4_auth auth;
	struct awserr e;
	char *names[16];
	int64_t now;
	size_t i;

	awserr_init(&e);
	ck_assert_uint_le(r->nheaders, 16);
	for (i = 0; i < r->nheaders; i++) {
		names[i] = xstrndup(r->headers[i], strcspn(r->headers[i],
		    ":"));
		h[i].name = names[i];
		h[i].value = r->headers[i] + strlen(names[i]) + 2;
	}
	req.nheaders = r->nheaders;
	ck_assert_int_eq(sigv4_parse(&req, &auth, &e), 0);
	ck_assert_str_eq(auth.access_key, key);
	ck_assert_str_eq(auth.region, region);
	ck_assert_str_eq(auth.service, service);
	now = (int64_t)time(NULL) * 1000;
	ck_assert_msg(sigv4_verify(&req, &auth, secret, now, &e) == 0,
	    "%s: %s", e.code, e.message);
	for (i = 0; i < r->nheaders; i++)
		free(names[i]);
}

START_TEST(t_putevents)
{
	struct cfg c = { .default_account = "000000000000" };
	json_t *detail = json_pack("{s:s,s:{}}", "eventType", "Send", "send");
	struct outbox_request r = { 0 };
	struct store_outbox *rows;
	char err[256];
	struct store *s;
	int64_t id = 0;
	json_t *ev;

	route_init(&c);
	ck_assert_msg(store_init(NULL, 1, err, sizeof(err)) == 0, "%s", err);
	s = store_write_begin();
	ck_assert_ptr_nonnull(s);
	ev = forward_eventbridge_event("6a7e8feb-b491-4cf7-a9f1-bf3703467718",
	    "Send", "111111111111", "eu-west-1", "cs1", T0, detail);
	ck_assert_int_eq(forward_putevents_queue(s, "http://eb.test:4566/x",
	    ev, BUS, T0 + 5, &id), 0);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(store_outbox_claim(s, T0 + 5, 10, &rows), 1);
	ck_assert_str_eq(rows[0].kind, STORE_OUTBOX_EVENTBRIDGE);
	ck_assert_str_eq(rows[0].endpoint, "http://eb.test:4566/x");
	ck_assert_str_eq(rows[0].type, "Email Sent");
	ck_assert_str_eq(rows[0].topic_arn, BUS);
	ck_assert_str_eq(rows[0].message_id,
	    "6a7e8feb-b491-4cf7-a9f1-bf3703467718");
	ck_assert_str_eq(rows[0].message, "{\"Entries\":[{\"Time\":1700000000,"
	    "\"Source\":\"aws.ses\",\"Resources\":[\"arn:aws:ses:eu-west-1:"
	    "111111111111:configuration-set/cs1\"],\"DetailType\":\"Email "
	    "Sent\",\"Detail\":\"{\\\"eventType\\\":\\\"Send\\\",\\\"send\\\""
	    ":{}}\",\"EventBusName\":\"" BUS "\"}]}");
	ck_assert_int_eq(forward_prepare(&rows[0], "http://unused", &r, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(r.body, rows[0].message);
	ck_assert_str_eq(header(&r, "Host"), "eb.test:4566");
	ck_assert_str_eq(header(&r, "Content-Type"),
	    "application/x-amz-json-1.1");
	ck_assert_str_eq(header(&r, "X-Amz-Target"), "AWSEvents.PutEvents");
	ck_assert_str_eq(header(&r, "User-Agent"), "sesbox/" SESBOX_VERSION);
	/* No credentials for the account: its id and the fixed secret. */
	verify(&r, "/x", "111111111111", FORWARD_SECRET_DEFAULT, "eu-west-1",
	    "events");
	outbox_request_fini(&r);
	store_outbox_fini(&rows[0]);
	free(rows);
	json_decref(ev);
	json_decref(detail);
	ck_assert_int_eq(store_write_end(s, 0), 0);
	store_shutdown();
	route_init(NULL);
}
END_TEST

START_TEST(t_publish)
{
	struct cfg_credential cred[] = {
		{ "AKIDOTHER", "other-secret", "222222222222" },
		{ "AKIDMINE", "my-secret", "111111111111" },
	};
	struct cfg c = { .default_account = "000000000000",
	    .credentials = cred, .ncredentials = 2 };
	struct outbox_request r = { 0 };
	struct store_outbox *rows;
	char err[256];
	struct store *s;

	route_init(&c);
	ck_assert_msg(store_init(NULL, 1, err, sizeof(err)) == 0, "%s", err);
	s = store_write_begin();
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(forward_publish_queue(s, "https://sns.test/",
	    "111111111111", "eu-west-1",
	    "arn:aws:sns:eu-west-1:111111111111:t", "A subject",
	    "{\"eventType\":\"Send\"}\n", T0, NULL), 0);
	ck_assert_int_eq(forward_publish_queue(s, "https://sns.test/",
	    "111111111111", "eu-west-1",
	    "arn:aws:sns:eu-west-1:111111111111:t", NULL, "x~y z", T0, NULL),
	    0);
	ck_assert_int_eq(store_outbox_claim(s, T0, 10, &rows), 2);
	ck_assert_str_eq(rows[0].kind, STORE_OUTBOX_SNS_PUBLISH);
	ck_assert_int_eq(forward_prepare(&rows[0], NULL, &r, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(r.body, "Action=Publish&Version=2010-03-31&TopicArn="
	    "arn%3Aaws%3Asns%3Aeu-west-1%3A111111111111%3At&Message=%7B%22"
	    "eventType%22%3A%22Send%22%7D%0A&Subject=A%20subject");
	ck_assert_str_eq(header(&r, "Host"), "sns.test");
	ck_assert_str_eq(header(&r, "Content-Type"),
	    "application/x-www-form-urlencoded; charset=utf-8");
	ck_assert_ptr_null(header(&r, "X-Amz-Target"));
	verify(&r, "/", "AKIDMINE", "my-secret", "eu-west-1", "sns");
	outbox_request_fini(&r);
	ck_assert_int_eq(forward_prepare(&rows[1], NULL, &r, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(r.body, "Action=Publish&Version=2010-03-31&TopicArn="
	    "arn%3Aaws%3Asns%3Aeu-west-1%3A111111111111%3At&Message=x~y%20z");
	outbox_request_fini(&r);
	store_outbox_fini(&rows[0]);
	store_outbox_fini(&rows[1]);
	free(rows);
	ck_assert_int_eq(store_write_end(s, 0), 0);
	store_shutdown();
	route_init(NULL);
}
END_TEST

START_TEST(t_outcome)
{
	struct store_outbox o = { .kind = STORE_OUTBOX_EVENTBRIDGE,
	    .attempts = 1 };
	static const char ok[] = "{\"FailedEntryCount\":0,\"Entries\":"
	    "[{\"EventId\":\"e\"}]}";
	static const char partial[] = "{\"FailedEntryCount\":1,\"Entries\":"
	    "[{\"ErrorCode\":\"InternalFailure\",\"ErrorMessage\":\"Try "
	    "again\"}]}";
	static const char json_err[] = "{\"__type\":\"com.amazonaws.events#"
	    "ValidationException\",\"message\":\"bad entry\"}";
	static const char xml_err[] = "<ErrorResponse><Error><Type>Sender"
	    "</Type><Code>NotFound</Code><Message>Topic does not exist"
	    "</Message></Error></ErrorResponse>";
	char err[512];

	err[0] = '\0';
	ck_assert_str_eq(forward_outcome(&o, 200, ok, strlen(ok), err,
	    sizeof(err)), "delivered");
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(forward_outcome(&o, 200, "", 0, err, sizeof(err)),
	    "delivered");
	ck_assert_str_eq(forward_outcome(&o, 200, partial, strlen(partial),
	    err, sizeof(err)), "retry");
	ck_assert_str_eq(err, "FailedEntryCount 1: InternalFailure: Try "
	    "again");
	ck_assert_str_eq(forward_outcome(&o, 400, json_err, strlen(json_err),
	    err, sizeof(err)), "retry");
	ck_assert_str_eq(err, "HTTP 400: ValidationException: bad entry");
	o.kind = STORE_OUTBOX_SNS_PUBLISH;
	ck_assert_str_eq(forward_outcome(&o, 404, xml_err, strlen(xml_err),
	    err, sizeof(err)), "retry");
	ck_assert_str_eq(err, "HTTP 404: NotFound: Topic does not exist");
	ck_assert_str_eq(forward_outcome(&o, 503, "", 0, err, sizeof(err)),
	    "retry");
	ck_assert_str_eq(err, "HTTP 503");
	o.attempts = 1 + FORWARD_RETRIES;
	ck_assert_str_eq(forward_outcome(&o, 503, "", 0, err, sizeof(err)),
	    "failed");
	err[0] = '\0';
	ck_assert_str_eq(forward_outcome(&o, 0, "", 0, err, sizeof(err)),
	    "failed");
	ck_assert_str_eq(forward_outcome(&o, 204, "", 0, err, sizeof(err)),
	    "delivered");
	ck_assert_int_eq(forward_retry_delay_ms(1), 20000);
	ck_assert_int_eq(forward_retry_delay_ms(2), 40000);
	ck_assert_int_eq(forward_retry_delay_ms(3), 80000);
	ck_assert_int_eq(forward_retry_delay_ms(4), 160000);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("forward");
	TCase *tc = tcase_create("forward");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_detail_types);
	tcase_add_test(tc, t_event);
	tcase_add_test(tc, t_putevents);
	tcase_add_test(tc, t_publish);
	tcase_add_test(tc, t_outcome);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
