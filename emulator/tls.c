/*
 * tls — the SMTP listeners' server TLS context (see tls.h).
 */
#include "tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "xmem.h"

/*
 * EMU: 825 days, the longest Apple's TLS verifier takes for a server
 * certificate, even a user-trusted one (support.apple.com/HT210176), so
 * clients on macOS and iOS can trust it too. A generated certificate that
 * has expired is replaced at the next start; SES's own are public-CA
 * certificates renewed every year.
 */
#define TLS_CERT_DAYS 825
/* Back-dates the certificate so a client whose clock runs a little behind
 * the machine that made it still accepts it. */
#define TLS_CERT_BACKDATE_S 3600L
#define TLS_SERIAL_BYTES 16

/*
 * The generated certificate's extensions, in the openssl.cnf syntax. It is
 * a leaf that clients also take as its own trust anchor (CA file), which
 * each part must allow: CA:FALSE because rustls (webpki) refuses a CA
 * certificate as the server's; no keyUsage because OpenSSL 1.1 and
 * LibreSSL treat a self-signed certificate as its own issuer only when
 * keyUsage is absent or has keyCertSign (EXFLAG_SS in v3_purp.c), and
 * keyCertSign without CA:TRUE is what RFC 5280 forbids; serverAuth because
 * Apple's verifier asks every server certificate for it. The
 * key identifiers come last: the authority one copies the subject one.
 */
static const struct {
	int nid;
	const char *value;
} tls_cert_exts[] = {
	{ NID_basic_constraints, "critical,CA:FALSE" },
	{ NID_ext_key_usage, "serverAuth" },
	{ NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1" },
	{ NID_subject_key_identifier, "hash" },
	{ NID_authority_key_identifier, "keyid:always" },
};

/* The reason of the first queued OpenSSL error (static); clears the queue. */
static const char *
tls_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_error());

	ERR_clear_error();
	return r != NULL ? r : "unknown OpenSSL error";
}

/* A daemon has no one to ask for a passphrase: notes in *asked (an int)
 * that the key is encrypted, and fails. */
static int
tls_no_passphrase(char *buf, int size, int rwflag, void *asked)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)asked = 1;
	return -1;
}

