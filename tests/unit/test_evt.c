/*
 * test_evt — SES event and notification payloads: golden cases under
 * fixtures/evt/<case>/ (input.json, an optional message.eml, and
 * expected.json, the exact payload) compared as compact dumps in key
 * order, byte for byte; plus the types without a notification form,
 * timestamps, the SNS message text and header truncation.
 *
 * input.json: {"format": "event" | "notification", "type": ...,
 * "with_headers": true (default), "mail": {message_id, account, region,
 * source, source_arn, source_ip, caller_identity, destinations,
 * timestamp, tags}, "raw": the message (else message.eml, else ""), and
 * the detail: "detail" (a ready object), or the builder's input under the
 * detail key (bounce, complaint, delivery, deliveryDelay, reject, failure,
 * open, click, subscription; none for Send). Times are ISO-8601 strings.
 *
 * SESBOX_FIXTURE_UPDATE=1 rewrites expected.json from the current output
 * (review the diff before committing).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evt.h"
#include "fixture.h"
#include "wire.h"

#define T_RECIPIENTS_MAX 64

static int
update_mode(void)
{
	const char *u = getenv("SESBOX_FIXTURE_UPDATE");

	return u != NULL && strcmp(u, "1") == 0;
}

static const char *
str_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ISO-8601 member key of o in ms; 0 when absent. */
static int64_t
time_of(const json_t *o, const char *key)
{
	const char *s = str_of(o, key);
	int64_t ms = 0;

	if (s != NULL)
		ck_assert_msg(wire_timestamp_parse(s, &ms) == 0, "bad time %s",
		    s);
	return ms;
}

/* Strings of array key of o into v (borrowed from o); the count. */
static size_t
strings_of(const json_t *o, const char *key,
    const char *v[T_RECIPIENTS_MAX])
{
	const json_t *a = json_object_get(o, key);
	size_t i, n = json_array_size(a);

	ck_assert_uint_le(n, T_RECIPIENTS_MAX);
	for (i = 0; i < n; i++)
		v[i] = json_string_value(json_array_get(a, i));
	return n;
}

static size_t
recipients_of(const json_t *o, struct evt_recipient r[T_RECIPIENTS_MAX])
{
	const json_t *a = json_object_get(o, "recipients");
	size_t i, n = json_array_size(a);

	ck_assert_uint_le(n, T_RECIPIENTS_MAX);
	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(a, i);

		r[i].email = str_of(e, "email");
		r[i].action = str_of(e, "action");
		r[i].status = str_of(e, "status");
		r[i].diagnostic_code = str_of(e, "diagnostic_code");
	}
	return n;
}

static void
prefs_of(const json_t *o, struct evt_topic_prefs *p,
    struct evt_topic_status t[T_RECIPIENTS_MAX])
{
	const json_t *a = json_object_get(o, "topics");
	size_t i;

	p->unsubscribe_all = json_is_true(json_object_get(o,
	    "unsubscribe_all"));
	p->ntopics = json_array_size(a);
	ck_assert_uint_le(p->ntopics, T_RECIPIENTS_MAX);
	for (i = 0; i < p->ntopics; i++) {
		t[i].topic = str_of(json_array_get(a, i), "topic");
		t[i].status = str_of(json_array_get(a, i), "status");
	}
	p->topics = t;
}

