/*
 * fbr — inbound feedback reports (DSN, ARF) into a struct (see fbr.h).
 *
 * A small splitter of its own rather than mime_parse: that one answers
 * SES's and JavaMail's errors (duplicate headers, ...) for mail being sent,
 * where a report from a remote server needs only its top level split and
 * two parts read, with errors of its own.
 *
 * Input is never read as a C string: lines are found with memchr, so NUL
 * bytes are data. Values are copied out (unfolded, capped) before any
 * string function looks at them.
 */
#include "fbr.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "xmem.h"

#define FBR_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void
fbr_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fbr_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* s for an error line: printable ASCII but '"' (else '?'), cut. */
static void
fbr_quote(const char *s, char out[FBR_QUOTE_MAX_BYTES + 4])
{
	size_t i;

	for (i = 0; i < FBR_QUOTE_MAX_BYTES && s[i] != '\0'; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' ? s[i] :
		    '?';
	if (s[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

static int
fbr_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static char
fbr_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ------------------------------------------------------------------ */
/* lines and fields                                                    */

/* The line at p: returns where the next one starts (after its LF, or
 * end); *eol is where its text ends (before CR LF or LF). */
static const char *
fbr_line(const char *p, const char *end, const char **eol)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));

	if (lf == NULL) {
		*eol = end;
		return end;
	}
	*eol = lf > p && lf[-1] == '\r' ? lf - 1 : lf;
	return lf + 1;
}

/* Length of the field name in [p, colon), blanks before the colon
 * dropped; 0 when it is not a name (empty, blanks or controls in it). */
static size_t
fbr_name_len(const char *p, const char *colon)
{
	const char *e = colon, *q;

	while (e > p && fbr_is_wsp(e[-1]))
		e--;
	for (q = p; q < e; q++)
		if ((unsigned char)*q <= ' ' || *q == 0x7f)
			return 0;
	return (size_t)(e - p);
}

/*
 * RFC 5322 unfolding of the raw value [p, end) (line breaks included),
 * as a new string: each line break with the blanks around it becomes one
 * space, the value is trimmed and cut at FBR_FIELD_MAX_BYTES. Copying
 * stops one byte past the cap, which is enough to trim and cut right.
 */
static char *
fbr_unfold(const char *p, const char *end)
{
	char v[FBR_FIELD_MAX_BYTES + 1];
	size_t n = 0;

	while (p < end && (fbr_is_wsp(*p) || *p == '\r' || *p == '\n'))
		p++;
	for (; p < end && n < sizeof(v); p++) {
		if (*p == '\r' && p + 1 < end && p[1] == '\n')
			continue;
		if (*p != '\n') {
			v[n++] = *p;
			continue;
		}
		while (n > 0 && fbr_is_wsp(v[n - 1]))
			n--;
		while (p + 1 < end && fbr_is_wsp(p[1]))
			p++;
		v[n++] = ' ';
	}
	while (n > 0 && fbr_is_wsp(v[n - 1]))
		n--;
	if (n > FBR_FIELD_MAX_BYTES)
		n = FBR_FIELD_MAX_BYTES;
	return xstrndup(v, n);
}

/* Called for each field: its name [name, name + nlen) and raw value
 * [val, vend) (after the colon, continuation lines included). */
typedef void (*fbr_field_fn)(void *arg, const char *name, size_t nlen,
    const char *val, const char *vend);

/*
 * Walks the fields of the block at [p, end), up to its first empty line:
 * a field is a "name: value" line and the lines starting with a blank
 * after it. Other lines are skipped. Returns where the next block starts
 * (after the empty line), or end.
 */
static const char *
fbr_fields(const char *p, const char *end, fbr_field_fn fn, void *arg)
{
	const char *name = NULL, *val = NULL, *vend = NULL, *eol, *next;
	const char *colon;
	size_t nlen = 0;

	while (p < end) {
		next = fbr_line(p, end, &eol);
		if (eol == p) {
			p = next;
			break;
		}
		if (fbr_is_wsp(*p)) {
			if (name != NULL)
				vend = eol;
			p = next;
			continue;
		}
		if (name != NULL)
			fn(arg, name, nlen, val, vend);
		name = NULL;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon != NULL && (nlen = fbr_name_len(p, colon)) > 0) {
			name = p;
			val = colon + 1;
			vend = eol;
		}
		p = next;
	}
	if (name != NULL)
		fn(arg, name, nlen, val, vend);
	return p;
}