/* A new self-signed certificate for key, or NULL (queue holds why). */
static X509 *
tls_cert_make(EVP_PKEY *key)
{
	unsigned char serial[TLS_SERIAL_BYTES];
	X509 *x = X509_new();
	X509_EXTENSION *ext;
	X509_NAME *name;
	X509V3_CTX v3;
	BIGNUM *bn;
	size_t i;
	int ok;

	if (x == NULL || RAND_bytes(serial, sizeof(serial)) != 1)
		abort();	/* no memory or no entropy */
	serial[0] = (serial[0] & 0x7f) | 0x40;	/* positive, full length */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	name = X509_get_subject_name(x);
	ok = bn != NULL && X509_set_version(x, X509_VERSION_3) &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL &&
	    X509_gmtime_adj(X509_getm_notBefore(x), -TLS_CERT_BACKDATE_S) &&
	    X509_time_adj_ex(X509_getm_notAfter(x), TLS_CERT_DAYS, 0, NULL) &&
	    X509_set_pubkey(x, key) &&
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"sesbox", -1, -1, 0) &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0) &&
	    X509_set_issuer_name(x, name);
	BN_free(bn);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	for (i = 0; ok && i < sizeof(tls_cert_exts) / sizeof(tls_cert_exts[0]);
	    i++) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, tls_cert_exts[i].nid,
		    tls_cert_exts[i].value);
		ok = ext != NULL && X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (!ok || X509_sign(x, key, EVP_sha256()) == 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/*
 * Writes key or cert (the other NULL) as PEM to a new temporary file next
 * to path, with mode. Returns its name (new) for the caller to rename, or
 * NULL with err set.
 */
static char *
tls_tmp_write(const char *opt, const char *path, mode_t mode, EVP_PKEY *key,
    X509 *cert, char *err, size_t errlen)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp), ok;
	FILE *f;

	if (fd < 0 || fchmod(fd, mode) != 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: cannot write %s: %s", opt, path,
		    strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return NULL;
	}
	ok = key != NULL ?
	    PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) :
	    PEM_write_X509(f, cert);
	if (!ok)
		snprintf(err, errlen, "%s: cannot write %s: %s", opt, path,
		    tls_reason());
	else if (fflush(f) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: cannot write %s: %s", opt, path,
		    strerror(errno));
		ok = 0;
	}
	if (fclose(f) != 0 && ok) {
		snprintf(err, errlen, "%s: cannot write %s: %s", opt, path,
		    strerror(errno));
		ok = 0;
	}
	if (!ok) {
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

/*
 * Makes a key and certificate and writes them to key_path and cert_path.
 * Both files are complete before either is renamed into place, so a
 * failure leaves no half-written file and at worst one of the two missing,
 * which the next start regenerates. Returns 0, or -1 with err set.
 */
static int
tls_generate(const char *cert_path, const char *key_path, char *err,
    size_t errlen)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char *ktmp = NULL, *ctmp = NULL;
	X509 *cert;
	int rc = -1;

	if (key == NULL)
		abort();	/* only fails without memory or entropy */
	if ((cert = tls_cert_make(key)) == NULL) {
		snprintf(err, errlen, "smtp-tls-cert: cannot make a "
		    "certificate: %s", tls_reason());
		goto out;
	}
	if ((ktmp = tls_tmp_write("smtp-tls-key", key_path, 0600, key, NULL,
	    err, errlen)) == NULL ||
	    (ctmp = tls_tmp_write("smtp-tls-cert", cert_path, 0644, NULL, cert,
	    err, errlen)) == NULL)
		goto out;
	if (rename(ktmp, key_path) != 0)
		snprintf(err, errlen, "smtp-tls-key: cannot write %s: %s",
		    key_path, strerror(errno));
	else if (rename(ctmp, cert_path) != 0)
		snprintf(err, errlen, "smtp-tls-cert: cannot write %s: %s",
		    cert_path, strerror(errno));
	else
		rc = 0;
out:
	if (rc != 0 && ktmp != NULL)
		unlink(ktmp);
	if (rc != 0 && ctmp != NULL)
		unlink(ctmp);
	free(ktmp);
	free(ctmp);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/* 1 when path certainly does not exist (not merely unreadable). */
static int
tls_missing(const char *path)
{
	return access(path, F_OK) != 0 && errno == ENOENT;
}

/* 1 when the certificate at path has expired (one that cannot be read
 * is left for tls_load to report). */
static int
tls_expired(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *cert;
	int expired = 0;

	if (f == NULL)
		return 0;
	if ((cert = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		expired = X509_cmp_current_time(X509_get0_notAfter(cert)) < 0;
		X509_free(cert);
	}
	fclose(f);
	ERR_clear_error();
	return expired;
}

/* Writes the SHA-256 fingerprint of cert's DER as "AA:BB:...". */
static void
tls_fingerprint(X509 *cert, char out[TLS_FINGERPRINT_BYTES])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (X509_digest(cert, EVP_sha256(), md, &n) != 1 || n != 32)
		abort();	/* SHA-256 of an encodable certificate */
	for (i = 0; i < n; i++) {
		out[3 * i] = hex[md[i] >> 4];
		out[3 * i + 1] = hex[md[i] & 15];
		out[3 * i + 2] = i + 1 < n ? ':' : '\0';
	}
}

/*
 * Puts the certificate (and any chain after it) of cert_file and the key
 * of key_file into ctx. Returns 0, or -1 with err set.
 */
static int
tls_load(SSL_CTX *ctx, const char *cert_file, const char *key_file,
    char fingerprint[TLS_FINGERPRINT_BYTES], char *err, size_t errlen)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL, *ca;
	int rc = -1, encrypted = 0;
	unsigned long e;
	FILE *f;

	if ((f = fopen(cert_file, "r")) == NULL) {
		snprintf(err, errlen, "smtp-tls-cert: cannot read %s: %s",
		    cert_file, strerror(errno));
		goto out;
	}
	cert = PEM_read_X509_AUX(f, NULL, NULL, NULL);
	if (cert == NULL || ferror(f)) {
		if (ferror(f))
			snprintf(err, errlen, "smtp-tls-cert: cannot read "
			    "%s: %s", cert_file, strerror(errno));
		else
			snprintf(err, errlen, "smtp-tls-cert: no certificate "
			    "in %s: %s", cert_file, tls_reason());
		fclose(f);
		goto out;
	}
	if (SSL_CTX_use_certificate(ctx, cert) != 1) {
		snprintf(err, errlen, "smtp-tls-cert: cannot use %s: %s",
		    cert_file, tls_reason());
		fclose(f);
		goto out;
	}
	while ((ca = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
			X509_free(ca);
			break;
		}
	fclose(f);
	/* The chain ends where the PEM reader finds no further block. */
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
		ERR_clear_error();
	else {
		snprintf(err, errlen, "smtp-tls-cert: cannot use the chain in "
		    "%s: %s", cert_file, tls_reason());
		goto out;
	}

	if ((f = fopen(key_file, "r")) == NULL) {
		snprintf(err, errlen, "smtp-tls-key: cannot read %s: %s",
		    key_file, strerror(errno));
		goto out;
	}
	key = PEM_read_PrivateKey(f, NULL, tls_no_passphrase, &encrypted);
	if (key == NULL && ferror(f))
		snprintf(err, errlen, "smtp-tls-key: cannot read %s: %s",
		    key_file, strerror(errno));
	else if (key == NULL && encrypted)
		snprintf(err, errlen, "smtp-tls-key: %s is encrypted; give "
		    "the key without a passphrase", key_file);
	else if (key == NULL)
		snprintf(err, errlen, "smtp-tls-key: no private key in %s: %s",
		    key_file, tls_reason());
	fclose(f);
	if (key == NULL)
		goto out;
	if (X509_check_private_key(cert, key) != 1) {
		snprintf(err, errlen, "smtp-tls-key: the key does not match "
		    "the certificate");
		goto out;
	}
	if (SSL_CTX_use_PrivateKey(ctx, key) != 1) {
		snprintf(err, errlen, "smtp-tls-key: cannot use %s: %s",
		    key_file, tls_reason());
		goto out;
	}
	if (fingerprint != NULL)
		tls_fingerprint(cert, fingerprint);
	rc = 0;
out:
	EVP_PKEY_free(key);
	X509_free(cert);
	return rc;
}

SSL_CTX *
tls_server_ctx(const char *cert_file, const char *key_file, const char *dir,
    char fingerprint[TLS_FINGERPRINT_BYTES], int *generated, char *cert_path,
    size_t path_len, char *err, size_t errlen)
{
	char *cpath = NULL, *kpath = NULL;
	SSL_CTX *ctx = NULL;
	int made = 0;

	if ((cert_file == NULL) != (key_file == NULL)) {
		snprintf(err, errlen, "smtp-tls-cert and smtp-tls-key go "
		    "together: give both or neither");
		goto fail;
	}
	if (cert_file != NULL) {
		cpath = xstrdup(cert_file);
		kpath = xstrdup(key_file);
	} else if (dir == NULL) {
		snprintf(err, errlen, "smtp-tls-cert: no data directory to "
		    "keep a generated certificate in");
		goto fail;
	} else {
		cpath = xasprintf("%s/%s", dir, TLS_CERT_FILE);
		kpath = xasprintf("%s/%s", dir, TLS_KEY_FILE);
		if (tls_missing(cpath) || tls_missing(kpath) ||
		    tls_expired(cpath)) {
			if (tls_generate(cpath, kpath, err, errlen) != 0)
				goto fail;
			made = 1;
		}
	}
	if (cert_path != NULL &&
	    (size_t)snprintf(cert_path, path_len, "%s", cpath) >= path_len) {
		snprintf(err, errlen, "smtp-tls-cert: path longer than %zu "
		    "bytes: %s", path_len, cpath);
		goto fail;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		snprintf(err, errlen, "smtp-tls-cert: cannot make a TLS "
		    "context: %s", tls_reason());
		goto fail;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* The SMTP event loop writes from non-blocking sockets and may
	 * retry from a different buffer; idle sessions give theirs back. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	/* No resumption: a P-256 handshake on loopback is cheap, SMTP
	 * clients seldom resume, and TLS 1.3 tickets would cost every
	 * session a write nobody reads. Renegotiation only serves attacks. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (tls_load(ctx, cpath, kpath, fingerprint, err, errlen) != 0)
		goto fail;
	if (generated != NULL)
		*generated = made;
	ERR_clear_error();
	free(cpath);
	free(kpath);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	ERR_clear_error();
	free(cpath);
	free(kpath);
	return NULL;
}
