/*
 * test_wire — scalar conversions shared by the codecs: timestamps, Java-style
 * doubles, percent-decoding, UTF-8 checks, base64, HOST:PORT splitting.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "buf.h"
#include "wire.h"

START_TEST(t_timestamp_parse)
{
	static const struct {
		const char *in;
		int ok;
		int64_t ms;
	} cases[] = {
		{ "2011-01-31T15:31:00Z", 1, 1296487860000LL },
		{ "2011-01-31T15:31:00.5Z", 1, 1296487860500LL },
		{ "2011-01-31T15:31:00.123456Z", 1, 1296487860123LL },
		{ "2011-01-31T16:31:00+01:00", 1, 1296487860000LL },
		{ "2011-01-31T10:31:00-0500", 1, 1296487860000LL },
		{ "2011-01-31", 1, 1296432000000LL },
		{ "2011-01-31T15:31Z", 1, 1296487860000LL },
		{ "1296487860", 1, 1296487860000LL },
		{ "1296487860.25", 1, 1296487860250LL },
		{ "0", 1, 0 },
		{ "", 0, 0 },
		{ "yesterday", 0, 0 },
		{ "2011-13-01T00:00:00Z", 0, 0 },
		{ "2011-01-31T15:31:00Zjunk", 0, 0 },
		{ "2011-01-31T15:31:00.Z", 0, 0 },
		{ "12ab", 0, 0 },
	};
	size_t i;
	int64_t ms;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = wire_timestamp_parse(cases[i].in, &ms);

		ck_assert_msg((rc == 0) == cases[i].ok, "%s", cases[i].in);
		if (cases[i].ok)
			ck_assert_msg(ms == cases[i].ms, "%s: %lld",
			    cases[i].in, (long long)ms);
	}
}
END_TEST

START_TEST(t_timestamp_iso)
{
	char out[WIRE_TIMESTAMP_MAX_BYTES];

	wire_timestamp_iso(1296487860000LL, out);
	ck_assert_str_eq(out, "2011-01-31T15:31:00.000Z");
	wire_timestamp_iso(1296487860123LL, out);
	ck_assert_str_eq(out, "2011-01-31T15:31:00.123Z");
	wire_timestamp_iso(0, out);
	ck_assert_str_eq(out, "1970-01-01T00:00:00.000Z");
}
END_TEST

START_TEST(t_double_java)
{
	static const struct {
		double d;
		const char *want;
	} cases[] = {
		{ 200.0, "200.0" }, { 1.0, "1.0" }, { 0.0, "0.0" },
		{ 127.0, "127.0" }, { 0.5, "0.5" }, { 14.0, "14.0" },
		{ 50000.0, "50000.0" }, { 9999999.0, "9999999.0" },
		{ 1e7, "1.0E7" }, { 5e7, "5.0E7" }, { 1.5e10, "1.5E10" },
		{ 0.001, "0.001" }, { 0.0001, "1.0E-4" }, { -1.0, "-1.0" },
		{ 0.1, "0.1" }, { 3.25, "3.25" },
	};
	char out[WIRE_DOUBLE_MAX_BYTES];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wire_double_java(cases[i].d, out);
		ck_assert_msg(strcmp(out, cases[i].want) == 0, "%g: got %s "
		    "want %s", cases[i].d, out, cases[i].want);
	}
}
END_TEST

START_TEST(t_percent_decode)
{
	char a[] = "a%40b+c%2B", b[] = "x%4", c[] = "x%G1", d[] = "a+b";

	ck_assert_int_eq(wire_percent_decode(a, strlen(a), 1), 6);
	ck_assert_int_eq(memcmp(a, "a@b c+", 6), 0);
	ck_assert_int_eq(wire_percent_decode(b, strlen(b), 1), -1);
	ck_assert_int_eq(wire_percent_decode(c, strlen(c), 1), -1);
	ck_assert_int_eq(wire_percent_decode(d, strlen(d), 0), 3);
	ck_assert_int_eq(memcmp(d, "a+b", 3), 0);
}
END_TEST

START_TEST(t_utf8)
{
	static const char ok[] = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80";

	ck_assert(wire_utf8_valid(ok, strlen(ok)));
	ck_assert(!wire_utf8_valid("\xff", 1));
	ck_assert(!wire_utf8_valid("\xc3", 1));		/* truncated */
	ck_assert(!wire_utf8_valid("\xc0\xaf", 2));	/* overlong */
	ck_assert(!wire_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	ck_assert(!wire_utf8_valid("a\0b", 3));		/* NUL */
}
END_TEST

START_TEST(t_base64_roundtrip)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char *const want[] = { "", "Zg==", "Zm8=", "Zm9v",
	    "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	unsigned char out[16];
	struct buf b;
	size_t i;
	long n;

	for (i = 0; i < 7; i++) {
		buf_init(&b);
		buf_base64(&b, (const unsigned char *)in[i], strlen(in[i]));
		ck_assert_str_eq(b.data ? b.data : "", want[i]);
		n = buf_base64_decode(want[i], strlen(want[i]), out);
		ck_assert_int_eq(n, (long)strlen(in[i]));
		ck_assert_int_eq(memcmp(out, in[i], (size_t)n), 0);
		buf_fini(&b);
	}
	ck_assert_int_eq(buf_base64_decode("Zm9", 3, out), -1);
	ck_assert_int_eq(buf_base64_decode("Zm=v", 4, out), -1);
	ck_assert_int_eq(buf_base64_decode("Zm9*", 4, out), -1);
	ck_assert_int_eq(buf_base64_decode("Zg==Zg==", 8, out), -1);
}
END_TEST

START_TEST(t_hostport_split)
{
	static const struct {
		const char *in, *host, *port;
	} cases[] = {
		{ "127.0.0.1:25", "127.0.0.1", "25" },
		{ "[::1]:2525", "::1", "2525" },
		{ "mx.example.test:587", "mx.example.test", "587" },
		{ ":25", "", "25" },
	};
	char *host, *port;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(wire_hostport_split(cases[i].in, &host,
		    &port), 0);
		ck_assert_str_eq(host, cases[i].host);
		ck_assert_str_eq(port, cases[i].port);
		free(host);
		free(port);
	}
	host = port = NULL;
	ck_assert_int_eq(wire_hostport_split("localhost", &host, &port), -1);
	ck_assert_ptr_null(host);
	ck_assert_ptr_null(port);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("wire");

	tcase_add_test(tc, t_timestamp_parse);
	tcase_add_test(tc, t_timestamp_iso);
	tcase_add_test(tc, t_double_java);
	tcase_add_test(tc, t_percent_decode);
	tcase_add_test(tc, t_utf8);
	tcase_add_test(tc, t_base64_roundtrip);
	tcase_add_test(tc, t_hostport_split);
	suite_add_tcase(s, tc);
	return fixture_run(s);
}
