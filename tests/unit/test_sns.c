/*
 * test_sns — SNS's wire format: golden envelopes under
 * fixtures/sns/envelope/<case>/ (envelope.json in; string-to-sign,
 * signature and body.json out, written by gen_sns_goldens.py, a second
 * implementation in Python), the signing key sesbox makes and keeps per
 * data directory, ARNs and token shapes, and the retry policy.
 */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fixture.h"
#include "route.h"
#include "sns.h"
#include "sns_deliver.h"
#include "store.h"

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Fills m from a case's envelope.json (strings borrowed from o). */
static void
envelope_from(json_t *o, struct sns_envelope *m)
{
	memset(m, 0, sizeof(*m));
	m->type = str(o, "type");
	m->message_id = str(o, "message_id");
	m->topic_arn = str(o, "topic_arn");
	m->subject = str(o, "subject");
	m->message = str(o, "message");
	m->token = str(o, "token");
	m->subscribe_url = str(o, "subscribe_url");
	m->unsubscribe_url = str(o, "unsubscribe_url");
	m->timestamp_ms = json_integer_value(json_object_get(o,
	    "timestamp_ms"));
	m->signature_version = str(o, "signature_version");
	m->signature = str(o, "signature");
	m->signing_cert_url = str(o, "signing_cert_url");
}

/* Verifies base64 sig over data with the public half of key. */
static int
verify(EVP_PKEY *key, const char *version, const char *data,
    const char *sig)
{
	unsigned char raw[1024];
	long n = buf_base64_decode(sig, strlen(sig), raw);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	ok = n > 0 && EVP_DigestVerifyInit(md, NULL, strcmp(version, "2") ==
	    0 ? EVP_sha256() : EVP_sha1(), NULL, key) == 1 &&
	    EVP_DigestVerify(md, raw, (size_t)n, (const unsigned char *)data,
	    strlen(data)) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

static EVP_PKEY *
pem_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);

	BIO_free(bio);
	return key;
}

START_TEST(t_envelope_golden)
{
	char **cases, *env_s, *want_sts, *want_sig, *want_body, *sts, *sig;
	char *body, *pem = fixture_read("sns", "keys", "signing.pem", NULL);
	size_t n, i, blen, wlen;
	struct sns_envelope m;
	json_error_t jerr;
	EVP_PKEY *key;
	json_t *o;

	ck_assert_ptr_nonnull(pem);
	key = pem_key(pem);
	ck_assert_ptr_nonnull(key);
	n = fixture_cases("sns/envelope", &cases);
	ck_assert_uint_ge(n, 6);
	for (i = 0; i < n; i++) {
		env_s = fixture_read("sns/envelope", cases[i], "envelope.json",
		    NULL);
		want_sts = fixture_read("sns/envelope", cases[i],
		    "string-to-sign", NULL);
		want_sig = fixture_read("sns/envelope", cases[i], "signature",
		    NULL);
		want_body = fixture_read("sns/envelope", cases[i], "body.json",
		    NULL);
		ck_assert_msg(env_s && want_sts && want_body, "%s: files",
		    cases[i]);
		o = json_loads(env_s, 0, &jerr);
		ck_assert_msg(o != NULL, "%s: %s", cases[i], jerr.text);
		envelope_from(o, &m);
		sts = sns_string_to_sign(&m);
		ck_assert_msg(strcmp(sts, want_sts) == 0,
		    "%s: string to sign\n got [%s]\nwant [%s]", cases[i], sts,
		    want_sts);
		sig = NULL;
		if (m.signature == NULL) {
			ck_assert_msg(want_sig != NULL, "%s: signature file",
			    cases[i]);
			fixture_chomp(want_sig, NULL);
			sig = sns_sign(m.signature_version, sts, strlen(sts),
			    pem);
			ck_assert_msg(sig != NULL && strcmp(sig, want_sig) == 0,
			    "%s: signature v%s\n got %s\nwant %s", cases[i],
			    m.signature_version, sig, want_sig);
			ck_assert(verify(key, m.signature_version, sts, sig));
			m.signature = sig;
		}
		fixture_chomp(want_body, &wlen);
		body = sns_envelope_json(&m, &blen);
		ck_assert_msg(blen == wlen && memcmp(body, want_body, blen) ==
		    0, "%s: body\n got [%s]\nwant [%s]", cases[i], body,
		    want_body);
		free(body);
		free(sig);
		free(sts);
		json_decref(o);
		free(env_s);
		free(want_sts);
		free(want_sig);
		free(want_body);
	}
	fixture_cases_free(cases, n);
	EVP_PKEY_free(key);
	free(pem);
}
END_TEST