/* Picks fields out of a block: vals[i] gets the first non-empty value of
 * names[i] (new). */
struct fbr_pick {
	const char *const *names;
	size_t n;
	char **vals;
	size_t seen;		/* fields of any name in the block */
};

/* Index of name in p->names, or p->n. */
static size_t
fbr_pick_index(const struct fbr_pick *p, const char *name, size_t nlen)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strncasecmp(p->names[i], name, nlen) == 0 &&
		    p->names[i][nlen] == '\0')
			return i;
	return p->n;
}

static void
fbr_pick_field(void *arg, const char *name, size_t nlen, const char *val,
    const char *vend)
{
	struct fbr_pick *p = arg;
	size_t i = fbr_pick_index(p, name, nlen);
	char *v;

	p->seen++;
	if (i == p->n || p->vals[i] != NULL)
		return;
	v = fbr_unfold(val, vend);
	if (*v == '\0')
		free(v);
	else
		p->vals[i] = v;
}

static void
fbr_pick_clear(struct fbr_pick *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->vals[i]);
		p->vals[i] = NULL;
	}
	p->seen = 0;
}

/* Takes vals[i] (the caller frees it). */
static char *
fbr_pick_take(struct fbr_pick *p, size_t i)
{
	char *v = p->vals[i];

	p->vals[i] = NULL;
	return v;
}

/* ------------------------------------------------------------------ */
/* values                                                              */

/* Skips blanks and (nested, \-escaped) comments. */
static const char *
fbr_cfws(const char *s)
{
	int depth;

	for (;;) {
		while (fbr_is_wsp(*s))
			s++;
		if (*s != '(')
			return s;
		depth = 0;
		do {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '(')
				depth++;
			else if (*s == ')')
				depth--;
			s++;
		} while (*s != '\0' && depth > 0);
	}
}

/* The first word of v, lower case (new), or NULL when there is none:
 * "Failed (no such user)" -> "failed". */
static char *
fbr_word(const char *v)
{
	const char *s = fbr_cfws(v), *e = s;
	char *w;
	size_t i;

	while (*e != '\0' && !fbr_is_wsp(*e) && *e != '(' && *e != ';' &&
	    *e != ',')
		e++;
	if (e == s)
		return NULL;
	w = xstrndup(s, (size_t)(e - s));
	for (i = 0; w[i] != '\0'; i++)
		w[i] = fbr_lower(w[i]);
	return w;
}

/*
 * The address of an address field (new): "rfc822; <A@b.c>" -> "A@b.c".
 * An address type before ';' is dropped (when it has no '@', '<' or '"');
 * then the text inside the first "<...>" when there is one, else up to
 * the first blank or comment. "<>" gives "".
 */
static char *
fbr_address(const char *v)
{
	const char *semi = strchr(v, ';'), *s = v, *e;

	if (semi != NULL && strcspn(v, "@<\"") > (size_t)(semi - v))
		s = semi + 1;
	s = fbr_cfws(s);
	if ((e = strchr(s, '<')) != NULL) {
		s = e + 1;
		e = s + strcspn(s, ">");
		while (s < e && fbr_is_wsp(*s))
			s++;
		while (e > s && fbr_is_wsp(e[-1]))
			e--;
	} else {
		e = s + strcspn(s, " \t(");
	}
	return xstrndup(s, (size_t)(e - s));
}

/* A Message-ID (new): the text inside "<...>" (or the value when it has
 * no '<'), blanks dropped; NULL when that leaves nothing. */
static char *
fbr_msgid(const char *v)
{
	const char *s = v, *lt = strchr(v, '<');
	size_t n = 0;
	char *id = xmalloc(strlen(v) + 1);

	if (lt != NULL)
		s = lt + 1;
	for (; *s != '\0' && !(lt != NULL && *s == '>'); s++)
		if (!fbr_is_wsp(*s))
			id[n++] = *s;
	id[n] = '\0';
	if (n == 0) {
		free(id);
		return NULL;
	}
	return id;
}

