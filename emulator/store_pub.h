/*
 * store_pub — the event publisher's SQL: its cursor over the event table,
 * the events after it with the message each is about, and the record of
 * every publication. Knows nothing of payload formats or destinations.
 */
#ifndef STORE_PUB_H
#define STORE_PUB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/*
 * One event to publish, with its message (strings new). What only a
 * payload needs (the detail, recipients and tags parsed, the message text)
 * is read by store_pub_load, most events never needing it.
 */
struct store_pub_event {
	int64_t id;
	char *type;			/* eventType */
	int64_t ts_ms;
	char *message_id;
	char *account;
	char *region;
	char *source;
	int64_t created_ms;
	char *operation;
	char *configuration_set;	/* or NULL */
	char *source_ip;
	int loaded;			/* store_pub_load ran */
	json_t *detail;			/* new, once loaded */
	json_t *destinations;		/* new array, once loaded */
	json_t *tags;			/* new object or NULL, once loaded */
	json_t *submitted;		/* new object or NULL, once loaded */
	char *raw;			/* once loaded */
	size_t raw_len;
};

void store_pub_event_fini(struct store_pub_event *e);

/* The last event published (0: none yet). Returns 0 or -1. */
int store_pub_cursor(struct store *s, int64_t *last);
int store_pub_cursor_set(struct store *s, int64_t last);
/*
 * Up to max events after `after`, in id order (new array in *out; free
 * each with store_pub_event_fini, then the array). Returns the count or -1.
 */
long store_pub_events(struct store *s, int64_t after, size_t max,
    struct store_pub_event **out);

/* Reads and parses what e's payloads need (once). Returns 0 or -1. */
int store_pub_load(struct store *s, struct store_pub_event *e);

/* One publication (all borrowed). */
struct store_pub_record {
	int64_t event_id;
	const char *account;
	const char *region;
	const char *message_id;
	const char *event_type;
	const char *format;		/* "event", "notification" */
	const char *origin;		/* destination name or identity */
	const char *target_kind;	/* "sns", "firehose", ... */
	const char *target;
	/* "published", "recorded", "failed", or "queued" (forwarded: the
	 * outbox row's fate decides) */
	const char *status;
	const char *error;		/* or NULL */
	const char *payload;
	int64_t ts_ms;
	int64_t outbox_id;		/* the forwarding call's row, or 0 */
};

int store_pub_record(struct store *s, const struct store_pub_record *r);
/* The publications carried by outbox row outbox_id are settled: status
 * "published" or "failed", error NULL when none. Returns 0 or -1. */
int store_pub_outbox_settle(struct store *s, int64_t outbox_id,
    const char *status, const char *error);
/*
 * Publications of message_id (NULL: all, newest first, at most limit), as
 * a new array of {Event, Type, Format, Origin, TargetKind, Target, Status,
 * Error?, Payload (parsed), Timestamp, Delivery? (the forwarding call's
 * outbox row in store_outbox_list's form)}; NULL on error.
 */
json_t *store_pub_list(struct store *s, const char *message_id,
    size_t limit);

#endif
