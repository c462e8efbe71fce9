/*
 * test_dkim — Check suite for emulator/dkim.c: the DKIM-Signature SES puts
 * on outgoing mail (dkim_message_sign).
 *
 * Signatures are taken apart here (tags, folding, h=, bh= against a body
 * hash computed with OpenSSL from the canonical body written out by hand)
 * and verified end to end by dkimpy (tests/unit/check_dkim.py, Debian
 * python3-dkim) against a TXT record made from dkim_public_key: a second
 * implementation, as a receiver would check them.
 */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dkim.h"
#include "xmem.h"

#define T_NOW_S INT64_C(1700000000)	/* 2023-11-14T22:13:20Z */
#define T_DOMAIN "example.com"
#define T_SELECTOR "hirjd4exampled5477y22yd23ettobi"
#define T_NAME T_SELECTOR "._domainkey." T_DOMAIN "."	/* TXT query */
#define T_TAGS_MAX 16
#define CHECK_NOT_VERIFIED 3	/* check_dkim.py's "does not verify" */

/*
 * Folded and oddly spaced fields for relaxed canonicalisation, fields SES
 * does not sign (Received, X-Mailer, Reply-To), and a body whose trailing
 * blanks and empty lines tell simple body canonicalisation from relaxed.
 */
static const char t_msg[] =
    "Received: from client (localhost [127.0.0.1]) by sesbox\r\n"
    "From: Sender <sender@example.com>\r\n"
    "To: a@example.org,\r\n"
    "  b@example.org\r\n"
    "Subject:  Hello   DKIM \r\n"
    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
    "Message-ID: <0100018bcc5e1e00-1b6e2c9f-000000@email.amazonses.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "Content-Transfer-Encoding: 7bit\r\n"
    "X-Mailer: test\r\n"
    "Reply-To: r@example.com\r\n"
    "\r\n"
    "Hello  world \r\n"
    "\r\n"
    "line two\r\n"
    "\r\n"
    "\r\n";
/* RFC 6376 3.4.3: only the empty lines at the end go (one CRLF stays). */
static const char t_body_simple[] = "Hello  world \r\n\r\nline two\r\n";
static const char t_h[] = "From:To:Subject:Date:Message-ID:MIME-Version:"
    "Content-Type:Content-Transfer-Encoding";

struct tag {
	char name[8];
	char *value;	/* whitespace removed */
};

/* Checks the field's shape (prefix, CRLF only at line ends, each line at
 * most 78 bytes and 78 columns with tabs to 8, continuation lines start
 * with a blank, CRLF at the end) and splits its tags into t[]. Returns the
 * number of tags. */
static size_t
t_parse(const char *field, struct tag *t)
{
	static const char prefix[] = "DKIM-Signature: ";
	size_t len = strlen(field), i, col = 0, bytes = 0, n = 0, line = 0;
	char *unfolded, *p, *next, *eq, *v, *w;

	ck_assert_msg(strncmp(field, prefix, sizeof(prefix) - 1) == 0,
	    "no DKIM-Signature prefix: %s", field);
	ck_assert_msg(len > 2 && strcmp(field + len - 2, "\r\n") == 0,
	    "does not end in CRLF: %s", field);
	unfolded = xmalloc(len + 1);
	p = unfolded;
	for (i = 0; i < len; i++) {
		if (field[i] != '\r' && field[i] != '\n') {
			bytes++;
			col = field[i] == '\t' ? (col / 8 + 1) * 8 : col + 1;
			*p++ = field[i];
			continue;
		}
		ck_assert_msg(field[i] == '\r' && field[i + 1] == '\n',
		    "bare CR or LF at %zu", i);
		ck_assert_msg(bytes <= DKIM_LINE_MAX_CHARS &&
		    col <= DKIM_LINE_MAX_CHARS, "line %zu is %zu bytes, %zu "
		    "columns:\n%s", line, bytes, col, field);
		i++;
		ck_assert_msg(i + 1 == len || field[i + 1] == '\t' ||
		    field[i + 1] == ' ', "line %zu not folded", line + 1);
		bytes = col = 0;
		line++;
	}
	*p = '\0';
	ck_assert_uint_ge(line, 3);	/* it is folded at all */
	for (p = unfolded + sizeof(prefix) - 1; p != NULL && *p; p = next) {
		if ((next = strchr(p, ';')) != NULL)
			*next++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' && next == NULL)
			break;	/* after the last ';' */
		eq = strchr(p, '=');
		ck_assert_msg(eq != NULL, "not a tag: %s", p);
		*eq = '\0';
		ck_assert_uint_lt(n, T_TAGS_MAX);
		ck_assert_uint_lt(strlen(p), sizeof(t[n].name));
		strcpy(t[n].name, p);
		v = w = xstrdup(eq + 1);
		for (eq++; *eq; eq++)
			if (*eq != ' ' && *eq != '\t')
				*w++ = *eq;
		*w = '\0';
		t[n++].value = v;
	}
	free(unfolded);
	return n;
}

