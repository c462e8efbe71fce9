/*
 * mime — Internet message syntax as SES handles it (see mime.h).
 *
 * Sections: small codecs (base64, quoted-printable, charsets, RFC 2047),
 * JavaMail's header tokenizer and its Content-Type / Content-Disposition
 * parsers, addresses, the builder, the raw-message parser.
 */
#include "mime.h"

#include <assert.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "buf.h"
#include "wire.h"
#include "xmem.h"

#define MIME_FOLD_COLUMNS 76
#define MIME_PARAMS_MAX 32

static void
mime_err(char err[MIME_ERROR_MAX_BYTES], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
mime_err(char err[MIME_ERROR_MAX_BYTES], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, MIME_ERROR_MAX_BYTES, fmt, ap);
	va_end(ap);
}

static int
mime_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static int
mime_is_utf8_name(const char *cs)
{
	return cs == NULL || strcasecmp(cs, "UTF-8") == 0 ||
	    strcasecmp(cs, "UTF8") == 0;
}

/* ------------------------------------------------------------------ */
/* codecs                                                              */

/* Converts s[0..n) between charsets with iconv; 0 and a new buffer, or -1. */
static int
mime_iconv(const char *to, const char *from, const char *s, size_t n,
    char **out, size_t *outlen)
{
	iconv_t cd = iconv_open(to, from);
	size_t cap = n * 4 + 16, left = cap, inleft = n;
	char *dst, *o, *in = (char *)s;

	if (cd == (iconv_t)-1)
		return -1;
	dst = xmalloc(cap + 1);
	o = dst;
	while (inleft > 0) {
		if (iconv(cd, &in, &inleft, &o, &left) == (size_t)-1) {
			if (errno == E2BIG) {
				size_t used = (size_t)(o - dst);

				cap *= 2;
				dst = xrealloc(dst, cap + 1);
				o = dst + used;
				left = cap - used;
				continue;
			}
			iconv_close(cd);
			free(dst);
			return -1;
		}
	}
	iconv(cd, NULL, NULL, &o, &left);
	iconv_close(cd);
	*o = '\0';
	*out = dst;
	*outlen = (size_t)(o - dst);
	return 0;
}

/* Appends s[0..n) in charset cs as UTF-8 (bytes kept when unknown). */
static void
mime_to_utf8(struct buf *b, const char *cs, const char *s, size_t n)
{
	char *u;
	size_t ulen;

	if (cs == NULL || mime_is_utf8_name(cs) ||
	    strcasecmp(cs, "us-ascii") == 0 ||
	    mime_iconv("UTF-8", cs, s, n, &u, &ulen) != 0) {
		buf_append(b, s, n);
		return;
	}
	buf_append(b, u, ulen);
	free(u);
}


/* Lenient base64 decoding (skips what is not base64, stops at '='). */
static void
mime_b64_decode(struct buf *out, const char *s, size_t n)
{
	unsigned v = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int d;

		if (s[i] == '=')
			break;
		if ((d = buf_base64_value((unsigned char)s[i])) < 0)
			continue;
		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(out, (char)((v >> bits) & 0xff));
		}
	}
}

/* base64 in lines of 76 characters joined by eol, no eol at the end. */
static void
mime_b64_encode(struct buf *b, const unsigned char *p, size_t n,
    const char *eol)
{
	size_t i;

	for (i = 0; i < n; i += 57) {
		if (i > 0)
			buf_puts(b, eol);
		buf_base64(b, p + i, n - i < 57 ? n - i : 57);
	}
}

static int
mime_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Quoted-printable body decoding (soft breaks dropped, bad escapes kept). */
static void
mime_qp_decode(struct buf *out, const char *s, size_t n, int header)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '_' && header) {
			buf_putc(out, ' ');
		} else if (s[i] == '=' && i + 1 < n &&
		    (s[i + 1] == '\n' || s[i + 1] == '\r')) {
			i++;
			if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
		} else if (s[i] == '=' && i + 2 < n &&
		    mime_hex((unsigned char)s[i + 1]) >= 0 &&
		    mime_hex((unsigned char)s[i + 2]) >= 0) {
			buf_putc(out, (char)(mime_hex((unsigned char)s[i + 1]) *
			    16 + mime_hex((unsigned char)s[i + 2])));
			i += 2;
		} else {
			buf_putc(out, s[i]);
		}
	}
}

static const char mime_hexdig[] = "0123456789ABCDEF";

static void
mime_put_hex(struct buf *b, unsigned char c)
{
	char e[3] = { '=', mime_hexdig[c >> 4], mime_hexdig[c & 15] };

	buf_append(b, e, 3);
}

/* mime_qp_encode's flags */
#define MIME_QP_TEXT 1		/* CR, LF and CRLF are line breaks */
#define MIME_QP_GUARD 2		/* no line starts with '-' */

/*
 * AWS: JavaMail's QPEncoderStream: lines of at most 75 characters plus
 * the soft-break '=', tab and controls always encoded, a space encoded
 * only before a line break. With MIME_QP_TEXT, CR, LF and CRLF are line
 * breaks (written eol); without, they are encoded. Soft breaks are "="
 * eol. MIME_QP_GUARD (not JavaMail's) encodes a '-' that starts a line,
 * so no line of text re-encoded inside a multipart reads as a boundary.
 */
static void
mime_qp_encode(struct buf *b, const unsigned char *p, size_t n,
    unsigned flags, const char *eol)
{
	int text = (flags & MIME_QP_TEXT) != 0;
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = p[i];
		int enc;

		if (text && (c == '\r' || c == '\n')) {
			if (c == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			buf_puts(b, eol);
			col = 0;
			continue;
		}
		enc = c < 040 || c >= 0177 || c == '=';
		if (c == ' ')
			enc = i + 1 == n || (text && (p[i + 1] == '\r' ||
			    p[i + 1] == '\n'));
		if (col + (enc ? 3 : 1) > 75) {
			buf_putc(b, '=');
			buf_puts(b, eol);
			col = 0;
		}
		if (col == 0 && c == '-' && (flags & MIME_QP_GUARD))
			enc = 1;
		if (enc)
			mime_put_hex(b, c);
		else
			buf_putc(b, (char)c);
		col += enc ? 3 : 1;
	}
}

/*
 * AWS: JavaMail's checkAscii over body bytes: 0 all ASCII with lines
 * <= 998, 1 mostly ASCII (or a long line), 2 mostly not ASCII.
 */
static int
mime_ascii_class(const unsigned char *p, size_t n)
{
	size_t i, ascii = 0, non = 0, line = 0;
	int longline = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c == '\r' || c == '\n') {
			line = 0;
		} else if (++line > MIME_LINE_MAX_BYTES) {
			longline = 1;
		}
		if (c >= 0177 || (c < 040 && c != '\r' && c != '\n' &&
		    c != '\t'))
			non++;
		else
			ascii++;
	}
	if (non == 0)
		return longline ? 1 : 0;
	return non > ascii ? 2 : 1;
}

/* Appends text with every line break written as CRLF. */
static void
mime_put_crlf(struct buf *b, const char *s, size_t n)
{
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\r' && s[i] != '\n')
			continue;
		buf_append(b, s + from, i - from);
		buf_append(b, "\r\n", 2);
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			i++;
		from = i + 1;
	}
	buf_append(b, s + from, n - from);
}

/* ------------------------------------------------------------------ */
/* RFC 2047                                                            */

/*
 * Decodes the encoded-word at s (which starts "=?"); on success appends
 * its text as UTF-8 and returns its length, else returns 0.
 */
static size_t
mime_word_decode(struct buf *out, const char *s)
{
	const char *cs = s + 2, *q1, *q2, *end;
	char charset[64], *star;
	struct buf raw;
	int enc;

	if ((q1 = strchr(cs, '?')) == NULL || q1 - cs == 0 ||
	    (size_t)(q1 - cs) >= sizeof(charset))
		return 0;
	enc = q1[1];
	if ((enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q') ||
	    q1[2] != '?')
		return 0;
	q2 = q1 + 3;
	if ((end = strstr(q2, "?=")) == NULL)
		return 0;
	if (memchr(q2, ' ', (size_t)(end - q2)) != NULL ||
	    memchr(q2, '\t', (size_t)(end - q2)) != NULL)
		return 0;
	memcpy(charset, cs, (size_t)(q1 - cs));
	charset[q1 - cs] = '\0';
	if ((star = strchr(charset, '*')) != NULL)	/* RFC 2231 language */
		*star = '\0';
	buf_init(&raw);
	if (enc == 'B' || enc == 'b')
		mime_b64_decode(&raw, q2, (size_t)(end - q2));
	else
		mime_qp_decode(&raw, q2, (size_t)(end - q2), 1);
	mime_to_utf8(out, charset, raw.data ? raw.data : "", raw.len);
	buf_fini(&raw);
	return (size_t)(end + 2 - s);
}

char *
mime_header_decode(const char *value)
{
	struct buf b;
	const char *p = value;
	size_t pending_ws = 0;
	const char *ws_at = NULL;
	int last_word = 0;

	buf_init(&b);
	while (*p) {
		size_t n;

		if (*p == '\r' || *p == '\n') {
			p++;
			continue;
		}
		if (mime_is_wsp(*p)) {
			if (pending_ws == 0)
				ws_at = p;
			pending_ws++;
			p++;
			continue;
		}
		if (p[0] == '=' && p[1] == '?') {
			size_t mark = b.len;

			if (pending_ws > 0 && !last_word)
				buf_append(&b, ws_at, pending_ws);
			if ((n = mime_word_decode(&b, p)) > 0) {
				p += n;
				pending_ws = 0;
				last_word = 1;
				continue;
			}
			b.len = mark;
			if (b.data != NULL)
				b.data[b.len] = '\0';
		}
		if (pending_ws > 0)
			buf_append(&b, ws_at, pending_ws);
		pending_ws = 0;
		last_word = 0;
		buf_putc(&b, *p++);
	}
	if (pending_ws > 0)
		buf_append(&b, ws_at, pending_ws);
	return buf_steal(&b, NULL);
}

/* Q-encoding specials of JavaMail's QEncoderStream. */
#define MIME_WORD_SPECIALS "=_?\"#$%&'(),.:;<>@[\\]^`{|}~"
#define MIME_TEXT_SPECIALS "=_?"

static int
mime_q_plain(unsigned char c, int word)
{
	return c == ' ' || (c >= 040 && c < 0177 && strchr(word ?
	    MIME_WORD_SPECIALS : MIME_TEXT_SPECIALS, c) == NULL);
}

static void
mime_q_encode(struct buf *b, const unsigned char *p, size_t n, int word)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == ' ')
			buf_putc(b, '_');
		else if (mime_q_plain(p[i], word))
			buf_putc(b, (char)p[i]);
		else
			mime_put_hex(b, p[i]);
	}
}

/* Byte length of the UTF-8 sequence starting with c (1 for bad bytes). */
static size_t
mime_utf8_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

struct mime_enc {
	const char *charset;	/* MIME name written in the word */
	int b64;
	int word;		/* phrase (display name) rules */
	size_t avail;
};

