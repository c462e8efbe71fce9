/*
 * test_sigv4 — Check suite for emulator/sigv4.c.
 *
 * Data-driven from fixtures/sigv4/ (or $SESBOX_FIXTURES/sigv4/):
 *  - <case>/ (no "boto-" prefix): AWS's SigV4 test suite as AWS publishes
 *    it today in awslabs/aws-c-auth tests/aws-signing-test-suite/v4/
 *    (fixtures/sigv4/SOURCES says which file came from which commit).
 *    header-signed-request.txt is the request with the Authorization AWS
 *    computed; header-canonical-request.txt / header-string-to-sign.txt,
 *    where published, are the expected intermediate steps; query-*.txt
 *    are the presigned variant. Credentials AKIDEXAMPLE, us-east-1,
 *    service "service", 2015-08-30T12:36:00Z.
 *  - boto-*: requests botocore signed, written by gen_sigv4_boto.py, with
 *    botocore's own canonical request and string to sign.
 *
 * Request files are HTTP text: request line, "Name:value" lines, a blank
 * line, the body. A line starting with a blank continues the previous
 * header and, as in the suite's get-header-value-multiline case, counts
 * as another value of it (joined with ',' when canonicalised).
 */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "awserr.h"
#include "sigv4.h"
#include "xmem.h"

#define SUITE_ACCESS_KEY "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_TIME_MS INT64_C(1440938160000)	/* 20150830T123600Z */
#define SUITE_CASES_MIN 25
#define BOTO_CASES_MIN 5
#define CASES_MAX 128
#define TREQ_HEADERS_MAX 64

/* Case directory names, filled by main() before the runner forks. */
static char *suite_cases[CASES_MAX];
static int nsuite_cases;
static char *boto_cases[CASES_MAX];
static int nboto_cases;

/* A parsed request file; r and h point into text. */
struct treq {
	struct sigv4_request r;
	struct sigv4_header h[TREQ_HEADERS_MAX];
	char *text;
};

static const char *
fixtures_dir(void)
{
	const char *d = getenv("SESBOX_FIXTURES");

	return d != NULL && *d != '\0' ? d : "fixtures";
}

/* New contents of fixtures/sigv4/<case>/<name> (NUL added), or NULL. */
static char *
fixture_read(const char *c, const char *name, size_t *len)
{
	char *path = xasprintf("%s/sigv4/%s/%s", fixtures_dir(), c, name);
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	free(path);
	if (f == NULL)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

static char *
fixture_must(const char *c, const char *name, size_t *len)
{
	char *s = fixture_read(c, name, len);

	ck_assert_msg(s != NULL, "%s/%s: cannot read", c, name);
	return s;
}

/* Parses HTTP text (taken) into t. */
static void
treq_parse(struct treq *t, char *text, size_t len)
{
	char *p = text, *end = text + len, *nl, *sp, *q;
	size_t n = 0;

	memset(t, 0, sizeof(*t));
	t->text = text;
	nl = strchr(p, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	if (nl > p && nl[-1] == '\r')
		nl[-1] = '\0';
	sp = strchr(p, ' ');
	q = strrchr(p, ' ');
	ck_assert_msg(sp != NULL && q != NULL && sp < q, "bad request line");
	*sp = '\0';
	*q = '\0';
	t->r.method = p;
	t->r.path = sp + 1;
	if ((q = strchr(sp + 1, '?')) != NULL) {
		*q = '\0';
		t->r.query = q + 1;
	}
	p = nl + 1;
	while (p < end && *p != '\n' && !(*p == '\r' && p[1] == '\n')) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		ck_assert_int_lt(n, TREQ_HEADERS_MAX);
		if ((*p == ' ' || *p == '\t') && n > 0) {
			t->h[n].name = t->h[n - 1].name;
			t->h[n].value = p;
		} else {
			q = strchr(p, ':');
			ck_assert_msg(q != NULL, "bad header line '%s'", p);
			*q = '\0';
			t->h[n].name = p;
			t->h[n].value = q + 1;
		}
		n++;
		p = nl + 1;
	}
	p += *p == '\r' ? 2 : 1;
	t->r.headers = t->h;
	t->r.nheaders = n;
	t->r.body = (const unsigned char *)(p < end ? p : end);
	t->r.body_len = p < end ? (size_t)(end - p) : 0;
}

static int
treq_load(struct treq *t, const char *c, const char *name)
{
	size_t len;
	char *text = fixture_read(c, name, &len);

	if (text == NULL)
		return -1;
	treq_parse(t, text, len);
	return 0;
}

/* The header value (borrowed) of the first header called name. */
static const char *
treq_header(const struct treq *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->r.nheaders; i++) {
		if (strcasecmp(t->h[i].name, name) == 0)
			return t->h[i].value;
	}
	return NULL;
}

/* The 64 hex characters after the last "Signature=" in s, new. */
static char *
signature_in(const char *s)
{
	const char *p = NULL, *q = s;

	while ((q = strstr(q, "Signature=")) != NULL)
		p = q++;
	ck_assert_ptr_nonnull(p);
	return xstrndup(p + strlen("Signature="), 64);
}

