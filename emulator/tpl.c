/*
 * tpl — SES's Handlebars subset and the TestRenderTemplate message
 * (see tpl.h).
 *
 * A template is lexed into tokens (text and tags), ~ whitespace control is
 * applied between neighbouring tokens, and the tokens are built into a tree
 * that is then rendered against the data. Text nodes point into the
 * caller's template; nothing is copied until output.
 *
 * EMU: lines that hold only a block tag keep their white space and line
 * breaks (Handlebars.js would drop such "standalone" lines). SES renders
 * with a Java Handlebars whose default keeps them, which is why SES's own
 * examples strip the line break after {{/inline}} with ~
 * (DG:send-personalized-email-advanced). Only ~ removes white space here.
 */
#include "tpl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "tclock.h"
#include "xmem.h"

/* ---- tokens ---- */

enum tpl_tok_kind {
	TOK_TEXT,
	TOK_VAR,		/* {{x}}, {{{x}}}, {{&x}} */
	TOK_OPEN,		/* {{#helper arg}} */
	TOK_INLINE,		/* {{#* inline "name"}} */
	TOK_CLOSE,		/* {{/name}} */
	TOK_ELSE,		/* {{else}}, {{^}}, {{else if x}} */
	TOK_PARTIAL,		/* {{> name}} */
	TOK_COMMENT,
};

enum tpl_helper { H_NONE, H_IF, H_UNLESS, H_EACH, H_WITH };

static const char *const tpl_helper_names[] = {
	[H_NONE] = "", [H_IF] = "if", [H_UNLESS] = "unless",
	[H_EACH] = "each", [H_WITH] = "with",
};

struct tpl_tok {
	enum tpl_tok_kind kind;
	const char *s;		/* text; path; partial, inline or close name */
	size_t n;
	enum tpl_helper helper;	/* OPEN, and ELSE when chained */
	int strip_l, strip_r;
	unsigned line;
};

/* ---- tree ---- */

enum tpl_node_kind { N_TEXT, N_VAR, N_BLOCK, N_PARTIAL };

struct tpl_node {
	enum tpl_node_kind kind;
	const char *s;		/* text, path, block argument or partial name */
	size_t n;
	enum tpl_helper helper;
	struct tpl_node *body, *inverse;
	struct tpl_node *next;
	unsigned line;
};

struct tpl_partial {
	const char *name;
	size_t n;
	struct tpl_node *body;
	struct tpl_partial *next;
};

/* A parsed template: owns every node and partial it allocated. */
struct tpl_tree {
	struct tpl_node *root;
	struct tpl_partial *partials;
	void **allocs;
	size_t nallocs;
};

struct tpl_parser {
	const char *text;
	size_t len;
	struct tpl_tok *toks;
	size_t ntoks, i;
	struct tpl_tree *tree;
	int depth;
	char *err;
};

static void tpl_fail(char *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
tpl_fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, TPL_ERROR_MAX_BYTES, fmt, ap);
	va_end(ap);
}

static void *
tpl_alloc(struct tpl_tree *t, size_t n)
{
	void *p = xcalloc(1, n);

	t->allocs = xrealloc(t->allocs, (t->nallocs + 1) * sizeof(void *));
	t->allocs[t->nallocs++] = p;
	return p;
}

static void
tpl_tree_fini(struct tpl_tree *t)
{
	size_t i;

	for (i = 0; i < t->nallocs; i++)
		free(t->allocs[i]);
	free(t->allocs);
	memset(t, 0, sizeof(*t));
}

static int
tpl_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/* Trims white space from both ends of the n bytes at *s. */
static void
tpl_trim(const char **s, size_t *n)
{
	while (*n > 0 && tpl_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && tpl_space((*s)[*n - 1]))
		(*n)--;
}

static unsigned
tpl_line_at(const char *text, size_t pos)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < pos; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* Non-zero for a byte Handlebars allows in an identifier. */
static int
tpl_id_char(unsigned char c)
{
	if (c >= 0x80)
		return 1;
	if (c <= ' ' || c == 0x7f)
		return 0;
	return strchr("!\"#%&'()*+,./;<=>@[\\]^`{|}~", c) == NULL;
}

/*
 * Non-zero when the n bytes at s are a path: ../ prefixes, then ".",
 * "this", or [this. | @]segment(.segment)* with segments of identifier
 * bytes separated by '.' or '/'.
 */
static int
tpl_path_valid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (n - i >= 3 && strncmp(s + i, "../", 3) == 0)
		i += 3;
	if (i == n)
		return 0;
	if ((n - i == 1 && s[i] == '.') || (n - i == 4 &&
	    strncmp(s + i, "this", 4) == 0))
		return 1;
	if (n - i > 5 && strncmp(s + i, "this", 4) == 0 &&
	    (s[i + 4] == '.' || s[i + 4] == '/'))
		i += 5;
	else if (s[i] == '@')
		i++;
	for (;;) {
		for (k = i; k < n && tpl_id_char((unsigned char)s[k]); k++)
			;
		if (k == i)
			return 0;
		if (k == n)
			return 1;
		if (s[k] != '.' && s[k] != '/')
			return 0;
		i = k + 1;
	}
}

static enum tpl_helper
tpl_helper_find(const char *s, size_t n)
{
	size_t h;

	for (h = H_IF; h <= H_WITH; h++)
		if (strlen(tpl_helper_names[h]) == n &&
		    memcmp(tpl_helper_names[h], s, n) == 0)
			return (enum tpl_helper)h;
	return H_NONE;
}

/* Splits the first white-space separated word off the n bytes at s. */
static void
tpl_word(const char *s, size_t n, size_t *wlen, const char **rest,
    size_t *rlen)
{
	size_t k = 0;

	while (k < n && !tpl_space(s[k]))
		k++;
	*wlen = k;
	*rest = s + k;
	*rlen = n - k;
	tpl_trim(rest, rlen);
}

/* Shown in messages: at most this much of a tag. */
#define TPL_SHOWN_MAX 60