START_TEST(t_sign_versions_differ)
{
	char *pem = fixture_read("sns", "keys", "signing.pem", NULL);
	char *v1 = sns_sign("1", "abc", 3, pem), *v2 = sns_sign("2", "abc", 3,
	    pem);
	EVP_PKEY *key = pem_key(pem);

	ck_assert_ptr_nonnull(v1);
	ck_assert_ptr_nonnull(v2);
	ck_assert_str_ne(v1, v2);
	ck_assert(verify(key, "1", "abc", v1));
	ck_assert(verify(key, "2", "abc", v2));
	ck_assert(!verify(key, "2", "abc", v1));
	ck_assert(!verify(key, "1", "abd", v1));
	ck_assert_ptr_null(sns_sign("1", "abc", 3, "not a key"));
	EVP_PKEY_free(key);
	free(v1);
	free(v2);
	free(pem);
}
END_TEST

/* The key sesbox makes: saved in the data directory, the same after a
 * reload, and what the served certificate's public key verifies. */
START_TEST(t_signer_per_data_directory)
{
	char err[256], *path, *first_name, *sig, *body;
	struct store_outbox d = { 0 };
	const char *pem, *name;
	EVP_PKEY *pub;
	json_t *o;
	X509 *cert;
	BIO *bio;
	size_t len;

	ck_assert_msg(store_init(NULL, 1, err, sizeof(err)) == 0, "%s", err);
	name = sns_cert_name();
	pem = sns_cert_pem();
	ck_assert_ptr_nonnull(name);
	ck_assert_ptr_nonnull(pem);
	ck_assert_uint_eq(strlen(name), 26 + 32 + 4);
	ck_assert(strncmp(name, "SimpleNotificationService-", 26) == 0);
	ck_assert_str_eq(name + 58, ".pem");
	path = xasprintf("%s/%s", store_dir(), SNS_SIGNER_FILE);
	ck_assert_int_eq(access(path, R_OK), 0);
	first_name = xstrdup(name);
	sns_signer_free();
	ck_assert_str_eq(sns_cert_name(), first_name);

	bio = BIO_new_mem_buf(sns_cert_pem(), -1);
	cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ck_assert_ptr_nonnull(cert);
	pub = X509_get_pubkey(cert);
	sig = sns_sign("2", "hello", 5, NULL);
	ck_assert(verify(pub, "2", "hello", sig));

	/* sns_render signs what it renders. */
	d.type = "Notification";
	d.message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
	d.topic_arn = "arn:aws:sns:us-east-1:123456789012:t";
	d.subscription_arn = "arn:aws:sns:us-east-1:123456789012:t:"
	    "c9135db0-26c4-47ec-8998-413945fb5a96";
	d.signature_version = "1";
	d.message = "m";
	d.timestamp_ms = 1704189600000LL;
	body = sns_render(&d, "http://h:1", &len);
	ck_assert_ptr_nonnull(body);
	o = json_loads(body, 0, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(str(o, "UnsubscribeURL"), "http://h:1/?Action="
	    "Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:t:"
	    "c9135db0-26c4-47ec-8998-413945fb5a96");
	ck_assert(strncmp(str(o, "SigningCertURL"), "http://h:1/_sesbox/sns/"
	    "SimpleNotificationService-", 49) == 0);
	ck_assert(verify(pub, "1", "Message\nm\nMessageId\n22b80b92-fdea-4c2c-"
	    "8f9d-bdfb0c7bf324\nTimestamp\n2024-01-02T10:00:00.000Z\nTopicArn\n"
	    "arn:aws:sns:us-east-1:123456789012:t\nType\nNotification\n",
	    str(o, "Signature")));
	json_decref(o);
	free(body);

	/* Raw delivery: the message alone. */
	d.raw = 1;
	body = sns_render(&d, "http://h:1", &len);
	ck_assert_str_eq(body, "m");
	ck_assert_uint_eq(len, 1);
	free(body);

	free(sig);
	EVP_PKEY_free(pub);
	X509_free(cert);
	free(first_name);
	free(path);
	sns_signer_free();
	store_shutdown();
}
END_TEST

START_TEST(t_arn_parse)
{
	struct sns_arn a;

	ck_assert_int_eq(sns_arn_parse("randomstring", &a), 1);
	ck_assert_int_eq(sns_arn_parse("", &a), 1);
	ck_assert_int_eq(sns_arn_parse("arn:aws:sns:us-east-1:random", &a), 5);
	ck_assert_int_eq(sns_arn_parse("arn:aws:sns:us-east-1:111111111111:t",
	    &a), 6);
	ck_assert(a.fits);
	ck_assert_str_eq(a.service, "sns");
	ck_assert_str_eq(a.region, "us-east-1");
	ck_assert_str_eq(a.account, "111111111111");
	ck_assert_str_eq(a.name, "t");
	ck_assert_str_eq(a.id, "");
	ck_assert_int_eq(sns_arn_parse("arn:aws:sns:eu-west-1:111111111111:t:"
	    "c9135db0-26c4-47ec-8998-413945fb5a96", &a), 7);
	ck_assert_str_eq(a.id, "c9135db0-26c4-47ec-8998-413945fb5a96");
	/* A 7th element keeps any further ':'. */
	ck_assert_int_eq(sns_arn_parse("arn:aws:sns:r:1:t:a:b", &a), 7);
	ck_assert_str_eq(a.id, "a:b");
	ck_assert_int_eq(sns_arn_parse("nra:aws:sns:r:1:t", &a), 6);
	ck_assert(!a.fits);
}
END_TEST

START_TEST(t_shapes)
{
	char token[SNS_TOKEN_CHARS + 1], id[SNS_ID_CHARS + 1], name[258];

	ck_assert(sns_topic_name_valid("a"));
	ck_assert(sns_topic_name_valid("My_Topic-1"));
	ck_assert(!sns_topic_name_valid(""));
	ck_assert(!sns_topic_name_valid("a.fifo"));
	ck_assert(!sns_topic_name_valid("a b"));
	ck_assert(!sns_topic_name_valid("a:b"));
	memset(name, 'x', 256);
	name[256] = '\0';
	ck_assert(sns_topic_name_valid(name));
	name[256] = 'x';
	name[257] = '\0';
	ck_assert(!sns_topic_name_valid(name));

	sns_uuid(id);
	ck_assert(sns_id_valid(id));
	ck_assert(sns_id_valid("c9135db0-26c4-47ec-8998-413945fb5a96"));
	ck_assert(!sns_id_valid("random"));
	ck_assert(!sns_id_valid("c9135db0-26c4-47ec-8998-413945fb5a9"));
	ck_assert(!sns_id_valid("c9135db0x26c4-47ec-8998-413945fb5a96"));

	sns_token(token);
	ck_assert_uint_eq(strlen(token), SNS_TOKEN_CHARS);
	ck_assert(sns_token_valid(token));
	ck_assert(!sns_token_valid("randomtoken"));
	token[0] = 'A';
	ck_assert(!sns_token_valid(token));
}
END_TEST

static void
sub_add(struct store *s, const char *id, const char *protocol,
    const char *endpoint, const char *state)
{
	char token[SNS_TOKEN_CHARS + 1];
	struct store_sns_sub sub = {
		.account = "123456789012", .region = "us-east-1",
		.id = (char *)id, .topic = "events",
		.protocol = (char *)protocol,
		.endpoint = (char *)endpoint, .state = (char *)state,
		.token = token, .created_ms = 1,
	};

	sns_token(token);
	ck_assert_int_eq(store_sns_sub_insert(s, &sub), 0);
}

/* What SES's event dispatcher calls: one Notification per confirmed
 * subscription, queued in the caller's transaction. */
START_TEST(t_ses_api)
{
	const char *arn = "arn:aws:sns:us-east-1:123456789012:events";
	struct store_sns_topic t = { .name = "events", .display_name = "",
	    .created_ms = 1 };
	struct store_outbox *rows;
	char err[256];
	struct store *s;
	int64_t oid = -1;
	long n, i;

	ck_assert_msg(store_init(NULL, 1, err, sizeof(err)) == 0, "%s", err);
	s = store_write_begin();
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_sns_topic_insert(s, "123456789012", "us-east-1",
	    &t), 0);
	sub_add(s, "11111111-1111-4111-8111-111111111111", "http",
	    "http://a.example/", "confirmed");
	sub_add(s, "22222222-2222-4222-8222-222222222222", "http",
	    "http://b.example/", "pending");
	sub_add(s, "33333333-3333-4333-8333-333333333333", "https",
	    "https://c.example/", "confirmed");
	ck_assert_int_eq(sns_topic_exists(s, arn), 1);
	ck_assert_int_eq(sns_topic_exists(s, "arn:aws:sns:us-east-1:"
	    "123456789012:other"), 0);
	ck_assert_int_eq(sns_topic_exists(s, "arn:aws:sns:us-west-2:"
	    "123456789012:events"), 0);
	ck_assert_int_eq(sns_topic_exists(s, "garbage"), 0);
	ck_assert_int_eq(sns_topic_exists(s, NULL), 0);
	ck_assert_int_eq(sns_publish(s, "arn:aws:sns:us-east-1:123456789012:"
	    "other", NULL, "m", 5, NULL), 1);
	ck_assert_int_eq(sns_publish(s, arn, "Amazon SES Email Event "
	    "Notification", "{\"eventType\":\"Send\"}", 1704189600000LL,
	    &oid), 0);
	ck_assert_int_eq(oid, 0);	/* delivered here, not forwarded */
	ck_assert_int_eq(sns_publish(s, arn, NULL, "no subject",
	    1704189600001LL, NULL), 0);
	n = store_outbox_claim(s, 1704189600001LL, 10, &rows);
	ck_assert_int_eq(n, 4);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(rows[i].kind, STORE_OUTBOX_SNS);
		ck_assert_str_eq(rows[i].type, "Notification");
		ck_assert_str_eq(rows[i].topic_arn, arn);
		ck_assert_str_eq(rows[i].signature_version, "1");
		ck_assert_int_eq(rows[i].attempts, 1);
		ck_assert(sns_id_valid(rows[i].message_id));
	}
	ck_assert_str_eq(rows[0].endpoint, "http://a.example/");
	ck_assert_str_eq(rows[0].subscription_arn, "arn:aws:sns:us-east-1:"
	    "123456789012:events:11111111-1111-4111-8111-111111111111");
	ck_assert_str_eq(rows[0].subject, "Amazon SES Email Event "
	    "Notification");
	ck_assert_int_eq(rows[0].timestamp_ms, 1704189600000LL);
	ck_assert_str_eq(rows[1].endpoint, "https://c.example/");
	ck_assert_str_eq(rows[1].message_id, rows[0].message_id);
	ck_assert_ptr_null(rows[2].subject);
	ck_assert_str_eq(rows[2].message, "no subject");
	ck_assert_str_ne(rows[2].message_id, rows[0].message_id);
	for (i = 0; i < n; i++)
		store_outbox_fini(&rows[i]);
	free(rows);
	ck_assert_int_eq(store_write_end(s, 0), 0);
	store_shutdown();
}
END_TEST

