/*
 * send — the send path every send operation shares (see send.h).
 */
#include "send.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cs.h"
#include "evdest.h"
#include "ident.h"
#include "http.h"
#include "mime.h"
#include "quota.h"
#include "rep.h"
#include "sendauth.h"
#include "store.h"
#include "store_cs.h"
#include "store_message.h"
#include "store_send.h"
#include "store_track.h"
#include "track.h"
#include "wire.h"
#include "xmem.h"

#define SEND_SIMULATOR_DOMAIN "simulator.amazonses.com"
#define SEND_FAILED_MAX_BYTES 512

/* One recipient of the envelope. */
struct send_rcpt {
	const char *as_given;		/* borrowed from the request */
	char *address;			/* new, bare */
	const char *kind;		/* "to", "cc", "bcc" */
};

struct send_state {
	struct send_rcpt *rcpts;
	size_t n;
	char *from_address;		/* new, bare */
	const char *from_given;		/* as written */
	char *from_owned;		/* from_given when it came from a header */
	json_t *keep;			/* arrays whose strings rcpts borrow */
	json_t *header_tags;		/* raw: X-SES-MESSAGE-TAGS (new) */
	char *header_arns[3];		/* raw: X-SES-SOURCE/FROM/RETURN-PATH-ARN */
	struct mime_msg *msg;		/* raw: as parsed, until serialized */
	char *raw;			/* the message as captured (new) */
	size_t raw_len;
	char *subject;			/* new, decoded */
	const char *configuration_set;
	json_t *tags;			/* {"name": ["value"]} (new) */
	const char *verdict;		/* "virus" (static), or NULL */
	char *html;			/* the HTML as tracked (new), or NULL */
	json_t *track_links;		/* its rewritten links (new), or NULL */
	json_t *submitted;		/* raw: the sender's Message-ID and Date
					 * (new), or NULL */
};

/*
 * AWS: SES accepts a message carrying a virus, then rejects it instead of
 * delivering (a Reject event, "Bad content"); the EICAR test file is how
 * to rehearse that (SES-REFERENCE §4.1). sesbox looks for it in every
 * attachment and part, decoded.
 */
static const char send_eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-"
    "STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

int
send_is_simulator(const char *address)
{
	const char *at = strrchr(address, '@');

	return at != NULL && strcasecmp(at + 1, SEND_SIMULATOR_DOMAIN) == 0;
}

static void
send_state_fini(struct send_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->rcpts[i].address);
	free(st->rcpts);
	free(st->from_address);
	free(st->from_owned);
	json_decref(st->keep);
	json_decref(st->header_tags);
	for (i = 0; i < 3; i++)
		free(st->header_arns[i]);
	mime_msg_free(st->msg);
	free(st->raw);
	free(st->subject);
	json_decref(st->tags);
	free(st->html);
	json_decref(st->track_links);
	json_decref(st->submitted);
}

/* Parses one address; InvalidParameterValue with SES's text when bad. */
static int
send_address(struct op_ctx *ctx, const char *s, char **bare, struct awserr *e)
{
	char why[MIME_ERROR_MAX_BYTES], *display = NULL;

	if (mime_address_parse(s, bare, &display, why) != 0) {
		/* AWS: the JavaMail reason alone is the message
		 * (SES-REFERENCE §1.6). */
		awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "%s", why);
		return -1;
	}
	free(display);
	return 0;
}

static int
send_add_list(struct op_ctx *ctx, struct send_state *st, const json_t *list,
    const char *kind, struct awserr *e)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v) {
		struct send_rcpt *r;

		st->rcpts = xrealloc(st->rcpts, (st->n + 1) *
		    sizeof(*st->rcpts));
		r = &st->rcpts[st->n];
		r->as_given = json_string_value(v);
		r->kind = kind;
		r->address = NULL;
		if (send_address(ctx, r->as_given, &r->address, e) != 0)
			return -1;
		st->n++;
	}
	return 0;
}

/*
 * AWS: the tag rules and texts SES answers (SES-REFERENCE §1.5, LS-SES):
 * name first, then value; "ses:" names are allowed.
 */
static int
send_check_tags(struct op_ctx *ctx, const json_t *tags, json_t *out,
    struct awserr *e)
{
	const char *code = op_err_code(ctx, OP_ERR_INVALID), *name, *value, *p;
	json_t *t;
	size_t i;

