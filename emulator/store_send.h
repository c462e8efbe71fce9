/*
 * store_send — what an accepted send writes besides its message row: the
 * per-recipient delivery queue, SES events, the recipients counted against
 * the daily quota and the GetSendStatistics buckets. All in the caller's
 * transaction.
 */
#ifndef STORE_SEND_H
#define STORE_SEND_H

#include <jansson.h>
#include <stdint.h>

#include "store.h"

/* GetSendStatistics: 15-minute buckets. */
#define STORE_STATS_BUCKET_MS (15LL * 60 * 1000)

/* Queues recipient idx of message_id for delivery at due_ms. */
int store_recipient_insert(struct store *s, const char *message_id, int idx,
    const char *address, const char *kind, int64_t due_ms);
/* Records an event; detail is the event type's object (borrowed). */
int store_event_insert(struct store *s, const char *account,
    const char *region, const char *message_id, const char *type,
    int64_t ts_ms, const json_t *detail);
/* Counts recipients against the daily quota in ts_ms's minute. */
int store_quota_add(struct store *s, const char *account, const char *region,
    int64_t ts_ms, int recipients);
/* Adds delivery attempts to ts_ms's statistics bucket. */
int store_stats_add(struct store *s, const char *account, const char *region,
    int64_t ts_ms, int attempts);
/* GetSendStatistics points since since_ms, as a new JSON array of
 * {Timestamp (ms), DeliveryAttempts, Bounces, Complaints, Rejects}; NULL on
 * error. */
json_t *store_stats_list(struct store *s, const char *account,
    const char *region, int64_t since_ms);
/* Events of message_id, oldest first: new array of {Type, Timestamp, Detail}
 * or NULL on error. */
json_t *store_event_list(struct store *s, const char *message_id);

#endif
