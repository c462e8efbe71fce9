/*
 * smtp — the SES SMTP interface (docs/smtp.md, SES-REFERENCE §6): a
 * STARTTLS listener and an implicit-TLS one, ESMTP as SES speaks it, SES's
 * SMTP credentials, and each message handed to the send path every API send
 * takes (send_accept, SendRawEmail semantics), acknowledged only once its
 * transaction has committed.
 *
 * Sessions run on a few event-loop threads (epoll, non-blocking sockets and
 * OpenSSL), so a slow client holds only its own session. A loop thread runs
 * the send itself and parks the session while its batch commits (group
 * commit, store_write_end_async), serving the others meanwhile.
 */
#ifndef SMTP_H
#define SMTP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cfg;

#define SMTP_ADDR_MAX_BYTES 64	/* "[ipv6]:port" or "off" */

/*
 * Opens the listeners cfg names (smtp, smtps, and feedback-smtp, which
 * takes reports about delivered mail for fbin; "off" skips one), loads or
 * generates the TLS certificate and starts the loops. Returns 0, or -1 with
 * err set to one line. cfg is borrowed for the process lifetime.
 */
int smtp_start(const struct cfg *cfg, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/*
 * Stops accepting, waits (briefly) for messages whose commit is under way
 * so they are answered, then closes every session. Safe when not started.
 */
void smtp_stop(void);
enum smtp_listener_kind {
	SMTP_LISTENER_STARTTLS,		/* smtp */
	SMTP_LISTENER_TLS,		/* smtps */
	SMTP_LISTENER_FEEDBACK		/* feedback-smtp */
};

/* The bound address of a listener, "HOST:PORT", or "off". */
void smtp_bound(enum smtp_listener_kind which,
    char out[SMTP_ADDR_MAX_BYTES]);

/* Prometheus text for /_sesbox/metrics: open sessions, connections
 * refused at the cap, messages by their final reply code. */
void smtp_metrics(FILE *out);

#endif
