/*
 * test_tls — Check suite for emulator/tls.c: the generated pair (files,
 * modes, fingerprint, names, usability as its own trust anchor), reloading,
 * operator-given files, every error text, and TLS handshakes against the
 * context as a verifying client sees them.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "fixture.h"
#include "tls.h"
#include "xmem.h"

#define HANDSHAKE_ROUNDS_MAX 16
#define TLS_MODES (SSL_MODE_ENABLE_PARTIAL_WRITE | \
	SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS)

/* A new empty directory under $TMPDIR (new string). */
static char *
tmp_dir(void)
{
	const char *t = getenv("TMPDIR");
	char *dir = xasprintf("%s/test_tls.XXXXXX", t != NULL ? t : "/tmp");

	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

/* Removes dir and the files in it; frees dir. */
static void
tmp_dir_rm(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *p;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && (e->d_name[1] == '\0' ||
		    (e->d_name[1] == '.' && e->d_name[2] == '\0')))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		unlink(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
	free(dir);
}

static size_t
dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' || (e->d_name[1] != '\0' &&
		    (e->d_name[1] != '.' || e->d_name[2] != '\0')))
			n++;
	closedir(d);
	return n;
}

/* Generates into dir, asserting success; fingerprint into fp. */
static void
generate(const char *dir, char fp[TLS_FINGERPRINT_BYTES], int want_generated)
{
	char err[256] = "", path[512];
	int generated = -1;
	SSL_CTX *ctx;

	ctx = tls_server_ctx(NULL, NULL, dir, fp, &generated, path,
	    sizeof(path), err, sizeof(err));
	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert_int_eq(generated, want_generated);
	ck_assert_int_eq(ERR_peek_error(), 0);
	SSL_CTX_free(ctx);
}

