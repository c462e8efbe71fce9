/*
 * test_sendauth — sending authorization: golden cases under
 * fixtures/sendauth/<case>/ (policies.json: an array of policy documents;
 * request.json: the request; expected: "ALLOW" or the exact error as
 * "Code: message"; optional why: the deciding statement), plus
 * sendauth_check against a temporary store (owners, other accounts,
 * unknown and unverified identities, regions, malformed ARNs).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fixture.h"
#include "sendauth.h"
#include "store.h"
#include "store_identity.h"
#include "store_policy.h"

static const char *
opt_string(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

START_TEST(t_golden)
{
	char **cases, *pol_s, *req_s, *exp, *why_s, *got;
	const char **rcpts;
	struct sendauth_request r;
	struct awserr e;
	json_error_t jerr;
	json_t *policies, *req, *list, *x;
	const char *why;
	size_t n, i, j;
	int allow;

	n = fixture_cases("sendauth", &cases);
	ck_assert_uint_ge(n, 40);
	for (i = 0; i < n; i++) {
		pol_s = fixture_read("sendauth", cases[i], "policies.json",
		    NULL);
		req_s = fixture_read("sendauth", cases[i], "request.json",
		    NULL);
		exp = fixture_read("sendauth", cases[i], "expected", NULL);
		why_s = fixture_read("sendauth", cases[i], "why", NULL);
		ck_assert_msg(pol_s != NULL && req_s != NULL && exp != NULL,
		    "%s: needs policies.json, request.json and expected",
		    cases[i]);
		fixture_chomp(exp, NULL);
		policies = json_loads(pol_s, 0, &jerr);
		ck_assert_msg(json_is_array(policies), "%s: policies.json: %s",
		    cases[i], jerr.text);
		req = json_loads(req_s, 0, &jerr);
		ck_assert_msg(json_is_object(req), "%s: request.json: %s",
		    cases[i], jerr.text);
		memset(&r, 0, sizeof(r));
		r.caller_account = opt_string(req, "caller_account");
		r.action = opt_string(req, "action");
		r.identity_arn = opt_string(req, "identity_arn");
		r.from_address = opt_string(req, "from");
		r.from_display = opt_string(req, "from_display");
		r.feedback_address = opt_string(req, "feedback_address");
		r.api_version = opt_string(req, "api_version");
		r.source_ip = opt_string(req, "source_ip");
		r.now_ms = json_integer_value(json_object_get(req, "now_ms"));
		list = json_object_get(req, "recipients");
		rcpts = xcalloc(json_array_size(list) + 1, sizeof(*rcpts));
		json_array_foreach(list, j, x)
			rcpts[j] = json_string_value(x);
		r.recipients = rcpts;
		r.nrecipients = json_array_size(list);
		why = NULL;
		allow = sendauth_evaluate(policies, &r, &why);
		ck_assert_msg(why != NULL, "%s: no reason", cases[i]);
		if (allow) {
			got = xstrdup("ALLOW");
		} else {
			awserr_init(&e);
			sendauth_error_denied(&r, json_is_true(json_object_get(
			    req, "v2")), &e);
			got = xasprintf("%s: %s", e.code, e.message);
		}
		ck_assert_msg(strcmp(got, exp) == 0, "%s (%s):\n got %s\nwant "
		    "%s", cases[i], why, got, exp);
		if (why_s != NULL) {
			fixture_chomp(why_s, NULL);
			ck_assert_msg(strcmp(why, why_s) == 0, "%s: why %s, "
			    "want %s", cases[i], why, why_s);
		}
		free(got);
		free(rcpts);
		json_decref(policies);
		json_decref(req);
		free(pol_s);
		free(req_s);
		free(exp);
		free(why_s);
	}
	fixture_cases_free(cases, n);
}
END_TEST

/* A policy that is not JSON's array of objects grants nothing. */
START_TEST(t_evaluate_odd_documents)
{
	static const char *const rcpt[] = { "a@b.example" };
	struct sendauth_request r = {
		.caller_account = "222222222222", .action = "ses:SendEmail",
		.identity_arn = "arn:aws:ses:us-east-1:111111111111:identity/"
		    "example.com", .from_address = "x@example.com",
		.recipients = rcpt, .nrecipients = 1,
		.api_version = "2010-12-01", .now_ms = 0,
	};
	json_t *p = json_loads("[\"text\", 3, {\"Statement\": 5}, "
	    "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", "
	    "\"Action\": \"ses:*\", \"Resource\": \"*\", \"Condition\": "
	    "{\"NoSuchOperator\": {\"ses:FromAddress\": \"x@example.com\"}}}"
	    "]}]", 0, NULL);
	const char *why;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sendauth_evaluate(p, &r, &why), 0);
	ck_assert_str_eq(why, "no statement allows");
	ck_assert_int_eq(sendauth_evaluate(p, &r, NULL), 0);
	json_decref(p);
}
END_TEST