	json_array_foreach(tags, i, t) {
		name = json_string_value(json_object_get(t, "Name"));
		value = json_string_value(json_object_get(t, "Value"));
		if (name == NULL || *name == '\0') {
			awserr_set(e, code, "The tag name must be specified.");
			return -1;
		}
		if (value == NULL || *value == '\0') {
			awserr_set(e, code, "The tag value must be specified.");
			return -1;
		}
		if (strlen(name) > SEND_TAG_MAX_CHARS) {
			awserr_set(e, code, "Tag name cannot exceed 255 "
			    "characters.");
			return -1;
		}
		if (strlen(value) > SEND_TAG_MAX_CHARS) {
			awserr_set(e, code, "Tag value cannot exceed 255 "
			    "characters.");
			return -1;
		}
		for (p = strncmp(name, "ses:", 4) == 0 ? name + 4 : name; *p;
		    p++) {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' &&
			    *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    *p == '_' || *p == '-')) {
				awserr_set(e, code, "Invalid tag name <%s>: "
				    "only alphanumeric ASCII characters, '_',  "
				    "'-' are allowed.", name);
				return -1;
			}
		}
		for (p = value; *p; p++) {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' &&
			    *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    *p == '_' || *p == '-' || *p == '.' || *p == '@')) {
				awserr_set(e, code, "Invalid tag value <%s>: "
				    "only alphanumeric ASCII characters, '_',  "
				    "'-' , '.', '@' are allowed.", value);
				return -1;
			}
		}
		json_object_set_new(out, name, json_pack("[s]", value));
	}
	return 0;
}

/*
 * The sender (and, in the sandbox, every recipient but the simulator's)
 * must be verified. AWS: MessageRejected "Email address is not verified.
 * The following identities failed the check in region US-EAST-1: a, b" with
 * the identities as written and the region upper-cased (§1.5).
 */
static int
send_check_identities(struct op_ctx *ctx, struct send_state *st, int sandbox,
    int delegated, struct awserr *e)
{
	struct buf failed;
	char region[64];
	size_t i;
	int rc = 1, n = 0;

	buf_init(&failed);
	/* A sender authorized by another account's policy is verified
	 * there (sendauth), not here. */
	if (!delegated &&
	    (rc = ident_sender_verified(ctx, st->from_address, e)) < 0)
		goto out;
	if (rc == 0) {
		buf_puts(&failed, st->from_given);
		n++;
	}
	for (i = 0; sandbox && i < st->n; i++) {
		if (send_is_simulator(st->rcpts[i].address))
			continue;
		if ((rc = ident_sender_verified(ctx, st->rcpts[i].address,
		    e)) < 0)
			goto out;
		if (rc == 0) {
			if (n++ > 0)
				buf_puts(&failed, ", ");
			buf_puts(&failed, st->rcpts[i].as_given);
		}
		if (failed.len > SEND_FAILED_MAX_BYTES) {
			buf_puts(&failed, "...");
			break;
		}
	}
	rc = 0;
	if (n > 0) {
		for (i = 0; ctx->region[i] && i + 1 < sizeof(region); i++)
			region[i] = (char)(ctx->region[i] >= 'a' &&
			    ctx->region[i] <= 'z' ? ctx->region[i] - 32 :
			    ctx->region[i]);
		region[i] = '\0';
		awserr_set(e, "MessageRejected", "Email address is not "
		    "verified. The following identities failed the check in "
		    "region %s: %s", region, failed.data);
		rc = -1;
	}
out:
	buf_fini(&failed);
	return rc < 0 ? -1 : 0;
}

/* The sending-authorization action an operation needs. AWS: a v2 send of
 * raw content is checked as ses:SendRawEmail (a capture in
 * aws/aws-actionmailer-ses-ruby#10); other v2 sends as ses:SendEmail. */
static const char *
send_auth_action(const char *operation, int v2, int raw)
{
	if (v2)
		return raw ? SENDAUTH_ACTION_RAW : SENDAUTH_ACTION_SEND;
	if (strcmp(operation, "SendRawEmail") == 0)
		return SENDAUTH_ACTION_RAW;
	if (strcmp(operation, "SendTemplatedEmail") == 0)
		return SENDAUTH_ACTION_TEMPLATED;
	if (strcmp(operation, "SendBulkTemplatedEmail") == 0)
		return SENDAUTH_ACTION_BULK;
	return SENDAUTH_ACTION_SEND;
}

/*
 * Sending authorization for the identities the send names by ARN. Sets
 * *delegated when the sender's identity was authorized that way (so it
 * need not be the caller's own). Returns 0 or -1 with e set.
 */