static int
fbr_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * An RFC 3464 Status (new): "5.1.1 (user unknown)" -> "5.1.1". Class 2,
 * 4 or 5, two numbers of 1-3 digits, then the end, a blank or a comment.
 * NULL when v is not that.
 */
static char *
fbr_status(const char *v)
{
	const char *s = fbr_cfws(v), *p = s;
	int k, n;

	if (*p != '2' && *p != '4' && *p != '5')
		return NULL;
	p++;
	for (k = 0; k < 2; k++) {
		if (*p++ != '.')
			return NULL;
		for (n = 0; n < 4 && fbr_is_digit(*p); n++)
			p++;
		if (n == 0 || n > 3)
			return NULL;
	}
	if (*p != '\0' && !fbr_is_wsp(*p) && *p != '(')
		return NULL;
	return xstrndup(s, (size_t)(p - s));
}

/* ------------------------------------------------------------------ */
/* Content-Type                                                        */

static int
fbr_is_token(char c)
{
	return (unsigned char)c > ' ' && c != 0x7f &&
	    strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* Lower-case "type/subtype" of a Content-Type value (new); *params
 * points after it. Broken syntax gives what it gives ("" at worst). */
static char *
fbr_ctype(const char *v, const char **params)
{
	const char *s = fbr_cfws(v), *t = s, *st, *se;
	struct buf b;
	char *type;
	size_t i;

	while (fbr_is_token(*t))
		t++;
	buf_init(&b);
	buf_append(&b, s, (size_t)(t - s));
	s = fbr_cfws(t);
	if (*s == '/') {
		st = fbr_cfws(s + 1);
		for (se = st; fbr_is_token(*se); se++)
			;
		buf_putc(&b, '/');
		buf_append(&b, st, (size_t)(se - st));
		s = se;
	}
	*params = s;
	type = buf_steal(&b, NULL);
	for (i = 0; type[i] != '\0'; i++)
		type[i] = fbr_lower(type[i]);
	return type;
}

/* Past the quoted string at s ('"'), or at the end of the string. */
static const char *
fbr_skip_quoted(const char *s, struct buf *out)
{
	for (s++; *s != '\0' && *s != '"'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		if (out != NULL)
			buf_putc(out, *s);
	}
	return *s == '"' ? s + 1 : s;
}

/*
 * The value of parameter name in params ("; a=b; c=\"d\"", as fbr_ctype
 * leaves it), unquoted (new), or NULL when absent. Junk between
 * parameters is skipped up to the next ';'.
 */
static char *
fbr_param(const char *params, const char *name)
{
	const char *s = params, *a, *ae;
	size_t nlen = strlen(name);
	struct buf b;
	int match;

	for (;;) {
		s = fbr_cfws(s);
		if (*s == '\0')
			return NULL;
		if (*s != ';') {
			while (*s != '\0' && *s != ';')
				s = *s == '"' ? fbr_skip_quoted(s, NULL) :
				    s + 1;
			continue;
		}
		a = fbr_cfws(s + 1);
		for (ae = a; fbr_is_token(*ae); ae++)
			;
		s = fbr_cfws(ae);
		if (*s != '=')
			continue;
		match = (size_t)(ae - a) == nlen &&
		    strncasecmp(a, name, nlen) == 0;
		s = fbr_cfws(s + 1);
		buf_init(&b);
		if (*s == '"') {
			s = fbr_skip_quoted(s, &b);
		} else {
			for (a = s; *s != '\0' && *s != ';' && *s != '(' &&
			    !fbr_is_wsp(*s); s++)
				;
			buf_append(&b, a, (size_t)(s - a));
		}
		if (match)
			return buf_steal(&b, NULL);
		buf_fini(&b);
	}
}

/* ------------------------------------------------------------------ */
/* multipart                                                           */

struct fbr_part {
	const char *p, *end;
};

/* 1 when the line [p, eol) is the delimiter "--bd" (then blanks), 2 when
 * it is the close delimiter "--bd--", else 0. */
static int
fbr_delimiter(const char *p, const char *eol, const char *bd, size_t bl)
{
	const char *r;

	if ((size_t)(eol - p) < bl + 2 || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, bd, bl) != 0)
		return 0;
	r = p + 2 + bl;
	if (eol - r >= 2 && r[0] == '-' && r[1] == '-')
		return 2;
	while (r < eol && fbr_is_wsp(*r))
		r++;
	return r == eol ? 1 : 0;
}

