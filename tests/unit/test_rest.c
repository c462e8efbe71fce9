/*
 * test_rest — the v2 REST-JSON codec: golden routing/decoding and encoding
 * cases under fixtures/rest/, error rendering, and synthetic operations for
 * what the SES v2 model does not use (greedy labels, header and status-code
 * bindings).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "model.h"
#include "rest.h"

/*
 * Runs one request file: "METHOD TARGET\n" then "Name: value" header lines,
 * a blank line and the body. Returns {"op","input"} or {"error"} (new).
 */
static json_t *
run_request(char *text)
{
	struct wire_header h[16];
	struct rest_match m;
	const struct model_op *op;
	struct awserr e;
	char *line = text, *nl, *sp, *target, *query, *body;
	json_t *in = NULL, *res;
	size_t n = 0;

	nl = strchr(line, '\n');
	*nl = '\0';
	sp = strchr(line, ' ');
	*sp = '\0';
	target = sp + 1;
	for (line = nl + 1; *line != '\n'; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		sp = strchr(line, ':');
		*sp = '\0';
		h[n].name = line;
		h[n++].value = sp + 2;
	}
	body = line + 1;
	if ((query = strchr(target, '?')) != NULL)
		*query++ = '\0';
	awserr_init(&e);
	op = rest_route(model_sesv2(), text, target, &m, &e);
	if (op != NULL && rest_decode(op, &m, query, h, n, body, strlen(body),
	    &in, &e) == 0)
		res = json_pack("{s:s,s:o}", "op", op->name, "input", in);
	else
		res = json_pack("{s:{s:s,s:s}}", "error", "code", e.code,
		    "message", e.message);
	if (op != NULL)
		rest_match_fini(&m);
	return res;
}

START_TEST(t_decode_golden)
{
	char **cases, *req, *exp;
	size_t n, i;

	n = fixture_cases("rest/decode", &cases);
	ck_assert_uint_ge(n, 25);
	for (i = 0; i < n; i++) {
		json_t *got, *want;

		req = fixture_read("rest/decode", cases[i], "request", NULL);
		exp = fixture_read("rest/decode", cases[i], "expected.json",
		    NULL);
		ck_assert_msg(req && exp, "%s: missing files", cases[i]);
		want = json_loads(exp, 0, NULL);
		ck_assert_msg(want != NULL, "%s: bad expected.json", cases[i]);
		got = run_request(req);
		fixture_check_json(cases[i], got, want);
		json_decref(got);
		json_decref(want);
		free(req);
		free(exp);
	}
	fixture_cases_free(cases, n);
}
END_TEST

START_TEST(t_encode_golden)
{
	char **cases, *opname, *out_text, *exp, *st;
	size_t n, i, len;

	n = fixture_cases("rest/encode", &cases);
	ck_assert_uint_ge(n, 5);
	for (i = 0; i < n; i++) {
		const struct model_op *op;
		struct rest_out r;
		json_t *out = NULL;

		opname = fixture_read("rest/encode", cases[i], "op", NULL);
		exp = fixture_read("rest/encode", cases[i], "expected.json",
		    NULL);
		st = fixture_read("rest/encode", cases[i], "status", NULL);
		out_text = fixture_read("rest/encode", cases[i],
		    "output.json", NULL);
		ck_assert_msg(opname && exp && st, "%s: missing files",
		    cases[i]);
		fixture_chomp(opname, NULL);
		fixture_chomp(exp, &len);
		op = model_op_find(model_sesv2(), opname);
		ck_assert_msg(op != NULL, "%s: no op %s", cases[i], opname);
		if (out_text != NULL)
			out = json_loads(out_text, 0, NULL);
		rest_encode(op, out, &r);
		ck_assert_msg(strcmp(r.body, exp) == 0, "%s:\n got %s\nwant %s",
		    cases[i], r.body, exp);
		ck_assert_int_eq(r.status, atoi(st));
		rest_out_fini(&r);
		json_decref(out);
		free(opname);
		free(exp);
		free(st);
		free(out_text);
	}
	fixture_cases_free(cases, n);
}
END_TEST

