/*
 * test_mime — the MIME module: golden build cases (fixtures/mime/build:
 * input.json → expected.eml), golden parse cases (fixtures/mime/parse:
 * input.eml → expected.json summary or expected-error.txt, plus an
 * optional stripped.eml after mime_strip_ses_headers), golden HTML
 * rewrites (fixtures/mime/rewrite: input.eml → expected.eml through a
 * stand-in for tracking), the address table
 * (fixtures/mime/address/cases.json) and a few synthetic checks.
 *
 * SESBOX_FIXTURE_UPDATE=1 rewrites the expected files from the current
 * output (review the diff before committing).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fixture.h"
#include "mime.h"

static int
update_mode(void)
{
	const char *u = getenv("SESBOX_FIXTURE_UPDATE");

	return u != NULL && strcmp(u, "1") == 0;
}

static void
write_file(const char *area, const char *name, const char *file,
    const char *data, size_t len)
{
	char *path = fixture_path(area, name, file);
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "%s", path);
	ck_assert(fwrite(data, 1, len, f) == len);
	fclose(f);
	free(path);
}

/* A part from a JSON string or {"data","charset"}; absent → data NULL. */
static struct mime_part
part_of(json_t *v)
{
	struct mime_part p = { NULL, 0, NULL };
	json_t *d = json_is_object(v) ? json_object_get(v, "data") : v;

	if (json_is_string(d)) {
		p.data = json_string_value(d);
		p.len = json_string_length(d);
	}
	if (json_is_object(v))
		p.charset = json_string_value(json_object_get(v, "charset"));
	return p;
}

static const char **
strings_of(json_t *a, size_t *n)
{
	const char **v;
	size_t i;

	*n = json_array_size(a);
	v = xcalloc(*n + 1, sizeof(*v));
	for (i = 0; i < *n; i++)
		v[i] = json_string_value(json_array_get(a, i));
	return v;
}

static const char *
str_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Builds the message described by input.json (new). */
static char *
build_from_json(json_t *in, size_t *len)
{
	struct mime_simple m;
	struct mime_attachment *att;
	struct mime_header *hdr;
	unsigned char **blobs;
	const char **to, **cc, **rt;
	json_t *a = json_object_get(in, "attachments");
	json_t *h = json_object_get(in, "headers");
	size_t i, na = json_array_size(a), nh = json_array_size(h);
	char *out;

	memset(&m, 0, sizeof(m));
	m.from = str_of(in, "from");
	to = strings_of(json_object_get(in, "to"), &m.nto);
	cc = strings_of(json_object_get(in, "cc"), &m.ncc);
	rt = strings_of(json_object_get(in, "reply_to"), &m.nreply_to);
	m.to = to;
	m.cc = cc;
	m.reply_to = rt;
	m.subject = part_of(json_object_get(in, "subject"));
	m.text = part_of(json_object_get(in, "text"));
	m.html = part_of(json_object_get(in, "html"));
	m.message_id = str_of(in, "message_id");
	m.date_ms = json_integer_value(json_object_get(in, "date_ms"));
	m.boundary_seed = (uint64_t)json_integer_value(json_object_get(in,
	    "boundary_seed"));
	att = xcalloc(na + 1, sizeof(*att));
	blobs = xcalloc(na + 1, sizeof(*blobs));
	for (i = 0; i < na; i++) {
		json_t *o = json_array_get(a, i);
		const char *b64 = str_of(o, "data_base64");

		att[i].filename = str_of(o, "filename");
		att[i].content_type = str_of(o, "content_type");
		att[i].disposition = str_of(o, "disposition");
		att[i].content_id = str_of(o, "content_id");
		att[i].description = str_of(o, "description");
		att[i].transfer_encoding = str_of(o, "transfer_encoding");
		if (b64 != NULL) {
			long n;

			blobs[i] = xmalloc(strlen(b64) / 4 * 3 + 1);
			n = buf_base64_decode(b64, strlen(b64), blobs[i]);
			ck_assert(n >= 0);
			att[i].data = blobs[i];
			att[i].len = (size_t)n;
		} else {
			att[i].data = (const unsigned char *)str_of(o, "data");
			att[i].len = strlen(str_of(o, "data"));
		}
	}
	m.attachments = att;
	m.nattachments = na;
	hdr = xcalloc(nh + 1, sizeof(*hdr));
	for (i = 0; i < nh; i++) {
		hdr[i].name = str_of(json_array_get(h, i), "name");
		hdr[i].value = str_of(json_array_get(h, i), "value");
	}
	m.headers = hdr;
	m.nheaders = nh;
	out = mime_build(&m, len);
	for (i = 0; i < na; i++)
		free(blobs[i]);
	free(blobs);
	free(att);
	free(hdr);
	free(to);
	free(cc);
	free(rt);
	return out;
}