/*
 * Reads a helper's argument: exactly one path. Sets *tk's path. Returns 0,
 * or -1 with err set.
 */
static int
tpl_lex_arg(struct tpl_tok *tk, const char *what, const char *s, size_t n,
    char *err)
{
	size_t w, rn;
	const char *rest;

	if (n == 0) {
		tpl_fail(err, "Template syntax error at line %u: {{#%s}} "
		    "needs an argument.", tk->line, what);
		return -1;
	}
	tpl_word(s, n, &w, &rest, &rn);
	if (rn > 0) {
		tpl_fail(err, "Template syntax error at line %u: {{#%s}} "
		    "takes one argument, not \"%.*s\".", tk->line, what,
		    (int)(n > TPL_SHOWN_MAX ? TPL_SHOWN_MAX : n), s);
		return -1;
	}
	if (!tpl_path_valid(s, w)) {
		tpl_fail(err, "Template syntax error at line %u: invalid "
		    "expression \"%.*s\".", tk->line,
		    (int)(w > TPL_SHOWN_MAX ? TPL_SHOWN_MAX : w), s);
		return -1;
	}
	tk->s = s;
	tk->n = w;
	return 0;
}

/* A partial or inline name: bare, or quoted with " or '. */
static int
tpl_lex_name(struct tpl_tok *tk, const char *s, size_t n, char *err)
{
	const char *end;

	if (n >= 2 && (s[0] == '"' || s[0] == '\'')) {
		end = memchr(s + 1, s[0], n - 1);
		if (end == NULL || end != s + n - 1 || end == s + 1)
			goto bad;
		tk->s = s + 1;
		tk->n = (size_t)(end - s - 1);
		return 0;
	}
	if (n == 0 || !tpl_path_valid(s, n))
		goto bad;
	tk->s = s;
	tk->n = n;
	return 0;
bad:
	tpl_fail(err, "Template syntax error at line %u: invalid partial "
	    "name \"%.*s\".", tk->line,
	    (int)(n > TPL_SHOWN_MAX ? TPL_SHOWN_MAX : n), s);
	return -1;
}

/*
 * Classifies a tag's content (white space trimmed) into *tk. Returns 0 or
 * -1 with err set.
 */
static int
tpl_lex_tag(struct tpl_tok *tk, const char *s, size_t n, int triple,
    char *err)
{
	const char *rest;
	size_t w, rn;
	int shown = (int)(n > TPL_SHOWN_MAX ? TPL_SHOWN_MAX : n);

	if (n == 0) {
		tpl_fail(err, "Template syntax error at line %u: empty tag.",
		    tk->line);
		return -1;
	}
	if (triple)
		goto var;
	switch (s[0]) {
	case '#':
		s++;
		n--;
		tpl_trim(&s, &n);
		if (n > 0 && s[0] == '*') {
			s++;
			n--;
			tpl_trim(&s, &n);
			tpl_word(s, n, &w, &rest, &rn);
			if (w != 6 || memcmp(s, "inline", 6) != 0) {
				tpl_fail(err, "Template syntax error at line "
				    "%u: unknown decorator \"%.*s\".",
				    tk->line, (int)(w > TPL_SHOWN_MAX ?
				    TPL_SHOWN_MAX : w), s);
				return -1;
			}
			tk->kind = TOK_INLINE;
			return tpl_lex_name(tk, rest, rn, err);
		}
		tpl_word(s, n, &w, &rest, &rn);
		if ((tk->helper = tpl_helper_find(s, w)) == H_NONE) {
			tpl_fail(err, "Template syntax error at line %u: "
			    "unknown block helper \"%.*s\".", tk->line,
			    (int)(w > TPL_SHOWN_MAX ? TPL_SHOWN_MAX : w), s);
			return -1;
		}
		tk->kind = TOK_OPEN;
		return tpl_lex_arg(tk, tpl_helper_names[tk->helper], rest, rn,
		    err);
	case '/':
		s++;
		n--;
		tpl_trim(&s, &n);
		tk->kind = TOK_CLOSE;
		tk->s = s;
		tk->n = n;
		return 0;
	case '>':
		s++;
		n--;
		tpl_trim(&s, &n);
		tk->kind = TOK_PARTIAL;
		tpl_word(s, n, &w, &rest, &rn);
		if (rn > 0 && s[0] != '"' && s[0] != '\'') {
			tpl_fail(err, "Template syntax error at line %u: "
			    "partials take no arguments: \"%.*s\".",
			    tk->line, shown, s);
			return -1;
		}
		return tpl_lex_name(tk, s, n, err);
	case '^':
		if (n == 1) {
			tk->kind = TOK_ELSE;
			return 0;
		}
		tpl_fail(err, "Template syntax error at line %u: inverse "
		    "sections are not supported: \"%.*s\".", tk->line, shown,
		    s);
		return -1;
	case '&':
		s++;
		n--;
		tpl_trim(&s, &n);
		goto var;
	default:
		break;
	}
	tpl_word(s, n, &w, &rest, &rn);
	if (w == 4 && memcmp(s, "else", 4) == 0) {
		tk->kind = TOK_ELSE;
		if (rn == 0)
			return 0;
		tpl_word(rest, rn, &w, &s, &n);
		if ((tk->helper = tpl_helper_find(rest, w)) == H_NONE ||
		    tk->helper == H_EACH || tk->helper == H_WITH) {
			tpl_fail(err, "Template syntax error at line %u: "
			    "unsupported \"{{else %.*s}}\".", tk->line,
			    (int)(rn > TPL_SHOWN_MAX ? TPL_SHOWN_MAX : rn),
			    rest);
			return -1;
		}
		return tpl_lex_arg(tk, tpl_helper_names[tk->helper], s, n,
		    err);
	}
var:
	tk->kind = TOK_VAR;
	tpl_word(s, n, &w, &rest, &rn);
	if (rn > 0) {
		tpl_fail(err, "Template syntax error at line %u: helper "
		    "\"%.*s\" is not supported.", tk->line,
		    (int)(w > TPL_SHOWN_MAX ? TPL_SHOWN_MAX : w), s);
		return -1;
	}
	if (!tpl_path_valid(s, n)) {
		tpl_fail(err, "Template syntax error at line %u: invalid "
		    "expression \"%.*s\".", tk->line, shown, s);
		return -1;
	}
	tk->s = s;
	tk->n = n;
	return 0;
}

