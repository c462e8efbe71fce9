/*
 * fbr — parses one inbound feedback report, as a remote mail server sends
 * it to the feedback listener: a delivery status notification (RFC 3464,
 * multipart/report; report-type=delivery-status, or RFC 6533's
 * message/global-delivery-status) or an abuse report (RFC 5965 ARF,
 * multipart/report; report-type=feedback-report), into a struct of the
 * fields SES's Bounce and Complaint events are made of.
 *
 * Pure code: no I/O, no store, no global state, no logging. It does not
 * decide what a report means in SES events (which bounce type a status is,
 * which sent message it is about), does not check signatures or who sent
 * it, and reads nothing of the human-readable first part.
 *
 * What is read:
 *   - the top-level header section: Content-Type (must be
 *     multipart/report with a boundary and a report-type), Subject;
 *   - the parts of the multipart/report (not nested: a multipart/report
 *     inside another multipart is not looked for). The first part of the
 *     machine-readable type counts: message/delivery-status or
 *     message/global-delivery-status for a DSN, message/feedback-report for
 *     ARF, in 7bit, 8bit, binary, quoted-printable or base64;
 *   - the first part of type message/rfc822, message/global,
 *     text/rfc822-headers, message/rfc822-headers or message/global-headers
 *     (the returned original): its Message-ID and Return-Path.
 *
 * Header fields and report fields alike: names in any case, the first
 * non-empty one of a repeated field counts, lines end in CRLF or LF, a
 * folded value is unfolded (each line break with the blanks around it
 * becomes one space), values are trimmed and cut at FBR_FIELD_MAX_BYTES
 * bytes. A line that is not "name: value" (no colon, blanks in the name)
 * is skipped. NUL bytes are data; a value holding one reads, as a C
 * string, up to it.
 */
#ifndef FBR_H
#define FBR_H

#include <stddef.h>

/* A value longer than this (unfolded, trimmed) is cut to it. */
#define FBR_FIELD_MAX_BYTES 4096
/* A DSN with more per-recipient blocks, or an ARF report with more
 * Original-Rcpt-To fields, is refused ("too many recipients"). */
#define FBR_RECIPIENTS_MAX 100
/* Parts of the multipart/report after this many are not looked at (a
 * report has two or three). */
#define FBR_PARTS_MAX 64
/* A size for err that holds every message below. */
#define FBR_ERROR_MAX_BYTES 256
/* Input quoted in an error ("X" below) is cut to this many bytes (then
 * "..."), its bytes outside printable ASCII and '"' shown as '?': the
 * listener puts the text in an SMTP reply. */
#define FBR_QUOTE_MAX_BYTES 64

enum fbr_kind { FBR_DSN = 1, FBR_ARF = 2 };

/* One per-recipient block of a DSN: a block with Final-Recipient, Action
 * or Status. Strings new, or NULL when the field is absent. */
struct fbr_recipient {
	/* The address alone: "rfc822; <A@b.c>" -> "A@b.c" (address type
	 * and angle brackets dropped, case kept). Never NULL. */
	char *final_recipient;
	char *original_recipient;	/* same treatment, or NULL */
	/* Lower case, first word: failed, delayed, delivered, relayed,
	 * expanded (others kept as they come). Never NULL. */
	char *action;
	/* "5.1.1": class 2, 4 or 5, then two numbers of 1-3 digits;
	 * comments and what follows dropped. Never NULL. */
	char *status;
	/* Diagnostic-Code as given: "smtp; 550 5.1.1 <a@b.c>: user unknown" */
	char *diagnostic;
	char *remote_mta;		/* Remote-MTA as given: "dns; mx.b.c" */
};

/* All strings new, or NULL when absent. */
struct fbr_report {
	enum fbr_kind kind;
	/* Reporting-MTA as given ("dns; mx.example.com"): the DSN's
	 * per-message field, or ARF's optional one. */
	char *reporting_mta;
	/* Arrival-Date (DSN, ARF) or Received-Date (early ARF) as given. */
	char *arrival_date;
	/* DSN: Original-Envelope-Id as given (the ENVID the sender gave). */
	char *original_envelope_id;
	/* DSN: the per-recipient blocks in order (nrcpts >= 1); ARF: none. */
	struct fbr_recipient *rcpts;
	size_t nrcpts;

	/* ARF: Feedback-Type, lower case, first word (abuse, fraud, virus,
	 * other, not-spam, auth-failure, or another as it comes). Never
	 * NULL in an ARF report. */
	char *feedback_type;
	char *user_agent;		/* as given */
	/* The first Original-Rcpt-To and the Original-Mail-From, each the
	 * address alone (angle brackets dropped); "" for "<>". */
	char *original_rcpt_to;
	char *original_mail_from;
	/* Every Original-Rcpt-To in order (each as above): there is one per
	 * complained-of recipient. */
	char **original_rcpt_tos;
	size_t noriginal_rcpt_tos;

	/* The returned original (either kind): its Message-ID without the
	 * angle brackets and blanks, and its Return-Path address without
	 * them ("" for the null sender "<>"). */
	char *original_message_id;
	char *original_return_path;

	/* The report's own Subject, unfolded (RFC 2047 words not decoded),
	 * for logs. */
	char *subject;
};

/*
 * Parses msg[0..len) (borrowed for the call). Returns 0 with *out filled
 * (release it with fbr_fini), or -1 with *out zeroed and err (errlen bytes,
 * FBR_ERROR_MAX_BYTES is enough; may be NULL when errlen is 0) set to one
 * of these lines, "X" quoted from the input as FBR_QUOTE_MAX_BYTES says:
 *
 *   not a multipart/report message
 *                          top-level Content-Type absent or another type
 *   no report-type parameter
 *   report-type "X" is not delivery-status or feedback-report
 *   multipart/report without boundary parameter
 *                          (absent or empty)
 *   start boundary not found
 *                          no "--boundary" line
 *   close boundary not found
 *                          no "--boundary--" line (truncated message)
 *   no message/delivery-status part
 *   no message/feedback-report part
 *   Content-Transfer-Encoding "X" not supported
 *                          on the machine-readable part
 *   no per-recipient fields
 *                          DSN without a block with Final-Recipient,
 *                          Action or Status
 *   recipient N: no Final-Recipient
 *   recipient N: no Action
 *   recipient N: no Status
 *                          N counts recipient blocks from 1; a field
 *                          with an empty value counts as absent
 *   recipient N: bad Status "X"
 *                          not class.subject.detail as above
 *   too many recipients    more than FBR_RECIPIENTS_MAX
 *   no Feedback-Type       ARF report part without one
 */
int fbr_parse(const char *msg, size_t len, struct fbr_report *out,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* Releases what r holds and zeroes it; fbr_fini on a zeroed report (or
 * one fbr_parse refused) is a no-op. */
void fbr_fini(struct fbr_report *r);

#endif