/* Every line of s ends in CRLF and holds at most 998 characters. */
static void
check_lines(const char *what, const char *s, size_t n)
{
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			ck_assert_msg(i > 0 && s[i - 1] == '\r',
			    "%s: bare LF at %zu", what, i);
			col = 0;
			continue;
		}
		if (s[i] != '\r')
			ck_assert_msg(++col <= MIME_LINE_MAX_BYTES,
			    "%s: line too long at %zu", what, i);
		else
			ck_assert_msg(i + 1 < n && s[i + 1] == '\n',
			    "%s: bare CR at %zu", what, i);
	}
}

START_TEST(t_build_golden)
{
	char **cases;
	size_t n, i;

	n = fixture_cases("mime/build", &cases);
	ck_assert_uint_ge(n, 25);
	for (i = 0; i < n; i++) {
		char *in = fixture_read("mime/build", cases[i], "input.json",
		    NULL), *got, *want, err[MIME_ERROR_MAX_BYTES];
		size_t glen, wlen;
		json_t *j = in ? json_loads(in, 0, NULL) : NULL;
		struct mime_msg *pm;

		ck_assert_msg(j != NULL, "%s: bad input.json", cases[i]);
		got = build_from_json(j, &glen);
		ck_assert_uint_eq(strlen(got), glen);
		check_lines(cases[i], got, glen);
		if (update_mode())
			write_file("mime/build", cases[i], "expected.eml", got,
			    glen);
		want = fixture_read("mime/build", cases[i], "expected.eml",
		    &wlen);
		ck_assert_msg(want != NULL, "%s: no expected.eml", cases[i]);
		ck_assert_msg(glen == wlen && memcmp(got, want, glen) == 0,
		    "%s:\n--- got\n%s\n--- want\n%s", cases[i], got, want);
		/* what we build, we parse */
		pm = mime_parse(got, glen, err);
		ck_assert_msg(pm != NULL, "%s: %s", cases[i], err);
		mime_msg_free(pm);
		free(got);
		free(want);
		free(in);
		json_decref(j);
	}
	fixture_cases_free(cases, n);
}
END_TEST

START_TEST(t_parse_golden)
{
	char **cases;
	size_t n, i;

	n = fixture_cases("mime/parse", &cases);
	ck_assert_uint_ge(n, 25);
	for (i = 0; i < n; i++) {
		char err[MIME_ERROR_MAX_BYTES], *raw, *want_err, *want, *ser;
		size_t len, slen;
		struct mime_msg *m;

		raw = fixture_read("mime/parse", cases[i], "input.eml", &len);
		ck_assert_msg(raw != NULL, "%s: no input.eml", cases[i]);
		m = mime_parse(raw, len, err);
		want_err = fixture_read("mime/parse", cases[i],
		    "expected-error.txt", NULL);
		if (want_err != NULL) {
			fixture_chomp(want_err, NULL);
			ck_assert_msg(m == NULL, "%s: parsed, want error %s",
			    cases[i], want_err);
			ck_assert_msg(strcmp(err, want_err) == 0,
			    "%s: got error '%s', want '%s'", cases[i], err,
			    want_err);
			free(want_err);
			free(raw);
			continue;
		}
		ck_assert_msg(m != NULL, "%s: %s", cases[i], err);
		/* untouched, the message serializes to its own bytes */
		ser = mime_serialize(m, &slen);
		ck_assert_msg(slen == len && memcmp(ser, raw, len) == 0,
		    "%s: serialize changed the message:\n%s", cases[i], ser);
		free(ser);
		{
			json_t *got = mime_summary(m), *wj;
			char *dump = json_dumps(got, JSON_INDENT(1) |
			    JSON_ENSURE_ASCII);

			if (update_mode()) {
				size_t dl = strlen(dump);

				dump = xrealloc(dump, dl + 2);
				strcpy(dump + dl, "\n");
				write_file("mime/parse", cases[i],
				    "expected.json", dump, dl + 1);
			}
			free(dump);
			want = fixture_read("mime/parse", cases[i],
			    "expected.json", NULL);
			ck_assert_msg(want != NULL, "%s: no expected.json",
			    cases[i]);
			wj = json_loads(want, 0, NULL);
			ck_assert_msg(wj != NULL, "%s: bad expected.json",
			    cases[i]);
			fixture_check_json(cases[i], got, wj);
			json_decref(got);
			json_decref(wj);
			free(want);
		}
		want = fixture_read("mime/parse", cases[i], "stripped.eml",
		    &slen);
		if (want != NULL) {
			size_t glen;
			char *got;

			mime_strip_ses_headers(m);
			got = mime_serialize(m, &glen);
			ck_assert_msg(glen == slen && memcmp(got, want,
			    glen) == 0, "%s: stripped:\n%s", cases[i], got);
			free(got);
			free(want);
		}
		mime_msg_free(m);
		free(raw);
	}
	fixture_cases_free(cases, n);
}
END_TEST