/* The bytes s[0..n) in the target charset (new) and their length. */
static char *
mime_enc_bytes(const struct mime_enc *e, const char *s, size_t n,
    size_t *len)
{
	char *out;

	if (!mime_is_utf8_name(e->charset) &&
	    mime_iconv(e->charset, "UTF-8", s, n, &out, len) == 0)
		return out;
	*len = n;
	return xstrndup(s, n);
}

/*
 * AWS: JavaMail's MimeUtility.doEncode: a string whose encoded form is
 * longer than avail is split in half (in UTF-16 units, never inside a
 * character) and each half encoded the same way; words are joined by a
 * space and folded later.
 */
static void
mime_do_encode(struct buf *b, const struct mime_enc *e, const char *s,
    size_t n, int *first)
{
	size_t bl, enc = 0, i, units = 0, half, at, u;
	char *bytes = mime_enc_bytes(e, s, n, &bl);

	if (e->b64) {
		enc = (bl + 2) / 3 * 4;
	} else {
		for (i = 0; i < bl; i++)
			enc += mime_q_plain((unsigned char)bytes[i], e->word) ?
			    1 : 3;
	}
	for (i = 0; i < n; i += mime_utf8_len((unsigned char)s[i]))
		units += mime_utf8_len((unsigned char)s[i]) == 4 ? 2 : 1;
	if (enc > e->avail && units > 1) {
		free(bytes);
		half = units / 2;
		for (at = 0, u = 0; at < n;) {
			size_t cl = mime_utf8_len((unsigned char)s[at]),
			    cu = cl == 4 ? 2 : 1;

			if (u + cu > half)
				break;
			u += cu;
			at += cl;
		}
		if (at == 0)	/* first char is a surrogate pair */
			at = mime_utf8_len((unsigned char)s[0]);
		mime_do_encode(b, e, s, at, first);
		mime_do_encode(b, e, s + at, n - at, first);
		return;
	}
	if (!*first)
		buf_putc(b, ' ');
	*first = 0;
	buf_printf(b, "=?%s?%c?", e->charset, e->b64 ? 'B' : 'Q');
	if (e->b64)
		buf_base64(b, (const unsigned char *)bytes, bl);
	else
		mime_q_encode(b, (const unsigned char *)bytes, bl, e->word);
	buf_append(b, "?=", 2);
	free(bytes);
}

/*
 * AWS: JavaMail's encodeWord/encodeText: returned unchanged when every
 * character is ASCII; "Q" when at most half the characters are not, "B"
 * otherwise.
 */
static void
mime_encode_text(struct buf *b, const char *s, size_t n,
    const char *charset, int word)
{
	struct mime_enc e;
	size_t i, ascii = 0, non = 0;
	int first = 1;

	for (i = 0; i < n; i += mime_utf8_len((unsigned char)s[i])) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0177 || (c < 040 && c != '\r' && c != '\n' &&
		    c != '\t'))
			non++;
		else
			ascii++;
	}
	if (non == 0) {
		buf_append(b, s, n);
		return;
	}
	e.charset = charset != NULL ? charset : "UTF-8";
	e.b64 = non >= ascii;
	e.word = word;
	e.avail = 68 - strlen(e.charset);
	mime_do_encode(b, &e, s, n, &first);
}

/*
 * AWS: JavaMail's MimeUtility.fold: lines break at the last blank before
 * column 76 (used = characters already on the line), trailing blanks are
 * dropped, and every line break is followed by a blank (makesafe).
 */
static void
mime_fold(struct buf *out, size_t used, const char *s, size_t n)
{
	struct buf b;
	size_t i;

	while (n > 0 && (mime_is_wsp(s[n - 1]) || s[n - 1] == '\r' ||
	    s[n - 1] == '\n'))
		n--;
	buf_init(&b);
	while (used + n > MIME_FOLD_COLUMNS) {
		long last = -1;
		char lastc = 0;

		for (i = 0; i < n; i++) {
			if (last != -1 && used + i > MIME_FOLD_COLUMNS)
				break;
			if (mime_is_wsp(s[i]) && !mime_is_wsp(lastc))
				last = (long)i;
			lastc = s[i];
		}
		if (last == -1)
			break;
		buf_append(&b, s, (size_t)last);
		buf_append(&b, "\r\n", 2);
		buf_putc(&b, s[last]);
		s += last + 1;
		n -= (size_t)last + 1;
		used = 1;
	}
	buf_append(&b, s, n);
	/* makesafe: each line after a break must start with a blank */
	s = b.data != NULL ? b.data : "";
	n = b.len;
	if (memchr(s, '\r', n) == NULL && memchr(s, '\n', n) == NULL) {
		buf_append(out, s, n);
	} else {
		size_t start = 0, lines = 0;

		for (i = 0; i <= n; i++) {
			size_t k, end = i;
			int blank = 1;

			if (i < n && s[i] != '\r' && s[i] != '\n')
				continue;
			for (k = start; k < end; k++)
				if (!mime_is_wsp(s[k]))
					blank = 0;
			if (!blank) {
				if (lines++ > 0) {
					buf_append(out, "\r\n", 2);
					if (!mime_is_wsp(s[start]))
						buf_putc(out, ' ');
				}
				buf_append(out, s + start, end - start);
			}
			if (i < n && s[i] == '\r' && i + 1 < n &&
			    s[i + 1] == '\n')
				i++;
			start = i + 1;
		}
	}
	buf_fini(&b);
}

/* ------------------------------------------------------------------ */
/* JavaMail's HeaderTokenizer (MIME specials, comments skipped)        */

#define MIME_SPECIALS "()<>@,;:\\\"\t []/?="

enum { TK_EOF = -4, TK_QUOTED = -2, TK_ATOM = -1 };

struct mime_tok {
	int type;		/* TK_* or the special character */
	char value[MIME_ERROR_MAX_BYTES / 2];
	const char *at;		/* start in the input */
	size_t len;		/* bytes of the value in the input */
};

/* 0 and the next token, or -1 with err (unbalanced comment or quote). */
static int
mime_tok_next(const char **pp, struct mime_tok *t,
    char err[MIME_ERROR_MAX_BYTES])
{
	const char *p = *pp;
	size_t n, k;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '(')
			break;
		for (n = 1, p++; *p && n > 0; p++) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '(')
				n++;
			else if (*p == ')')
				n--;
		}
		if (n > 0) {
			mime_err(err, "Unbalanced comments");
			return -1;
		}
	}
	t->at = p;
	if (*p == '\0') {
		t->type = TK_EOF;
		strcpy(t->value, "null");	/* Java's "" + null */
		t->len = 0;
		*pp = p;
		return 0;
	}
	if (*p == '"') {
		for (k = 0, p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			if (k + 1 < sizeof(t->value))
				t->value[k++] = *p;
		}
		if (*p != '"') {
			mime_err(err, "Unbalanced quoted string");
			return -1;
		}
		t->value[k] = '\0';
		t->type = TK_QUOTED;
		t->len = (size_t)(p + 1 - t->at);
		*pp = p + 1;
		return 0;
	}
	if ((unsigned char)*p < 040 || (unsigned char)*p >= 0177 ||
	    strchr(MIME_SPECIALS, *p) != NULL) {
		t->type = (unsigned char)*p;
		t->value[0] = *p;
		t->value[1] = '\0';
		t->len = 1;
		*pp = p + 1;
		return 0;
	}
	for (k = 0; *p && (unsigned char)*p >= 040 &&
	    (unsigned char)*p < 0177 && strchr(MIME_SPECIALS, *p) == NULL;
	    p++)
		if (k + 1 < sizeof(t->value))
			t->value[k++] = *p;
	t->value[k] = '\0';
	t->type = TK_ATOM;
	t->len = (size_t)(p - t->at);
	*pp = p;
	return 0;
}

struct mime_param {
	char *name;		/* lower-case */
	char *value;
};

struct mime_params {
	struct mime_param v[MIME_PARAMS_MAX];
	size_t n;
};

static void
mime_params_fini(struct mime_params *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		free(ps->v[i].name);
		free(ps->v[i].value);
	}
	ps->n = 0;
}

/* A token's full value (tokens keep a bounded copy; values may be long). */
static char *
mime_tok_dup(const struct mime_tok *t)
{
	struct buf b;
	size_t i;

	if (t->type != TK_QUOTED)
		return xstrndup(t->at, t->len);
	buf_init(&b);
	for (i = 1; i + 1 < t->len; i++) {
		if (t->at[i] == '\\' && i + 2 < t->len)
			i++;
		buf_putc(&b, t->at[i]);
	}
	return buf_steal(&b, NULL);
}

/* AWS: JavaMail 1.4's ParameterList(String) and its messages. */
static int
mime_params_parse(const char *p, struct mime_params *ps,
    char err[MIME_ERROR_MAX_BYTES])
{
	struct mime_tok t;
	char *name;

	ps->n = 0;
	for (;;) {
		if (mime_tok_next(&p, &t, err) != 0)
			return -1;
		if (t.type == TK_EOF)
			return 0;
		if (t.type != ';') {
			mime_err(err, "Expected ';', got \"%s\"", t.value);
			return -1;
		}
		if (mime_tok_next(&p, &t, err) != 0)
			return -1;
		if (t.type == TK_EOF)	/* a trailing ';' is tolerated */
			return 0;
		if (t.type != TK_ATOM) {
			mime_err(err, "Expected parameter name, got \"%s\"",
			    t.value);
			return -1;
		}
		name = mime_tok_dup(&t);
		if (mime_tok_next(&p, &t, err) != 0) {
			free(name);
			return -1;
		}
		if (t.type != '=') {
			mime_err(err, "Expected '=', got \"%s\"", t.value);
			free(name);
			return -1;
		}
		if (mime_tok_next(&p, &t, err) != 0) {
			free(name);
			return -1;
		}
		if (t.type != TK_ATOM && t.type != TK_QUOTED) {
			mime_err(err, "Expected parameter value, got \"%s\"",
			    t.value);
			free(name);
			return -1;
		}
		if (ps->n < MIME_PARAMS_MAX) {
			char *c;

			for (c = name; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			ps->v[ps->n].name = name;
			ps->v[ps->n++].value = mime_tok_dup(&t);
		} else {
			free(name);
		}
	}
}

static const char *
mime_param_raw(const struct mime_params *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].name, name) == 0)
			return ps->v[i].value;
	return NULL;
}

/* Appends an RFC 2231 ext-value ("charset'lang'%xx...") as UTF-8. */
static void
mime_2231_decode(struct buf *out, const char *v, char *charset,
    size_t cslen)
{
	const char *q1 = strchr(v, '\''), *q2;
	struct buf raw;

	if (charset[0] == '\0' && q1 != NULL &&
	    (q2 = strchr(q1 + 1, '\'')) != NULL) {
		snprintf(charset, cslen, "%.*s", (int)(q1 - v), v);
		v = q2 + 1;
	}
	buf_init(&raw);
	for (; *v; v++) {
		if (*v == '%' && mime_hex((unsigned char)v[1]) >= 0 &&
		    mime_hex((unsigned char)v[2]) >= 0) {
			buf_putc(&raw, (char)(mime_hex((unsigned char)v[1]) *
			    16 + mime_hex((unsigned char)v[2])));
			v += 2;
		} else {
			buf_putc(&raw, *v);
		}
	}
	mime_to_utf8(out, charset[0] ? charset : NULL,
	    raw.data ? raw.data : "", raw.len);
	buf_fini(&raw);
}

