/*
 * sns_deliver — SNS's deliveries to HTTP/HTTPS subscribers as an outbox
 * kind ("sns"): the POST SNS makes (its headers, the body sns_render
 * signs), what an answer means and SNS's default retry policy. The sender
 * thread that makes the POSTs is the outbox's (outbox.h); what is
 * delivered to whom is sns.c's.
 */
#ifndef SNS_DELIVER_H
#define SNS_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "outbox.h"
#include "store_outbox.h"

/*
 * AWS: the default HTTP/S "healthyRetryPolicy" (EffectiveDeliveryPolicy of
 * real topics, SES-REFERENCE §5.2): 3 retries 20 s apart (linear between
 * minDelayTarget and maxDelayTarget, both 20), no immediate retries.
 */
#define SNS_DELIVER_RETRIES 3
#define SNS_DELIVER_RETRY_DELAY_MS 20000
/* AWS: SNS waits 15 s for an HTTP/S endpoint to answer (SNS-DG "Step 1:
 * Make sure your endpoint is ready"). Real time, not the test clock. */
#define SNS_DELIVER_TIMEOUT_MS 15000

/*
 * The outbox kind "sns". sns_deliver_prepare builds the POST of delivery
 * o with links based on base_url (0, or -1 with err set when the message
 * cannot be signed); sns_deliver_judge is sns_deliver_outcome for o's
 * attempt (no error text: the status says it all);
 * sns_deliver_retry_delay_ms the wait before a retry.
 */
int sns_deliver_prepare(const struct store_outbox *o, const char *base_url,
    struct outbox_request *r, char *err, size_t errlen);
const char *sns_deliver_judge(const struct store_outbox *o, int http_status,
    const char *body, size_t len, char *err, size_t errlen);
int64_t sns_deliver_retry_delay_ms(int attempts);
/*
 * What an attempt's outcome means: "delivered" for a 2xx answer, "retry"
 * while attempts (made so far, this one included) leave retries for a 5xx
 * or 429 answer or no answer at all (http_status 0), else "failed".
 * Static string.
 */
const char *sns_deliver_outcome(int http_status, int attempts);
/*
 * Waits until every delivery due by the test clock at the time of the
 * call has been attempted (and recorded): outbox_drain, under the name the
 * SNS inspection routes know. Returns 0, or -1.
 */
int sns_deliver_drain(long timeout_ms);

#endif
