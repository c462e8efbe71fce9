/*
 * outbox — the sender of every HTTP request sesbox owes another party: a
 * thread that claims the outbox rows due by the test clock (store_outbox),
 * has each row's kind build the request (SNS's POST to a subscriber,
 * sns_deliver; a SigV4-signed SNS Publish or EventBridge PutEvents call,
 * forward), POSTs a batch at once with libcurl, lets the kind judge the
 * answer and records every attempt; failures are retried by the kind's
 * policy, delays measured on the test clock. A forwarded publication
 * (store_pub) follows its row: published once delivered, failed once
 * failed. Woken by commits (rows may have been queued) and at once by
 * clock moves; otherwise asleep until the next row is due. Decides
 * nothing about what is sent to whom.
 */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "store_outbox.h"

/* Longest answer body kept for the kind to judge (the rest is dropped). */
#define OUTBOX_RESPONSE_MAX_BYTES 8192
/* Longest error text recorded for an attempt. */
#define OUTBOX_ERROR_MAX_BYTES 512

/* A request to make, built by a kind: every string new. */
struct outbox_request {
	char **headers;		/* "Name: value" lines, in order */
	size_t nheaders;
	char *body;
	size_t body_len;
};

/* Appends the header "name: value" to r (both borrowed). */
void outbox_request_header(struct outbox_request *r, const char *name,
    const char *value);
void outbox_request_fini(struct outbox_request *r);

/* Requeues rows a stopped process left half-done and starts the sender.
 * Returns 0, or -1 (logged). */
int outbox_start(void) __attribute__((warn_unused_result));
/* Stops the sender (the batch under way finishes). */
void outbox_stop(void);
/* Something may be due now: the clock moved. Any thread. */
void outbox_kick(void);
/* A commit happened: rows may have been queued. Any thread. */
void outbox_committed(void);
/*
 * Waits until every row due by the test clock at the time of the call has
 * been attempted (and recorded). Returns 0, or -1 when the sender is not
 * running or did not finish within timeout_ms.
 */
int outbox_drain(long timeout_ms);

#endif
