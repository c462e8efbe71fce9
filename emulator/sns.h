/*
 * sns — a minimal Amazon SNS inside sesbox: topic and subscription names,
 * the messages owed to HTTP/HTTPS subscribers (queued in the caller's
 * store transaction, sent after commit by sns_deliver), and their exact
 * wire format: SNS's pretty-printed JSON envelope, the string to sign and
 * its SHA1withRSA / SHA256withRSA signature under a key and self-signed
 * certificate sesbox makes once per data directory.
 *
 * Not here: the SNS API (op_sns.c), the SQL (store_sns.c), the HTTP POSTs
 * and their retries (outbox.c, sns_deliver.c), the Publish calls made
 * when SES's publications are forwarded to an SNS endpoint (forward.c).
 * SES's event dispatcher calls sns_publish and sns_topic_exists.
 */
#ifndef SNS_H
#define SNS_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "store.h"
#include "store_outbox.h"
#include "store_sns.h"

#define SNS_ID_CHARS 36		/* message and subscription UUIDs */
/* EMU: real tokens are 288 lowercase hex digits (a token quoted in
 * localstack's test_sns.py, recorded against AWS); sesbox's are random
 * digits of the same shape. */
#define SNS_TOKEN_CHARS 288
/* AWS: Publish takes at most 256 KiB (SNS API reference, Publish). */
#define SNS_MESSAGE_MAX_BYTES 262144
#define SNS_TOPIC_NAME_MAX_CHARS 256
#define SNS_ARN_MAX_BYTES 1024
/* Where the signing certificate is served (inspection door). */
#define SNS_CERT_PATH "/_sesbox/sns/"
#define SNS_SIGNER_FILE "sns-signing.pem"

/* ---- names ---- */

/* An ARN split on ':' (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE[:ID]). */
struct sns_arn {
	int nparts;		/* number of ':'-separated elements */
	char service[32];
	char region[64];
	char account[32];
	char name[SNS_TOPIC_NAME_MAX_CHARS + 1];	/* 6th element */
	char id[64];			/* 7th element, "" when none */
	int fits;			/* every element fitted its field */
};

/* Splits arn (borrowed) into out. Returns out->nparts. */
int sns_arn_parse(const char *arn, struct sns_arn *out);
/* Non-zero when name is a valid standard topic name: 1-256 characters of
 * [A-Za-z0-9_-]. */
int sns_topic_name_valid(const char *name);
/* Non-zero when id has the shape of a UUID (8-4-4-4-12 hex digits). */
int sns_id_valid(const char *id);
/* Non-zero when token has the shape of an SNS token. */
int sns_token_valid(const char *token);
/* "arn:aws:sns:REGION:ACCOUNT:NAME" (new). */
char *sns_topic_arn(const char *region, const char *account,
    const char *name);
/* "TOPICARN:ID" of sub (new). */
char *sns_sub_arn(const struct store_sns_sub *sub);
/* Writes a new random UUID (message and subscription ids). */
void sns_uuid(char out[SNS_ID_CHARS + 1]);
/* Writes a new random token. */
void sns_token(char out[SNS_TOKEN_CHARS + 1]);

/* ---- the wire format ---- */

/* One message as SNS sends it; every string borrowed. */
struct sns_envelope {
	/* "Notification", "SubscriptionConfirmation" or
	 * "UnsubscribeConfirmation" */
	const char *type;
	const char *message_id;
	const char *topic_arn;
	const char *subject;		/* Notification only; NULL: none */
	const char *message;
	const char *token;		/* confirmations only */
	const char *subscribe_url;	/* confirmations only */
	const char *unsubscribe_url;	/* Notification only */
	int64_t timestamp_ms;
	const char *signature_version;	/* "1" or "2" */
	const char *signature;		/* base64 */
	const char *signing_cert_url;
};

/*
 * The string SNS signs for m: "Key\nValue\n" for Message, MessageId,
 * Subject (if any), Timestamp, TopicArn, Type (Notification) or Message,
 * MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type
 * (confirmations). New string.
 */
