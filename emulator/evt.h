/*
 * evt — the JSON SES publishes about a message, in its two formats:
 * event publishing (configuration-set event destinations, "eventType")
 * and identity notifications (SetIdentityNotificationTopic,
 * "notificationType"). It builds the `mail` object (with the message's
 * headers and commonHeaders), the detail object of each event type and
 * the whole payload, and writes a payload out as SES writes it into an
 * SNS message.
 *
 * AWS: key orders, which keys appear when and the header rules follow
 * real captures; docs/events.md lists the sources and marks what is
 * inferred. Where the two formats differ it is said below.
 *
 * It is pure: no store, no HTTP, no threads, no state. It does not decide
 * what happened to a message or whom to tell (the delivery core does),
 * nor wrap a payload for SNS, EventBridge or Firehose.
 */
#ifndef EVT_H
#define EVT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/*
 * AWS: headers are truncated "when the headers from the original message
 * are 10KB or larger" [DG:notification-contents]; see evt_mail_object.
 */
#define EVT_HEADERS_MAX_BYTES 10240

/* The message an event is about, as captured (all borrowed). */
struct evt_mail {
	const char *message_id;
	const char *account;		/* sendingAccountId */
	const char *region;		/* not written (ARNs come made) */
	/* envelope sender as given (may carry a display name) */
	const char *source;
	/* identity ARN, or NULL (templated Send events have none) */
	const char *source_arn;
	const char *source_ip;		/* identity notifications' sourceIp */
	/* identity notifications' callerIdentity, or NULL */
	const char *caller_identity;
	/* array of recipient strings as given */
	const json_t *destinations;
	int64_t timestamp_ms;		/* send time */
	/* {"name": ["value"]} including the ses:* tags, or NULL */
	const json_t *tags;
	/* the MIME message (for headers), may be "" */
	const char *raw;
	size_t raw_len;
	/*
	 * NULL: raw's headers are listed as they are, SES's own Message-ID
	 * left out. Else raw is the message as SES sent it and this object
	 * holds the sender's own "Message-ID" and "Date" (each absent when
	 * the sender wrote none), which are listed instead of SES's.
	 */
	const json_t *submitted;
};

/*
 * eventType (configuration-set event publishing) vs notificationType
 * (identity notifications).
 */
enum evt_format { EVT_EVENT, EVT_NOTIFICATION };

/* "2018-01-23T01:46:30.711Z" (new string); ms are always 3 digits. */
char *evt_timestamp(int64_t ms);

/*
 * The `mail` object (new). EVT_EVENT: timestamp, source, sourceArn
 * (omitted when NULL), sendingAccountId, messageId, destination,
 * headersTruncated, headers, commonHeaders, tags (omitted when NULL).
 * EVT_NOTIFICATION: timestamp, source, sourceArn, sourceIp (each omitted
 * when NULL), callerIdentity (only when non-NULL), sendingAccountId,
 * messageId, destination, then headersTruncated, headers, commonHeaders
 * only when with_headers; never tags.
 *
 * Event-publishing mail always carries headers, except a Rendering
 * Failure event's (pass with_headers 0): AWS: that one keeps
 * "headersTruncated": false and has no headers or commonHeaders.
 *
 * headers: the message's top-level fields in order, {"name","value"},
 * values unfolded and RFC 2047 decoded (AWS: SES shows "Subject":
 * "用戶驗證" for an encoded subject), bytes that are not UTF-8 read as
 * Latin-1. A Message-ID naming this message's own SES MessageId is left
 * out: SES writes it when it sends, after the mail object is captured.
 * headersTruncated is true, and the list stops before the first field
 * that would take the running size (name + value bytes) to
 * EVT_HEADERS_MAX_BYTES or more.
 *
 * commonHeaders (from every field, truncated or not), keys in this order
 * when present: returnPath (address of the first Return-Path), from,
 * sender, replyTo (arrays: one element per field, the addresses as
 * JavaMail writes them, see mime_address_unicode; the decoded value when
 * they do not parse), date (first Date), to, cc, bcc (arrays), messageId,
 * subject (first Subject, decoded). messageId: EVT_EVENT always the SES
 * MessageId (even for a message with its own Message-ID field);
 * EVT_NOTIFICATION the message's own Message-ID value, omitted without
 * one.
 */
json_t *evt_mail_object(const struct evt_mail *m, enum evt_format fmt,
    int with_headers);

/*
 * The whole payload (new): the type key ("eventType" for EVT_EVENT,
 * "notificationType" for EVT_NOTIFICATION), "mail", then the detail under
 * its key. AWS: for Bounce and Complaint the detail comes before "mail"
 * instead, in both formats. type is
 * "Send", "Reject", "Bounce", "Complaint", "Delivery", "Open", "Click",
 * "Rendering Failure", "DeliveryDelay", "Subscription"; the detail key is
 * send, reject, bounce, complaint, delivery, open, click, failure,
 * deliveryDelay, subscription. detail is borrowed (copied); NULL is {}
 * (Send's detail). Returns NULL for an unknown type and, in
 * EVT_NOTIFICATION, for a type with no notification form (only Bounce,
 * Complaint and Delivery have one).
 */
json_t *evt_payload(const struct evt_mail *m, enum evt_format fmt,
    const char *type, const json_t *detail, int with_headers);

