/*
 * sns_deliver — the SNS sender (see sns_deliver.h).
 *
 * A batch is claimed in one short write transaction (each delivery becomes
 * 'sending' with its attempt counted), POSTed outside any transaction with
 * one curl multi handle, so a slow subscriber delays the batch by at most
 * the timeout and holds no lock, then settled in a second transaction. A
 * process stopped in between leaves 'sending' rows that start-up queues
 * again: delivery is at least once, like SNS's.
 */
#include "sns_deliver.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cfg.h"
#include "http.h"
#include "log.h"
#include "route.h"
#include "sns.h"
#include "store.h"
#include "store_sns.h"
#include "tclock.h"
#include "xmem.h"

/* Deliveries attempted at once. */
#define SNS_DELIVER_BATCH 64
/* Longest sleep while the clock runs (the store is looked at again). */
#define SNS_DELIVER_IDLE_MAX_MS 60000

static pthread_mutex_t sns_deliver_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sns_deliver_wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t sns_deliver_idle = PTHREAD_COND_INITIALIZER;
static pthread_t sns_deliver_thread;
static int sns_deliver_running, sns_deliver_stopping;
static unsigned long sns_deliver_kicks;	/* bumped by kicks and drains */
static unsigned long sns_deliver_idle_at; /* kicks seen by the last idle scan */
static unsigned long sns_deliver_commits;
static int sns_deliver_sleeping;

/* One POST under way. */
struct sns_post {
	struct store_sns_delivery d;
	CURL *curl;
	struct curl_slist *headers;
	char *body;
	size_t body_len;
	char error[CURL_ERROR_SIZE];
	int http_status;		/* 0: no answer */
	int64_t at_ms;			/* when made, by the test clock */
};

void
sns_deliver_kick(void)
{
	pthread_mutex_lock(&sns_deliver_lock);
	sns_deliver_kicks++;
	pthread_cond_signal(&sns_deliver_wake);
	pthread_mutex_unlock(&sns_deliver_lock);
}

void
sns_deliver_committed(void)
{
	pthread_mutex_lock(&sns_deliver_lock);
	sns_deliver_commits++;
	if (sns_deliver_sleeping)
		pthread_cond_signal(&sns_deliver_wake);
	pthread_mutex_unlock(&sns_deliver_lock);
}

const char *
sns_deliver_outcome(int http_status, int attempts)
{
	if (http_status >= 200 && http_status < 300)
		return "delivered";
	/*
	 * EMU: SNS documents retries for "server-side errors" only (SNS-DG
	 * "Amazon SNS message delivery retries"); sesbox takes that as 5xx,
	 * 429 and no answer (refused, reset, timed out), and any other status
	 * as a final failure.
	 */
	if (http_status != 0 && http_status < 500 && http_status != 429)
		return "failed";
	return attempts < 1 + SNS_DELIVER_RETRIES ? "retry" : "failed";
}

/* Converts a delay to an absolute CLOCK_REALTIME deadline. */
static void
sns_deliver_deadline(int64_t ms, struct timespec *until)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_sec += (time_t)(ms / 1000);
	until->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

static size_t
sns_deliver_discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void
sns_deliver_header(struct sns_post *p, const char *name, const char *value)
{
	char *line = xasprintf("%s: %s", name, value);

	p->headers = curl_slist_append(p->headers, line);
	free(line);
	if (p->headers == NULL)
		abort();
}

/*
 * Sets up the POST of p->d. Returns 0, or -1 with p->error set (the
 * attempt fails without a request).
 */
static int
sns_deliver_prepare(struct sns_post *p, const char *base_url)
{
	const char *type = p->d.type;
	int note = strcmp(type, "Notification") == 0;

	if ((p->body = sns_render(&p->d, base_url, &p->body_len)) == NULL) {
		snprintf(p->error, sizeof(p->error), "cannot sign the message");
		return -1;
	}
	/* AWS: the headers of real deliveries (SNS-DG http-header sample;
	 * localstack's recorded captures; SES-REFERENCE §5.2). Accept and
	 * Expect, which curl would add, are removed. */
	sns_deliver_header(p, "x-amz-sns-message-type", type);
	sns_deliver_header(p, "x-amz-sns-message-id", p->d.message_id);
	sns_deliver_header(p, "x-amz-sns-topic-arn", p->d.topic_arn);
	if (strcmp(type, "SubscriptionConfirmation") != 0)
		sns_deliver_header(p, "x-amz-sns-subscription-arn",
		    p->d.subscription_arn);
	if (note && p->d.raw)
		sns_deliver_header(p, "x-amz-sns-rawdelivery", "true");
	sns_deliver_header(p, "Content-Type", "text/plain; charset=UTF-8");
	sns_deliver_header(p, "Connection", "Keep-Alive");
	sns_deliver_header(p, "User-Agent",
	    "Amazon Simple Notification Service Agent");
	sns_deliver_header(p, "Accept-Encoding", "gzip,deflate");
	p->headers = curl_slist_append(p->headers, "Accept:");
	p->headers = curl_slist_append(p->headers, "Expect:");
	if ((p->curl = curl_easy_init()) == NULL)
		abort();
	curl_easy_setopt(p->curl, CURLOPT_URL, p->d.endpoint);
	curl_easy_setopt(p->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, p->body);
	curl_easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)p->body_len);
	curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, p->headers);
	curl_easy_setopt(p->curl, CURLOPT_TIMEOUT_MS,
	    (long)SNS_DELIVER_TIMEOUT_MS);
	curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, sns_deliver_discard);
	curl_easy_setopt(p->curl, CURLOPT_ERRORBUFFER, p->error);
	curl_easy_setopt(p->curl, CURLOPT_PRIVATE, p);
	return 0;
}

