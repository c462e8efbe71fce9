/*
 * mime — Internet message syntax as SES handles it: address parsing with
 * JavaMail's messages, building the message SES sends for SendEmail Simple
 * content, parsing raw messages (SendRawEmail, SMTP) with the errors SES
 * answers for malformed ones, and rewriting a parsed message's HTML parts
 * in place (for open and click tracking; what to write is the caller's).
 *
 * AWS: SES is built on JavaMail. Messages it builds carry JavaMail's header
 * order, folding ("multipart/alternative; \r\n\tboundary=...") and boundary
 * ("----=_Part_<n>_<hash>.<ms>"); the parse errors it returns are
 * JavaMail's ("Missing start boundary", "Expected '/', got ;") plus its own
 * duplicate-header check. This module reproduces both.
 *
 * It holds no state between calls, sends nothing, knows nothing about
 * identities or quotas, and does not decide what an error means on the
 * wire (InvalidParameterValue, "554 Transaction failed: ...").
 */
#ifndef MIME_H
#define MIME_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define MIME_ERROR_MAX_BYTES 256
/* RFC 5322 line limit without the CRLF. */
#define MIME_LINE_MAX_BYTES 998
/* Multipart nesting deeper than this is refused. */
#define MIME_DEPTH_MAX 32

/* --- addresses --- */

/*
 * Parses one address as SES accepts it in Source / To / FromEmailAddress:
 * "a@b.c", "Name <a@b.c>", "\"Quoted, Name\" <a@b.c>", RFC 2047 encoded
 * display names allowed. Writes the bare address (new) to *addr and the
 * display name (new, unquoted and decoded to UTF-8, or NULL when there is
 * none) to *display. Returns 0, or -1 with why set to JavaMail's text
 * ("Missing final '@domain'", "Illegal address" for an unquoted comma in
 * a display name, "Missing '>'", ...); *addr and *display are NULL then.
 * display may be NULL when the caller does not want it.
 */
int mime_address_parse(const char *s, char **addr, char **display,
    char why[MIME_ERROR_MAX_BYTES]) __attribute__((warn_unused_result));
/*
 * Splits an address-list header value ("A <a@x>, b@y, \"C, D\" <c@z>")
 * into a new JSON array of the addresses as written (trimmed), respecting
 * quotes, comments, angle brackets and groups (a group is one item);
 * empty items are skipped. Each item still needs mime_address_parse for
 * the strict check. Returns 0, or -1 with why set on broken syntax
 * ("Missing '>'", "Missing '\"'", ...), *out NULL then.
 */
int mime_address_list(const char *s, json_t **out,
    char why[MIME_ERROR_MAX_BYTES]) __attribute__((warn_unused_result));

/*
 * AWS: an address-list header value as JavaMail's
 * InternetAddress.toUnicodeString writes each address: "Name <a@b>" with
 * the display name RFC 2047 decoded and quoted when it holds RFC 822
 * specials or non-ASCII characters, "a@b" without one; the addresses
 * joined by ", " (no folding). Returns a new string, or NULL when the
 * value is empty or an item does not parse as one address (a group,
 * broken syntax).
 */
char *mime_address_unicode(const char *value);

/* --- building (SendEmail Simple / v2 Simple) --- */