static void
assert_err(const struct awserr *e, int status, const char *code,
    const char *message)
{
	ck_assert_str_eq(e->code, code);
	ck_assert_int_eq(e->http_status, status);
	if (message != NULL)
		ck_assert_str_eq(e->message, message);
}

/* Canonical request, string to sign and signature of t under auth. */
static void
check_steps(const char *c, const struct treq *t, const struct sigv4_auth *auth,
    const char *secret, const char *creq_file, const char *sts_file,
    const char *want_sig)
{
	char *want_creq = fixture_read(c, creq_file, NULL);
	char *want_sts = fixture_read(c, sts_file, NULL);
	char *creq, *sts, sig[65];

	if (want_creq != NULL && auth->presigned) {
		/* the signer's payload hash is policy, tested in verify */
		creq = sigv4_canonical_request_payload(&t->r, auth,
		    strrchr(want_creq, '\n') + 1);
	} else
		creq = sigv4_canonical_request(&t->r, auth);
	if (want_creq != NULL)
		ck_assert_str_eq(creq, want_creq);
	sts = sigv4_string_to_sign(creq, auth);
	if (want_sts != NULL)
		ck_assert_str_eq(sts, want_sts);
	if (want_creq != NULL || !auth->presigned) {
		sigv4_signature_hex(secret, auth, sts, sig);
		ck_assert_str_eq(sig, want_sig);
	}
	free(creq);
	free(sts);
	free(want_creq);
	free(want_sts);
}

/* Published suite: header-signed and, where present, presigned. */
START_TEST(t_suite_vector)
{
	const char *c = suite_cases[_i];
	struct sigv4_auth auth;
	struct awserr e;
	struct treq t;
	char *want;

	awserr_init(&e);
	ck_assert_int_eq(treq_load(&t, c, "header-signed-request.txt"), 0);
	ck_assert_msg(sigv4_parse(&t.r, &auth, &e) == 0, "%s: %s: %s", c,
	    e.code, e.message);
	ck_assert_str_eq(auth.access_key, SUITE_ACCESS_KEY);
	ck_assert_str_eq(auth.date, "20150830");
	ck_assert_str_eq(auth.region, "us-east-1");
	ck_assert_str_eq(auth.service, "service");
	ck_assert_str_eq(auth.amz_date, "20150830T123600Z");
	ck_assert_int_eq(auth.presigned, 0);
	want = signature_in(treq_header(&t, "Authorization"));
	ck_assert_str_eq(auth.signature, want);
	check_steps(c, &t, &auth, SUITE_SECRET, "header-canonical-request.txt",
	    "header-string-to-sign.txt", want);
	ck_assert_msg(sigv4_verify(&t.r, &auth, SUITE_SECRET, SUITE_TIME_MS,
	    &e) == 0, "%s: %s: %s", c, e.code, e.message);
	ck_assert_int_eq(sigv4_verify(&t.r, &auth, SUITE_SECRET "x",
	    SUITE_TIME_MS, &e), -1);
	assert_err(&e, 403, "SignatureDoesNotMatch", NULL);
	free(want);
	free(t.text);

	if (treq_load(&t, c, "query-signed-request.txt") == -1)
		return;
	ck_assert_msg(sigv4_parse(&t.r, &auth, &e) == 0, "%s: %s: %s", c,
	    e.code, e.message);
	ck_assert_int_eq(auth.presigned, 1);
	ck_assert_str_eq(auth.access_key, SUITE_ACCESS_KEY);
	want = signature_in(t.r.query);
	check_steps(c, &t, &auth, SUITE_SECRET, "query-canonical-request.txt",
	    "query-string-to-sign.txt", want);
	ck_assert_msg(sigv4_verify(&t.r, &auth, SUITE_SECRET, SUITE_TIME_MS,
	    &e) == 0, "%s: %s: %s", c, e.code, e.message);
	free(want);
	free(t.text);
}
END_TEST

/*
 * Signing: the suite's requests whose every header is signed, signed
 * again by sigv4_sign from the request without its Authorization, give
 * AWS's Authorization; and what sigv4_sign makes, sigv4_verify accepts.
 */
START_TEST(t_suite_sign)
{
	const char *c = suite_cases[_i], *want, *sh;
	struct sigv4_header h[TREQ_HEADERS_MAX];
	struct sigv4_request r;
	struct sigv4_auth auth;
	struct awserr e;
	struct treq t;
	char *got, *names;
	size_t i, n = 0;

	awserr_init(&e);
	ck_assert_int_eq(treq_load(&t, c, "header-signed-request.txt"), 0);
	want = treq_header(&t, "Authorization");
	r = t.r;
	for (i = 0; i < t.r.nheaders; i++)
		if (strcasecmp(t.h[i].name, "Authorization") != 0)
			h[n++] = t.h[i];
	r.headers = h;
	r.nheaders = n;
	got = sigv4_sign(&r, SUITE_ACCESS_KEY, SUITE_SECRET, "us-east-1",
	    "service", "20150830T123600Z");
	ck_assert_ptr_nonnull(got);
	/* Cases signing fewer headers than they carry are not for this. */
	sh = strstr(want, "SignedHeaders=");
	names = strstr(got, "SignedHeaders=");
	ck_assert_ptr_nonnull(sh);
	ck_assert_ptr_nonnull(names);
	if (strncmp(sh, names, strcspn(sh, ",")) == 0)
		ck_assert_str_eq(got, want);
	else
		ck_assert_msg(strcmp(c, "post-vanilla") != 0 && strcmp(c,
		    "get-vanilla-query") != 0, "%s: %s", c, got);
	for (i = 0; i < n; i++)
		t.h[i] = h[i];
	t.h[n].name = "Authorization";
	t.h[n].value = got;
	t.r.headers = t.h;
	t.r.nheaders = n + 1;
	ck_assert_int_eq(sigv4_parse(&t.r, &auth, &e), 0);
	ck_assert_msg(sigv4_verify(&t.r, &auth, SUITE_SECRET, SUITE_TIME_MS,
	    &e) == 0, "%s: %s: %s", c, e.code, e.message);
	free(got);
	free(t.text);
}
END_TEST

