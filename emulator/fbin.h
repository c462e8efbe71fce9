/*
 * fbin — feedback received: what an asynchronous bounce (a DSN, RFC 3464)
 * or complaint (an ARF report, RFC 5965) sent to a feedback address means
 * for the message it is about. A feedback address is the envelope sender
 * sesbox delivered with, MESSAGEID@DOMAIN (rmt.h); the SMTP feedback
 * listener (smtp.c) takes mail for those only and hands each message
 * here. The report is parsed by fbr; each failed recipient becomes a
 * Bounce, the complaint a Complaint, through the delivery policy
 * (dlv_manual: the event, suppression, statistics, reputation) in one
 * transaction.
 */
#ifndef FBIN_H
#define FBIN_H

#include <stddef.h>

#include "msgid.h"

struct cfg;

#define FBIN_REPLY_MAX_BYTES 512

/* Whether address is a feedback address; sets msgid (its local part, a
 * MessageId by its syntax). Returns 1 or 0. */
int fbin_address(const char *address, char msgid[MSGID_BYTES]);

/*
 * Records report msg[0..len), sent to the feedback addresses rcpts[0..n).
 * Returns the SMTP reply code, reply set to the whole reply line: 250 when
 * it was recorded (or was about nothing sesbox can tie to a recipient:
 * an Action that is not "failed", say), 550 when it is not a report or
 * names no message sesbox sent, 451 on a store error.
 */
int fbin_ingest(const struct cfg *cfg, const char *const *rcpts, size_t n,
    const char *msg, size_t len, char reply[FBIN_REPLY_MAX_BYTES]);

#endif