/* With sns-endpoint set, SES's publications become Publish calls to it
 * and any topic ARN is taken to exist there. */
START_TEST(t_forwarded)
{
	const char *arn = "arn:aws:sns:eu-west-1:111111111111:elsewhere";
	struct cfg c = { .default_account = "123456789012",
	    .region = "us-east-1", .sns_endpoint = "http://sns.example:4566/" };
	struct store_outbox *rows;
	char err[256];
	struct store *s;
	int64_t oid = 0;
	long n;

	route_init(&c);
	ck_assert_msg(store_init(NULL, 1, err, sizeof(err)) == 0, "%s", err);
	s = store_write_begin();
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(sns_topic_exists(s, arn), 1);
	ck_assert_int_eq(sns_topic_exists(s, "garbage"), 0);
	ck_assert_int_eq(sns_publish(s, "garbage", NULL, "m", 5, &oid), 1);
	ck_assert_int_eq(sns_publish(s, arn, "Subject", "the message", 7,
	    &oid), 0);
	ck_assert_int_gt(oid, 0);
	n = store_outbox_claim(s, 7, 10, &rows);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(rows[0].id, oid);
	ck_assert_str_eq(rows[0].kind, STORE_OUTBOX_SNS_PUBLISH);
	ck_assert_str_eq(rows[0].endpoint, "http://sns.example:4566/");
	ck_assert_str_eq(rows[0].type, "Publish");
	ck_assert_str_eq(rows[0].account, "111111111111");
	ck_assert_str_eq(rows[0].region, "eu-west-1");
	ck_assert_str_eq(rows[0].topic_arn, arn);
	ck_assert_str_eq(rows[0].subject, "Subject");
	ck_assert_str_eq(rows[0].message, "the message");
	ck_assert(sns_id_valid(rows[0].message_id));
	store_outbox_fini(&rows[0]);
	free(rows);
	ck_assert_int_eq(store_write_end(s, 0), 0);
	store_shutdown();
	route_init(NULL);
}
END_TEST

