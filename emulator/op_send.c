/*
 * op_send — the send operations and sending statistics: v1 SendEmail,
 * SendRawEmail, SendTemplatedEmail, SendBulkTemplatedEmail and
 * GetSendStatistics; v2 SendEmail (Simple, Raw, Template) and SendBulkEmail.
 * Each maps its input onto one struct send_request (templates rendered
 * first); send.c does the rest, the same for every API.
 */
#include <stdlib.h>
#include <string.h>

#include "op.h"
#include "send.h"
#include "store.h"
#include "store_send.h"
#include "store_tpl.h"
#include "tpl.h"
#include "xmem.h"

/* AWS: GetSendStatistics covers the last two weeks (BC-SES). */
#define SEND_STATS_WINDOW_MS (14LL * 24 * 3600 * 1000)

static const char *
op_send_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* v1 Message / v2 Content.Simple: {Subject, Body{Text, Html}}. */
static void
op_send_simple(struct send_request *r, const json_t *msg)
{
	const json_t *subject = json_object_get(msg, "Subject");
	const json_t *body = json_object_get(msg, "Body");

	r->subject = op_send_str(subject, "Data");
	r->subject_charset = op_send_str(subject, "Charset");
	r->text = op_send_str(json_object_get(body, "Text"), "Data");
	r->text_charset = op_send_str(json_object_get(body, "Text"),
	    "Charset");
	r->html = op_send_str(json_object_get(body, "Html"), "Data");
	r->html_charset = op_send_str(json_object_get(body, "Html"),
	    "Charset");
	r->attachments = json_object_get(msg, "Attachments");
	r->headers = json_object_get(msg, "Headers");
}

static int
op_send_reply(const char *msgid, json_t **out)
{
	*out = json_pack("{s:s}", "MessageId", msgid);
	return 0;
}

/* The v1 envelope and options SendEmail and the templated sends share:
 * in holds Source, ReturnPath, ReplyToAddresses, ConfigurationSetName,
 * Tags, SourceArn, ReturnPathArn; dest the Destination lists. */
static void
op_send_v1_envelope(struct send_request *r, const json_t *in,
    const json_t *dest)
{
	r->from = op_send_str(in, "Source");
	r->return_path = op_send_str(in, "ReturnPath");
	r->to = json_object_get(dest, "ToAddresses");
	r->cc = json_object_get(dest, "CcAddresses");
	r->bcc = json_object_get(dest, "BccAddresses");
	r->reply_to = json_object_get(in, "ReplyToAddresses");
	r->configuration_set = op_send_str(in, "ConfigurationSetName");
	r->tags = json_object_get(in, "Tags");
	r->source_arn = op_send_str(in, "SourceArn");
	r->return_path_arn = op_send_str(in, "ReturnPathArn");
}

static int
op_send_email(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const json_t *dest = json_object_get(in, "Destination");
	struct send_request r = { .operation = "SendEmail",
	    .max_bytes = SEND_V1_MAX_BYTES };
	char msgid[MSGID_BYTES];

	op_send_v1_envelope(&r, in, dest);
	op_send_simple(&r, json_object_get(in, "Message"));
	if (send_accept(ctx, &r, msgid, e) != 0)
		return -1;
	return op_send_reply(msgid, out);
}

static int
op_send_raw_email(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const json_t *data = json_object_get(json_object_get(in, "RawMessage"),
	    "Data");
	struct send_request r = { .operation = "SendRawEmail",
	    .max_bytes = SEND_V1_MAX_BYTES };
	char msgid[MSGID_BYTES];

	r.from = op_send_str(in, "Source");
	r.destinations = json_object_get(in, "Destinations");
	r.raw = json_string_value(data);
	r.raw_len = json_string_length(data);
	r.configuration_set = op_send_str(in, "ConfigurationSetName");
	r.tags = json_object_get(in, "Tags");
	r.source_arn = op_send_str(in, "SourceArn");
	r.from_arn = op_send_str(in, "FromArn");
	r.return_path_arn = op_send_str(in, "ReturnPathArn");
	if (send_accept(ctx, &r, msgid, e) != 0)
		return -1;
	return op_send_reply(msgid, out);
}