/*
 * Splits the multipart body [p, end) with boundary bd into *parts (new
 * array, *n of them; each part's headers and body, without the line
 * break before the next delimiter). Preamble and epilogue are dropped,
 * and so are the parts after the first FBR_PARTS_MAX.
 */
static int
fbr_split(const char *p, const char *end, const char *bd,
    struct fbr_part **parts, size_t *n, char *err, size_t errlen)
{
	size_t bl = strlen(bd), cap = 0;
	const char *start = NULL, *eol, *next, *q;
	int kind;

	*parts = NULL;
	*n = 0;
	while (p < end) {
		next = fbr_line(p, end, &eol);
		kind = fbr_delimiter(p, eol, bd, bl);
		if (kind != 0 && start != NULL) {
			q = p;
			if (q > start && q[-1] == '\n')
				q--;
			if (q > start && q[-1] == '\r')
				q--;
			if (*n == cap && cap < FBR_PARTS_MAX) {
				cap = cap != 0 ? cap * 2 : 4;
				*parts = xrealloc(*parts, cap *
				    sizeof(**parts));
			}
			if (*n < cap) {
				(*parts)[*n].p = start;
				(*parts)[(*n)++].end = q;
			}
		}
		if (kind == 2)
			return 0;
		if (kind == 1)
			start = next;
		p = next;
	}
	free(*parts);
	*parts = NULL;
	*n = 0;
	fbr_err(err, errlen, start != NULL ? "close boundary not found" :
	    "start boundary not found");
	return -1;
}

/* ------------------------------------------------------------------ */
/* transfer encodings                                                  */

static int
fbr_hex(char c)
{
	if (fbr_is_digit(c))
		return c - '0';
	c = fbr_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Quoted-printable, leniently: a '=' that starts no escape and no soft
 * line break is kept. */
static void
fbr_qp_decode(const char *p, const char *end, struct buf *out)
{
	const char *q;

	while (p < end) {
		if (*p != '=') {
			buf_putc(out, *p++);
			continue;
		}
		if (end - p >= 3 && fbr_hex(p[1]) >= 0 && fbr_hex(p[2]) >= 0) {
			buf_putc(out, (char)(fbr_hex(p[1]) * 16 +
			    fbr_hex(p[2])));
			p += 3;
			continue;
		}
		for (q = p + 1; q < end && fbr_is_wsp(*q); q++)
			;
		if (q < end && *q == '\r' && q + 1 < end && q[1] == '\n')
			p = q + 2;
		else if (q < end && *q == '\n')
			p = q + 1;
		else if (q == end)
			p = end;
		else
			buf_putc(out, *p++);
	}
}

/* Base64, leniently: bytes outside the alphabet are skipped, '=' ends. */
static void
fbr_b64_decode(const char *p, const char *end, struct buf *out)
{
	uint32_t acc = 0;
	int bits = 0, v;

	for (; p < end && *p != '='; p++) {
		if ((v = buf_base64_value((unsigned char)*p)) < 0)
			continue;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(out, (char)(acc >> bits & 0xff));
		}
	}
}

/*
 * The body [p, end) of a part decoded per cte (NULL: 7bit): *dp, *dend
 * point into [p, end) itself for 7bit, 8bit and binary, into tmp
 * (initialised here; the caller buf_fini's it) otherwise. -1 for an
 * encoding this module does not know.
 */
static int
fbr_decode(const char *cte, const char *p, const char *end, struct buf *tmp,
    const char **dp, const char **dend)
{
	char *w = cte != NULL ? fbr_word(cte) : NULL;
	int rc = 0;

	buf_init(tmp);
	*dp = p;
	*dend = end;
	if (w == NULL || strcmp(w, "7bit") == 0 || strcmp(w, "8bit") == 0 ||
	    strcmp(w, "binary") == 0) {
		free(w);
		return 0;
	}
	if (strcmp(w, "quoted-printable") == 0)
		fbr_qp_decode(p, end, tmp);
	else if (strcmp(w, "base64") == 0)
		fbr_b64_decode(p, end, tmp);
	else
		rc = -1;
	free(w);
	/* A part may decode to nothing: then tmp.data is still NULL. */
	*dp = tmp->data != NULL ? tmp->data : p;
	*dend = *dp + tmp->len;
	return rc;
}