START_TEST(t_address_golden)
{
	char *text = fixture_read("mime", "address", "cases.json", NULL);
	json_t *j = text ? json_loads(text, 0, NULL) : NULL, *c;
	size_t i;

	ck_assert(j != NULL);
	ck_assert_uint_ge(json_array_size(json_object_get(j, "parse")), 35);
	json_array_foreach(json_object_get(j, "parse"), i, c) {
		char why[MIME_ERROR_MAX_BYTES], *addr, *disp;
		const char *in = str_of(c, "in"), *err = str_of(c, "error");
		int rc = mime_address_parse(in, &addr, &disp, why);

		if (err != NULL) {
			ck_assert_msg(rc == -1, "'%s': accepted", in);
			ck_assert_msg(strcmp(why, err) == 0,
			    "'%s': got '%s', want '%s'", in, why, err);
			ck_assert(addr == NULL && disp == NULL);
			continue;
		}
		ck_assert_msg(rc == 0, "'%s': %s", in, why);
		ck_assert_str_eq(addr, str_of(c, "addr"));
		if (str_of(c, "display") == NULL)
			ck_assert_msg(disp == NULL, "'%s': display '%s'", in,
			    disp);
		else
			ck_assert_str_eq(disp, str_of(c, "display"));
		free(addr);
		free(disp);
	}
	json_array_foreach(json_object_get(j, "list"), i, c) {
		char why[MIME_ERROR_MAX_BYTES];
		const char *in = str_of(c, "in"), *err = str_of(c, "error");
		json_t *out;
		int rc = mime_address_list(in, &out, why);

		if (err != NULL) {
			ck_assert_msg(rc == -1, "'%s': accepted", in);
			ck_assert_str_eq(why, err);
			ck_assert(out == NULL);
			continue;
		}
		ck_assert_msg(rc == 0, "'%s': %s", in, why);
		fixture_check_json(in, out, json_object_get(c, "list"));
		json_decref(out);
	}
	json_decref(j);
	free(text);
}
END_TEST

START_TEST(t_header_decode)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain text", "plain text" },
		{ "=?UTF-8?Q?caf=C3=A9?=", "café" },
		{ "=?utf-8?b?5pel5pys6Kqe?=", "日本語" },
		{ "=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab" },
		{ "=?UTF-8?Q?a?=\r\n =?UTF-8?Q?_b?=", "a b" },
		{ "x =?UTF-8?Q?a?= y", "x a y" },
		{ "=?ISO-8859-1?Q?Ol=E1?=", "Olá" },
		{ "=?UTF-8*en?Q?hi?=", "hi" },
		{ "=?bogus?X?abc?=", "=?bogus?X?abc?=" },
		{ "=?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated" },
		{ "a\r\n b", "a b" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = mime_header_decode(cases[i].in);

		ck_assert_msg(strcmp(got, cases[i].want) == 0,
		    "'%s': got '%s'", cases[i].in, got);
		free(got);
	}
}
END_TEST

START_TEST(t_header_edit)
{
	static const char raw[] = "From: a@example.com\r\n"
	    "Message-ID: <client@host>\r\n"
	    "To: b@example.net\r\n"
	    "X-Tag: 1\r\n"
	    "x-tag: 2\r\n"
	    "\r\n"
	    "body\r\n";
	static const char want[] = "Date: Sun, 19 Apr 2020 12:00:06 +0000\r\n"
	    "From: a@example.com\r\n"
	    "Message-ID: <sesid@email.amazonses.com>\r\n"
	    "To: b@example.net\r\n"
	    "\r\n"
	    "body\r\n";
	char err[MIME_ERROR_MAX_BYTES], *out;
	struct mime_msg *m = mime_parse(raw, sizeof(raw) - 1, err);
	size_t len;

	ck_assert_msg(m != NULL, "%s", err);
	ck_assert_uint_eq(mime_header_count(m), 5);
	ck_assert_str_eq(mime_header_get(m, "message-id"), "<client@host>");
	ck_assert_str_eq(mime_header_get(m, "X-TAG"), "1");
	ck_assert_ptr_null(mime_header_get(m, "Date"));
	mime_header_set(m, "Message-ID", "<sesid@email.amazonses.com>");
	mime_header_set(m, "Date", "Sun, 19 Apr 2020 12:00:06 +0000");
	mime_header_remove(m, "X-Tag");
	ck_assert_str_eq(mime_header_name(m, 0), "Date");
	out = mime_serialize(m, &len);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(len, strlen(want));
	free(out);
	mime_msg_free(m);
	mime_msg_free(NULL);
}
END_TEST

