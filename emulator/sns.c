/*
 * sns — a minimal Amazon SNS inside sesbox (see sns.h).
 *
 * The signing key and certificate live in one PEM file in the data
 * directory, made on first use; an ephemeral run's directory is new, so it
 * gets a new key.
 */
#include "sns.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "forward.h"
#include "log.h"
#include "outbox.h"
#include "route.h"
#include "wire.h"
#include "xmem.h"

#define SNS_KEY_BITS 2048
#define SNS_CERT_DAYS 3650

/* ---- names ---- */

int
sns_arn_parse(const char *arn, struct sns_arn *out)
{
	char *const fields[] = { NULL, NULL, out->service, out->region,
	    out->account, out->name, out->id };
	const size_t sizes[] = { 0, 0, sizeof(out->service),
	    sizeof(out->region), sizeof(out->account), sizeof(out->name),
	    sizeof(out->id) };
	const char *p = arn, *colon;
	size_t n;
	int i = 0;

	memset(out, 0, sizeof(*out));
	out->fits = 1;
	for (;;) {
		colon = i < 6 ? strchr(p, ':') : NULL;
		n = colon ? (size_t)(colon - p) : strlen(p);
		if (i < 7 && fields[i] != NULL) {
			if (n < sizes[i])
				memcpy(fields[i], p, n);
			else
				out->fits = 0;
		}
		i++;
		if (colon == NULL)
			break;
		p = colon + 1;
	}
	/* AWS: the element count SNS reports ("An ARN must have at least 6
	 * elements, not 1") counts the ':'-separated parts; a 7th element
	 * keeps any further ':'. */
	out->nparts = i;
	if (out->fits && strncmp(arn, "arn:", 4) != 0)
		out->fits = 0;
	return out->nparts;
}

int
sns_topic_name_valid(const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' &&
		    name[i] != '_')
			return 0;
	return i >= 1 && i <= SNS_TOPIC_NAME_MAX_CHARS;
}

int
sns_id_valid(const char *id)
{
	size_t i;

	if (strlen(id) != SNS_ID_CHARS)
		return 0;
	for (i = 0; i < SNS_ID_CHARS; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (id[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)id[i])) {
			return 0;
		}
	}
	return 1;
}

int
sns_token_valid(const char *token)
{
	size_t i;

	for (i = 0; token[i] != '\0'; i++)
		if (!isxdigit((unsigned char)token[i]) ||
		    isupper((unsigned char)token[i]))
			return 0;
	return i == SNS_TOKEN_CHARS;
}

char *
sns_topic_arn(const char *region, const char *account, const char *name)
{
	return xasprintf("arn:aws:sns:%s:%s:%s", region, account, name);
}

char *
sns_sub_arn(const struct store_sns_sub *sub)
{
	return xasprintf("arn:aws:sns:%s:%s:%s:%s", sub->region, sub->account,
	    sub->topic, sub->id);
}

void
sns_uuid(char out[SNS_ID_CHARS + 1])
{
	route_request_id(out);
}

void
sns_token(char out[SNS_TOKEN_CHARS + 1])
{
	unsigned char r[SNS_TOKEN_CHARS / 2];

	if (RAND_bytes(r, sizeof(r)) != 1)
		abort();
	str_hex(out, r, sizeof(r));
	out[SNS_TOKEN_CHARS] = '\0';
}

/* ---- the wire format ---- */

static int
sns_is_notification(const struct sns_envelope *m)
{
	return strcmp(m->type, "Notification") == 0;
}

static void
sns_sign_field(struct buf *b, const char *key, const char *value)
{
	buf_puts(b, key);
	buf_putc(b, '\n');
	buf_puts(b, value);
	buf_putc(b, '\n');
}