/* A PutEvents call as sesbox signs it, checked by the verifier. */
START_TEST(t_sign_outgoing)
{
	static const char body[] = "{\"Entries\":[]}";
	static const char prefix[] = "AWS4-HMAC-SHA256 Credential="
	    "000000000000/20231114/eu-west-1/events/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
	    "Signature=";
	struct sigv4_header h[] = {
		{ "Host", "127.0.0.1:4566" },
		{ "Content-Type", "application/x-amz-json-1.1" },
		{ "X-Amz-Date", "20231114T221320Z" },
		{ "X-Amz-Target", "AWSEvents.PutEvents" },
		{ "Authorization", NULL },
	};
	struct sigv4_request r = { .method = "POST", .path = "/",
	    .headers = h, .nheaders = 4, .body = (const unsigned char *)body,
	    .body_len = sizeof(body) - 1 };
	struct sigv4_auth auth;
	struct awserr e;
	char *got;

	awserr_init(&e);
	got = sigv4_sign(&r, "000000000000", "sesbox", "eu-west-1", "events",
	    "20231114T221320Z");
	ck_assert(strncmp(got, prefix, strlen(prefix)) == 0);
	ck_assert_uint_eq(strlen(got), strlen(prefix) + 64);
	h[4].value = got;
	r.nheaders = 5;
	ck_assert_int_eq(sigv4_parse(&r, &auth, &e), 0);
	ck_assert_str_eq(auth.service, "events");
	ck_assert_int_eq(sigv4_verify(&r, &auth, "sesbox",
	    INT64_C(1700000000000), &e), 0);
	ck_assert_int_eq(sigv4_verify(&r, &auth, "other",
	    INT64_C(1700000000000), &e), -1);
	free(got);
}
END_TEST

START_TEST(t_suite_vectors_present)
{
	ck_assert_int_ge(nsuite_cases, SUITE_CASES_MIN);
	ck_assert_int_ge(nboto_cases, BOTO_CASES_MIN);
}
END_TEST

struct boto_ctx {
	json_t *root;
	const char *secret;
	int64_t signed_ms;
	int presigned;
	int64_t expires_s;
};

static void
boto_ctx_load(struct boto_ctx *x, const char *c)
{
	char *text = fixture_must(c, "context.json", NULL);
	json_error_t err;

	x->root = json_loads(text, 0, &err);
	free(text);
	ck_assert_msg(x->root != NULL, "%s: context.json: %s", c, err.text);
	x->secret = json_string_value(json_object_get(x->root, "secret_key"));
	x->signed_ms = json_integer_value(json_object_get(x->root,
	    "signing_time_ms"));
	x->presigned = json_is_true(json_object_get(x->root, "presigned"));
	x->expires_s = json_integer_value(json_object_get(x->root,
	    "expires_s"));
	ck_assert_ptr_nonnull(x->secret);
}

static const char *
boto_ctx_str(const struct boto_ctx *x, const char *key)
{
	const char *s = json_string_value(json_object_get(x->root, key));

	ck_assert_msg(s != NULL, "context.json lacks %s", key);
	return s;
}

static int
verify(const struct treq *t, const char *secret, int64_t now_ms,
    struct awserr *e)
{
	struct sigv4_auth auth;

	if (sigv4_parse(&t->r, &auth, e) == -1)
		return -1;
	return sigv4_verify(&t->r, &auth, secret, now_ms, e);
}

