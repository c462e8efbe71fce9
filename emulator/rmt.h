/*
 * rmt — the SMTP transports of the delivery core: relay (every recipient
 * to one smarthost) and mx (each recipient domain's MX hosts, from the
 * mx-hosts map or DNS). The queue worker (queue.c) asks rmt_transport
 * which transport a recipient takes, leases the remote ones ('sending',
 * committed) and hands them over with rmt_submit; rmt's threads deliver
 * them outside any transaction and have the delivery policy (dlv) settle
 * the outcomes.
 *
 * A job is one message's recipients for one destination (at most 50): one
 * SMTP transaction. A destination has at most delivery-connections
 * connections; a thread that finishes a job takes the next job for the
 * same destination on the same connection, and an idle connection is kept
 * for a while for the next one. What leaves the machine is the stored
 * MIME, byte for byte, under the headers SES adds and, for a domain with
 * Easy DKIM or BYODKIM signing, its DKIM-Signature. The envelope sender is
 * MESSAGEID@ the verified custom MAIL FROM domain, else @feedback-domain,
 * so a bounce to it names the message (feedback.c reads them).
 */
#ifndef RMT_H
#define RMT_H

#include <stddef.h>
#include <stdio.h>

#include "store_queue.h"

struct cfg;

enum rmt_transport {
	RMT_SIMULATE,		/* the mailbox simulator answers */
	RMT_RELAY,		/* the relay smarthost */
	RMT_MX			/* the recipient domain's MX */
};

/*
 * Parses the transport rules and the MX map and, when any recipient can
 * take an SMTP transport, starts the delivery threads (cfg borrowed for
 * the process lifetime). Returns 0, or -1 (logged).
 */
int rmt_start(const struct cfg *cfg) __attribute__((warn_unused_result));
/* Stops the threads: jobs under way finish (their deadlines bound it),
 * queued ones are dropped (their rows stay 'sending' until the next
 * start requeues them). */
void rmt_stop(void);
/* The transport of a recipient address: a simulator address is always
 * simulated; else the first transport rule that matches; else deliver. */
enum rmt_transport rmt_transport(const char *address);
/* The transport's name: "simulate", "relay", "mx". */
const char *rmt_transport_name(enum rmt_transport t);
/*
 * Takes rows[0..n) (leased and committed; the array and the rows' strings
 * become rmt's) to deliver. Any thread.
 */
void rmt_submit(struct store_queue_row *rows, size_t n);
/* Waits until every row submitted before the call has been settled.
 * Returns 0, or -1 on timeout. */
int rmt_drain(long timeout_ms);
/* Writes the delivery metrics (Prometheus text) to out. */
void rmt_metrics(FILE *out);

#endif
