/*
 * store_sns — SNS's SQL: topics and subscriptions (schema 009_sns.sql). Rows
 * carry names and ids; ARNs, attribute maps and wire formats are sns.c's
 * business. The deliveries owed to subscribers are outbox rows
 * (store_outbox.h). Knows nothing of HTTP.
 */
#ifndef STORE_SNS_H
#define STORE_SNS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_outbox.h"

#define STORE_SNS_DELIVERY_LIST_MAX STORE_OUTBOX_LIST_MAX

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

void store_sns_topic_fini(struct store_sns_topic *t);
void store_sns_sub_fini(struct store_sns_sub *sub);

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

/*
 * The outbox rows of SNS's kinds (deliveries to subscribers and, when
 * forwarding, Publish calls to the SNS endpoint) newest first, of
 * topic_arn when not NULL, at most limit: store_outbox_list's form.
 */
json_t *store_sns_delivery_list(struct store *s, const char *topic_arn,
    size_t limit);

#endif