/*
 * A parameter decoded (new, UTF-8) or NULL: plain "name" (RFC 2047
 * decoded), "name*" (RFC 2231) or the continuation "name*0", "name*1*"...
 */
static char *
mime_param_get(const struct mime_params *ps, const char *name)
{
	char key[80], charset[64] = "";
	const char *v;
	struct buf b;
	int i, found = 0;

	if ((v = mime_param_raw(ps, name)) != NULL)
		return mime_header_decode(v);
	snprintf(key, sizeof(key), "%s*", name);
	if ((v = mime_param_raw(ps, key)) != NULL) {
		buf_init(&b);
		mime_2231_decode(&b, v, charset, sizeof(charset));
		return buf_steal(&b, NULL);
	}
	buf_init(&b);
	for (i = 0; i < MIME_PARAMS_MAX; i++) {
		snprintf(key, sizeof(key), "%s*%d", name, i);
		if ((v = mime_param_raw(ps, key)) != NULL) {
			buf_puts(&b, v);
		} else {
			snprintf(key, sizeof(key), "%s*%d*", name, i);
			if ((v = mime_param_raw(ps, key)) == NULL)
				break;
			mime_2231_decode(&b, v, charset, sizeof(charset));
		}
		found = 1;
	}
	if (!found) {
		buf_fini(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

/*
 * AWS: JavaMail 1.4's ContentType(String): type (lower-case, new) and
 * parameters, or -1 with its message ("Expected '/', got ;").
 */
static int
mime_ctype_parse(const char *s, char **type, struct mime_params *ps,
    char err[MIME_ERROR_MAX_BYTES])
{
	struct mime_tok t;
	char primary[MIME_ERROR_MAX_BYTES / 2];
	char *c;

	ps->n = 0;
	if (mime_tok_next(&s, &t, err) != 0)
		return -1;
	if (t.type != TK_ATOM) {
		mime_err(err, "Expected MIME type, got %s", t.value);
		return -1;
	}
	snprintf(primary, sizeof(primary), "%s", t.value);
	if (mime_tok_next(&s, &t, err) != 0)
		return -1;
	if (t.type != '/') {
		mime_err(err, "Expected '/', got %s", t.value);
		return -1;
	}
	if (mime_tok_next(&s, &t, err) != 0)
		return -1;
	if (t.type != TK_ATOM) {
		mime_err(err, "Expected MIME subtype, got %s", t.value);
		return -1;
	}
	if (mime_params_parse(s, ps, err) != 0)
		return -1;
	*type = xasprintf("%s/%s", primary, t.value);
	for (c = *type; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return 0;
}

/* AWS: JavaMail 1.4's ContentDisposition(String). */
static int
mime_cdisp_parse(const char *s, char **disp, struct mime_params *ps,
    char err[MIME_ERROR_MAX_BYTES])
{
	struct mime_tok t;
	char *c;

	ps->n = 0;
	if (mime_tok_next(&s, &t, err) != 0)
		return -1;
	if (t.type != TK_ATOM) {
		mime_err(err, "Expected disposition, got %s", t.value);
		return -1;
	}
	if (mime_params_parse(s, ps, err) != 0)
		return -1;
	*disp = xstrdup(t.value);
	for (c = *disp; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return 0;
}

/* ------------------------------------------------------------------ */
/* addresses                                                           */

struct mime_item {
	size_t start, end;	/* as written, trimmed */
	long lt, gt;		/* '<' and '>' positions or -1 */
	long cmt_open, cmt_close;	/* first comment or -1 */
	int group;
};

/* Skips a quoted string at s[i] == '"'; index after it, or 0 when open. */
static size_t
mime_skip_quoted(const char *s, size_t i)
{
	for (i++; s[i]; i++) {
		if (s[i] == '\\' && s[i + 1])
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return 0;
}

/*
 * AWS: the scanning half of JavaMail's InternetAddress.parse (strict):
 * splits s at top-level commas into items, with its messages for broken
 * brackets, quotes and comments. Returns the number of items (at most
 * max are described in items) or -1 with why set.
 */
static long
mime_addr_scan(const char *s, struct mime_item *items, size_t max,
    char why[MIME_ERROR_MAX_BYTES])
{
	size_t i = 0, n = 0;
	long start = -1;
	struct mime_item cur = { 0, 0, -1, -1, -1, -1, 0 };
	int in_group = 0;

	for (;;) {
		char c = s[i];

		if (c == '\0' || (c == ',' && !in_group)) {
			if (start >= 0) {
				size_t e = i;

				while (e > (size_t)start &&
				    (mime_is_wsp(s[e - 1]) || s[e - 1] == '\r' ||
				    s[e - 1] == '\n'))
					e--;
				cur.start = (size_t)start;
				cur.end = e;
				if (n < max)
					items[n] = cur;
				n++;
			}
			if (c == '\0')
				break;
			start = -1;
			memset(&cur, 0, sizeof(cur));
			cur.lt = cur.gt = cur.cmt_open = cur.cmt_close = -1;
			i++;
			continue;
		}
		if (mime_is_wsp(c) || c == '\r' || c == '\n') {
			i++;
			continue;
		}
		if (start < 0)
			start = (long)i;
		switch (c) {
		case '(': {
			size_t depth = 1, j;

			for (j = i + 1; s[j] && depth > 0; j++) {
				if (s[j] == '\\' && s[j + 1])
					j++;
				else if (s[j] == '(')
					depth++;
				else if (s[j] == ')')
					depth--;
			}
			if (depth > 0) {
				mime_err(why, "Missing ')'");
				return -1;
			}
			if (cur.cmt_open < 0) {
				cur.cmt_open = (long)i;
				cur.cmt_close = (long)j - 1;
			}
			i = j;
			continue;
		}
		case ')':
			mime_err(why, "Missing '('");
			return -1;
		case '<': {
			size_t j;

			if (cur.lt >= 0) {
				mime_err(why, "Extra route-addr");
				return -1;
			}
			for (j = i + 1; s[j] && s[j] != '>'; j++) {
				if (s[j] == '"') {
					size_t k = mime_skip_quoted(s, j);

					if (k == 0)
						break;
					j = k - 1;
				} else if (s[j] == '\\' && s[j + 1]) {
					j++;
				}
			}
			if (s[j] != '>') {
				mime_err(why, "Missing '>'");
				return -1;
			}
			cur.lt = (long)i;
			cur.gt = (long)j;
			i = j + 1;
			continue;
		}
		case '>':
			mime_err(why, "Missing '<'");
			return -1;
		case '"': {
			size_t k = mime_skip_quoted(s, i);

			if (k == 0) {
				mime_err(why, "Missing '\"'");
				return -1;
			}
			i = k;
			continue;
		}
		case '[': {
			const char *rb = strchr(s + i, ']');

			if (rb == NULL) {
				mime_err(why, "Missing ']'");
				return -1;
			}
			i = (size_t)(rb - s) + 1;
			continue;
		}
		case ':':
			if (!in_group && cur.lt < 0) {
				in_group = 1;
				cur.group = 1;
			}
			break;
		case ';':
			if (!in_group) {
				mime_err(why, "Illegal semicolon, not in group");
				return -1;
			}
			in_group = 0;
			break;
		default:
			break;
		}
		i++;
	}
	if (in_group) {
		mime_err(why, "Could not find ';' to end group");
		return -1;
	}
	return (long)n;
}

/* New copy of s[a..b) trimmed, with one level of "..." removed. */
static char *
mime_unquote(const char *s, size_t a, size_t b)
{
	struct buf out;
	size_t i;

	while (a < b && (mime_is_wsp(s[a]) || s[a] == '\r' || s[a] == '\n'))
		a++;
	while (b > a && (mime_is_wsp(s[b - 1]) || s[b - 1] == '\r' ||
	    s[b - 1] == '\n'))
		b--;
	if (b - a < 2 || s[a] != '"' || s[b - 1] != '"')
		return xstrndup(s + a, b - a);
	buf_init(&out);
	for (i = a + 1; i + 1 < b; i++) {
		if (s[i] == '\\' && i + 2 < b)
			i++;
		buf_putc(&out, s[i]);
	}
	return buf_steal(&out, NULL);
}

/*
 * Parses one address: bare address (new) and the display name as written
 * but unquoted (new, or NULL). 0, or -1 with why.
 */
static int
mime_addr_one(const char *s, char **addr, char **phrase,
    char why[MIME_ERROR_MAX_BYTES])
{
	struct mime_item it;
	char awhy[ADDR_WHY_MAX_BYTES], *a, *p = NULL;
	long n;

	*addr = NULL;
	*phrase = NULL;
	if ((n = mime_addr_scan(s, &it, 1, why)) < 0)
		return -1;
	if (n != 1 || it.group) {
		mime_err(why, "Illegal address");
		return -1;
	}
	if (it.lt >= 0) {
		size_t a0 = (size_t)it.lt + 1, a1 = (size_t)it.gt;
		const char *colon;

		while (a0 < a1 && mime_is_wsp(s[a0]))
			a0++;
		while (a1 > a0 && mime_is_wsp(s[a1 - 1]))
			a1--;
		a = xstrndup(s + a0, a1 - a0);
		if (a[0] == '@') {	/* route "@r1,@r2:local@domain" */
			if ((colon = strchr(a, ':')) == NULL) {
				free(a);
				mime_err(why, "Illegal route-addr");
				return -1;
			}
			memmove(a, colon + 1, strlen(colon + 1) + 1);
		}
		if ((size_t)it.lt > it.start)
			p = mime_unquote(s, it.start, (size_t)it.lt);
	} else if (it.cmt_open >= 0) {
		/* "a@b (Name)": JavaMail takes the comment as the name */
		a = mime_unquote(s, it.start, (size_t)it.cmt_open);
		p = xstrndup(s + it.cmt_open + 1,
		    (size_t)(it.cmt_close - it.cmt_open - 1));
	} else {
		a = xstrndup(s + it.start, it.end - it.start);
	}
	if (p != NULL && p[0] == '\0') {
		free(p);
		p = NULL;
	}
	if (addr_check(a, awhy) != 0) {
		mime_err(why, "%s", awhy);
		free(a);
		free(p);
		return -1;
	}
	*addr = a;
	*phrase = p;
	return 0;
}

int
mime_address_parse(const char *s, char **addr, char **display,
    char why[MIME_ERROR_MAX_BYTES])
{
	char *phrase;

	if (display != NULL)
		*display = NULL;
	if (mime_addr_one(s, addr, &phrase, why) != 0)
		return -1;
	if (display != NULL && phrase != NULL)
		*display = mime_header_decode(phrase);
	free(phrase);
	return 0;
}

int
mime_address_list(const char *s, json_t **out,
    char why[MIME_ERROR_MAX_BYTES])
{
	struct mime_item stack[16], *items = stack;
	long n, i;

	*out = NULL;
	if ((n = mime_addr_scan(s, stack, 16, why)) < 0)
		return -1;
	if (n > 16) {
		items = xcalloc((size_t)n, sizeof(*items));
		(void)mime_addr_scan(s, items, (size_t)n, why);
	}
	*out = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(*out, json_stringn(s + items[i].start,
		    items[i].end - items[i].start));
	if (items != stack)
		free(items);
	return 0;
}

/* ------------------------------------------------------------------ */
/* building                                                            */

/* RFC 822 specials that make JavaMail quote a phrase (not space, tab). */
#define MIME_PHRASE_SPECIALS "()<>@,;:\\\".[]"

/* AWS: JavaMail's InternetAddress.quotePhrase. */
static void
mime_quote_phrase(struct buf *b, const char *p)
{
	const char *c;
	int quote = 0;

	for (c = p; *c; c++) {
		unsigned char u = (unsigned char)*c;

		if (*c == '"' || *c == '\\') {
			buf_putc(b, '"');
			for (c = p; *c; c++) {
				if (*c == '"' || *c == '\\')
					buf_putc(b, '\\');
				buf_putc(b, *c);
			}
			buf_putc(b, '"');
			return;
		}
		if ((u < 040 && u != '\r' && u != '\n' && u != '\t') ||
		    u >= 0177 || strchr(MIME_PHRASE_SPECIALS, *c) != NULL)
			quote = 1;
	}
	if (quote)
		buf_putc(b, '"');
	buf_puts(b, p);
	if (quote)
		buf_putc(b, '"');
}

char *
mime_address_unicode(const char *value)
{
	char why[MIME_ERROR_MAX_BYTES], *addr, *display;
	json_t *items;
	struct buf b;
	size_t i, n;

	if (mime_address_list(value, &items, why) != 0)
		return NULL;
	if ((n = json_array_size(items)) == 0) {
		json_decref(items);
		return NULL;
	}
	buf_init(&b);
	for (i = 0; i < n; i++) {
		const char *it = json_string_value(json_array_get(items, i));

		if (it == NULL ||
		    mime_address_parse(it, &addr, &display, why) != 0) {
			json_decref(items);
			buf_fini(&b);
			return NULL;
		}
		if (i > 0)
			buf_puts(&b, ", ");
		if (display != NULL) {
			mime_quote_phrase(&b, display);
			buf_printf(&b, " <%s>", addr);
		} else {
			buf_puts(&b, addr);
		}
		free(addr);
		free(display);
	}
	json_decref(items);
	return buf_steal(&b, NULL);
}

/*
 * One address as InternetAddress.toString writes it. EMU: a display name
 * given with raw non-ASCII characters is RFC 2047 encoded (JavaMail would
 * write the bytes quoted); SES asks callers to encode it themselves.
 */
static void
mime_put_address(struct buf *b, const char *given)
{
	char why[MIME_ERROR_MAX_BYTES], *addr, *phrase;
	const char *c;
	int ascii = 1;

	if (mime_addr_one(given, &addr, &phrase, why) != 0) {
		buf_puts(b, given);
		return;
	}
	if (phrase == NULL) {
		buf_puts(b, addr);
	} else {
		for (c = phrase; *c; c++)
			if ((unsigned char)*c >= 0177)
				ascii = 0;
		if (ascii)
			mime_quote_phrase(b, phrase);
		else
			mime_encode_text(b, phrase, strlen(phrase), "UTF-8",
			    1);
		buf_printf(b, " <%s>", addr);
	}
	free(addr);
	free(phrase);
}

/* AWS: InternetAddress.toString(Address[], used) folding. */
static void
mime_put_address_header(struct buf *b, const char *name,
    const char *const *v, size_t n)
{
	size_t used = strlen(name) + 2, i;
	struct buf one;

	if (n == 0)
		return;
	buf_printf(b, "%s: ", name);
	buf_init(&one);
	for (i = 0; i < n; i++) {
		const char *s, *crlf, *last;
		size_t first;

		one.len = 0;
		mime_put_address(&one, v[i]);
		s = one.data != NULL ? one.data : "";
		if (i > 0) {
			buf_append(b, ", ", 2);
			used += 2;
		}
		crlf = strstr(s, "\r\n");
		first = crlf ? (size_t)(crlf - s) : one.len;
		if (used + first > MIME_FOLD_COLUMNS) {
			buf_append(b, "\r\n\t", 3);
			used = 8;
		}
		buf_append(b, s, one.len);
		for (last = NULL; crlf != NULL; crlf = strstr(crlf + 2, "\r\n"))
			last = crlf + 2;
		used = last != NULL ? one.len - (size_t)(last - s) :
		    used + one.len;
	}
	buf_fini(&one);
	buf_append(b, "\r\n", 2);
}

/* Date like SES writes it: "Sun, 19 Apr 2020 12:00:06 +0000". */
static void
mime_put_date(struct buf *b, int64_t ms)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	buf_printf(b, "Date: %s, %d %s %d %02d:%02d:%02d +0000\r\n",
	    wd[tm.tm_wday], tm.tm_mday, mo[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A parameter value quoted as MimeUtility.quote(v, MIME) does. */
static void
mime_put_param_value(struct buf *b, const char *v)
{
	const char *c;
	int quote = *v == '\0';

	for (c = v; *c; c++)
		if ((unsigned char)*c <= 040 || (unsigned char)*c >= 0177 ||
		    strchr(MIME_SPECIALS, *c) != NULL)
			quote = 1;
	if (!quote) {
		buf_puts(b, v);
		return;
	}
	buf_putc(b, '"');
	for (c = v; *c; c++) {
		if (*c == '"' || *c == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *c);
	}
	buf_putc(b, '"');
}

/*
 * AWS: ParameterList.toString(used): "; " before each parameter, and a
 * break ";\r\n\t" style fold ("; " then CRLF TAB) when it would pass
 * column 76. Non-ASCII values are RFC 2231 encoded (name*=UTF-8''%xx).
 * Returns the new column.
 */
static size_t
mime_put_param(struct buf *b, size_t used, const char *name, const char *v)
{
	struct buf val;
	const char *c;
	int ascii = 1;
	char key[80];

	for (c = v; *c; c++)
		if ((unsigned char)*c >= 0177 || (unsigned char)*c < 040)
			ascii = 0;
	buf_init(&val);
	if (ascii) {
		mime_put_param_value(&val, v);
		snprintf(key, sizeof(key), "%s", name);
	} else {
		buf_puts(&val, "UTF-8''");
		for (c = v; *c; c++) {
			unsigned char u = (unsigned char)*c;

			if (u < 128 && u > 32 && u != '*' && u != '\'' &&
			    u != '%' && strchr(MIME_SPECIALS, u) == NULL)
				buf_putc(&val, *c);
			else
				buf_printf(&val, "%%%c%c", mime_hexdig[u >> 4],
				    mime_hexdig[u & 15]);
		}
		snprintf(key, sizeof(key), "%s*", name);
	}
	buf_append(b, "; ", 2);
	used += 2;
	if (used + strlen(key) + val.len + 1 > MIME_FOLD_COLUMNS) {
		buf_append(b, "\r\n\t", 3);
		used = 8;
	}
	buf_printf(b, "%s=%s", key, val.data);
	used += strlen(key) + 1 + val.len;
	buf_fini(&val);
	return used;
}

enum { MN_TEXT, MN_HTML, MN_ATT, MN_MULTI };

#define MIME_NODE_KIDS_MAX 3

struct mime_node {
	int kind;
	const char *sub;	/* multipart subtype */
	const struct mime_attachment *att;
	struct mime_node **kids;
	size_t nkids;
	char boundary[80];
};

struct mime_build_ctx {
	const struct mime_simple *m;
	unsigned counter;
	uint64_t seed;
};

static uint64_t
mime_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static const struct {
	const char *ext;
	const char *type;
} mime_ext_types[] = {
	{ "txt", "text/plain" }, { "html", "text/html" },
	{ "htm", "text/html" }, { "csv", "text/csv" },
	{ "ics", "text/calendar" }, { "xml", "application/xml" },
	{ "json", "application/json" }, { "pdf", "application/pdf" },
	{ "zip", "application/zip" }, { "gz", "application/gzip" },
	{ "png", "image/png" }, { "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" }, { "gif", "image/gif" },
	{ "svg", "image/svg+xml" }, { "webp", "image/webp" },
	{ "doc", "application/msword" },
	{ "xls", "application/vnd.ms-excel" },
	{ "docx", "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document" },
	{ "xlsx", "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet" },
};

static const char *
mime_type_for(const char *filename)
{
	const char *dot = filename ? strrchr(filename, '.') : NULL;
	size_t i;

	if (dot != NULL)
		for (i = 0; i < sizeof(mime_ext_types) /
		    sizeof(mime_ext_types[0]); i++)
			if (strcasecmp(dot + 1, mime_ext_types[i].ext) == 0)
				return mime_ext_types[i].type;
	return "application/octet-stream";
}

/* Text of a part in its charset (new when converted) and its bytes. */
static const char *
mime_part_bytes(const struct mime_part *p, size_t *n, char **owned)
{
	*owned = NULL;
	if (!mime_is_utf8_name(p->charset) &&
	    mime_iconv(p->charset, "UTF-8", p->data, p->len, owned, n) == 0)
		return *owned;
	*n = p->len;
	return p->data;
}

static void
mime_put_text_headers(struct buf *b, const struct mime_part *p,
    const char *sub, int *cte)
{
	const char *data, *cs = p->charset != NULL ? p->charset : "UTF-8";
	char *owned;
	size_t n;
	size_t used = 14 + 5 + strlen(sub);

	data = mime_part_bytes(p, &n, &owned);
	*cte = mime_ascii_class((const unsigned char *)data, n);
	free(owned);
	buf_printf(b, "Content-Type: text/%s", sub);
	(void)mime_put_param(b, used, "charset", cs);
	buf_printf(b, "\r\nContent-Transfer-Encoding: %s\r\n",
	    *cte == 0 ? "7bit" : *cte == 1 ? "quoted-printable" : "base64");
}

static void
mime_put_text_body(struct buf *b, const struct mime_part *p, int cte)
{
	const char *data;
	char *owned;
	size_t n;

	data = mime_part_bytes(p, &n, &owned);
	if (cte == 0)
		mime_put_crlf(b, data, n);
	else if (cte == 1)
		mime_qp_encode(b, (const unsigned char *)data, n, MIME_QP_TEXT,
		    "\r\n");
	else
		mime_b64_encode(b, (const unsigned char *)data, n, "\r\n");
	free(owned);
}

/* 0 7bit, 1 quoted-printable, 2 base64 for an attachment. */
static int
mime_att_cte(const struct mime_attachment *a)
{
	const char *te = a->transfer_encoding;

	if (te == NULL || strcasecmp(te, "BASE64") == 0)
		return 2;
	if (strcasecmp(te, "QUOTED_PRINTABLE") == 0)
		return 1;
	/* EMU: SEVEN_BIT data that is not 7-bit safe goes out as base64
	 * rather than as a broken part. */
	return mime_ascii_class(a->data, a->len) == 0 ? 0 : 2;
}

static void
mime_put_node_headers(struct buf *b, const struct mime_node *nd,
    const struct mime_simple *m, int *cte)
{
	const struct mime_attachment *a = nd->att;
	const char *type, *disp;
	size_t used;

	*cte = 0;
	switch (nd->kind) {
	case MN_MULTI:
		buf_printf(b, "Content-Type: multipart/%s", nd->sub);
		(void)mime_put_param(b, 14 + 10 + strlen(nd->sub), "boundary",
		    nd->boundary);
		buf_append(b, "\r\n", 2);
		return;
	case MN_TEXT:
		mime_put_text_headers(b, &m->text, "plain", cte);
		return;
	case MN_HTML:
		mime_put_text_headers(b, &m->html, "html", cte);
		return;
	default:
		break;
	}
	type = a->content_type != NULL ? a->content_type :
	    mime_type_for(a->filename);
	*cte = mime_att_cte(a);
	buf_printf(b, "Content-Type: %s", type);
	used = 14 + strlen(type);
	if (a->filename != NULL)
		(void)mime_put_param(b, used, "name", a->filename);
	buf_printf(b, "\r\nContent-Transfer-Encoding: %s\r\n",
	    *cte == 0 ? "7bit" : *cte == 1 ? "quoted-printable" : "base64");
	disp = a->disposition != NULL &&
	    strcasecmp(a->disposition, "inline") == 0 ? "inline" :
	    "attachment";
	buf_printf(b, "Content-Disposition: %s", disp);
	if (a->filename != NULL)
		(void)mime_put_param(b, 21 + strlen(disp), "filename",
		    a->filename);
	buf_append(b, "\r\n", 2);
	if (a->content_id != NULL && a->content_id[0] != '\0')
		buf_printf(b, a->content_id[0] == '<' ? "Content-ID: %s\r\n" :
		    "Content-ID: <%s>\r\n", a->content_id);
	if (a->description != NULL) {
		buf_puts(b, "Content-Description: ");
		mime_encode_text(b, a->description, strlen(a->description),
		    "UTF-8", 0);
		buf_append(b, "\r\n", 2);
	}
}

static void
mime_put_node_body(struct buf *b, const struct mime_node *nd,
    const struct mime_simple *m, int cte)
{
	size_t i;

	switch (nd->kind) {
	case MN_MULTI:
		/* AWS: JavaMail's MimeMultipart.writeTo */
		for (i = 0; i < nd->nkids; i++) {
			int kcte;

			buf_printf(b, "--%s\r\n", nd->boundary);
			mime_put_node_headers(b, nd->kids[i], m, &kcte);
			buf_append(b, "\r\n", 2);
			mime_put_node_body(b, nd->kids[i], m, kcte);
			buf_append(b, "\r\n", 2);
		}
		buf_printf(b, "--%s--\r\n", nd->boundary);
		return;
	case MN_TEXT:
		mime_put_text_body(b, &m->text, cte);
		return;
	case MN_HTML:
		mime_put_text_body(b, &m->html, cte);
		return;
	default:
		break;
	}
	if (cte == 0) {
		mime_put_crlf(b, (const char *)nd->att->data, nd->att->len);
	} else if (cte == 1) {
		const char *t = nd->att->content_type;

		mime_qp_encode(b, nd->att->data, nd->att->len,
		    strncasecmp(t ? t : mime_type_for(nd->att->filename),
		    "text/", 5) == 0 ? MIME_QP_TEXT : 0, "\r\n");
	} else {
		mime_b64_encode(b, nd->att->data, nd->att->len, "\r\n");
	}
}

/*
 * AWS: JavaMail's UniqueValue boundary "----=_Part_<n>_<hash>.<ms>" with a
 * process-wide counter n and an identity hash; here both come from the
 * seed so tests can fix them.
 */
static void
mime_boundary(struct mime_build_ctx *c, struct mime_node *nd)
{
	uint64_t h = mime_mix(c->seed + c->counter);
	int64_t ms = c->m->date_ms > 0 ? c->m->date_ms : 0;

	snprintf(nd->boundary, sizeof(nd->boundary),
	    "----=_Part_%u_%u.%lld",
	    (unsigned)(mime_mix(c->seed) % 1000000u) + c->counter,
	    (unsigned)(h % 2147483647u), (long long)ms);
	c->counter++;
}

static struct mime_node *
mime_node_multi(struct mime_node *pool, size_t *np, const char *sub)
{
	struct mime_node *nd = &pool[(*np)++];

	memset(nd, 0, sizeof(*nd));
	nd->kind = MN_MULTI;
	nd->sub = sub;
	return nd;
}

static void
mime_node_add(struct mime_node *parent, struct mime_node *kid)
{
	parent->kids = xrealloc(parent->kids, (parent->nkids + 1) *
	    sizeof(*parent->kids));
	parent->kids[parent->nkids++] = kid;
}

/* Boundaries in pre-order, so the outermost has the lowest counter. */
static void
mime_node_boundaries(struct mime_build_ctx *c, struct mime_node *nd)
{
	size_t i;

	if (nd->kind != MN_MULTI)
		return;
	mime_boundary(c, nd);
	for (i = 0; i < nd->nkids; i++)
		mime_node_boundaries(c, nd->kids[i]);
}

static int
mime_att_related(const struct mime_attachment *a)
{
	return a->disposition != NULL &&
	    strcasecmp(a->disposition, "inline") == 0 &&
	    a->content_id != NULL && a->content_id[0] != '\0';
}

char *
mime_build(const struct mime_simple *m, size_t *len)
{
	struct mime_node *pool, *text = NULL, *html = NULL, *body, *root;
	struct mime_build_ctx ctx = { m, 0, m->boundary_seed };
	size_t np = 0, i, nrel = 0, nmix = 0;
	struct buf b;
	int cte;

	pool = xcalloc(m->nattachments + 6, sizeof(*pool));
	if (m->text.data != NULL || m->html.data == NULL) {
		text = &pool[np++];
		text->kind = MN_TEXT;
	}
	if (m->html.data != NULL) {
		html = &pool[np++];
		html->kind = MN_HTML;
	}
	for (i = 0; i < m->nattachments; i++) {
		if (html != NULL && mime_att_related(&m->attachments[i]))
			nrel++;
		else
			nmix++;
	}
	if (nrel > 0) {		/* html → related{html, inline...} */
		struct mime_node *rel = mime_node_multi(pool, &np, "related");

		mime_node_add(rel, html);
		for (i = 0; i < m->nattachments; i++) {
			if (!mime_att_related(&m->attachments[i]))
				continue;
			pool[np].kind = MN_ATT;
			pool[np].att = &m->attachments[i];
			mime_node_add(rel, &pool[np++]);
		}
		html = rel;
	}
	if (text != NULL && html != NULL) {
		body = mime_node_multi(pool, &np, "alternative");
		mime_node_add(body, text);
		mime_node_add(body, html);
	} else {
		body = text != NULL ? text : html;
	}
	root = body;
	if (nmix > 0) {
		root = mime_node_multi(pool, &np, "mixed");
		mime_node_add(root, body);
		for (i = 0; i < m->nattachments; i++) {
			if (html != NULL && mime_att_related(&m->attachments[i]))
				continue;
			pool[np].kind = MN_ATT;
			pool[np].att = &m->attachments[i];
			mime_node_add(root, &pool[np++]);
		}
	}
	mime_node_boundaries(&ctx, root);

	/* AWS: JavaMail's InternetHeaders order (Date, From, Reply-To, To,
	 * Cc, Message-ID, Subject, MIME-Version, Content-*), as in mail SES
	 * builds itself (e.g. its DMARC reports). */
	buf_init(&b);
	if (m->date_ms > 0)
		mime_put_date(&b, m->date_ms);
	if (m->from != NULL)
		mime_put_address_header(&b, "From", &m->from, 1);
	mime_put_address_header(&b, "Reply-To", m->reply_to, m->nreply_to);
	mime_put_address_header(&b, "To", m->to, m->nto);
	mime_put_address_header(&b, "Cc", m->cc, m->ncc);
	if (m->message_id != NULL)
		buf_printf(&b, "Message-ID: %s\r\n", m->message_id);
	if (m->subject.data != NULL) {
		struct buf s;

		buf_init(&s);
		mime_encode_text(&s, m->subject.data, m->subject.len,
		    m->subject.charset != NULL ? m->subject.charset : "UTF-8",
		    0);
		buf_puts(&b, "Subject: ");
		mime_fold(&b, 9, s.data != NULL ? s.data : "", s.len);
		buf_append(&b, "\r\n", 2);
		buf_fini(&s);
	}
	buf_puts(&b, "MIME-Version: 1.0\r\n");
	mime_put_node_headers(&b, root, m, &cte);
	for (i = 0; i < m->nheaders; i++)
		buf_printf(&b, "%s: %s\r\n", m->headers[i].name,
		    m->headers[i].value);
	buf_append(&b, "\r\n", 2);
	mime_put_node_body(&b, root, m, cte);
	if (root->kind != MN_MULTI && b.len >= 2 &&
	    memcmp(b.data + b.len - 2, "\r\n", 2) != 0)
		buf_append(&b, "\r\n", 2);
	for (i = 0; i < np; i++)
		free(pool[i].kids);
	free(pool);
	return buf_steal(&b, len);
}

/* ------------------------------------------------------------------ */
/* parsing                                                             */

struct mime_hdr {
	char *name;
	char *value;		/* unfolded */
	size_t off, len;	/* raw bytes (with line ends); len 0 = set */
	size_t voff, vlen;	/* raw value after the colon */
};

struct mime_leaf {
	char *type;		/* lower-case */
	char *charset, *filename, *disposition, *cte;
	char *content_id;	/* without <>, or NULL */
	size_t off, len;	/* encoded body in raw */
};

struct mime_msg {
	char *raw;
	size_t rawlen;
	size_t body;		/* offset of the separator line */
	const char *eol;	/* "\r\n" or "\n" for new headers */
	struct mime_hdr *h;
	size_t nh, caph;
	struct mime_leaf *leaf;
	size_t nleaf, capleaf;
};

/* End of the line at p (pointer to its first EOL byte or end). */
static const char *
mime_eol(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	if (nl == NULL)
		return end;
	return nl > p && nl[-1] == '\r' ? nl - 1 : nl;
}

/* Start of the line after the one ending at e. */
static const char *
mime_next_line(const char *e, const char *end)
{
	if (e < end && *e == '\r')
		e++;
	if (e < end && *e == '\n')
		e++;
	return e;
}

/*
 * AWS: JavaMail's MimeUtility.unfold: each line break with the blanks
 * after it becomes one space. Also drops the blanks after the colon.
 */
static char *
mime_unfold(const char *p, size_t n)
{
	struct buf b;
	size_t i = 0;

	while (i < n && (mime_is_wsp(p[i]) || p[i] == '\r' || p[i] == '\n'))
		i++;
	buf_init(&b);
	for (; i < n; i++) {
		if (p[i] == '\r' || p[i] == '\n') {
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			while (i + 1 < n && mime_is_wsp(p[i + 1]))
				i++;
			buf_putc(&b, ' ');
			continue;
		}
		buf_putc(&b, p[i]);
	}
	return buf_steal(&b, NULL);
}

typedef void (*mime_hdr_fn)(void *arg, const char *name, size_t nlen,
    const char *val, size_t vlen, size_t off, size_t len);

/*
 * Walks the header block at [p, end): calls fn for each header (a line
 * without a colon is a header named by the whole line, JavaMail's way).
 * Returns the start of the body (after the blank line) or end.
 */
static const char *
mime_headers_walk(const char *base, const char *p, const char *end,
    mime_hdr_fn fn, void *arg, const char **sep)
{
	*sep = end;
	while (p < end) {
		const char *e = mime_eol(p, end), *hs = p, *colon, *ve;

		if (e == p) {	/* blank line */
			*sep = p;
			return mime_next_line(e, end);
		}
		/* continuation lines */
		ve = e;
		p = mime_next_line(e, end);
		while (p < end && mime_is_wsp(*p)) {
			ve = mime_eol(p, end);
			p = mime_next_line(ve, end);
		}
		colon = memchr(hs, ':', (size_t)(e - hs));
		if (colon != NULL) {
			const char *ne = colon;

			while (ne > hs && mime_is_wsp(ne[-1]))
				ne--;
			fn(arg, hs, (size_t)(ne - hs), colon + 1,
			    (size_t)(ve - colon - 1), (size_t)(hs - base),
			    (size_t)(p - hs));
		} else {
			const char *a = hs, *z = e;

			while (a < z && mime_is_wsp(*a))
				a++;
			while (z > a && mime_is_wsp(z[-1]))
				z--;
			fn(arg, a, (size_t)(z - a), e, 0,
			    (size_t)(hs - base), (size_t)(p - hs));
		}
	}
	return end;
}

static void
mime_top_hdr(void *arg, const char *name, size_t nlen, const char *val,
    size_t vlen, size_t off, size_t len)
{
	struct mime_msg *m = arg;

	if (m->nh == m->caph) {
		m->caph = m->caph ? m->caph * 2 : 16;
		m->h = xrealloc(m->h, m->caph * sizeof(*m->h));
	}
	m->h[m->nh].name = xstrndup(name, nlen);
	m->h[m->nh].value = mime_unfold(val, vlen);
	m->h[m->nh].off = off;
	m->h[m->nh].len = len;
	m->h[m->nh].voff = (size_t)(val - m->raw);
	m->h[m->nh].vlen = vlen;
	m->nh++;
}

/* The few headers a part needs, first occurrence each (borrowed spans). */
struct mime_part_hdrs {
	const char *ct, *cd, *cte, *cid;
	size_t ctl, cdl, ctel, cidl;
};

static void
mime_part_hdr(void *arg, const char *name, size_t nlen, const char *val,
    size_t vlen, size_t off, size_t len)
{
	struct mime_part_hdrs *ph = arg;

	(void)off;
	(void)len;
	if (nlen == 12 && strncasecmp(name, "Content-Type", 12) == 0 &&
	    ph->ct == NULL) {
		ph->ct = val;
		ph->ctl = vlen;
	} else if (nlen == 19 &&
	    strncasecmp(name, "Content-Disposition", 19) == 0 &&
	    ph->cd == NULL) {
		ph->cd = val;
		ph->cdl = vlen;
	} else if (nlen == 25 &&
	    strncasecmp(name, "Content-Transfer-Encoding", 25) == 0 &&
	    ph->cte == NULL) {
		ph->cte = val;
		ph->ctel = vlen;
	} else if (nlen == 10 && strncasecmp(name, "Content-ID", 10) == 0 &&
	    ph->cid == NULL) {
		ph->cid = val;
		ph->cidl = vlen;
	}
}

/* A Content-ID value without its blanks and angle brackets (new), or NULL
 * when empty. */
static char *
mime_content_id(const char *v, size_t n)
{
	while (n > 0 && (mime_is_wsp(*v) || *v == '\r' || *v == '\n')) {
		v++;
		n--;
	}
	while (n > 0 && (mime_is_wsp(v[n - 1]) || v[n - 1] == '\r' ||
	    v[n - 1] == '\n'))
		n--;
	if (n >= 2 && v[0] == '<' && v[n - 1] == '>') {
		v++;
		n -= 2;
	}
	return n > 0 ? xstrndup(v, n) : NULL;
}

/*
 * AWS: headers SES allows once in a message (Developer Guide, "Amazon SES
 * header fields"); a second one is "Duplicate header 'Name'.".
 */
static const char *const mime_unique_headers[] = {
	"Accept-Language", "acceptLanguage", "Archived-At", "Auto-Submitted",
	"Bounces-to", "Comments", "Content-Alternative", "Content-Base",
	"Content-Class", "Content-Description", "Content-Disposition",
	"Content-Duration", "Content-ID", "Content-Language",
	"Content-Length", "Content-Location", "Content-MD5",
	"Content-Transfer-Encoding", "Content-Type", "Date", "Delivered-To",
	"Disposition-Notification-Options", "Disposition-Notification-To",
	"DKIM-Signature", "DomainKey-Signature", "Errors-To", "From",
	"Importance", "In-Reply-To", "Keywords", "List-Archive", "List-Help",
	"List-Id", "List-Owner", "List-Post", "List-Subscribe",
	"List-Unsubscribe", "List-Unsubscribe-Post", "Message-Context",
	"Message-ID", "MIME-Version", "Organization", "Original-From",
	"Original-Message-ID", "Original-Recipient", "Original-Subject",
	"Precedence", "Priority", "References", "Reply-To", "Return-Path",
	"Return-Receipt-To", "Sender", "Solicitation", "Sensitivity",
	"Subject", "Thread-Index", "Thread-Topic", "User-Agent", "VBR-Info",
};

#define MIME_NUNIQUE (sizeof(mime_unique_headers) / \
	sizeof(mime_unique_headers[0]))

/* Index of name in mime_unique_headers, or -1. */
static int
mime_unique_index(const char *name)
{
	size_t k;

	/* "acceptLanguage" differs from Accept-Language by the dash, so
	 * case-insensitive comparison is exact. */
	for (k = 0; k < MIME_NUNIQUE; k++)
		if (strcasecmp(name, mime_unique_headers[k]) == 0)
			return (int)k;
	return -1;
}

const char *
mime_unique_header(const char *name)
{
	int k = name != NULL ? mime_unique_index(name) : -1;

	return k < 0 ? NULL : mime_unique_headers[k];
}

static int
mime_check_duplicates(const struct mime_msg *m,
    char err[MIME_ERROR_MAX_BYTES])
{
	unsigned char seen[MIME_NUNIQUE];
	size_t i;
	int k;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < m->nh; i++) {
		if ((k = mime_unique_index(m->h[i].name)) >= 0 &&
		    seen[k]++) {
			mime_err(err, "Duplicate header '%s'.",
			    mime_unique_headers[k]);
			return -1;
		}
	}
	return 0;
}

/*
 * AWS: a header name is printable ASCII without blanks (RFC 5322 field
 * name); SES answers "Empty header names are illegal." and, naming the
 * text before the colon, "Illegal header '<!DOCTYPE html PUBLIC ...'.".
 * A line with no colon at all is a header named by the whole line, as
 * JavaMail reads it, so it fails the same way when it holds blanks.
 */
static int
mime_check_names(const struct mime_msg *m, char err[MIME_ERROR_MAX_BYTES])
{
	const unsigned char *p;
	size_t i;

	for (i = 0; i < m->nh; i++) {
		if (m->h[i].name[0] == '\0') {
			mime_err(err, "Empty header names are illegal.");
			return -1;
		}
		for (p = (const unsigned char *)m->h[i].name; *p; p++)
			if (*p < 33 || *p > 126) {
				mime_err(err, "Illegal header '%s'.",
				    m->h[i].name);
				return -1;
			}
	}
	return 0;
}

/* Does line [p,e) match "--boundary" (or "--boundary--" when *last)? */
static int
mime_is_boundary(const char *p, const char *e, const char *bd, size_t bl,
    int *last)
{
	while (e > p && mime_is_wsp(e[-1]))
		e--;
	if ((size_t)(e - p) < bl + 2 || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, bd, bl) != 0)
		return 0;
	if ((size_t)(e - p) == bl + 2) {
		*last = 0;
		return 1;
	}
	if ((size_t)(e - p) == bl + 4 && p[bl + 2] == '-' && p[bl + 3] == '-') {
		*last = 1;
		return 1;
	}
	return 0;
}

static int mime_entity(struct mime_msg *m, const char *ct, size_t ctl,
    const char *cd, size_t cdl, const char *cte, size_t ctel, size_t off,
    size_t len, int depth, char err[MIME_ERROR_MAX_BYTES]);

/*
 * AWS: JavaMail's MimeMultipart.parse: the boundary parameter (or, when
 * missing, the first line starting "--"), the preamble skipped, "Missing
 * start boundary" when the first boundary never comes, a missing close
 * delimiter tolerated.
 */
static int
mime_multipart(struct mime_msg *m, const char *boundary, size_t off,
    size_t len, int depth, char err[MIME_ERROR_MAX_BYTES])
{
	const char *p = m->raw + off, *end = p + len, *part = NULL;
	char *found = NULL;
	size_t bl = boundary ? strlen(boundary) : 0;
	int last = 0;

	while (p < end) {
		const char *e = mime_eol(p, end), *next = mime_next_line(e, end);
		int is;

		if (boundary == NULL) {
			const char *z = e;

			while (z > p && mime_is_wsp(z[-1]))
				z--;
			if (z - p > 2 && p[0] == '-' && p[1] == '-' &&
			    !(z[-1] == '-' && z[-2] == '-')) {
				found = xstrndup(p + 2, (size_t)(z - p - 2));
				boundary = found;
				bl = strlen(found);
			}
		}
		is = boundary != NULL && mime_is_boundary(p, e, boundary, bl,
		    &last);
		if (is) {
			if (part != NULL) {
				/* the line break before a boundary is its own */
				const char *pe = p;

				if (pe > part && pe[-1] == '\n')
					pe--;
				if (pe > part && pe[-1] == '\r')
					pe--;
				if (pe < part)
					pe = part;
				if (mime_entity(m, NULL, 0, NULL, 0, NULL, 0,
				    (size_t)(part - m->raw),
				    (size_t)(pe - part), depth + 1, err) != 0)
					goto fail;
			}
			part = next;
			if (last)
				break;
		}
		p = next;
	}
	if (part == NULL) {
		mime_err(err, "Missing start boundary");
		goto fail;
	}
	if (!last && part < end &&
	    mime_entity(m, NULL, 0, NULL, 0, NULL, 0, (size_t)(part - m->raw),
	    (size_t)(end - part), depth + 1, err) != 0)
		goto fail;
	free(found);
	return 0;
fail:
	free(found);
	return -1;
}

/*
 * One entity: either the message body (headers given) or a body part
 * at [off, off+len) whose own headers come first.
 */
static int
mime_entity(struct mime_msg *m, const char *ct, size_t ctl, const char *cd,
    size_t cdl, const char *cte, size_t ctel, size_t off, size_t len,
    int depth, char err[MIME_ERROR_MAX_BYTES])
{
	struct mime_params ctp = { .n = 0 }, cdp = { .n = 0 };
	char *type = NULL, *disp = NULL, *v = NULL, *bd = NULL;
	struct mime_leaf *lf;
	const char *cid = NULL;
	size_t cidl = 0;
	int rc = -1;

	if (depth > MIME_DEPTH_MAX) {
		mime_err(err, "Maximum MIME nesting depth exceeded");
		return -1;
	}
	if (depth > 0) {	/* a body part: its headers first */
		struct mime_part_hdrs ph = { 0 };
		const char *sep, *body;

		body = mime_headers_walk(m->raw, m->raw + off,
		    m->raw + off + len, mime_part_hdr, &ph, &sep);
		ct = ph.ct;
		ctl = ph.ctl;
		cd = ph.cd;
		cdl = ph.cdl;
		cte = ph.cte;
		ctel = ph.ctel;
		cid = ph.cid;
		cidl = ph.cidl;
		len -= (size_t)(body - (m->raw + off));
		off = (size_t)(body - m->raw);
	}
	if (ct != NULL) {
		v = mime_unfold(ct, ctl);
		if (mime_ctype_parse(v, &type, &ctp, err) != 0)
			goto out;
		free(v);
		v = NULL;
	} else {
		type = xstrdup("text/plain");
	}
	if (depth == 0 && (cid = mime_header_get(m, "Content-ID")) != NULL)
		cidl = strlen(cid);
	if (cd != NULL) {
		v = mime_unfold(cd, cdl);
		if (mime_cdisp_parse(v, &disp, &cdp, err) != 0)
			goto out;
		free(v);
		v = NULL;
	}
	if (strncmp(type, "multipart/", 10) == 0) {
		bd = mime_param_get(&ctp, "boundary");
		rc = mime_multipart(m, bd, off, len, depth, err);
		goto out;
	}
	if (m->nleaf == m->capleaf) {
		m->capleaf = m->capleaf ? m->capleaf * 2 : 4;
		m->leaf = xrealloc(m->leaf, m->capleaf * sizeof(*m->leaf));
	}
	lf = &m->leaf[m->nleaf++];
	lf->type = type;
	type = NULL;
	lf->charset = mime_param_get(&ctp, "charset");
	lf->filename = mime_param_get(&cdp, "filename");
	if (lf->filename == NULL)
		lf->filename = mime_param_get(&ctp, "name");
	lf->disposition = disp;
	disp = NULL;
	lf->cte = cte != NULL ? mime_unfold(cte, ctel) : NULL;
	lf->content_id = NULL;
	if (cid != NULL) {
		v = mime_unfold(cid, cidl);
		lf->content_id = mime_content_id(v, strlen(v));
		free(v);
		v = NULL;
	}
	lf->off = off;
	lf->len = len;
	rc = 0;
out:
	free(v);
	free(type);
	free(disp);
	free(bd);
	mime_params_fini(&ctp);
	mime_params_fini(&cdp);
	return rc;
}

void
mime_msg_free(struct mime_msg *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nh; i++) {
		free(m->h[i].name);
		free(m->h[i].value);
	}
	for (i = 0; i < m->nleaf; i++) {
		free(m->leaf[i].type);
		free(m->leaf[i].charset);
		free(m->leaf[i].filename);
		free(m->leaf[i].disposition);
		free(m->leaf[i].cte);
		free(m->leaf[i].content_id);
	}
	free(m->h);
	free(m->leaf);
	free(m->raw);
	free(m);
}

struct mime_msg *
mime_parse(const char *raw, size_t len, char err[MIME_ERROR_MAX_BYTES])
{
	struct mime_msg *m = xcalloc(1, sizeof(*m));
	const char *body, *sep, *ct = NULL, *cd = NULL, *cte = NULL;
	const char *nl;
	size_t ctl = 0, cdl = 0, ctel = 0, i;

	err[0] = '\0';
	m->raw = xmalloc(len + 1);
	memcpy(m->raw, raw, len);
	m->raw[len] = '\0';
	m->rawlen = len;
	nl = memchr(m->raw, '\n', len);
	m->eol = nl != NULL && nl > m->raw && nl[-1] == '\r' ? "\r\n" :
	    nl != NULL ? "\n" : "\r\n";
	body = mime_headers_walk(m->raw, m->raw, m->raw + len, mime_top_hdr,
	    m, &sep);
	m->body = (size_t)(sep - m->raw);
	if (mime_check_names(m, err) != 0 ||
	    mime_check_duplicates(m, err) != 0)
		goto fail;
	if (len == 0)
		return m;
	for (i = 0; i < m->nh; i++) {
		const char *n = m->h[i].name, *v = m->raw + m->h[i].voff;
		size_t vl = m->h[i].vlen;

		if (strcasecmp(n, "Content-Type") == 0 && ct == NULL) {
			ct = v;
			ctl = vl;
		} else if (strcasecmp(n, "Content-Disposition") == 0 &&
		    cd == NULL) {
			cd = v;
			cdl = vl;
		} else if (strcasecmp(n, "Content-Transfer-Encoding") == 0 &&
		    cte == NULL) {
			cte = v;
			ctel = vl;
		}
	}
	if (mime_entity(m, ct, ctl, cd, cdl, cte, ctel,
	    (size_t)(body - m->raw), len - (size_t)(body - m->raw), 0,
	    err) != 0)
		goto fail;
	return m;
fail:
	mime_msg_free(m);
	return NULL;
}

/* A header walker that only finds where the header section ends. */
static void
mime_no_hdr(void *arg, const char *name, size_t nlen, const char *val,
    size_t vlen, size_t off, size_t len)
{
	(void)arg;
	(void)name;
	(void)nlen;
	(void)val;
	(void)vlen;
	(void)off;
	(void)len;
}

struct mime_msg *
mime_parse_headers(const char *raw, size_t len)
{
	struct mime_msg *m = xcalloc(1, sizeof(*m));
	const char *sep, *nl;
	size_t hlen;

	if (raw == NULL) {
		raw = "";
		len = 0;
	}
	(void)mime_headers_walk(raw, raw, raw + len, mime_no_hdr, NULL, &sep);
	hlen = (size_t)(sep - raw);
	m->raw = xmalloc(hlen + 1);
	if (hlen > 0)
		memcpy(m->raw, raw, hlen);
	m->raw[hlen] = '\0';
	m->rawlen = hlen;
	nl = memchr(m->raw, '\n', hlen);
	m->eol = nl != NULL && nl > m->raw && nl[-1] == '\r' ? "\r\n" :
	    nl != NULL ? "\n" : "\r\n";
	(void)mime_headers_walk(m->raw, m->raw, m->raw + hlen, mime_top_hdr,
	    m, &sep);
	m->body = hlen;
	return m;
}

size_t
mime_header_count(const struct mime_msg *m)
{
	return m->nh;
}

const char *
mime_header_name(const struct mime_msg *m, size_t i)
{
	return i < m->nh ? m->h[i].name : NULL;
}

const char *
mime_header_value(const struct mime_msg *m, size_t i)
{
	return i < m->nh ? m->h[i].value : NULL;
}

const char *
mime_header_get(const struct mime_msg *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nh; i++)
		if (strcasecmp(m->h[i].name, name) == 0)
			return m->h[i].value;
	return NULL;
}

void
mime_header_remove(struct mime_msg *m, const char *name)
{
	size_t i, o = 0;

	for (i = 0; i < m->nh; i++) {
		if (strcasecmp(m->h[i].name, name) == 0) {
			free(m->h[i].name);
			free(m->h[i].value);
			continue;
		}
		m->h[o++] = m->h[i];
	}
	m->nh = o;
}

void
mime_header_set(struct mime_msg *m, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < m->nh; i++) {
		if (strcasecmp(m->h[i].name, name) != 0)
			continue;
		free(m->h[i].name);
		free(m->h[i].value);
		m->h[i].name = xstrdup(name);
		m->h[i].value = xstrdup(value);
		m->h[i].len = 0;
		for (i++; i < m->nh; i++) {
			if (strcasecmp(m->h[i].name, name) == 0) {
				free(m->h[i].name);
				free(m->h[i].value);
				memmove(&m->h[i], &m->h[i + 1],
				    (m->nh - i - 1) * sizeof(*m->h));
				m->nh--;
				i--;
			}
		}
		return;
	}
	if (m->nh == m->caph) {
		m->caph = m->caph ? m->caph * 2 : 16;
		m->h = xrealloc(m->h, m->caph * sizeof(*m->h));
	}
	memmove(&m->h[1], &m->h[0], m->nh * sizeof(*m->h));
	m->h[0].name = xstrdup(name);
	m->h[0].value = xstrdup(value);
	m->h[0].off = m->h[0].len = 0;
	m->nh++;
}

void
mime_strip_ses_headers(struct mime_msg *m)
{
	static const char *const ses[] = { "X-SES-CONFIGURATION-SET",
		"X-SES-MESSAGE-TAGS", "X-SES-SOURCE-ARN", "X-SES-FROM-ARN",
		"X-SES-RETURN-PATH-ARN", "X-SES-LIST-MANAGEMENT-OPTIONS" };
	size_t i;

	for (i = 0; i < sizeof(ses) / sizeof(ses[0]); i++)
		mime_header_remove(m, ses[i]);
}

char *
mime_serialize(const struct mime_msg *m, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < m->nh; i++) {
		if (m->h[i].len > 0) {
			buf_append(&b, m->raw + m->h[i].off, m->h[i].len);
			/* a header that ended the input without a line
			 * break gets one when something follows it */
			if (m->raw[m->h[i].off + m->h[i].len - 1] != '\n' &&
			    (i + 1 < m->nh || m->body < m->rawlen))
				buf_puts(&b, m->eol);
		} else {
			buf_printf(&b, "%s: %s%s", m->h[i].name,
			    m->h[i].value, m->eol);
		}
	}
	if (m->body < m->rawlen)
		buf_append(&b, m->raw + m->body, m->rawlen - m->body);
	return buf_steal(&b, len);
}

enum mime_cte {
	MIME_CTE_IDENTITY,	/* 7bit, 8bit, binary, or none given */
	MIME_CTE_QP,
	MIME_CTE_BASE64,
	MIME_CTE_OTHER		/* x-uuencode, a typo, ...: not decoded */
};

/*
 * AWS: JavaMail's getEncoding: the first token of the value, any case, a
 * comment or blanks around it ignored; no header means 7bit.
 */
static enum mime_cte
mime_cte_kind(const char *cte)
{
	static const struct {
		const char *name;
		enum mime_cte kind;
	} names[] = {
		{ "7bit", MIME_CTE_IDENTITY }, { "8bit", MIME_CTE_IDENTITY },
		{ "binary", MIME_CTE_IDENTITY }, { "", MIME_CTE_IDENTITY },
		{ "quoted-printable", MIME_CTE_QP },
		{ "base64", MIME_CTE_BASE64 },
	};
	size_t i, n;

	if (cte == NULL)
		return MIME_CTE_IDENTITY;
	while (mime_is_wsp(*cte))
		cte++;
	n = strcspn(cte, " \t;(");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n &&
		    strncasecmp(cte, names[i].name, n) == 0)
			return names[i].kind;
	return MIME_CTE_OTHER;
}

