/*
 * Unit tests: feed (simulator/feed.c) — the time parameters its filters
 * take: ISO-8601 or epoch milliseconds, nothing else.
 */
#include <check.h>
#include <stdint.h>

#include "feed.h"
#include "fixture.h"

START_TEST(t_time_parse)
{
	static const struct {
		const char *in;
		int rc;
		int64_t ms;
	} cases[] = {
		{ "1700000000123", 0, 1700000000123LL },
		{ "0", 0, 0 },
		{ "2023-11-14T22:13:20.123Z", 0, 1700000000123LL },
		{ "2023-11-14T22:13:20Z", 0, 1700000000000LL },
		{ "2023-11-14T23:13:20+01:00", 0, 1700000000000LL },
		{ "2023-11-14", 0, 1699920000000LL },
		/* Epoch seconds are wire_timestamp_parse's, not ours. */
		{ "1700000000.5", -1, 0 },
		{ "", -1, 0 },
		{ "yesterday", -1, 0 },
		{ "-5", -1, 0 },
		{ "12a", -1, 0 },
		{ "1234567890123456789012", -1, 0 },
	};
	size_t i;
	int64_t ms;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ms = -1;
		rc = feed_time_parse(cases[i].in, &ms);
		ck_assert_msg(rc == cases[i].rc, "%s: rc %d", cases[i].in, rc);
		if (rc == 0)
			ck_assert_msg(ms == cases[i].ms, "%s: %lld", cases[i].in,
			    (long long)ms);
	}
}
END_TEST

static Suite *
feed_suite(void)
{
	Suite *s = suite_create("feed");
	TCase *tc = tcase_create("params");

	tcase_add_test(tc, t_time_parse);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return fixture_run(feed_suite());
}
