/*
 * sns_deliver — SNS's deliveries to subscribers as an outbox kind (see
 * sns_deliver.h).
 */
#include "sns_deliver.h"

#include <stdio.h>
#include <string.h>

#include "sns.h"

const char *
sns_deliver_outcome(int http_status, int attempts)
{
	if (http_status >= 200 && http_status < 300)
		return "delivered";
	/*
	 * EMU: SNS documents retries for "server-side errors" only (SNS-DG
	 * "Amazon SNS message delivery retries"); sesbox takes that as 5xx,
	 * 429 and no answer (refused, reset, timed out), and any other status
	 * as a final failure.
	 */
	if (http_status != 0 && http_status < 500 && http_status != 429)
		return "failed";
	return attempts < 1 + SNS_DELIVER_RETRIES ? "retry" : "failed";
}

const char *
sns_deliver_judge(const struct store_outbox *o, int http_status,
    const char *body, size_t len, char *err, size_t errlen)
{
	(void)body;
	(void)len;
	(void)err;
	(void)errlen;
	return sns_deliver_outcome(http_status, o->attempts);
}

int64_t
sns_deliver_retry_delay_ms(int attempts)
{
	(void)attempts;
	return SNS_DELIVER_RETRY_DELAY_MS;
}

int
sns_deliver_prepare(const struct store_outbox *o, const char *base_url,
    struct outbox_request *r, char *err, size_t errlen)
{
	const char *type = o->type;

	if ((r->body = sns_render(o, base_url, &r->body_len)) == NULL) {
		snprintf(err, errlen, "cannot sign the message");
		return -1;
	}
	/* AWS: the headers of real deliveries (SNS-DG http-header sample;
	 * localstack's recorded captures; SES-REFERENCE §5.2). Accept and
	 * Expect, which curl would add, are removed by the outbox. */
	outbox_request_header(r, "x-amz-sns-message-type", type);
	outbox_request_header(r, "x-amz-sns-message-id", o->message_id);
	outbox_request_header(r, "x-amz-sns-topic-arn", o->topic_arn);
	if (strcmp(type, "SubscriptionConfirmation") != 0)
		outbox_request_header(r, "x-amz-sns-subscription-arn",
		    o->subscription_arn);
	if (strcmp(type, "Notification") == 0 && o->raw)
		outbox_request_header(r, "x-amz-sns-rawdelivery", "true");
	outbox_request_header(r, "Content-Type", "text/plain; charset=UTF-8");
	outbox_request_header(r, "Connection", "Keep-Alive");
	outbox_request_header(r, "User-Agent",
	    "Amazon Simple Notification Service Agent");
	outbox_request_header(r, "Accept-Encoding", "gzip,deflate");
	return 0;
}

int
sns_deliver_drain(long timeout_ms)
{
	return outbox_drain(timeout_ms);
}
