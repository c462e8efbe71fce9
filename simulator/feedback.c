/*
 * feedback — forwarded bounce and complaint reports (see feedback.h).
 */
#include "feedback.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "wire.h"

/* The common top of a report: headers, then the first (text) part. */
static void
feedback_head(struct buf *b, const struct feedback_report *r,
    const char *from, const char *subject, const char *report_type,
    const char *boundary)
{
	char date[WIRE_DATE_MAX_BYTES];

	wire_date_rfc5322(r->now_ms, date);
	buf_printf(b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
	    "Message-ID: <%s@%s>\r\nMIME-Version: 1.0\r\nContent-Type: "
	    "multipart/report; report-type=%s;\r\n boundary=\"%s\"\r\n\r\n",
	    from, r->to, subject, date, r->feedback_id, r->message_domain,
	    report_type, boundary);
}

/* The original's headers as the report's last part. */
static void
feedback_tail(struct buf *b, const struct feedback_report *r,
    const char *boundary)
{
	buf_printf(b, "--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n",
	    boundary);
	buf_append(b, r->original_headers, r->original_headers_len);
	if (r->original_headers_len < 2 || memcmp(r->original_headers +
	    r->original_headers_len - 2, "\r\n", 2) != 0)
		buf_puts(b, "\r\n");
	buf_printf(b, "\r\n--%s--\r\n", boundary);
}

static const char *
feedback_str(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "";
}

char *
feedback_dsn(const struct feedback_report *r, size_t *len)
{
	const json_t *list = json_object_get(r->detail, "bouncedRecipients");
	const json_t *rc;
	const char *mta = json_string_value(json_object_get(r->detail,
	    "reportingMTA"));
	char boundary[96];
	struct buf b;
	size_t i;

	snprintf(boundary, sizeof(boundary), "=_sesbox_dsn_%s",
	    r->feedback_id);
	buf_init(&b);
	feedback_head(&b, r, FEEDBACK_DSN_FROM, "Delivery Status "
	    "Notification (Failure)", "delivery-status", boundary);
	buf_printf(&b, "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\nAn error occurred while "
	    "trying to deliver the mail to the following recipients:\r\n",
	    boundary);
	json_array_foreach(list, i, rc)
		buf_printf(&b, "%s\r\n", feedback_str(rc, "emailAddress"));
	buf_printf(&b, "\r\n--%s\r\nContent-Type: message/delivery-status\r\n"
	    "\r\nReporting-MTA: %s\r\n", boundary, mta != NULL ? mta :
	    "dns; amazonses.com");
	json_array_foreach(list, i, rc) {
		buf_printf(&b, "\r\nFinal-Recipient: rfc822; %s\r\nAction: %s\r\n"
		    "Status: %s\r\n", feedback_str(rc, "emailAddress"),
		    json_object_get(rc, "action") ? feedback_str(rc, "action") :
		    "failed", json_object_get(rc, "status") ? feedback_str(rc,
		    "status") : "5.0.0");
		if (json_object_get(rc, "diagnosticCode") != NULL) {
			/* A multi-line reply's lines are joined by "\n": each
			 * is folded onto a continuation line (RFC 3464
			 * §2.1.1, RFC 5322 §2.2.3). */
			const char *d = feedback_str(rc, "diagnosticCode"), *nl;

			buf_puts(&b, "Diagnostic-Code: ");
			for (; (nl = strchr(d, '\n')) != NULL; d = nl + 1) {
				buf_append(&b, d, (size_t)(nl - d));
				buf_puts(&b, "\r\n ");
			}
			buf_printf(&b, "%s\r\n", d);
		}
	}
	buf_puts(&b, "\r\n");
	feedback_tail(&b, r, boundary);
	return buf_steal(&b, len);
}

char *
feedback_arf(const struct feedback_report *r, size_t *len)
{
	const json_t *list = json_object_get(r->detail,
	    "complainedRecipients");
	const json_t *rc;
	const char *agent = json_string_value(json_object_get(r->detail,
	    "userAgent"));
	const char *type = json_string_value(json_object_get(r->detail,
	    "complaintFeedbackType"));
	char boundary[96], date[WIRE_DATE_MAX_BYTES];
	struct buf b;
	size_t i;

	snprintf(boundary, sizeof(boundary), "=_sesbox_arf_%s",
	    r->feedback_id);
	wire_date_rfc5322(r->now_ms, date);
	buf_init(&b);
	feedback_head(&b, r, FEEDBACK_ARF_FROM, "Complaint about your "
	    "message", "feedback-report", boundary);
	buf_printf(&b, "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\nThis is an email abuse "
	    "report for an email message received by:\r\n", boundary);
	json_array_foreach(list, i, rc)
		buf_printf(&b, "%s\r\n", feedback_str(rc, "emailAddress"));
	/* RFC 5965 §3.1: the machine-readable part. */
	buf_printf(&b, "\r\n--%s\r\nContent-Type: message/feedback-report\r\n"
	    "\r\nFeedback-Type: %s\r\nUser-Agent: %s\r\nVersion: 1\r\n"
	    "Original-Mail-From: %s\r\nArrival-Date: %s\r\n", boundary,
	    type != NULL ? type : "abuse", agent != NULL ? agent : "sesbox",
	    r->original_from, date);
	json_array_foreach(list, i, rc)
		buf_printf(&b, "Original-Rcpt-To: %s\r\n", feedback_str(rc,
		    "emailAddress"));
	buf_puts(&b, "\r\n");
	feedback_tail(&b, r, boundary);
	return buf_steal(&b, len);
}

char *
feedback_auto_reply(const struct feedback_report *r, const char *from,
    const char *subject, const char *message_id, size_t *len)
{
	char date[WIRE_DATE_MAX_BYTES];
	struct buf b;

	wire_date_rfc5322(r->now_ms, date);
	buf_init(&b);
	/* RFC 3834 §3.1.5, §3.1.7: "Auto:" and Auto-Submitted. */
	buf_printf(&b, "From: %s\r\nTo: %s\r\nSubject: Auto: %s\r\nDate: %s"
	    "\r\nMessage-ID: <%s@%s>\r\n", from, r->to, subject != NULL ?
	    subject : "", date, r->feedback_id, r->message_domain);
	if (message_id != NULL)
		buf_printf(&b, "In-Reply-To: %s\r\nReferences: %s\r\n",
		    message_id, message_id);
	buf_puts(&b, "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\n"
	    "I am out of the office and will reply when I return.\r\n");
	return buf_steal(&b, len);
}