struct mime_part {
	const char *data;	/* NULL = absent; UTF-8 */
	size_t len;
	const char *charset;	/* NULL = UTF-8 */
};
struct mime_attachment {
	const char *filename;
	const char *content_type;	/* NULL = from the file name */
	const char *disposition;	/* "attachment" (NULL) or "inline" */
	const char *content_id;		/* with or without <> */
	const char *description;
	/* NULL (= "BASE64"), "BASE64", "QUOTED_PRINTABLE", "SEVEN_BIT" */
	const char *transfer_encoding;
	const unsigned char *data;
	size_t len;
};
struct mime_header {
	const char *name;
	const char *value;
};
struct mime_simple {
	const char *from;	/* as given, may have a display name */
	const char *const *to;
	size_t nto;
	const char *const *cc;
	size_t ncc;		/* Bcc never appears in headers */
	const char *const *reply_to;
	size_t nreply_to;
	struct mime_part subject;
	struct mime_part text;
	struct mime_part html;
	const struct mime_attachment *attachments;
	size_t nattachments;
	/* v2 custom Headers, appended after the standard ones */
	const struct mime_header *headers;
	size_t nheaders;
	const char *message_id;	/* full value "<...@email.amazonses.com>";
				 * NULL = no Message-ID header */
	int64_t date_ms;	/* Date header; <= 0 = no Date header */
	uint64_t boundary_seed;	/* makes the boundaries deterministic */
};
/*
 * Builds the message as SES does (JavaMail's layout): headers Date, From,
 * Reply-To, To, Cc, Message-ID, Subject (RFC 2047, folded, when not
 * ASCII), MIME-Version, Content-Type, Content-Transfer-Encoding, then the
 * custom headers. Text only → text/plain; html only → text/html; both →
 * multipart/alternative; inline attachments with a Content-ID next to html
 * → multipart/related around the html; other attachments →
 * multipart/mixed around it all. Text bodies are 7bit when ASCII with
 * lines <= 998, quoted-printable when mostly ASCII, base64 otherwise;
 * attachments base64 unless told. CRLF line endings throughout. Addresses
 * are written as given, display names quoted or encoded when needed; an
 * address mime_address_parse refuses is written as given. Returns the new
 * text (NUL-terminated), its length in *len.
 */
char *mime_build(const struct mime_simple *m, size_t *len);

/* --- parsing (SendRawEmail, later SMTP) --- */

struct mime_msg;

/*
 * Parses raw[0..len) (a copy is kept; raw is not referenced afterwards).
 * Lines may end in CRLF or LF. Returns a new message, or NULL with err set
 * to SES's text when SES rejects the message: "Duplicate header
 * 'Content-Type'." for a header SES allows once (the Developer Guide's
 * list), JavaMail's Content-Type / Content-Disposition errors ("Expected
 * '/', got ;", "Expected disposition, got =", "Unbalanced quoted string")
 * for any part, "Missing start boundary" for a multipart without its
 * first boundary. An empty message parses (no headers, empty body).
 */
struct mime_msg *mime_parse(const char *raw, size_t len,
    char err[MIME_ERROR_MAX_BYTES]);
/*
 * Parses only the top-level header section of raw[0..len) (a copy of that
 * section is kept): no checks, no body, so it never fails. Returns a new
 * message on which the header functions below work as on mime_parse's;
 * it has no parts and serializes to its headers alone. For readers of a
 * message already accepted (event payloads), which need not parse a body
 * of up to 40 MB again.
 */
struct mime_msg *mime_parse_headers(const char *raw, size_t len);
/* Frees m; NULL is a no-op. */
void mime_msg_free(struct mime_msg *m);

/*
 * Top-level headers in order: count, name and value of the i-th (both
 * borrowed, valid until m changes or is freed). Values are unfolded the
 * way JavaMail does (each line break and the blanks after it become one
 * space, blanks after the colon dropped). A line without a colon is a
 * header whose name is the whole line and whose value is "".
 */
size_t mime_header_count(const struct mime_msg *m);
const char *mime_header_name(const struct mime_msg *m, size_t i);
const char *mime_header_value(const struct mime_msg *m, size_t i);
/* First value called name (any case; borrowed as above), or NULL. */
const char *mime_header_get(const struct mime_msg *m, const char *name);
/* Non-zero when a part's decoded body contains needle (n bytes). */
int mime_contains(const struct mime_msg *m, const char *needle, size_t n);
/* AWS: name's spelling in SES's list of header fields a message may carry
 * only once (static), or NULL when it may repeat. */
const char *mime_unique_header(const char *name);
/*
 * RFC 2047 decoding of a header value to UTF-8 (new): encoded-words in
 * any charset iconv knows, blanks between adjacent encoded-words dropped,
 * line breaks unfolded. Words that do not decode are kept as written.
 */
char *mime_header_decode(const char *value);
/* Removes every top-level header called name (any case). */
void mime_header_remove(struct mime_msg *m, const char *name);
/*
 * Sets header name to value (copied): replaces the first one called name
 * in place and removes the others, or adds it at the top when absent.
 */