START_TEST(t_arn_parse)
{
	char region[64], account[16], name[512];

	ck_assert_int_eq(sendauth_arn_parse("arn:aws:ses:eu-west-1:"
	    "123456789012:identity/a@b.example", region, sizeof(region),
	    account, sizeof(account), name, sizeof(name)), 0);
	ck_assert_str_eq(region, "eu-west-1");
	ck_assert_str_eq(account, "123456789012");
	ck_assert_str_eq(name, "a@b.example");
	ck_assert_int_eq(sendauth_arn_parse("arn:aws:ses:*:123456789012:"
	    "identity/b.example", region, sizeof(region), account,
	    sizeof(account), name, sizeof(name)), 0);
	ck_assert_str_eq(region, "*");
	ck_assert_int_eq(sendauth_arn_parse("arn:aws:ses:us-east-1:12345:"
	    "identity/b.example", region, sizeof(region), account,
	    sizeof(account), name, sizeof(name)), -1);
	ck_assert_int_eq(sendauth_arn_parse("arn:aws:sns:us-east-1:"
	    "123456789012:identity/b.example", region, sizeof(region),
	    account, sizeof(account), name, sizeof(name)), -1);
	ck_assert_int_eq(sendauth_arn_parse("arn:aws:ses:us-east-1:"
	    "123456789012:template/b", region, sizeof(region), account,
	    sizeof(account), name, sizeof(name)), -1);
	ck_assert_int_eq(sendauth_arn_parse("arn:aws:ses:us-east-1:"
	    "123456789012:identity/", region, sizeof(region), account,
	    sizeof(account), name, sizeof(name)), -1);
	ck_assert_int_eq(sendauth_arn_parse("example.com", region,
	    sizeof(region), account, sizeof(account), name, sizeof(name)),
	    -1);
	ck_assert_int_eq(sendauth_arn_parse(NULL, region, sizeof(region),
	    account, sizeof(account), name, sizeof(name)), -1);
}
END_TEST

/* ---- sendauth_check against a temporary store ---- */

#define OWNER "111111111111"
#define CALLER "222222222222"
#define REGION "us-east-1"
#define T0 1704189600000LL	/* 2024-01-02T10:00:00Z */

static char mode_auto[] = "auto";
static struct cfg test_cfg;
static struct store *test_store;

static void
store_setup(void)
{
	char err[STORE_ERROR_MAX_BYTES];

	fixture_model_setup();
	memset(&test_cfg, 0, sizeof(test_cfg));
	test_cfg.verification = mode_auto;
	ck_assert_msg(store_init(NULL, 1, err, sizeof(err)) == 0, "%s", err);
	test_store = store_write_begin();
	ck_assert_ptr_nonnull(test_store);
}

static void
store_teardown(void)
{
	ck_assert_int_eq(store_write_end(test_store, 0), 0);
	store_shutdown();
	fixture_model_teardown();
}

