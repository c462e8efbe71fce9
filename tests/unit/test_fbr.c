/*
 * test_fbr — the feedback report parser: golden cases (fixtures/fbr:
 * input.eml → expected.json, the report as JSON, or expected-error.txt),
 * each read with LF and with CRLF line ends; every prefix of every case
 * (truncation must fail cleanly, never crash); seeded byte mutations;
 * the reports sesbox itself builds (simulator/feedback.c) read back; the
 * limits (recipients, value length), NUL bytes and the quoting of input
 * in errors.
 *
 * SESBOX_FIXTURE_UPDATE=1 rewrites expected.json from the current output
 * (review the diff before committing).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fbr.h"
#include "feedback.h"
#include "fixture.h"

#define AREA "fbr"

static int
update_mode(void)
{
	const char *u = getenv("SESBOX_FIXTURE_UPDATE");

	return u != NULL && strcmp(u, "1") == 0;
}

/* s with every line ending in LF (crlf 0) or CRLF (crlf 1); new. */
static char *
line_ends(const char *s, size_t n, int crlf, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if (s[i] == '\n' && crlf)
			buf_putc(&b, '\r');
		buf_putc(&b, s[i]);
	}
	return buf_steal(&b, len);
}

static void
set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, key, json_string(v));
}

/* The report as the golden files hold it (new); NULL fields left out. */
static json_t *
report_json(const struct fbr_report *r)
{
	json_t *o = json_object(), *a;
	size_t i;

	json_object_set_new(o, "kind", json_string(r->kind == FBR_DSN ? "dsn" :
	    r->kind == FBR_ARF ? "arf" : "?"));
	set_str(o, "reporting_mta", r->reporting_mta);
	set_str(o, "arrival_date", r->arrival_date);
	set_str(o, "original_envelope_id", r->original_envelope_id);
	if (r->kind == FBR_DSN || r->nrcpts > 0) {
		a = json_array();
		for (i = 0; i < r->nrcpts; i++) {
			const struct fbr_recipient *rc = &r->rcpts[i];
			json_t *x = json_object();

			set_str(x, "final_recipient", rc->final_recipient);
			set_str(x, "original_recipient",
			    rc->original_recipient);
			set_str(x, "action", rc->action);
			set_str(x, "status", rc->status);
			set_str(x, "diagnostic", rc->diagnostic);
			set_str(x, "remote_mta", rc->remote_mta);
			json_array_append_new(a, x);
		}
		json_object_set_new(o, "recipients", a);
	}
	set_str(o, "feedback_type", r->feedback_type);
	set_str(o, "user_agent", r->user_agent);
	set_str(o, "original_rcpt_to", r->original_rcpt_to);
	set_str(o, "original_mail_from", r->original_mail_from);
	if (r->noriginal_rcpt_tos > 0) {
		a = json_array();
		for (i = 0; i < r->noriginal_rcpt_tos; i++)
			json_array_append_new(a,
			    json_string(r->original_rcpt_tos[i]));
		json_object_set_new(o, "original_rcpt_tos", a);
	}
	set_str(o, "original_message_id", r->original_message_id);
	set_str(o, "original_return_path", r->original_return_path);
	set_str(o, "subject", r->subject);
	return o;
}

static int
is_zero(const struct fbr_report *r)
{
	static const struct fbr_report zero;

	return memcmp(r, &zero, sizeof(zero)) == 0;
}

/* Parses s and asserts the error text, and that *out is zeroed. */
static void
check_error(const char *what, const char *s, size_t n, const char *want)
{
	struct fbr_report r;
	char err[FBR_ERROR_MAX_BYTES] = "";

	memset(&r, 0xa5, sizeof(r));
	ck_assert_msg(fbr_parse(s, n, &r, err, sizeof(err)) == -1,
	    "%s: parsed", what);
	ck_assert_msg(strcmp(err, want) == 0, "%s:\n got %s\nwant %s", what,
	    err, want);
	ck_assert_msg(is_zero(&r), "%s: report not zeroed", what);
}

/* Parses s, which must parse (*r filled). */
static void
parse_ok(const char *what, const char *s, size_t n, struct fbr_report *r)
{
	char err[FBR_ERROR_MAX_BYTES] = "";

	ck_assert_msg(fbr_parse(s, n, r, err, sizeof(err)) == 0, "%s: %s",
	    what, err);
}

