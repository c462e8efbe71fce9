/*
 * buf — a growable byte buffer for building responses (XML, JSON, text).
 *
 * Always NUL-terminated so the contents can be used as a C string. It does
 * not escape or encode anything on its own beyond the helpers named here.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
	char *data;	/* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
/* Releases the contents; b may be reused after buf_init. */
void buf_fini(struct buf *b);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s (n bytes) escaped for XML text content (& < > and CR). */
void buf_xml_escape(struct buf *b, const char *s, size_t n);
/* Appends the standard base64 (RFC 4648, padded) of p. */
void buf_base64(struct buf *b, const unsigned char *p, size_t n);
/* Takes the contents (new, caller frees) and leaves b empty. */
char *buf_steal(struct buf *b, size_t *len);

/* Value of a standard base64 digit (0-63), or -1 (padding included). */
int buf_base64_value(int c);

/*
 * Decodes standard base64 (padding required, no whitespace) into out, which
 * must hold at least n / 4 * 3 bytes. Returns the decoded length, or -1 when
 * s is not valid base64.
 */
long buf_base64_decode(const char *s, size_t n, unsigned char *out);

/*
 * String helpers for hot paths, where snprintf's format parsing shows in
 * profiles. str_join writes a, b and c joined into out (size n, which
 * must be > 0) and returns the length, or -1 (out truncated) when they do
 * not fit.
 */
int str_join(char *out, size_t n, const char *a, const char *b,
    const char *c);
/* Writes v in decimal at out (at least 21 bytes), NUL-terminated; returns
 * the length. */
size_t str_size(char *out, size_t v);
/* Writes the lowercase hex of p (n bytes) at out: 2n chars, no NUL. */
void str_hex(char *out, const unsigned char *p, size_t n);

#endif