/* POSTs every prepared p[i] at once; sets their statuses and errors. */
static void
sns_deliver_perform(CURLM *multi, struct sns_post *p, size_t n)
{
	struct CURLMsg *msg;
	struct sns_post *q;
	int running = 0, left;
	long code;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].curl != NULL)
			curl_multi_add_handle(multi, p[i].curl);
	do {
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			break;
		if (running > 0 && curl_multi_poll(multi, NULL, 0, 1000,
		    NULL) != CURLM_OK)
			break;
	} while (running > 0);
	while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &q);
		if (msg->data.result == CURLE_OK &&
		    curl_easy_getinfo(msg->easy_handle,
		    CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code > 0)
			q->http_status = (int)code;
		else if (q->error[0] == '\0')
			snprintf(q->error, sizeof(q->error), "%s",
			    curl_easy_strerror(msg->data.result));
	}
	for (i = 0; i < n; i++)
		if (p[i].curl != NULL)
			curl_multi_remove_handle(multi, p[i].curl);
}

static void
sns_deliver_post_fini(struct sns_post *p)
{
	if (p->curl != NULL)
		curl_easy_cleanup(p->curl);
	curl_slist_free_all(p->headers);
	free(p->body);
	store_sns_delivery_fini(&p->d);
}

/* Records the outcome of every p[i]. Returns 0 or -1. */
static int
sns_deliver_settle(struct sns_post *p, size_t n)
{
	struct store *s = store_write_begin();
	const char *status;
	size_t i;
	int rc = 0;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		status = sns_deliver_outcome(p[i].http_status, p[i].d.attempts);
		/* The status says it all when there was an answer. */
		if (rc == 0 && store_sns_delivery_settle(s, &p[i].d,
		    p[i].at_ms, status, p[i].http_status, p[i].http_status ?
		    NULL : p[i].error,
		    p[i].at_ms + SNS_DELIVER_RETRY_DELAY_MS) != 0)
			rc = -1;
		log_info("msg=\"sns delivery\" id=%lld type=%s attempt=%d "
		    "status=%s http=%d endpoint=\"%s\" topic=%s",
		    (long long)p[i].d.id, p[i].d.type, p[i].d.attempts, status,
		    p[i].http_status, p[i].d.endpoint, p[i].d.topic_arn);
	}
	if (store_write_end(s, rc == 0) != 0 || rc != 0) {
		log_error("msg=\"cannot record sns deliveries\" n=%zu", n);
		return -1;
	}
	return 0;
}

/*
 * One batch: claims what is due, POSTs it, records the outcomes. Returns
 * the deliveries attempted, 0 when none was due (*next_due set to the
 * earliest waiting one, or INT64_MAX), or -1.
 */
static long
sns_deliver_run_once(CURLM *multi, int64_t *next_due)
{
	struct store_sns_delivery *rows = NULL;
	const struct cfg *cfg = route_cfg_get();
	struct sns_post *p;
	struct store *s;
	struct buf base;
	int64_t now = tclock_now_ms();
	long n, i;
	int rc = 0;

	/* Looked for in a read transaction first: an idle scan commits
	 * nothing, so it wakes no one through the commit hook. */
	if ((s = store_get()) == NULL || store_begin(s) != 0)
		return -1;
	rc = store_sns_delivery_next_due(s, next_due);
	if (store_commit(s) != 0 || rc != 0) {
		store_rollback(s);
		return -1;
	}
	if (*next_due > now)
		return 0;
	if ((s = store_write_begin()) == NULL)
		return -1;
	n = store_sns_delivery_claim(s, now, SNS_DELIVER_BATCH, &rows);
	if (store_write_end(s, n >= 0) != 0 || n < 0) {
		for (i = 0; i < n; i++)
			store_sns_delivery_fini(&rows[i]);
		free(rows);
		log_error("msg=\"cannot claim sns deliveries\"");
		return -1;
	}
	if (n == 0)
		return 0;
	buf_init(&base);
	http_base_url(cfg->public_url, cfg->listen, &base);
	p = xcalloc((size_t)n, sizeof(*p));
	for (i = 0; i < n; i++) {
		p[i].d = rows[i];
		p[i].at_ms = now;
		(void)sns_deliver_prepare(&p[i], base.data);
	}
	free(rows);
	buf_fini(&base);
	sns_deliver_perform(multi, p, (size_t)n);
	rc = sns_deliver_settle(p, (size_t)n);
	for (i = 0; i < n; i++)
		sns_deliver_post_fini(&p[i]);
	free(p);
	return rc == 0 ? n : -1;
}