START_TEST(t_golden)
{
	char **cases;
	size_t n, i, ok = 0, bad = 0;
	int crlf;

	n = fixture_cases(AREA, &cases);
	ck_assert_uint_ge(n, 30);
	for (i = 0; i < n; i++) {
		size_t len = 0, vlen;
		char *in = fixture_read(AREA, cases[i], "input.eml", &len);
		char *want_err = fixture_read(AREA, cases[i],
		    "expected-error.txt", NULL);
		char *want = fixture_read(AREA, cases[i], "expected.json",
		    NULL);

		ck_assert_msg(in != NULL, "%s: no input.eml", cases[i]);
		for (crlf = 0; crlf < 2; crlf++) {
			char *v = line_ends(in, len, crlf, &vlen);
			char *what = xasprintf("%s (%s)", cases[i], crlf ?
			    "CRLF" : "LF");
			struct fbr_report r;
			json_t *got, *w;

			if (want_err != NULL) {
				fixture_chomp(want_err, NULL);
				check_error(what, v, vlen, want_err);
				bad++;
				free(v);
				free(what);
				continue;
			}
			parse_ok(what, v, vlen, &r);
			got = report_json(&r);
			if (update_mode() && !crlf) {
				char *path = fixture_path(AREA, cases[i],
				    "expected.json");

				ck_assert(json_dump_file(got, path,
				    JSON_INDENT(2) | JSON_SORT_KEYS) == 0);
				free(path);
				free(want);
				want = fixture_read(AREA, cases[i],
				    "expected.json", NULL);
			}
			ck_assert_msg(want != NULL, "%s: no expected.json",
			    cases[i]);
			w = json_loads(want, 0, NULL);
			ck_assert_msg(w != NULL, "%s: bad expected.json",
			    cases[i]);
			fixture_check_json(what, got, w);
			json_decref(w);
			json_decref(got);
			fbr_fini(&r);
			ck_assert(is_zero(&r));
			ok++;
			free(v);
			free(what);
		}
		free(in);
		free(want_err);
		free(want);
	}
	ck_assert_uint_ge(ok, 2 * 14);
	ck_assert_uint_ge(bad, 2 * 18);
	fixture_cases_free(cases, n);
}
END_TEST

/* Every prefix of every case, in both line-end styles: no crash, and a
 * prefix that fails leaves the report zeroed. Run under ASan by
 * `make asan`. */
START_TEST(t_prefixes)
{
	char **cases;
	size_t n, i, k, vlen, len = 0;
	int crlf;

	n = fixture_cases(AREA, &cases);
	for (i = 0; i < n; i++) {
		char *in = fixture_read(AREA, cases[i], "input.eml", &len);

		for (crlf = 0; crlf < 2; crlf++) {
			char *v = line_ends(in, len, crlf, &vlen);

			for (k = 0; k < vlen; k++) {
				/* Exactly k bytes, so ASan sees any read
				 * past them. */
				char *p = xmalloc(k + 1);
				struct fbr_report r;
				char err[FBR_ERROR_MAX_BYTES];

				memcpy(p, v, k);
				if (fbr_parse(p, k, &r, err, sizeof(err)) == 0)
					fbr_fini(&r);
				else
					ck_assert_msg(is_zero(&r) && *err !=
					    '\0', "%s: %zu", cases[i], k);
				free(p);
			}
			free(v);
		}
		free(in);
	}
	fixture_cases_free(cases, n);
}
END_TEST

/* Seeded random byte changes to the parsing cases: bytes that matter to
 * the syntax (line ends, colons, quotes, dashes, NUL) and any byte. */
START_TEST(t_mutations)
{
	static const char special[] = "\n\r\0-:;\"=( \t<>\\/";
	char **cases;
	size_t n, i, k, len = 0, vlen;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int j;

	n = fixture_cases(AREA, &cases);
	for (i = 0; i < n; i++) {
		char *in = fixture_read(AREA, cases[i], "input.eml", &len);
		char *v = line_ends(in, len, (int)(i & 1), &vlen);

		for (k = 0; k < 300 && vlen > 0; k++) {
			char *p = xmalloc(vlen);
			struct fbr_report r;
			char err[FBR_ERROR_MAX_BYTES];

			memcpy(p, v, vlen);
			for (j = 0; j < 4; j++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				p[x % vlen] = (x >> 32) & 1 ?
				    special[(x >> 40) % (sizeof(special) - 1)] :
				    (char)(x >> 48);
			}
			if (fbr_parse(p, vlen, &r, err, sizeof(err)) == 0)
				fbr_fini(&r);
			free(p);
		}
		free(v);
		free(in);
	}
	fixture_cases_free(cases, n);
}
END_TEST