/* sns-subscriptions: topics made, endpoints subscribed and confirmed,
 * nothing sent; idempotent; a pending subscription is confirmed. */
START_TEST(t_config_subscribe)
{
	struct cfg_subscription subs[] = {
		{ "events", "http://a.example/hook" },
		{ "arn:aws:sns:eu-west-1:111111111111:other",
		  "https://b.example/" },
	};
	struct cfg c = { .default_account = "123456789012",
	    .region = "us-east-1", .subscriptions = subs,
	    .nsubscriptions = 2 };
	struct store_sns_topic t = { .name = "events", .display_name = "D",
	    .created_ms = 1 };
	struct store_sns_sub *list;
	struct store_outbox *rows;
	char err[256];
	struct store *s;
	long n;
	int round;

	ck_assert_msg(store_init(NULL, 1, err, sizeof(err)) == 0, "%s", err);
	s = store_write_begin();
	ck_assert_ptr_nonnull(s);
	/* A topic that exists keeps its attributes; a pending subscription
	 * of the same endpoint is confirmed, not doubled. */
	ck_assert_int_eq(store_sns_topic_insert(s, "123456789012", "us-east-1",
	    &t), 0);
	sub_add(s, "11111111-1111-4111-8111-111111111111", "http",
	    "http://a.example/hook", "pending");
	for (round = 0; round < 2; round++)
		ck_assert_int_eq(sns_config_subscribe(s, &c, 9), 0);
	n = store_sns_sub_list(s, "123456789012", "us-east-1", "events", NULL,
	    NULL, NULL, 10, &list);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(list[0].id, "11111111-1111-4111-8111-111111111111");
	ck_assert_str_eq(list[0].state, "confirmed");
	store_sns_sub_fini(&list[0]);
	free(list);
	ck_assert_int_eq(store_sns_topic_get(s, "123456789012", "us-east-1",
	    "events", &t), 0);
	ck_assert_str_eq(t.display_name, "D");
	store_sns_topic_fini(&t);
	ck_assert_int_eq(store_sns_topic_get(s, "111111111111", "eu-west-1",
	    "other", &t), 0);
	ck_assert_int_eq(t.created_ms, 9);
	store_sns_topic_fini(&t);
	n = store_sns_sub_list(s, "111111111111", "eu-west-1", "other", NULL,
	    NULL, NULL, 10, &list);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(list[0].protocol, "https");
	ck_assert_str_eq(list[0].endpoint, "https://b.example/");
	ck_assert_str_eq(list[0].state, "confirmed");
	ck_assert(sns_token_valid(list[0].token));
	ck_assert(sns_id_valid(list[0].id));
	store_sns_sub_fini(&list[0]);
	free(list);
	/* No SubscriptionConfirmation is queued. */
	ck_assert_int_eq(store_outbox_claim(s, INT64_MAX, 10, &rows), 0);
	free(rows);
	ck_assert_int_eq(store_write_end(s, 0), 0);
	store_shutdown();
}
END_TEST