/* A rendered template: the parts, or why rendering failed. */
struct op_send_render {
	char *subject, *text, *html;
	char err[TPL_ERROR_MAX_BYTES];
	int failed;
};

static void
op_send_render_fini(struct op_send_render *rd)
{
	free(rd->subject);
	free(rd->text);
	free(rd->html);
	memset(rd, 0, sizeof(*rd));
}

/* Renders one part; the first failure is kept in rd. */
static char *
op_send_render_part(struct op_send_render *rd, const char *part,
    const json_t *data)
{
	enum tpl_error kind;
	char err[TPL_ERROR_MAX_BYTES];
	size_t len;
	char *out;

	if (part == NULL || rd->failed)
		return NULL;
	if ((out = tpl_render(part, strlen(part), data, &len, &kind, err)) ==
	    NULL) {
		rd->failed = 1;
		memcpy(rd->err, err, sizeof(rd->err));
	}
	return out;
}

/*
 * Loads template name (or uses inline content {Subject, Text, Html}) and
 * renders it with the TemplateData text into rd and r. AWS: a missing
 * attribute does not fail the call: the message is accepted and a
 * Rendering Failure recorded (SES-REFERENCE §8.2). Returns 0, or -1 with e
 * set (no such template; data that is not a JSON object).
 */
static int
op_send_template(struct op_ctx *ctx, const char *name,
    const json_t *inline_content, const char *data_text,
    struct send_request *r, struct op_send_render *rd, struct awserr *e)
{
	struct store_tpl t;
	json_t *data;
	int rc;

	memset(rd, 0, sizeof(*rd));
	memset(&t, 0, sizeof(t));
	if (inline_content != NULL) {
		t.subject = xstrdup(op_send_str(inline_content, "Subject") ?
		    op_send_str(inline_content, "Subject") : "");
		t.text = op_send_str(inline_content, "Text") ? xstrdup(
		    op_send_str(inline_content, "Text")) : NULL;
		t.html = op_send_str(inline_content, "Html") ? xstrdup(
		    op_send_str(inline_content, "Html")) : NULL;
	} else {
		if (name != NULL && strncmp(name, "arn:", 4) == 0 &&
		    strstr(name, ":template/") != NULL)
			name = strstr(name, ":template/") + strlen(":template/");
		if (name == NULL || (rc = store_tpl_get(ctx->store, ctx->account,
		    ctx->region, name, &t)) == 1) {
			/* AWS: "Template foobar does not exist." (§1.5). */
			awserr_set(e, ctx->v2 ? "NotFoundException" :
			    "TemplateDoesNotExist", "Template %s does not "
			    "exist.", name ? name : "");
			return -1;
		}
		if (rc < 0) {
			awserr_set(e, "InternalFailure", "cannot read templates");
			return -1;
		}
	}
	data = json_loads(data_text ? data_text : "{}", 0, NULL);
	if (!json_is_object(data)) {
		json_decref(data);
		store_tpl_fini(&t);
		/* EMU: SES's text for unreadable TemplateData on a send is
		 * not captured. */
		awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "Template data "
		    "is not a valid JSON object.");
		return -1;
	}
	rd->subject = op_send_render_part(rd, t.subject, data);
	rd->text = op_send_render_part(rd, t.text, data);
	rd->html = op_send_render_part(rd, t.html, data);
	json_decref(data);
	r->template_name = name;
	r->subject = rd->subject;
	r->text = rd->text;
	r->html = rd->html;
	if (rd->failed)
		r->render_error = rd->err;
	store_tpl_fini(&t);
	return 0;
}