START_TEST(t_empty_and_garbage)
{
	static const char *const junk[] = {
		"\n", "\r\n", "\r\n\r\n", ":", "Content-Type:",
		"Content-Type: multipart/report",
		"Content-Type: multipart/report;",
		"Content-Type: multipart/report; report-type=",
		"Content-Type: /", "Content-Type: (((",
		"Content-Type: multipart/report (unclosed",
		"Content-Type: \"multipart/report\"",
		"\tContent-Type: multipart/report; report-type=feedback-report;"
		" boundary=x\n\n--x\n--x--\n",
	};
	struct fbr_report r;
	char err[FBR_ERROR_MAX_BYTES], tiny[8];
	const char *m;
	size_t i;

	check_error("empty", "", 0, "not a multipart/report message");
	memset(&r, 1, sizeof(r));
	ck_assert(fbr_parse(NULL, 0, &r, err, sizeof(err)) == -1);
	ck_assert_str_eq(err, "not a multipart/report message");
	ck_assert(is_zero(&r));
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		ck_assert(fbr_parse(junk[i], strlen(junk[i]), &r, err,
		    sizeof(err)) == -1);
		ck_assert(is_zero(&r));
	}
	m = "Content-Type: multipart/report; report-type=; boundary=x\n\n"
	    "--x\n--x--\n";
	check_error("empty report-type", m, strlen(m),
	    "no report-type parameter");
	/* err may be small, or absent. */
	ck_assert(fbr_parse("", 0, &r, tiny, sizeof(tiny)) == -1);
	ck_assert_str_eq(tiny, "not a m");
	ck_assert(fbr_parse("", 0, &r, NULL, 0) == -1);
	/* fbr_fini on a zeroed report, twice. */
	fbr_fini(&r);
	fbr_fini(&r);
	ck_assert(is_zero(&r));
}
END_TEST

/* A DSN with n recipient blocks (new). */
static char *
dsn_of(size_t n, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_puts(&b, "Content-Type: multipart/report; report-type="
	    "delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: "
	    "message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n");
	for (i = 0; i < n; i++)
		buf_printf(&b, "\r\nFinal-Recipient: rfc822; r%zu@example.org"
		    "\r\nAction: failed\r\nStatus: 5.1.1\r\n", i);
	buf_puts(&b, "\r\n--b--\r\n");
	return buf_steal(&b, len);
}

/* An ARF report with n Original-Rcpt-To fields (new). */
static char *
arf_of(size_t n, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_puts(&b, "Content-Type: multipart/report; report-type="
	    "feedback-report; boundary=b\r\n\r\n--b\r\nContent-Type: "
	    "message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n");
	for (i = 0; i < n; i++)
		buf_printf(&b, "Original-Rcpt-To: <r%zu@example.org>\r\n", i);
	buf_puts(&b, "\r\n--b--\r\n");
	return buf_steal(&b, len);
}

START_TEST(t_recipient_limit)
{
	struct fbr_report r;
	size_t len;
	char *m;

	m = dsn_of(FBR_RECIPIENTS_MAX, &len);
	parse_ok("dsn 100", m, len, &r);
	ck_assert_uint_eq(r.nrcpts, 100);
	ck_assert_str_eq(r.rcpts[99].final_recipient, "r99@example.org");
	fbr_fini(&r);
	free(m);
	m = dsn_of(FBR_RECIPIENTS_MAX + 1, &len);
	check_error("dsn 101", m, len, "too many recipients");
	free(m);

	m = arf_of(FBR_RECIPIENTS_MAX, &len);
	parse_ok("arf 100", m, len, &r);
	ck_assert_uint_eq(r.noriginal_rcpt_tos, 100);
	ck_assert_str_eq(r.original_rcpt_to, "r0@example.org");
	ck_assert_str_eq(r.original_rcpt_tos[99], "r99@example.org");
	fbr_fini(&r);
	free(m);
	m = arf_of(FBR_RECIPIENTS_MAX + 1, &len);
	check_error("arf 101", m, len, "too many recipients");
	free(m);
}
END_TEST

