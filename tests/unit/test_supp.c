/*
 * test_supp — the account-level suppression list's core against a
 * temporary store: the canonical address, reasons as bits and JSON,
 * supp_check under the account's reasons and a configuration set's
 * SuppressionOptions override, supp_record (adding, refreshing, reasons
 * off, simulator addresses), accounts and regions apart, and the bounce
 * diagnostic.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "store.h"
#include "store_cs.h"
#include "store_supp.h"
#include "supp.h"

#define ACCOUNT "111111111111"
#define OTHER "222222222222"
#define REGION "us-east-1"
#define T0 1700000000000LL

static struct store *test_store;

static void
store_setup(void)
{
	char err[STORE_ERROR_MAX_BYTES];

	ck_assert_msg(store_init(NULL, 1, err, sizeof(err)) == 0, "%s", err);
	test_store = store_write_begin();
	ck_assert_ptr_nonnull(test_store);
}

static void
store_teardown(void)
{
	ck_assert_int_eq(store_write_end(test_store, 0), 0);
	store_shutdown();
}

/* Lists address for reason in ACCOUNT/REGION, as a manual put would. */
static void
put_entry(const char *account, const char *region, const char *address,
    const char *reason)
{
	struct store_supp d;

	memset(&d, 0, sizeof(d));
	d.address = supp_address_canonical(address);
	d.reason = xstrdup(reason);
	d.updated_ms = T0;
	ck_assert_int_eq(store_supp_put(test_store, account, region, &d), 0);
	store_supp_fini(&d);
}

/* Creates configuration set name with SuppressionOptions suppression
 * (JSON text, or NULL for a set without them). */
static void
put_set(const char *name, const char *suppression)
{
	struct store_cs c;

	memset(&c, 0, sizeof(c));
	c.name = xstrdup(name);
	c.created_ms = T0;
	c.sending_enabled = 1;
	c.last_fresh_start_ms = -1;
	c.suppression = suppression != NULL ? xstrdup(suppression) : NULL;
	ck_assert_int_eq(store_cs_put(test_store, ACCOUNT, REGION, &c), 0);
	store_cs_fini(&c);
}

static void
set_account_reasons(const char *account, const char *region, int bits)
{
	ck_assert_int_eq(store_supp_reasons_put(test_store, account, region,
	    bits, NULL, T0), 0);
}

/* supp_check in ACCOUNT/REGION: the result, and the reason ("" if none). */
static int
check(const char *cs, const char *address, const char **reason)
{
	*reason = "";
	return supp_check(test_store, ACCOUNT, REGION, cs, address, reason);
}

START_TEST(t_canonical)
{
	static const char *const cases[][2] = {
		{ "Foo@Example.COM", "Foo@example.com" },
		{ "  a.B@X.org\t", "a.B@x.org" },
		{ "user@DOMAIN@Host.Example", "user@DOMAIN@host.example" },
		{ "no-at-sign", "no-at-sign" },
		{ " \t ", "" },
		{ "", "" },
	};
	char *got;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = supp_address_canonical(cases[i][0]);
		ck_assert_str_eq(got, cases[i][1]);
		free(got);
	}
}
END_TEST

START_TEST(t_reasons)
{
	json_t *list;
	char *text;

	ck_assert_int_eq(supp_reason_bit("BOUNCE"), SUPP_BOUNCE);
	ck_assert_int_eq(supp_reason_bit("COMPLAINT"), SUPP_COMPLAINT);
	ck_assert_int_eq(supp_reason_bit("bounce"), 0);
	ck_assert_int_eq(supp_reason_bit(NULL), 0);
	ck_assert_str_eq(supp_reason_name(SUPP_BOUNCE), "BOUNCE");
	ck_assert_str_eq(supp_reason_name(SUPP_COMPLAINT), "COMPLAINT");
	ck_assert_ptr_null(supp_reason_name(SUPP_ALL));
	list = json_loads("[\"COMPLAINT\", \"X\", 3, \"COMPLAINT\"]", 0, NULL);
	ck_assert_int_eq(supp_reasons_bits(list), SUPP_COMPLAINT);
	json_decref(list);
	ck_assert_int_eq(supp_reasons_bits(NULL), 0);
	list = supp_reasons_json(SUPP_ALL);
	text = json_dumps(list, JSON_COMPACT);
	ck_assert_str_eq(text, "[\"BOUNCE\",\"COMPLAINT\"]");
	free(text);
	json_decref(list);
	list = supp_reasons_json(0);
	ck_assert_int_eq(json_array_size(list), 0);
	json_decref(list);
}
END_TEST