static int
op_send_templated_email(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const json_t *dest = json_object_get(in, "Destination");
	struct send_request r = { .operation = "SendTemplatedEmail",
	    .max_bytes = SEND_V1_MAX_BYTES };
	struct op_send_render rd;
	const char *name = op_send_str(in, "Template");
	char msgid[MSGID_BYTES];
	int rc;

	op_send_v1_envelope(&r, in, dest);
	if (op_send_template(ctx, name ? name : op_send_str(in, "TemplateArn"),
	    NULL, op_send_str(in, "TemplateData"), &r, &rd, e) != 0)
		return -1;
	rc = send_accept(ctx, &r, msgid, e);
	op_send_render_fini(&rd);
	return rc != 0 ? -1 : op_send_reply(msgid, out);
}

/* Bulk: DefaultTags overlaid by ReplacementTags (new array). */
static json_t *
op_send_merge_tags(const json_t *defaults, const json_t *replacements)
{
	json_t *tags = json_array(), *t, *u;
	size_t i, k;
	int seen;

	json_array_foreach(replacements, i, t)
		json_array_append(tags, t);
	json_array_foreach(defaults, i, t) {
		seen = 0;
		json_array_foreach(replacements, k, u)
			if (json_equal(json_object_get(t, "Name"),
			    json_object_get(u, "Name")))
				seen = 1;
		if (!seen)
			json_array_append(tags, t);
	}
	return tags;
}

/* The bulk status word for an error code, v1 or v2 spelling. */
static const char *
op_send_bulk_status(const struct op_ctx *ctx, const struct awserr *e)
{
	/* AWS: the Status enums of both models (SES-REFERENCE §8.4). */
	static const struct {
		const char *code, *message, *v1, *v2;
	} map[] = {
		{ "MessageRejected", NULL, "MessageRejected",
		    "MESSAGE_REJECTED" },
		{ "ConfigurationSetDoesNotExist", NULL,
		    "ConfigurationSetDoesNotExist",
		    "CONFIGURATION_SET_NOT_FOUND" },
		{ "Throttling", "Daily message quota exceeded.",
		    "AccountDailyQuotaExceeded",
		    "ACCOUNT_DAILY_QUOTA_EXCEEDED" },
		{ "LimitExceededException", NULL, "AccountDailyQuotaExceeded",
		    "ACCOUNT_DAILY_QUOTA_EXCEEDED" },
		{ "Throttling", NULL, "AccountThrottled", "ACCOUNT_THROTTLED" },
		{ "TooManyRequestsException", NULL, "AccountThrottled",
		    "ACCOUNT_THROTTLED" },
		{ "InvalidParameterValue", NULL, "InvalidParameterValue",
		    "INVALID_PARAMETER" },
		{ "BadRequestException", NULL, "InvalidParameterValue",
		    "INVALID_PARAMETER" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].code, e->code) == 0 &&
		    (map[i].message == NULL || strcmp(map[i].message,
		    e->message) == 0))
			return ctx->v2 ? map[i].v2 : map[i].v1;
	return ctx->v2 ? "FAILED" : "Failed";
}

/*
 * One destination of a bulk send: renders with its data, sends, and
 * appends its status ({Status, Error?, MessageId?}) to results.
 */
static int
op_send_bulk_entry(struct op_ctx *ctx, struct send_request *r,
    const char *name, const json_t *inline_content, const char *data,
    const json_t *tags, json_t *results, struct awserr *e)
{
	struct op_send_render rd;
	struct awserr entry_err;
	char msgid[MSGID_BYTES];
	json_t *res;

	r->tags = tags;
	if (op_send_template(ctx, name, inline_content, data, r, &rd, e) != 0)
		return -1;
	awserr_init(&entry_err);
	if (send_accept(ctx, r, msgid, &entry_err) == 0)
		res = json_pack("{s:s,s:s}", "Status", ctx->v2 ? "SUCCESS" :
		    "Success", "MessageId", msgid);
	else
		res = json_pack("{s:s,s:s}", "Status", op_send_bulk_status(ctx,
		    &entry_err), "Error", entry_err.message);
	json_array_append_new(results, res);
	op_send_render_fini(&rd);
	return 0;
}