char *sns_string_to_sign(const struct sns_envelope *m);
/* m as the JSON body SNS POSTs (pretty, "Key" : value, no trailing
 * newline). New string, length in *len when len is not NULL. */
char *sns_envelope_json(const struct sns_envelope *m, size_t *len);
/*
 * The base64 signature of data (n bytes) under signature version "1"
 * (SHA1withRSA) or "2" (SHA256withRSA) with sesbox's key, or with the PEM
 * private key pem when not NULL (tests). New string, or NULL on error
 * (logged).
 */
char *sns_sign(const char *version, const char *data, size_t n,
    const char *pem);
/* The signing certificate as PEM (borrowed, process lifetime) and the
 * file name it is served under ("SimpleNotificationService-<32 hex>.pem");
 * NULL when the key cannot be loaded or made (logged). The first call
 * loads store_dir()/SNS_SIGNER_FILE, or makes and saves a new key. */
const char *sns_cert_pem(void);
const char *sns_cert_name(void);
/* Forgets the loaded key (process end, tests). */
void sns_signer_free(void);

/*
 * The POST body for delivery d (an outbox row of kind "sns"), with the
 * URLs based on base_url (sesbox's own, no trailing '/'): the raw message
 * for raw notifications, else the signed envelope. New string (*len set),
 * or NULL when signing failed.
 */
char *sns_render(const struct store_outbox *d, const char *base_url,
    size_t *len);

/* ---- queueing (in the caller's transaction) ---- */

/*
 * Publishes to topic t of account/region: one Notification per confirmed
 * subscription, msg_http to http and msg_https to https endpoints, subject
 * NULL for none. Writes the MessageId to message_id. Returns 0 or -1.
 */
int sns_topic_publish(struct store *s, const char *account,
    const char *region, const struct store_sns_topic *t, const char *subject,
    const char *msg_http, const char *msg_https, int64_t now_ms,
    char message_id[SNS_ID_CHARS + 1]);
/* Queues the SubscriptionConfirmation (with sub's token) for sub of topic
 * t. Returns 0 or -1. */
int sns_confirmation_queue(struct store *s, const struct store_sns_topic *t,
    const struct store_sns_sub *sub, int64_t now_ms);
/* Queues the UnsubscribeConfirmation (with sub's new token) for sub of
 * topic t. Returns 0 or -1. */
int sns_unsubscribe_queue(struct store *s, const struct store_sns_topic *t,
    const struct store_sns_sub *sub, int64_t now_ms);

/* ---- what SES calls ---- */

/*
 * Publishes message (and subject, NULL = none) to topic_arn on behalf of
 * SES, in the caller's store transaction s (the deliveries are queued in s
 * and made after commit). With the sns-endpoint key set, the topic is the
 * endpoint's: a Publish call to it is queued instead and *outbox_id (when
 * not NULL) names its row; otherwise *outbox_id is 0. Returns 0, 1 when
 * the topic does not exist (or topic_arn is no SNS topic ARN), -1 on
 * error.
 */
int sns_publish(struct store *s, const char *topic_arn, const char *subject,
    const char *message, int64_t now_ms, int64_t *outbox_id);
/* Whether topic_arn exists (for SES's InvalidSNSDestination check): 1 yes,
 * 0 no, -1 on a store error. With sns-endpoint set, any topic ARN is
 * taken to exist there. */
int sns_topic_exists(struct store *s, const char *topic_arn);
/*
 * The sns-subscriptions of c, in s's transaction: each topic made when
 * missing (a name is in c's default account and region) and its endpoint
 * subscribed, confirmed, unless it already is. No confirmation is sent.
 * Returns 0 or -1 (logged).
 */
int sns_config_subscribe(struct store *s, const struct cfg *c,
    int64_t now_ms);
/* The test clock moved: deliveries may have come due. Any thread. */
void sns_kick(void);

#endif