static int
send_authorize(struct op_ctx *ctx, const struct send_request *r,
    struct send_state *st, int *delegated, struct awserr *e)
{
	const char *from_arn = r->source_arn ? r->source_arn : r->from_arn ?
	    r->from_arn : st->header_arns[0] ? st->header_arns[0] :
	    st->header_arns[1];
	const char *rp_arn = r->return_path_arn ? r->return_path_arn :
	    st->header_arns[2];
	const char **rcpts = xcalloc(st->n + 1, sizeof(*rcpts));
	struct sendauth_request a;
	char *display = NULL, *bare = NULL, why[MIME_ERROR_MAX_BYTES];
	size_t i;
	int rc = 0;

	*delegated = 0;
	if (from_arn == NULL && rp_arn == NULL) {
		free(rcpts);
		return 0;
	}
	for (i = 0; i < st->n; i++)
		rcpts[i] = st->rcpts[i].address;
	if (mime_address_parse(st->from_given, &bare, &display, why) != 0)
		display = NULL;
	memset(&a, 0, sizeof(a));
	a.caller_account = ctx->account;
	a.action = send_auth_action(r->operation, ctx->v2, r->raw != NULL);
	a.from_address = st->from_address;
	a.from_display = display;
	a.recipients = rcpts;
	a.nrecipients = st->n;
	a.feedback_address = r->return_path;
	a.api_version = ctx->v2 ? "2019-09-27" : "2010-12-01";
	a.now_ms = ctx->now_ms;
	a.source_ip = ctx->source_ip;
	if (from_arn != NULL) {
		a.identity_arn = from_arn;
		if ((rc = sendauth_check(ctx, &a, e)) == 0)
			*delegated = 1;
	}
	if (rc == 0 && rp_arn != NULL && r->return_path != NULL) {
		a.identity_arn = rp_arn;
		a.address = r->return_path;
		rc = sendauth_check(ctx, &a, e);
	}
	free(bare);
	free(display);
	free(rcpts);
	return rc;
}

/*
 * v2 custom headers (Content.Simple.Headers, template Headers): the model
 * checks each name's and value's characters and lengths; this adds the
 * combined limit and the rule raw mail follows for fields a message may
 * carry once. EMU: SES's texts for these are not captured; the duplicate
 * rule answers as SendRawEmail does for the same message.
 */
static int
send_check_headers(struct op_ctx *ctx, const struct send_request *r,
    struct awserr *e)
{
	/* What SES writes itself into a message it builds. */
	static const char *const built[] = { "Date", "From", "Message-ID",
		"Subject", "MIME-Version", "Content-Type",
		"Content-Transfer-Encoding" };
	const char *name, *value, *unique;
	const json_t *h, *other;
	size_t i, k;

	json_array_foreach(r->headers, i, h) {
		name = json_string_value(json_object_get(h, "Name"));
		value = json_string_value(json_object_get(h, "Value"));
		if (name == NULL || value == NULL)
			continue;
		if (strlen(name) + strlen(value) > SEND_HEADER_MAX_BYTES) {
			/* AWS: "The combined length of the header name and
			 * value must not exceed 996 characters." */
			awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "The "
			    "combined length of the header name and value "
			    "must not exceed %d characters: '%s'.",
			    SEND_HEADER_MAX_BYTES, name);
			return -1;
		}
		if ((unique = mime_unique_header(name)) == NULL)
			continue;
		for (k = 0; k < sizeof(built) / sizeof(built[0]); k++)
			if (strcmp(unique, built[k]) == 0)
				goto duplicate;
		if (strcmp(unique, "Reply-To") == 0 &&
		    json_array_size(r->reply_to) > 0)
			goto duplicate;
		for (k = 0; k < i; k++) {
			other = json_array_get(r->headers, k);
			if (mime_unique_header(json_string_value(
			    json_object_get(other, "Name"))) == unique)
				goto duplicate;
		}
		continue;
duplicate:
		awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "Duplicate "
		    "header '%s'.", unique);
		return -1;
	}
	return 0;
}

static int
send_check_account(struct op_ctx *ctx, struct awserr *e)
{
	struct store_account a;
	int rc = store_account_get(ctx->store, ctx->account, ctx->region, &a);
	int paused;

	if (rc < 0) {
		awserr_set(e, "InternalFailure", "cannot read account state");
		return -1;
	}
	rc = a.sending_enabled;
	store_account_fini(&a);
	if (rc && (paused = rep_paused(ctx->store, ctx->cfg, ctx->account,
	    ctx->region, ctx->now_ms)) != 0) {
		if (paused < 0) {
			awserr_set(e, "InternalFailure", "cannot read account "
			    "state");
			return -1;
		}
		/* AWS: an account AWS paused for its bounce or complaint
		 * rate (SES-REFERENCE §1.5). */
		awserr_set(e, "MessageRejected", "Sending paused for this "
		    "account. For more information, please check the inbox of "
		    "the email address associated with your AWS account.");
		return -1;
	}
	if (!rc) {
		/* EMU: the code is the model's; the text is not captured. */
		awserr_set(e, ctx->v2 ? "SendingPausedException" :
		    "AccountSendingPausedException", "Email sending is "
		    "disabled for this account in region %s.", ctx->region);
		return -1;
	}
	return 0;
}