char *
sns_string_to_sign(const struct sns_envelope *m)
{
	char ts[WIRE_TIMESTAMP_MAX_BYTES];
	struct buf b;

	/* AWS: keys in byte order, each "Key\nValue\n"; Subject only when
	 * present (SNS-DG "Verifying the signatures of Amazon SNS messages";
	 * SES-REFERENCE §5.2). */
	wire_timestamp_iso(m->timestamp_ms, ts);
	buf_init(&b);
	sns_sign_field(&b, "Message", m->message);
	sns_sign_field(&b, "MessageId", m->message_id);
	if (sns_is_notification(m)) {
		if (m->subject != NULL)
			sns_sign_field(&b, "Subject", m->subject);
		sns_sign_field(&b, "Timestamp", ts);
	} else {
		sns_sign_field(&b, "SubscribeURL", m->subscribe_url);
		sns_sign_field(&b, "Timestamp", ts);
		sns_sign_field(&b, "Token", m->token);
	}
	sns_sign_field(&b, "TopicArn", m->topic_arn);
	sns_sign_field(&b, "Type", m->type);
	return buf_steal(&b, NULL);
}

/*
 * Appends s as a JSON string the way SNS's serializer (Jackson) writes
 * it: '"' and '\\' escaped, \b \t \n \f \r short, other control
 * characters as \u00XX with upper-case digits; '/' and non-ASCII as is.
 */
static void
sns_json_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *run = s;
	unsigned char c;

	buf_putc(b, '"');
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, run, (size_t)(s - run));
		run = s + 1;
		buf_putc(b, '\\');
		switch (c) {
		case '"': buf_putc(b, '"'); break;
		case '\\': buf_putc(b, '\\'); break;
		case '\b': buf_putc(b, 'b'); break;
		case '\t': buf_putc(b, 't'); break;
		case '\n': buf_putc(b, 'n'); break;
		case '\f': buf_putc(b, 'f'); break;
		case '\r': buf_putc(b, 'r'); break;
		default:
			buf_puts(b, "u00");
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
	buf_append(b, run, (size_t)(s - run));
	buf_putc(b, '"');
}

static void
sns_json_field(struct buf *b, const char *key, const char *value, int last)
{
	buf_puts(b, "  \"");
	buf_puts(b, key);
	buf_puts(b, "\" : ");
	sns_json_string(b, value);
	buf_puts(b, last ? "\n" : ",\n");
}

char *
sns_envelope_json(const struct sns_envelope *m, size_t *len)
{
	char ts[WIRE_TIMESTAMP_MAX_BYTES];
	struct buf b;
	int note = sns_is_notification(m);

	/* AWS: field order and the "Key" : value layout of real deliveries
	 * (SNS-DG http-notification-json and
	 * http-subscription-confirmation-json samples; SES-REFERENCE §5.2). */
	wire_timestamp_iso(m->timestamp_ms, ts);
	buf_init(&b);
	buf_puts(&b, "{\n");
	sns_json_field(&b, "Type", m->type, 0);
	sns_json_field(&b, "MessageId", m->message_id, 0);
	if (note) {
		sns_json_field(&b, "TopicArn", m->topic_arn, 0);
		if (m->subject != NULL)
			sns_json_field(&b, "Subject", m->subject, 0);
		sns_json_field(&b, "Message", m->message, 0);
	} else {
		sns_json_field(&b, "Token", m->token, 0);
		sns_json_field(&b, "TopicArn", m->topic_arn, 0);
		sns_json_field(&b, "Message", m->message, 0);
		sns_json_field(&b, "SubscribeURL", m->subscribe_url, 0);
	}
	sns_json_field(&b, "Timestamp", ts, 0);
	sns_json_field(&b, "SignatureVersion", m->signature_version, 0);
	sns_json_field(&b, "Signature", m->signature, 0);
	sns_json_field(&b, "SigningCertURL", m->signing_cert_url, !note);
	if (note)
		sns_json_field(&b, "UnsubscribeURL", m->unsubscribe_url, 1);
	buf_putc(&b, '}');
	return buf_steal(&b, len);
}

/* ---- the signing key ---- */

static pthread_mutex_t sns_signer_lock = PTHREAD_MUTEX_INITIALIZER;
static EVP_PKEY *sns_key;
static char *sns_cert;			/* PEM */
static char sns_cert_file[64];	/* SimpleNotificationService-*.pem */

