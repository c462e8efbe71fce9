/*
 * test_qry — the v1 Query codec: golden decode, encode and error cases
 * under fixtures/qry/, plus synthetic shapes the SES model does not use as
 * input (maps, flattened lists).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "model.h"
#include "qry.h"

#define RID "00000000-0000-4000-8000-000000000000"

START_TEST(t_decode_golden)
{
	char **cases, *req, *exp;
	size_t n, i, len;

	n = fixture_cases("qry/decode", &cases);
	ck_assert_uint_ge(n, 25);
	for (i = 0; i < n; i++) {
		struct qry_params *p = qry_params_new();
		const struct model_op *op = NULL;
		struct awserr e;
		json_t *in = NULL, *want, *got;
		int rc;

		req = fixture_read("qry/decode", cases[i], "request", NULL);
		exp = fixture_read("qry/decode", cases[i], "expected.json",
		    NULL);
		ck_assert_msg(req && exp, "%s: missing files", cases[i]);
		fixture_chomp(req, &len);
		want = json_loads(exp, 0, NULL);
		ck_assert_msg(want != NULL, "%s: bad expected.json", cases[i]);
		awserr_init(&e);
		rc = qry_params_add(p, req, len, &e);
		if (rc == 0)
			rc = qry_decode(model_ses(), p, &op, &in, &e);
		if (rc == 0)
			got = json_pack("{s:s,s:O}", "op", op->name, "input",
			    in);
		else
			got = json_pack("{s:{s:s,s:s}}", "error", "code",
			    e.code, "message", e.message);
		fixture_check_json(cases[i], got, want);
		json_decref(got);
		json_decref(want);
		json_decref(in);
		qry_params_free(p);
		free(req);
		free(exp);
	}
	fixture_cases_free(cases, n);
}
END_TEST

START_TEST(t_encode_golden)
{
	char **cases, *opname, *out_text, *exp, *xml;
	size_t n, i, len;

	n = fixture_cases("qry/encode", &cases);
	ck_assert_uint_ge(n, 8);
	for (i = 0; i < n; i++) {
		const struct model_op *op;
		json_t *out = NULL;

		opname = fixture_read("qry/encode", cases[i], "op", NULL);
		exp = fixture_read("qry/encode", cases[i], "expected.xml",
		    NULL);
		out_text = fixture_read("qry/encode", cases[i], "output.json",
		    NULL);
		ck_assert_msg(opname && exp, "%s: missing files", cases[i]);
		fixture_chomp(opname, NULL);
		op = model_op_find(model_ses(), opname);
		ck_assert_msg(op != NULL, "%s: no op %s", cases[i], opname);
		if (out_text != NULL)
			out = json_loads(out_text, 0, NULL);
		xml = qry_encode(op, out, RID, &len);
		ck_assert_msg(strcmp(xml, exp) == 0, "%s:\n got %s\nwant %s",
		    cases[i], xml, exp);
		ck_assert_uint_eq(len, strlen(xml));
		free(xml);
		json_decref(out);
		free(opname);
		free(exp);
		free(out_text);
	}
	fixture_cases_free(cases, n);
}
END_TEST

START_TEST(t_error_golden)
{
	char **cases, *ej, *exp, *st, *xml;
	size_t n, i, len;

	n = fixture_cases("qry/error", &cases);
	ck_assert_uint_ge(n, 4);
	for (i = 0; i < n; i++) {
		struct awserr e;
		json_t *j;
		int status;

		ej = fixture_read("qry/error", cases[i], "error.json", NULL);
		exp = fixture_read("qry/error", cases[i], "expected.xml",
		    NULL);
		st = fixture_read("qry/error", cases[i], "status", NULL);
		ck_assert_msg(ej && exp && st, "%s: missing files", cases[i]);
		j = json_loads(ej, 0, NULL);
		awserr_init(&e);
		if (json_integer_value(json_object_get(j, "status")) != 0)
			awserr_set_status(&e, (int)json_integer_value(
			    json_object_get(j, "status")), json_string_value(
			    json_object_get(j, "code")), "%s",
			    json_string_value(json_object_get(j, "message")));
		else
			awserr_set(&e, json_string_value(json_object_get(j,
			    "code")), "%s", json_string_value(json_object_get(
			    j, "message")));
		xml = qry_error(model_ses(), &e, RID, &status, &len);
		ck_assert_msg(strcmp(xml, exp) == 0, "%s:\n got %s\nwant %s",
		    cases[i], xml, exp);
		ck_assert_int_eq(status, atoi(st));
		free(xml);
		json_decref(j);
		free(ej);
		free(exp);
		free(st);
	}
	fixture_cases_free(cases, n);
}
END_TEST

/* A map member and a flattened list: no SES v1 input has them. */
START_TEST(t_decode_synthetic_map_and_flattened)
{
	struct model_shape str = { .name = "S", .type = MODEL_STRING };
	struct model_member key = { .name = "key", .wire_name = "key",
	    .shape = &str };
	struct model_member val = { .name = "value", .wire_name = "value",
	    .shape = &str };
	struct model_member elem = { .name = "member", .wire_name = "member",
	    .shape = &str };
	struct model_shape map = { .name = "M", .type = MODEL_MAP,
	    .key = &key, .value = &val };
	struct model_shape flat = { .name = "L", .type = MODEL_LIST,
	    .flattened = 1, .member = &elem };
	struct model_member members[] = {
		{ .name = "Attrs", .wire_name = "Attrs", .shape = &map },
		{ .name = "Items", .wire_name = "Item", .shape = &flat },
	};
	struct model_shape in = { .name = "In", .type = MODEL_STRUCTURE,
	    .members = members, .nmembers = 2 };
	static const char form[] = "Attrs.entry.1.key=a&Attrs.entry.1.value=1&"
	    "Attrs.entry.2.key=b&Attrs.entry.2.value=2&Item.1=x&Item.2=y";
	struct qry_params *p = qry_params_new();
	struct awserr e;
	json_t *got = NULL, *want;

	awserr_init(&e);
	ck_assert_int_eq(qry_params_add(p, form, strlen(form), &e), 0);
	ck_assert_int_eq(qry_decode_input(&in, p, &got, &e), 0);
	want = json_pack("{s:{s:s,s:s},s:[s,s]}", "Attrs", "a", "1", "b",
	    "2", "Items", "x", "y");
	fixture_check_json("synthetic", got, want);
	json_decref(got);
	json_decref(want);
	qry_params_free(p);
}
END_TEST