START_TEST(t_header_set_lf_message)
{
	static const char raw[] = "Subject: a\nX-Dup: 1\nX-Dup: 2\n\nbody\n";
	char err[MIME_ERROR_MAX_BYTES], *out;
	struct mime_msg *m = mime_parse(raw, sizeof(raw) - 1, err);

	ck_assert_msg(m != NULL, "%s", err);
	mime_header_set(m, "x-dup", "3");
	out = mime_serialize(m, NULL);
	ck_assert_str_eq(out, "Subject: a\nx-dup: 3\n\nbody\n");
	free(out);
	mime_msg_free(m);
}
END_TEST

/* AWS: the Content-Type of a multipart SES builds unfolds to two spaces
 * (SES-REFERENCE §4.6). */
START_TEST(t_build_unfolds_like_ses)
{
	const char *to[] = { "rcpt@y.com" };
	struct mime_simple s;
	char err[MIME_ERROR_MAX_BYTES], *raw;
	struct mime_msg *m;
	size_t len;
	const char *ct;

	memset(&s, 0, sizeof(s));
	s.from = "sender@x.com";
	s.to = to;
	s.nto = 1;
	s.subject.data = "SOME_SUBJECT";
	s.subject.len = 12;
	s.text.data = "t";
	s.text.len = 1;
	s.html.data = "<p>h</p>";
	s.html.len = 8;
	s.date_ms = 1693000415859LL;
	raw = mime_build(&s, &len);
	m = mime_parse(raw, len, err);
	ck_assert_msg(m != NULL, "%s", err);
	ck_assert_uint_eq(mime_header_count(m), 6);
	ck_assert_str_eq(mime_header_name(m, 0), "Date");
	ck_assert_str_eq(mime_header_name(m, 1), "From");
	ck_assert_str_eq(mime_header_name(m, 2), "To");
	ck_assert_str_eq(mime_header_name(m, 3), "Subject");
	ck_assert_str_eq(mime_header_name(m, 4), "MIME-Version");
	ct = mime_header_value(m, 5);
	ck_assert_msg(strncmp(ct, "multipart/alternative;  boundary=\""
	    "----=_Part_", 45) == 0, "%s", ct);
	ck_assert_msg(strstr(ct, ".1693000415859\"") != NULL, "%s", ct);
	mime_msg_free(m);
	free(raw);
}
END_TEST

START_TEST(t_build_is_quick)
{
	const char *to[] = { "rcpt@example.net" };
	struct mime_simple s;
	size_t i, len;

	memset(&s, 0, sizeof(s));
	s.from = "Sender <sender@example.com>";
	s.to = to;
	s.nto = 1;
	s.subject.data = "Hello";
	s.subject.len = 5;
	s.text.data = "Hello world";
	s.text.len = 11;
	s.html.data = "<p>Hello world</p>";
	s.html.len = 18;
	s.message_id = "<x@email.amazonses.com>";
	s.date_ms = 1693000415859LL;
	for (i = 0; i < 20000; i++) {
		char *out = mime_build(&s, &len);

		ck_assert(len > 0);
		free(out);
	}
}
END_TEST

/* Every built golden is a standard message for Python's email package. */
START_TEST(t_build_python_email)
{
	const char *root = getenv("SESBOX_FIXTURES");
	char *cmd;
	int rc;

	if (access("/usr/bin/python3", X_OK) != 0)
		return;
	if (root == NULL || *root == '\0')
		root = "fixtures";
	cmd = xasprintf("/usr/bin/python3 %s/../tests/unit/check_eml.py "
	    "%s/mime/build/*/expected.eml", root, root);
	rc = system(cmd);
	free(cmd);
	ck_assert_msg(rc == 0, "check_eml.py failed (%d)", rc);
}
END_TEST

START_TEST(t_address_unicode)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "a@example.com", "a@example.com" },
		{ "<a@example.com>", "a@example.com" },
		{ "\"Sender Name\" <s@example.com>",
		    "Sender Name <s@example.com>" },
		{ "=?UTF-8?B?5Y+w54Gj55Sc5b+D57ay?= <admin@example.com>",
		    "\"台灣甜心網\" <admin@example.com>" },
		{ "\"Doe, Jane\" <j@x.com>, b@y.com",
		    "\"Doe, Jane\" <j@x.com>, b@y.com" },
		{ "John Q. Public <j@x.com>", "\"John Q. Public\" <j@x.com>" },
		{ "a@x.com (Ann)", "Ann <a@x.com>" },
		{ "undisclosed-recipients:;", NULL },
		{ "", NULL },
		{ "not an address", NULL },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = mime_address_unicode(cases[i].in);
		if (cases[i].want == NULL)
			ck_assert_msg(s == NULL, "%s: got %s", cases[i].in, s);
		else
			ck_assert_msg(s != NULL && strcmp(s, cases[i].want) ==
			    0, "%s: got %s", cases[i].in, s ? s : "(null)");
		free(s);
	}
}
END_TEST

/* Only the header section is kept; a body that would not parse is not
 * looked at. */
