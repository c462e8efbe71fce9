/*
 * dkim — DKIM keys and tokens: Easy DKIM key generation (real RSA keys,
 * kept in PEM), BYODKIM key validation, public keys for DNS records, and
 * the random tokens SES hands out. Message signing comes with the delivery
 * core. This module does not touch the store.
 */
#ifndef DKIM_H
#define DKIM_H

#include <stddef.h>

#define DKIM_ERROR_MAX_BYTES 160
#define DKIM_EASY_TOKENS 3
#define DKIM_TOKEN_CHARS 32		/* base32, [a-z2-7] */
#define DKIM_VERIFY_TOKEN_CHARS 44	/* base64 of 32 bytes */
#define DKIM_KEY_BITS_DEFAULT 2048

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
/* Writes a random 32-character lowercase base32 Easy DKIM token. */
void dkim_token(char out[DKIM_TOKEN_CHARS + 1]);
/* Writes a random 44-character base64 domain verification token. */
void dkim_verification_token(char out[DKIM_VERIFY_TOKEN_CHARS + 1]);

#endif