/* Requests signed by botocore: accepted as sent, rejected when touched. */
START_TEST(t_boto_vector)
{
	const char *c = boto_cases[_i];
	struct sigv4_auth auth;
	struct boto_ctx x;
	struct awserr e;
	struct treq t;
	char *copy;
	size_t i;

	awserr_init(&e);
	boto_ctx_load(&x, c);
	ck_assert_int_eq(treq_load(&t, c, "request.txt"), 0);
	ck_assert_msg(sigv4_parse(&t.r, &auth, &e) == 0, "%s: %s: %s", c,
	    e.code, e.message);
	ck_assert_str_eq(auth.access_key, boto_ctx_str(&x, "access_key"));
	ck_assert_str_eq(auth.region, boto_ctx_str(&x, "region"));
	ck_assert_str_eq(auth.service, boto_ctx_str(&x, "service"));
	ck_assert_str_eq(auth.amz_date, boto_ctx_str(&x, "signing_time"));
	ck_assert_str_eq(auth.signature, boto_ctx_str(&x, "signature"));
	ck_assert_int_eq(auth.presigned, x.presigned);
	if (x.presigned)
		ck_assert_int_eq(auth.expires_s, x.expires_s);
	check_steps(c, &t, &auth, x.secret, "canonical-request.txt",
	    "string-to-sign.txt", boto_ctx_str(&x, "signature"));
	ck_assert_msg(sigv4_verify(&t.r, &auth, x.secret, x.signed_ms,
	    &e) == 0, "%s: %s: %s", c, e.code, e.message);

	/* another secret */
	ck_assert_int_eq(verify(&t, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ",
	    x.signed_ms, &e), -1);
	assert_err(&e, 403, "SignatureDoesNotMatch", NULL);

	/* one byte of the body */
	if (t.r.body_len > 0) {
		const unsigned char *body = t.r.body;

		copy = xmalloc(t.r.body_len);
		memcpy(copy, body, t.r.body_len);
		copy[t.r.body_len / 2] ^= 0x01;
		t.r.body = (const unsigned char *)copy;
		ck_assert_int_eq(verify(&t, x.secret, x.signed_ms, &e), -1);
		assert_err(&e, 403, "SignatureDoesNotMatch", NULL);
		t.r.body = body;
		free(copy);
	}

	/* one signed header: another Host */
	for (i = 0; i < t.r.nheaders; i++) {
		if (strcasecmp(t.h[i].name, "Host") == 0) {
			const char *host = t.h[i].value;

			t.h[i].value = "email.us-east-1.amazonaws.com";
			ck_assert_int_eq(verify(&t, x.secret, x.signed_ms,
			    &e), -1);
			assert_err(&e, 403, "SignatureDoesNotMatch", NULL);
			t.h[i].value = host;
		}
	}
	ck_assert_int_eq(verify(&t, x.secret, x.signed_ms, &e), 0);

	/* the clock */
	if (x.presigned) {
		ck_assert_int_eq(verify(&t, x.secret,
		    x.signed_ms + x.expires_s * 1000, &e), 0);
		ck_assert_int_eq(verify(&t, x.secret,
		    x.signed_ms + x.expires_s * 1000 + 1000, &e), -1);
		assert_err(&e, 400, "RequestExpired", "Request has expired.");
	} else {
		ck_assert_int_eq(verify(&t, x.secret,
		    x.signed_ms + SIGV4_CLOCK_SKEW_MAX_MS, &e), 0);
		ck_assert_int_eq(verify(&t, x.secret,
		    x.signed_ms - SIGV4_CLOCK_SKEW_MAX_MS, &e), 0);
		ck_assert_int_eq(verify(&t, x.secret,
		    x.signed_ms + SIGV4_CLOCK_SKEW_MAX_MS + 1000, &e), -1);
		assert_err(&e, 403, "SignatureDoesNotMatch",
		    "Signature expired: 20240506T070809Z is now earlier than "
		    "20240506T070810Z (20240506T071310Z - 5 min.)");
	}
	free(t.text);
	json_decref(x.root);
}
END_TEST

/*
 * Hand-made requests for the error paths: the suite's get-vanilla, whose
 * Authorization AWS published, with one thing changed at a time.
 */
#define VANILLA_SCOPE "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
#define VANILLA_SIG \
	"5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
#define VANILLA_AUTHZ "AWS4-HMAC-SHA256 Credential=" VANILLA_SCOPE \
	", SignedHeaders=host;x-amz-date, Signature=" VANILLA_SIG

struct mreq {
	struct sigv4_request r;
	struct sigv4_header h[3];
};

/* GET / with Host, X-Amz-Date (unless amz_date is NULL) and authz. */
static void
mreq_init(struct mreq *m, const char *authz, const char *amz_date)
{
	size_t n = 0;

	memset(m, 0, sizeof(*m));
	m->h[n].name = "Host";
	m->h[n++].value = "example.amazonaws.com";
	if (amz_date != NULL) {
		m->h[n].name = "X-Amz-Date";
		m->h[n++].value = amz_date;
	}
	if (authz != NULL) {
		m->h[n].name = "Authorization";
		m->h[n++].value = authz;
	}
	m->r.method = "GET";
	m->r.path = "/";
	m->r.headers = m->h;
	m->r.nheaders = n;
	m->r.body = (const unsigned char *)"";
}

static void
parse_fails(const struct sigv4_request *r, int status, const char *code,
    const char *message)
{
	struct sigv4_auth auth;
	struct awserr e;

	awserr_init(&e);
	ck_assert_int_eq(sigv4_parse(r, &auth, &e), -1);
	assert_err(&e, status, code, message);
}

START_TEST(t_vanilla_accepted)
{
	struct sigv4_auth auth;
	struct awserr e;
	struct mreq m;

	awserr_init(&e);
	mreq_init(&m, VANILLA_AUTHZ, "20150830T123600Z");
	ck_assert_int_eq(sigv4_parse(&m.r, &auth, &e), 0);
	ck_assert_str_eq(auth.signed_headers, "host;x-amz-date");
	ck_assert_int_eq(sigv4_verify(&m.r, &auth, SUITE_SECRET,
	    SUITE_TIME_MS, &e), 0);
	ck_assert(!awserr_isset(&e));
}
END_TEST