/* A DSN whose delivery-status part comes after `before` text parts and
 * before `after` more (new). */
static char *
parts_of(size_t before, size_t after, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_puts(&b, "Content-Type: multipart/report; report-type="
	    "delivery-status; boundary=b\n\n");
	for (i = 0; i < before; i++)
		buf_printf(&b, "--b\n\ntext %zu\n", i);
	buf_puts(&b, "--b\nContent-Type: message/delivery-status\n\n"
	    "Final-Recipient: rfc822; a@example.org\nAction: failed\n"
	    "Status: 5.1.1\n");
	for (i = 0; i < after; i++)
		buf_printf(&b, "--b\n\ntext %zu\n", i);
	buf_puts(&b, "--b--\n");
	return buf_steal(&b, len);
}

/* Only the first FBR_PARTS_MAX parts are looked at; the rest must still
 * be closed. */
START_TEST(t_parts_limit)
{
	struct fbr_report r;
	size_t len;
	char *m;

	m = parts_of(FBR_PARTS_MAX - 1, 10000, &len);
	parse_ok("last looked at", m, len, &r);
	ck_assert_str_eq(r.rcpts[0].final_recipient, "a@example.org");
	fbr_fini(&r);
	free(m);
	m = parts_of(FBR_PARTS_MAX, 0, &len);
	check_error("past the limit", m, len,
	    "no message/delivery-status part");
	free(m);
	m = parts_of(1, 10000, &len);
	check_error("unclosed", m, len - 3, "close boundary not found");
	free(m);
}
END_TEST

/* Values are cut at FBR_FIELD_MAX_BYTES, folded ones too, and a huge
 * header section is no trouble. */
START_TEST(t_field_cap)
{
	struct fbr_report r;
	struct buf b;
	size_t i, len;
	char *m;

	buf_init(&b);
	buf_puts(&b, "Subject: ");
	for (i = 0; i < 3000; i++)
		buf_puts(&b, "abc\r\n ");
	buf_puts(&b, "\r\n");
	for (i = 0; i < 20000; i++)
		buf_puts(&b, "X-Filler: 1\r\n");
	buf_puts(&b, "Content-Type: multipart/report; report-type="
	    "delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: "
	    "message/delivery-status\r\n\r\nFinal-Recipient: rfc822; "
	    "a@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
	    "Diagnostic-Code: smtp; ");
	for (i = 0; i < 10000; i++)
		buf_putc(&b, (char)('a' + i % 26));
	buf_puts(&b, "\r\nRemote-MTA: dns; ");
	for (i = 0; i < FBR_FIELD_MAX_BYTES - 5; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "   \r\n    \r\n\r\n--b--\r\n");
	m = buf_steal(&b, &len);
	parse_ok("cap", m, len, &r);
	ck_assert_uint_eq(strlen(r.rcpts[0].diagnostic), FBR_FIELD_MAX_BYTES);
	ck_assert(strncmp(r.rcpts[0].diagnostic, "smtp; abcdef", 12) == 0);
	/* Exactly at the cap, trailing blanks and an empty fold trimmed. */
	ck_assert_uint_eq(strlen(r.rcpts[0].remote_mta), FBR_FIELD_MAX_BYTES);
	ck_assert(r.rcpts[0].remote_mta[FBR_FIELD_MAX_BYTES - 1] == 'x');
	ck_assert_uint_eq(strlen(r.subject), FBR_FIELD_MAX_BYTES);
	ck_assert(strncmp(r.subject, "abc abc abc", 11) == 0);
	fbr_fini(&r);
	free(m);
}
END_TEST

/* NUL bytes are data: in the text part, and in a value (which then reads
 * up to them). */
START_TEST(t_nul_bytes)
{
	static const char m[] = "Content-Type: multipart/report; "
	    "report-type=delivery-status; boundary=b\n\n--b\n\n"
	    "text \0 with a NUL\n--b\nContent-Type: message/delivery-status"
	    "\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\n"
	    "Status: 5.1.1\nDiagnostic-Code: smtp; 550\0 hidden\n"
	    "Remote-MTA: dns; mx\n--b--\n";
	struct fbr_report r;

	parse_ok("nul", m, sizeof(m) - 1, &r);
	ck_assert_str_eq(r.rcpts[0].diagnostic, "smtp; 550");
	ck_assert_str_eq(r.rcpts[0].remote_mta, "dns; mx");
	fbr_fini(&r);
}
END_TEST