/* The detail the case describes (new), or NULL for Send's. */
static json_t *
detail_of(const json_t *in, const char *type, enum evt_format fmt)
{
	const char *key = evt_detail_key(type);
	const json_t *d = json_object_get(in, "detail");
	const char *sv[T_RECIPIENTS_MAX];
	struct evt_recipient r[T_RECIPIENTS_MAX];

	if (d != NULL)
		return json_deep_copy(d);
	ck_assert_msg(key != NULL, "unknown type %s", type);
	if ((d = json_object_get(in, key)) == NULL)
		return NULL;
	if (strcmp(key, "bounce") == 0) {
		struct evt_bounce b = { .feedback_id = str_of(d,
		    "feedback_id"), .type = str_of(d, "type"),
		    .sub_type = str_of(d, "sub_type"), .recipients = r,
		    .timestamp_ms = time_of(d, "timestamp"),
		    .remote_mta_ip = str_of(d, "remote_mta_ip"),
		    .reporting_mta = str_of(d, "reporting_mta") };

		b.nrecipients = recipients_of(d, r);
		return evt_bounce_detail(&b);
	}
	if (strcmp(key, "complaint") == 0) {
		struct evt_complaint c = { .feedback_id = str_of(d,
		    "feedback_id"), .sub_type = str_of(d, "sub_type"),
		    .recipients = sv, .timestamp_ms = time_of(d, "timestamp"),
		    .user_agent = str_of(d, "user_agent"),
		    .feedback_type = str_of(d, "feedback_type"),
		    .arrival_ms = time_of(d, "arrival_date") };

		c.nrecipients = strings_of(d, "recipients", sv);
		return evt_complaint_detail(&c);
	}
	if (strcmp(key, "delivery") == 0) {
		struct evt_delivery dl = { .timestamp_ms = time_of(d,
		    "timestamp"), .processing_ms = json_integer_value(
		    json_object_get(d, "processing_ms")), .recipients = sv,
		    .smtp_response = str_of(d, "smtp_response"),
		    .remote_mta_ip = str_of(d, "remote_mta_ip"),
		    .reporting_mta = str_of(d, "reporting_mta") };

		dl.nrecipients = strings_of(d, "recipients", sv);
		return evt_delivery_detail(&dl, fmt);
	}
	if (strcmp(key, "deliveryDelay") == 0) {
		struct evt_delay dy = { .timestamp_ms = time_of(d,
		    "timestamp"), .delay_type = str_of(d, "delay_type"),
		    .expiration_ms = time_of(d, "expiration_time"),
		    .recipients = r,
		    .reporting_mta = str_of(d, "reporting_mta") };

		dy.nrecipients = recipients_of(d, r);
		return evt_delay_detail(&dy);
	}
	if (strcmp(key, "reject") == 0)
		return evt_reject_detail(str_of(d, "reason"));
	if (strcmp(key, "failure") == 0)
		return evt_failure_detail(str_of(d, "error_message"),
		    str_of(d, "template_name"));
	if (strcmp(key, "open") == 0) {
		struct evt_open op = { time_of(d, "timestamp"),
		    str_of(d, "user_agent"), str_of(d, "ip_address") };

		return evt_open_detail(&op);
	}
	if (strcmp(key, "click") == 0) {
		struct evt_click c = { time_of(d, "timestamp"),
		    str_of(d, "ip_address"), str_of(d, "user_agent"),
		    str_of(d, "link"), json_object_get(d, "link_tags") };

		if (json_is_null(c.link_tags))
			c.link_tags = NULL;
		return evt_click_detail(&c);
	}
	if (strcmp(key, "subscription") == 0) {
		struct evt_topic_status nt[T_RECIPIENTS_MAX];
		struct evt_topic_status ot[T_RECIPIENTS_MAX];
		struct evt_topic_prefs np, op;
		struct evt_subscription s = { str_of(d, "contact_list"),
		    time_of(d, "timestamp"), str_of(d, "source"), NULL,
		    NULL };

		if (json_object_get(d, "new") != NULL) {
			prefs_of(json_object_get(d, "new"), &np, nt);
			s.new_prefs = &np;
		}
		if (json_object_get(d, "old") != NULL) {
			prefs_of(json_object_get(d, "old"), &op, ot);
			s.old_prefs = &op;
		}
		return evt_subscription_detail(&s);
	}
	ck_abort_msg("no builder input for %s", key);
	return NULL;
}