/* ------------------------------------------------------------------ */
/* the report                                                          */

/* Header fields this module reads of a part (or the top level). */
enum { FBR_H_CTYPE, FBR_H_CTE, FBR_H_SUBJECT, FBR_H_COUNT };
static const char *const fbr_part_names[FBR_H_COUNT] = {
	"Content-Type", "Content-Transfer-Encoding", "Subject"
};

/* Fields of the returned original. */
enum { FBR_O_MSGID, FBR_O_RETURN_PATH, FBR_O_COUNT };
static const char *const fbr_orig_names[FBR_O_COUNT] = {
	"Message-ID", "Return-Path"
};

/* RFC 3464 §2.2, §2.3 fields this module reads. */
enum {
	FBR_D_REPORTING_MTA, FBR_D_ARRIVAL_DATE, FBR_D_ENVID,
	FBR_D_FINAL, FBR_D_ORIGINAL, FBR_D_ACTION, FBR_D_STATUS,
	FBR_D_DIAGNOSTIC, FBR_D_REMOTE_MTA, FBR_D_COUNT
};
static const char *const fbr_dsn_names[FBR_D_COUNT] = {
	"Reporting-MTA", "Arrival-Date", "Original-Envelope-Id",
	"Final-Recipient", "Original-Recipient", "Action", "Status",
	"Diagnostic-Code", "Remote-MTA"
};

/* RFC 5965 §3.1-3.2 fields this module reads (Original-Rcpt-To apart). */
enum {
	FBR_A_TYPE, FBR_A_AGENT, FBR_A_MAIL_FROM, FBR_A_ARRIVAL,
	FBR_A_RECEIVED, FBR_A_REPORTING_MTA, FBR_A_COUNT
};
static const char *const fbr_arf_names[FBR_A_COUNT] = {
	"Feedback-Type", "User-Agent", "Original-Mail-From", "Arrival-Date",
	"Received-Date", "Reporting-MTA"
};

/* Content types of the returned original (RFC 3462, 6522, 6533). */
static const char *const fbr_original_types[] = {
	"message/rfc822", "message/global", "text/rfc822-headers",
	"message/rfc822-headers", "message/global-headers"
};

struct fbr_part_info {
	char *type;		/* lower case; text/plain when absent */
	char *cte;		/* or NULL */
	const char *body, *end;
};

static void
fbr_part_read(const struct fbr_part *pt, struct fbr_part_info *pi)
{
	char *vals[FBR_H_COUNT] = { NULL };
	struct fbr_pick pk = { fbr_part_names, FBR_H_COUNT, vals, 0 };
	const char *params;

	pi->body = fbr_fields(pt->p, pt->end, fbr_pick_field, &pk);
	pi->end = pt->end;
	pi->type = vals[FBR_H_CTYPE] != NULL ?
	    fbr_ctype(vals[FBR_H_CTYPE], &params) : xstrdup("text/plain");
	pi->cte = fbr_pick_take(&pk, FBR_H_CTE);
	fbr_pick_clear(&pk);
}

static void
fbr_part_fini(struct fbr_part_info *pi)
{
	free(pi->type);
	free(pi->cte);
}

/* Index of the first part whose type is one of types[0..nt), or n. */
static size_t
fbr_find(const struct fbr_part_info *pi, size_t n, const char *const *types,
    size_t nt)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < nt; k++)
			if (strcmp(pi[i].type, types[k]) == 0)
				return i;
	return n;
}