static int
op_send_bulk_templated_email(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	const char *name = op_send_str(in, "Template") ? op_send_str(in,
	    "Template") : op_send_str(in, "TemplateArn");
	const char *defaults = op_send_str(in, "DefaultTemplateData");
	json_t *results = json_array(), *d, *tags;
	struct store_tpl t;
	size_t i;
	int rc = 0;

	/* The whole call fails on these (modelled call errors, §8.4). */
	if (send_precheck(ctx, op_send_str(in, "Source"), op_send_str(in,
	    "ConfigurationSetName"), e) != 0)
		goto fail;
	if (name == NULL || (rc = store_tpl_get(ctx->store, ctx->account,
	    ctx->region, strstr(name, ":template/") ? strstr(name,
	    ":template/") + 10 : name, &t)) != 0) {
		if (rc < 0)
			awserr_set(e, "InternalFailure", "cannot read templates");
		else
			awserr_set(e, "TemplateDoesNotExist", "Template %s does "
			    "not exist.", name ? name : "");
		goto fail;
	}
	store_tpl_fini(&t);
	json_array_foreach(json_object_get(in, "Destinations"), i, d) {
		const json_t *dest = json_object_get(d, "Destination");
		const char *data = op_send_str(d, "ReplacementTemplateData");
		struct send_request r = { .operation = "SendBulkTemplatedEmail",
		    .max_bytes = SEND_V1_MAX_BYTES };

		/* Tags come per destination (op_send_bulk_entry). */
		op_send_v1_envelope(&r, in, dest);
		/* AWS: DefaultTemplateData serves a destination whose own
		 * data is absent or {} (SES-REFERENCE §8.2). */
		if (data == NULL || strcmp(data, "{}") == 0)
			data = defaults;
		tags = op_send_merge_tags(json_object_get(in, "DefaultTags"),
		    json_object_get(d, "ReplacementTags"));
		rc = op_send_bulk_entry(ctx, &r, name, NULL, data, tags,
		    results, e);
		json_decref(tags);
		if (rc != 0)
			goto fail;
	}
	*out = json_pack("{s:o}", "Status", results);
	return 0;
fail:
	json_decref(results);
	return -1;
}

static int
op_send_bulk_email(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const json_t *tpl = json_object_get(json_object_get(in,
	    "DefaultContent"), "Template");
	const char *name = op_send_str(tpl, "TemplateName") ? op_send_str(tpl,
	    "TemplateName") : op_send_str(tpl, "TemplateArn");
	const json_t *inline_content = json_object_get(tpl, "TemplateContent");
	json_t *results = json_array(), *d, *tags;
	size_t i;

	if (tpl == NULL) {
		awserr_set(e, "BadRequestException", "DefaultContent must have "
		    "a Template.");
		goto fail;
	}
	if (send_precheck(ctx, op_send_str(in, "FromEmailAddress"),
	    op_send_str(in, "ConfigurationSetName"), e) != 0)
		goto fail;
	json_array_foreach(json_object_get(in, "BulkEmailEntries"), i, d) {
		const json_t *dest = json_object_get(d, "Destination");
		const char *data = op_send_str(json_object_get(json_object_get(
		    d, "ReplacementEmailContent"), "ReplacementTemplate"),
		    "ReplacementTemplateData");
		struct send_request r = { .operation = "SendBulkEmail",
		    .max_bytes = SEND_V2_MAX_BYTES };

		r.from = op_send_str(in, "FromEmailAddress");
		r.return_path = op_send_str(in,
		    "FeedbackForwardingEmailAddress");
		r.reply_to = json_object_get(in, "ReplyToAddresses");
		r.configuration_set = op_send_str(in, "ConfigurationSetName");
		r.from_arn = op_send_str(in, "FromEmailAddressIdentityArn");
		r.to = json_object_get(dest, "ToAddresses");
		r.cc = json_object_get(dest, "CcAddresses");
		r.bcc = json_object_get(dest, "BccAddresses");
		r.headers = json_object_get(d, "ReplacementHeaders");
		if (data == NULL || strcmp(data, "{}") == 0)
			data = op_send_str(tpl, "TemplateData");
		tags = op_send_merge_tags(json_object_get(in,
		    "DefaultEmailTags"), json_object_get(d, "ReplacementTags"));
		if (op_send_bulk_entry(ctx, &r, name, inline_content, data,
		    tags, results, e) != 0) {
			json_decref(tags);
			goto fail;
		}
		json_decref(tags);
	}
	*out = json_pack("{s:o}", "BulkEmailEntryResults", results);
	return 0;
fail:
	json_decref(results);
	return -1;
}