/* Reads key and certificate from path: 0, 1 when there is no file, -1. */
static int
sns_signer_read(const char *path, EVP_PKEY **key, X509 **cert)
{
	BIO *bio = BIO_new_file(path, "r");

	if (bio == NULL)
		return access(path, F_OK) == 0 ? -1 : 1;
	*key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	*cert = *key != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	return *key != NULL && *cert != NULL ? 0 : -1;
}

/* A new self-signed certificate for key. */
static X509 *
sns_cert_make(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name;
	unsigned char serial[16];
	BIGNUM *bn;

	if (x == NULL || RAND_bytes(serial, sizeof(serial)) != 1)
		abort();
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	X509_set_version(x, 2);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400L);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * SNS_CERT_DAYS);
	X509_set_pubkey(x, key);
	/* EMU: real certificates are issued to sns.amazonaws.com by a public
	 * CA; this one is self-signed, for the same name. */
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"sesbox", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"sns.amazonaws.com", -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (X509_sign(x, key, EVP_sha256()) == 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Writes key and cert to path (mode 0600). Returns 0 or -1. */
static int
sns_signer_write(const char *path, EVP_PKEY *key, X509 *cert)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	FILE *f;
	int ok;

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) &&
	    PEM_write_X509(f, cert);
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Loads or makes the key (sns_signer_lock held). Returns 0 or -1. */
static int
sns_signer_load(void)
{
	unsigned char der_hash[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	const char *dir = store_dir();
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	BIO *bio = NULL;
	char *path, *data;
	long n;
	int rc;

	if (sns_key != NULL)
		return 0;
	if (dir == NULL)
		return -1;
	path = xasprintf("%s/%s", dir, SNS_SIGNER_FILE);
	if ((rc = sns_signer_read(path, &key, &cert)) == 1) {
		if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
		    (size_t)SNS_KEY_BITS)) == NULL ||
		    (cert = sns_cert_make(key)) == NULL ||
		    sns_signer_write(path, key, cert) != 0)
			rc = -1;
		else {
			log_info("msg=\"SNS signing key made\" file=%s", path);
			rc = 0;
		}
	}
	if (rc != 0) {
		log_error("msg=\"cannot load or make the SNS signing key\" "
		    "file=%s err=\"%s\"", path, strerror(errno));
		goto out;
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_X509(bio, cert) ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0 ||
	    !X509_digest(cert, EVP_sha256(), der_hash, &hlen) || hlen < 16) {
		rc = -1;
		goto out;
	}
	sns_cert = xstrndup(data, (size_t)n);
	memcpy(sns_cert_file, "SimpleNotificationService-", 26);
	str_hex(sns_cert_file + 26, der_hash, 16);
	memcpy(sns_cert_file + 58, ".pem", 5);
	sns_key = key;
	key = NULL;
out:
	BIO_free(bio);
	X509_free(cert);
	EVP_PKEY_free(key);
	free(path);
	return rc;
}

const char *
sns_cert_pem(void)
{
	const char *pem;

	pthread_mutex_lock(&sns_signer_lock);
	pem = sns_signer_load() == 0 ? sns_cert : NULL;
	pthread_mutex_unlock(&sns_signer_lock);
	return pem;
}

const char *
sns_cert_name(void)
{
	const char *name;

	pthread_mutex_lock(&sns_signer_lock);
	name = sns_signer_load() == 0 ? sns_cert_file : NULL;
	pthread_mutex_unlock(&sns_signer_lock);
	return name;
}

void
sns_signer_free(void)
{
	pthread_mutex_lock(&sns_signer_lock);
	EVP_PKEY_free(sns_key);
	free(sns_cert);
	sns_key = NULL;
	sns_cert = NULL;
	sns_cert_file[0] = '\0';
	pthread_mutex_unlock(&sns_signer_lock);
}