START_TEST(t_no_auth)
{
	struct mreq m;

	mreq_init(&m, NULL, "20150830T123600Z");
	parse_fails(&m.r, 403, "MissingAuthenticationToken",
	    "Request is missing Authentication Token");
	m.r.query = "Action=GetSendQuota&X-Amz-Signature=" VANILLA_SIG;
	parse_fails(&m.r, 403, "MissingAuthenticationToken",
	    "Request is missing Authentication Token");
}
END_TEST

/* Another scheme: AWS looks for the SigV4 parts and names them all. */
START_TEST(t_other_scheme)
{
	struct mreq m;

	mreq_init(&m, "AWS AKIDEXAMPLE:qaNdqGsI6bq4Hi+9Gzovwyjbh0E=",
	    "20150830T123600Z");
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "Authorization header requires 'Credential' parameter. "
	    "Authorization header requires 'Signature' parameter. "
	    "Authorization header requires 'SignedHeaders' parameter. "
	    "Authorization=AWS AKIDEXAMPLE:qaNdqGsI6bq4Hi+9Gzovwyjbh0E=");
	mreq_init(&m, "Basic ZWxhc3RpY3NlYXJjaDo3V3JFVXg4alJXYjRGOGdlWEtHSEJm"
	    "dkoyQXNzTEJxeXI4RQ==", NULL);
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "Authorization header requires 'Credential' parameter. "
	    "Authorization header requires 'Signature' parameter. "
	    "Authorization header requires 'SignedHeaders' parameter. "
	    "Authorization header requires existence of either a "
	    "'X-Amz-Date' or a 'Date' header. Authorization=Basic "
	    "ZWxhc3RpY3NlYXJjaDo3V3JFVXg4alJXYjRGOGdlWEtHSEJmdkoyQXNzTEJxeXI4"
	    "RQ==");
}
END_TEST

START_TEST(t_unsupported_algorithm)
{
	struct mreq m;

	mreq_init(&m, "AWS4-HMAC-SHA512 Credential=" VANILLA_SCOPE
	    ", SignedHeaders=host;x-amz-date, Signature=" VANILLA_SIG,
	    "20150830T123600Z");
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.");
}
END_TEST

/* The exact answer SES gave in brendanhay/amazonka#316. */
START_TEST(t_missing_parts)
{
	struct mreq m;

	mreq_init(&m, "AWS4-HMAC-SHA256 Credential=ABCDEF", "20150830T123600Z");
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "Authorization header requires 'Signature' parameter. "
	    "Authorization header requires 'SignedHeaders' parameter. "
	    "Authorization=AWS4-HMAC-SHA256 Credential=ABCDEF");
	mreq_init(&m, "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, "
	    "Signature=" VANILLA_SIG, "20150830T123600Z");
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "Authorization header requires 'Credential' parameter. "
	    "Authorization=AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, "
	    "Signature=" VANILLA_SIG);
	mreq_init(&m, "AWS4-HMAC-SHA256 Credential=" VANILLA_SCOPE
	    ", SignedHeaders=, Signature=" VANILLA_SIG, "20150830T123600Z");
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "Authorization header requires 'SignedHeaders' parameter. "
	    "Authorization=AWS4-HMAC-SHA256 Credential=" VANILLA_SCOPE
	    ", SignedHeaders=, Signature=" VANILLA_SIG);
	mreq_init(&m, VANILLA_AUTHZ, NULL);
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "Authorization header requires existence of either a "
	    "'X-Amz-Date' or a 'Date' header. Authorization=" VANILLA_AUTHZ);
}
END_TEST

START_TEST(t_not_key_value)
{
	struct mreq m;

	mreq_init(&m, "AWS4-HMAC-SHA256 Credential= " VANILLA_SCOPE
	    ", SignedHeaders=host;x-amz-date, Signature=" VANILLA_SIG,
	    "20150830T123600Z");
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "'" VANILLA_SCOPE "' not a valid key=value pair (missing "
	    "equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 "
	    "Credential= " VANILLA_SCOPE ", SignedHeaders=host;x-amz-date, "
	    "Signature=" VANILLA_SIG "'.");
}
END_TEST

START_TEST(t_bad_scope)
{
	struct mreq m;

	mreq_init(&m, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
	    "us-east-1/service, SignedHeaders=host;x-amz-date, Signature="
	    VANILLA_SIG, "20150830T123600Z");
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "Credential must have exactly 5 slash-delimited elements, e.g. "
	    "keyid/date/region/service/term, got "
	    "'AKIDEXAMPLE/20150830/us-east-1/service'");
	mreq_init(&m, "AWS4-HMAC-SHA256 Credential=" VANILLA_SCOPE "/x, "
	    "SignedHeaders=host;x-amz-date, Signature=" VANILLA_SIG,
	    "20150830T123600Z");
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "Credential must have exactly 5 slash-delimited elements, e.g. "
	    "keyid/date/region/service/term, got '" VANILLA_SCOPE "/x'");
	mreq_init(&m, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
	    "us-east-1/service/aws5_request, SignedHeaders=host;x-amz-date, "
	    "Signature=" VANILLA_SIG, "20150830T123600Z");
	parse_fails(&m.r, 403, "SignatureDoesNotMatch",
	    "Credential should be scoped with a valid terminator: "
	    "'aws4_request', not 'aws5_request'. ");
	mreq_init(&m, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150829/"
	    "us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "
	    "Signature=" VANILLA_SIG, "20150830T123600Z");
	parse_fails(&m.r, 403, "SignatureDoesNotMatch",
	    "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
	    "version of date from HTTP: '20150829' != '20150830', from "
	    "'20150830T123600Z'.");
}
END_TEST

