/*
 * test_tpl — the template engine: golden cases under fixtures/tpl/<case>/
 * (template, data.json, and either expected — the exact output — or error
 * — "MISSING: <message>", "SYNTAX: <message>" or "LIMIT: <message>"), plus
 * the TestRenderTemplate MIME message and tpl_check.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tpl.h"

static const char *const kind_names[] = {
	[TPL_OK] = "OK", [TPL_ERR_MISSING] = "MISSING",
	[TPL_ERR_SYNTAX] = "SYNTAX", [TPL_ERR_LIMIT] = "LIMIT",
};

START_TEST(t_golden)
{
	char **cases, *tmpl, *data_s, *exp, *err_s, *got, *line;
	char err[TPL_ERROR_MAX_BYTES], cerr[TPL_ERROR_MAX_BYTES];
	size_t n, i, tlen, elen, glen;
	enum tpl_error kind;
	json_error_t jerr;
	json_t *data;
	int crc;

	n = fixture_cases("tpl", &cases);
	ck_assert_uint_ge(n, 40);
	for (i = 0; i < n; i++) {
		tmpl = fixture_read("tpl", cases[i], "template", &tlen);
		data_s = fixture_read("tpl", cases[i], "data.json", NULL);
		exp = fixture_read("tpl", cases[i], "expected", &elen);
		err_s = fixture_read("tpl", cases[i], "error", NULL);
		ck_assert_msg(tmpl != NULL && (exp != NULL) != (err_s != NULL),
		    "%s: needs template and one of expected, error", cases[i]);
		data = data_s != NULL ? json_loads(data_s, 0, &jerr) :
		    json_object();
		ck_assert_msg(data != NULL, "%s: data.json: %s", cases[i],
		    jerr.text);
		got = tpl_render(tmpl, tlen, data, &glen, &kind, err);
		crc = tpl_check(tmpl, tlen, cerr);
		if (exp != NULL) {
			ck_assert_msg(got != NULL, "%s: %s: %s", cases[i],
			    kind_names[kind], err);
			ck_assert_msg(glen == elen && memcmp(got, exp, glen) ==
			    0, "%s:\n got [%s]\nwant [%s]", cases[i], got, exp);
			ck_assert_msg(crc == 0, "%s: check: %s", cases[i],
			    cerr);
		} else {
			fixture_chomp(err_s, NULL);
			ck_assert_msg(got == NULL, "%s: rendered [%s]",
			    cases[i], got);
			line = xasprintf("%s: %s", kind_names[kind], err);
			ck_assert_msg(strcmp(line, err_s) == 0,
			    "%s:\n got %s\nwant %s", cases[i], line, err_s);
			free(line);
			/* tpl_check finds exactly the syntax errors */
			if (kind == TPL_ERR_SYNTAX)
				ck_assert_msg(crc == -1 && strcmp(cerr, err) ==
				    0, "%s: check said %d %s", cases[i], crc,
				    cerr);
			else
				ck_assert_msg(crc == 0, "%s: check: %s",
				    cases[i], cerr);
		}
		free(got);
		json_decref(data);
		free(tmpl);
		free(data_s);
		free(exp);
		free(err_s);
	}
	fixture_cases_free(cases, n);
}
END_TEST

/* 2024-01-02T10:00:00Z */
#define T0 1704189600000LL

START_TEST(t_message_alternative)
{
	static const char head[] = "Date: Tue, 02 Jan 2024 10:00:00 +0000\r\n"
	    "Subject: Hi Ana\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/alternative; \r\n\tboundary=\"";
	json_t *data = json_pack("{s:s,s:s}", "name", "Ana", "city", "Kraków");
	enum tpl_error kind;
	char err[TPL_ERROR_MAX_BYTES], *m, *b;
	size_t len;

	m = tpl_render_message_at("Hi {{name}}", "Hello {{name}}\nfrom {{city}}",
	    "<p>{{name}}</p>", data, T0, &len, &kind, err);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(strlen(m), len);
	ck_assert(strncmp(m, head, strlen(head)) == 0);
	b = strstr(m, "boundary=\"") + 10;
	ck_assert_ptr_nonnull(strstr(m, "Content-Type: text/plain; "
	    "charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable"
	    "\r\n\r\nHello Ana\r\nfrom Krak=C3=B3w\r\n--"));
	ck_assert_ptr_nonnull(strstr(m, "Content-Type: text/html; "
	    "charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
	    "<p>Ana</p>\r\n--"));
	ck_assert(strncmp(m + len - 4, "--\r\n", 4) == 0);
	ck_assert(strncmp(b, "----=_Part_", 11) == 0);
	free(m);
	json_decref(data);
}
END_TEST