/* The certificate in path (new). */
static X509 *
cert_read(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	ck_assert_ptr_nonnull(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(x);
	return x;
}

/* Asserts that ctx fails with exactly want. */
static void
expect_error(const char *cert, const char *key, const char *dir,
    const char *want)
{
	char err[256] = "", fp[TLS_FINGERPRINT_BYTES], path[512];
	int generated = -1;
	SSL_CTX *ctx;

	ctx = tls_server_ctx(cert, key, dir, fp, &generated, path,
	    sizeof(path), err, sizeof(err));
	ck_assert_ptr_null(ctx);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(ERR_peek_error(), 0);
}

/* 1 when a client trusting only cafile verifies sctx's certificate for
 * host (a name or an IP address) in a full handshake, else 0. */
static int
handshake(SSL_CTX *sctx, const char *cafile, const char *host, int ip)
{
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	int i, rs = -1, rc = -1, ok;
	BIO *sbio, *cbio;
	SSL *s, *c;

	ck_assert_ptr_nonnull(cctx);
	ck_assert_int_eq(SSL_CTX_load_verify_locations(cctx, cafile, NULL), 1);
	SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
	ck_assert_int_eq(BIO_new_bio_pair(&sbio, 0, &cbio, 0), 1);
	s = SSL_new(sctx);
	c = SSL_new(cctx);
	SSL_set_bio(s, sbio, sbio);
	SSL_set_bio(c, cbio, cbio);
	SSL_set_accept_state(s);
	SSL_set_connect_state(c);
	if (ip)
		ck_assert_int_eq(X509_VERIFY_PARAM_set1_ip_asc(
		    SSL_get0_param(c), host), 1);
	else
		ck_assert_int_eq(SSL_set1_host(c, host), 1);
	for (i = 0; i < HANDSHAKE_ROUNDS_MAX && (rs != 1 || rc != 1); i++) {
		if (rc != 1 && (rc = SSL_do_handshake(c)) <= 0 &&
		    SSL_get_error(c, rc) != SSL_ERROR_WANT_READ)
			break;
		if (rs != 1 && (rs = SSL_do_handshake(s)) <= 0 &&
		    SSL_get_error(s, rs) != SSL_ERROR_WANT_READ)
			break;
	}
	ok = rs == 1 && rc == 1 && SSL_get_verify_result(c) == X509_V_OK;
	if (ok)
		ck_assert_int_eq(SSL_version(c), TLS1_3_VERSION);
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(cctx);
	ERR_clear_error();
	return ok;
}

START_TEST(t_generate)
{
	char err[256] = "", fp[TLS_FINGERPRINT_BYTES], path[512], *want, *key;
	char *dir = tmp_dir(), hex[TLS_FINGERPRINT_BYTES];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n, i;
	int generated = -1;
	struct stat st;
	SSL_CTX *ctx;
	X509 *x;

	ctx = tls_server_ctx(NULL, NULL, dir, fp, &generated, path,
	    sizeof(path), err, sizeof(err));
	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert_int_eq(generated, 1);
	ck_assert_int_eq(ERR_peek_error(), 0);
	want = xasprintf("%s/" TLS_CERT_FILE, dir);
	key = xasprintf("%s/" TLS_KEY_FILE, dir);
	ck_assert_str_eq(path, want);
	ck_assert_int_eq(stat(key, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(stat(want, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	/* Exactly the two files: no temporary file left behind. */
	ck_assert_int_eq(dir_entries(dir), 2);

	ck_assert_int_eq(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
	ck_assert(SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION);
	ck_assert(SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET);
	ck_assert_int_eq(SSL_CTX_get_mode(ctx) & TLS_MODES, TLS_MODES);

	/* "AA:BB:..." upper-case, and the SHA-256 of the file's DER. */
	ck_assert_uint_eq(strlen(fp), TLS_FINGERPRINT_BYTES - 1);
	x = cert_read(want);
	ck_assert_int_eq(X509_digest(x, EVP_sha256(), md, &n), 1);
	ck_assert_uint_eq(n, 32);
	for (i = 0; i < n; i++)
		snprintf(hex + 3 * i, 4, i + 1 < n ? "%02X:" : "%02X", md[i]);
	ck_assert_str_eq(fp, hex);
	X509_free(x);
	SSL_CTX_free(ctx);
	free(want);
	free(key);
	tmp_dir_rm(dir);
}
END_TEST

START_TEST(t_reload)
{
	char fp1[TLS_FINGERPRINT_BYTES], fp2[TLS_FINGERPRINT_BYTES];
	char fp3[TLS_FINGERPRINT_BYTES], *dir = tmp_dir(), *p;

	generate(dir, fp1, 1);
	generate(dir, fp2, 0);
	ck_assert_str_eq(fp1, fp2);
	/* Either file missing: a new pair (random serial, new key). */
	p = xasprintf("%s/" TLS_KEY_FILE, dir);
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	generate(dir, fp3, 1);
	ck_assert_str_ne(fp1, fp3);
	ck_assert_int_eq(dir_entries(dir), 2);
	tmp_dir_rm(dir);
}
END_TEST

START_TEST(t_given_files)
{
	char fp[TLS_FINGERPRINT_BYTES], want[TLS_FINGERPRINT_BYTES];
	char err[256] = "", path[512], *dir = tmp_dir(), *cert, *key;
	int generated = -1;
	SSL_CTX *ctx;
	FILE *f;
	X509 *x;

	generate(dir, want, 1);
	cert = xasprintf("%s/" TLS_CERT_FILE, dir);
	key = xasprintf("%s/" TLS_KEY_FILE, dir);
	ctx = tls_server_ctx(cert, key, NULL, fp, &generated, path,
	    sizeof(path), err, sizeof(err));
	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert_int_eq(generated, 0);
	ck_assert_str_eq(path, cert);
	ck_assert_str_eq(fp, want);
	SSL_CTX_free(ctx);

	/* A chain after the leaf is taken (here the leaf again, as the
	 * simplest second certificate at hand). */
	x = cert_read(cert);
	ck_assert_ptr_nonnull(f = fopen(cert, "a"));
	ck_assert_int_eq(PEM_write_X509(f, x), 1);
	fclose(f);
	X509_free(x);
	ctx = tls_server_ctx(cert, key, NULL, fp, NULL, NULL, 0, err,
	    sizeof(err));
	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert_str_eq(fp, want);
	ck_assert_int_eq(ERR_peek_error(), 0);
	SSL_CTX_free(ctx);
	free(cert);
	free(key);
	tmp_dir_rm(dir);
}
END_TEST

START_TEST(t_errors)
{
	char fp[TLS_FINGERPRINT_BYTES], *a = tmp_dir(), *b = tmp_dir();
	char *cert, *key, *other_key, *nope, *want, *junk;
	EVP_PKEY *pkey;
	FILE *f;

	generate(a, fp, 1);
	generate(b, fp, 1);
	cert = xasprintf("%s/" TLS_CERT_FILE, a);
	key = xasprintf("%s/" TLS_KEY_FILE, a);
	other_key = xasprintf("%s/" TLS_KEY_FILE, b);
	nope = xasprintf("%s/nope.pem", a);

	expect_error(cert, other_key, NULL,
	    "smtp-tls-key: the key does not match the certificate");
	expect_error(cert, NULL, a, "smtp-tls-cert and smtp-tls-key go "
	    "together: give both or neither");
	expect_error(NULL, key, NULL, "smtp-tls-cert and smtp-tls-key go "
	    "together: give both or neither");

	want = xasprintf("smtp-tls-cert: cannot read %s: No such file or "
	    "directory", nope);
	expect_error(nope, key, NULL, want);
	free(want);
	want = xasprintf("smtp-tls-key: cannot read %s: No such file or "
	    "directory", nope);
	expect_error(cert, nope, NULL, want);
	free(want);
	/* The key file where the certificate belongs, and vice versa. */
	want = xasprintf("smtp-tls-cert: no certificate in %s: no start line",
	    key);
	expect_error(key, key, NULL, want);
	free(want);
	want = xasprintf("smtp-tls-key: cannot read %s: Is a directory", b);
	expect_error(cert, b, NULL, want);
	free(want);
	junk = xasprintf("%s/junk.pem", a);
	ck_assert_ptr_nonnull(f = fopen(junk, "w"));
	fputs("not a key\n", f);
	fclose(f);
	want = xasprintf("smtp-tls-key: no private key in %s: ", junk);
	{
		char err[256] = "";
		SSL_CTX *ctx = tls_server_ctx(cert, junk, NULL, fp, NULL,
		    NULL, 0, err, sizeof(err));

		ck_assert_ptr_null(ctx);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s",
		    err);
		ck_assert_int_eq(ERR_peek_error(), 0);
	}
	free(want);
	/* A passphrase nobody can type in. */
	ck_assert_ptr_nonnull(f = fopen(key, "r"));
	ck_assert_ptr_nonnull(pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL));
	fclose(f);
	ck_assert_ptr_nonnull(f = fopen(junk, "w"));
	ck_assert_int_eq(PEM_write_PrivateKey(f, pkey, EVP_aes_256_cbc(),
	    (unsigned char *)"secret", 6, NULL, NULL), 1);
	fclose(f);
	EVP_PKEY_free(pkey);
	want = xasprintf("smtp-tls-key: %s is encrypted; give the key "
	    "without a passphrase", junk);
	expect_error(cert, junk, NULL, want);
	free(want);
	/* A data directory that does not exist: nothing to write into. */
	want = xasprintf("smtp-tls-key: cannot write %s/" TLS_KEY_FILE
	    ": No such file or directory", nope);
	expect_error(NULL, NULL, nope, want);
	free(want);

	free(junk);
	free(cert);
	free(key);
	free(other_key);
	free(nope);
	tmp_dir_rm(a);
	tmp_dir_rm(b);
}
END_TEST

START_TEST(t_certificate)
{
	static const struct {
		const char *host;
		int ip;
		int want;
	} names[] = {
		{ "localhost", 0, 1 }, { "127.0.0.1", 1, 1 }, { "::1", 1, 1 },
		{ "example.com", 0, 0 }, { "127.0.0.2", 1, 0 },
	};
	static const unsigned long flags[] = { 0,
	    X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN };
	char fp[TLS_FINGERPRINT_BYTES], *dir = tmp_dir(), *path;
	X509_STORE_CTX *vctx;
	X509_VERIFY_PARAM *param;
	X509_STORE *store;
	EVP_PKEY *pub;
	size_t i, j;
	int days, secs;
	X509 *x;

	generate(dir, fp, 1);
	path = xasprintf("%s/" TLS_CERT_FILE, dir);
	x = cert_read(path);
	ck_assert_int_eq(X509_get_version(x), X509_VERSION_3);
	ck_assert_int_eq(X509_check_ca(x), 0);
	ck_assert_int_eq(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1);
	pub = X509_get0_pubkey(x);
	ck_assert_int_eq(EVP_PKEY_get_base_id(pub), EVP_PKEY_EC);
	ck_assert_int_eq(EVP_PKEY_get_bits(pub), 256);
	ck_assert_int_eq(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x),
	    X509_get0_notAfter(x)), 1);
	ck_assert_int_eq(days, 825);
	ck_assert_int_eq(secs, 3600);
	ck_assert_int_lt(X509_cmp_current_time(X509_get0_notBefore(x)), 0);

	/* The names, straight from the subjectAltName... */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_msg((names[i].ip ?
		    X509_check_ip_asc(x, names[i].host, 0) :
		    X509_check_host(x, names[i].host, 0, 0, NULL)) ==
		    names[i].want, "%s", names[i].host);

	/* ...and as a client verifies them with the certificate as its only
	 * trust anchor: OpenSSL's defaults (Python 3.11's), then the strict
	 * checks Python 3.13 adds. */
	for (j = 0; j < sizeof(flags) / sizeof(flags[0]); j++)
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			store = X509_STORE_new();
			vctx = X509_STORE_CTX_new();
			ck_assert_int_eq(X509_STORE_add_cert(store, x), 1);
			ck_assert_int_eq(X509_STORE_CTX_init(vctx, store, x,
			    NULL), 1);
			param = X509_STORE_CTX_get0_param(vctx);
			X509_VERIFY_PARAM_set_flags(param, flags[j]);
			ck_assert_int_eq(X509_STORE_CTX_set_purpose(vctx,
			    X509_PURPOSE_SSL_SERVER), 1);
			if (names[i].ip)
				X509_VERIFY_PARAM_set1_ip_asc(param,
				    names[i].host);
			else
				X509_VERIFY_PARAM_set1_host(param,
				    names[i].host, 0);
			ck_assert_msg((X509_verify_cert(vctx) == 1) ==
			    names[i].want, "%s flags %lx: %s", names[i].host,
			    flags[j], X509_verify_cert_error_string(
			    X509_STORE_CTX_get_error(vctx)));
			X509_STORE_CTX_free(vctx);
			X509_STORE_free(store);
		}
	ERR_clear_error();
	X509_free(x);
	free(path);
	tmp_dir_rm(dir);
}
END_TEST

START_TEST(t_handshake)
{
	char err[256] = "", fp[TLS_FINGERPRINT_BYTES], path[512];
	char *dir = tmp_dir();
	SSL_CTX *ctx;

	ctx = tls_server_ctx(NULL, NULL, dir, fp, NULL, path, sizeof(path),
	    err, sizeof(err));
	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert(handshake(ctx, path, "localhost", 0));
	ck_assert(handshake(ctx, path, "127.0.0.1", 1));
	ck_assert(!handshake(ctx, path, "example.com", 0));
	SSL_CTX_free(ctx);
	tmp_dir_rm(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("tls");

	tcase_add_test(tc, t_generate);
	tcase_add_test(tc, t_reload);
	tcase_add_test(tc, t_given_files);
	tcase_add_test(tc, t_errors);
	tcase_add_test(tc, t_certificate);
	tcase_add_test(tc, t_handshake);
	suite_add_tcase(s, tc);
	return fixture_run(s);
}