/* 10,000 list members decode (binary searches, not a quadratic scan). */
START_TEST(t_decode_ten_thousand_members)
{
	struct qry_params *p = qry_params_new();
	const struct model_op *op;
	struct awserr e;
	json_t *in = NULL;
	char *form = xstrdup("Action=GetIdentityVerificationAttributes");
	char *next;
	int i;

	for (i = 1; i <= 10000; i++) {
		next = xasprintf("%s&Identities.member.%d=u%d%%40example.com",
		    form, i, i);
		free(form);
		form = next;
	}
	awserr_init(&e);
	ck_assert_int_eq(qry_params_add(p, form, strlen(form), &e), 0);
	ck_assert_int_eq(qry_decode(model_ses(), p, &op, &in, &e), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(in, "Identities")),
	    10000);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(in,
	    "Identities"), 9999)), "u10000@example.com");
	json_decref(in);
	qry_params_free(p);
	free(form);
}
END_TEST

START_TEST(t_params_limit)
{
	struct qry_params *p = qry_params_new();
	struct awserr e;
	size_t i, n = QRY_PARAMS_MAX + 1;
	char *form = xmalloc(n * 4 + 1);

	for (i = 0; i < n; i++)
		memcpy(form + i * 4, "a=1&", 4);
	form[n * 4] = '\0';
	awserr_init(&e);
	ck_assert_int_eq(qry_params_add(p, form, n * 4, &e), -1);
	ck_assert_str_eq(e.code, "MalformedQueryString");
	qry_params_free(p);
	free(form);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("qry");
	TCase *tc = tcase_create("qry");

	tcase_add_checked_fixture(tc, fixture_model_setup,
	    fixture_model_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_decode_golden);
	tcase_add_test(tc, t_encode_golden);
	tcase_add_test(tc, t_error_golden);
	tcase_add_test(tc, t_decode_synthetic_map_and_flattened);
	tcase_add_test(tc, t_decode_ten_thousand_members);
	tcase_add_test(tc, t_params_limit);
	suite_add_tcase(s, tc);
	return fixture_run(s);
}
