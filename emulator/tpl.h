/*
 * tpl — SES's Handlebars subset: parses and renders the subject, text and
 * HTML parts of email templates against TemplateData, and builds the MIME
 * message TestRenderTemplate returns.
 *
 * Supported: {{path}} and {{{path}}} (never HTML-escaped), {{&path}},
 * dotted paths, this, ../, @root, @index, @key, @first, @last;
 * {{#if}}, {{#unless}}, {{#each}} (arrays and objects), {{#with}}, each
 * with {{else}} and chained {{else if x}}; inline partials
 * {{#* inline "n"}}…{{/inline}} used as {{> n}}; {{! }} and {{!-- --}}
 * comments; ~ whitespace control on either side of any tag.
 *
 * It does not read the store, send mail or know about the API: op_tpl
 * turns its errors into SES codes. Stateless and thread-safe.
 */
#ifndef TPL_H
#define TPL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define TPL_ERROR_MAX_BYTES 512
/* What one render may produce before it fails with TPL_ERR_LIMIT. */
#define TPL_OUTPUT_MAX_BYTES (16 * 1024 * 1024)
/* Nesting of blocks and partials a template may use. */
#define TPL_DEPTH_MAX 64

enum tpl_error {
	TPL_OK,
	/* A plain {{x}} names an attribute the data lacks (or holds null);
	 * err = "Attribute 'x' is not present in the rendering data." */
	TPL_ERR_MISSING,
	/* Unbalanced or unknown block, unknown partial, malformed tag. */
	TPL_ERR_SYNTAX,
	/* The output would exceed TPL_OUTPUT_MAX_BYTES, or partials recurse
	 * deeper than TPL_DEPTH_MAX. */
	TPL_ERR_LIMIT,
};

/*
 * Renders template text (n bytes) with data (a JSON object, borrowed).
 * Returns a new NUL-terminated string (length in *out_len, may be NULL),
 * or NULL with *kind and err set.
 */
char *tpl_render(const char *text, size_t n, const json_t *data,
    size_t *out_len, enum tpl_error *kind, char err[TPL_ERROR_MAX_BYTES]);

/*
 * Checks the syntax of text (n bytes) without data: 0, or -1 with err set.
 * Create/UpdateTemplate answer InvalidTemplate with err.
 */
int tpl_check(const char *text, size_t n, char err[TPL_ERROR_MAX_BYTES])
    __attribute__((warn_unused_result));

/*
 * Renders a whole template (subject, text part, html part; any may be NULL)
 * to the MIME message TestRenderTemplate returns, dated now_ms:
 *
 *   Date: Tue, 02 Jan 2024 10:00:00 +0000
 *   Subject: <rendered; RFC 2047 "=?UTF-8?B?…?=" words when not ASCII>
 *   MIME-Version: 1.0
 *   Content-Type: multipart/alternative; boundary="…"   (text and html)
 *     part 1: text/plain; charset=UTF-8
 *     part 2: text/html; charset=UTF-8
 *
 * With one body the message is that single part; with none, an empty
 * text/plain. Each body is 7bit when it is ASCII with lines of at most 998
 * bytes, else quoted-printable. Lines end in CRLF. Returns a new string
 * (length in *len), or NULL with *kind and err set (the first failing part,
 * in the order subject, text, html).
 */
char *tpl_render_message_at(const char *subject, const char *text,
    const char *html, const json_t *data, int64_t now_ms, size_t *len,
    enum tpl_error *kind, char err[TPL_ERROR_MAX_BYTES]);
/* tpl_render_message_at dated by the test clock (tclock). */
char *tpl_render_message(const char *subject, const char *text,
    const char *html, const json_t *data, size_t *len, enum tpl_error *kind,
    char err[TPL_ERROR_MAX_BYTES]);

#endif