static void
put_identity(const char *account, const char *region, const char *name,
    const char *type, const char *status, int64_t status_ms)
{
	struct store_identity id;

	store_identity_init(&id);
	id.name = xstrdup(name);
	id.type = xstrdup(type);
	id.verification_status = xstrdup(status);
	id.dkim_status = xstrdup("NotStarted");
	id.mail_from_behavior = xstrdup("UseDefaultValue");
	id.status_ms = status_ms;
	id.created_ms = status_ms;
	ck_assert_int_eq(store_identity_put(test_store, account, region, &id),
	    0);
	store_identity_fini(&id);
}

static void
put_policy(const char *account, const char *identity, const char *name,
    const char *text)
{
	ck_assert_int_eq(store_policy_put(test_store, account, REGION,
	    identity, name, text, T0), 0);
}

static struct op_ctx
make_ctx(const char *account, int v2)
{
	struct op_ctx ctx = { .cfg = &test_cfg, .store = test_store,
	    .account = account, .region = REGION, .request_id = "test",
	    .source_ip = "127.0.0.1", .access_key = "", .now_ms = T0,
	    .v2 = v2 };

	return ctx;
}

static const char *const rcpts[] = { "a@dest.example", "b@dest.example" };

static struct sendauth_request
make_req(const char *arn, const char *from)
{
	struct sendauth_request r = { .caller_account = CALLER,
	    .action = SENDAUTH_ACTION_SEND, .identity_arn = arn,
	    .from_address = from, .recipients = rcpts, .nrecipients = 2,
	    .api_version = "2010-12-01", .now_ms = T0,
	    .source_ip = "127.0.0.1" };

	return r;
}

#define ARN_DOMAIN "arn:aws:ses:" REGION ":" OWNER ":identity/example.com"
#define POLICY_ALLOW_CALLER \
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Caller\"," \
	"\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" CALLER \
	":root\"},\"Action\":[\"ses:SendEmail\",\"ses:SendRawEmail\"]," \
	"\"Resource\":\"" ARN_DOMAIN "\",\"Condition\":{\"StringLike\":" \
	"{\"ses:FromAddress\":\"*@example.com\"}}}]}"

static void
expect_error(int rc, const struct awserr *e, const char *code,
    const char *message)
{
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(e->code, code);
	ck_assert_str_eq(e->message, message);
}

START_TEST(t_check_cross_account_allowed)
{
	struct op_ctx ctx = make_ctx(CALLER, 0);
	struct sendauth_request r = make_req(ARN_DOMAIN, "news@example.com");
	struct awserr e;

	put_identity(OWNER, REGION, "example.com", "Domain", "Success", T0);
	put_policy(OWNER, "example.com", "p1", POLICY_ALLOW_CALLER);
	awserr_init(&e);
	ck_assert_int_eq(sendauth_check(&ctx, &r, &e), 0);
	/* a subdomain address is under the domain too */
	r.address = "bounces@mail.example.com";
	ck_assert_int_eq(sendauth_check(&ctx, &r, &e), 0);
	/* the global-endpoint form of the ARN */
	r.identity_arn = "arn:aws:ses:*:" OWNER ":identity/example.com";
	r.from_address = "news@example.com";
	r.address = NULL;
	ck_assert_int_eq(sendauth_check(&ctx, &r, &e), 0);
}
END_TEST

START_TEST(t_check_cross_account_denied)
{
	struct op_ctx ctx = make_ctx(CALLER, 0);
	struct sendauth_request r = make_req(ARN_DOMAIN, "news@example.com");
	struct awserr e;

	put_identity(OWNER, REGION, "example.com", "Domain", "Success", T0);
	awserr_init(&e);
	expect_error(sendauth_check(&ctx, &r, &e), &e, "AccessDenied",
	    "User `arn:aws:iam::" CALLER ":root' is not authorized to "
	    "perform `ses:SendEmail' on resource `" ARN_DOMAIN "'");
	/* v2 shape, and an action the policy does not grant */
	put_policy(OWNER, "example.com", "p1", POLICY_ALLOW_CALLER);
	ctx = make_ctx(CALLER, 1);
	r.action = SENDAUTH_ACTION_TEMPLATED;
	expect_error(sendauth_check(&ctx, &r, &e), &e,
	    "AccessDeniedException", "User `arn:aws:iam::" CALLER ":root' "
	    "is not authorized to perform `ses:SendTemplatedEmail' on "
	    "resource `" ARN_DOMAIN "'");
	/* a condition that does not hold */
	r.action = SENDAUTH_ACTION_RAW;
	r.from_address = "news@other.example";
	r.address = "";
	expect_error(sendauth_check(&ctx, &r, &e), &e,
	    "AccessDeniedException", "User `arn:aws:iam::" CALLER ":root' "
	    "is not authorized to perform `ses:SendRawEmail' on resource `"
	    ARN_DOMAIN "'");
}
END_TEST

