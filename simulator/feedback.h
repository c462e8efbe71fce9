/*
 * feedback — the mail SES forwards to a sender when an identity has
 * feedback forwarding on and no SNS topic for bounces or complaints: a
 * delivery status notification (RFC 3464, multipart/report;
 * report-type=delivery-status) for a bounce, an abuse report (RFC 5965 ARF,
 * report-type=feedback-report) for a complaint. Builds the MIME text only;
 * the publisher decides when and captures it.
 */
#ifndef FEEDBACK_H
#define FEEDBACK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* EMU: the senders of forwarded feedback (SES's are not recorded). */
#define FEEDBACK_DSN_FROM "MAILER-DAEMON@amazonses.com"
#define FEEDBACK_ARF_FROM "complaints@email-abuse.amazonses.com"

/* What a report is about (all borrowed). */
struct feedback_report {
	const char *to;			/* where it goes: the sender */
	const char *feedback_id;	/* its Message-ID's local part */
	const char *original_from;	/* MAIL FROM of the original */
	const char *original_headers;	/* the original's header section */
	size_t original_headers_len;
	int64_t now_ms;
	/* The event's own object (bounce or complaint, identity
	 * notification form). */
	const json_t *detail;
	const char *message_domain;	/* Message-ID domain of the region */
};

/* The DSN for a Bounce detail (new MIME text, *len set). */
char *feedback_dsn(const struct feedback_report *r, size_t *len);
/* The ARF report for a Complaint detail (new MIME text, *len set). */
char *feedback_arf(const struct feedback_report *r, size_t *len);
/*
 * The out-of-office reply (RFC 3834) the recipient from sent to the
 * report's sender, about the message with subject and message_id (may be
 * NULL). New MIME text, *len set.
 */
char *feedback_auto_reply(const struct feedback_report *r, const char *from,
    const char *subject, const char *message_id, size_t *len);

#endif