/* The decoded bytes of a leaf appended to out. */
static void
mime_leaf_decode(const struct mime_msg *m, const struct mime_leaf *lf,
    struct buf *out)
{
	const char *p = m->raw + lf->off;

	switch (mime_cte_kind(lf->cte)) {
	case MIME_CTE_BASE64:
		mime_b64_decode(out, p, lf->len);
		break;
	case MIME_CTE_QP:
		mime_qp_decode(out, p, lf->len, 0);
		break;
	default:
		buf_append(out, p, lf->len);
		break;
	}
}

size_t
mime_leaf_count(const struct mime_msg *m)
{
	return m->nleaf;
}

const char *
mime_leaf_content_id(const struct mime_msg *m, size_t i)
{
	return i < m->nleaf ? m->leaf[i].content_id : NULL;
}

char *
mime_leaf_body(const struct mime_msg *m, size_t i, size_t *len)
{
	struct buf dec;

	buf_init(&dec);
	if (i < m->nleaf)
		mime_leaf_decode(m, &m->leaf[i], &dec);
	return buf_steal(&dec, len);
}

int
mime_contains(const struct mime_msg *m, const char *needle, size_t n)
{
	struct buf dec;
	size_t i;
	int found = 0;

	for (i = 0; i < m->nleaf && !found; i++) {
		buf_init(&dec);
		mime_leaf_decode(m, &m->leaf[i], &dec);
		found = dec.len >= n && memmem(dec.data, dec.len, needle, n) !=
		    NULL;
		buf_fini(&dec);
	}
	return found;
}