char *
sns_sign(const char *version, const char *data, size_t n, const char *pem)
{
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	struct buf b;
	BIO *bio;
	int ok;

	if (pem != NULL) {
		bio = BIO_new_mem_buf(pem, -1);
		key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) :
		    NULL;
		BIO_free(bio);
	} else {
		pthread_mutex_lock(&sns_signer_lock);
		if (sns_signer_load() == 0 && EVP_PKEY_up_ref(sns_key))
			key = sns_key;
		pthread_mutex_unlock(&sns_signer_lock);
	}
	/* AWS: version 1 is SHA1withRSA, 2 SHA256withRSA (PKCS#1 v1.5). */
	ok = key != NULL && (md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestSignInit(md, NULL, strcmp(version, "2") == 0 ?
	    EVP_sha256() : EVP_sha1(), NULL, key) == 1 &&
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)data, n) ==
	    1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	if (!ok) {
		log_error("msg=\"cannot sign an SNS message\"");
		return NULL;
	}
	buf_init(&b);
	buf_base64(&b, sig, siglen);
	return buf_steal(&b, NULL);
}

char *
sns_render(const struct store_outbox *d, const char *base_url,
    size_t *len)
{
	struct sns_envelope m = { 0 };
	const char *name;
	char *sts, *sig, *body, *cert_url, *url = NULL;

	if (d->raw && strcmp(d->type, "Notification") == 0) {
		/* AWS: raw delivery POSTs the message alone (SES-REFERENCE
		 * §5.2). */
		*len = strlen(d->message);
		return xstrdup(d->message);
	}
	if ((name = sns_cert_name()) == NULL)
		return NULL;
	m.type = d->type;
	m.message_id = d->message_id;
	m.topic_arn = d->topic_arn;
	m.subject = d->subject;
	m.message = d->message;
	m.timestamp_ms = d->timestamp_ms;
	m.signature_version = d->signature_version;
	cert_url = xasprintf("%s%s%s", base_url, SNS_CERT_PATH, name);
	m.signing_cert_url = cert_url;
	if (strcmp(d->type, "Notification") == 0) {
		url = xasprintf("%s/?Action=Unsubscribe&SubscriptionArn=%s",
		    base_url, d->subscription_arn);
		m.unsubscribe_url = url;
	} else {
		url = xasprintf("%s/?Action=ConfirmSubscription&TopicArn=%s"
		    "&Token=%s", base_url, d->topic_arn, d->token);
		m.subscribe_url = url;
		m.token = d->token;
	}
	sts = sns_string_to_sign(&m);
	sig = sns_sign(d->signature_version, sts, strlen(sts), NULL);
	m.signature = sig;
	body = sig != NULL ? sns_envelope_json(&m, len) : NULL;
	free(sts);
	free(sig);
	free(url);
	free(cert_url);
	return body;
}

/* ---- queueing ---- */

/* Queues one message of type for sub (due now). */
static int
sns_queue(struct store *s, const char *type, const struct store_sns_topic *t,
    const struct store_sns_sub *sub, const char *subject,
    const char *message, const char *message_id, const char *token,
    int64_t now_ms)
{
	struct store_outbox d = { 0 };
	char *topic_arn = sns_topic_arn(sub->region, sub->account, sub->topic);
	char *sub_arn = sns_sub_arn(sub);
	int rc;

	d.kind = STORE_OUTBOX_SNS;
	d.account = sub->account;
	d.region = sub->region;
	d.type = (char *)type;
	d.message_id = (char *)message_id;
	d.topic_arn = topic_arn;
	d.subscription_arn = sub_arn;
	d.endpoint = sub->endpoint;
	d.raw = sub->raw;
	d.signature_version = t->signature_version != NULL ?
	    t->signature_version : "1";
	d.subject = (char *)subject;
	d.message = (char *)message;
	d.token = (char *)token;
	d.timestamp_ms = now_ms;
	d.next_attempt_ms = now_ms;
	rc = store_outbox_insert(s, &d, NULL);
	free(topic_arn);
	free(sub_arn);
	return rc;
}