/* "a=b, c=d" as [{Name, Value}] (new). */
static json_t *
send_header_tags(const char *h)
{
	json_t *tags = json_array();
	char *copy = xstrdup(h), *item, *save = NULL, *eq, *p;

	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		while (*item == ' ' || *item == '\t')
			item++;
		for (p = item + strlen(item); p > item && (p[-1] == ' ' ||
		    p[-1] == '\t'); p--)
			p[-1] = '\0';
		if ((eq = strchr(item, '=')) == NULL)
			continue;
		*eq = '\0';
		json_array_append_new(tags, json_pack("{s:s,s:s}", "Name", item,
		    "Value", eq + 1));
	}
	free(copy);
	return tags;
}

/* Whether configuration set cs publishes events of type t somewhere. */
static int
send_publishes(struct op_ctx *ctx, const char *cs, enum evdest_type t)
{
	json_t *d = evdest_matching(ctx->store, ctx->account, ctx->region, cs,
	    t);
	int yes = json_array_size(d) > 0;

	json_decref(d);
	return yes;
}

/*
 * AWS: a message sent with a configuration set that publishes OPEN or
 * CLICK events has its HTML tracked (SES-REFERENCE §12; track.c), built
 * or raw alike. Fills o for st's message and returns 1, with base holding
 * the URL base o borrows (the caller frees it with buf_fini); returns 0
 * (base untouched) when the message is not tracked.
 */
static int
send_track_opts(struct op_ctx *ctx, const struct send_state *st,
    const char *msgid, struct track_opts *o, struct buf *base)
{
	struct store_cs cs;
	struct awserr e;
	const char *domain = NULL, *policy;
	json_t *tracking = NULL;

	memset(o, 0, sizeof(*o));
	if (st->configuration_set == NULL)
		return 0;
	o->message_id = msgid;
	o->opens = send_publishes(ctx, st->configuration_set, EVDEST_OPEN);
	o->clicks = send_publishes(ctx, st->configuration_set, EVDEST_CLICK);
	if (!o->opens && !o->clicks)
		return 0;
	buf_init(base);
	awserr_init(&e);
	if (cs_load(ctx, st->configuration_set, &cs, &e) == 0) {
		if (cs.tracking != NULL &&
		    (tracking = json_loads(cs.tracking, 0, NULL)) != NULL)
			domain = json_string_value(json_object_get(tracking,
			    "CustomRedirectDomain"));
		/* AWS: a custom redirect domain replaces SES's own in the
		 * links (§12). EMU: served only when it resolves to sesbox;
		 * https unless the policy is OPTIONAL. */
		if (domain != NULL) {
			policy = json_string_value(json_object_get(tracking,
			    "HttpsPolicy"));
			buf_printf(base, "%s://%s", policy != NULL &&
			    strcmp(policy, "OPTIONAL") == 0 ? "http" : "https",
			    domain);
		}
		store_cs_fini(&cs);
	}
	if (domain == NULL)
		http_base_url(ctx->cfg->public_url, ctx->cfg->listen, base);
	json_decref(tracking);
	o->base = base->data;
	return 1;
}

/* The HTML to build the message with, tracked when it is to be (borrowed
 * from r or st). */
static const char *
send_track(struct op_ctx *ctx, const struct send_request *r,
    struct send_state *st, const char *msgid)
{
	struct track_opts o;
	struct buf base;

	if (r->html == NULL || !send_track_opts(ctx, st, msgid, &o, &base))
		return r->html;
	st->track_links = json_array();
	st->html = track_html(r->html, &o, st->track_links);
	buf_fini(&base);
	return st->html;
}

struct send_raw_track {
	const struct track_opts *o;
	json_t *links;			/* borrowed: st->track_links */
};

/* mime_html_fn: one HTML part of a raw message through track_html. */
static char *
send_raw_track_part(void *arg, const char *html, size_t len, size_t *out_len)
{
	const struct send_raw_track *t = arg;
	char *out;

	/* EMU: HTML with a NUL byte in it is left alone (track_html reads
	 * C strings; no browser shows such a part as written). */
	if (memchr(html, '\0', len) != NULL)
		return NULL;
	out = track_html(html, t->o, t->links);
	*out_len = strlen(out);
	return out;
}

