/*
 * store_feed — the SQL behind the inspection API's events, notifications
 * and live feed (simulator/feed.c) and the actions on a captured message
 * (simulator/action.c): events and publications with filters and cursor
 * paging, what was captured after a feed's cursor, and a message's
 * recipient as the delivery policy wants it. Reads only; knows nothing of
 * HTTP or of what an event means.
 */
#ifndef STORE_FEED_H
#define STORE_FEED_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_queue.h"

/* What events to list (strings borrowed; NULL: any). */
struct store_feed_event_filter {
	/* ",Send,Bounce,": the types wanted, each between commas */
	const char *types;
	const char *message_id;
	const char *recipient;		/* any case */
	const char *destination;	/* a publication's target or origin */
	const char *account;
	const char *region;
	int64_t since_ms;		/* ts_ms >= since_ms (INT64_MIN: any) */
	int64_t until_ms;		/* ts_ms <= until_ms (INT64_MAX: any) */
	int64_t before_id;		/* ids below it (INT64_MAX: any) */
};

/*
 * Events matching f, newest first, at most limit, as a new array of
 * {Id, MessageId, Type, Timestamp (ISO-8601), Recipients, Detail,
 * Publications (store_feed_pubs' form; only when publications is set)}.
 * Recipients are those the detail names (bounced, complained, delayed,
 * delivered), else the message's destinations. NULL on error.
 */
json_t *store_feed_events(struct store *s,
    const struct store_feed_event_filter *f, size_t limit, int publications);
/* How many events match f (before_id ignored); -1 on error. */
long store_feed_event_count(struct store *s,
    const struct store_feed_event_filter *f);
/* The newest event of message_id in store_feed_events' form without
 * Publications (new), or NULL when none or on error. */
json_t *store_feed_event_latest(struct store *s, const char *message_id);

/* What publications to list (strings borrowed; NULL: any). */
struct store_feed_pub_filter {
	const char *types;		/* as in store_feed_event_filter */
	const char *message_id;
	const char *destination;	/* target or origin */
	const char *status;
	const char *format;
	const char *account;
	const char *region;
	int64_t event_id;		/* 0: any */
	int64_t before_id;		/* INT64_MAX: any */
};

/*
 * Publications matching f, newest first (oldest first for one event_id),
 * at most limit, as a new array of store_pub_list's objects plus "Id"
 * and, when the publication caused outbound requests (SNS deliveries to
 * subscribers, forwarded calls), "Deliveries" (store_outbox_list's form)
 * and "Attempts" (every attempt of them, oldest first, each with its
 * "Delivery" id and "Endpoint"). NULL on error.
 */
json_t *store_feed_pubs(struct store *s, const struct store_feed_pub_filter *f,
    size_t limit);

/*
 * A live feed's position in a table is the rowid of the last message it
 * sent (events: the id) and that row's key, its MessageId: rowids are
 * reused once the newest rows are deleted (a reset, a deleted message),
 * and the key tells.
 */
#define STORE_FEED_KEY_BYTES 128

/* The newest message rowid and event id (0 when none), and their keys
 * (room for STORE_FEED_KEY_BYTES; "" when none). Returns 0 or -1. */
int store_feed_heads(struct store *s, int64_t *message, char *message_key,
    int64_t *event, char *event_key);
/*
 * Checks a position in the messages (events set: the events): returns 0
 * when row *at still has key (or *at is 0; an empty key is taken as the
 * row's, and set), else moves *at and key back to the last row below it
 * (0 and "" when none) and returns 1 when the row was gone, 2 when another
 * took its place. -1 on error.
 */
int store_feed_check(struct store *s, int events, int64_t *at, char *key);
/*
 * Up to max messages captured after rowid `after`, oldest first, as a new
 * array of {MessageId, Subject, Source, Destinations, Timestamp (ms),
 * Kind}; rowids[i] (room for max) gets the i-th one's rowid. NULL on
 * error.
 */
json_t *store_feed_messages_after(struct store *s, int64_t after, size_t max,
    int64_t *rowids);
/* Up to max events after id `after`, oldest first, as a new array of {Id,
 * MessageId, Type, Timestamp (ISO-8601)}; message_rowids[i] (room for max)
 * gets the rowid of the i-th one's message (0 when it is gone). NULL on
 * error. */
json_t *store_feed_events_after(struct store *s, int64_t after, size_t max,
    int64_t *message_rowids);

/*
 * message_id's recipient `address` (any case; NULL: the first) as a queue
 * row (*out: fini with store_queue_row_fini) and the message's kind (*kind
 * new). Returns 0, 1 when there is no such message (nothing set), 2 when
 * it has no such recipient (*kind set), or -1.
 */
int store_feed_recipient(struct store *s, const char *message_id,
    const char *address, struct store_queue_row *out, char **kind);

#endif