START_TEST(t_parse_headers)
{
	static const char raw[] = "Content-Type: multipart/mixed; "
	    "boundary=x\r\nSubject: a\r\n b\r\n\r\nno boundary here\r\n";
	struct mime_msg *m = mime_parse_headers(raw, sizeof(raw) - 1);
	char *s;
	size_t len;

	ck_assert_uint_eq(mime_header_count(m), 2);
	ck_assert_str_eq(mime_header_value(m, 1), "a b");
	s = mime_serialize(m, &len);
	ck_assert_str_eq(s, "Content-Type: multipart/mixed; boundary=x\r\n"
	    "Subject: a\r\n b\r\n");
	free(s);
	mime_msg_free(m);
	m = mime_parse_headers(NULL, 0);
	ck_assert_uint_eq(mime_header_count(m), 0);
	mime_msg_free(m);
	m = mime_parse_headers("X: 1", 4);
	ck_assert_str_eq(mime_header_get(m, "x"), "1");
	mime_msg_free(m);
}
END_TEST

START_TEST(t_leaves)
{
	static const char raw[] = "Content-Type: multipart/related; "
	    "boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n"
	    "<img src=\"cid:logo\">\r\n--b\r\nContent-Type: image/gif\r\n"
	    "Content-Transfer-Encoding: base64\r\nContent-ID:\r\n  "
	    "<logo@x>\r\n\r\nR0lGODlh\r\n--b\r\nContent-ID: <>\r\n\r\n"
	    "x\r\n--b--\r\n";
	static const char single[] = "Content-ID: <top>\r\nContent-Type: "
	    "application/octet-stream\r\nContent-Transfer-Encoding: "
	    "quoted-printable\r\n\r\na=3Db\r\n";
	char err[MIME_ERROR_MAX_BYTES], *body;
	struct mime_msg *m = mime_parse(raw, sizeof(raw) - 1, err);
	size_t len;

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(mime_leaf_count(m), 3);
	ck_assert_ptr_null(mime_leaf_content_id(m, 0));
	ck_assert_str_eq(mime_leaf_content_id(m, 1), "logo@x");
	ck_assert_ptr_null(mime_leaf_content_id(m, 2));	/* empty */
	ck_assert_ptr_null(mime_leaf_content_id(m, 3));
	body = mime_leaf_body(m, 1, &len);
	ck_assert_uint_eq(len, 6);
	ck_assert_mem_eq(body, "GIF89a", 6);
	free(body);
	body = mime_leaf_body(m, 0, &len);
	ck_assert_str_eq(body, "<img src=\"cid:logo\">");
	free(body);
	body = mime_leaf_body(m, 9, &len);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(body, "");
	free(body);
	mime_msg_free(m);
	m = mime_parse(single, sizeof(single) - 1, err);
	ck_assert_uint_eq(mime_leaf_count(m), 1);
	ck_assert_str_eq(mime_leaf_content_id(m, 0), "top");
	body = mime_leaf_body(m, 0, &len);
	ck_assert_str_eq(body, "a=b\r\n");
	free(body);
	mime_msg_free(m);
}
END_TEST

/* ---- rewriting HTML parts (fixtures/mime/rewrite) ---- */

#define RW_LINK "https://t.example/L0/"

/*
 * The rewrite the tests use, a stand-in for tracking: every href="
 * gains a prefix and a pixel naming the part's rank k closes the text
 * (longer than a line, so quoted-printable must break it).
 */
static char *
rw_transform(const char *html, size_t len, int k, size_t *out_len)
{
	const char *p = html, *end = html + len, *q;
	struct buf b;

	buf_init(&b);
	while ((q = memmem(p, (size_t)(end - p), "href=\"", 6)) != NULL) {
		buf_append(&b, p, (size_t)(q + 6 - p));
		buf_puts(&b, RW_LINK);
		p = q + 6;
	}
	buf_append(&b, p, (size_t)(end - p));
	buf_printf(&b, "<img alt=\"\" src=\"https://t.example/I0/part-%d/"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	    "\" style=\"display: none; width: 1px; height: 1px;\">", k);
	return buf_steal(&b, out_len);
}

/* mime_html_fn: arg counts the calls. */
static char *
rw_cb(void *arg, const char *html, size_t len, size_t *out_len)
{
	int *k = arg;

	ck_assert(html[len] == '\0');
	return rw_transform(html, len, ++*k, out_len);
}

static char *
rw_decline(void *arg, const char *html, size_t len, size_t *out_len)
{
	(void)html;
	(void)len;
	(void)out_len;
	++*(int *)arg;
	return NULL;
}

static char *
rw_same(void *arg, const char *html, size_t len, size_t *out_len)
{
	char *out = xmalloc(len + 1);

	++*(int *)arg;
	memcpy(out, html, len + 1);
	*out_len = len;
	return out;
}

