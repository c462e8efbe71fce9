/*
 * dlv — the delivery policy: what a transport's answer for one recipient
 * means in SES terms. The one place that turns "250 2.6.0", "550 5.1.1" or a
 * simulated complaint into the queue row's next state, the SES events
 * (Delivery, Bounce, Complaint, DeliveryDelay), and the sending statistics.
 * Transports (the mailbox simulator now, SMTP later) only say what
 * happened; they never write events. This module does no I/O besides the
 * store, and knows nothing of how events are published.
 */
#ifndef DLV_H
#define DLV_H

#include <stdint.h>

#include "cfg.h"
#include "store.h"
#include "store_queue.h"

enum dlv_kind {
	DLV_DELIVERED,		/* accepted by the receiving side */
	DLV_PERMANENT,		/* refused for good: a hard bounce */
	DLV_TRANSIENT,		/* refused for now: retried until expiry */
	DLV_REJECT		/* SES itself refuses the message (a virus) */
};

/*
 * A transport's answer for one recipient (strings borrowed, static or
 * valid until dlv_settle returns; NULL means absent).
 */
struct dlv_result {
	enum dlv_kind kind;
	const char *smtp_response;	/* DELIVERED: "250 2.6.0 Message received" */
	const char *bounce_type;	/* PERMANENT: "Permanent", ... */
	const char *bounce_subtype;	/* "General", "Suppressed", ... */
	const char *action;		/* DSN action ("failed") */
	const char *status;		/* enhanced status code ("5.1.1") */
	const char *diagnostic;		/* "smtp; 550 5.1.1 user unknown" */
	const char *remote_mta_ip;
	const char *reporting_mta;	/* as SES writes it in a bounce */
	const char *delay_type;		/* TRANSIENT: DeliveryDelay's delayType */
	const char *delivery_mta;	/* as SES writes it in a delivery */
	int at_acceptance;		/* refused before sending: the bounce
					 * carries the send's own time */
	/* After a delivery: a complaint, or an out-of-office auto-reply
	 * that SES reports as a Transient/General bounce. */
	const char *complaint_type;	/* complaintFeedbackType */
	const char *complaint_agent;	/* userAgent */
	int auto_reply;
	int64_t follow_up_ms;		/* how long after the delivery */
};

/*
 * What SES decides about rows[0..n) before any transport is asked,
 * reading s: a message with a virus is rejected; an address on the
 * account-level suppression list bounces (OnAccountSuppressionList).
 * decided[i] is set to 1 where it decided res[i], else 0 (ask the
 * transport). Returns 0 or -1 on a store error.
 */
int dlv_precheck_all(struct store *s, const struct store_queue_row *rows,
    struct dlv_result *res, int *decided, size_t n);

/*
 * Settles the claimed rows rows[0..n) with their results res[0..n), in
 * one transaction on s, at now_ms: sets each row's next state, records the
 * events (one per message and outcome, listing all its recipients, as SES
 * combines them), counts bounces and complaints of non-simulator
 * recipients in the statistics and re-evaluates the account's reputation
 * (cfg's thresholds) when they change. Returns 0 or -1.
 */
int dlv_settle(struct store *s, const struct cfg *cfg,
    const struct store_queue_row *rows, const struct dlv_result *res,
    size_t n, int64_t now_ms);

/*
 * A recipient's own report on a message after the fact (the inspection
 * API's actions on a captured message): res is a complaint
 * (complaint_type set, complaint_agent optional) or a bounce (kind
 * DLV_PERMANENT with bounce_type, bounce_subtype, action, status,
 * diagnostic, reporting_mta) from row's recipient (row as the queue holds
 * it; borrowed). Recorded in s's transaction at now_ms as dlv_settle
 * records a simulated one: the event, the suppression, the statistics and
 * the reputation; row's delivery state is left as it is. Returns 0 or -1.
 */
int dlv_manual(struct store *s, const struct cfg *cfg,
    const struct store_queue_row *row, const struct dlv_result *res,
    int64_t now_ms);

#endif