/* Builds the payload input.json describes (new); *fmt_out its format. */
static json_t *
payload_of(const char *name, const json_t *in, enum evt_format *fmt_out)
{
	const json_t *mj = json_object_get(in, "mail");
	const json_t *wh = json_object_get(in, "with_headers");
	const char *type = str_of(in, "type"), *format = str_of(in, "format");
	enum evt_format fmt;
	struct evt_mail m;
	char *eml = NULL;
	size_t eml_len = 0;
	json_t *detail, *got;

	ck_assert_msg(type != NULL && format != NULL && mj != NULL,
	    "%s: needs type, format and mail", name);
	ck_assert_msg(strcmp(format, "event") == 0 ||
	    strcmp(format, "notification") == 0, "%s: format %s", name,
	    format);
	fmt = strcmp(format, "event") == 0 ? EVT_EVENT : EVT_NOTIFICATION;
	memset(&m, 0, sizeof(m));
	m.message_id = str_of(mj, "message_id");
	m.account = str_of(mj, "account");
	m.region = str_of(mj, "region");
	m.source = str_of(mj, "source");
	m.source_arn = str_of(mj, "source_arn");
	m.source_ip = str_of(mj, "source_ip");
	m.caller_identity = str_of(mj, "caller_identity");
	m.destinations = json_object_get(mj, "destinations");
	m.timestamp_ms = time_of(mj, "timestamp");
	m.tags = json_object_get(mj, "tags");
	if (json_is_null(m.tags))
		m.tags = NULL;
	if (str_of(in, "raw") != NULL) {
		m.raw = str_of(in, "raw");
		m.raw_len = json_string_length(json_object_get(in, "raw"));
	} else if ((eml = fixture_read("evt", name, "message.eml",
	    &eml_len)) != NULL) {
		m.raw = eml;
		m.raw_len = eml_len;
	} else {
		m.raw = "";
	}
	detail = detail_of(in, type, fmt);
	got = evt_payload(&m, fmt, type, detail, wh == NULL ||
	    json_is_true(wh));
	ck_assert_msg(got != NULL, "%s: evt_payload refused %s", name, type);
	json_decref(detail);
	free(eml);
	*fmt_out = fmt;
	return got;
}

static void
write_expected(const char *name, const json_t *got)
{
	char *path = fixture_path("evt", name, "expected.json");

	ck_assert_msg(json_dump_file(got, path, JSON_INDENT(2)) == 0, "%s",
	    path);
	free(path);
}

START_TEST(t_golden)
{
	char **cases, *in_s, *exp_s, *g, *w, *msg;
	json_t *in, *got, *want;
	json_error_t jerr;
	enum evt_format fmt;
	size_t n, i;

	n = fixture_cases("evt", &cases);
	ck_assert_uint_ge(n, 20);
	for (i = 0; i < n; i++) {
		in_s = fixture_read("evt", cases[i], "input.json", NULL);
		ck_assert_msg(in_s != NULL, "%s: no input.json", cases[i]);
		in = json_loads(in_s, 0, &jerr);
		ck_assert_msg(in != NULL, "%s: input.json: %s", cases[i],
		    jerr.text);
		got = payload_of(cases[i], in, &fmt);
		if (update_mode())
			write_expected(cases[i], got);
		exp_s = fixture_read("evt", cases[i], "expected.json", NULL);
		ck_assert_msg(exp_s != NULL, "%s: no expected.json",
		    cases[i]);
		want = json_loads(exp_s, 0, &jerr);
		ck_assert_msg(want != NULL, "%s: expected.json: %s",
		    cases[i], jerr.text);
		/* dumps keep key order, so this checks it too */
		g = json_dumps(got, JSON_COMPACT);
		w = json_dumps(want, JSON_COMPACT);
		ck_assert_msg(strcmp(g, w) == 0, "%s:\n got %s\nwant %s",
		    cases[i], g, w);
		msg = evt_message(got, fmt);
		ck_assert_uint_eq(strlen(msg), strlen(w) + (fmt == EVT_EVENT));
		ck_assert(strncmp(msg, w, strlen(w)) == 0);
		free(msg);
		free(g);
		free(w);
		json_decref(got);
		json_decref(want);
		json_decref(in);
		free(in_s);
		free(exp_s);
	}
	fixture_cases_free(cases, n);
}
END_TEST

