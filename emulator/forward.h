/*
 * forward — what SES sends to other AWS services' APIs when sesbox is told
 * where they are (the eventbridge-endpoint and sns-endpoint keys): the
 * EventBridge event an EventBridge destination gets, and the PutEvents and
 * Publish calls that carry SES's events, queued as outbox rows in the
 * caller's transaction and, as outbox kinds ("eventbridge",
 * "sns-publish"), built, SigV4-signed at send time and judged.
 *
 * Not here: what is published where (pub.c, sns.c), the sending and its
 * bookkeeping (outbox.c).
 */
#ifndef FORWARD_H
#define FORWARD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "outbox.h"
#include "store.h"
#include "store_outbox.h"

/* EMU: attempts after the first failed one, and the first delay (doubled
 * each time: 20, 40, 80, 160 s by the test clock). */
#define FORWARD_RETRIES 4
#define FORWARD_RETRY_DELAY_MS 20000
/* EMU: the secret key a call is signed with when the credentials key has
 * no entry for the sending account (whose id is then the access key). */
#define FORWARD_SECRET_DEFAULT "sesbox"
/* AWS: the source of SES's events on EventBridge. EMU: sent in PutEvents,
 * which AWS itself refuses for aws.* sources; the endpoint is meant to be
 * an emulator (LocalStack) or a test double that takes them. */
#define FORWARD_EVENT_SOURCE "aws.ses"

/* AWS: EventBridge's detail-type for an SES eventType ("Send" is "Email
 * Sent"), static; NULL for a type SES sends none for. */
const char *forward_detail_type(const char *event_type);

/*
 * The event as a target of an EventBridge rule sees it: {"version": "0",
 * "id": id, "detail-type", "source": "aws.ses", "account", "time" (time_ms
 * to the second), "region", "resources": [the configuration set's ARN],
 * "detail": detail}. Strings borrowed, detail referenced. New, or NULL
 * when event_type has no detail-type.
 */
json_t *forward_eventbridge_event(const char *id, const char *event_type,
    const char *account, const char *region, const char *configuration_set,
    int64_t time_ms, json_t *detail);

/*
 * Queues in s's transaction the PutEvents call that puts event (as
 * forward_eventbridge_event made it; borrowed) on the bus bus_arn, sent to
 * endpoint; *id (when not NULL) set to the outbox row. Returns 0 or -1.
 */
int forward_putevents_queue(struct store *s, const char *endpoint,
    const json_t *event, const char *bus_arn, int64_t now_ms, int64_t *id);

/*
 * Queues in s's transaction the Publish of message (subject NULL: none) to
 * topic_arn, sent to endpoint, for account and region (the topic's);
 * *id (when not NULL) set to the outbox row. Returns 0 or -1.
 */
int forward_publish_queue(struct store *s, const char *endpoint,
    const char *account, const char *region, const char *topic_arn,
    const char *subject, const char *message, int64_t now_ms, int64_t *id);

/*
 * The outbox kinds "eventbridge" and "sns-publish": the signed request
 * for o (base_url unused); what an answer means ("delivered", or "retry"
 * while retries are left, else "failed"; err gets the answer's error);
 * the wait before the next attempt.
 */
int forward_prepare(const struct store_outbox *o, const char *base_url,
    struct outbox_request *r, char *err, size_t errlen);
const char *forward_outcome(const struct store_outbox *o, int http_status,
    const char *body, size_t len, char *err, size_t errlen);
int64_t forward_retry_delay_ms(int attempts);

#endif