static const char *
t_tag(const struct tag *t, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].value;
	return NULL;
}

static void
t_tags_free(struct tag *t, size_t n)
{
	while (n > 0)
		free(t[--n].value);
}

/* base64 SHA-256 of s, with OpenSSL alone (new). */
static char *
t_sha256_b64(const char *s, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	char *out = xmalloc(4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1);

	ck_assert(EVP_Digest(s, n, md, &mdlen, EVP_sha256(), NULL) == 1);
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	return out;
}

static char *
t_write_temp(const char *a, const char *b)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/sesbox-dkim-XXXXXX",
	    dir != NULL && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_msg(fd >= 0, "mkstemp %s", path);
	ck_assert((f = fdopen(fd, "wb")) != NULL);
	ck_assert(fputs(a, f) >= 0 && fputs(b, f) >= 0);
	ck_assert(fclose(f) == 0);
	return path;
}

/*
 * Runs check_dkim.py on signature + msg with the TXT record of pem's
 * public key published at name and checks that its exit status is want
 * (0 verified, CHECK_NOT_VERIFIED; dkimpy's reasons are shown only when 0
 * was wanted). Python and dkimpy are required: their absence fails the
 * test, it does not skip it.
 */
static void
t_dkimpy(const char *what, const char *pem, const char *signature,
    const char *msg, const char *name, int want)
{
	const char *root = getenv("SESBOX_FIXTURES");
	char *pub = dkim_public_key(pem), *txt, *mpath, *rpath, *cmd;
	int rc;

	ck_assert_msg(access("/usr/bin/python3", X_OK) == 0,
	    "/usr/bin/python3 is needed (make deps)");
	if (root == NULL || *root == '\0')
		root = "fixtures";
	ck_assert(pub != NULL);
	txt = xasprintf("v=DKIM1; k=rsa; p=%s", pub);
	mpath = t_write_temp(signature, msg);
	rpath = t_write_temp(txt, "");
	cmd = xasprintf("/usr/bin/python3 %s/../tests/unit/check_dkim.py "
	    "%s %s %s%s", root, mpath, rpath, name, want != 0 ?
	    " 2>/dev/null" : "");
	rc = system(cmd);
	unlink(mpath);
	unlink(rpath);
	free(cmd);
	free(rpath);
	free(mpath);
	free(txt);
	free(pub);
	ck_assert_msg(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == want,
	    "%s: check_dkim.py exited %d, not %d", what, rc != -1 &&
	    WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, want);
}

static char *
t_sign(const char *pem, const char *msg)
{
	char err[DKIM_ERROR_MAX_BYTES] = "", *sig;

	sig = dkim_message_sign(pem, T_DOMAIN, T_SELECTOR, msg, strlen(msg),
	    T_NOW_S, err);
	ck_assert_msg(sig != NULL, "dkim_message_sign: %s", err);
	return sig;
}