/* ------------------------------------------------------------------ */
/* rewriting HTML bodies                                               */

/*
 * Whether text in charset cs keeps ASCII's bytes for what an HTML rewrite
 * reads and writes (tags, attributes, URLs): iconv must read a probe of
 * those characters from cs as the same bytes in UTF-8. That keeps the
 * ISO-8859 family, windows-125x, UTF-8, Shift_JIS, EUC-*, GB18030, Big5,
 * KOI8 and the like, and leaves out UTF-16/32, UCS-2/4, UTF-7 (its '+'
 * opens an escape) and EBCDIC. The probe has no backslash or '~', which
 * JIS-Roman variants map elsewhere; the rewrite only copies those.
 * Stateful 7-bit charsets (ISO-2022-JP) pass: markup is written in their
 * ASCII state.
 * EMU: a charset iconv does not know counts as ASCII-compatible: mail
 * with a made-up or misspelt label is nearly always ASCII-based.
 */
static int
mime_charset_ascii_compatible(const char *cs)
{
	static const char probe[] = " \t\r\n!\"#$%&'()*+,-./0123456789:;<=>?@"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}";
	iconv_t cd;
	char *out;
	size_t outlen;
	int same;

	if (cs == NULL || mime_is_utf8_name(cs) ||
	    strcasecmp(cs, "us-ascii") == 0)
		return 1;
	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
		return 1;
	iconv_close(cd);
	if (mime_iconv("UTF-8", cs, probe, sizeof(probe) - 1, &out,
	    &outlen) != 0)
		return 0;
	same = outlen == sizeof(probe) - 1 && memcmp(out, probe, outlen) == 0;
	free(out);
	return same;
}