START_TEST(t_error_status)
{
	static const struct {
		const char *code;
		int pinned;
		int status;
	} cases[] = {
		{ "NotFoundException", 0, 404 },
		{ "AlreadyExistsException", 0, 400 },
		{ "TooManyRequestsException", 0, 429 },
		{ "ConflictException", 0, 409 },
		{ "InternalServiceErrorException", 0, 500 },
		{ "NotImplemented", 0, 501 },
		{ "UnknownOperationException", 0, 404 },
		{ "SomethingElse", 0, 400 },
		{ "SignatureDoesNotMatch", 403, 403 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rest_out r;
		struct awserr e;

		awserr_init(&e);
		if (cases[i].pinned)
			awserr_set_status(&e, cases[i].pinned, cases[i].code,
			    "m \"%zu\"", i);
		else
			awserr_set(&e, cases[i].code, "m \"%zu\"", i);
		rest_error(model_sesv2(), &e, &r);
		ck_assert_msg(r.status == cases[i].status, "%s: %d",
		    cases[i].code, r.status);
		ck_assert_str_eq(r.headers[0].name, "x-amzn-ErrorType");
		ck_assert_str_eq(r.headers[0].value, cases[i].code);
		{
			char *want = xasprintf("{\"message\":\"m \\\"%zu\\\"\"}",
			    i);

			ck_assert_str_eq(r.body, want);
			free(want);
		}
		rest_out_fini(&r);
	}
}
END_TEST

/* A synthetic service: greedy label, header members, status binding. */
START_TEST(t_synthetic_greedy_headers_status)
{
	struct model_shape str = { .name = "S", .type = MODEL_STRING };
	struct model_shape num = { .name = "I", .type = MODEL_INTEGER };
	struct model_shape map = { .name = "M", .type = MODEL_MAP };
	struct model_member mval = { .name = "value", .wire_name = "value",
	    .shape = &str };
	struct model_member in_m[] = {
		{ .name = "Key", .wire_name = "Key", .shape = &str,
		    .location = MODEL_LOC_URI, .required = 1 },
		{ .name = "Trace", .wire_name = "X-Trace", .shape = &str,
		    .location = MODEL_LOC_HEADER },
		{ .name = "Meta", .wire_name = "x-meta-", .shape = &map,
		    .location = MODEL_LOC_HEADERS },
		{ .name = "Limit", .wire_name = "limit", .shape = &num,
		    .location = MODEL_LOC_QUERY },
	};
	struct model_member out_m[] = {
		{ .name = "Code", .wire_name = "Code", .shape = &num,
		    .location = MODEL_LOC_STATUS },
		{ .name = "ETag", .wire_name = "ETag", .shape = &str,
		    .location = MODEL_LOC_HEADER },
		{ .name = "Body", .wire_name = "body", .shape = &str },
	};
	struct model_shape in = { .name = "In", .type = MODEL_STRUCTURE,
	    .members = in_m, .nmembers = 4 };
	struct model_shape out = { .name = "Out", .type = MODEL_STRUCTURE,
	    .members = out_m, .nmembers = 3 };
	struct model_segment segs[] = {
		{ .literal = "objects" }, { .label = &in_m[0], .greedy = 1 },
	};
	struct model_service svc = { .name = "synthetic", .rest = 1 };
	struct model_op ops[] = {
		{ .name = "GetObject", .service = &svc, .method = "GET",
		    .request_uri = "/objects/{Key+}", .segments = segs,
		    .nsegments = 2, .nliterals = 1, .input = &in,
		    .output = &out, .response_code = 200 },
	};
	struct wire_header h[] = {
		{ "x-trace", "abc" }, { "X-Meta-Color", "blue" },
		{ "Accept", "*/*" },
	};
	struct rest_match m;
	struct rest_out r;
	struct awserr e;
	json_t *got = NULL, *want, *o;

	map.key = &mval;
	map.value = &mval;
	svc.ops = ops;
	svc.nops = 1;
	awserr_init(&e);
	ck_assert_ptr_eq(rest_route(&svc, "GET", "/objects/a/b%20c/d.txt", &m,
	    &e), &ops[0]);
	ck_assert_int_eq(rest_decode(&ops[0], &m, "limit=7", h, 3, "", 0,
	    &got, &e), 0);
	want = json_pack("{s:s,s:s,s:{s:s},s:i}", "Key", "a/b c/d.txt",
	    "Trace", "abc", "Meta", "Color", "blue", "Limit", 7);
	fixture_check_json("greedy", got, want);
	rest_match_fini(&m);
	json_decref(got);
	json_decref(want);

	ck_assert_ptr_null(rest_route(&svc, "GET", "/objects", &m, &e));
	ck_assert_str_eq(e.code, "UnknownOperationException");

	o = json_pack("{s:i,s:s,s:s}", "Code", 206, "ETag", "\"x\"", "Body",
	    "hi");
	rest_encode(&ops[0], o, &r);
	ck_assert_int_eq(r.status, 206);
	ck_assert_uint_eq(r.nheaders, 1);
	ck_assert_str_eq(r.headers[0].name, "ETag");
	ck_assert_str_eq(r.headers[0].value, "\"x\"");
	ck_assert_str_eq(r.body, "{\"body\":\"hi\"}");
	rest_out_fini(&r);
	json_decref(o);
}
END_TEST

START_TEST(t_deep_json)
{
	const struct model_op *op = model_op_find(model_sesv2(),
	    "PutAccountDetails");
	struct rest_match m = { .n = 0 };
	struct awserr e;
	size_t depth = 100000, i;
	char *body = xmalloc(depth * 2 + 1);
	json_t *in = NULL;

	for (i = 0; i < depth; i++) {
		body[i] = '[';
		body[depth + i] = ']';
	}
	body[depth * 2] = '\0';
	awserr_init(&e);
	ck_assert_int_eq(rest_decode(op, &m, NULL, NULL, 0, body, depth * 2,
	    &in, &e), -1);
	ck_assert_str_eq(e.code, "BadRequestException");
	ck_assert_ptr_nonnull(strstr(e.message, "maximum parsing depth"));
	free(body);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rest");
	TCase *tc = tcase_create("rest");

	tcase_add_checked_fixture(tc, fixture_model_setup,
	    fixture_model_teardown);
	tcase_add_test(tc, t_decode_golden);
	tcase_add_test(tc, t_encode_golden);
	tcase_add_test(tc, t_error_status);
	tcase_add_test(tc, t_synthetic_greedy_headers_status);
	tcase_add_test(tc, t_deep_json);
	suite_add_tcase(s, tc);
	return fixture_run(s);
}