/* msg with the first occurrence of from replaced by to (new). */
static char *
t_edit(const char *msg, const char *from, const char *to)
{
	const char *at = strstr(msg, from);

	ck_assert_msg(at != NULL, "%s not in message", from);
	return xasprintf("%.*s%s%s", (int)(at - msg), msg, to,
	    at + strlen(from));
}

static void
t_check_signature(int bits)
{
	char *pem = dkim_key_generate(bits), *sig = t_sign(pem, t_msg);
	char *bh = t_sha256_b64(t_body_simple, strlen(t_body_simple));
	struct tag t[T_TAGS_MAX];
	size_t n = t_parse(sig, t);
	const char *b = t_tag(t, n, "b");

	ck_assert_str_eq(t_tag(t, n, "v"), "1");
	ck_assert_str_eq(t_tag(t, n, "a"), "rsa-sha256");
	ck_assert_str_eq(t_tag(t, n, "q"), "dns/txt");
	ck_assert_str_eq(t_tag(t, n, "c"), "relaxed/simple");
	ck_assert_str_eq(t_tag(t, n, "d"), T_DOMAIN);
	ck_assert_str_eq(t_tag(t, n, "s"), T_SELECTOR);
	ck_assert_str_eq(t_tag(t, n, "t"), "1700000000");
	ck_assert_str_eq(t_tag(t, n, "h"), t_h);
	ck_assert_str_eq(t_tag(t, n, "bh"), bh);
	ck_assert_ptr_nonnull(b);
	/* An RSA signature is as long as the modulus. */
	ck_assert_uint_eq(strlen(b), (size_t)(bits / 8 + 2) / 3 * 4);
	ck_assert_ptr_null(t_tag(t, n, "x"));
	ck_assert_ptr_null(t_tag(t, n, "l"));
	ck_assert_ptr_null(t_tag(t, n, "i"));
	ck_assert_uint_eq(n, 10);
	t_dkimpy("signed", pem, sig, t_msg, T_NAME, 0);
	t_tags_free(t, n);
	free(bh);
	free(sig);
	free(pem);
}

START_TEST(t_sign_2048)
{
	t_check_signature(2048);
}
END_TEST

START_TEST(t_sign_1024)
{
	t_check_signature(1024);
}
END_TEST

/* What the signature covers, as a receiver sees it: signed fields and the
 * body are fixed, relaxed header canonicalisation forgives whitespace and
 * case in signed fields, simple body canonicalisation does not forgive it
 * in the body, and unsigned fields may change. */
START_TEST(t_sign_covers)
{
	static const struct {
		const char *from, *to;
		int status;
	} edits[] = {
		{ "Subject:  Hello   DKIM \r\n", "subject: Hello DKIM\r\n", 0 },
		{ "To: a@example.org,\r\n  b@", "To: a@example.org, b@", 0 },
		{ "X-Mailer: test", "X-Mailer: changed", 0 },
		{ "Reply-To: r@", "Reply-To: attacker@", 0 },
		{ "Received: from client", "Received: from elsewhere", 0 },
		{ "line two\r\n\r\n\r\n", "line two\r\n", 0 },
		{ "Subject:  Hello", "Subject:  Jello", CHECK_NOT_VERIFIED },
		{ "From: Sender", "From: Someone", CHECK_NOT_VERIFIED },
		{ "Date: Tue", "Date: Wed", CHECK_NOT_VERIFIED },
		{ "charset=UTF-8", "charset=utf-7", CHECK_NOT_VERIFIED },
		{ "Hello  world \r\n", "Hello world\r\n", CHECK_NOT_VERIFIED },
		{ "line two", "line 2", CHECK_NOT_VERIFIED },
	};
	char *pem = dkim_key_generate(1024), *sig = t_sign(pem, t_msg), *m;
	char *what;
	size_t i;

	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		m = t_edit(t_msg, edits[i].from, edits[i].to);
		what = xasprintf("edit %zu", i);
		t_dkimpy(what, pem, sig, m, T_NAME, edits[i].status);
		free(what);
		free(m);
	}
	/* The key is looked up where s= and d= say, nowhere else. */
	t_dkimpy("other selector", pem, sig, t_msg, "other._domainkey."
	    T_DOMAIN ".", CHECK_NOT_VERIFIED);
	free(sig);
	free(pem);
}
END_TEST