/* The line break a leaf's body uses (its first one), else m's. */
static const char *
mime_leaf_eol(const struct mime_msg *m, const struct mime_leaf *lf)
{
	const char *p = m->raw + lf->off;
	const char *nl = memchr(p, '\n', lf->len);

	if (nl == NULL)
		return m->eol;
	return nl > p && nl[-1] == '\r' ? "\r\n" : "\n";
}

/*
 * The new encoded body of leaf lf (new, length in *len), or NULL when it
 * is not rewritten: see mime_html_rewrite.
 */
static char *
mime_leaf_rewrite(const struct mime_msg *m, const struct mime_leaf *lf,
    mime_html_fn fn, void *arg, size_t *len)
{
	const char *raw = m->raw + lf->off, *eol, *tail = "";
	enum mime_cte kind = mime_cte_kind(lf->cte);
	struct buf dec, enc;
	char *html = NULL;
	size_t n, hlen = 0;

	/* EMU: SES says HTML is tracked and nothing of attachments; an
	 * attached .html file is a file the recipient saves, not the body
	 * they read, so it keeps its bytes (a file name alone does not make
	 * a part an attachment). */
	if (strcmp(lf->type, "text/html") != 0 || kind == MIME_CTE_OTHER ||
	    (lf->disposition != NULL &&
	    strcmp(lf->disposition, "attachment") == 0) ||
	    !mime_charset_ascii_compatible(lf->charset))
		return NULL;
	buf_init(&dec);
	buf_init(&enc);
	mime_leaf_decode(m, lf, &dec);
	if (dec.data == NULL)
		buf_append(&dec, "", 0);
	/* The text's last line break stays last, after what fn adds. */
	n = dec.len;
	if (n > 0 && dec.data[n - 1] == '\n') {
		n--;
		tail = "\n";
		if (n > 0 && dec.data[n - 1] == '\r') {
			n--;
			tail = "\r\n";
		}
	}
	dec.data[n] = '\0';
	if ((html = fn(arg, dec.data, n, &hlen)) == NULL ||
	    (hlen == n && memcmp(html, dec.data, n) == 0))
		goto out;
	buf_append(&enc, "", 0);
	eol = mime_leaf_eol(m, lf);
	switch (kind) {
	case MIME_CTE_BASE64: {
		struct buf text;

		buf_init(&text);
		buf_append(&text, html, hlen);
		buf_puts(&text, tail);
		mime_b64_encode(&enc, (const unsigned char *)text.data,
		    text.len, eol);
		buf_fini(&text);
		/* the encoded lines end as the old ones did */
		if (lf->len > 0 && raw[lf->len - 1] == '\n')
			buf_puts(&enc, eol);
		break;
	}
	case MIME_CTE_QP:
		mime_qp_encode(&enc, (const unsigned char *)html, hlen,
		    MIME_QP_TEXT | MIME_QP_GUARD, eol);
		if (*tail != '\0')
			buf_puts(&enc, eol);
		break;
	default:
		buf_append(&enc, html, hlen);
		buf_puts(&enc, tail);
		break;
	}
	free(html);
	buf_fini(&dec);
	return buf_steal(&enc, len);
out:
	free(html);
	buf_fini(&dec);
	buf_fini(&enc);
	return NULL;
}