/* Input quoted in an error is cut and shown as printable ASCII. */
START_TEST(t_error_quoting)
{
	static const char ctl[] = "Content-Type: multipart/report; "
	    "report-type=\"a\\\"b\x01\xc3\xa9\"; boundary=x\n\n";
	struct buf b;
	size_t i, len;
	char *m, *want;

	check_error("control", ctl, sizeof(ctl) - 1, "report-type "
	    "\"a?b???\" is not delivery-status or feedback-report");
	buf_init(&b);
	buf_puts(&b, "Content-Type: multipart/report; report-type=");
	for (i = 0; i < 100; i++)
		buf_putc(&b, (char)('0' + i % 10));
	buf_puts(&b, "; boundary=x\n\n--x\n--x--\n");
	m = buf_steal(&b, &len);
	want = xasprintf("report-type \"%s%s%s%s%s%s%s0123...\" is not "
	    "delivery-status or feedback-report", "0123456789",
	    "0123456789", "0123456789", "0123456789", "0123456789",
	    "0123456789", "");
	check_error("long", m, len, want);
	free(want);
	free(m);
	m = xasprintf("Content-Type: multipart/report; report-type="
	    "delivery-status; boundary=x\n\n--x\nContent-Type: message/"
	    "delivery-status\nContent-Transfer-Encoding: X-Weird\x01\"y z\n\n"
	    "--x--\n");
	check_error("cte", m, strlen(m), "Content-Transfer-Encoding "
	    "\"X-Weird??y z\" not supported");
	free(m);
	m = xasprintf("Content-Type: multipart/report; report-type="
	    "delivery-status; boundary=x\n\n--x\nContent-Type: message/"
	    "delivery-status\n\nFinal-Recipient: rfc822; a@b\nAction: failed\n"
	    "Status: 5.1\n--x--\n");
	check_error("status", m, strlen(m), "recipient 1: bad Status "
	    "\"5.1\"");
	free(m);
}
END_TEST

START_TEST(t_status_forms)
{
	static const struct {
		const char *in, *out;	/* out NULL: bad Status */
	} cases[] = {
		{ "5.1.1", "5.1.1" }, { "4.4.7", "4.4.7" },
		{ "2.0.0", "2.0.0" }, { "5.1.10", "5.1.10" },
		{ "5.123.123", "5.123.123" },
		{ "5.1.1 (user unknown)", "5.1.1" },
		{ "5.1.1(user unknown)", "5.1.1" },
		{ "(comment) 5.7.1", "5.7.1" },
		{ "5.1.1 Mailbox unavailable", "5.1.1" },
		{ "3.1.1", NULL }, { "5.1", NULL }, { "5.1.1234", NULL },
		{ "5..1", NULL }, { "5.1.1.", NULL }, { "5.1.x", NULL },
		{ "550", NULL }, { "5.1.1;", NULL }, { "x", NULL },
	};
	struct fbr_report r;
	char err[FBR_ERROR_MAX_BYTES];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *m = xasprintf("Content-Type: multipart/report; "
		    "report-type=delivery-status; boundary=x\n\n--x\n"
		    "Content-Type: message/delivery-status\n\n"
		    "Final-Recipient: rfc822; a@b\nAction: failed\n"
		    "Status: %s\n--x--\n", cases[i].in);
		int rc = fbr_parse(m, strlen(m), &r, err, sizeof(err));

		if (cases[i].out != NULL) {
			ck_assert_msg(rc == 0, "%s: %s", cases[i].in, err);
			ck_assert_str_eq(r.rcpts[0].status, cases[i].out);
			fbr_fini(&r);
		} else {
			ck_assert_msg(rc == -1 && strncmp(err,
			    "recipient 1: bad Status", 23) == 0, "%s",
			    cases[i].in);
		}
		free(m);
	}
}
END_TEST

