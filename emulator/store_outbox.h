/*
 * store_outbox — the outbox's SQL (schema 011_outbound.sql): the HTTP
 * requests sesbox owes other parties (SNS deliveries to subscribers, SNS
 * Publish and EventBridge PutEvents calls to configured endpoints), each
 * with the attempts made. Rows carry what a request needs; how it is
 * rendered, signed and sent, and when it is due again, is outbox.c's and
 * its kinds' business.
 */
#ifndef STORE_OUTBOX_H
#define STORE_OUTBOX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_OUTBOX_LIST_MAX 1000

/* Kinds (the table's CHECK lists the same). */
#define STORE_OUTBOX_SNS "sns"		/* SNS -> HTTP subscriber */
#define STORE_OUTBOX_SNS_PUBLISH "sns-publish"	/* SES -> SNS Publish */
#define STORE_OUTBOX_EVENTBRIDGE "eventbridge"	/* SES -> PutEvents */

/* One request; strings new when read from the store, borrowed when passed
 * in. Fields marked with a kind are NULL (0) for the others. */
struct store_outbox {
	int64_t id;			/* set by the store */
	char *kind;			/* STORE_OUTBOX_* */
	char *account;
	char *region;
	char *endpoint;			/* URL */
	/* sns: the message type; sns-publish: "Publish"; eventbridge: the
	 * detail-type */
	char *type;
	char *message_id;	/* sns: MessageId; else an id of sesbox's */
	char *topic_arn;		/* the topic, or the event bus ARN */
	char *subscription_arn;		/* sns */
	int raw;			/* sns: RawMessageDelivery */
	char *signature_version;	/* sns */
	char *subject;			/* sns, sns-publish; NULL: none */
	char *message;		/* eventbridge: the request body */
	char *token;			/* sns confirmations */
	int64_t timestamp_ms;
	int attempts;		/* made; once claimed, this one too */
	int64_t next_attempt_ms;
};

void store_outbox_fini(struct store_outbox *o);

/* Queues o (borrowed), due at o->next_attempt_ms; sets *id (when not NULL)
 * to the new row's id. Returns 0 or -1. */
int store_outbox_insert(struct store *s, const struct store_outbox *o,
    int64_t *id);
/*
 * Claims up to max rows due at now_ms, oldest due first: each becomes
 * 'sending' with one more attempt counted. Sets *out (new array; fini
 * each, then free) and returns the count, or -1.
 */
long store_outbox_claim(struct store *s, int64_t now_ms, size_t max,
    struct store_outbox **out);
/*
 * Records attempt o->attempts of o made at at_ms: status "delivered",
 * "retry" (queued again, due at next_ms) or "failed"; http_status 0 when
 * no HTTP answer came; error NULL when none. Returns 0 or -1.
 */
int store_outbox_settle(struct store *s, const struct store_outbox *o,
    int64_t at_ms, const char *status, int http_status, const char *error,
    int64_t next_ms);
/* The earliest next_attempt_ms of a queued row (*due set), or none
 * (*due = INT64_MAX). Returns 0 or -1. */
int store_outbox_next_due(struct store *s, int64_t *due);
/* Puts rows a stopped process left 'sending' back in the queue,
 * uncounting the attempt it did not record. Returns the number, or -1. */
int store_outbox_recover(struct store *s);
/*
 * Rows newest first, of the kinds in kinds (NULL-terminated; NULL: every
 * kind) and of topic_arn when not NULL, at most limit, as a new JSON array
 * of {Id, Kind, Type, MessageId, TopicArn, SubscriptionArn (null unless
 * sns), Endpoint, RawMessageDelivery, State, Timestamp, Account, Region,
 * NextAttempt, Attempts: [{Attempt, Timestamp, Status, HttpStatus,
 * Error}]}; times as ISO-8601. NULL on error.
 */
json_t *store_outbox_list(struct store *s, const char *const *kinds,
    const char *topic_arn, size_t limit);
/* Row id in the form store_outbox_list gives (new), or NULL when there is
 * none or on error. */
json_t *store_outbox_get_json(struct store *s, int64_t id);

#endif