/* The returned original's Message-ID and Return-Path, when there is one. */
static void
fbr_original(struct fbr_report *r, const struct fbr_part_info *pi,
    size_t n)
{
	size_t i = fbr_find(pi, n, fbr_original_types,
	    FBR_COUNT(fbr_original_types));
	char *vals[FBR_O_COUNT] = { NULL };
	struct fbr_pick pk = { fbr_orig_names, FBR_O_COUNT, vals, 0 };
	const char *p, *end;
	struct buf b;

	if (i == n)
		return;
	if (fbr_decode(pi[i].cte, pi[i].body, pi[i].end, &b, &p, &end) == 0) {
		(void)fbr_fields(p, end, fbr_pick_field, &pk);
		if (vals[FBR_O_MSGID] != NULL)
			r->original_message_id = fbr_msgid(vals[FBR_O_MSGID]);
		if (vals[FBR_O_RETURN_PATH] != NULL)
			r->original_return_path =
			    fbr_address(vals[FBR_O_RETURN_PATH]);
		fbr_pick_clear(&pk);
	}
	buf_fini(&b);
}

/* One per-recipient block into r->rcpts (the block's values taken). */
static int
fbr_dsn_recipient(struct fbr_report *r, struct fbr_pick *pk, char *err,
    size_t errlen)
{
	struct fbr_recipient *rc;
	char q[FBR_QUOTE_MAX_BYTES + 4];
	size_t no = r->nrcpts + 1;

	if (r->nrcpts == FBR_RECIPIENTS_MAX) {
		fbr_err(err, errlen, "too many recipients");
		return -1;
	}
	r->rcpts = xrealloc(r->rcpts, no * sizeof(*r->rcpts));
	rc = &r->rcpts[r->nrcpts++];
	memset(rc, 0, sizeof(*rc));
	if (pk->vals[FBR_D_FINAL] != NULL)
		rc->final_recipient = fbr_address(pk->vals[FBR_D_FINAL]);
	if (pk->vals[FBR_D_ORIGINAL] != NULL)
		rc->original_recipient = fbr_address(pk->vals[FBR_D_ORIGINAL]);
	if (pk->vals[FBR_D_ACTION] != NULL)
		rc->action = fbr_word(pk->vals[FBR_D_ACTION]);
	if (pk->vals[FBR_D_STATUS] != NULL)
		rc->status = fbr_status(pk->vals[FBR_D_STATUS]);
	rc->diagnostic = fbr_pick_take(pk, FBR_D_DIAGNOSTIC);
	rc->remote_mta = fbr_pick_take(pk, FBR_D_REMOTE_MTA);
	if (rc->final_recipient == NULL || *rc->final_recipient == '\0') {
		fbr_err(err, errlen, "recipient %zu: no Final-Recipient", no);
		return -1;
	}
	if (rc->action == NULL) {
		fbr_err(err, errlen, "recipient %zu: no Action", no);
		return -1;
	}
	if (pk->vals[FBR_D_STATUS] == NULL) {
		fbr_err(err, errlen, "recipient %zu: no Status", no);
		return -1;
	}
	if (rc->status == NULL) {
		fbr_quote(pk->vals[FBR_D_STATUS], q);
		fbr_err(err, errlen, "recipient %zu: bad Status \"%s\"", no, q);
		return -1;
	}
	return 0;
}

/*
 * The delivery-status fields [p, end): the first block with fields is
 * the per-message one (unless it has recipient fields: some generators
 * leave the per-message block out), each later block with Final-Recipient,
 * Action or Status a recipient's, other blocks ignored.
 */
static int
fbr_dsn(struct fbr_report *r, const char *p, const char *end, char *err,
    size_t errlen)
{
	char *vals[FBR_D_COUNT] = { NULL };
	struct fbr_pick pk = { fbr_dsn_names, FBR_D_COUNT, vals, 0 };
	int first = 1, rc = 0;

	while (p < end && rc == 0) {
		p = fbr_fields(p, end, fbr_pick_field, &pk);
		if (pk.seen == 0)
			continue;
		if (vals[FBR_D_FINAL] != NULL || vals[FBR_D_ACTION] != NULL ||
		    vals[FBR_D_STATUS] != NULL)
			rc = fbr_dsn_recipient(r, &pk, err, errlen);
		else if (first) {
			r->reporting_mta = fbr_pick_take(&pk,
			    FBR_D_REPORTING_MTA);
			r->arrival_date = fbr_pick_take(&pk,
			    FBR_D_ARRIVAL_DATE);
			r->original_envelope_id = fbr_pick_take(&pk,
			    FBR_D_ENVID);
		}
		first = 0;
		fbr_pick_clear(&pk);
	}
	fbr_pick_clear(&pk);
	if (rc == 0 && r->nrcpts == 0) {
		fbr_err(err, errlen, "no per-recipient fields");
		rc = -1;
	}
	return rc;
}

