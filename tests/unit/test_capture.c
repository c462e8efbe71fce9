/*
 * test_capture — the capture API's pure parts: the opaque paging cursor
 * (round trip, and everything that is not one refused), since/until
 * times, and the listing's query parsing with each exact error message.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "capture.h"
#include "fixture.h"

START_TEST(t_cursor_round_trip)
{
	static const int64_t ms[] = { 0, 1, 1700000000123LL, INT64_MAX - 1,
	    -5 };
	static const int64_t id[] = { 1, 2, 999999, INT64_MAX, 42 };
	char c[CAPTURE_CURSOR_BYTES];
	int64_t m, i;
	size_t k;

	for (k = 0; k < sizeof(ms) / sizeof(ms[0]); k++) {
		capture_cursor_encode(ms[k], id[k], c);
		ck_assert_uint_eq(strlen(c), CAPTURE_CURSOR_CHARS);
		ck_assert_msg(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijkl"
		    "mnopqrstuvwxyz0123456789-_") == CAPTURE_CURSOR_CHARS,
		    "not base64url: %s", c);
		ck_assert_int_eq(capture_cursor_decode(c, &m, &i), 0);
		ck_assert(m == ms[k]);
		ck_assert(i == id[k]);
	}
	capture_cursor_encode(1700000000123LL, 7, c);
	ck_assert_str_eq(c, "AAABi8_laHsAAAAAAAAABw");
}
END_TEST

START_TEST(t_cursor_refused)
{
	static const char *const bad[] = {
		"", "x", "AAABi8_laHsAAAAAAAAABw=", "AAABi8_laHsAAAAAAAAAB",
		"AAABi8/laHsAAAAAAAAABw",	/* standard base64, not url */
		"AAABi8+laHsAAAAAAAAABw",
		"AAABi8_laHsAAAAAAAAABx",	/* unused bits set */
		"AAABi8_laHsAAAAAAAAAAA",	/* id 0 */
		"AAABi8_laHsAAAAAAAAAB!",
	};
	int64_t m, i;
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		ck_assert_msg(capture_cursor_decode(bad[k], &m, &i) == -1,
		    "accepted %s", bad[k]);
}
END_TEST

START_TEST(t_time)
{
	int64_t ms;

	ck_assert_int_eq(capture_time_parse("1700000000123", &ms), 0);
	ck_assert(ms == 1700000000123LL);
	ck_assert_int_eq(capture_time_parse("0", &ms), 0);
	ck_assert(ms == 0);
	ck_assert_int_eq(capture_time_parse("2023-11-14T22:13:20.123Z", &ms),
	    0);
	ck_assert(ms == 1700000000123LL);
	ck_assert_int_eq(capture_time_parse("2023-11-14", &ms), 0);
	ck_assert(ms == 1699920000000LL);
	ck_assert_int_eq(capture_time_parse("2023-11-14T23:13:20+01:00", &ms),
	    0);
	ck_assert(ms == 1700000000000LL);
	ck_assert_int_eq(capture_time_parse("1700000000.5", &ms), -1);
	ck_assert_int_eq(capture_time_parse("", &ms), -1);
	ck_assert_int_eq(capture_time_parse("yesterday", &ms), -1);
	ck_assert_int_eq(capture_time_parse("12ab", &ms), -1);
	ck_assert_int_eq(capture_time_parse("99999999999999999999", &ms), -1);
}
END_TEST

START_TEST(t_query_defaults)
{
	char err[CAPTURE_ERROR_MAX_BYTES];
	struct capture_query q;

	ck_assert_int_eq(capture_query_parse(NULL, &q, err), 0);
	ck_assert_uint_eq(q.limit, CAPTURE_LIMIT_DEFAULT);
	ck_assert_ptr_null(q.f.to);
	ck_assert_ptr_null(q.f.account);
	ck_assert(q.f.since_ms == INT64_MIN);
	ck_assert(q.f.until_ms == INT64_MAX);
	ck_assert(q.f.after_ms == INT64_MAX);
	/* empty values and unknown parameters count for nothing */
	ck_assert_int_eq(capture_query_parse("to=&kind=&wait_ms=500&count=2&"
	    "x", &q, err), 0);
	ck_assert_ptr_null(q.f.to);
	ck_assert_ptr_null(q.f.kind);
}
END_TEST