/* text with its last line break cut off, transformed, the break put
 * back: what a rewritten part must decode to (new). */
static char *
rw_expected(const char *text, int k)
{
	size_t n = strlen(text), m;
	const char *tail = "";
	char *t, *out;

	if (n > 0 && text[n - 1] == '\n') {
		n--;
		tail = "\n";
		if (n > 0 && text[n - 1] == '\r') {
			n--;
			tail = "\r\n";
		}
	}
	t = rw_transform(text, n, k, &m);
	out = xasprintf("%s%s", t, tail);
	free(t);
	return out;
}

/* Rewrites raw with rw_cb; returns the new text (new), the count in *n. */
static char *
rw_run(const char *what, const char *raw, size_t len, size_t *n,
    size_t *outlen)
{
	char err[MIME_ERROR_MAX_BYTES], *out;
	struct mime_msg *m = mime_parse(raw, len, err);
	int calls = 0;

	ck_assert_msg(m != NULL, "%s: %s", what, err);
	*n = mime_html_rewrite(m, rw_cb, &calls);
	ck_assert_uint_eq(*n, (size_t)calls);
	out = mime_serialize(m, outlen);
	mime_msg_free(m);
	return out;
}

/*
 * The parts of out are those of in, untouched but for the rewritten ones
 * (n of them, in order), which decode to rw_expected of the old text.
 */
static void
rw_check_parts(const char *what, const char *in, size_t inlen,
    const char *out, size_t outlen, size_t n)
{
	char err[MIME_ERROR_MAX_BYTES];
	struct mime_msg *mi = mime_parse(in, inlen, err);
	struct mime_msg *mo = mime_parse(out, outlen, err);
	json_t *si, *so, *pi, *po;
	size_t i, k = 0;

	ck_assert_msg(mi != NULL && mo != NULL, "%s: %s", what, err);
	si = mime_summary(mi);
	so = mime_summary(mo);
	ck_assert(json_equal(json_object_get(si, "headers"),
	    json_object_get(so, "headers")));
	ck_assert_uint_eq(json_array_size(json_object_get(si, "parts")),
	    json_array_size(json_object_get(so, "parts")));
	json_array_foreach(json_object_get(si, "parts"), i, pi) {
		char *want;

		po = json_array_get(json_object_get(so, "parts"), i);
		if (json_equal(pi, po))
			continue;
		k++;
		ck_assert_str_eq(str_of(po, "content_type"), "text/html");
		ck_assert(json_equal(json_object_get(pi, "charset"),
		    json_object_get(po, "charset")));
		ck_assert(json_equal(json_object_get(pi, "disposition"),
		    json_object_get(po, "disposition")));
		want = rw_expected(str_of(pi, "text"), (int)k);
		ck_assert_msg(strcmp(str_of(po, "text"), want) == 0,
		    "%s: part %zu:\n--- got\n%s\n--- want\n%s", what, i,
		    str_of(po, "text"), want);
		free(want);
	}
	ck_assert_msg(k == n, "%s: %zu parts changed, %zu rewritten", what,
	    k, n);
	json_decref(si);
	json_decref(so);
	mime_msg_free(mi);
	mime_msg_free(mo);
}

START_TEST(t_rewrite_golden)
{
	char **cases;
	size_t n, i;

	n = fixture_cases("mime/rewrite", &cases);
	ck_assert_uint_ge(n, 7);
	for (i = 0; i < n; i++) {
		char *raw, *got, *want;
		size_t len, glen, wlen, count;

		raw = fixture_read("mime/rewrite", cases[i], "input.eml", &len);
		ck_assert_msg(raw != NULL, "%s: no input.eml", cases[i]);
		got = rw_run(cases[i], raw, len, &count, &glen);
		if (update_mode())
			write_file("mime/rewrite", cases[i], "expected.eml",
			    got, glen);
		want = fixture_read("mime/rewrite", cases[i], "expected.eml",
		    &wlen);
		ck_assert_msg(want != NULL, "%s: no expected.eml", cases[i]);
		ck_assert_msg(glen == wlen && memcmp(got, want, glen) == 0,
		    "%s:\n--- got\n%s\n--- want\n%s", cases[i], got, want);
		rw_check_parts(cases[i], raw, len, got, glen, count);
		if (strcmp(cases[i], "untouched") == 0)
			ck_assert_uint_eq(count, 0);
		else
			ck_assert_uint_gt(count, 0);
		free(got);
		free(want);
		free(raw);
	}
	fixture_cases_free(cases, n);
}
END_TEST

/* The rewritten goldens are standard messages for Python's email package
 * (no-close-delimiter and untouched carry defects on purpose). */