static int
op_send_email_v2(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const json_t *dest = json_object_get(in, "Destination");
	const json_t *content = json_object_get(in, "Content");
	const json_t *raw = json_object_get(json_object_get(content, "Raw"),
	    "Data");
	struct send_request r = { .operation = "SendEmail",
	    .max_bytes = SEND_V2_MAX_BYTES };
	char msgid[MSGID_BYTES];

	const json_t *tpl = json_object_get(content, "Template");
	struct op_send_render rd = { .subject = NULL };
	int rc;

	if ((raw != NULL) + (json_object_get(content, "Simple") != NULL) +
	    (tpl != NULL) != 1) {
		/* EMU: the model says exactly one of Simple, Raw, Template. */
		awserr_set(e, "BadRequestException", "Content must have exactly "
		    "one of Simple, Raw or Template.");
		return -1;
	}
	r.from = op_send_str(in, "FromEmailAddress");
	r.return_path = op_send_str(in, "FeedbackForwardingEmailAddress");
	r.to = json_object_get(dest, "ToAddresses");
	r.cc = json_object_get(dest, "CcAddresses");
	r.bcc = json_object_get(dest, "BccAddresses");
	r.reply_to = json_object_get(in, "ReplyToAddresses");
	r.configuration_set = op_send_str(in, "ConfigurationSetName");
	r.tags = json_object_get(in, "EmailTags");
	r.from_arn = op_send_str(in, "FromEmailAddressIdentityArn");
	r.return_path_arn = op_send_str(in,
	    "FeedbackForwardingEmailAddressIdentityArn");
	if (raw != NULL) {
		r.raw = json_string_value(raw);
		r.raw_len = json_string_length(raw);
	} else if (tpl != NULL) {
		r.headers = json_object_get(tpl, "Headers");
		r.attachments = json_object_get(tpl, "Attachments");
		if (op_send_template(ctx, op_send_str(tpl, "TemplateName") ?
		    op_send_str(tpl, "TemplateName") : op_send_str(tpl,
		    "TemplateArn"), json_object_get(tpl, "TemplateContent"),
		    op_send_str(tpl, "TemplateData"), &r, &rd, e) != 0)
			return -1;
	} else {
		op_send_simple(&r, json_object_get(content, "Simple"));
	}
	rc = send_accept(ctx, &r, msgid, e);
	op_send_render_fini(&rd);
	return rc != 0 ? -1 : op_send_reply(msgid, out);
}

static int
op_get_send_statistics(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	json_t *points;

	(void)in;
	if ((points = store_stats_list(ctx->store, ctx->account, ctx->region,
	    ctx->now_ms - SEND_STATS_WINDOW_MS)) == NULL) {
		awserr_set(e, "InternalFailure", "cannot read statistics");
		return -1;
	}
	*out = json_pack("{s:o}", "SendDataPoints", points);
	return 0;
}

const struct op_entry op_send_table[] = {
	{ "ses", "GetSendStatistics", op_get_send_statistics },
	{ "ses", "SendEmail", op_send_email },
	{ "ses", "SendBulkTemplatedEmail", op_send_bulk_templated_email },
	{ "ses", "SendRawEmail", op_send_raw_email },
	{ "ses", "SendTemplatedEmail", op_send_templated_email },
	{ "sesv2", "SendBulkEmail", op_send_bulk_email },
	{ "sesv2", "SendEmail", op_send_email_v2 },
	{ NULL, NULL, NULL },
};