/* Finds needle in s[from, len); returns its offset or len. */
static size_t
tpl_find(const char *s, size_t len, size_t from, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = from; i + k <= len; i++)
		if (memcmp(s + i, needle, k) == 0)
			return i;
	return len;
}

static struct tpl_tok *
tpl_tok_add(struct tpl_parser *p)
{
	struct tpl_tok *tk;

	p->toks = xrealloc(p->toks, (p->ntoks + 1) * sizeof(*p->toks));
	tk = &p->toks[p->ntoks++];
	memset(tk, 0, sizeof(*tk));
	return tk;
}

/* Lexes the tag at p->text[*pos] ("{{"); moves *pos past it. */
static int
tpl_lex_one(struct tpl_parser *p, size_t *pos)
{
	const char *t = p->text;
	size_t len = p->len, j = *pos + 2, k, end;
	struct tpl_tok *tk = tpl_tok_add(p);
	int triple = 0;
	const char *s;
	size_t n;

	tk->line = tpl_line_at(t, *pos);
	if (j < len && t[j] == '~') {
		tk->strip_l = 1;
		j++;
	}
	if (j < len && t[j] == '!') {
		tk->kind = TOK_COMMENT;
		if (len - j >= 3 && strncmp(t + j + 1, "--", 2) == 0) {
			if ((k = tpl_find(t, len, j + 3, "--")) == len)
				goto unclosed;
			/* "--}}" or "--~}}" ends it; a "--" inside goes on */
			for (;;) {
				if (len - k >= 4 && strncmp(t + k, "--}}", 4) ==
				    0) {
					*pos = k + 4;
					return 0;
				}
				if (len - k >= 5 && strncmp(t + k, "--~}}", 5) ==
				    0) {
					tk->strip_r = 1;
					*pos = k + 5;
					return 0;
				}
				if ((k = tpl_find(t, len, k + 1, "--")) == len)
					goto unclosed;
			}
		}
		if ((k = tpl_find(t, len, j, "}}")) == len)
			goto unclosed;
		if (k > j && t[k - 1] == '~')
			tk->strip_r = 1;
		*pos = k + 2;
		return 0;
	}
	if (j < len && t[j] == '{') {
		triple = 1;
		j++;
		for (k = j; k < len; k++) {
			if (t[k] != '}')
				continue;
			if (len - k >= 3 && strncmp(t + k, "}}}", 3) == 0) {
				end = k + 3;
				break;
			}
			if (len - k >= 4 && strncmp(t + k, "}~}}", 4) == 0) {
				tk->strip_r = 1;
				end = k + 4;
				break;
			}
		}
		if (k >= len)
			goto unclosed;
	} else {
		if ((k = tpl_find(t, len, j, "}}")) == len)
			goto unclosed;
		end = k + 2;
		if (k > j && t[k - 1] == '~') {
			tk->strip_r = 1;
			k--;
		}
	}
	s = t + j;
	n = k - j;
	if (memchr(s, '{', n) != NULL && memmem(s, n, "{{", 2) != NULL) {
		tpl_fail(p->err, "Template syntax error at line %u: a tag "
		    "opened inside another tag.", tk->line);
		return -1;
	}
	tpl_trim(&s, &n);
	*pos = end;
	return tpl_lex_tag(tk, s, n, triple, p->err);
unclosed:
	tpl_fail(p->err, "Template syntax error at line %u: unclosed tag "
	    "\"%.*s\".", tk->line, (int)(len - *pos > 20 ? 20 : len - *pos),
	    t + *pos);
	return -1;
}

static int
tpl_lex(struct tpl_parser *p)
{
	size_t pos = 0, start, i;
	struct tpl_tok *tk;

	while (pos < p->len) {
		start = pos;
		pos = tpl_find(p->text, p->len, pos, "{{");
		if (pos > start) {
			tk = tpl_tok_add(p);
			tk->kind = TOK_TEXT;
			tk->s = p->text + start;
			tk->n = pos - start;
		}
		if (pos < p->len && tpl_lex_one(p, &pos) != 0)
			return -1;
	}
	/* ~ strips the white space of the neighbouring text (Handlebars
	 * whitespace control), across block boundaries too. */
	for (i = 0; i < p->ntoks; i++) {
		tk = &p->toks[i];
		if (tk->kind == TOK_TEXT)
			continue;
		if (tk->strip_l && i > 0 && p->toks[i - 1].kind == TOK_TEXT)
			while (p->toks[i - 1].n > 0 &&
			    tpl_space(p->toks[i - 1].s[p->toks[i - 1].n - 1]))
				p->toks[i - 1].n--;
		if (tk->strip_r && i + 1 < p->ntoks &&
		    p->toks[i + 1].kind == TOK_TEXT)
			while (p->toks[i + 1].n > 0 &&
			    tpl_space(p->toks[i + 1].s[0])) {
				p->toks[i + 1].s++;
				p->toks[i + 1].n--;
			}
	}
	return 0;
}

/* ---- parser ---- */

static int tpl_parse_program(struct tpl_parser *p, struct tpl_node **out);

static struct tpl_node *
tpl_node_new(struct tpl_parser *p, enum tpl_node_kind kind,
    const struct tpl_tok *tk)
{
	struct tpl_node *nd = tpl_alloc(p->tree, sizeof(*nd));

	nd->kind = kind;
	nd->s = tk->s;
	nd->n = tk->n;
	nd->helper = tk->helper;
	nd->line = tk->line;
	return nd;
}