/* Only the listed fields present are signed, each instance once, in
 * message order and as the message spells them; none is oversigned. */
START_TEST(t_sign_fields)
{
	static const char msg[] =
	    "Content-Type: text/plain\r\n"
	    "mime-version: 1.0\r\n"
	    "Subject: s\r\n"
	    "From: a@example.com\r\n"
	    "In-Reply-To: <x@y>\r\n"
	    "References: <w@y> <x@y>\r\n"
	    "To: b@example.org\r\n"
	    "Cc: c@example.org\r\n"
	    "Cc: d@example.org\r\n"
	    "Sender: e@example.com\r\n"
	    "Message-Id: <z@y>\r\n"
	    "List-Unsubscribe: <https://example.com/u>\r\n"
	    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
	    "Feedback-ID: 1.us-east-1.x=:AmazonSES\r\n"
	    "X-SES-Outgoing: 2023.11.14-1.2.3.4\r\n"
	    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
	    "\r\n"
	    "body\r\n";
	char *pem = dkim_key_generate(1024), *sig = t_sign(pem, msg);
	struct tag t[T_TAGS_MAX];
	size_t n = t_parse(sig, t);

	ck_assert_str_eq(t_tag(t, n, "h"), "Content-Type:mime-version:"
	    "Subject:From:In-Reply-To:References:To:Cc:Cc:Message-Id:"
	    "List-Unsubscribe:List-Unsubscribe-Post:Date");
	t_dkimpy("signed", pem, sig, msg, T_NAME, 0);
	t_tags_free(t, n);
	free(sig);
	free(pem);
}
END_TEST

/* A message with no body (no empty line) signs the empty body, CRLF. */
START_TEST(t_sign_no_body)
{
	static const char msg[] = "From: a@example.com\r\nSubject: s\r\n";
	char *pem = dkim_key_generate(1024), *sig = t_sign(pem, msg);
	char *bh = t_sha256_b64("\r\n", 2);
	struct tag t[T_TAGS_MAX];
	size_t n = t_parse(sig, t);

	ck_assert_str_eq(t_tag(t, n, "h"), "From:Subject");
	ck_assert_str_eq(t_tag(t, n, "bh"), bh);
	t_dkimpy("signed", pem, sig, msg, T_NAME, 0);
	t_tags_free(t, n);
	free(bh);
	free(sig);
	free(pem);
}
END_TEST

/* Long d= and s= still fold within 78 columns. */
START_TEST(t_sign_long_names)
{
	static const char dom[] = "a-rather-long-subdomain.of-an-example-"
	    "domain-name.example.com";
	static const char sel[] = "abcdefghijklmnopqrstuvwxyz234567";
	char err[DKIM_ERROR_MAX_BYTES] = "", *pem = dkim_key_generate(2048);
	char *sig = dkim_message_sign(pem, dom, sel, t_msg, strlen(t_msg),
	    T_NOW_S, err), *name;
	struct tag t[T_TAGS_MAX];
	size_t n;

	ck_assert_msg(sig != NULL, "%s", err);
	n = t_parse(sig, t);
	ck_assert_str_eq(t_tag(t, n, "d"), dom);
	ck_assert_str_eq(t_tag(t, n, "s"), sel);
	name = xasprintf("%s._domainkey.%s.", sel, dom);
	t_dkimpy("signed", pem, sig, t_msg, name, 0);
	free(name);
	t_tags_free(t, n);
	free(sig);
	free(pem);
}
END_TEST

