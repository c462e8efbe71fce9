/*
 * store_capture — the capture store's SQL: listing captured messages with
 * filters and cursor paging over the narrow capture table (schema 014, kept
 * in step with message and event by triggers), one message with its raw
 * MIME text, the unread state, deleting messages with everything about
 * them, retention pruning, and the rows of LocalStack's /_aws/ses view.
 * It knows nothing of HTTP, query strings or cursors' wire form
 * (simulator/capture.c), nor of MIME.
 */
#ifndef STORE_CAPTURE_H
#define STORE_CAPTURE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_CAPTURE_LIST_MAX 1000

/*
 * What to list or delete (strings borrowed; NULL: any). Matching is
 * ASCII case-insensitive for to, from, subject and q, exact otherwise.
 */
struct store_capture_filter {
	const char *account;
	const char *region;
	const char *kind;		/* "send", "verification", ... */
	const char *api;		/* "v1", "v2", "smtp" */
	const char *operation;		/* "SendEmail", ... */
	const char *configuration_set;
	const char *to;			/* one of the recipients */
	const char *from;		/* substring of the source */
	const char *subject;		/* substring of the subject */
	const char *q;			/* substring of subject, source or a
					 * recipient */
	const char *event;		/* an event type the message has */
	const char *tag_name;		/* with tag_value: a message tag */
	const char *tag_value;
	int64_t since_ms;		/* created at or after (INT64_MIN) */
	int64_t until_ms;		/* created at or before (INT64_MAX) */
	/* Paging: only rows after (after_ms, after_id) in newest-first
	 * order; after_ms INT64_MAX starts at the newest. */
	int64_t after_ms;
	int64_t after_id;
};

/* f matching everything, from the newest. */
void store_capture_filter_init(struct store_capture_filter *f);

/*
 * Up to limit summaries newest first (created_ms, then capture order), as
 * a new array of {MessageId, Account, Region, Kind, Source, Destinations,
 * Subject, Timestamp (ms), [Api, Operation, Tags, ConfigurationSet] for
 * sends, Read, EventTypes, Size}. *more is set when rows follow the last
 * one, whose paging key is then in *last_ms and *last_id. NULL on error.
 */
json_t *store_capture_list(struct store *s,
    const struct store_capture_filter *f, size_t limit, int *more,
    int64_t *last_ms, int64_t *last_id);
/*
 * Deletes every message f matches (the paging key is ignored) with its
 * recipients, events, publications and tracked links. Returns the count,
 * or -1.
 */
long store_capture_delete(struct store *s,
    const struct store_capture_filter *f);
/* Deletes one message as above: 0, 1 when there is none, or -1. */
int store_capture_delete_one(struct store *s, const char *message_id);
/*
 * One message: its summary plus "Raw" (the MIME text), new; NULL when
 * there is none or on error (*missing tells which).
 */
json_t *store_capture_get(struct store *s, const char *message_id,
    int *missing);
/* Sets a message's unread state: 0, 1 when there is none, or -1. */
int store_capture_read_set(struct store *s, const char *message_id,
    int read);

/*
 * Retention: deletes (as above) at most batch messages, the oldest first
 * (created_ms, then capture order): those beyond the newest keep (keep 0:
 * no limit), then those created before before_ms (INT64_MIN: none). A
 * message still under way (a recipient queued, an event not yet
 * published) is left for a later call. Returns the count deleted, or -1.
 */
long store_capture_prune(struct store *s, long keep, int64_t before_ms,
    long batch);
/*
 * Whether store_capture_prune(keep, before_ms) has anything to delete:
 * 1, 0, or -1 on error. Cheap when not (no count while the ids' span is
 * within keep). *oldest_ms is set to when the oldest message was
 * created, or INT64_MAX when there is none.
 */
int store_capture_due(struct store *s, long keep, int64_t before_ms,
    int64_t *oldest_ms);

/*
 * LocalStack's view: the sent messages (kind "send") of every account
 * and region, oldest first; filters (NULL: any) message_id, and source
 * (any case). New array of {MessageId, Region, Source, Subject,
 * Timestamp (ms), Operation, Raw, Destinations, Recipients: [{Address,
 * Kind}]}, where Kind is "to", "cc" or "bcc" (Recipients is empty when
 * the send queued none: a rendering failure); NULL on error.
 */
json_t *store_capture_localstack(struct store *s, const char *message_id,
    const char *source);
/* Deletes the sent messages (all, or message_id's) as above; the count or
 * -1. */
long store_capture_localstack_delete(struct store *s,
    const char *message_id);

#endif