/*
 * A raw message, once accepted: its HTML parts tracked as a built
 * message's HTML is (every text/html part that is not an attachment, the
 * links numbered on across the parts; mime_html_rewrite says which parts
 * and how they are re-encoded), then written out into st->raw.
 */
static void
send_raw_finish(struct op_ctx *ctx, struct send_state *st,
    const char *msgid)
{
	struct track_opts o;
	struct buf base;

	if (send_track_opts(ctx, st, msgid, &o, &base)) {
		struct send_raw_track t = { &o, json_array() };

		st->track_links = t.links;
		(void)mime_html_rewrite(st->msg, send_raw_track_part, &t);
		buf_fini(&base);
	}
	st->raw = mime_serialize(st->msg, &st->raw_len);
	mime_msg_free(st->msg);
	st->msg = NULL;
}

/* Builds a message from simple parts into st->raw. */
static void
send_build(struct op_ctx *ctx, const struct send_request *r,
    struct send_state *st, const char *msgid)
{
	struct mime_simple m;
	struct mime_attachment *att = NULL;
	struct mime_header *hdr = NULL;
	const char **to = NULL, **cc = NULL, **reply = NULL;
	char domain[MSGID_DOMAIN_MAX_BYTES], *message_id;
	json_t *v;
	size_t i, nto = 0, ncc = 0;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < st->n; i++) {
		if (strcmp(st->rcpts[i].kind, "to") == 0) {
			to = xrealloc(to, (nto + 1) * sizeof(*to));
			to[nto++] = st->rcpts[i].as_given;
		} else if (strcmp(st->rcpts[i].kind, "cc") == 0) {
			cc = xrealloc(cc, (ncc + 1) * sizeof(*cc));
			cc[ncc++] = st->rcpts[i].as_given;
		}
	}
	reply = xcalloc(json_array_size(r->reply_to) + 1, sizeof(*reply));
	json_array_foreach(r->reply_to, i, v)
		reply[i] = json_string_value(v);
	att = xcalloc(json_array_size(r->attachments) + 1, sizeof(*att));
	json_array_foreach(r->attachments, i, v) {
		const json_t *content = json_object_get(v, "RawContent");

		if (json_string_length(content) >= sizeof(send_eicar) - 1 &&
		    memmem(json_string_value(content), json_string_length(
		    content), send_eicar, sizeof(send_eicar) - 1) != NULL)
			st->verdict = "virus";
		const char *disp = json_string_value(json_object_get(v,
		    "ContentDisposition"));

		att[i].filename = json_string_value(json_object_get(v,
		    "FileName"));
		att[i].content_type = json_string_value(json_object_get(v,
		    "ContentType"));
		att[i].disposition = disp != NULL && strcmp(disp, "INLINE") ==
		    0 ? "inline" : "attachment";
		att[i].content_id = json_string_value(json_object_get(v,
		    "ContentId"));
		att[i].description = json_string_value(json_object_get(v,
		    "ContentDescription"));
		att[i].transfer_encoding = json_string_value(json_object_get(v,
		    "ContentTransferEncoding"));
		att[i].data = (const unsigned char *)json_string_value(
		    json_object_get(v, "RawContent"));
		att[i].len = json_string_length(json_object_get(v,
		    "RawContent"));
	}
	if ((r->text != NULL && strstr(r->text, send_eicar) != NULL) ||
	    (r->html != NULL && strstr(r->html, send_eicar) != NULL))
		st->verdict = "virus";
	hdr = xcalloc(json_array_size(r->headers) + 1, sizeof(*hdr));
	json_array_foreach(r->headers, i, v) {
		hdr[i].name = json_string_value(json_object_get(v, "Name"));
		hdr[i].value = json_string_value(json_object_get(v, "Value"));
	}
	msgid_domain(ctx->region, domain);
	message_id = xasprintf("<%s@%s>", msgid, domain);
	m.from = st->from_given;
	m.to = to;
	m.nto = nto;
	m.cc = cc;
	m.ncc = ncc;
	m.reply_to = reply;
	m.nreply_to = json_array_size(r->reply_to);
	m.subject.data = r->subject;
	m.subject.len = r->subject ? strlen(r->subject) : 0;
	m.subject.charset = r->subject_charset;
	m.text.data = r->text;
	m.text.len = r->text ? strlen(r->text) : 0;
	m.text.charset = r->text_charset;
	m.html.data = send_track(ctx, r, st, msgid);
	m.html.len = m.html.data ? strlen(m.html.data) : 0;
	m.html.charset = r->html_charset;
	m.attachments = att;
	m.nattachments = json_array_size(r->attachments);
	m.headers = hdr;
	m.nheaders = json_array_size(r->headers);
	m.message_id = message_id;
	m.date_ms = ctx->now_ms;
	m.boundary_seed = (uint64_t)ctx->now_ms ^ (uint64_t)(uintptr_t)st;
	st->raw = mime_build(&m, &st->raw_len);
	st->subject = xstrdup(r->subject ? r->subject : "");
	free(message_id);
	free(to);
	free(cc);
	free(reply);
	free(att);
	free(hdr);
}