static const struct evt_mail t_mail = {
	.message_id = "0100016120b1f8e1-551db81a-95fd-40c4-90fe-426d40de6d2c"
	    "-000000",
	.account = "123456789012",
	.region = "us-east-1",
	.source = "sender@example.com",
	.timestamp_ms = 1516671990000LL,
	.raw = "From: sender@example.com\r\nSubject: hi\r\n\r\nbody",
	.raw_len = 45,
};

START_TEST(t_notification_types)
{
	static const char *const none[] = { "Send", "Reject", "Open",
		"Click", "Rendering Failure", "DeliveryDelay",
		"Subscription" };
	static const char *const some[] = { "Bounce", "Complaint",
		"Delivery" };
	json_t *p;
	size_t i;

	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		ck_assert_msg(evt_payload(&t_mail, EVT_NOTIFICATION, none[i],
		    NULL, 1) == NULL, "%s has a notification", none[i]);
		p = evt_payload(&t_mail, EVT_EVENT, none[i], NULL, 1);
		ck_assert_ptr_nonnull(p);
		json_decref(p);
	}
	for (i = 0; i < sizeof(some) / sizeof(some[0]); i++) {
		p = evt_payload(&t_mail, EVT_NOTIFICATION, some[i], NULL, 0);
		ck_assert_ptr_nonnull(p);
		ck_assert_str_eq(str_of(p, "notificationType"), some[i]);
		json_decref(p);
	}
	ck_assert_ptr_null(evt_payload(&t_mail, EVT_EVENT, "Bogus", NULL, 1));
	ck_assert_ptr_null(evt_payload(&t_mail, EVT_NOTIFICATION,
	    "RenderingFailure", NULL, 1));
	ck_assert_ptr_null(evt_payload(&t_mail, EVT_EVENT, NULL, NULL, 1));
	ck_assert_str_eq(evt_detail_key("Rendering Failure"), "failure");
	ck_assert_str_eq(evt_detail_key("DeliveryDelay"), "deliveryDelay");
	ck_assert_ptr_null(evt_detail_key("send"));
}
END_TEST

START_TEST(t_timestamp)
{
	static const struct {
		int64_t ms;
		const char *want;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ 1516671990711LL, "2018-01-23T01:46:30.711Z" },
		{ 1516671990000LL, "2018-01-23T01:46:30.000Z" },
		{ 1516671990007LL, "2018-01-23T01:46:30.007Z" },
		{ 951782400000LL, "2000-02-29T00:00:00.000Z" },
		{ -1, "1969-12-31T23:59:59.999Z" },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = evt_timestamp(cases[i].ms);
		ck_assert_str_eq(s, cases[i].want);
		free(s);
	}
}
END_TEST

START_TEST(t_message_text)
{
	json_t *p = json_pack("{s:s,s:{s:s,s:s}}", "eventType", "Send",
	    "mail", "source", "Zoë <z@example.com>", "link",
	    "https://a.example/x?y=1");
	char *s;

	s = evt_message(p, EVT_EVENT);
	ck_assert_str_eq(s, "{\"eventType\":\"Send\",\"mail\":{\"source\":"
	    "\"Zoë <z@example.com>\",\"link\":\"https://a.example/x?y=1\"}}"
	    "\n");
	free(s);
	s = evt_message(p, EVT_NOTIFICATION);
	ck_assert(s[strlen(s) - 1] == '}');
	free(s);
	json_decref(p);
}
END_TEST

/* Identity notifications leave headers out unless asked; events keep
 * headersTruncated for a Rendering Failure. */