START_TEST(t_rewrite_python_email)
{
	static const char *const ok[] = { "alternative-base64-lf",
		"alternative-qp-crlf", "html-7bit-crlf", "html-default-lf",
		"nested-mixed", "qp-dash-lines" };
	const char *root = getenv("SESBOX_FIXTURES");
	struct buf cmd;
	size_t i;
	int rc;

	if (access("/usr/bin/python3", X_OK) != 0)
		return;
	if (root == NULL || *root == '\0')
		root = "fixtures";
	buf_init(&cmd);
	buf_printf(&cmd, "/usr/bin/python3 %s/../tests/unit/check_eml.py",
	    root);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		buf_printf(&cmd, " %s/mime/rewrite/%s/expected.eml", root,
		    ok[i]);
	rc = system(cmd.data);
	buf_fini(&cmd);
	ck_assert_msg(rc == 0, "check_eml.py failed (%d)", rc);
}
END_TEST

/* Everything but the HTML body keeps its bytes: the output is the input
 * with that one span replaced. */
START_TEST(t_rewrite_untouched_bytes)
{
	static const char *const eols[] = { "\r\n", "\n" };
	size_t e;

	for (e = 0; e < 2; e++) {
		const char *E = eols[e];
		char *raw = xasprintf("From: a@example.com%sSubject: x%s"
		    "Content-Type: multipart/mixed; boundary=\"m\"%s%s"
		    "preamble%s--m%sContent-Type: text/plain%s%s"
		    "<a href=\"https://example.com/plain\">%s"
		    "--m%sContent-Type: text/html%s%s"
		    "BODY<a href=\"https://example.com/h\">h</a>END%s"
		    "--m%sContent-Type: text/html%s"
		    "Content-Disposition: attachment; filename=a.html%s%s"
		    "<a href=\"https://example.com/att\">att</a>%s"
		    "--m--%sepilogue%s",
		    E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E);
		const char *b0 = strstr(raw, "BODY"), *b1 = strstr(raw, "END");
		size_t len = strlen(raw), olen, count, pre, post;
		char *out, *want;

		b1 += 3;
		out = rw_run(E, raw, len, &count, &olen);
		ck_assert_uint_eq(count, 1);
		pre = (size_t)(b0 - raw);
		post = len - (size_t)(b1 - raw);
		ck_assert_uint_gt(olen, pre + post);
		ck_assert_msg(memcmp(out, raw, pre) == 0, "prefix changed");
		ck_assert_msg(memcmp(out + olen - post, b1, post) == 0,
		    "suffix changed:\n%s", out);
		want = rw_expected("BODY<a href=\"https://example.com/h\">h</a>"
		    "END", 1);
		ck_assert_uint_eq(olen - pre - post, strlen(want));
		ck_assert(memcmp(out + pre, want, strlen(want)) == 0);
		free(want);
		free(out);
		free(raw);
	}
}
END_TEST

/* Each line of s[0..n) ends in eol (no other break) and holds at most max
 * characters; returns the number of lines. */
static size_t
rw_check_lines(const char *what, const char *s, size_t n, const char *eol,
    size_t max)
{
	size_t i, col = 0, lines = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r' || s[i] == '\n') {
			ck_assert_msg(strncmp(s + i, eol, strlen(eol)) == 0,
			    "%s: stray line break at %zu", what, i);
			i += strlen(eol) - 1;
			col = 0;
			lines++;
			continue;
		}
		ck_assert_msg(++col <= max, "%s: line longer than %zu at %zu",
		    what, max, i);
	}
	return lines;
}

/* quoted-printable and base64 bodies are re-encoded in lines of at most
 * 76 characters, in the part's line-break style. */
START_TEST(t_rewrite_line_limits)
{
	static const char *const eols[] = { "\r\n", "\n" };
	static const char *const ctes[] = { "quoted-printable", "base64" };
	size_t e, c, i;

	for (e = 0; e < 2; e++) {
		for (c = 0; c < 2; c++) {
			const char *E = eols[e];
			struct buf html, body, raw;
			char *out, *what = xasprintf("%s %s", ctes[c],
			    e ? "LF" : "CRLF");
			const char *p;
			size_t olen, count, hdr;

			buf_init(&html);
			for (i = 0; i < 60; i++)
				buf_printf(&html, "<a href=\"https://example.com/"
				    "%zu?q=%s\">caf\xc3\xa9\t=</a> ", i, i % 7 ?
				    "x" : "a%20b");
			buf_printf(&html, "%s<p>end</p>", E);
			buf_init(&body);
			if (c == 0) {
				/* written as it comes, one long line */
				for (p = html.data; *p; p++) {
					if ((unsigned char)*p >= 0x7f ||
					    *p == '=' || *p == '\t')
						buf_printf(&body, "=%02X",
						    (unsigned char)*p);
					else
						buf_putc(&body, *p);
				}
			} else {
				buf_base64(&body, (const unsigned char *)
				    html.data, html.len);
			}
			buf_init(&raw);
			buf_printf(&raw, "Content-Type: text/html; "
			    "charset=utf-8%sContent-Transfer-Encoding: %s%s%s",
			    E, ctes[c], E, E);
			hdr = raw.len;
			buf_append(&raw, body.data, body.len);
			buf_puts(&raw, E);
			out = rw_run(what, raw.data, raw.len, &count, &olen);
			ck_assert_uint_eq(count, 1);
			ck_assert(memcmp(out, raw.data, hdr) == 0);
			ck_assert_uint_ge(rw_check_lines(what, out + hdr,
			    olen - hdr, E, 76), c == 0 ? 40 : 60);
			/* the body still ends in a line break */
			ck_assert(strcmp(out + olen - strlen(E), E) == 0);
			rw_check_parts(what, raw.data, raw.len, out, olen, 1);
			free(out);
			free(what);
			buf_fini(&raw);
			buf_fini(&body);
			buf_fini(&html);
		}
	}
}
END_TEST