/*
 * SendRawEmail: parses the message into st->msg, takes envelope and
 * options from it where the request does not give them (API parameters
 * win), strips the X-SES-* headers, sets Message-ID and Date as SES does.
 * send_raw_finish writes it out once the send is accepted.
 */
static int
send_raw(struct op_ctx *ctx, const struct send_request *r,
    struct send_state *st, const char *msgid, struct awserr *e)
{
	static const char *const strip[] = { "X-SES-CONFIGURATION-SET",
	    "X-SES-MESSAGE-TAGS", "X-SES-SOURCE-ARN", "X-SES-FROM-ARN",
	    "X-SES-RETURN-PATH-ARN", "X-SES-LIST-MANAGEMENT-OPTIONS" };
	char err[MIME_ERROR_MAX_BYTES], domain[MSGID_DOMAIN_MAX_BYTES];
	char date[WIRE_DATE_MAX_BYTES], *message_id, *subject;
	struct mime_msg *m;
	const char *h;
	json_t *list;
	size_t i;

	if ((m = mime_parse(r->raw, r->raw_len, err)) == NULL) {
		/* AWS: malformed raw mail is InvalidParameterValue with the
		 * parser's reason (SES-REFERENCE §1.6). */
		awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "%s", err);
		return -1;
	}
	if (mime_contains(m, send_eicar, sizeof(send_eicar) - 1))
		st->verdict = "virus";
	if (st->from_given == NULL &&
	    (st->from_given = mime_header_get(m, "From")) == NULL) {
		/* AWS: "Missing required header 'From'." (devtron#2030). */
		awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "Missing "
		    "required header 'From'.");
		goto fail;
	}
	st->from_given = st->from_owned = xstrdup(st->from_given);
	if (st->configuration_set == NULL &&
	    (h = mime_header_get(m, "X-SES-CONFIGURATION-SET")) != NULL) {
		json_array_append_new(st->keep, json_string(h));
		st->configuration_set = json_string_value(json_array_get(
		    st->keep, json_array_size(st->keep) - 1));
	}
	/* AWS: "X-SES-MESSAGE-TAGS: a=b, c=d"; API Tags win, no merge
	 * (SES-REFERENCE §6.4). */
	if (r->tags == NULL &&
	    (h = mime_header_get(m, "X-SES-MESSAGE-TAGS")) != NULL)
		st->header_tags = send_header_tags(h);
	/* AWS: X-SES-SOURCE-ARN, X-SES-FROM-ARN, X-SES-RETURN-PATH-ARN
	 * name identities for sending authorization; API parameters take
	 * precedence (SES-REFERENCE §6.4). */
	for (i = 0; i < 3; i++) {
		static const char *const arn_headers[] = { "X-SES-SOURCE-ARN",
		    "X-SES-FROM-ARN", "X-SES-RETURN-PATH-ARN" };

		if ((h = mime_header_get(m, arn_headers[i])) != NULL)
			st->header_arns[i] = xstrdup(h);
	}
	if (r->destinations != NULL) {
		if (send_add_list(ctx, st, r->destinations, "to", e) != 0)
			goto fail;
	} else {
		static const char *const fields[] = { "To", "Cc", "Bcc" };
		static const char *const kinds[] = { "to", "cc", "bcc" };

		for (i = 0; i < 3; i++) {
			if ((h = mime_header_get(m, fields[i])) == NULL)
				continue;
			if (mime_address_list(h, &list, err) != 0) {
				awserr_set(e, op_err_code(ctx, OP_ERR_INVALID),
				    "%s", err);
				goto fail;
			}
			/* The strings live as long as st: keep the list. */
			if (send_add_list(ctx, st, list, kinds[i], e) != 0) {
				json_decref(list);
				goto fail;
			}
			json_array_append_new(st->keep, list);
		}
		mime_header_remove(m, "Bcc");
	}
	for (i = 0; i < sizeof(strip) / sizeof(strip[0]); i++)
		mime_header_remove(m, strip[i]);
	/* AWS: SES overwrites Message-ID and Date (SES-REFERENCE §3.2);
	 * events list the sender's own (evt.c). */
	for (i = 0; i < 2; i++) {
		static const char *const rewritten[] = { "Message-ID", "Date" };

		if ((h = mime_header_get(m, rewritten[i])) == NULL)
			continue;
		if (st->submitted == NULL)
			st->submitted = json_object();
		json_object_set_new(st->submitted, rewritten[i],
		    json_string(h));
	}
	msgid_domain(ctx->region, domain);
	message_id = xasprintf("<%s@%s>", msgid, domain);
	mime_header_set(m, "Message-ID", message_id);
	free(message_id);
	wire_date_rfc5322(ctx->now_ms, date);
	mime_header_set(m, "Date", date);
	subject = (h = mime_header_get(m, "Subject")) != NULL ?
	    mime_header_decode(h) : xstrdup("");
	st->subject = subject;
	st->msg = m;
	return 0;