START_TEST(t_request_date)
{
	struct sigv4_auth auth;
	struct awserr e;
	struct mreq m;

	mreq_init(&m, VANILLA_AUTHZ, "2015-08-30T12:36:00Z");
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "X-Amz-Date must be in the ISO8601 Long Format "
	    "\"yyyyMMdd'T'HHmmss'Z'\"");
	/* without X-Amz-Date the Date header dates the request */
	mreq_init(&m, VANILLA_AUTHZ, NULL);
	m.h[m.r.nheaders].name = "Date";
	m.h[m.r.nheaders++].value = "Sun, 30 Aug 2015 12:36:00 GMT";
	awserr_init(&e);
	ck_assert_int_eq(sigv4_parse(&m.r, &auth, &e), 0);
	ck_assert_str_eq(auth.amz_date, "20150830T123600Z");
}
END_TEST

START_TEST(t_clock)
{
	struct sigv4_auth auth;
	struct awserr e;
	struct mreq m;

	awserr_init(&e);
	mreq_init(&m, VANILLA_AUTHZ, "20150830T123600Z");
	ck_assert_int_eq(sigv4_parse(&m.r, &auth, &e), 0);
	ck_assert_int_eq(sigv4_verify(&m.r, &auth, SUITE_SECRET,
	    SUITE_TIME_MS + 300000, &e), 0);
	ck_assert_int_eq(sigv4_verify(&m.r, &auth, SUITE_SECRET,
	    SUITE_TIME_MS - 300000, &e), 0);
	ck_assert_int_eq(sigv4_verify(&m.r, &auth, SUITE_SECRET,
	    SUITE_TIME_MS + 301000, &e), -1);
	assert_err(&e, 403, "SignatureDoesNotMatch",
	    "Signature expired: 20150830T123600Z is now earlier than "
	    "20150830T123601Z (20150830T124101Z - 5 min.)");
	ck_assert_int_eq(sigv4_verify(&m.r, &auth, SUITE_SECRET,
	    SUITE_TIME_MS - 301000, &e), -1);
	assert_err(&e, 403, "SignatureDoesNotMatch",
	    "Signature not yet current: 20150830T123600Z is still later than "
	    "20150830T123559Z (20150830T123059Z + 5 min.)");
}
END_TEST

START_TEST(t_signature_mismatch)
{
	struct sigv4_auth auth;
	struct awserr e;
	struct mreq m;

	awserr_init(&e);
	mreq_init(&m, "AWS4-HMAC-SHA256 Credential=" VANILLA_SCOPE
	    ", SignedHeaders=host;x-amz-date, Signature="
	    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf32",
	    "20150830T123600Z");
	ck_assert_int_eq(sigv4_parse(&m.r, &auth, &e), 0);
	ck_assert_int_eq(sigv4_verify(&m.r, &auth, SUITE_SECRET,
	    SUITE_TIME_MS, &e), -1);
	assert_err(&e, 403, "SignatureDoesNotMatch",
	    "The request signature we calculated does not match the signature "
	    "you provided. Check your AWS Secret Access Key and signing "
	    "method. Consult the service documentation for details.");
	/* a signature of another length parses, and only mismatches */
	mreq_init(&m, "AWS4-HMAC-SHA256 Credential=" VANILLA_SCOPE
	    ", SignedHeaders=host;x-amz-date, Signature=" VANILLA_SIG "00",
	    "20150830T123600Z");
	ck_assert_int_eq(sigv4_parse(&m.r, &auth, &e), 0);
	ck_assert_str_eq(auth.signature, "");
	ck_assert_int_eq(sigv4_verify(&m.r, &auth, SUITE_SECRET,
	    SUITE_TIME_MS, &e), -1);
	assert_err(&e, 403, "SignatureDoesNotMatch", NULL);
}
END_TEST

#define PRESIGN_BASE "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" \
	"AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request"