/*
 * Parses the rest of a block opened by helper (its argument in *open) up
 * to and including the {{/close}} tag; else-chains share that close tag.
 */
static struct tpl_node *
tpl_parse_block(struct tpl_parser *p, const struct tpl_tok *open,
    const char *close)
{
	struct tpl_node *nd = tpl_node_new(p, N_BLOCK, open);
	const struct tpl_tok *tk;

	if (++p->depth > TPL_DEPTH_MAX) {
		tpl_fail(p->err, "Template syntax error at line %u: blocks "
		    "nested deeper than %d.", open->line, TPL_DEPTH_MAX);
		return NULL;
	}
	if (tpl_parse_program(p, &nd->body) != 0)
		return NULL;
	if (p->i >= p->ntoks)
		goto unclosed;
	tk = &p->toks[p->i];
	if (tk->kind == TOK_ELSE) {
		p->i++;
		if (tk->helper != H_NONE) {
			if (strcmp(close, "if") != 0 &&
			    strcmp(close, "unless") != 0) {
				tpl_fail(p->err, "Template syntax error at "
				    "line %u: {{else %s}} inside {{#%s}}.",
				    tk->line, tpl_helper_names[tk->helper],
				    close);
				return NULL;
			}
			if ((nd->inverse = tpl_parse_block(p, tk, close)) ==
			    NULL)
				return NULL;
			p->depth--;
			return nd;
		}
		if (tpl_parse_program(p, &nd->inverse) != 0)
			return NULL;
		if (p->i >= p->ntoks)
			goto unclosed;
		tk = &p->toks[p->i];
		if (tk->kind == TOK_ELSE) {
			tpl_fail(p->err, "Template syntax error at line %u: a "
			    "second {{else}} in {{#%s}} (opened at line %u).",
			    tk->line, close, open->line);
			return NULL;
		}
	}
	/* tk is a TOK_CLOSE: tpl_parse_program stops only there */
	if (tk->n != strlen(close) || memcmp(tk->s, close, tk->n) != 0) {
		tpl_fail(p->err, "Template syntax error at line %u: {{/%.*s}} "
		    "does not match {{#%s}} (opened at line %u).", tk->line,
		    (int)(tk->n > TPL_SHOWN_MAX ? TPL_SHOWN_MAX : tk->n),
		    tk->s, close, open->line);
		return NULL;
	}
	p->i++;
	p->depth--;
	return nd;
unclosed:
	tpl_fail(p->err, "Template syntax error: {{#%s}} opened at line %u "
	    "is never closed.", close, open->line);
	return NULL;
}

static int
tpl_parse_inline(struct tpl_parser *p, const struct tpl_tok *open)
{
	struct tpl_partial *pt;
	const struct tpl_tok *tk;

	for (pt = p->tree->partials; pt != NULL; pt = pt->next)
		if (pt->n == open->n && memcmp(pt->name, open->s, open->n) ==
		    0)
			break;
	if (pt == NULL) {
		pt = tpl_alloc(p->tree, sizeof(*pt));
		pt->name = open->s;
		pt->n = open->n;
		pt->next = p->tree->partials;
		p->tree->partials = pt;
	}
	if (++p->depth > TPL_DEPTH_MAX) {
		tpl_fail(p->err, "Template syntax error at line %u: blocks "
		    "nested deeper than %d.", open->line, TPL_DEPTH_MAX);
		return -1;
	}
	/* EMU: a later definition of the same name replaces the earlier
	 * one for the whole part (Handlebars scopes them to the block). */
	if (tpl_parse_program(p, &pt->body) != 0)
		return -1;
	if (p->i >= p->ntoks || p->toks[p->i].kind != TOK_CLOSE) {
		tpl_fail(p->err, "Template syntax error: {{#* inline}} opened "
		    "at line %u is never closed.", open->line);
		return -1;
	}
	tk = &p->toks[p->i];
	if (tk->n != 6 || memcmp(tk->s, "inline", 6) != 0) {
		tpl_fail(p->err, "Template syntax error at line %u: {{/%.*s}} "
		    "does not match {{#* inline}} (opened at line %u).",
		    tk->line, (int)(tk->n > TPL_SHOWN_MAX ? TPL_SHOWN_MAX :
		    tk->n), tk->s, open->line);
		return -1;
	}
	p->i++;
	p->depth--;
	return 0;
}

/*
 * Parses nodes into *out until EOF, {{else}} or {{/…}} (left unconsumed
 * at p->i).
 */
static int
tpl_parse_program(struct tpl_parser *p, struct tpl_node **out)
{
	struct tpl_node **tail = out, *nd;
	const struct tpl_tok *tk;

	*out = NULL;
	while (p->i < p->ntoks) {
		tk = &p->toks[p->i];
		nd = NULL;
		switch (tk->kind) {
		case TOK_ELSE:
		case TOK_CLOSE:
			return 0;
		case TOK_COMMENT:
			p->i++;
			continue;
		case TOK_TEXT:
			p->i++;
			if (tk->n == 0)
				continue;
			nd = tpl_node_new(p, N_TEXT, tk);
			break;
		case TOK_VAR:
			p->i++;
			nd = tpl_node_new(p, N_VAR, tk);
			break;
		case TOK_PARTIAL:
			p->i++;
			nd = tpl_node_new(p, N_PARTIAL, tk);
			break;
		case TOK_OPEN:
			p->i++;
			if ((nd = tpl_parse_block(p, tk,
			    tpl_helper_names[tk->helper])) == NULL)
				return -1;
			break;
		case TOK_INLINE:
			p->i++;
			if (tpl_parse_inline(p, tk) != 0)
				return -1;
			continue;
		}
		*tail = nd;
		tail = &nd->next;
	}
	return 0;
}

static const struct tpl_partial *
tpl_partial_find(const struct tpl_tree *t, const char *name, size_t n)
{
	const struct tpl_partial *pt;

	for (pt = t->partials; pt != NULL; pt = pt->next)
		if (pt->n == n && memcmp(pt->name, name, n) == 0)
			return pt;
	return NULL;
}

