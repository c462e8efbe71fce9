/*
 * op_send — the send operations and sending statistics: v1 SendEmail,
 * SendRawEmail and GetSendStatistics, v2 SendEmail (Simple and Raw
 * content). Each maps its input onto one struct send_request; send.c does
 * the rest, the same for every API.
 */
#include <string.h>

#include "op.h"
#include "send.h"
#include "store.h"
#include "store_send.h"

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

static int
op_send_email(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const json_t *dest = json_object_get(in, "Destination");
	struct send_request r = { .operation = "SendEmail",
	    .max_bytes = SEND_V1_MAX_BYTES };
	char msgid[MSGID_BYTES];

	r.from = op_send_str(in, "Source");
	r.return_path = op_send_str(in, "ReturnPath");
	r.to = json_object_get(dest, "ToAddresses");
	r.cc = json_object_get(dest, "CcAddresses");
	r.bcc = json_object_get(dest, "BccAddresses");
	r.reply_to = json_object_get(in, "ReplyToAddresses");
	op_send_simple(&r, json_object_get(in, "Message"));
	r.configuration_set = op_send_str(in, "ConfigurationSetName");
	r.tags = json_object_get(in, "Tags");
	r.source_arn = op_send_str(in, "SourceArn");
	r.return_path_arn = op_send_str(in, "ReturnPathArn");
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

	if (json_object_get(content, "Template") != NULL) {
		/* Templated v2 sends come with the template engine. */
		awserr_set(e, "NotImplemented", "sesbox does not implement "
		    "SendEmail with Content.Template (sesv2 2019-09-27) yet");
		return -1;
	}
	if ((raw != NULL) + (json_object_get(content, "Simple") != NULL) !=
	    1) {
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
	if (raw != NULL) {
		r.raw = json_string_value(raw);
		r.raw_len = json_string_length(raw);
		if (dest != NULL) {
			/* v2 Raw: Destination, when given, is the envelope. */
			r.destinations = NULL;
		}
	} else {
		op_send_simple(&r, json_object_get(content, "Simple"));
	}
	r.configuration_set = op_send_str(in, "ConfigurationSetName");
	r.tags = json_object_get(in, "EmailTags");
	r.from_arn = op_send_str(in, "FromEmailAddressIdentityArn");
	r.return_path_arn = op_send_str(in,
	    "FeedbackForwardingEmailAddressIdentityArn");
	if (send_accept(ctx, &r, msgid, e) != 0)
		return -1;
	return op_send_reply(msgid, out);
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
	{ "ses", "SendRawEmail", op_send_raw_email },
	{ "sesv2", "SendEmail", op_send_email_v2 },
	{ NULL, NULL, NULL },
};