/* A callback that declines, or returns the text unchanged, leaves the
 * message byte for byte. */
START_TEST(t_rewrite_declined)
{
	static const char raw[] = "Content-Type: text/html\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "<a href=3D\"https://example.com/\">a</a> a very long line that "
	    "is not broken where our encoder would break it =\r\n"
	    "and\ttabs\r\n";
	char err[MIME_ERROR_MAX_BYTES], *out;
	struct mime_msg *m = mime_parse(raw, sizeof(raw) - 1, err);
	int calls = 0;
	size_t len;

	ck_assert_msg(m != NULL, "%s", err);
	ck_assert_uint_eq(mime_html_rewrite(m, rw_decline, &calls), 0);
	ck_assert_uint_eq(mime_html_rewrite(m, rw_same, &calls), 0);
	ck_assert_int_eq(calls, 2);
	out = mime_serialize(m, &len);
	ck_assert_uint_eq(len, sizeof(raw) - 1);
	ck_assert(memcmp(out, raw, len) == 0);
	free(out);
	mime_msg_free(m);
	/* a message parsed for its headers alone has no parts */
	m = mime_parse_headers(raw, sizeof(raw) - 1);
	ck_assert_uint_eq(mime_html_rewrite(m, rw_cb, &calls), 0);
	ck_assert_int_eq(calls, 2);
	mime_msg_free(m);
}
END_TEST

/* Which charsets are rewritten: those that keep ASCII's bytes. */
START_TEST(t_rewrite_charsets)
{
	static const struct {
		const char *charset;
		int rewritten;
	} cases[] = {
		{ "utf-8", 1 }, { "UTF8", 1 }, { "us-ascii", 1 },
		{ "iso-8859-1", 1 }, { "ISO-8859-15", 1 },
		{ "windows-1252", 1 }, { "koi8-r", 1 }, { "shift_jis", 1 },
		{ "euc-jp", 1 }, { "iso-2022-jp", 1 }, { "gb18030", 1 },
		{ "big5", 1 }, { "x-made-up", 1 },
		{ "utf-16", 0 }, { "UTF-16LE", 0 }, { "utf-16be", 0 },
		{ "utf-32", 0 }, { "ucs-2", 0 }, { "utf-7", 0 },
		{ "ibm037", 0 }, { "cp500", 0 },
	};
	size_t i, n, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *raw = xasprintf("Content-Type: text/html; charset=\"%s\""
		    "\r\n\r\n<a href=\"https://example.com/\">x</a>\r\n",
		    cases[i].charset), *out;

		out = rw_run(cases[i].charset, raw, strlen(raw), &n, &len);
		ck_assert_msg(n == (size_t)cases[i].rewritten, "%s: %zu",
		    cases[i].charset, n);
		if (n == 0)
			ck_assert_str_eq(out, raw);
		free(out);
		free(raw);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mime");
	TCase *tc = tcase_create("mime");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_build_golden);
	tcase_add_test(tc, t_build_python_email);
	tcase_add_test(tc, t_parse_golden);
	tcase_add_test(tc, t_address_golden);
	tcase_add_test(tc, t_header_decode);
	tcase_add_test(tc, t_header_edit);
	tcase_add_test(tc, t_header_set_lf_message);
	tcase_add_test(tc, t_build_unfolds_like_ses);
	tcase_add_test(tc, t_build_is_quick);
	tcase_add_test(tc, t_address_unicode);
	tcase_add_test(tc, t_parse_headers);
	tcase_add_test(tc, t_leaves);
	tcase_add_test(tc, t_rewrite_golden);
	tcase_add_test(tc, t_rewrite_python_email);
	tcase_add_test(tc, t_rewrite_untouched_bytes);
	tcase_add_test(tc, t_rewrite_line_limits);
	tcase_add_test(tc, t_rewrite_declined);
	tcase_add_test(tc, t_rewrite_charsets);
	suite_add_tcase(s, tc);
	return fixture_run(s);
}