int
sns_topic_publish(struct store *s, const char *account, const char *region,
    const struct store_sns_topic *t, const char *subject,
    const char *msg_http, const char *msg_https, int64_t now_ms,
    char message_id[SNS_ID_CHARS + 1])
{
	struct store_sns_sub *subs = NULL;
	long n, i;
	int rc = 0;

	sns_uuid(message_id);
	if ((n = store_sns_sub_list(s, account, region, t->name, "confirmed",
	    NULL, NULL, (size_t)-1 >> 1, &subs)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (rc == 0 && sns_queue(s, "Notification", t, &subs[i],
		    subject, strcmp(subs[i].protocol, "https") == 0 ?
		    msg_https : msg_http, message_id, NULL, now_ms) != 0)
			rc = -1;
		store_sns_sub_fini(&subs[i]);
	}
	free(subs);
	return rc;
}

int
sns_confirmation_queue(struct store *s, const struct store_sns_topic *t,
    const struct store_sns_sub *sub, int64_t now_ms)
{
	char id[SNS_ID_CHARS + 1], *arn, *message;
	int rc;

	sns_uuid(id);
	arn = sns_topic_arn(sub->region, sub->account, sub->topic);
	/* AWS: the text of real confirmations (SES-REFERENCE §5.2). */
	message = xasprintf("You have chosen to subscribe to the topic %s.\n"
	    "To confirm the subscription, visit the SubscribeURL included in "
	    "this message.", arn);
	rc = sns_queue(s, "SubscriptionConfirmation", t, sub, NULL, message,
	    id, sub->token, now_ms);
	free(message);
	free(arn);
	return rc;
}

int
sns_unsubscribe_queue(struct store *s, const struct store_sns_topic *t,
    const struct store_sns_sub *sub, int64_t now_ms)
{
	char id[SNS_ID_CHARS + 1], *arn, *message;
	int rc;

	sns_uuid(id);
	arn = sns_sub_arn(sub);
	/* AWS: the text of real unsubscribe confirmations (SES-REFERENCE
	 * §5.2). */
	message = xasprintf("You have chosen to deactivate subscription %s.\n"
	    "To cancel this operation and restore the subscription, visit the "
	    "SubscribeURL included in this message.", arn);
	rc = sns_queue(s, "UnsubscribeConfirmation", t, sub, NULL, message,
	    id, sub->token, now_ms);
	free(message);
	free(arn);
	return rc;
}

/* ---- what SES calls ---- */

/* Whether topic_arn is an SNS topic ARN (split into *a). */
static int
sns_topic_arn_ok(const char *topic_arn, struct sns_arn *a)
{
	return topic_arn != NULL && sns_arn_parse(topic_arn, a) == 6 &&
	    a->fits && strcmp(a->service, "sns") == 0;
}

/* The topic topic_arn names into t: 0, 1 when none, -1 on error. */
static int
sns_topic_load(struct store *s, const char *topic_arn,
    struct store_sns_topic *t, struct sns_arn *a)
{
	memset(t, 0, sizeof(*t));
	if (!sns_topic_arn_ok(topic_arn, a))
		return 1;
	return store_sns_topic_get(s, a->account, a->region, a->name, t);
}

/* The SNS endpoint SES's publications are forwarded to, or NULL. */
static const char *
sns_forward_endpoint(void)
{
	const struct cfg *c = route_cfg_get();

	return c != NULL ? c->sns_endpoint : NULL;
}

int
sns_publish(struct store *s, const char *topic_arn, const char *subject,
    const char *message, int64_t now_ms, int64_t *outbox_id)
{
	const char *endpoint = sns_forward_endpoint();
	char id[SNS_ID_CHARS + 1];
	struct store_sns_topic t;
	struct sns_arn a;
	int rc;

	if (outbox_id != NULL)
		*outbox_id = 0;
	if (endpoint != NULL) {
		if (!sns_topic_arn_ok(topic_arn, &a))
			return 1;
		return forward_publish_queue(s, endpoint, a.account, a.region,
		    topic_arn, subject, message, now_ms, outbox_id);
	}
	if ((rc = sns_topic_load(s, topic_arn, &t, &a)) != 0)
		return rc;
	rc = sns_topic_publish(s, a.account, a.region, &t, subject, message,
	    message, now_ms, id);
	store_sns_topic_fini(&t);
	return rc;
}

int
sns_topic_exists(struct store *s, const char *topic_arn)
{
	struct store_sns_topic t;
	struct sns_arn a;
	int rc;

	/* EMU: a forwarded topic lives on the SNS endpoint, which sesbox
	 * does not ask; publishing to a missing one fails there and is
	 * recorded then. */
	if (sns_forward_endpoint() != NULL)
		return sns_topic_arn_ok(topic_arn, &a);
	rc = sns_topic_load(s, topic_arn, &t, &a);
	store_sns_topic_fini(&t);
	return rc < 0 ? -1 : rc == 0;
}

/* One sns-subscriptions entry (see sns_config_subscribe). */
static int
sns_config_entry(struct store *s, const struct cfg *c,
    const struct cfg_subscription *e, int64_t now_ms)
{
	struct store_sns_topic t = { 0 };
	struct store_sns_sub sub = { 0 };
	char id[SNS_ID_CHARS + 1], token[SNS_TOKEN_CHARS + 1];
	const char *account = c->default_account, *region = c->region;
	const char *name = e->topic;
	const char *protocol = strncmp(e->endpoint, "https:", 6) == 0 ?
	    "https" : "http";
	struct sns_arn a;
	int rc;

	if (strncmp(e->topic, "arn:", 4) == 0) {
		if (!sns_topic_arn_ok(e->topic, &a))
			return -1;	/* cfg checked the form */
		account = a.account;
		region = a.region;
		name = a.name;
	}
	if ((rc = store_sns_topic_get(s, account, region, name, &t)) < 0)
		return -1;
	if (rc == 1) {
		t.name = xstrdup(name);
		t.display_name = xstrdup("");
		t.created_ms = now_ms;
		rc = store_sns_topic_insert(s, account, region, &t);
	}
	store_sns_topic_fini(&t);
	if (rc != 0 || (rc = store_sns_sub_find(s, account, region, name,
	    protocol, e->endpoint, &sub)) < 0)
		return -1;
	if (rc == 0) {
		/* Subscribed through the API before: confirmed now. */
		rc = 0;
		if (strcmp(sub.state, "confirmed") != 0) {
			free(sub.state);
			sub.state = xstrdup("confirmed");
			rc = store_sns_sub_update(s, &sub);
		}
		store_sns_sub_fini(&sub);
		return rc;
	}
	sns_uuid(id);
	sns_token(token);
	/* EMU: confirmed from the start, as if the endpoint had visited its
	 * SubscribeURL: configuration stands for the owner's consent. */
	sub.account = (char *)account;
	sub.region = (char *)region;
	sub.id = id;
	sub.topic = (char *)name;
	sub.protocol = (char *)protocol;
	sub.endpoint = e->endpoint;
	sub.state = "confirmed";
	sub.token = token;
	sub.created_ms = now_ms;
	return store_sns_sub_insert(s, &sub);
}

int
sns_config_subscribe(struct store *s, const struct cfg *c, int64_t now_ms)
{
	size_t i;

	for (i = 0; i < c->nsubscriptions; i++)
		if (sns_config_entry(s, c, &c->subscriptions[i], now_ms) != 0) {
			log_error("msg=\"cannot subscribe from configuration\" "
			    "topic=%s endpoint=\"%s\"",
			    c->subscriptions[i].topic,
			    c->subscriptions[i].endpoint);
			return -1;
		}
	if (c->nsubscriptions > 0)
		log_info("msg=\"subscriptions from configuration\" n=%zu",
		    c->nsubscriptions);
	return 0;
}

void
sns_kick(void)
{
	outbox_kick();
}