/* The detail key of type (static), or NULL when type is unknown. */
const char *evt_detail_key(const char *type);

/*
 * The payload as SES writes it into an SNS message (new): compact JSON in
 * the payload's key order, non-ASCII characters as UTF-8, '/' unescaped.
 * AWS: an event-publishing message ends with a newline, an identity
 * notification does not (signed captures of both).
 */
char *evt_message(const json_t *payload, enum evt_format fmt);

/* --- detail objects (all new; strings borrowed and copied) --- */

/* One entry of bouncedRecipients or delayedRecipients. */
struct evt_recipient {
	const char *email;		/* emailAddress, as given */
	const char *action;		/* bounce DSN Action; NULL = omitted */
	const char *status;		/* NULL = omitted */
	const char *diagnostic_code;	/* NULL = omitted */
};

/*
 * AWS: {feedbackId, bounceType, bounceSubType, bouncedRecipients,
 * timestamp, remoteMtaIp?, reportingMTA?}, the same in both formats.
 * feedbackId comes first in every capture since 2021; the 2018 captures
 * had it after timestamp.
 */
struct evt_bounce {
	const char *feedback_id;
	const char *type;		/* Permanent, Transient, Undetermined */
	const char *sub_type;		/* General, NoEmail, Suppressed, ... */
	const struct evt_recipient *recipients;
	size_t nrecipients;
	int64_t timestamp_ms;
	const char *remote_mta_ip;	/* NULL = omitted (no MTA reached) */
	const char *reporting_mta;	/* "dns; ..."; NULL = omitted */
};
json_t *evt_bounce_detail(const struct evt_bounce *b);

/*
 * AWS: {feedbackId, complaintSubType (null unless
 * "OnAccountSuppressionList"), complainedRecipients[{emailAddress}],
 * timestamp, userAgent?, complaintFeedbackType?, arrivalDate?}, the same
 * in both formats; the last three come from a feedback report.
 */
struct evt_complaint {
	const char *feedback_id;
	const char *sub_type;		/* NULL = null */
	const char *const *recipients;
	size_t nrecipients;
	int64_t timestamp_ms;
	const char *user_agent;		/* NULL = omitted */
	const char *feedback_type;	/* abuse, fraud, ...; NULL = omitted */
	int64_t arrival_ms;		/* arrivalDate; 0 = omitted */
};
json_t *evt_complaint_detail(const struct evt_complaint *c);

/*
 * {timestamp, processingTimeMillis, recipients, smtpResponse,
 * remoteMtaIp, reportingMTA}. AWS: the event form has no remoteMtaIp;
 * fmt says which form to build.
 */
struct evt_delivery {
	int64_t timestamp_ms;
	int64_t processing_ms;		/* processingTimeMillis */
	const char *const *recipients;
	size_t nrecipients;
	const char *smtp_response;
	const char *remote_mta_ip;	/* notification form; NULL = omitted */
	const char *reporting_mta;	/* host name, no "dsn;" */
};
json_t *evt_delivery_detail(const struct evt_delivery *d,
    enum evt_format fmt);

/*
 * Event form only: {timestamp, delayType, expirationTime,
 * delayedRecipients[{emailAddress, status, diagnosticCode}],
 * reportingMTA?}.
 */
struct evt_delay {
	int64_t timestamp_ms;
	const char *delay_type;		/* General, MailboxFull, ... */
	int64_t expiration_ms;
	const struct evt_recipient *recipients;	/* action unused */
	size_t nrecipients;
	const char *reporting_mta;	/* NULL = omitted */
};
json_t *evt_delay_detail(const struct evt_delay *d);

/* Event form only: {"reason": reason} ("Bad content"). */
json_t *evt_reject_detail(const char *reason);

/* Event form only, type "Rendering Failure": {errorMessage, templateName}. */
json_t *evt_failure_detail(const char *error_message,
    const char *template_name);

/* Event form only. AWS: {timestamp, userAgent, ipAddress}. */
struct evt_open {
	int64_t timestamp_ms;
	const char *user_agent;
	const char *ip_address;
};
json_t *evt_open_detail(const struct evt_open *op);

/*
 * Event form only. AWS: {timestamp, ipAddress, userAgent, link,
 * linkTags}; linkTags is null when the link has none.
 */
struct evt_click {
	int64_t timestamp_ms;
	const char *ip_address;
	const char *user_agent;
	const char *link;
	/* {"k": ["v"]} (borrowed), NULL = null */
	const json_t *link_tags;
};
json_t *evt_click_detail(const struct evt_click *c);

/* Event form only: {contactList, timestamp, source, newTopicPreferences,
 * oldTopicPreferences?}, preferences {unsubscribeAll,
 * topicSubscriptionStatus[{topicName, subscriptionStatus}]}. */
struct evt_topic_status {
	const char *topic;		/* topicName */
	const char *status;		/* OptIn, OptOut */
};
struct evt_topic_prefs {
	int unsubscribe_all;
	const struct evt_topic_status *topics;
	size_t ntopics;
};
struct evt_subscription {
	const char *contact_list;
	int64_t timestamp_ms;
	const char *source;		/* "UnsubscribeHeader", ... */
	const struct evt_topic_prefs *new_prefs;
	const struct evt_topic_prefs *old_prefs;	/* NULL = omitted */
};
json_t *evt_subscription_detail(const struct evt_subscription *s);

#endif