size_t
mime_html_rewrite(struct mime_msg *m, mime_html_fn fn, void *arg)
{
	char **bodies = xcalloc(m->nleaf + 1, sizeof(*bodies));
	size_t *lens = xcalloc(m->nleaf + 1, sizeof(*lens));
	size_t i, from = 0, done = 0;
	struct buf raw;

	for (i = 0; i < m->nleaf; i++)
		if ((bodies[i] = mime_leaf_rewrite(m, &m->leaf[i], fn, arg,
		    &lens[i])) != NULL)
			done++;
	if (done > 0) {
		/* Leaves come in the order of their bytes: splice the new
		 * bodies in, keep every other byte, move the offsets. */
		buf_init(&raw);
		for (i = 0; i < m->nleaf; i++) {
			struct mime_leaf *lf = &m->leaf[i];

			assert(lf->off >= from && lf->off >= m->body);
			buf_append(&raw, m->raw + from, lf->off - from);
			from = lf->off + lf->len;
			lf->off = raw.len;
			if (bodies[i] != NULL) {
				buf_append(&raw, bodies[i], lens[i]);
				lf->len = lens[i];
			} else {
				buf_append(&raw, m->raw + from - lf->len,
				    lf->len);
			}
		}
		buf_append(&raw, m->raw + from, m->rawlen - from);
		free(m->raw);
		m->raw = buf_steal(&raw, &m->rawlen);
	}
	for (i = 0; i < m->nleaf; i++)
		free(bodies[i]);
	free(bodies);
	free(lens);
	return done;
}

