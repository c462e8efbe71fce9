/*
 * sns_deliver — the SNS sender: a thread that claims the deliveries due by
 * the test clock (store_sns), renders each (sns_render), POSTs them with
 * libcurl, all of a batch at once, and records every attempt; failures are
 * retried with SNS's default HTTP policy, delays measured on the test
 * clock. Woken by commits (new deliveries may be queued) and at once by
 * clock moves; otherwise asleep until the next one is due. Decides nothing
 * about what is delivered to whom (sns.c does).
 */
#ifndef SNS_DELIVER_H
#define SNS_DELIVER_H

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

/* Requeues deliveries a stopped process left half-done and starts the
 * sender. Returns 0, or -1 (logged). */
int sns_deliver_start(void) __attribute__((warn_unused_result));
/* Stops the sender (the batch under way finishes). */
void sns_deliver_stop(void);
/* Something may be due now: the clock moved. Any thread. */
void sns_deliver_kick(void);
/* A commit happened: deliveries may have been queued. Any thread. */
void sns_deliver_committed(void);
/*
 * Waits until every delivery due by the test clock at the time of the
 * call has been attempted (and recorded). Returns 0, or -1 when the sender
 * is not running or did not finish within timeout_ms.
 */
int sns_deliver_drain(long timeout_ms);
/*
 * What an attempt's outcome means: "delivered" for a 2xx answer, "retry"
 * while attempts (made so far, this one included) leave retries for a 5xx
 * or 429 answer or no answer at all (http_status 0), else "failed".
 * Static string.
 */
const char *sns_deliver_outcome(int http_status, int attempts);

#endif
