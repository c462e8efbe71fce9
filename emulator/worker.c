/*
 * worker — a background batch worker (see worker.h).
 */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "store.h"
#include "tclock.h"
#include "xmem.h"

/* Longest sleep while the clock runs (due items are looked for again). */
#define WORKER_IDLE_MAX_MS 60000

struct worker {
	worker_fn fn;
	void *arg;
	long batch;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t idle;
	int stopping;
	unsigned long kicks;		/* bumped by every kick */
	unsigned long commits;		/* bumped by every commit */
	unsigned long idle_at;		/* kicks seen by the last idle scan */
	int sleeping;			/* in worker_sleep: commits wake it */
};

void
worker_deadline(int64_t ms, struct timespec *until)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_sec += (time_t)(ms / 1000);
	until->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

void
worker_kick(struct worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->kicks++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void
worker_committed(struct worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->commits++;
	if (w->sleeping)
		pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

/* Lets new work gather (lock held); a kick cuts it short. */
static void
worker_linger(struct worker *w)
{
	struct timespec until;
	unsigned long seen = w->kicks;

	worker_deadline(WORKER_LINGER_MS, &until);
	while (w->kicks == seen && !w->stopping)
		if (pthread_cond_timedwait(&w->wake, &w->lock, &until) ==
		    ETIMEDOUT)
			break;
}

/* Sleeps (lock held) until kicked or a commit, or until due. */
static void
worker_sleep(struct worker *w, int64_t due)
{
	struct timespec until;
	int64_t wait_ms;

	w->sleeping = 1;
	if (tclock_frozen() || due == INT64_MAX) {
		/* A frozen clock only moves when told: that kicks. */
		pthread_cond_wait(&w->wake, &w->lock);
	} else {
		wait_ms = due - tclock_now_ms();
		if (wait_ms > WORKER_IDLE_MAX_MS)
			wait_ms = WORKER_IDLE_MAX_MS;
		if (wait_ms > 0) {
			worker_deadline(wait_ms, &until);
			(void)pthread_cond_timedwait(&w->wake, &w->lock,
			    &until);
		}
	}
	w->sleeping = 0;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned long seen, commits;
	int64_t due;
	long n;

	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		seen = w->kicks;
		commits = w->commits;
		pthread_mutex_unlock(&w->lock);
		due = INT64_MAX;
		n = w->fn(w->arg, &due);
		pthread_mutex_lock(&w->lock);
		if (n >= w->batch)
			continue;	/* more are due now */
		if (n > 0) {
			worker_linger(w);
			continue;
		}
		if (n == 0) {
			w->idle_at = seen;
			pthread_cond_broadcast(&w->idle);
		}
		if (w->kicks != seen || w->stopping)
			continue;
		if (w->commits != commits) {
			worker_linger(w);
			continue;
		}
		worker_sleep(w, n < 0 ? tclock_now_ms() + 1000 : due);
		if (w->kicks == seen && w->commits != commits)
			worker_linger(w);
	}
	pthread_mutex_unlock(&w->lock);
	store_release();
	return NULL;
}

struct worker *
worker_start(worker_fn fn, void *arg, long batch)
{
	struct worker *w = xcalloc(1, sizeof(*w));

	w->fn = fn;
	w->arg = arg;
	w->batch = batch;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->idle, NULL);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		pthread_cond_destroy(&w->idle);
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

void
worker_stop(struct worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->idle);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int
worker_drain(struct worker *w, long timeout_ms)
{
	struct timespec until;
	unsigned long target;
	int rc = 0;

	if (w == NULL)
		return -1;
	worker_deadline(timeout_ms, &until);
	pthread_mutex_lock(&w->lock);
	target = ++w->kicks;
	pthread_cond_signal(&w->wake);
	/* Done once an idle scan began after this call. */
	while ((long)(w->idle_at - target) < 0 && rc == 0)
		if (pthread_cond_timedwait(&w->idle, &w->lock, &until) ==
		    ETIMEDOUT)
			rc = -1;
	pthread_mutex_unlock(&w->lock);
	return rc;
}
