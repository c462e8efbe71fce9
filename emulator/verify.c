/*
 * verify — verification emails and their links (see verify.h).
 */
#include "verify.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "http.h"
#include "ident.h"
#include "store_identity.h"
#include "store_link.h"
#include "store_message.h"
#include "wire.h"
#include "xmem.h"

#define VERIFY_TOKEN_BYTES 24

/* AWS: the standard email's sender and subject (SES-REFERENCE §9.3). */
#define VERIFY_FROM "Amazon Web Services <no-reply-aws@amazon.com>"
#define VERIFY_FROM_ADDRESS "no-reply-aws@amazon.com"

/* Region names as the SES console and its emails write them. */
static const struct {
	const char *code;
	const char *name;
} verify_regions[] = {
	{ "us-east-1", "US East (N. Virginia)" },
	{ "us-east-2", "US East (Ohio)" },
	{ "us-west-1", "US West (N. California)" },
	{ "us-west-2", "US West (Oregon)" },
	{ "ca-central-1", "Canada (Central)" },
	{ "eu-west-1", "Europe (Ireland)" },
	{ "eu-west-2", "Europe (London)" },
	{ "eu-west-3", "Europe (Paris)" },
	{ "eu-central-1", "Europe (Frankfurt)" },
	{ "eu-north-1", "Europe (Stockholm)" },
	{ "eu-south-1", "Europe (Milan)" },
	{ "ap-south-1", "Asia Pacific (Mumbai)" },
	{ "ap-northeast-1", "Asia Pacific (Tokyo)" },
	{ "ap-northeast-2", "Asia Pacific (Seoul)" },
	{ "ap-northeast-3", "Asia Pacific (Osaka)" },
	{ "ap-southeast-1", "Asia Pacific (Singapore)" },
	{ "ap-southeast-2", "Asia Pacific (Sydney)" },
	{ "sa-east-1", "South America (Sao Paulo)" },
	{ "me-south-1", "Middle East (Bahrain)" },
	{ "af-south-1", "Africa (Cape Town)" },
};

static const char *
verify_region_name(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(verify_regions) / sizeof(verify_regions[0]);
	    i++)
		if (strcmp(verify_regions[i].code, code) == 0)
			return verify_regions[i].name;
	return code;
}

/* Base URL of links: public-url, else the HTTP listener's address. */
static void
verify_base_url(const struct cfg *cfg, struct buf *b)
{
	http_base_url(cfg->public_url, cfg->listen, b);
}

static void
verify_token(char *out, size_t n)
{
	unsigned char r[VERIFY_TOKEN_BYTES];
	struct buf b;
	size_t i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		abort();
	buf_init(&b);
	buf_base64(&b, r, sizeof(r));
	/* URL-safe alphabet, so the token needs no escaping. */
	for (i = 0; i < b.len; i++)
		b.data[i] = b.data[i] == '+' ? '-' : b.data[i] == '/' ? '_' :
		    b.data[i];
	snprintf(out, n, "%s", b.data);
	buf_fini(&b);
}

/* Appends s as an RFC 2047 encoded-word when it is not plain ASCII. */
static void
verify_header_text(struct buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80 || *p < ' ')
			break;
	if (*p == '\0') {
		buf_puts(b, s);
		return;
	}
	/* RFC 2047: encoded-words of at most 75 characters, folded. Chunks
	 * of 45 bytes (60 base64 characters) that never split a UTF-8
	 * sequence. */
	for (p = (const unsigned char *)s; *p; ) {
		size_t n = strlen((const char *)p);

		if (n > 45) {
			n = 45;
			while (n > 0 && (p[n] & 0xc0) == 0x80)
				n--;
		}
		if (p != (const unsigned char *)s)
			buf_puts(b, "\r\n ");
		buf_puts(b, "=?UTF-8?B?");
		buf_base64(b, p, n);
		buf_puts(b, "?=");
		p += n;
	}
}

/*
 * Writes the headers every verification email has; the caller appends
 * Content-Type, a blank line and the body.
 */
static void
verify_headers(struct op_ctx *ctx, struct buf *b, const char *from,
    const char *to, const char *subject, const char *id)
{
	char date[WIRE_DATE_MAX_BYTES], domain[MSGID_DOMAIN_MAX_BYTES];

	wire_date_rfc5322(ctx->now_ms, date);
	msgid_domain(ctx->region, domain);
	buf_printf(b, "From: %s\r\nTo: %s\r\nSubject: ", from, to);
	verify_header_text(b, subject);
	buf_printf(b, "\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n"
	    "MIME-Version: 1.0\r\n", date, id, domain);
}

/* Stores the message and its link in the caller's transaction. */
static int
verify_capture(struct op_ctx *ctx, const char *kind, const char *from,
    const char *to, const char *subject, struct buf *raw,
    struct store_link *link, const char *id, struct awserr *e)
{
	struct store_message m = { .message_id = id, .account = ctx->account,
	    .region = ctx->region, .kind = kind, .source = from,
	    .subject = subject, .raw = raw->data, .raw_len = raw->len,
	    .created_ms = ctx->now_ms };
	json_t *dest = json_pack("[s]", to);
	int rc;

	m.destinations = dest;
	link->account = (char *)ctx->account;
	link->region = (char *)ctx->region;
	link->identity = (char *)to;
	link->created_ms = ctx->now_ms;
	rc = store_message_insert(ctx->store, &m) != 0 ||
	    store_link_insert(ctx->store, link) != 0 ? -1 : 0;
	json_decref(dest);
	if (rc != 0)
		awserr_set(e, "InternalFailure", "cannot store the verification "
		    "email");
	return rc;
}

