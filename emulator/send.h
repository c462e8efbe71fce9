/*
 * send — the send path every send operation shares (v1 SendEmail,
 * SendRawEmail, templated sends, v2 SendEmail, SMTP): validate
 * addresses, tags, size and pauses; check the sender's identity (and
 * recipients in the sandbox); take quota; build or parse the MIME; persist
 * message, recipients (the delivery queue), the Send event, quota usage and
 * statistics in the request's transaction; answer the MessageId. Outcomes
 * after acceptance belong to the delivery core, never to this module.
 */
#ifndef SEND_H
#define SEND_H

#include <jansson.h>
#include <stddef.h>

#include "msgid.h"
#include "op.h"

/* AWS: 10 MB (v1) / 40 MB (v2, SMTP) after encoding; 50 recipients
 * (SES-REFERENCE §7). */
#define SEND_V1_MAX_BYTES (10 * 1024 * 1024)
#define SEND_V2_MAX_BYTES (40 * 1024 * 1024)
#define SEND_RECIPIENTS_MAX 50
/* AWS: a v2 custom header's name and value together (MessageHeader). */
#define SEND_HEADER_MAX_BYTES 996
#define SEND_TAG_MAX_CHARS 255

struct send_request {
	const char *operation;		/* "SendEmail", "SendRawEmail", ... */
	const char *api;		/* "smtp"; NULL: "v1" or "v2" */
	size_t max_bytes;
	/* Envelope and headers (as given; display names allowed). */
	const char *from;		/* NULL for raw: the From header */
	const char *return_path;
	const json_t *to, *cc, *bcc;	/* arrays of strings, or NULL */
	const json_t *reply_to;
	const json_t *destinations;	/* raw: envelope recipients, or NULL */
	/* Content: simple parts, or raw. */
	const char *subject, *subject_charset;
	const char *text, *text_charset;
	const char *html, *html_charset;
	const json_t *attachments;	/* v2 Attachments, or NULL */
	const json_t *headers;		/* v2 custom Headers, or NULL */
	const char *raw;		/* raw MIME (decoded), or NULL */
	size_t raw_len;
	/* Templated sends whose template did not render: the message is
	 * accepted (MessageId answered) but not delivered, and a Rendering
	 * Failure event is recorded. */
	const char *render_error;	/* SES's errorMessage, or NULL */
	const char *template_name;
	/* Options. */
	const char *configuration_set;
	const json_t *tags;		/* [{Name, Value}], or NULL */
	const char *source_arn;
	const char *from_arn;
	const char *return_path_arn;
};

/*
 * Accepts r for ctx's account and region. Returns 0 with msgid set, or -1
 * with e set to the error SES gives in the caller's API.
 */
int send_accept(struct op_ctx *ctx, const struct send_request *r,
    char msgid[MSGID_BYTES], struct awserr *e)
    __attribute__((warn_unused_result));

/*
 * The checks a bulk send makes once for the whole call (SES models them as
 * call errors): the account may send, the configuration set exists and may
 * send, the sender is valid and verified. Returns 0 or -1 with e set.
 */
int send_precheck(struct op_ctx *ctx, const char *from,
    const char *configuration_set, struct awserr *e)
    __attribute__((warn_unused_result));

/* Non-zero for a mailbox simulator address (any +label). */
int send_is_simulator(const char *address);

#endif
