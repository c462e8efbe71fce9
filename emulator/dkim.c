/*
 * dkim — DKIM keys and tokens (see dkim.h).
 */
#include "dkim.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
/* Not <dkim.h>: -Iemulator comes first and would find this module's. */
#include <opendkim/dkim.h>
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

/* The private key in pem (new), or NULL if it is not a PEM private key. */
static EVP_PKEY *
dkim_pem_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) :
	    NULL;

	BIO_free(bio);
	return key;
}

char *
dkim_public_key(const char *pem)
{
	EVP_PKEY *key = dkim_pem_key(pem);
	unsigned char *der = NULL;
	struct buf b;
	int n;

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

/*
 * AWS: the fields SES's signature for the sender's domain (Easy DKIM,
 * BYODKIM) covers. In received SES mail h= lists those the message has, in
 * message order, spelled as the message spells them ("Message-Id"), each
 * instance once and absent ones not at all (no oversigning): d=linaro.org,
 * Easy DKIM, 2021 "h=From:To:Cc:Subject:MIME-Version:Content-Type:
 * Content-Transfer-Encoding:Message-ID:Date"; d=c127.dev, s=resend, 2026
 * "h=In-Reply-To:From:To:Cc:Subject:Message-ID:Content-Transfer-Encoding:
 * Date:MIME-Version:Content-Type"; References in git@vger.kernel.org mail
 * (lore.kernel.org and lists.cip-project.org archives, 2016-2026). SES's
 * own second signature, d=amazonses.com, lists the same fields plus
 * Feedback-ID; sesbox does not make that one. No captured signature has
 * Reply-To or Sender, so neither is signed.
 */
static const char *dkim_signed_fields[] = {
	"From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To",
	"References", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding",
	/* EMU: not seen in a captured SES signature, but RFC 8058 one-click
	 * unsubscribe (SES list management adds these two) needs both
	 * signed, and receivers honour it for SES mail. */
	"List-Unsubscribe", "List-Unsubscribe-Post",
	NULL
};

char *
dkim_message_sign(const char *pem, const char *domain, const char *selector,
    const char *msg, size_t len, int64_t now_s, char err[DKIM_ERROR_MAX_BYTES])
{
	static const char field[] = "DKIM-Signature: ";
	EVP_PKEY *key;
	DKIM_LIB *lib;
	DKIM *dk;
	DKIM_STAT st;
	uint64_t when = (uint64_t)now_s;
	unsigned char *sig;
	size_t siglen;
	const char *why;
	char *out = NULL;
	int rsa;

	if (domain == NULL || *domain == '\0') {
		snprintf(err, DKIM_ERROR_MAX_BYTES, "DKIM signing domain is "
		    "empty");
		return NULL;
	}
	if (selector == NULL || *selector == '\0') {
		snprintf(err, DKIM_ERROR_MAX_BYTES, "DKIM selector is empty");
		return NULL;
	}
	key = pem != NULL ? dkim_pem_key(pem) : NULL;
	rsa = key != NULL && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
	EVP_PKEY_free(key);
	if (!rsa) {
		snprintf(err, DKIM_ERROR_MAX_BYTES, "DKIM signing key is not a "
		    "PEM RSA private key");
		return NULL;
	}
	/* A library handle per message: t= is a library option, and the
	 * handle costs about a microsecond. */
	if ((lib = dkim_init(NULL, NULL)) == NULL)
		abort();	/* only fails without memory */
	(void)dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &when,
	    sizeof(when));
	/* AWS: rsa-sha256, q=dns/txt, c=relaxed/simple and no x=, l= or i=
	 * in every captured SES signature. EMU: the tags come in
	 * libopendkim's order (v a c d s t q bh h b), not SES's
	 * (v a q c s d t h bh b), and the field folds at 78 columns where SES
	 * leaves h= on one line however long; verifiers read neither. The
	 * key's type is not const; libopendkim copies it. */
	dk = dkim_sign(lib, (const unsigned char *)"sesbox", NULL,
	    (unsigned char *)pem, (const unsigned char *)selector,
	    (const unsigned char *)domain, DKIM_CANON_RELAXED,
	    DKIM_CANON_SIMPLE, DKIM_SIGN_RSASHA256, -1, &st);
	if (dk == NULL)
		goto fail;
	dkim_signhdrs(dk, dkim_signed_fields);
	if ((st = dkim_add_querymethod(dk, "dns", "txt")) != DKIM_STAT_OK ||
	    (st = dkim_set_margin(dk, DKIM_LINE_MAX_CHARS)) != DKIM_STAT_OK)
		goto fail;
	/* dkim_chunk only reads msg; a zero length would end the input. */
	if (len > 0 && (st = dkim_chunk(dk, (unsigned char *)msg, len)) !=
	    DKIM_STAT_OK)
		goto fail;
	if ((st = dkim_chunk(dk, NULL, 0)) != DKIM_STAT_OK ||
	    (st = dkim_eom(dk, NULL)) != DKIM_STAT_OK ||
	    (st = dkim_getsighdr_d(dk, sizeof(field) - 1, &sig, &siglen)) !=
	    DKIM_STAT_OK)
		goto fail;
	out = xasprintf("%s%.*s\r\n", field, (int)siglen, (const char *)sig);
fail:
	if (out == NULL) {
		why = dk != NULL ? dkim_geterror(dk) : NULL;
		snprintf(err, DKIM_ERROR_MAX_BYTES, "DKIM signing failed: %s",
		    why != NULL ? why : dkim_getresultstr(st));
	}
	if (dk != NULL)
		dkim_free(dk);
	dkim_close(lib);
	return out;
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