/* fbr_pick_field plus every Original-Rcpt-To into the report. */
struct fbr_arf_pick {
	struct fbr_pick pk;
	struct fbr_report *r;
	int too_many;
};

static void
fbr_arf_field(void *arg, const char *name, size_t nlen, const char *val,
    const char *vend)
{
	struct fbr_arf_pick *a = arg;
	struct fbr_report *r = a->r;
	char *v;

	if (nlen != strlen("Original-Rcpt-To") ||
	    strncasecmp(name, "Original-Rcpt-To", nlen) != 0) {
		fbr_pick_field(&a->pk, name, nlen, val, vend);
		return;
	}
	v = fbr_unfold(val, vend);
	if (*v != '\0' && r->noriginal_rcpt_tos == FBR_RECIPIENTS_MAX)
		a->too_many = 1;
	else if (*v != '\0') {
		r->original_rcpt_tos = xrealloc(r->original_rcpt_tos,
		    (r->noriginal_rcpt_tos + 1) * sizeof(char *));
		r->original_rcpt_tos[r->noriginal_rcpt_tos++] =
		    fbr_address(v);
	}
	free(v);
}

/* The feedback-report fields [p, end) (blank lines, which RFC 5965 does
 * not have, read through). */
static int
fbr_arf(struct fbr_report *r, const char *p, const char *end, char *err,
    size_t errlen)
{
	char *vals[FBR_A_COUNT] = { NULL };
	struct fbr_arf_pick a = { { fbr_arf_names, FBR_A_COUNT, vals, 0 }, r,
	    0 };

	while (p < end)
		p = fbr_fields(p, end, fbr_arf_field, &a);
	if (vals[FBR_A_TYPE] != NULL)
		r->feedback_type = fbr_word(vals[FBR_A_TYPE]);
	r->user_agent = fbr_pick_take(&a.pk, FBR_A_AGENT);
	if (vals[FBR_A_MAIL_FROM] != NULL)
		r->original_mail_from = fbr_address(vals[FBR_A_MAIL_FROM]);
	r->arrival_date = fbr_pick_take(&a.pk, vals[FBR_A_ARRIVAL] != NULL ?
	    FBR_A_ARRIVAL : FBR_A_RECEIVED);
	r->reporting_mta = fbr_pick_take(&a.pk, FBR_A_REPORTING_MTA);
	fbr_pick_clear(&a.pk);
	if (r->noriginal_rcpt_tos > 0)
		r->original_rcpt_to = xstrdup(r->original_rcpt_tos[0]);
	if (a.too_many) {
		fbr_err(err, errlen, "too many recipients");
		return -1;
	}
	if (r->feedback_type == NULL) {
		fbr_err(err, errlen, "no Feedback-Type");
		return -1;
	}
	return 0;
}

/* The top-level header section: kind and boundary (new), subject. */
static int
fbr_top(struct fbr_report *r, const char *msg, const char *end,
    const char **body, char **boundary, char *err, size_t errlen)
{
	char *vals[FBR_H_COUNT] = { NULL };
	struct fbr_pick pk = { fbr_part_names, FBR_H_COUNT, vals, 0 };
	char q[FBR_QUOTE_MAX_BYTES + 4], *type = NULL, *rt = NULL;
	const char *params;
	int rc = -1;

	*boundary = NULL;
	*body = fbr_fields(msg, end, fbr_pick_field, &pk);
	r->subject = fbr_pick_take(&pk, FBR_H_SUBJECT);
	if (vals[FBR_H_CTYPE] != NULL)
		type = fbr_ctype(vals[FBR_H_CTYPE], &params);
	if (type == NULL || strcmp(type, "multipart/report") != 0) {
		fbr_err(err, errlen, "not a multipart/report message");
		goto fail;
	}
	if ((rt = fbr_param(params, "report-type")) == NULL || *rt == '\0') {
		fbr_err(err, errlen, "no report-type parameter");
		goto fail;
	}
	if (strcasecmp(rt, "delivery-status") == 0)
		r->kind = FBR_DSN;
	else if (strcasecmp(rt, "feedback-report") == 0)
		r->kind = FBR_ARF;
	else {
		fbr_quote(rt, q);
		fbr_err(err, errlen, "report-type \"%s\" is not "
		    "delivery-status or feedback-report", q);
		goto fail;
	}
	*boundary = fbr_param(params, "boundary");
	if (*boundary == NULL || **boundary == '\0') {
		free(*boundary);
		*boundary = NULL;
		fbr_err(err, errlen, "multipart/report without boundary "
		    "parameter");
		goto fail;
	}
	rc = 0;
fail:
	free(rt);
	free(type);
	fbr_pick_clear(&pk);
	return rc;
}

