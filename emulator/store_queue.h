/*
 * store_queue — the delivery queue's SQL: the recipient rows a send queued
 * (store_send.c), claimed by the delivery workers (queue.c) and settled with
 * the outcome the delivery policy (dlv.c) decided. Knows nothing of
 * transports or SES events.
 *
 * A row's state: 'queued' (due at next_attempt_ms), 'sending' (claimed by
 * an SMTP delivery under way, outside any transaction; back to 'queued' at
 * start-up), 'feedback' (delivered; a follow-up such as a complaint is due
 * at next_attempt_ms), and the final 'delivered', 'bounced' and
 * 'rejected'.
 */
#ifndef STORE_QUEUE_H
#define STORE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* One claimed row with what delivering it needs (strings new). */
struct store_queue_row {
	char *message_id;
	int idx;
	char *address;
	char *state;			/* as claimed: 'queued' or 'feedback' */
	int attempts;			/* before this one */
	char *account;
	char *region;
	char *source;
	int64_t created_ms;
	char *verdict;			/* the message's, or NULL */
	char *configuration_set;	/* the message's, or NULL */
	/* Its configuration set's DeliveryOptions (0 when unset). */
	int64_t max_delivery_ms;	/* MaxDeliverySeconds */
	int tls_required;		/* TlsPolicy REQUIRE */
};

void store_queue_row_fini(struct store_queue_row *r);

/*
 * Claims up to max rows due at now_ms ('queued' and 'feedback'), oldest
 * first, and all the other due rows of the last message taken, so one
 * message's recipients are settled together; the caller settles them in
 * this same transaction. Sets *out (new array; free each row with
 * store_queue_row_fini, then the array) and returns the count, or -1.
 */
long store_queue_claim(struct store *s, int64_t now_ms, size_t max,
    struct store_queue_row **out);
/* Settles claimed row r: its new state and when it is next due (ignored
 * for the final states); a 'queued' row counts one more attempt. Returns 0
 * or -1. */
int store_queue_settle(struct store *s, const struct store_queue_row *r,
    const char *state, int64_t next_ms);
/* Marks claimed row r 'sending': an SMTP delivery takes it outside the
 * transaction. Returns 0 or -1. */
int store_queue_lease(struct store *s, const struct store_queue_row *r);
/* Whether claimed row r is still 'sending' (not deleted by a reset or
 * with its message): 1, 0, or -1. */
int store_queue_leased(struct store *s, const struct store_queue_row *r);
/* Start-up: every 'sending' row a stopped process left goes back to
 * 'queued', due as it was. Returns the rows, or -1. */
int store_queue_recover(struct store *s);
/* The MIME text of message_id (*raw new, *len set). Returns 0, 1 when
 * there is no such message, or -1. */
int store_queue_raw(struct store *s, const char *message_id, char **raw,
    size_t *len);

/* The earliest next_attempt_ms of a waiting row (*due set), or none
 * (*due = INT64_MAX). Returns 0 or -1. */
int store_queue_next_due(struct store *s, int64_t *due);
/* Adds bounces, complaints and rejects to ts_ms's GetSendStatistics
 * bucket. */
int store_stats_feedback(struct store *s, const char *account,
    const char *region, int64_t ts_ms, int bounces, int complaints,
    int rejects);

#endif