START_TEST(t_presigned_errors)
{
	struct mreq m;

	mreq_init(&m, NULL, NULL);
	m.r.query = PRESIGN_BASE;
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "AWS query-string parameters must include 'X-Amz-Date'. "
	    "Re-examine the query-string parameters. "
	    "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
	    "Re-examine the query-string parameters. "
	    "AWS query-string parameters must include 'X-Amz-Signature'. "
	    "Re-examine the query-string parameters.");
	m.r.query = PRESIGN_BASE "&X-Amz-Date=20150830T123600Z"
	    "&X-Amz-SignedHeaders=host&X-Amz-Expires=604801"
	    "&X-Amz-Signature=" VANILLA_SIG;
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "X-Amz-Expires must be a number of seconds between 1 and 604800, "
	    "not '604801'.");
	m.r.query = PRESIGN_BASE "&X-Amz-Date=20150830T123600Z"
	    "&X-Amz-SignedHeaders=host&X-Amz-Expires=-5"
	    "&X-Amz-Signature=" VANILLA_SIG;
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "X-Amz-Expires must be a number of seconds between 1 and 604800, "
	    "not '-5'.");
	m.r.query = "X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential="
	    "AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request"
	    "&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host"
	    "&X-Amz-Signature=" VANILLA_SIG;
	parse_fails(&m.r, 400, "IncompleteSignature",
	    "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'.");
	m.r.query = PRESIGN_BASE "&X-Amz-Date=20150831T123600Z"
	    "&X-Amz-SignedHeaders=host&X-Amz-Signature=" VANILLA_SIG;
	parse_fails(&m.r, 403, "SignatureDoesNotMatch",
	    "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
	    "version of date from HTTP: '20150830' != '20150831', from "
	    "'20150831T123600Z'.");
}
END_TEST

START_TEST(t_presigned_expiry)
{
	struct sigv4_auth auth;
	struct awserr e;
	struct mreq m;

	/* the suite's presigned get-vanilla-query-order-key-case, no Expires */
	awserr_init(&e);
	mreq_init(&m, NULL, NULL);
	m.r.query = "Param2=value2&Param1=value1&" PRESIGN_BASE
	    "&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host"
	    "&X-Amz-Signature="
	    "99fe619ddc7883a0738f7e90dc36a30badef2b551412ad283fd7338128bc73ac";
	ck_assert_int_eq(sigv4_parse(&m.r, &auth, &e), 0);
	ck_assert_int_eq(auth.expires_s, SIGV4_PRESIGN_EXPIRES_DEFAULT_S);
	ck_assert_int_eq(sigv4_verify(&m.r, &auth, SUITE_SECRET,
	    SUITE_TIME_MS + SIGV4_PRESIGN_EXPIRES_DEFAULT_S * 1000, &e), 0);
	ck_assert_int_eq(sigv4_verify(&m.r, &auth, SUITE_SECRET,
	    SUITE_TIME_MS + SIGV4_PRESIGN_EXPIRES_DEFAULT_S * 1000 + 1, &e),
	    -1);
	assert_err(&e, 400, "RequestExpired", "Request has expired.");
	ck_assert_int_eq(sigv4_verify(&m.r, &auth, SUITE_SECRET,
	    SUITE_TIME_MS - SIGV4_CLOCK_SKEW_MAX_MS - 1000, &e), -1);
	assert_err(&e, 403, "SignatureDoesNotMatch", NULL);
	ck_assert(strncmp(e.message, "Signature not yet current: ", 27) == 0);
}
END_TEST

START_TEST(t_check_scope)
{
	static const char *const ses[] = { "ses", "email" };
	struct sigv4_auth auth;
	struct awserr e;

	awserr_init(&e);
	memset(&auth, 0, sizeof(auth));
	strcpy(auth.region, "us-west-2");
	strcpy(auth.service, "email");
	ck_assert_int_eq(sigv4_check_scope(&auth, "us-west-2", ses, 2, &e), 0);
	ck_assert_int_eq(sigv4_check_scope(&auth, "eu-west-1", ses, 2, &e),
	    -1);
	assert_err(&e, 403, "SignatureDoesNotMatch",
	    "Credential should be scoped to a valid region, not 'us-west-2'. ");
	strcpy(auth.service, "sns");
	ck_assert_int_eq(sigv4_check_scope(&auth, "us-west-2", ses, 2, &e),
	    -1);
	assert_err(&e, 403, "SignatureDoesNotMatch",
	    "Credential should be scoped to correct service: 'ses'. ");
	/* region NULL: any AWS region syntax; no services: any service. */
	ck_assert_int_eq(sigv4_check_scope(&auth, NULL, NULL, 0, &e), 0);
	strcpy(auth.region, "Mars");
	ck_assert_int_eq(sigv4_check_scope(&auth, NULL, NULL, 0, &e), -1);
	assert_err(&e, 403, "SignatureDoesNotMatch",
	    "Credential should be scoped to a valid region, not 'Mars'. ");
}
END_TEST

/* A signature that does not cover Host is refused before it is checked. */
START_TEST(t_host_must_be_signed)
{
	struct sigv4_auth auth;
	struct awserr e;
	struct mreq m;

	awserr_init(&e);
	mreq_init(&m, VANILLA_AUTHZ, "20150830T123600Z");
	ck_assert_int_eq(sigv4_parse(&m.r, &auth, &e), 0);
	strcpy(auth.signed_headers, "x-amz-date");
	ck_assert_int_eq(sigv4_verify(&m.r, &auth, SUITE_SECRET,
	    SUITE_TIME_MS, &e), -1);
	assert_err(&e, 400, "IncompleteSignature", "'Host' or ':authority' "
	    "must be a 'SignedHeader' in the AWS Authorization.");
	strcpy(auth.signed_headers, "hostx;x-amz-date");
	ck_assert_int_eq(sigv4_verify(&m.r, &auth, SUITE_SECRET,
	    SUITE_TIME_MS, &e), -1);
	ck_assert_str_eq(e.code, "IncompleteSignature");
}
END_TEST