START_TEST(t_address_forms)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "rfc822; a@b.c", "a@b.c" }, { "rfc822;a@b.c", "a@b.c" },
		{ "RFC822; <A@B.c>", "A@B.c" }, { "<a@b.c>", "a@b.c" },
		{ "a@b.c", "a@b.c" }, { "rfc822; a@b.c (comment)", "a@b.c" },
		{ "rfc822; < a@b.c >", "a@b.c" },
		{ "x400; /C=US/O=Example/S=Smith", "/C=US/O=Example/S=Smith" },
		{ "rfc822; <a@b.c", "a@b.c" },
	};
	struct fbr_report r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *m = xasprintf("Content-Type: multipart/report; "
		    "report-type=delivery-status; boundary=x\n\n--x\n"
		    "Content-Type: message/delivery-status\n\n"
		    "Final-Recipient: %s\nAction: failed\nStatus: 5.1.1\n"
		    "--x--\n", cases[i].in);

		parse_ok(cases[i].in, m, strlen(m), &r);
		ck_assert_str_eq(r.rcpts[0].final_recipient, cases[i].out);
		fbr_fini(&r);
		free(m);
	}
}
END_TEST

/* The original message's headers as pub.c hands them to feedback. */
static const char original_headers[] =
    "From: sender@example.com\r\n"
    "To: a@example.org, b@example.org\r\n"
    "Subject: Hello\r\n"
    "Return-Path: <sender@example.com>\r\n"
    "Message-ID: <0100018e2a6f1103-e2a6f110-19b1-47ca-b1cd-62e0d575f85a-"
    "000000@email.amazonses.com>\r\n"
    "Date: Tue, 12 Mar 2024 10:15:00 +0000\r\n"
    "MIME-Version: 1.0\r\n";

static void
report_of(struct feedback_report *fr, const json_t *detail)
{
	memset(fr, 0, sizeof(*fr));
	fr->to = "sender@example.com";
	fr->feedback_id = "0100018e2a6f1200-11111111-2222-3333-4444-"
	    "555555555555-000000";
	fr->original_from = "sender@example.com";
	fr->original_headers = original_headers;
	fr->original_headers_len = sizeof(original_headers) - 1;
	fr->now_ms = 1710238502000LL;
	fr->detail = detail;
	fr->message_domain = "email.amazonses.com";
}

/* A DSN sesbox forwards reads back to the bounce it was built from. */
START_TEST(t_roundtrip_dsn)
{
	json_t *detail = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:s}, "
	    "{s:s}]}", "bounceType", "Permanent", "reportingMTA",
	    "dns; a8-12.smtp-out.amazonses.com", "bouncedRecipients",
	    "emailAddress", "a@example.org", "action", "failed", "status",
	    "5.1.1", "diagnosticCode", "smtp; 550 5.1.1 user unknown",
	    "emailAddress", "b@example.org");
	struct feedback_report fr;
	struct fbr_report r;
	size_t len;
	char *m;

	report_of(&fr, detail);
	m = feedback_dsn(&fr, &len);
	parse_ok("feedback_dsn", m, len, &r);
	ck_assert_int_eq(r.kind, FBR_DSN);
	ck_assert_str_eq(r.reporting_mta, "dns; a8-12.smtp-out.amazonses.com");
	ck_assert_uint_eq(r.nrcpts, 2);
	ck_assert_str_eq(r.rcpts[0].final_recipient, "a@example.org");
	ck_assert_str_eq(r.rcpts[0].action, "failed");
	ck_assert_str_eq(r.rcpts[0].status, "5.1.1");
	ck_assert_str_eq(r.rcpts[0].diagnostic, "smtp; 550 5.1.1 user unknown");
	ck_assert_ptr_null(r.rcpts[0].original_recipient);
	ck_assert_ptr_null(r.rcpts[0].remote_mta);
	ck_assert_str_eq(r.rcpts[1].final_recipient, "b@example.org");
	ck_assert_str_eq(r.rcpts[1].action, "failed");
	ck_assert_str_eq(r.rcpts[1].status, "5.0.0");
	ck_assert_ptr_null(r.rcpts[1].diagnostic);
	ck_assert_str_eq(r.original_message_id, "0100018e2a6f1103-e2a6f110-"
	    "19b1-47ca-b1cd-62e0d575f85a-000000@email.amazonses.com");
	ck_assert_str_eq(r.original_return_path, "sender@example.com");
	ck_assert_str_eq(r.subject, "Delivery Status Notification (Failure)");
	ck_assert_ptr_null(r.feedback_type);
	ck_assert_ptr_null(r.arrival_date);
	fbr_fini(&r);
	free(m);
	json_decref(detail);
}
END_TEST

/* A multi-line reply (lines joined by "\n", as smtpc quotes it) is folded
 * in the DSN, so it reads back as one value: the lines joined by a space. */
