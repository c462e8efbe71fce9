/*
 * dkim — DKIM keys and tokens (see dkim.h).
 */
#include "dkim.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmem.h"

static void
dkim_random(unsigned char *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1)
		abort();	/* no entropy: nothing sensible to do */
}

static char *
dkim_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem = NULL;
	long n;

	if (bio != NULL && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0,
	    NULL, NULL) == 1 && (n = BIO_get_mem_data(bio, &data)) > 0)
		pem = xstrndup(data, (size_t)n);
	BIO_free(bio);
	return pem;
}

char *
dkim_key_generate(int bits)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	char *pem;

	if (key == NULL)
		abort();	/* only fails without memory or entropy */
	pem = dkim_pem(key);
	EVP_PKEY_free(key);
	return pem;
}

char *
dkim_key_import(const char *base64, int *bits, char err[DKIM_ERROR_MAX_BYTES])
{
	struct buf b64;
	const char *p, *body = base64, *end;
	const unsigned char *der;
	unsigned char *raw;
	EVP_PKEY *key;
	long n;
	char *pem = NULL;

	/* Tolerate PEM armour and line breaks around the base64. */
	if ((p = strstr(base64, "-----BEGIN")) != NULL &&
	    (p = strchr(p + 10, '\n')) != NULL)
		body = p + 1;
	end = strstr(body, "-----END");
	buf_init(&b64);
	for (p = body; *p && (end == NULL || p < end); p++)
		if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
			buf_putc(&b64, *p);
	raw = xmalloc(b64.len / 4 * 3 + 1);
	n = b64.len > 0 ? buf_base64_decode(b64.data, b64.len, raw) : -1;
	buf_fini(&b64);
	der = raw;
	/* EMU: AWS's wording for a bad BYODKIM key is not captured; this
	 * says what SES requires (1024- to 2048-bit RSA, base64). */
	if (n <= 0 || (key = d2i_AutoPrivateKey(NULL, &der, n)) == NULL) {
		snprintf(err, DKIM_ERROR_MAX_BYTES, "Invalid DKIM private key: "
		    "expected an RSA private key, DER encoded in base64");
		free(raw);
		return NULL;
	}
	free(raw);
	*bits = EVP_PKEY_get_bits(key);
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA || *bits < 1024 ||
	    *bits > 2048)
		snprintf(err, DKIM_ERROR_MAX_BYTES, "Invalid DKIM private key: "
		    "must be a 1024-bit to 2048-bit RSA key (got %d bits)",
		    *bits);
	else
		pem = dkim_pem(key);
	EVP_PKEY_free(key);
	return pem;
}

char *
dkim_public_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) :
	    NULL;
	unsigned char *der = NULL;
	struct buf b;
	int n;

	BIO_free(bio);
	if (key == NULL)
		return NULL;
	n = i2d_PUBKEY(key, &der);
	EVP_PKEY_free(key);
	if (n <= 0)
		return NULL;
	buf_init(&b);
	buf_base64(&b, der, (size_t)n);
	OPENSSL_free(der);
	return buf_steal(&b, NULL);
}

void
dkim_token(char out[DKIM_TOKEN_CHARS + 1])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char r[DKIM_TOKEN_CHARS];
	size_t i;

	/* AWS: Easy DKIM tokens are 32 chars of lowercase base32
	 * (SES-REFERENCE §3.3). */
	dkim_random(r, sizeof(r));
	for (i = 0; i < DKIM_TOKEN_CHARS; i++)
		out[i] = alphabet[r[i] & 31];
	out[DKIM_TOKEN_CHARS] = '\0';
}

void
dkim_verification_token(char out[DKIM_VERIFY_TOKEN_CHARS + 1])
{
	unsigned char r[32];
	struct buf b;

	/* AWS: 44-char base64 of 32 bytes (SES-REFERENCE §3.3). */
	dkim_random(r, sizeof(r));
	buf_init(&b);
	buf_base64(&b, r, sizeof(r));
	memcpy(out, b.data, DKIM_VERIFY_TOKEN_CHARS);
	out[DKIM_VERIFY_TOKEN_CHARS] = '\0';
	buf_fini(&b);
}