/* Checks that every {{> name}} under nd has a definition. */
static int
tpl_check_partials(const struct tpl_tree *t, const struct tpl_node *nd,
    char *err)
{
	for (; nd != NULL; nd = nd->next) {
		if (nd->kind == N_PARTIAL &&
		    tpl_partial_find(t, nd->s, nd->n) == NULL) {
			/* AWS: Handlebars' own text for a missing partial;
			 * SES answers InvalidTemplate (SES-REFERENCE §8.2). */
			tpl_fail(err, "The partial %.*s could not be found",
			    (int)(nd->n > TPL_SHOWN_MAX ? TPL_SHOWN_MAX :
			    nd->n), nd->s);
			return -1;
		}
		if (nd->kind == N_BLOCK && (tpl_check_partials(t, nd->body,
		    err) != 0 || tpl_check_partials(t, nd->inverse, err) != 0))
			return -1;
	}
	return 0;
}

/* Parses text into *tree (release with tpl_tree_fini). 0 or -1. */
static int
tpl_parse(const char *text, size_t n, struct tpl_tree *tree, char *err)
{
	struct tpl_parser p;
	const struct tpl_partial *pt;
	const struct tpl_tok *tk;
	int rc = -1;

	memset(tree, 0, sizeof(*tree));
	memset(&p, 0, sizeof(p));
	p.text = text;
	p.len = n;
	p.tree = tree;
	p.err = err;
	if (tpl_lex(&p) != 0 || tpl_parse_program(&p, &tree->root) != 0)
		goto done;
	if (p.i < p.ntoks) {
		tk = &p.toks[p.i];
		if (tk->kind == TOK_ELSE)
			tpl_fail(err, "Template syntax error at line %u: "
			    "{{else}} outside a block.", tk->line);
		else
			tpl_fail(err, "Template syntax error at line %u: "
			    "{{/%.*s}} does not close any block.", tk->line,
			    (int)(tk->n > TPL_SHOWN_MAX ? TPL_SHOWN_MAX :
			    tk->n), tk->s);
		goto done;
	}
	if (tpl_check_partials(tree, tree->root, err) != 0)
		goto done;
	for (pt = tree->partials; pt != NULL; pt = pt->next)
		if (tpl_check_partials(tree, pt->body, err) != 0)
			goto done;
	rc = 0;
done:
	free(p.toks);
	if (rc != 0)
		tpl_tree_fini(tree);
	return rc;
}

int
tpl_check(const char *text, size_t n, char err[TPL_ERROR_MAX_BYTES])
{
	struct tpl_tree tree;

	if (tpl_parse(text, n, &tree, err) != 0)
		return -1;
	tpl_tree_fini(&tree);
	return 0;
}

/* ---- rendering ---- */

/* A value an expression yields: JSON from the data, or a data variable. */
struct tpl_val {
	enum { V_UNDEF, V_JSON, V_INT, V_BOOL, V_STR } t;
	const json_t *j;
	long long i;
	const char *s;
};

/* One context: what "this" is, and the @data of an {{#each}} step. */
struct tpl_frame {
	const json_t *ctx;
	int iter;		/* set by each: @index, @first, @last, @key */
	size_t index, count;
	const char *key;	/* objects only */
};

#define TPL_FRAMES_MAX (2 * TPL_DEPTH_MAX + 2)

struct tpl_render {
	const struct tpl_tree *tree;
	const json_t *root;
	struct tpl_frame frames[TPL_FRAMES_MAX];
	int nframes;
	int partial_depth;
	struct buf out;
	enum tpl_error kind;
	char *err;
};

/* Resolves the path (n bytes at s) in the current context. */
static struct tpl_val
tpl_resolve(const struct tpl_render *r, const char *s, size_t n)
{
	struct tpl_val v = { V_UNDEF, NULL, 0, NULL };
	const json_t *cur;
	const struct tpl_frame *f = NULL;
	int level = r->nframes - 1, k;
	size_t i = 0, e;

	while (n - i >= 3 && strncmp(s + i, "../", 3) == 0) {
		i += 3;
		if (--level < 0)
			return v;
	}
	cur = r->frames[level].ctx;
	if (n - i == 1 && s[i] == '.')
		goto found;
	if (n - i >= 4 && strncmp(s + i, "this", 4) == 0 &&
	    (n - i == 4 || s[i + 4] == '.' || s[i + 4] == '/')) {
		i += 4;
		if (i == n)
			goto found;
		i++;
	} else if (n - i >= 5 && strncmp(s + i, "@root", 5) == 0 &&
	    (n - i == 5 || s[i + 5] == '.' || s[i + 5] == '/')) {
		cur = r->root;
		i += 5;
		if (i == n)
			goto found;
		i++;
	} else if (s[i] == '@') {
		/* the innermost {{#each}} step at or below this level */
		for (k = level; k >= 0; k--)
			if (r->frames[k].iter) {
				f = &r->frames[k];
				break;
			}
		if (f == NULL)
			return v;
		i++;
		e = n - i;
		if (e == 5 && strncmp(s + i, "index", 5) == 0) {
			v.t = V_INT;
			v.i = (long long)f->index;
		} else if (e == 5 && strncmp(s + i, "first", 5) == 0) {
			v.t = V_BOOL;
			v.i = f->index == 0;
		} else if (e == 4 && strncmp(s + i, "last", 4) == 0) {
			v.t = V_BOOL;
			v.i = f->index + 1 == f->count;
		} else if (e == 3 && strncmp(s + i, "key", 3) == 0) {
			if (f->key != NULL) {
				v.t = V_STR;
				v.s = f->key;
			} else {
				v.t = V_INT;
				v.i = (long long)f->index;
			}
		}
		return v;
	}
	while (i < n) {
		for (e = i; e < n && s[e] != '.' && s[e] != '/'; e++)
			;
		if (json_is_object(cur))
			cur = json_object_getn(cur, s + i, e - i);
		else if (json_is_array(cur) && e > i && e - i < 10 &&
		    strspn(s + i, "0123456789") >= e - i)
			cur = json_array_get(cur, strtoul(s + i, NULL, 10));
		else
			cur = NULL;
		if (cur == NULL)
			return v;
		i = e + 1;
	}
found:
	if (cur == NULL)
		return v;
	v.t = V_JSON;
	v.j = cur;
	return v;
}