START_TEST(t_roundtrip_dsn_multi_line)
{
	json_t *detail = json_pack("{s:s, s:[{s:s, s:s, s:s}]}",
	    "bounceType", "Permanent", "bouncedRecipients", "emailAddress",
	    "a@example.org", "status", "5.7.1", "diagnosticCode",
	    "smtp; 550-5.7.1 first line\n550 5.7.1 second line");
	struct feedback_report fr;
	struct fbr_report r;
	size_t len;
	char *m;

	report_of(&fr, detail);
	m = feedback_dsn(&fr, &len);
	ck_assert_ptr_nonnull(strstr(m, "Diagnostic-Code: smtp; 550-5.7.1 "
	    "first line\r\n 550 5.7.1 second line\r\n"));
	parse_ok("feedback_dsn", m, len, &r);
	ck_assert_uint_eq(r.nrcpts, 1);
	ck_assert_str_eq(r.rcpts[0].diagnostic, "smtp; 550-5.7.1 first line "
	    "550 5.7.1 second line");
	fbr_fini(&r);
	free(m);
	json_decref(detail);
}
END_TEST

/* An ARF report sesbox forwards reads back to its complaint. */
START_TEST(t_roundtrip_arf)
{
	json_t *detail = json_pack("{s:s, s:s, s:[{s:s}, {s:s}]}",
	    "complaintFeedbackType", "not-spam", "userAgent",
	    "Mozilla/5.0 (sesbox simulator)", "complainedRecipients",
	    "emailAddress", "a@example.org", "emailAddress",
	    "b@example.org");
	json_t *bare = json_pack("{s:[]}", "complainedRecipients");
	struct feedback_report fr;
	struct fbr_report r;
	size_t len;
	char *m;

	report_of(&fr, detail);
	m = feedback_arf(&fr, &len);
	parse_ok("feedback_arf", m, len, &r);
	ck_assert_int_eq(r.kind, FBR_ARF);
	ck_assert_str_eq(r.feedback_type, "not-spam");
	ck_assert_str_eq(r.user_agent, "Mozilla/5.0 (sesbox simulator)");
	ck_assert_str_eq(r.original_mail_from, "sender@example.com");
	ck_assert_str_eq(r.original_rcpt_to, "a@example.org");
	ck_assert_uint_eq(r.noriginal_rcpt_tos, 2);
	ck_assert_str_eq(r.original_rcpt_tos[1], "b@example.org");
	ck_assert_str_eq(r.arrival_date, "Tue, 12 Mar 2024 10:15:02 +0000");
	ck_assert_str_eq(r.original_message_id, "0100018e2a6f1103-e2a6f110-"
	    "19b1-47ca-b1cd-62e0d575f85a-000000@email.amazonses.com");
	ck_assert_str_eq(r.original_return_path, "sender@example.com");
	ck_assert_str_eq(r.subject, "Complaint about your message");
	ck_assert_uint_eq(r.nrcpts, 0);
	ck_assert_ptr_null(r.reporting_mta);
	fbr_fini(&r);
	free(m);

	/* Defaults: abuse, sesbox, no recipients. */
	report_of(&fr, bare);
	m = feedback_arf(&fr, &len);
	parse_ok("feedback_arf bare", m, len, &r);
	ck_assert_str_eq(r.feedback_type, "abuse");
	ck_assert_str_eq(r.user_agent, "sesbox");
	ck_assert_ptr_null(r.original_rcpt_to);
	fbr_fini(&r);
	free(m);
	json_decref(detail);
	json_decref(bare);
}
END_TEST

static Suite *
fbr_suite(void)
{
	Suite *s = suite_create("fbr");
	TCase *tc = tcase_create("fbr");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, t_golden);
	tcase_add_test(tc, t_prefixes);
	tcase_add_test(tc, t_mutations);
	tcase_add_test(tc, t_empty_and_garbage);
	tcase_add_test(tc, t_recipient_limit);
	tcase_add_test(tc, t_parts_limit);
	tcase_add_test(tc, t_field_cap);
	tcase_add_test(tc, t_nul_bytes);
	tcase_add_test(tc, t_error_quoting);
	tcase_add_test(tc, t_status_forms);
	tcase_add_test(tc, t_address_forms);
	tcase_add_test(tc, t_roundtrip_dsn);
	tcase_add_test(tc, t_roundtrip_dsn_multi_line);
	tcase_add_test(tc, t_roundtrip_arf);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return fixture_run(fbr_suite());
}
