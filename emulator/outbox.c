/*
 * outbox — the sender of every outbound HTTP request (see outbox.h).
 *
 * A batch is claimed in one short write transaction (each row becomes
 * 'sending' with its attempt counted), POSTed outside any transaction with
 * one curl multi handle, so a slow peer delays the batch by at most the
 * timeout and holds no lock, then settled in a second transaction. A
 * process stopped in between leaves 'sending' rows that start-up queues
 * again: delivery is at least once, like SNS's.
 *
 * What differs between kinds is data: the kind table says how a row
 * becomes a request, what an answer means and how long to wait before the
 * next attempt.
 */
#include "outbox.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cfg.h"
#include "forward.h"
#include "http.h"
#include "log.h"
#include "route.h"
#include "sns_deliver.h"
#include "store.h"
#include "store_outbox.h"
#include "store_pub.h"
#include "tclock.h"
#include "worker.h"
#include "xmem.h"

/* Rows attempted at once. */
#define OUTBOX_BATCH 64
/* Longest sleep while the clock runs (the store is looked at again). */
#define OUTBOX_IDLE_MAX_MS 60000

/* How one kind of row is sent. */
struct outbox_kind {
	const char *name;		/* STORE_OUTBOX_* */
	/* Builds the request for o (base_url: sesbox's own, for links).
	 * Returns 0, or -1 with err set (the attempt fails unsent). */
	int (*prepare)(const struct store_outbox *o, const char *base_url,
	    struct outbox_request *r, char *err, size_t errlen);
	/* "delivered", "retry" or "failed" for the answer (http_status 0:
	 * none) to attempt o->attempts; may write the attempt's error. */
	const char *(*outcome)(const struct store_outbox *o, int http_status,
	    const char *body, size_t len, char *err, size_t errlen);
	/* Delay before the attempt after attempt number `attempts`. */
	int64_t (*retry_delay_ms)(int attempts);
	int publication;		/* a publication follows the row */
};

static const struct outbox_kind outbox_kinds[] = {
	{ STORE_OUTBOX_SNS, sns_deliver_prepare, sns_deliver_judge,
	    sns_deliver_retry_delay_ms, 0 },
	{ STORE_OUTBOX_SNS_PUBLISH, forward_prepare, forward_outcome,
	    forward_retry_delay_ms, 1 },
	{ STORE_OUTBOX_EVENTBRIDGE, forward_prepare, forward_outcome,
	    forward_retry_delay_ms, 1 },
};

static pthread_mutex_t outbox_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t outbox_wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t outbox_idle = PTHREAD_COND_INITIALIZER;
static pthread_t outbox_thread;
static int outbox_running, outbox_stopping;
static unsigned long outbox_kicks;	/* bumped by kicks and drains */
static unsigned long outbox_idle_at;	/* kicks seen by the last idle */
static unsigned long outbox_commits;
static int outbox_sleeping;

/* One POST under way. */
struct outbox_post {
	struct store_outbox o;
	const struct outbox_kind *kind;	/* NULL: unknown kind */
	struct outbox_request r;
	CURL *curl;
	struct curl_slist *headers;
	struct buf answer;	/* at most OUTBOX_RESPONSE_MAX_BYTES */
	char error[CURL_ERROR_SIZE > OUTBOX_ERROR_MAX_BYTES ?
	    CURL_ERROR_SIZE : OUTBOX_ERROR_MAX_BYTES];
	int http_status;		/* 0: no answer */
	int64_t at_ms;			/* when made, by the test clock */
};

void
outbox_request_header(struct outbox_request *r, const char *name,
    const char *value)
{
	r->headers = xrealloc(r->headers, (r->nheaders + 1) *
	    sizeof(*r->headers));
	r->headers[r->nheaders++] = xasprintf("%s: %s", name, value);
}

void
outbox_request_fini(struct outbox_request *r)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		free(r->headers[i]);
	free(r->headers);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static const struct outbox_kind *
outbox_kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(outbox_kinds) / sizeof(outbox_kinds[0]); i++)
		if (strcmp(outbox_kinds[i].name, name) == 0)
			return &outbox_kinds[i];
	return NULL;
}

void
outbox_kick(void)
{
	pthread_mutex_lock(&outbox_lock);
	outbox_kicks++;
	pthread_cond_signal(&outbox_wake);
	pthread_mutex_unlock(&outbox_lock);
}

void
outbox_committed(void)
{
	pthread_mutex_lock(&outbox_lock);
	outbox_commits++;
	if (outbox_sleeping)
		pthread_cond_signal(&outbox_wake);
	pthread_mutex_unlock(&outbox_lock);
}

/* Keeps the start of the answer for the kind to judge. */
static size_t
outbox_answer(char *data, size_t size, size_t n, void *arg)
{
	struct outbox_post *p = arg;
	size_t len = size * n;

	if (p->answer.len < OUTBOX_RESPONSE_MAX_BYTES)
		buf_append(&p->answer, data, len < OUTBOX_RESPONSE_MAX_BYTES -
		    p->answer.len ? len : OUTBOX_RESPONSE_MAX_BYTES -
		    p->answer.len);
	return len;
}