fail:
	mime_msg_free(m);
	return -1;
}

static int
send_persist(struct op_ctx *ctx, struct send_state *st, const char *msgid,
    const struct send_request *r, int counted, struct awserr *e)
{
	const char *operation = r->operation;
	struct store_message m = { .message_id = msgid,
	    .account = ctx->account, .region = ctx->region, .kind = "send",
	    .source = st->from_address, .subject = st->subject,
	    .raw = st->raw, .raw_len = st->raw_len, .created_ms = ctx->now_ms,
	    .api = r->api != NULL ? r->api : ctx->v2 ? "v2" : "v1",
	    .operation = operation,
	    .configuration_set = st->configuration_set, .tags = st->tags,
	    .source_ip = ctx->source_ip, .caller = ctx->access_key,
	    .verdict = st->verdict, .submitted = st->submitted };
	json_t *dest = json_array(), *detail = json_object();
	size_t i;
	int rc = -1;

	for (i = 0; i < st->n; i++)
		json_array_append_new(dest, json_string(st->rcpts[i].address));
	m.destinations = dest;
	if (store_message_insert(ctx->store, &m) != 0)
		goto out;
	for (i = 0; i < json_array_size(st->track_links); i++) {
		const json_t *l = json_array_get(st->track_links, i);

		if (store_track_link_put(ctx->store, msgid, (int)i + 1,
		    json_string_value(json_object_get(l, "url")),
		    json_object_get(l, "tags")) != 0)
			goto out;
	}
	/* AWS: a message whose template failed to render is not delivered
	 * (SES-REFERENCE §8.2): nothing is queued. */
	for (i = 0; r->render_error == NULL && i < st->n; i++)
		if (store_recipient_insert(ctx->store, msgid, (int)i,
		    st->rcpts[i].address, st->rcpts[i].kind, ctx->now_ms) != 0)
			goto out;
	/* AWS: the Send event's own object is always {}; a render failure
	 * is {"errorMessage", "templateName"} (§4.6). */
	if (store_event_insert(ctx->store, ctx->account, ctx->region, msgid,
	    "Send", ctx->now_ms, detail) != 0)
		goto out;
	if (r->render_error != NULL) {
		json_t *f = json_pack("{s:s,s:s}", "errorMessage",
		    r->render_error, "templateName", r->template_name ?
		    r->template_name : "");
		int bad = store_event_insert(ctx->store, ctx->account,
		    ctx->region, msgid, "Rendering Failure", ctx->now_ms, f);

		json_decref(f);
		if (bad)
			goto out;
	}
	if (counted > 0 && (store_quota_add(ctx->store, ctx->account,
	    ctx->region, ctx->now_ms, counted) != 0 ||
	    store_stats_add(ctx->store, ctx->account, ctx->region, ctx->now_ms,
	    counted) != 0))
		goto out;
	rc = 0;
out:
	if (rc != 0)
		awserr_set(e, "InternalFailure", "cannot store the message");
	json_decref(dest);
	json_decref(detail);
	return rc;
}

int
send_precheck(struct op_ctx *ctx, const char *from,
    const char *configuration_set, struct awserr *e)
{
	struct send_state st;
	int rc = -1;

	memset(&st, 0, sizeof(st));
	st.from_given = from;
	if (send_check_account(ctx, e) == 0 &&
	    (configuration_set == NULL ||
	    cs_check_send(ctx, configuration_set, e) == 0) &&
	    send_address(ctx, from, &st.from_address, e) == 0 &&
	    send_check_identities(ctx, &st, 0, 0, e) == 0)
		rc = 0;
	send_state_fini(&st);
	return rc;
}