START_TEST(t_check_defaults)
{
	const char *reason;
	int bits;

	/* An account that never set its reasons suppresses both. */
	ck_assert_int_eq(supp_effective_reasons(test_store, ACCOUNT, REGION,
	    NULL, &bits), 0);
	ck_assert_int_eq(bits, SUPP_ALL);
	ck_assert_int_eq(check(NULL, "a@example.com", &reason), 0);
	ck_assert_str_eq(reason, "");
	put_entry(ACCOUNT, REGION, "a@example.com", "BOUNCE");
	put_entry(ACCOUNT, REGION, "c@example.com", "COMPLAINT");
	ck_assert_int_eq(check(NULL, "a@example.com", &reason), 1);
	ck_assert_str_eq(reason, "BOUNCE");
	ck_assert_int_eq(check(NULL, "c@example.com", &reason), 1);
	ck_assert_str_eq(reason, "COMPLAINT");
	/* The domain's case does not matter, the local part's does. */
	ck_assert_int_eq(check(NULL, " a@EXAMPLE.com ", &reason), 1);
	ck_assert_int_eq(check(NULL, "A@example.com", &reason), 0);
	/* A NULL reason pointer is allowed. */
	ck_assert_int_eq(supp_check(test_store, ACCOUNT, REGION, NULL,
	    "a@example.com", NULL), 1);
}
END_TEST

START_TEST(t_check_account_reasons)
{
	const char *reason;

	put_entry(ACCOUNT, REGION, "b@example.com", "BOUNCE");
	put_entry(ACCOUNT, REGION, "c@example.com", "COMPLAINT");
	set_account_reasons(ACCOUNT, REGION, SUPP_COMPLAINT);
	ck_assert_int_eq(check(NULL, "b@example.com", &reason), 0);
	ck_assert_str_eq(reason, "");
	ck_assert_int_eq(check(NULL, "c@example.com", &reason), 1);
	ck_assert_str_eq(reason, "COMPLAINT");
	set_account_reasons(ACCOUNT, REGION, SUPP_BOUNCE);
	ck_assert_int_eq(check(NULL, "b@example.com", &reason), 1);
	ck_assert_int_eq(check(NULL, "c@example.com", &reason), 0);
	/* Off: listed addresses are sent to, and stay listed. */
	set_account_reasons(ACCOUNT, REGION, 0);
	ck_assert_int_eq(check(NULL, "b@example.com", &reason), 0);
	ck_assert_int_eq(check(NULL, "c@example.com", &reason), 0);
	set_account_reasons(ACCOUNT, REGION, SUPP_ALL);
	ck_assert_int_eq(check(NULL, "b@example.com", &reason), 1);
	ck_assert_int_eq(check(NULL, "c@example.com", &reason), 1);
}
END_TEST

START_TEST(t_check_set_override)
{
	const char *reason;
	int bits;

	put_entry(ACCOUNT, REGION, "b@example.com", "BOUNCE");
	put_entry(ACCOUNT, REGION, "c@example.com", "COMPLAINT");
	put_set("complaints", "{\"SuppressedReasons\":[\"COMPLAINT\"]}");
	put_set("none", "{\"SuppressedReasons\":[]}");
	put_set("empty", "{}");
	put_set("plain", NULL);
	put_set("bounces", "{\"SuppressedReasons\":[\"BOUNCE\"],"
	    "\"ValidationOptions\":{\"ConditionThreshold\":"
	    "{\"ConditionThresholdEnabled\":\"DISABLED\"}}}");

	/* The set's reasons replace the account's (both by default). */
	ck_assert_int_eq(check("complaints", "b@example.com", &reason), 0);
	ck_assert_int_eq(check("complaints", "c@example.com", &reason), 1);
	ck_assert_str_eq(reason, "COMPLAINT");
	ck_assert_int_eq(check(NULL, "b@example.com", &reason), 1);
	/* An empty list, or SuppressionOptions without one, turn it off. */
	ck_assert_int_eq(check("none", "b@example.com", &reason), 0);
	ck_assert_int_eq(check("none", "c@example.com", &reason), 0);
	ck_assert_int_eq(check("empty", "b@example.com", &reason), 0);
	/* A set without SuppressionOptions, a missing set, or "" use the
	 * account's reasons. */
	ck_assert_int_eq(check("plain", "b@example.com", &reason), 1);
	ck_assert_int_eq(check("gone", "c@example.com", &reason), 1);
	ck_assert_int_eq(check("", "c@example.com", &reason), 1);
	/* A set may suppress a reason the account has off. */
	set_account_reasons(ACCOUNT, REGION, 0);
	ck_assert_int_eq(check(NULL, "b@example.com", &reason), 0);
	ck_assert_int_eq(check("plain", "b@example.com", &reason), 0);
	ck_assert_int_eq(check("bounces", "b@example.com", &reason), 1);
	ck_assert_str_eq(reason, "BOUNCE");
	ck_assert_int_eq(check("bounces", "c@example.com", &reason), 0);
	ck_assert_int_eq(supp_effective_reasons(test_store, ACCOUNT, REGION,
	    "bounces", &bits), 0);
	ck_assert_int_eq(bits, SUPP_BOUNCE);
	/* Sets are per account: another account's set of the name is not
	 * this one's. */
	ck_assert_int_eq(supp_effective_reasons(test_store, OTHER, REGION,
	    "bounces", &bits), 0);
	ck_assert_int_eq(bits, SUPP_ALL);
}
END_TEST