START_TEST(t_check_policy_of_other_identity)
{
	struct op_ctx ctx = make_ctx(CALLER, 0);
	struct sendauth_request r = make_req("arn:aws:ses:" REGION ":" OWNER
	    ":identity/other.example", "x@other.example");
	struct awserr e;

	/* the policy on example.com does not extend to other.example */
	put_identity(OWNER, REGION, "example.com", "Domain", "Success", T0);
	put_identity(OWNER, REGION, "other.example", "Domain", "Success", T0);
	put_policy(OWNER, "example.com", "p1", POLICY_ALLOW_CALLER);
	awserr_init(&e);
	ck_assert_int_eq(sendauth_check(&ctx, &r, &e), -1);
	ck_assert_str_eq(e.code, "AccessDenied");
}
END_TEST

START_TEST(t_check_owner)
{
	struct op_ctx ctx = make_ctx(OWNER, 0);
	struct sendauth_request r = make_req(ARN_DOMAIN, "news@example.com");
	struct awserr e;

	r.caller_account = OWNER;
	put_identity(OWNER, REGION, "example.com", "Domain", "Success", T0);
	awserr_init(&e);
	ck_assert_int_eq(sendauth_check(&ctx, &r, &e), 0);
	/* an explicit Deny binds the owner too */
	put_policy(OWNER, "example.com", "deny", "{\"Statement\":{\"Effect\":"
	    "\"Deny\",\"Principal\":\"*\",\"Action\":\"ses:Send*\","
	    "\"Resource\":\"" ARN_DOMAIN "\"}}");
	expect_error(sendauth_check(&ctx, &r, &e), &e, "AccessDenied",
	    "User `arn:aws:iam::" OWNER ":root' is not authorized to perform "
	    "`ses:SendEmail' on resource `" ARN_DOMAIN "'");
}
END_TEST

START_TEST(t_check_unknown_identity)
{
	struct op_ctx ctx = make_ctx(CALLER, 0);
	struct sendauth_request r = make_req(ARN_DOMAIN, "news@example.com");
	struct awserr e;

	awserr_init(&e);
	expect_error(sendauth_check(&ctx, &r, &e), &e, "AccessDenied",
	    "User `arn:aws:iam::" CALLER ":root' is not authorized to "
	    "perform `ses:SendEmail' on resource `" ARN_DOMAIN "'");
	/* its owner is told the address is not verified */
	ctx = make_ctx(OWNER, 0);
	r.caller_account = OWNER;
	expect_error(sendauth_check(&ctx, &r, &e), &e, "MessageRejected",
	    "Email address is not verified. The following identities failed "
	    "the check in region US-EAST-1: news@example.com");
}
END_TEST

START_TEST(t_check_unverified_identity)
{
	struct op_ctx ctx = make_ctx(CALLER, 0);
	struct sendauth_request r = make_req(ARN_DOMAIN, "news@example.com");
	struct awserr e;

	put_identity(OWNER, REGION, "example.com", "Domain", "Pending", T0);
	put_policy(OWNER, "example.com", "p1", POLICY_ALLOW_CALLER);
	awserr_init(&e);
	expect_error(sendauth_check(&ctx, &r, &e), &e, "MessageRejected",
	    "Email address is not verified. The following identities failed "
	    "the check in region US-EAST-1: news@example.com");
}
END_TEST