/* Handlebars truthiness: false, null, undefined, "", 0 and [] are false. */
static int
tpl_truthy(const struct tpl_val *v)
{
	switch (v->t) {
	case V_UNDEF:
		return 0;
	case V_INT:
	case V_BOOL:
		return v->i != 0;
	case V_STR:
		return v->s[0] != '\0';
	case V_JSON:
		break;
	}
	switch (json_typeof(v->j)) {
	case JSON_NULL:
	case JSON_FALSE:
		return 0;
	case JSON_STRING:
		return json_string_length(v->j) > 0;
	case JSON_INTEGER:
		return json_integer_value(v->j) != 0;
	case JSON_REAL:
		return json_real_value(v->j) != 0.0;
	case JSON_ARRAY:
		return json_array_size(v->j) > 0;
	default:
		return 1;
	}
}

/* A double as JavaScript prints it: the shortest text that reads back. */
static void
tpl_put_real(struct buf *b, double d)
{
	char s[40], *e;
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, d);
		if (strtod(s, NULL) == d)
			break;
	}
	/* "1e+21", "1.5e-7": no leading zeros in the exponent */
	if ((e = strchr(s, 'e')) != NULL) {
		e += 2;
		while (e[0] == '0' && e[1] != '\0')
			memmove(e, e + 1, strlen(e));
	}
	buf_puts(b, s);
}

/*
 * Appends a JSON value as text. EMU: arrays print their elements joined
 * with "," and objects "[object Object]", as Handlebars.js does; how SES's
 * Java renderer prints them was not observed.
 */