/* Sleeps (sns_deliver_lock held) until woken, or until due by the clock. */
static void
sns_deliver_sleep(int64_t due)
{
	struct timespec until;
	int64_t wait_ms;

	sns_deliver_sleeping = 1;
	if (tclock_frozen() || due == INT64_MAX) {
		/* A frozen clock only moves when told: that kicks. */
		pthread_cond_wait(&sns_deliver_wake, &sns_deliver_lock);
	} else if ((wait_ms = due - tclock_now_ms()) > 0) {
		if (wait_ms > SNS_DELIVER_IDLE_MAX_MS)
			wait_ms = SNS_DELIVER_IDLE_MAX_MS;
		sns_deliver_deadline(wait_ms, &until);
		(void)pthread_cond_timedwait(&sns_deliver_wake,
		    &sns_deliver_lock, &until);
	}
	sns_deliver_sleeping = 0;
}

static void *
sns_deliver_main(void *arg)
{
	CURLM *multi = curl_multi_init();
	unsigned long seen, commits;
	int64_t due;
	long n;

	(void)arg;
	if (multi == NULL)
		abort();
	pthread_mutex_lock(&sns_deliver_lock);
	while (!sns_deliver_stopping) {
		seen = sns_deliver_kicks;
		commits = sns_deliver_commits;
		pthread_mutex_unlock(&sns_deliver_lock);
		due = INT64_MAX;
		n = sns_deliver_run_once(multi, &due);
		pthread_mutex_lock(&sns_deliver_lock);
		if (n > 0)
			continue;	/* more may be due now */
		if (n == 0) {
			sns_deliver_idle_at = seen;
			pthread_cond_broadcast(&sns_deliver_idle);
		}
		if (sns_deliver_kicks != seen || sns_deliver_commits !=
		    commits || sns_deliver_stopping)
			continue;
		sns_deliver_sleep(n < 0 ? tclock_now_ms() + 1000 : due);
	}
	pthread_mutex_unlock(&sns_deliver_lock);
	curl_multi_cleanup(multi);
	store_release();
	return NULL;
}

int
sns_deliver_start(void)
{
	struct store *s;
	int n;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("msg=\"cannot initialise libcurl\"");
		return -1;
	}
	if ((s = store_write_begin()) == NULL)
		return -1;
	n = store_sns_delivery_recover(s);
	if (store_write_end(s, n >= 0) != 0 || n < 0) {
		log_error("msg=\"cannot recover the sns deliveries\"");
		return -1;
	}
	if (n > 0)
		log_info("msg=\"sns deliveries recovered\" rows=%d", n);
	sns_deliver_stopping = 0;
	if (pthread_create(&sns_deliver_thread, NULL, sns_deliver_main,
	    NULL) != 0) {
		log_error("msg=\"cannot start the sns sender\"");
		return -1;
	}
	sns_deliver_running = 1;
	return 0;
}

void
sns_deliver_stop(void)
{
	if (!sns_deliver_running)
		return;
	pthread_mutex_lock(&sns_deliver_lock);
	sns_deliver_stopping = 1;
	pthread_cond_broadcast(&sns_deliver_wake);
	pthread_mutex_unlock(&sns_deliver_lock);
	pthread_join(sns_deliver_thread, NULL);
	sns_deliver_running = 0;
	curl_global_cleanup();
}

int
sns_deliver_drain(long timeout_ms)
{
	struct timespec until;
	unsigned long target;
	int rc = 0;

	if (!sns_deliver_running)
		return -1;
	sns_deliver_deadline(timeout_ms, &until);
	pthread_mutex_lock(&sns_deliver_lock);
	target = ++sns_deliver_kicks;
	pthread_cond_signal(&sns_deliver_wake);
	/* Done once an idle scan began after this call. */
	while ((long)(sns_deliver_idle_at - target) < 0 && rc == 0)
		if (pthread_cond_timedwait(&sns_deliver_idle,
		    &sns_deliver_lock, &until) == ETIMEDOUT)
			rc = -1;
	pthread_mutex_unlock(&sns_deliver_lock);
	return rc;
}