void mime_header_set(struct mime_msg *m, const char *name,
    const char *value);
/*
 * AWS: removes the X-SES-* control headers SES strips before delivery
 * (X-SES-CONFIGURATION-SET, X-SES-MESSAGE-TAGS, X-SES-SOURCE-ARN,
 * X-SES-FROM-ARN, X-SES-RETURN-PATH-ARN, X-SES-LIST-MANAGEMENT-OPTIONS).
 */
void mime_strip_ses_headers(struct mime_msg *m);
/*
 * The message as text again (new, NUL-terminated; length in *len):
 * untouched headers byte for byte, changed or added ones as "Name: value"
 * with the message's own line ending, the body bytes untouched.
 */
char *mime_serialize(const struct mime_msg *m, size_t *len);

/* --- rewriting HTML parts (open and click tracking of raw mail) --- */

/*
 * Called by mime_html_rewrite for one HTML part. html[0..len) is the
 * part's text, decoded from its transfer encoding, without its last line
 * break (borrowed, NUL-terminated, valid during the call; bytes in the
 * part's charset, which keeps ASCII's bytes for ASCII; it may hold NULs).
 * Returns the new text (new, NUL-terminated, length in *out_len) for
 * mime_html_rewrite to take, or NULL to leave the part as it is.
 */
typedef char *(*mime_html_fn)(void *arg, const char *html, size_t len,
    size_t *out_len);
/*
 * Rewrites the body of each text/html leaf of m in document order, at any
 * depth of multipart/alternative, related, mixed, ... A leaf is left out
 * when it has Content-Disposition: attachment (EMU; a file name alone
 * does not count), a Content-Transfer-Encoding
 * other than 7bit, 8bit, binary, quoted-printable or base64 (none means
 * 7bit), or a charset whose ASCII characters are not ASCII's bytes
 * (UTF-16, UTF-32, UCS-2, UTF-7, EBCDIC; a charset iconv does not know
 * counts as ASCII-based). HTML inside a message/rfc822 part is not a leaf
 * of m and is not looked at.
 *
 * fn gets the decoded text; its result is written back in the part's own
 * encoding and line-break style (that of the part's first line, else the
 * message's): base64 in lines of 76 characters; quoted-printable with
 * soft line breaks so no line passes 76 characters, its line breaks
 * written in that style, a '-' that starts a line encoded (so none reads
 * as a boundary); 7bit / 8bit / binary as returned, line breaks and all
 * (EMU: not re-wrapped, so a line may pass 998 characters; fn should add
 * none). The text's last line break, when it had one, is put back after
 * fn's result; base64 lines end in a line break when the old ones did. A
 * result equal to the text leaves the part byte for byte.
 *
 * Nothing else changes: headers (the parts' included), boundaries,
 * preambles and the other parts keep their bytes, and mime_serialize
 * writes them as before. Returns the number of parts rewritten.
 */
size_t mime_html_rewrite(struct mime_msg *m, mime_html_fn fn, void *arg);
/*
 * The leaves of m (the parts that are not multipart, in order, as
 * mime_summary lists them): how many, the Content-ID of leaf i without
 * its angle brackets (borrowed, valid until m is freed; NULL when it has
 * none or i is out of range), and the decoded bytes of leaf i (new,
 * NUL-terminated, length in *len; empty when i is out of range).
 */
size_t mime_leaf_count(const struct mime_msg *m);
const char *mime_leaf_content_id(const struct mime_msg *m, size_t i);
char *mime_leaf_body(const struct mime_msg *m, size_t i, size_t *len);
/*
 * A JSON summary for tests and the capture API (new):
 * {"headers":[{"name","value"}],
 *  "parts":[{"content_type","charset","filename","disposition","size",
 *            "text"}]}
 * parts are the leaves in order; content_type lower-case (text/plain when
 * absent); charset, filename (RFC 2231 / 2047 decoded) and disposition
 * null when absent; size in decoded bytes; text (decoded to UTF-8) only
 * for text parts (text/plain, text/html, ...).
 */
json_t *mime_summary(const struct mime_msg *m);

#endif