static void
tpl_put_json(struct buf *b, const json_t *j)
{
	size_t i;

	switch (json_typeof(j)) {
	case JSON_STRING:
		buf_append(b, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		break;
	case JSON_REAL:
		tpl_put_real(b, json_real_value(j));
		break;
	case JSON_TRUE:
		buf_puts(b, "true");
		break;
	case JSON_FALSE:
		buf_puts(b, "false");
		break;
	case JSON_ARRAY:
		for (i = 0; i < json_array_size(j); i++) {
			if (i > 0)
				buf_putc(b, ',');
			tpl_put_json(b, json_array_get(j, i));
		}
		break;
	case JSON_OBJECT:
		buf_puts(b, "[object Object]");
		break;
	case JSON_NULL:
		break;
	}
}

/* SES fills these in when it sends (open tracking, subscription
 * management); they are not rendering data. */
static const char *const tpl_reserved[] = {
	"ses:openTracker", "amazonSESUnsubscribeUrl",
};

static int tpl_render_nodes(struct tpl_render *r, const struct tpl_node *nd);

static int
tpl_render_var(struct tpl_render *r, const struct tpl_node *nd)
{
	struct tpl_val v = tpl_resolve(r, nd->s, nd->n);
	size_t i;

	if (v.t == V_UNDEF || (v.t == V_JSON && json_is_null(v.j))) {
		/* EMU: the reserved placeholders are left as written
		 * when the data does not set them, for the send path. */
		for (i = 0; i < sizeof(tpl_reserved) / sizeof(tpl_reserved[0]);
		    i++)
			if (v.t == V_UNDEF && strlen(tpl_reserved[i]) ==
			    nd->n && memcmp(tpl_reserved[i], nd->s, nd->n) ==
			    0) {
				buf_printf(&r->out, "{{%s}}", tpl_reserved[i]);
				return 0;
			}
		/* AWS: a plain {{x}} whose attribute is absent or null fails
		 * the render with this text (DG Rendering Failure event,
		 * SES-REFERENCE §8.2; null counts as missing per aws-sdk-js
		 * #2239). The path is quoted as written. */
		r->kind = TPL_ERR_MISSING;
		tpl_fail(r->err, "Attribute '%.*s' is not present in the "
		    "rendering data.", (int)(nd->n > 400 ? 400 : nd->n),
		    nd->s);
		return -1;
	}
	switch (v.t) {
	case V_JSON:
		tpl_put_json(&r->out, v.j);
		break;
	case V_INT:
		buf_printf(&r->out, "%lld", v.i);
		break;
	case V_BOOL:
		buf_puts(&r->out, v.i ? "true" : "false");
		break;
	case V_STR:
		buf_puts(&r->out, v.s);
		break;
	case V_UNDEF:
		break;
	}
	return 0;
}

static int
tpl_push(struct tpl_render *r, const json_t *ctx)
{
	struct tpl_frame *f;

	if (r->nframes >= TPL_FRAMES_MAX) {
		r->kind = TPL_ERR_LIMIT;
		tpl_fail(r->err, "Template blocks and partials nest deeper "
		    "than %d.", TPL_FRAMES_MAX);
		return -1;
	}
	f = &r->frames[r->nframes++];
	memset(f, 0, sizeof(*f));
	f->ctx = ctx;
	return 0;
}

static int
tpl_render_each(struct tpl_render *r, const struct tpl_node *nd,
    const json_t *list)
{
	struct tpl_frame *f;
	const char *key;
	json_t *item;
	size_t i = 0;
	int rc = 0;

	if (tpl_push(r, NULL) != 0)
		return -1;
	f = &r->frames[r->nframes - 1];
	f->iter = 1;
	if (json_is_array(list)) {
		f->count = json_array_size(list);
		json_array_foreach(list, i, item) {
			f->ctx = item;
			f->index = i;
			if ((rc = tpl_render_nodes(r, nd->body)) != 0)
				break;
		}
	} else {
		f->count = json_object_size(list);
		json_object_foreach((json_t *)list, key, item) {
			f->ctx = item;
			f->index = i++;
			f->key = key;
			if ((rc = tpl_render_nodes(r, nd->body)) != 0)
				break;
		}
	}
	r->nframes--;
	return rc;
}

static int
tpl_render_block(struct tpl_render *r, const struct tpl_node *nd)
{
	/* EMU: a helper's argument that the data lacks is undefined, so
	 * false (Handlebars: strict lookups apply to plain {{x}} only, not
	 * to helper parameters); only a plain {{x}} fails the render. */
	struct tpl_val v = tpl_resolve(r, nd->s, nd->n);
	json_t *tmp;
	int rc;

	switch (nd->helper) {
	case H_IF:
		return tpl_render_nodes(r, tpl_truthy(&v) ? nd->body :
		    nd->inverse);
	case H_UNLESS:
		return tpl_render_nodes(r, tpl_truthy(&v) ? nd->inverse :
		    nd->body);
	case H_EACH:
		if (v.t == V_JSON && ((json_is_array(v.j) &&
		    json_array_size(v.j) > 0) || (json_is_object(v.j) &&
		    json_object_size(v.j) > 0)))
			return tpl_render_each(r, nd, v.j);
		return tpl_render_nodes(r, nd->inverse);
	case H_WITH:
		if (!tpl_truthy(&v))
			return tpl_render_nodes(r, nd->inverse);
		tmp = v.t == V_JSON ? json_incref((json_t *)v.j) : v.t ==
		    V_STR ? json_string(v.s) : v.t == V_BOOL ?
		    json_boolean(v.i) : json_integer(v.i);
		rc = tpl_push(r, tmp);
		if (rc == 0) {
			rc = tpl_render_nodes(r, nd->body);
			r->nframes--;
		}
		json_decref(tmp);
		return rc;
	case H_NONE:
		break;
	}
	return 0;
}

static int
tpl_render_nodes(struct tpl_render *r, const struct tpl_node *nd)
{
	const struct tpl_partial *pt;
	int rc;

	for (; nd != NULL; nd = nd->next) {
		switch (nd->kind) {
		case N_TEXT:
			buf_append(&r->out, nd->s, nd->n);
			rc = 0;
			break;
		case N_VAR:
			rc = tpl_render_var(r, nd);
			break;
		case N_BLOCK:
			rc = tpl_render_block(r, nd);
			break;
		case N_PARTIAL:
			pt = tpl_partial_find(r->tree, nd->s, nd->n);
			if (++r->partial_depth > TPL_DEPTH_MAX) {
				r->kind = TPL_ERR_LIMIT;
				tpl_fail(r->err, "Partial %.*s nests deeper "
				    "than %d.", (int)(nd->n > TPL_SHOWN_MAX ?
				    TPL_SHOWN_MAX : nd->n), nd->s,
				    TPL_DEPTH_MAX);
				return -1;
			}
			rc = pt != NULL ? tpl_render_nodes(r, pt->body) : 0;
			r->partial_depth--;
			break;
		default:
			rc = 0;
			break;
		}
		if (rc != 0)
			return -1;
		if (r->out.len > TPL_OUTPUT_MAX_BYTES) {
			r->kind = TPL_ERR_LIMIT;
			tpl_fail(r->err, "The rendered template exceeds %d "
			    "bytes.", TPL_OUTPUT_MAX_BYTES);
			return -1;
		}
	}
	return 0;
}

char *
tpl_render(const char *text, size_t n, const json_t *data, size_t *out_len,
    enum tpl_error *kind, char err[TPL_ERROR_MAX_BYTES])
{
	struct tpl_tree tree;
	struct tpl_render r;
	char *s;

	err[0] = '\0';
	*kind = TPL_OK;
	if (tpl_parse(text, n, &tree, err) != 0) {
		*kind = TPL_ERR_SYNTAX;
		return NULL;
	}
	memset(&r, 0, sizeof(r));
	r.tree = &tree;
	r.root = data;
	r.err = err;
	r.frames[0].ctx = data;
	r.nframes = 1;
	buf_init(&r.out);
	if (tpl_render_nodes(&r, tree.root) != 0) {
		*kind = r.kind;
		buf_fini(&r.out);
		tpl_tree_fini(&tree);
		return NULL;
	}
	tpl_tree_fini(&tree);
	s = buf_steal(&r.out, out_len);
	return s;
}

/* ---- the TestRenderTemplate message ---- */

/* Longest line 7bit allows (RFC 5322 2.1.1, without CRLF). */
#define TPL_LINE_MAX_BYTES 998
/* Quoted-printable lines stop before this (RFC 2045 6.7, with '='). */
#define TPL_QP_LINE_MAX 76
/* Bytes of UTF-8 per RFC 2047 encoded-word (60 base64 characters). */
#define TPL_WORD_MAX_BYTES 45

/* Non-zero when s (n bytes) can go as 7bit: ASCII without NUL, lines of
 * at most 998 bytes. */
static int
tpl_7bit_ok(const char *s, size_t n)
{
	size_t i, line = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0 || c >= 0x80)
			return 0;
		if (c == '\n' || c == '\r')
			line = 0;
		else if (++line > TPL_LINE_MAX_BYTES)
			return 0;
	}
	return 1;
}

/* Appends s with every line ending (LF, CR, CRLF) made CRLF. */
static void
tpl_put_crlf(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r') {
			buf_append(b, "\r\n", 2);
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
		} else if (s[i] == '\n')
			buf_append(b, "\r\n", 2);
		else
			buf_putc(b, s[i]);
	}
}