/* SNS's default HTTP policy: 1 attempt + 3 retries for server errors. */
START_TEST(t_retry_policy)
{
	ck_assert_str_eq(sns_deliver_outcome(200, 1), "delivered");
	ck_assert_str_eq(sns_deliver_outcome(204, 4), "delivered");
	ck_assert_str_eq(sns_deliver_outcome(500, 1), "retry");
	ck_assert_str_eq(sns_deliver_outcome(503, 3), "retry");
	ck_assert_str_eq(sns_deliver_outcome(500, 4), "failed");
	ck_assert_str_eq(sns_deliver_outcome(0, 1), "retry");
	ck_assert_str_eq(sns_deliver_outcome(0, 4), "failed");
	ck_assert_str_eq(sns_deliver_outcome(429, 2), "retry");
	ck_assert_str_eq(sns_deliver_outcome(404, 1), "failed");
	ck_assert_str_eq(sns_deliver_outcome(301, 1), "failed");
	ck_assert_int_eq(SNS_DELIVER_RETRIES, 3);
	ck_assert_int_eq(SNS_DELIVER_RETRY_DELAY_MS, 20000);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sns");
	TCase *tc = tcase_create("sns");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_envelope_golden);
	tcase_add_test(tc, t_sign_versions_differ);
	tcase_add_test(tc, t_signer_per_data_directory);
	tcase_add_test(tc, t_arn_parse);
	tcase_add_test(tc, t_shapes);
	tcase_add_test(tc, t_retry_policy);
	tcase_add_test(tc, t_ses_api);
	tcase_add_test(tc, t_forwarded);
	tcase_add_test(tc, t_config_subscribe);
	suite_add_tcase(s, tc);
	return fixture_run(s);
}