/*
 * Sets up the POST of p->o. Returns 0, or -1 with p->error set (the
 * attempt fails without a request).
 */
static int
outbox_prepare(struct outbox_post *p, const char *base_url)
{
	size_t i;

	buf_init(&p->answer);
	if ((p->kind = outbox_kind_find(p->o.kind)) == NULL) {
		snprintf(p->error, sizeof(p->error), "unknown kind %s",
		    p->o.kind);
		return -1;
	}
	if (p->kind->prepare(&p->o, base_url, &p->r, p->error,
	    sizeof(p->error)) != 0)
		return -1;
	for (i = 0; i < p->r.nheaders; i++)
		if ((p->headers = curl_slist_append(p->headers,
		    p->r.headers[i])) == NULL)
			abort();
	/* Headers curl would add on its own; a kind names the ones it
	 * wants. */
	p->headers = curl_slist_append(p->headers, "Accept:");
	p->headers = curl_slist_append(p->headers, "Expect:");
	if ((p->curl = curl_easy_init()) == NULL)
		abort();
	curl_easy_setopt(p->curl, CURLOPT_URL, p->o.endpoint);
	curl_easy_setopt(p->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, p->r.body);
	curl_easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)p->r.body_len);
	curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, p->headers);
	/* EMU: SNS's timeout for its subscribers, also for API calls. */
	curl_easy_setopt(p->curl, CURLOPT_TIMEOUT_MS,
	    (long)SNS_DELIVER_TIMEOUT_MS);
	curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, outbox_answer);
	curl_easy_setopt(p->curl, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(p->curl, CURLOPT_ERRORBUFFER, p->error);
	curl_easy_setopt(p->curl, CURLOPT_PRIVATE, p);
	return 0;
}

/* POSTs every prepared p[i] at once; sets their statuses and errors. */
static void
outbox_perform(CURLM *multi, struct outbox_post *p, size_t n)
{
	struct CURLMsg *msg;
	struct outbox_post *q;
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
outbox_post_fini(struct outbox_post *p)
{
	if (p->curl != NULL)
		curl_easy_cleanup(p->curl);
	curl_slist_free_all(p->headers);
	outbox_request_fini(&p->r);
	buf_fini(&p->answer);
	store_outbox_fini(&p->o);
}

/* Records the outcome of every p[i]. Returns 0 or -1. */
static int
outbox_settle(struct outbox_post *p, size_t n)
{
	struct store *s = store_write_begin();
	char judged[OUTBOX_ERROR_MAX_BYTES];
	const char *status, *error;
	int64_t next;
	size_t i;
	int rc = 0;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		judged[0] = '\0';
		if (p[i].kind == NULL)
			status = "failed";	/* no kind can send it */
		else
			status = p[i].kind->outcome(&p[i].o, p[i].http_status,
			    p[i].answer.data != NULL ? p[i].answer.data : "",
			    p[i].answer.len, judged, sizeof(judged));
		/* With an answer, what the kind made of it; without, why. */
		error = p[i].http_status != 0 ? judged : p[i].error;
		if (error[0] == '\0')
			error = NULL;
		next = p[i].kind != NULL ? p[i].at_ms +
		    p[i].kind->retry_delay_ms(p[i].o.attempts) : p[i].at_ms;
		if (rc == 0 && store_outbox_settle(s, &p[i].o, p[i].at_ms,
		    status, p[i].http_status, error, next) != 0)
			rc = -1;
		if (rc == 0 && p[i].kind != NULL && p[i].kind->publication &&
		    strcmp(status, "retry") != 0 &&
		    store_pub_outbox_settle(s, p[i].o.id, strcmp(status,
		    "delivered") == 0 ? "published" : "failed", error) != 0)
			rc = -1;
		log_info("msg=\"outbound request\" id=%lld kind=%s type=\"%s\" "
		    "attempt=%d status=%s http=%d endpoint=\"%s\" target=%s",
		    (long long)p[i].o.id, p[i].o.kind, p[i].o.type,
		    p[i].o.attempts, status, p[i].http_status, p[i].o.endpoint,
		    p[i].o.topic_arn);
	}
	if (store_write_end(s, rc == 0) != 0 || rc != 0) {
		log_error("msg=\"cannot record outbound requests\" n=%zu", n);
		return -1;
	}
	return 0;
}

/*
 * One batch: claims what is due, POSTs it, records the outcomes. Returns
 * the rows attempted, 0 when none was due (*next_due set to the earliest
 * waiting one, or INT64_MAX), or -1.
 */