START_TEST(t_record)
{
	struct store_supp d;
	const char *reason;

	ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, NULL,
	    "Someone@Example.com", "BOUNCE", "msg-1", "fb-1", T0), 1);
	ck_assert_int_eq(store_supp_get(test_store, ACCOUNT, REGION,
	    "Someone@example.com", &d), 0);
	ck_assert_str_eq(d.address, "Someone@example.com");
	ck_assert_str_eq(d.reason, "BOUNCE");
	ck_assert_int_eq(d.updated_ms, T0);
	ck_assert_str_eq(d.message_id, "msg-1");
	ck_assert_str_eq(d.feedback_id, "fb-1");
	store_supp_fini(&d);
	ck_assert_int_eq(check(NULL, "someone@x.com", &reason), 0);
	ck_assert_int_eq(check(NULL, "Someone@EXAMPLE.COM", &reason), 1);
	ck_assert_str_eq(reason, "BOUNCE");

	/* A later complaint refreshes the one entry. */
	ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, NULL,
	    "Someone@example.com", "COMPLAINT", "msg-2", NULL, T0 + 5), 1);
	ck_assert_int_eq(store_supp_get(test_store, ACCOUNT, REGION,
	    "Someone@example.com", &d), 0);
	ck_assert_str_eq(d.reason, "COMPLAINT");
	ck_assert_int_eq(d.updated_ms, T0 + 5);
	ck_assert_str_eq(d.message_id, "msg-2");
	ck_assert_ptr_null(d.feedback_id);
	store_supp_fini(&d);

	/* Unknown reasons are a caller's error. */
	ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, NULL,
	    "x@example.com", "SPAM", NULL, NULL, T0), -1);
	ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, NULL,
	    "x@example.com", NULL, NULL, NULL, T0), -1);
}
END_TEST

START_TEST(t_record_reasons_off)
{
	struct store_supp d;

	set_account_reasons(ACCOUNT, REGION, SUPP_COMPLAINT);
	ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, NULL,
	    "b@example.com", "BOUNCE", "m", "f", T0), 0);
	ck_assert_int_eq(store_supp_get(test_store, ACCOUNT, REGION,
	    "b@example.com", &d), 1);
	ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, NULL,
	    "c@example.com", "COMPLAINT", "m", "f", T0), 1);
	/* The set's override decides for its sends. */
	put_set("bounces", "{\"SuppressedReasons\":[\"BOUNCE\"]}");
	put_set("none", "{\"SuppressedReasons\":[]}");
	ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, "bounces",
	    "b@example.com", "BOUNCE", "m", NULL, T0), 1);
	ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, "none",
	    "n@example.com", "COMPLAINT", "m", NULL, T0), 0);
	ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, "bounces",
	    "n@example.com", "COMPLAINT", "m", NULL, T0), 0);
	ck_assert_int_eq(store_supp_get(test_store, ACCOUNT, REGION,
	    "n@example.com", &d), 1);
	set_account_reasons(ACCOUNT, REGION, 0);
	ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, NULL,
	    "z@example.com", "BOUNCE", NULL, NULL, T0), 0);
}
END_TEST

START_TEST(t_record_simulator)
{
	static const char *const sim[] = {
		"bounce@simulator.amazonses.com",
		"complaint@simulator.amazonses.com",
		"bounce+label@SIMULATOR.AmazonSES.com",
		"anything@simulator.amazonses.com",
	};
	struct store_supp *v;
	struct store_supp_filter f = { 0, -1, -1, NULL };
	size_t i;

	for (i = 0; i < sizeof(sim) / sizeof(sim[0]); i++) {
		ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, NULL,
		    sim[i], "BOUNCE", "m", "f", T0), 0);
		ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, NULL,
		    sim[i], "COMPLAINT", "m", "f", T0), 0);
	}
	ck_assert_int_eq(store_supp_list(test_store, ACCOUNT, REGION, &f, 10,
	    &v), 0);
	store_supp_list_free(v, 0);
	/* A look-alike domain is an ordinary address. */
	ck_assert_int_eq(supp_record(test_store, ACCOUNT, REGION, NULL,
	    "bounce@simulator.amazonses.com.example", "BOUNCE", NULL, NULL,
	    T0), 1);
}
END_TEST

