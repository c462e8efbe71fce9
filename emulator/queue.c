/*
 * queue — the delivery workers (see queue.h).
 */
#include "queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "dlv.h"
#include "log.h"
#include "sim.h"
#include "store.h"
#include "store_queue.h"
#include "tclock.h"
#include "xmem.h"

/* Rows settled per transaction. */
#define QUEUE_BATCH 256
/* Longest sleep while the clock runs (a due row is looked for again). */
#define QUEUE_IDLE_MAX_MS 60000
/*
 * After new mail, how long the worker lets more gather before it settles
 * them: under load one transaction then settles hundreds of recipients
 * instead of a few, and the senders keep the write lock. Tests do not
 * wait for it: /_sesbox/api/v1/queue/flush and clock moves are urgent.
 */
#define QUEUE_LINGER_MS 10

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t queue_idle = PTHREAD_COND_INITIALIZER;
static pthread_t queue_thread;
static int queue_running, queue_stopping;
static unsigned long queue_kicks;	/* bumped by every queue_kick */
static unsigned long queue_commits;	/* bumped by every queue_committed */
static unsigned long queue_idle_at;	/* kicks seen by the last idle scan */
static int queue_sleeping;		/* in queue_sleep: commits wake it */

void
queue_kick(void)
{
	pthread_mutex_lock(&queue_lock);
	queue_kicks++;
	pthread_cond_signal(&queue_wake);
	pthread_mutex_unlock(&queue_lock);
}

void
queue_committed(void)
{
	pthread_mutex_lock(&queue_lock);
	queue_commits++;
	if (queue_sleeping)
		pthread_cond_signal(&queue_wake);
	pthread_mutex_unlock(&queue_lock);
}

/* Converts a delay to an absolute CLOCK_REALTIME deadline. */
static void
queue_deadline(int64_t ms, struct timespec *until)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_sec += (time_t)(ms / 1000);
	until->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

/* Lets new mail gather (queue_lock held); an urgent kick cuts it short. */
static void
queue_linger(void)
{
	struct timespec until;
	unsigned long seen = queue_kicks;

	queue_deadline(QUEUE_LINGER_MS, &until);
	while (queue_kicks == seen && !queue_stopping)
		if (pthread_cond_timedwait(&queue_wake, &queue_lock,
		    &until) == ETIMEDOUT)
			break;
}

/*
 * One batch: claims the due rows, asks the transport, settles them. The
 * mailbox simulator answers in-process, so all of it is one transaction.
 * Returns the rows settled, 0 when none was due (*next_due set to the
 * earliest waiting row, or INT64_MAX), or -1.
 */
static long
queue_run_once(int64_t *next_due)
{
	struct store_queue_row *rows = NULL;
	struct dlv_result *res = NULL;
	struct store *s;
	int64_t now = tclock_now_ms();
	long n, i;
	int rc = 0;

	if ((s = store_write_begin()) == NULL)
		return -1;
	if ((n = store_queue_claim(s, now, QUEUE_BATCH, 0, &rows)) > 0) {
		struct sim_rules *rules = sim_rules_hold();

		res = xcalloc((size_t)n, sizeof(*res));
		for (i = 0; i < n && rc == 0; i++) {
			int decided = dlv_precheck(s, &rows[i], &res[i]);

			if (decided < 0)
				rc = -1;
			else if (!decided)
				sim_deliver(rules, &rows[i], &res[i]);
		}
		if (rc == 0)
			rc = dlv_settle(s, rows, res, (size_t)n, now);
		sim_rules_drop(rules);
	} else if (n == 0) {
		rc = store_queue_next_due(s, next_due);
	}
	for (i = 0; i < n; i++)
		store_queue_row_fini(&rows[i]);
	free(rows);
	free(res);
	if (store_write_end(s, n >= 0 && rc == 0) != 0 || n < 0 || rc != 0) {
		log_error("msg=\"cannot settle deliveries\" rows=%ld", n);
		return -1;
	}
	return n;
}

/* Sleeps (queue_lock held) until kicked, or until due by the clock. */
static void
queue_sleep(int64_t due)
{
	struct timespec until;
	int64_t wait_ms;

	queue_sleeping = 1;
	if (tclock_frozen() || due == INT64_MAX) {
		/* A frozen clock only moves when told: that kicks. With a
		 * running clock and nothing waiting, a commit wakes it. */
		pthread_cond_wait(&queue_wake, &queue_lock);
		queue_sleeping = 0;
		return;
	}
	wait_ms = due - tclock_now_ms();
	if (wait_ms > QUEUE_IDLE_MAX_MS)
		wait_ms = QUEUE_IDLE_MAX_MS;
	if (wait_ms > 0) {
		queue_deadline(wait_ms, &until);
		(void)pthread_cond_timedwait(&queue_wake, &queue_lock, &until);
	}
	queue_sleeping = 0;
}

static void *
queue_main(void *arg)
{
	unsigned long seen, commits;
	int64_t due;
	long n;

	(void)arg;
	pthread_mutex_lock(&queue_lock);
	while (!queue_stopping) {
		seen = queue_kicks;
		commits = queue_commits;
		pthread_mutex_unlock(&queue_lock);
		due = INT64_MAX;
		n = queue_run_once(&due);
		pthread_mutex_lock(&queue_lock);
		if (n >= QUEUE_BATCH)
			continue;	/* more are due now */
		if (n > 0) {
			queue_linger();
			continue;
		}
		if (n == 0) {
			queue_idle_at = seen;
			pthread_cond_broadcast(&queue_idle);
		}
		if (queue_kicks != seen || queue_stopping)
			continue;
		if (queue_commits != commits) {
			queue_linger();
			continue;
		}
		queue_sleep(n < 0 ? tclock_now_ms() + 1000 : due);
		if (queue_kicks == seen && queue_commits != commits)
			queue_linger();
	}
	pthread_mutex_unlock(&queue_lock);
	store_release();
	return NULL;
}

int
queue_start(void)
{
	struct store *s = store_write_begin();
	int n;

	if (s == NULL)
		return -1;
	n = store_queue_recover(s);
	if (store_write_end(s, n >= 0) != 0 || n < 0) {
		log_error("msg=\"cannot recover the delivery queue\"");
		return -1;
	}
	if (n > 0)
		log_info("msg=\"delivery queue recovered\" rows=%d", n);
	queue_stopping = 0;
	if (pthread_create(&queue_thread, NULL, queue_main, NULL) != 0) {
		log_error("msg=\"cannot start the delivery worker\"");
		return -1;
	}
	queue_running = 1;
	return 0;
}

void
queue_stop(void)
{
	if (!queue_running)
		return;
	pthread_mutex_lock(&queue_lock);
	queue_stopping = 1;
	pthread_cond_broadcast(&queue_wake);
	pthread_mutex_unlock(&queue_lock);
	pthread_join(queue_thread, NULL);
	queue_running = 0;
}

int
queue_drain(long timeout_ms)
{
	struct timespec until;
	unsigned long target;
	int rc = 0;

	if (!queue_running)
		return -1;
	queue_deadline(timeout_ms, &until);
	pthread_mutex_lock(&queue_lock);
	target = ++queue_kicks;
	pthread_cond_signal(&queue_wake);
	/* Done once an idle scan began after this call. */
	while ((long)(queue_idle_at - target) < 0 && rc == 0)
		if (pthread_cond_timedwait(&queue_idle, &queue_lock,
		    &until) == ETIMEDOUT)
			rc = -1;
	pthread_mutex_unlock(&queue_lock);
	return rc;
}