static void
t_sign_fails(const char *pem, const char *domain, const char *selector,
    const char *msg, size_t len, const char *want)
{
	char err[DKIM_ERROR_MAX_BYTES] = "";
	char *sig = dkim_message_sign(pem, domain, selector, msg, len,
	    T_NOW_S, err);

	ck_assert_msg(sig == NULL, "signed: %s", sig);
	ck_assert_str_eq(err, want);
}

START_TEST(t_sign_errors)
{
	static const char no_key[] = "DKIM signing key is not a PEM RSA "
	    "private key";
	static const char no_from[] = "DKIM signing failed: required header "
	    "\"from\" not found";
	static const char to_only[] = "To: b@example.org\r\n\r\nx\r\n";
	char *pem = dkim_key_generate(1024), *pub = dkim_public_key(pem);
	char *pub_pem = xasprintf("-----BEGIN PUBLIC KEY-----\n%s\n"
	    "-----END PUBLIC KEY-----\n", pub);
	const char *body = strchr(pem, '\n') + 1;
	char *bare = xstrndup(body, (size_t)(strstr(body, "-----END") - body));
	size_t len = strlen(t_msg);
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIO *bio = BIO_new(BIO_s_mem());
	char *ec_pem, *data;
	long n;

	t_sign_fails("not a key", T_DOMAIN, T_SELECTOR, t_msg, len, no_key);
	t_sign_fails("", T_DOMAIN, T_SELECTOR, t_msg, len, no_key);
	t_sign_fails(NULL, T_DOMAIN, T_SELECTOR, t_msg, len, no_key);
	/* The key without its armour (a BYODKIM key before
	 * dkim_key_import), and public keys, are not it. */
	t_sign_fails(bare, T_DOMAIN, T_SELECTOR, t_msg, len, no_key);
	t_sign_fails(pub, T_DOMAIN, T_SELECTOR, t_msg, len, no_key);
	t_sign_fails(pub_pem, T_DOMAIN, T_SELECTOR, t_msg, len, no_key);
	ck_assert(ec != NULL && bio != NULL);
	ck_assert(PEM_write_bio_PrivateKey(bio, ec, NULL, NULL, 0, NULL,
	    NULL) == 1);
	n = BIO_get_mem_data(bio, &data);
	ec_pem = xstrndup(data, (size_t)n);
	t_sign_fails(ec_pem, T_DOMAIN, T_SELECTOR, t_msg, len, no_key);
	t_sign_fails(pem, "", T_SELECTOR, t_msg, len,
	    "DKIM signing domain is empty");
	t_sign_fails(pem, NULL, T_SELECTOR, t_msg, len,
	    "DKIM signing domain is empty");
	t_sign_fails(pem, T_DOMAIN, "", t_msg, len, "DKIM selector is empty");
	t_sign_fails(pem, T_DOMAIN, NULL, t_msg, len,
	    "DKIM selector is empty");
	/* The domain is checked before the selector, both before the key. */
	t_sign_fails("not a key", "", "", t_msg, len,
	    "DKIM signing domain is empty");
	t_sign_fails(pem, T_DOMAIN, T_SELECTOR, to_only, sizeof(to_only) - 1,
	    no_from);
	t_sign_fails(pem, T_DOMAIN, T_SELECTOR, "", 0, no_from);
	free(ec_pem);
	BIO_free(bio);
	EVP_PKEY_free(ec);
	free(bare);
	free(pub_pem);
	free(pub);
	free(pem);
}
END_TEST

static Suite *
dkim_suite(void)
{
	Suite *s = suite_create("dkim");
	TCase *tc = tcase_create("sign");

	/* Key generation and a Python process per check. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t_sign_2048);
	tcase_add_test(tc, t_sign_1024);
	tcase_add_test(tc, t_sign_covers);
	tcase_add_test(tc, t_sign_fields);
	tcase_add_test(tc, t_sign_no_body);
	tcase_add_test(tc, t_sign_long_names);
	tcase_add_test(tc, t_sign_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dkim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