START_TEST(t_accounts_and_regions)
{
	const char *reason;

	put_entry(ACCOUNT, REGION, "a@example.com", "BOUNCE");
	ck_assert_int_eq(supp_check(test_store, OTHER, REGION, NULL,
	    "a@example.com", &reason), 0);
	ck_assert_int_eq(supp_check(test_store, ACCOUNT, "eu-west-1", NULL,
	    "a@example.com", &reason), 0);
	/* Reasons are per account and region too. */
	set_account_reasons(ACCOUNT, "eu-west-1", 0);
	ck_assert_int_eq(check(NULL, "a@example.com", &reason), 1);
	ck_assert_int_eq(supp_record(test_store, ACCOUNT, "eu-west-1", NULL,
	    "a@example.com", "BOUNCE", NULL, NULL, T0), 0);
	ck_assert_int_eq(supp_record(test_store, OTHER, REGION, NULL,
	    "o@example.com", "BOUNCE", NULL, NULL, T0), 1);
	ck_assert_int_eq(check(NULL, "o@example.com", &reason), 0);
}
END_TEST

START_TEST(t_list)
{
	struct store_supp_filter f = { 0, -1, -1, NULL };
	struct store_supp *v;
	struct store_supp d;
	long n;

	memset(&d, 0, sizeof(d));
	d.address = xstrdup("b@example.com");
	d.reason = xstrdup("BOUNCE");
	d.updated_ms = T0 + 10;
	ck_assert_int_eq(store_supp_put(test_store, ACCOUNT, REGION, &d), 0);
	store_supp_fini(&d);
	put_entry(ACCOUNT, REGION, "a@example.com", "COMPLAINT");
	put_entry(ACCOUNT, REGION, "c@example.com", "BOUNCE");
	put_entry(OTHER, REGION, "x@example.com", "BOUNCE");
	/* Address order, one more than the limit. */
	n = store_supp_list(test_store, ACCOUNT, REGION, &f, 2, &v);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(v[0].address, "a@example.com");
	ck_assert_str_eq(v[2].address, "c@example.com");
	store_supp_list_free(v, (size_t)n);
	f.after = "a@example.com";
	f.reasons = SUPP_BOUNCE;
	n = store_supp_list(test_store, ACCOUNT, REGION, &f, 10, &v);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(v[0].address, "b@example.com");
	store_supp_list_free(v, (size_t)n);
	f.after = NULL;
	f.reasons = SUPP_COMPLAINT;
	n = store_supp_list(test_store, ACCOUNT, REGION, &f, 10, &v);
	ck_assert_int_eq(n, 1);
	store_supp_list_free(v, (size_t)n);
	/* Dates include their instant. */
	f.reasons = 0;
	f.start_ms = T0 + 10;
	n = store_supp_list(test_store, ACCOUNT, REGION, &f, 10, &v);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(v[0].address, "b@example.com");
	store_supp_list_free(v, (size_t)n);
	f.start_ms = -1;
	f.end_ms = T0;
	n = store_supp_list(test_store, ACCOUNT, REGION, &f, 10, &v);
	ck_assert_int_eq(n, 2);
	store_supp_list_free(v, (size_t)n);
	ck_assert_int_eq(store_supp_delete(test_store, ACCOUNT, REGION,
	    "a@example.com"), 1);
	ck_assert_int_eq(store_supp_delete(test_store, ACCOUNT, REGION,
	    "a@example.com"), 0);
}
END_TEST

START_TEST(t_diagnostic)
{
	ck_assert_str_eq(supp_diagnostic(), "Amazon SES did not send the "
	    "message to this address because it is on the suppression list "
	    "for your account. For more information about removing addresses "
	    "from the suppression list, see the Amazon SES Developer Guide at "
	    "https://docs.aws.amazon.com/ses/latest/DeveloperGuide/"
	    "sending-email-suppression-list.html");
}
END_TEST

static Suite *
supp_suite(void)
{
	Suite *s = suite_create("supp");
	TCase *pure = tcase_create("pure");
	TCase *st = tcase_create("store");

	tcase_add_test(pure, t_canonical);
	tcase_add_test(pure, t_reasons);
	tcase_add_test(pure, t_diagnostic);
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(st, store_setup, store_teardown);
	tcase_add_test(st, t_check_defaults);
	tcase_add_test(st, t_check_account_reasons);
	tcase_add_test(st, t_check_set_override);
	tcase_add_test(st, t_record);
	tcase_add_test(st, t_record_reasons_off);
	tcase_add_test(st, t_record_simulator);
	tcase_add_test(st, t_accounts_and_regions);
	tcase_add_test(st, t_list);
	suite_add_tcase(s, st);
	return s;
}

int
main(void)
{
	return fixture_run(supp_suite());
}