START_TEST(t_message_single_and_encoded_subject)
{
	json_t *data = json_pack("{s:s}", "name", "Zoë");
	enum tpl_error kind;
	char err[TPL_ERROR_MAX_BYTES], *m;
	size_t len;

	m = tpl_render_message_at("Grüße {{name}}", NULL, "<b>{{name}}</b>",
	    data, T0, &len, &kind, err);
	ck_assert_ptr_nonnull(m);
	/* "Grüße Zoë" in base64 */
	ck_assert_str_eq(m, "Date: Tue, 02 Jan 2024 10:00:00 +0000\r\n"
	    "Subject: =?UTF-8?B?R3LDvMOfZSBab8Or?=\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/html; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "<b>Zo=C3=AB</b>");
	free(m);
	m = tpl_render_message_at(NULL, "plain", NULL, data, T0, &len, &kind,
	    err);
	ck_assert_str_eq(m, "Date: Tue, 02 Jan 2024 10:00:00 +0000\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\nplain");
	free(m);
	json_decref(data);
}
END_TEST

START_TEST(t_message_errors_in_part_order)
{
	json_t *data = json_object();
	enum tpl_error kind;
	char err[TPL_ERROR_MAX_BYTES];
	size_t len;

	ck_assert_ptr_null(tpl_render_message_at("{{a}}", "{{b}}", "{{c",
	    data, T0, &len, &kind, err));
	ck_assert_int_eq(kind, TPL_ERR_MISSING);
	ck_assert_str_eq(err, "Attribute 'a' is not present in the rendering "
	    "data.");
	ck_assert_ptr_null(tpl_render_message_at("x", "{{#if}}", "{{c}}",
	    data, T0, &len, &kind, err));
	ck_assert_int_eq(kind, TPL_ERR_SYNTAX);
	json_decref(data);
}
END_TEST

START_TEST(t_qp_long_lines)
{
	json_t *data = json_object();
	enum tpl_error kind;
	char err[TPL_ERROR_MAX_BYTES], *m, *body, *line, *s;
	size_t len, i;

	s = xmalloc(2001);
	for (i = 0; i < 2000; i++)
		s[i] = (char)('a' + i % 26);
	s[2000] = '\0';
	m = tpl_render_message_at(NULL, s, NULL, data, T0, &len, &kind, err);
	ck_assert_ptr_nonnull(strstr(m, "quoted-printable"));
	body = strstr(m, "\r\n\r\n") + 4;
	for (line = body; *line != '\0';) {
		char *end = strstr(line, "\r\n");
		size_t n = end != NULL ? (size_t)(end - line) : strlen(line);

		ck_assert_uint_le(n, 76);
		line = end != NULL ? end + 2 : line + n;
	}
	free(m);
	free(s);
	json_decref(data);
}
END_TEST

START_TEST(t_output_limit)
{
	/* 300 × 300 × 300 × 1 KB: well over TPL_OUTPUT_MAX_BYTES */
	json_t *list = json_array(), *data;
	enum tpl_error kind;
	char err[TPL_ERROR_MAX_BYTES], chunk[1025];
	char *t;
	size_t i, len;

	for (i = 0; i < 300; i++)
		json_array_append_new(list, json_integer((json_int_t)i));
	data = json_pack("{s:o}", "l", list);
	memset(chunk, 'x', 1024);
	chunk[1024] = '\0';
	t = xasprintf("{{#each l}}{{#each ../l}}{{#each ../../l}}%s"
	    "{{/each}}{{/each}}{{/each}}", chunk);
	ck_assert_ptr_null(tpl_render(t, strlen(t), data, &len, &kind, err));
	ck_assert_int_eq(kind, TPL_ERR_LIMIT);
	free(t);
	json_decref(data);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tpl");
	TCase *tc = tcase_create("tpl");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_golden);
	tcase_add_test(tc, t_message_alternative);
	tcase_add_test(tc, t_message_single_and_encoded_subject);
	tcase_add_test(tc, t_message_errors_in_part_order);
	tcase_add_test(tc, t_qp_long_lines);
	tcase_add_test(tc, t_output_limit);
	suite_add_tcase(s, tc);
	return fixture_run(s);
}