int
send_accept(struct op_ctx *ctx, const struct send_request *r,
    char msgid[MSGID_BYTES], struct awserr *e)
{
	struct send_state st;
	struct quota_limits limits;
	const json_t *tags;
	int64_t sent;
	size_t i;
	int counted = 0, delegated = 0, rc = -1;

	memset(&st, 0, sizeof(st));
	st.tags = json_object();
	st.keep = json_array();
	st.from_given = r->from;
	st.configuration_set = r->configuration_set;
	msgid_new(ctx->region, ctx->now_ms, msgid);
	if (send_check_account(ctx, e) != 0 ||
	    send_check_headers(ctx, r, e) != 0)
		goto out;
	if (r->raw != NULL) {
		if (r->raw_len > r->max_bytes) {
			/* AWS: InvalidParameterValue "Message length is more
			 * than 10485760 bytes long: 'N'." */
			awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "Message "
			    "length is more than %zu bytes long: '%zu'.",
			    r->max_bytes, r->raw_len);
			goto out;
		}
		if (send_raw(ctx, r, &st, msgid, e) != 0)
			goto out;
	} else if (send_add_list(ctx, &st, r->to, "to", e) != 0 ||
	    send_add_list(ctx, &st, r->cc, "cc", e) != 0 ||
	    send_add_list(ctx, &st, r->bcc, "bcc", e) != 0) {
		goto out;
	}
	if (st.from_given == NULL || send_address(ctx, st.from_given,
	    &st.from_address, e) != 0) {
		if (st.from_given == NULL)
			awserr_set(e, op_err_code(ctx, OP_ERR_INVALID),
			    "Missing required header 'From'.");
		goto out;
	}
	if (st.n == 0) {
		/* EMU: SES's text for a message without recipients is not
		 * captured. */
		awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "Missing "
		    "final recipient: the message has no To, Cc or Bcc "
		    "address.");
		goto out;
	}
	if (st.n > SEND_RECIPIENTS_MAX) {
		/* AWS: "Recipient count exceeds 50." */
		awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "Recipient "
		    "count exceeds %d.", SEND_RECIPIENTS_MAX);
		goto out;
	}
	/* AWS: the tags SES adds to every message (SES-REFERENCE §4.6), in
	 * the order of real events (2022-01, LS-SES 2023): operation, set,
	 * source IP, from domain, the message's own, caller. */
	json_object_set_new(st.tags, "ses:operation", json_pack("[s]",
	    r->operation));
	if (st.configuration_set != NULL)
		json_object_set_new(st.tags, "ses:configuration-set",
		    json_pack("[s]", st.configuration_set));
	json_object_set_new(st.tags, "ses:source-ip", json_pack("[s]",
	    ctx->source_ip ? ctx->source_ip : "127.0.0.1"));
	json_object_set_new(st.tags, "ses:from-domain", json_pack("[s]",
	    strrchr(st.from_address, '@') + 1));
	tags = r->tags != NULL ? r->tags : st.header_tags;
	if (send_check_tags(ctx, tags, st.tags, e) != 0)
		goto out;
	json_object_set_new(st.tags, "ses:caller-identity", json_pack("[s]",
	    ctx->access_key && *ctx->access_key ? ctx->access_key :
	    "anonymous"));
	if (st.configuration_set != NULL &&
	    cs_check_send(ctx, st.configuration_set, e) != 0)
		goto out;
	if (send_authorize(ctx, r, &st, &delegated, e) != 0 ||
	    quota_limits(ctx, &limits, &sent, e) != 0 ||
	    send_check_identities(ctx, &st, limits.sandbox, delegated, e) != 0)
		goto out;
	/* AWS: simulator recipients count toward the rate, not the daily
	 * quota, and stay out of the statistics (§4.1, §11). */
	for (i = 0; i < st.n; i++)
		if (!send_is_simulator(st.rcpts[i].address))
			counted++;
	if (quota_take(ctx, &limits, sent, (int)st.n, counted, e) != 0)
		goto out;
	if (r->render_error != NULL) {
		/* Nothing rendered: the capture keeps an empty message. */
		st.raw = xstrdup("");
		st.subject = xstrdup("");
	} else if (r->raw == NULL) {
		send_build(ctx, r, &st, msgid);
		if (st.raw_len > r->max_bytes) {
			awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "Message "
			    "length is more than %zu bytes long: '%zu'.",
			    r->max_bytes, st.raw_len);
			goto out;
		}
	} else {
		/* EMU: the size limit applies to the message as submitted,
		 * not to it with tracking added. */
		send_raw_finish(ctx, &st, msgid);
	}
	rc = send_persist(ctx, &st, msgid, r, counted, e);
out:
	send_state_fini(&st);
	return rc;
}