static long
outbox_run_once(CURLM *multi, int64_t *next_due)
{
	struct store_outbox *rows = NULL;
	const struct cfg *cfg = route_cfg_get();
	struct outbox_post *p;
	struct store *s;
	struct buf base;
	int64_t now = tclock_now_ms();
	long n, i;
	int rc = 0;

	/* Looked for in a read transaction first: an idle scan commits
	 * nothing, so it wakes no one through the commit hook. */
	if ((s = store_get()) == NULL || store_begin(s) != 0)
		return -1;
	rc = store_outbox_next_due(s, next_due);
	if (store_commit(s) != 0 || rc != 0) {
		store_rollback(s);
		return -1;
	}
	if (*next_due > now)
		return 0;
	if ((s = store_write_begin()) == NULL)
		return -1;
	n = store_outbox_claim(s, now, OUTBOX_BATCH, &rows);
	if (store_write_end(s, n >= 0) != 0 || n < 0) {
		for (i = 0; i < n; i++)
			store_outbox_fini(&rows[i]);
		free(rows);
		log_error("msg=\"cannot claim outbound requests\"");
		return -1;
	}
	if (n == 0)
		return 0;
	buf_init(&base);
	http_base_url(cfg->public_url, cfg->listen, &base);
	p = xcalloc((size_t)n, sizeof(*p));
	for (i = 0; i < n; i++) {
		p[i].o = rows[i];
		p[i].at_ms = now;
		(void)outbox_prepare(&p[i], base.data);
	}
	free(rows);
	buf_fini(&base);
	outbox_perform(multi, p, (size_t)n);
	rc = outbox_settle(p, (size_t)n);
	for (i = 0; i < n; i++)
		outbox_post_fini(&p[i]);
	free(p);
	return rc == 0 ? n : -1;
}

/* Sleeps (outbox_lock held) until woken, or until due by the clock. */
static void
outbox_sleep(int64_t due)
{
	struct timespec until;
	int64_t wait_ms;

	outbox_sleeping = 1;
	if (tclock_frozen() || due == INT64_MAX) {
		/* A frozen clock only moves when told: that kicks. */
		pthread_cond_wait(&outbox_wake, &outbox_lock);
	} else if ((wait_ms = due - tclock_now_ms()) > 0) {
		if (wait_ms > OUTBOX_IDLE_MAX_MS)
			wait_ms = OUTBOX_IDLE_MAX_MS;
		worker_deadline(wait_ms, &until);
		(void)pthread_cond_timedwait(&outbox_wake, &outbox_lock,
		    &until);
	}
	outbox_sleeping = 0;
}

static void *
outbox_main(void *arg)
{
	CURLM *multi = curl_multi_init();
	unsigned long seen, commits;
	int64_t due;
	long n;

	(void)arg;
	if (multi == NULL)
		abort();
	pthread_mutex_lock(&outbox_lock);
	while (!outbox_stopping) {
		seen = outbox_kicks;
		commits = outbox_commits;
		pthread_mutex_unlock(&outbox_lock);
		due = INT64_MAX;
		n = outbox_run_once(multi, &due);
		pthread_mutex_lock(&outbox_lock);
		if (n > 0)
			continue;	/* more may be due now */
		if (n == 0) {
			outbox_idle_at = seen;
			pthread_cond_broadcast(&outbox_idle);
		}
		if (outbox_kicks != seen || outbox_commits != commits ||
		    outbox_stopping)
			continue;
		outbox_sleep(n < 0 ? tclock_now_ms() + 1000 : due);
	}
	pthread_mutex_unlock(&outbox_lock);
	curl_multi_cleanup(multi);
	store_release();
	return NULL;
}

int
outbox_start(void)
{
	struct store *s;
	int n;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("msg=\"cannot initialise libcurl\"");
		return -1;
	}
	if ((s = store_write_begin()) == NULL)
		return -1;
	n = store_outbox_recover(s);
	if (store_write_end(s, n >= 0) != 0 || n < 0) {
		log_error("msg=\"cannot recover the outbox\"");
		return -1;
	}
	if (n > 0)
		log_info("msg=\"outbound requests recovered\" rows=%d", n);
	outbox_stopping = 0;
	if (pthread_create(&outbox_thread, NULL, outbox_main, NULL) != 0) {
		log_error("msg=\"cannot start the outbound sender\"");
		return -1;
	}
	outbox_running = 1;
	return 0;
}

void
outbox_stop(void)
{
	if (!outbox_running)
		return;
	pthread_mutex_lock(&outbox_lock);
	outbox_stopping = 1;
	pthread_cond_broadcast(&outbox_wake);
	pthread_mutex_unlock(&outbox_lock);
	pthread_join(outbox_thread, NULL);
	outbox_running = 0;
	curl_global_cleanup();
}

int
outbox_drain(long timeout_ms)
{
	struct timespec until;
	unsigned long target;
	int rc = 0;

	if (!outbox_running)
		return -1;
	worker_deadline(timeout_ms, &until);
	pthread_mutex_lock(&outbox_lock);
	target = ++outbox_kicks;
	pthread_cond_signal(&outbox_wake);
	/* Done once an idle scan began after this call. */
	while ((long)(outbox_idle_at - target) < 0 && rc == 0)
		if (pthread_cond_timedwait(&outbox_idle, &outbox_lock,
		    &until) == ETIMEDOUT)
			rc = -1;
	pthread_mutex_unlock(&outbox_lock);
	return rc;
}