START_TEST(t_mail_without_headers)
{
	json_t *o = evt_mail_object(&t_mail, EVT_NOTIFICATION, 0);
	char *s = json_dumps(o, JSON_COMPACT);

	ck_assert_str_eq(s, "{\"timestamp\":\"2018-01-23T01:46:30.000Z\","
	    "\"source\":\"sender@example.com\",\"sendingAccountId\":"
	    "\"123456789012\",\"messageId\":\"0100016120b1f8e1-551db81a-95fd-"
	    "40c4-90fe-426d40de6d2c-000000\",\"destination\":[]}");
	free(s);
	json_decref(o);
	o = evt_mail_object(&t_mail, EVT_EVENT, 0);
	ck_assert(json_is_false(json_object_get(o, "headersTruncated")));
	ck_assert_ptr_null(json_object_get(o, "headers"));
	ck_assert_ptr_null(json_object_get(o, "commonHeaders"));
	json_decref(o);
}
END_TEST

/* Bytes that are not UTF-8 become Latin-1 characters, not a failure. */
START_TEST(t_header_bytes)
{
	static const char raw[] = "Subject: caf\xe9 \xc3\xa9t\xc3\r\n"
	    "X-Null:\r\n\r\n";
	struct evt_mail m = t_mail;
	json_t *o, *h;

	m.raw = raw;
	m.raw_len = sizeof(raw) - 1;
	o = evt_mail_object(&m, EVT_EVENT, 1);
	h = json_array_get(json_object_get(o, "headers"), 0);
	ck_assert_str_eq(str_of(h, "value"), "café ét\xc3\x83");
	h = json_array_get(json_object_get(o, "headers"), 1);
	ck_assert_str_eq(str_of(h, "name"), "X-Null");
	ck_assert_str_eq(str_of(h, "value"), "");
	json_decref(o);
}
END_TEST

/* A field is listed while the names and values so far stay under
 * EVT_HEADERS_MAX_BYTES; the first that reaches it ends the list. */
static json_t *
headers_of(const char *raw, int *truncated)
{
	struct evt_mail m = t_mail;
	json_t *o, *h;

	m.raw = raw;
	m.raw_len = strlen(raw);
	o = evt_mail_object(&m, EVT_EVENT, 1);
	*truncated = json_is_true(json_object_get(o, "headersTruncated"));
	h = json_incref(json_object_get(o, "headers"));
	json_decref(o);
	return h;
}

START_TEST(t_truncation_boundary)
{
	size_t big = EVT_HEADERS_MAX_BYTES;
	char *v = xmalloc(big + 1), *raw;
	json_t *h;
	int tr;

	memset(v, 'v', big);
	v[big - 2] = '\0';	/* "X" + 10238 bytes = 10239 */
	raw = xasprintf("X: %s\r\n\r\n", v);
	h = headers_of(raw, &tr);
	ck_assert(!tr && json_array_size(h) == 1);
	json_decref(h);
	free(raw);
	raw = xasprintf("X: %sv\r\n\r\n", v);	/* 10240 */
	h = headers_of(raw, &tr);
	ck_assert(tr && json_array_size(h) == 0);
	json_decref(h);
	free(raw);
	v[big - 3] = '\0';	/* 10238 + "Yz" = 10240 */
	raw = xasprintf("X: %s\r\nY: z\r\nZ: \r\n\r\n", v);
	h = headers_of(raw, &tr);
	ck_assert(tr && json_array_size(h) == 1);
	json_decref(h);
	free(raw);
	free(v);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("evt");
	TCase *tc = tcase_create("evt");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_golden);
	tcase_add_test(tc, t_notification_types);
	tcase_add_test(tc, t_timestamp);
	tcase_add_test(tc, t_message_text);
	tcase_add_test(tc, t_mail_without_headers);
	tcase_add_test(tc, t_header_bytes);
	tcase_add_test(tc, t_truncation_boundary);
	suite_add_tcase(s, tc);
	return fixture_run(s);
}