int
verify_send_standard(struct op_ctx *ctx, const char *address,
    char id[MSGID_BYTES], struct awserr *e)
{
	char token[64], subject[160];
	struct store_link link = { .token = token };
	struct buf raw, url;
	int rc;

	verify_token(token, sizeof(token));
	msgid_new(ctx->region, ctx->now_ms, id);
	buf_init(&url);
	verify_base_url(ctx->cfg, &url);
	buf_printf(&url, "%s?token=%s", VERIFY_PATH, token);
	/* AWS: subject per SES-REFERENCE §9.3 (with an en dash). */
	snprintf(subject, sizeof(subject), "Amazon Web Services \xe2\x80\x93 "
	    "Email Address Verification Request in region %s",
	    verify_region_name(ctx->region));
	buf_init(&raw);
	verify_headers(ctx, &raw, VERIFY_FROM, address, subject, id);
	/* EMU: the body's exact words are not captured anywhere; this
	 * follows the real email's parts: the request, the link, its expiry
	 * and what to do when it was not you. */
	buf_printf(&raw, "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n"
	    "Dear Amazon Web Services Customer,\r\n\r\n"
	    "We have received a request to authorize this email address for "
	    "use with Amazon SES and Amazon Pinpoint in region %s. If you "
	    "requested this verification, please go to the following URL to "
	    "confirm that you are authorized to use this email address:\r\n\r\n"
	    "%s\r\n\r\n"
	    "Your request will not be processed unless you confirm the "
	    "address using this URL. This link expires 24 hours after your "
	    "original verification request.\r\n\r\n"
	    "If you did NOT request to verify this email address, do not "
	    "click on the link.\r\n\r\n"
	    "Sincerely,\r\n\r\nThe Amazon Web Services Team.\r\n",
	    verify_region_name(ctx->region), url.data);
	rc = verify_capture(ctx, "verification", VERIFY_FROM_ADDRESS, address,
	    subject, &raw, &link, id, e);
	buf_fini(&raw);
	buf_fini(&url);
	return rc;
}

int
verify_send_custom(struct op_ctx *ctx, const char *address,
    const struct store_cvt *t, char id[MSGID_BYTES], struct awserr *e)
{
	char token[64];
	struct store_link link = { .token = token, .template = t->name,
	    .success_url = t->success_url, .failure_url = t->failure_url };
	struct buf raw, url;
	int rc;

	verify_token(token, sizeof(token));
	msgid_new(ctx->region, ctx->now_ms, id);
	buf_init(&url);
	verify_base_url(ctx->cfg, &url);
	buf_printf(&url, "%s?token=%s", VERIFY_PATH, token);
	buf_init(&raw);
	verify_headers(ctx, &raw, t->from_address, address, t->subject, id);
	/* AWS: SES appends the verification link and a fixed footer to the
	 * template's content (SES-REFERENCE §9.4). */
	buf_printf(&raw, "Content-Type: text/html; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n"
	    "<p><a href=\"%s\">%s</a></p>\r\n"
	    "<p>If you did not request to verify this email address, please "
	    "disregard this message. If you have any concerns, please forward "
	    "this message to the following email address along with your "
	    "questions or comments: aws-email-domain-verification@amazon.com"
	    "</p>\r\n", t->content ? t->content : "", url.data, url.data);
	rc = verify_capture(ctx, "custom-verification", t->from_address,
	    address, t->subject, &raw, &link, id, e);
	buf_fini(&raw);
	buf_fini(&url);
	return rc;
}

int
verify_open(struct store *s, const char *token, int64_t now_ms,
    struct verify_outcome *out)
{
	struct store_identity id;
	struct store_link link;
	int rc, expired;

	memset(out, 0, sizeof(*out));
	out->result = VERIFY_UNKNOWN;
	if ((rc = store_link_get(s, token, &link)) != 0)
		return rc < 0 ? -1 : 0;
	snprintf(out->identity, sizeof(out->identity), "%s", link.identity);
	expired = now_ms - link.created_ms > VERIFY_LINK_TTL_MS;
	if (store_link_delete(s, token) != 0 ||
	    (rc = store_identity_get(s, link.account, link.region,
	    link.identity, &id)) < 0)
		goto fail;
	if (link.template != NULL) {
		snprintf(out->redirect, sizeof(out->redirect), "%s", expired ?
		    link.failure_url : link.success_url);
		if (rc == 1 && !expired) {
			/* AWS: a custom-template identity is created only
			 * when its link is opened (SES-REFERENCE §9.4). */
			store_identity_init(&id);
			id.name = xstrdup(link.identity);
			id.type = xstrdup("EmailAddress");
			id.created_ms = now_ms;
			rc = 0;
		}
	} else if (rc == 1) {
		/* The identity was deleted after the email went out. */
		store_link_fini(&link);
		return 0;
	}
	if (rc == 0) {
		if (!expired || strcmp(id.verification_status ?
		    id.verification_status : "", "Success") != 0) {
			free(id.verification_status);
			id.verification_status = xstrdup(expired ? "Failed" :
			    "Success");
			id.status_ms = now_ms;
		}
		if (store_identity_put(s, link.account, link.region, &id) != 0) {
			store_identity_fini(&id);
			goto fail;
		}
		store_identity_fini(&id);
	}
	out->result = expired ? VERIFY_EXPIRED : VERIFY_VERIFIED;
	store_link_fini(&link);
	return 0;
fail:
	store_link_fini(&link);
	return -1;
}