/* A JSON string of s[0..n), bytes that are not UTF-8 as U+FFFD. */
static json_t *
mime_json_text(const char *s, size_t n)
{
	struct buf b;
	json_t *j;
	size_t i;

	if (wire_utf8_valid(s, n))
		return json_stringn(s, n);
	buf_init(&b);
	for (i = 0; i < n;) {
		size_t cl = mime_utf8_len((unsigned char)s[i]);

		if (s[i] != '\0' && (cl > 1 || (unsigned char)s[i] < 0x80) &&
		    i + cl <= n && wire_utf8_valid(s + i, cl)) {
			buf_append(&b, s + i, cl);
			i += cl;
		} else {
			buf_puts(&b, "\xef\xbf\xbd");
			i++;
		}
	}
	j = json_stringn(b.data ? b.data : "", b.len);
	buf_fini(&b);
	return j;
}

static json_t *
mime_json_str(const char *s)
{
	return s != NULL ? mime_json_text(s, strlen(s)) : json_null();
}

json_t *
mime_summary(const struct mime_msg *m)
{
	json_t *headers = json_array(), *parts = json_array();
	size_t i;

	for (i = 0; i < m->nh; i++)
		json_array_append_new(headers, json_pack("{s:o,s:o}", "name",
		    mime_json_str(m->h[i].name), "value",
		    mime_json_str(m->h[i].value)));
	for (i = 0; i < m->nleaf; i++) {
		const struct mime_leaf *lf = &m->leaf[i];
		struct buf dec;
		json_t *p;

		buf_init(&dec);
		mime_leaf_decode(m, lf, &dec);
		p = json_pack("{s:o,s:o,s:o,s:o,s:I}", "content_type",
		    mime_json_str(lf->type), "charset", mime_json_str(lf->charset),
		    "filename", mime_json_str(lf->filename), "disposition",
		    mime_json_str(lf->disposition), "size",
		    (json_int_t)dec.len);
		if (strncmp(lf->type, "text/", 5) == 0) {
			struct buf u;

			buf_init(&u);
			mime_to_utf8(&u, lf->charset, dec.data ? dec.data : "",
			    dec.len);
			json_object_set_new(p, "text", mime_json_text(u.data ?
			    u.data : "", u.len));
			buf_fini(&u);
		}
		buf_fini(&dec);
		json_array_append_new(parts, p);
	}
	return json_pack("{s:o,s:o}", "headers", headers, "parts", parts);
}