static const char *const fbr_dsn_types[] = {
	"message/delivery-status", "message/global-delivery-status"
};
static const char *const fbr_arf_types[] = { "message/feedback-report" };

int
fbr_parse(const char *msg, size_t len, struct fbr_report *out, char *err,
    size_t errlen)
{
	struct fbr_report r;
	struct fbr_part *parts = NULL;
	struct fbr_part_info *pi = NULL;
	char q[FBR_QUOTE_MAX_BYTES + 4], *boundary = NULL;
	const char *body, *end, *p, *pend;
	size_t n = 0, i;
	struct buf data;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	buf_init(&data);
	if (msg == NULL)
		msg = "";
	end = msg + len;
	if (fbr_top(&r, msg, end, &body, &boundary, err, errlen) != 0 ||
	    fbr_split(body, end, boundary, &parts, &n, err, errlen) != 0)
		goto fail;
	pi = xcalloc(n + 1, sizeof(*pi));
	for (i = 0; i < n; i++)
		fbr_part_read(&parts[i], &pi[i]);
	if (r.kind == FBR_DSN)
		i = fbr_find(pi, n, fbr_dsn_types, FBR_COUNT(fbr_dsn_types));
	else
		i = fbr_find(pi, n, fbr_arf_types, FBR_COUNT(fbr_arf_types));
	if (i == n) {
		fbr_err(err, errlen, r.kind == FBR_DSN ?
		    "no message/delivery-status part" :
		    "no message/feedback-report part");
		goto fail;
	}
	if (fbr_decode(pi[i].cte, pi[i].body, pi[i].end, &data, &p, &pend) !=
	    0) {
		fbr_quote(pi[i].cte, q);
		fbr_err(err, errlen, "Content-Transfer-Encoding \"%s\" not "
		    "supported", q);
		goto fail;
	}
	if (r.kind == FBR_DSN ? fbr_dsn(&r, p, pend, err, errlen) :
	    fbr_arf(&r, p, pend, err, errlen))
		goto fail;
	fbr_original(&r, pi, n);
	rc = 0;
fail:
	buf_fini(&data);
	for (i = 0; pi != NULL && i < n; i++)
		fbr_part_fini(&pi[i]);
	free(pi);
	free(parts);
	free(boundary);
	if (rc != 0)
		fbr_fini(&r);
	*out = r;
	return rc;
}

void
fbr_fini(struct fbr_report *r)
{
	size_t i;

	for (i = 0; i < r->nrcpts; i++) {
		free(r->rcpts[i].final_recipient);
		free(r->rcpts[i].original_recipient);
		free(r->rcpts[i].action);
		free(r->rcpts[i].status);
		free(r->rcpts[i].diagnostic);
		free(r->rcpts[i].remote_mta);
	}
	free(r->rcpts);
	for (i = 0; i < r->noriginal_rcpt_tos; i++)
		free(r->original_rcpt_tos[i]);
	free(r->original_rcpt_tos);
	free(r->reporting_mta);
	free(r->arrival_date);
	free(r->original_envelope_id);
	free(r->feedback_type);
	free(r->user_agent);
	free(r->original_rcpt_to);
	free(r->original_mail_from);
	free(r->original_message_id);
	free(r->original_return_path);
	free(r->subject);
	memset(r, 0, sizeof(*r));
}