/* Appends s as quoted-printable (RFC 2045 6.7); line breaks are hard. */
static void
tpl_put_qp(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, col = 0, need;
	unsigned char c;
	int eol, enc;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\r' || c == '\n') {
			buf_append(b, "\r\n", 2);
			if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
			col = 0;
			continue;
		}
		eol = i + 1 == n || s[i + 1] == '\r' || s[i + 1] == '\n';
		enc = c == '=' || c < 0x20 || c >= 0x7f ||
		    ((c == ' ' || c == '\t') && eol);
		if (c == '\t' && !eol)
			enc = 0;
		need = enc ? 3 : 1;
		/* a soft break keeps the line, with its '=', within 76 */
		if (col + need > TPL_QP_LINE_MAX - (eol ? 0 : 1)) {
			buf_append(b, "=\r\n", 3);
			col = 0;
		}
		if (enc) {
			buf_putc(b, '=');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		} else
			buf_putc(b, (char)c);
		col += need;
	}
}

/* Appends the Subject header's value: as is when it is short printable
 * ASCII, else RFC 2047 B words of whole UTF-8 characters. */
static void
tpl_put_subject(struct buf *b, const char *s, size_t n)
{
	size_t i, k, start;
	int plain = n <= TPL_LINE_MAX_BYTES - 20 && memmem(s, n, "=?", 2) ==
	    NULL;
	char *clean = xmalloc(n + 1);

	/* EMU: line breaks in a rendered subject become spaces; a header
	 * cannot hold them. */
	for (i = 0; i < n; i++) {
		clean[i] = s[i] == '\r' || s[i] == '\n' ? ' ' : s[i];
		if ((unsigned char)clean[i] < 0x20 ||
		    (unsigned char)clean[i] >= 0x7f)
			plain = 0;
	}
	if (plain) {
		buf_append(b, clean, n);
		free(clean);
		return;
	}
	for (start = 0; start < n; start = k) {
		k = start + TPL_WORD_MAX_BYTES < n ? start +
		    TPL_WORD_MAX_BYTES : n;
		/* back up to the start of a UTF-8 character */
		while (k < n && k > start + 1 &&
		    ((unsigned char)clean[k] & 0xc0) == 0x80)
			k--;
		if (start > 0)
			buf_append(b, "\r\n ", 3);
		buf_puts(b, "=?UTF-8?B?");
		buf_base64(b, (const unsigned char *)clean + start, k - start);
		buf_puts(b, "?=");
	}
	free(clean);
}

/* Appends one body part's headers and content. */
static void
tpl_put_part(struct buf *b, const char *subtype, const char *s, size_t n)
{
	int plain = tpl_7bit_ok(s, n);

	buf_printf(b, "Content-Type: text/%s; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: %s\r\n\r\n", subtype,
	    plain ? "7bit" : "quoted-printable");
	if (plain)
		tpl_put_crlf(b, s, n);
	else
		tpl_put_qp(b, s, n);
}

static void
tpl_put_date(struct buf *b, int64_t now_ms)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* FNV-1a, for a boundary that depends on the content only. */
static uint64_t
tpl_hash(uint64_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Renders one part into *out (NULL stays NULL). 0, or -1 with err. */
static int
tpl_render_part(const char *src, const json_t *data, char **out,
    size_t *len, enum tpl_error *kind, char *err)
{
	*out = NULL;
	*len = 0;
	if (src == NULL)
		return 0;
	*out = tpl_render(src, strlen(src), data, len, kind, err);
	return *out == NULL ? -1 : 0;
}

char *
tpl_render_message_at(const char *subject, const char *text,
    const char *html, const json_t *data, int64_t now_ms, size_t *len,
    enum tpl_error *kind, char err[TPL_ERROR_MAX_BYTES])
{
	char *sub = NULL, *txt = NULL, *htm = NULL, boundary[64];
	size_t nsub, ntxt, nhtm;
	uint64_t h = 0xcbf29ce484222325ULL;
	struct buf b;

	*kind = TPL_OK;
	err[0] = '\0';
	if (tpl_render_part(subject, data, &sub, &nsub, kind, err) != 0 ||
	    tpl_render_part(text, data, &txt, &ntxt, kind, err) != 0 ||
	    tpl_render_part(html, data, &htm, &nhtm, kind, err) != 0) {
		free(sub);
		free(txt);
		free(htm);
		return NULL;
	}
	buf_init(&b);
	tpl_put_date(&b, now_ms);
	if (sub != NULL) {
		buf_puts(&b, "Subject: ");
		tpl_put_subject(&b, sub, nsub);
		buf_puts(&b, "\r\n");
	}
	buf_puts(&b, "MIME-Version: 1.0\r\n");
	if (txt != NULL && htm != NULL) {
		/* "=_" cannot occur in quoted-printable; a 7bit body that
		 * happens to hold the boundary gets another one. */
		h = tpl_hash(h, txt, ntxt);
		h = tpl_hash(h, htm, nhtm);
		for (;;) {
			snprintf(boundary, sizeof(boundary),
			    "----=_Part_%016llx", (unsigned long long)h);
			if (strstr(txt, boundary) == NULL &&
			    strstr(htm, boundary) == NULL)
				break;
			h = tpl_hash(h, "+", 1);
		}
		buf_printf(&b, "Content-Type: multipart/alternative; \r\n"
		    "\tboundary=\"%s\"\r\n\r\n--%s\r\n", boundary, boundary);
		tpl_put_part(&b, "plain", txt, ntxt);
		buf_printf(&b, "\r\n--%s\r\n", boundary);
		tpl_put_part(&b, "html", htm, nhtm);
		buf_printf(&b, "\r\n--%s--\r\n", boundary);
	} else if (htm != NULL)
		tpl_put_part(&b, "html", htm, nhtm);
	else
		tpl_put_part(&b, "plain", txt != NULL ? txt : "",
		    txt != NULL ? ntxt : 0);
	free(sub);
	free(txt);
	free(htm);
	return buf_steal(&b, len);
}

char *
tpl_render_message(const char *subject, const char *text, const char *html,
    const json_t *data, size_t *len, enum tpl_error *kind,
    char err[TPL_ERROR_MAX_BYTES])
{
	return tpl_render_message_at(subject, text, html, data,
	    tclock_now_ms(), len, kind, err);
}