START_TEST(t_check_address_not_under_identity)
{
	struct op_ctx ctx = make_ctx(CALLER, 0);
	struct sendauth_request r = make_req("arn:aws:ses:" REGION ":" OWNER
	    ":identity/Boss@example.com", "boss+news@example.com");
	struct awserr e;

	put_identity(OWNER, REGION, "Boss@example.com", "EmailAddress",
	    "Success", T0);
	put_policy(OWNER, "Boss@example.com", "p1", "{\"Statement\":[{"
	    "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" CALLER "\"},"
	    "\"Action\":\"ses:SendEmail\",\"Resource\":\"arn:aws:ses:" REGION
	    ":" OWNER ":identity/Boss@example.com\"}]}");
	awserr_init(&e);
	/* the local part is case-sensitive; a +label is allowed */
	ck_assert_int_eq(sendauth_check(&ctx, &r, &e), -1);
	ck_assert_str_eq(e.code, "MessageRejected");
	r.from_address = "Boss+news@EXAMPLE.com";
	ck_assert_int_eq(sendauth_check(&ctx, &r, &e), 0);
	r.from_address = "Boss@example.com";
	ck_assert_int_eq(sendauth_check(&ctx, &r, &e), 0);
	/* the return path is checked when it is the address sent as */
	r.address = "bounces@example.com";
	expect_error(sendauth_check(&ctx, &r, &e), &e, "MessageRejected",
	    "Email address is not verified. The following identities failed "
	    "the check in region US-EAST-1: bounces@example.com");
}
END_TEST

START_TEST(t_check_other_region)
{
	struct op_ctx ctx = make_ctx(CALLER, 0);
	struct sendauth_request r = make_req("arn:aws:ses:eu-west-1:" OWNER
	    ":identity/example.com", "news@example.com");
	struct awserr e;

	put_identity(OWNER, "eu-west-1", "example.com", "Domain", "Success",
	    T0);
	awserr_init(&e);
	expect_error(sendauth_check(&ctx, &r, &e), &e, "AccessDenied",
	    "User `arn:aws:iam::" CALLER ":root' is not authorized to "
	    "perform `ses:SendEmail' on resource `arn:aws:ses:eu-west-1:"
	    OWNER ":identity/example.com'");
}
END_TEST

START_TEST(t_check_malformed_arn)
{
	struct op_ctx ctx = make_ctx(CALLER, 0);
	struct sendauth_request r = make_req("example.com",
	    "news@example.com");
	struct awserr e;

	awserr_init(&e);
	expect_error(sendauth_check(&ctx, &r, &e), &e,
	    "InvalidParameterValue", "Invalid identity ARN: example.com. "
	    "Expected arn:aws:ses:REGION:ACCOUNT:identity/NAME.");
	ctx = make_ctx(CALLER, 1);
	ck_assert_int_eq(sendauth_check(&ctx, &r, &e), -1);
	ck_assert_str_eq(e.code, "BadRequestException");
}
END_TEST

static Suite *
sendauth_suite(void)
{
	Suite *s = suite_create("sendauth");
	TCase *pure = tcase_create("evaluate");
	TCase *check = tcase_create("check");

	tcase_add_test(pure, t_golden);
	tcase_add_test(pure, t_evaluate_odd_documents);
	tcase_add_test(pure, t_arn_parse);
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(check, store_setup, store_teardown);
	tcase_add_test(check, t_check_cross_account_allowed);
	tcase_add_test(check, t_check_cross_account_denied);
	tcase_add_test(check, t_check_policy_of_other_identity);
	tcase_add_test(check, t_check_owner);
	tcase_add_test(check, t_check_unknown_identity);
	tcase_add_test(check, t_check_unverified_identity);
	tcase_add_test(check, t_check_address_not_under_identity);
	tcase_add_test(check, t_check_other_region);
	tcase_add_test(check, t_check_malformed_arn);
	suite_add_tcase(s, check);
	return s;
}

int
main(void)
{
	return fixture_run(sendauth_suite());
}
