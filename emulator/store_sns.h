/*
 * store_sns — SNS's SQL: topics, subscriptions and the deliveries owed to
 * HTTP/HTTPS subscribers with the attempts made (schema 009_sns.sql). Rows
 * carry names and ids; ARNs, attribute maps and wire formats are sns.c's
 * business. Knows nothing of HTTP or of when a delivery is due.
 */
#ifndef STORE_SNS_H
#define STORE_SNS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_SNS_DELIVERY_LIST_MAX 1000

struct store_sns_topic {
	char *name;
	char *display_name;		/* "" when none */
	char *signature_version;	/* "1", "2", or NULL: never set */
	int64_t created_ms;
};

struct store_sns_sub {
	char *account;
	char *region;
	char *id;			/* UUID */
	char *topic;			/* topic name */
	char *protocol;			/* "http" or "https" */
	char *endpoint;
	char *state;		/* "pending", "confirmed", "deleted" */
	char *token;
	int raw;
	int authenticated;
	int authenticate_unsubscribe;
	int64_t created_ms;
};

/* One delivery; strings new when read from the store, borrowed when
 * passed in. */
struct store_sns_delivery {
	int64_t id;			/* set by the store */
	char *account;
	char *region;
	char *type;
	char *message_id;
	char *topic_arn;
	char *subscription_arn;
	char *endpoint;
	int raw;
	char *signature_version;
	char *subject;			/* NULL: none */
	char *message;
	char *token;			/* NULL unless a confirmation */
	int64_t timestamp_ms;
	int attempts;		/* made; once claimed, this one too */
	int64_t next_attempt_ms;
};

void store_sns_topic_fini(struct store_sns_topic *t);
void store_sns_sub_fini(struct store_sns_sub *sub);
void store_sns_delivery_fini(struct store_sns_delivery *d);

/* Reads topic name into out. Returns 0, 1 when there is none, or -1. */
int store_sns_topic_get(struct store *s, const char *account,
    const char *region, const char *name, struct store_sns_topic *out);
/* Inserts t (borrowed). Returns 0 or -1. */
int store_sns_topic_insert(struct store *s, const char *account,
    const char *region, const struct store_sns_topic *t);
/* Writes t's display name and signature version. Returns 0 or -1. */
int store_sns_topic_update(struct store *s, const char *account,
    const char *region, const struct store_sns_topic *t);
/* Deletes topic name and all its subscriptions. Returns the topics
 * deleted (0 or 1), or -1. */
int store_sns_topic_delete(struct store *s, const char *account,
    const char *region, const char *name);
/* Topic names after `after` (NULL: from the start) in name order, at most
 * limit, as a new JSON array of strings; NULL on error. */
json_t *store_sns_topic_names(struct store *s, const char *account,
    const char *region, const char *after, size_t limit);

/* Inserts sub (borrowed; account and region taken from it). 0 or -1. */
int store_sns_sub_insert(struct store *s, const struct store_sns_sub *sub);
/* Subscription id of account/region into out. 0, 1 when none, or -1. */
int store_sns_sub_get(struct store *s, const char *account,
    const char *region, const char *id, struct store_sns_sub *out);
/* The live (not deleted) subscription of topic to protocol and endpoint.
 * 0, 1 when none, or -1. */
int store_sns_sub_find(struct store *s, const char *account,
    const char *region, const char *topic, const char *protocol,
    const char *endpoint, struct store_sns_sub *out);
/* The subscription holding token, in any account. 0, 1 when none, -1. */
int store_sns_sub_by_token(struct store *s, const char *token,
    struct store_sns_sub *out);
/* Writes sub's state, token, raw and authenticated flags. 0 or -1. */
int store_sns_sub_update(struct store *s, const struct store_sns_sub *sub);
/*
 * Live subscriptions (of topic, or of every topic when topic is NULL) in
 * (topic, id) order after (after_topic, after_id) (after_topic NULL: from
 * the start), only those in state when it is not NULL. At most limit.
 * Sets *out (new array; fini each, then free) and returns the count, or -1.
 */
long store_sns_sub_list(struct store *s, const char *account,
    const char *region, const char *topic, const char *state,
    const char *after_topic, const char *after_id, size_t limit,
    struct store_sns_sub **out);
/* Counts topic's subscriptions by state: counts[0] confirmed, [1]
 * pending, [2] deleted. Returns 0 or -1. */
int store_sns_sub_counts(struct store *s, const char *account,
    const char *region, const char *topic, long counts[3]);

/* Queues d (borrowed), due at d->next_attempt_ms. Returns 0 or -1. */
int store_sns_delivery_insert(struct store *s,
    const struct store_sns_delivery *d);
/*
 * Claims up to max deliveries due at now_ms, oldest due first: each
 * becomes 'sending' with one more attempt counted. Sets *out (new array;
 * fini each, then free) and returns the count, or -1.
 */
long store_sns_delivery_claim(struct store *s, int64_t now_ms, size_t max,
    struct store_sns_delivery **out);
/*
 * Records attempt d->attempts of d made at at_ms: status "delivered",
 * "retry" (queued again, due at next_ms) or "failed"; http_status 0 when
 * no HTTP answer came; error NULL when none. Returns 0 or -1.
 */
int store_sns_delivery_settle(struct store *s,
    const struct store_sns_delivery *d, int64_t at_ms, const char *status,
    int http_status, const char *error, int64_t next_ms);
/* The earliest next_attempt_ms of a queued delivery (*due set), or none
 * (*due = INT64_MAX). Returns 0 or -1. */
int store_sns_delivery_next_due(struct store *s, int64_t *due);
/* Puts deliveries a stopped process left 'sending' back in the queue,
 * uncounting the attempt it did not record. Returns the number, or -1. */
int store_sns_delivery_recover(struct store *s);
/*
 * Deliveries newest first (of topic_arn when not NULL), at most limit, as
 * a new JSON array of {Id, Type, MessageId, TopicArn, SubscriptionArn,
 * Endpoint, RawMessageDelivery, State, Timestamp, NextAttempt, Attempts:
 * [{Attempt, Timestamp, Status, HttpStatus, Error}]}; times as ISO-8601.
 * NULL on error.
 */
json_t *store_sns_delivery_list(struct store *s, const char *topic_arn,
    size_t limit);

#endif