START_TEST(t_unknown_key)
{
	struct awserr e;

	awserr_init(&e);
	sigv4_error_unknown_key(&e);
	assert_err(&e, 403, "InvalidClientTokenId",
	    "The security token included in the request is invalid.");
}
END_TEST

/* Canonical URI and query string of requests no vector covers. */
START_TEST(t_canonical_forms)
{
	struct sigv4_auth auth;
	struct mreq m;
	char *creq;

	memset(&auth, 0, sizeof(auth));
	strcpy(auth.signed_headers, "host");
	mreq_init(&m, NULL, NULL);
	m.r.path = "/a/./b/../c//%7Ed%20e/";
	m.r.query = "b=2&a=3&a=1&c&%41=x+y&&=v";
	creq = sigv4_canonical_request_payload(&m.r, &auth, "UNSIGNED-PAYLOAD");
	ck_assert_str_eq(creq, "GET\n/a/c/%257Ed%2520e/\n"
	    "=v&A=x%2By&a=1&a=3&b=2&c=\nhost:example.amazonaws.com\n\nhost\n"
	    "UNSIGNED-PAYLOAD");
	free(creq);
	m.r.path = "";
	m.r.query = NULL;
	m.h[0].value = "  a \t b  ";
	creq = sigv4_canonical_request_payload(&m.r, &auth, "x");
	ck_assert_str_eq(creq, "GET\n/\n\nhost:a b\n\nhost\nx");
	free(creq);
	m.r.body = NULL;
	creq = sigv4_canonical_request(&m.r, &auth);
	ck_assert_str_eq(strrchr(creq, '\n') + 1,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	free(creq);
}
END_TEST

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fills suite_cases and boto_cases from the fixtures directory. */
static void
scan_cases(void)
{
	char *dir = xasprintf("%s/sigv4", fixtures_dir());
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL) {
		fprintf(stderr, "test_sigv4: cannot open %s\n", dir);
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char *probe;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		probe = xasprintf("%s/%s/%s", dir, de->d_name,
		    strncmp(de->d_name, "boto-", 5) == 0 ? "request.txt" :
		    "header-signed-request.txt");
		f = fopen(probe, "rb");
		free(probe);
		if (f == NULL)
			continue;
		fclose(f);
		if (strncmp(de->d_name, "boto-", 5) == 0) {
			if (nboto_cases < CASES_MAX)
				boto_cases[nboto_cases++] = xstrdup(de->d_name);
		} else if (nsuite_cases < CASES_MAX)
			suite_cases[nsuite_cases++] = xstrdup(de->d_name);
	}
	closedir(d);
	free(dir);
	qsort(suite_cases, (size_t)nsuite_cases, sizeof(char *), name_cmp);
	qsort(boto_cases, (size_t)nboto_cases, sizeof(char *), name_cmp);
}

/* The SES SMTP password: SES-REFERENCE §6.2's three test vectors. */
START_TEST(t_smtp_password)
{
	static const struct {
		const char *region, *password;
	} v[] = {
		{ "us-east-1", "BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9" },
		{ "us-west-2", "BF2PynzbSCAjX08zhZZnP/kW+T9P5zs/1Er0pi5vTEmd" },
		{ "eu-west-1", "BMW5RDrXmmVs0lV7GpI4oLkHXpZ4stDsk6q91z1g38Pk" },
	};
	char out[SIGV4_SMTP_PASSWORD_BYTES];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sigv4_smtp_password("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		    v[i].region, out);
		ck_assert_str_eq(out, v[i].password);
	}
}
END_TEST

static Suite *
sigv4_suite(void)
{
	Suite *s = suite_create("sigv4");
	TCase *tc;

	tc = tcase_create("vectors");
	tcase_add_test(tc, t_suite_vectors_present);
	tcase_add_loop_test(tc, t_suite_vector, 0, nsuite_cases);
	tcase_add_loop_test(tc, t_boto_vector, 0, nboto_cases);
	tcase_add_loop_test(tc, t_suite_sign, 0, nsuite_cases);
	tcase_add_test(tc, t_sign_outgoing);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, t_vanilla_accepted);
	tcase_add_test(tc, t_no_auth);
	tcase_add_test(tc, t_other_scheme);
	tcase_add_test(tc, t_unsupported_algorithm);
	tcase_add_test(tc, t_missing_parts);
	tcase_add_test(tc, t_not_key_value);
	tcase_add_test(tc, t_bad_scope);
	tcase_add_test(tc, t_request_date);
	tcase_add_test(tc, t_clock);
	tcase_add_test(tc, t_signature_mismatch);
	tcase_add_test(tc, t_presigned_errors);
	tcase_add_test(tc, t_presigned_expiry);
	tcase_add_test(tc, t_check_scope);
	tcase_add_test(tc, t_host_must_be_signed);
	tcase_add_test(tc, t_unknown_key);
	tcase_add_test(tc, t_canonical_forms);
	tcase_add_test(tc, t_smtp_password);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed, i;

	scan_cases();
	sr = srunner_create(sigv4_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (i = 0; i < nsuite_cases; i++)
		free(suite_cases[i]);
	for (i = 0; i < nboto_cases; i++)
		free(boto_cases[i]);
	return failed == 0 ? 0 : 1;
}