START_TEST(t_query_filters)
{
	char err[CAPTURE_ERROR_MAX_BYTES], c[CAPTURE_CURSOR_BYTES], text[512];
	struct capture_query q;

	capture_cursor_encode(1700000000000LL, 12, c);
	snprintf(text, sizeof(text), "to=A%%40B.example&from=sender&subject="
	    "Hi+there&configuration_set=cs1&tag=ses%%3Aoperation%%3ASendEmail"
	    "&api=v2&operation=SendEmail&since=2023-11-14T00:00:00Z&until="
	    "1700000000999&event=Rendering%%20Failure&kind=send&account="
	    "111122223333&region=eu-west-1&q=needle&limit=1000&cursor=%s", c);
	ck_assert_int_eq(capture_query_parse(text, &q, err), 0);
	ck_assert_str_eq(q.f.to, "A@B.example");
	ck_assert_str_eq(q.f.from, "sender");
	ck_assert_str_eq(q.f.subject, "Hi there");	/* form: + is a space */
	ck_assert_str_eq(q.f.configuration_set, "cs1");
	ck_assert_str_eq(q.f.tag_name, "ses:operation");
	ck_assert_str_eq(q.f.tag_value, "SendEmail");
	ck_assert_str_eq(q.f.api, "v2");
	ck_assert_str_eq(q.f.operation, "SendEmail");
	ck_assert(q.f.since_ms == 1699920000000LL);
	ck_assert(q.f.until_ms == 1700000000999LL);
	ck_assert_str_eq(q.f.event, "Rendering Failure");
	ck_assert_str_eq(q.f.kind, "send");
	ck_assert_str_eq(q.f.account, "111122223333");
	ck_assert_str_eq(q.f.region, "eu-west-1");
	ck_assert_str_eq(q.f.q, "needle");
	ck_assert_uint_eq(q.limit, 1000);
	ck_assert(q.f.after_ms == 1700000000000LL);
	ck_assert(q.f.after_id == 12);
}
END_TEST

START_TEST(t_query_errors)
{
	static const struct {
		const char *query, *err;
	} cases[] = {
		{ "limit=0", "limit must be 1-1000" },
		{ "limit=1001", "limit must be 1-1000" },
		{ "limit=-1", "limit must be 1-1000" },
		{ "limit=10x", "limit must be 1-1000" },
		{ "limit=99999999999999999999", "limit must be 1-1000" },
		{ "cursor=abc", "cursor is not a next_cursor this API returned" },
		{ "since=soon", "since must be an ISO-8601 time or epoch "
		    "milliseconds" },
		{ "until=1.5", "until must be an ISO-8601 time or epoch "
		    "milliseconds" },
		{ "api=v3", "api must be v1, v2 or smtp" },
		{ "event=send", "event must be one of Send, Delivery, Bounce, "
		    "Complaint, Reject, DeliveryDelay, Open, Click, Rendering "
		    "Failure, Subscription" },
		{ "tag=campaign", "tag must be NAME:VALUE" },
		{ "tag=campaign:", "tag must be NAME:VALUE" },
		{ "tag=:x", "tag must be NAME:VALUE" },
		{ "to=%zz", "to is too long or badly encoded" },
		{ "kind=%", "kind is too long or badly encoded" },
	};
	char err[CAPTURE_ERROR_MAX_BYTES];
	struct capture_query q;
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		err[0] = '\0';
		ck_assert_msg(capture_query_parse(cases[k].query, &q, err) ==
		    -1, "accepted %s", cases[k].query);
		ck_assert_str_eq(err, cases[k].err);
	}
}
END_TEST

static Suite *
capture_suite(void)
{
	Suite *s = suite_create("capture");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, t_cursor_round_trip);
	tcase_add_test(tc, t_cursor_refused);
	tcase_add_test(tc, t_time);
	tcase_add_test(tc, t_query_defaults);
	tcase_add_test(tc, t_query_filters);
	tcase_add_test(tc, t_query_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return fixture_run(capture_suite());
}
