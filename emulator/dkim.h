/*
 * dkim — DKIM keys, tokens and signatures: Easy DKIM key generation (real
 * RSA keys, kept in PEM), BYODKIM key validation, public keys for DNS
 * records, the random tokens SES hands out, and the DKIM-Signature SES puts
 * on an outgoing message for the sender's domain (signed with libopendkim).
 * This module does not touch the store, decide which identity signs, or
 * verify incoming signatures.
 *
 * libopendkim exports its API under the same dkim_ prefix (dkim_sign,
 * dkim_verify, dkim_init, dkim_free, ...): no function here may take one of
 * its names, or the link would silently bind one to the other.
 */
#ifndef DKIM_H
#define DKIM_H

#include <stddef.h>
#include <stdint.h>

#define DKIM_ERROR_MAX_BYTES 160
#define DKIM_EASY_TOKENS 3
#define DKIM_TOKEN_CHARS 32		/* base32, [a-z2-7] */
#define DKIM_VERIFY_TOKEN_CHARS 44	/* base64 of 32 bytes */
#define DKIM_KEY_BITS_DEFAULT 2048
#define DKIM_LINE_MAX_CHARS 78	/* folding margin of DKIM-Signature */

/* A new RSA private key of bits (1024 or 2048) as PEM (new string). */
char *dkim_key_generate(int bits);
/*
 * Checks a BYODKIM private key: standard base64 of a DER RSA key (PKCS#1
 * or PKCS#8; PEM armour and line breaks tolerated) of 1024 to 2048 bits.
 * Returns the key as PEM (new) and its size in *bits, or NULL with err set.
 */
char *dkim_key_import(const char *base64, int *bits,
    char err[DKIM_ERROR_MAX_BYTES]);
/* Base64 DER of the public half of a PEM private key (new), or NULL. */
char *dkim_public_key(const char *pem);
/*
 * Signs msg (a whole RFC 5322 message, CRLF line ends, as it will go on the
 * wire) for domain d= with selector s= using the PEM RSA private key, as SES
 * signs for an Easy DKIM or BYODKIM domain: rsa-sha256, q=dns/txt,
 * c=relaxed/simple, the fields SES signs that msg has (in message order,
 * each instance once, none oversigned), t= now_s (> 0), no x=. Returns the
 * complete header field to prepend, "DKIM-Signature: v=1; ..." folded at 78
 * columns (a tab counted as 8) and ending in CRLF (new string), or NULL
 * with err set: a key that is not a PEM RSA private key, an empty domain or
 * selector, or a message libopendkim cannot sign (no From field).
 */
char *dkim_message_sign(const char *pem, const char *domain,
    const char *selector, const char *msg, size_t len, int64_t now_s,
    char err[DKIM_ERROR_MAX_BYTES]);
/* Writes a random 32-character lowercase base32 Easy DKIM token. */
void dkim_token(char out[DKIM_TOKEN_CHARS + 1]);
/* Writes a random 44-character base64 domain verification token. */
void dkim_verification_token(char out[DKIM_VERIFY_TOKEN_CHARS + 1]);

#endif
