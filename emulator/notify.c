/*
 * notify — the notifier (see notify.h).
 *
 * Everything below is under notify_lock except the calls out (checks,
 * subscription functions, commit_fn, free_arg), which run with the lock
 * dropped and the watcher marked busy: a busy watcher is neither freed
 * nor cancelled until its call returns (notify_idle is broadcast then).
 * After every call out the notifier walks its lists again from the head;
 * what was already served in this pass is skipped by its `seen` commit
 * count, so a pass ends and a commit landing during it makes another.
 */
#include "notify.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "xmem.h"

struct notify_waiter {
	struct notify_waiter *prev, *next;
	notify_check_fn check;
	void *arg;
	void (*free_arg)(void *);
	struct route_response *resp;	/* borrowed */
	store_commit_fn commit_fn;
	void *commit_arg;
	int64_t deadline_ms;		/* CLOCK_MONOTONIC */
	uint64_t seen;			/* commits its last check saw */
	int fd;
	int busy;
	int hung_up;
	char request_id[ROUTE_REQUEST_ID_BYTES];
};

struct notify_sub {
	struct notify_sub *prev, *next;
	void (*fn)(void *, enum notify_why);
	void *arg;
	long tick_ms;
	int64_t next_tick_ms;		/* CLOCK_MONOTONIC */
	uint64_t seen;
	int fd;
	int busy;
	int hangup_due;			/* seen hung up, not told yet */
	int hangup_told;
	int stopped;			/* told NOTIFY_STOPPING */
};

static pthread_mutex_t notify_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notify_kick_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t notify_idle = PTHREAD_COND_INITIALIZER;
static struct notify_waiter *notify_waiters, *notify_waiters_tail;
static struct notify_sub *notify_subs;
static int notify_kicked;		/* something changed: look again */
static int notify_stopping;		/* notify_shutdown ran */
static int notify_thread_stop;
static int notify_started;
static int64_t notify_next_poll_ms;
static pthread_t notify_thread;
/* Successful commits so far (notify_committed). */
static atomic_uint_fast64_t notify_commits;
/* Waiters and subscriptions listed. */
static atomic_int notify_watchers;

static int64_t
notify_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
notify_kick(void)
{
	notify_kicked = 1;
	pthread_cond_signal(&notify_kick_cond);
}

void
notify_committed(void)
{
	atomic_fetch_add(&notify_commits, 1);
	/* Nobody watching: nothing to wake (a new watcher kicks the thread
	 * itself, and looks at the count it read before its first check). */
	if (atomic_load(&notify_watchers) == 0)
		return;
	pthread_mutex_lock(&notify_lock);
	notify_kick();
	pthread_mutex_unlock(&notify_lock);
}

/* The answer to a wait the server will not finish. */
static void
notify_unavailable(struct route_response *resp)
{
	route_json(resp, 503, json_pack("{s:s,s:s}", "code",
	    "ServiceUnavailable", "message", "sesbox is stopping"));
	snprintf(resp->error, sizeof(resp->error), "ServiceUnavailable");
}

static void
notify_waiter_unlink(struct notify_waiter *w)
{
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		notify_waiters = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	else
		notify_waiters_tail = w->prev;
	w->prev = w->next = NULL;
	atomic_fetch_sub(&notify_watchers, 1);
}

/* Hands an answered (unlinked) waiter's request back; lock not held. */
static void
notify_waiter_finish(struct notify_waiter *w)
{
	if (w->free_arg != NULL)
		w->free_arg(w->arg);
	w->commit_fn(w->commit_arg, 0);
	free(w);
}

void
notify_wait(const struct route_request *req, struct route_response *resp,
    notify_check_fn check, void *arg, void (*free_arg)(void *),
    long wait_ms)
{
	uint64_t seen = atomic_load(&notify_commits);
	struct notify_waiter *w;

	if (check(arg, 0, resp))
		goto done;
	if (wait_ms <= 0) {
		(void)check(arg, 1, resp);
		goto done;
	}
	if (wait_ms > NOTIFY_WAIT_MAX_MS)
		wait_ms = NOTIFY_WAIT_MAX_MS;
	pthread_mutex_lock(&notify_lock);
	if (req->commit_fn == NULL || notify_stopping) {
		pthread_mutex_unlock(&notify_lock);
		notify_unavailable(resp);
		goto done;
	}
	w = xcalloc(1, sizeof(*w));
	w->check = check;
	w->arg = arg;
	w->free_arg = free_arg;
	w->resp = resp;
	w->commit_fn = req->commit_fn;
	w->commit_arg = req->commit_arg;
	w->deadline_ms = notify_mono_ms() + wait_ms;
	/* A commit between the first check and now is looked at. */
	w->seen = seen;
	w->fd = req->client_fd;
	snprintf(w->request_id, sizeof(w->request_id), "%s",
	    req->request_id != NULL ? req->request_id : "-");
	resp->pending = 1;
	w->prev = notify_waiters_tail;
	if (notify_waiters_tail != NULL)
		notify_waiters_tail->next = w;
	else
		notify_waiters = w;
	notify_waiters_tail = w;
	atomic_fetch_add(&notify_watchers, 1);
	notify_kick();
	pthread_mutex_unlock(&notify_lock);
	log_debug("req=%s msg=\"answer deferred\" wait_ms=%ld",
	    req->request_id != NULL ? req->request_id : "-", wait_ms);
	return;
done:
	if (free_arg != NULL)
		free_arg(arg);
}

int
notify_cancel(void *commit_arg)
{
	struct notify_waiter *w;

	pthread_mutex_lock(&notify_lock);
	for (;;) {
		for (w = notify_waiters; w != NULL; w = w->next)
			if (w->commit_arg == commit_arg)
				break;
		if (w == NULL || !w->busy)
			break;
		pthread_cond_wait(&notify_idle, &notify_lock);
	}
	if (w != NULL)
		notify_waiter_unlink(w);
	pthread_mutex_unlock(&notify_lock);
	if (w == NULL)
		return 0;
	if (w->free_arg != NULL)
		w->free_arg(w->arg);
	free(w);
	return 1;
}

struct notify_sub *
notify_subscribe(void (*fn)(void *arg, enum notify_why why), void *arg,
    long tick_ms, int client_fd)
{
	struct notify_sub *sub;

	pthread_mutex_lock(&notify_lock);
	if (notify_stopping) {
		pthread_mutex_unlock(&notify_lock);
		return NULL;
	}
	sub = xcalloc(1, sizeof(*sub));
	sub->fn = fn;
	sub->arg = arg;
	sub->tick_ms = tick_ms > 0 ? tick_ms : 0;
	sub->next_tick_ms = notify_mono_ms() + sub->tick_ms;
	sub->seen = atomic_load(&notify_commits);
	sub->fd = client_fd;
	sub->next = notify_subs;
	if (notify_subs != NULL)
		notify_subs->prev = sub;
	notify_subs = sub;
	atomic_fetch_add(&notify_watchers, 1);
	notify_kick();
	pthread_mutex_unlock(&notify_lock);
	return sub;
}

void
notify_unsubscribe(struct notify_sub *sub)
{
	if (sub == NULL)
		return;
	pthread_mutex_lock(&notify_lock);
	while (sub->busy)
		pthread_cond_wait(&notify_idle, &notify_lock);
	if (sub->prev != NULL)
		sub->prev->next = sub->next;
	else
		notify_subs = sub->next;
	if (sub->next != NULL)
		sub->next->prev = sub->prev;
	atomic_fetch_sub(&notify_watchers, 1);
	pthread_mutex_unlock(&notify_lock);
	free(sub);
}

/*
 * Looks (without blocking) at the sockets of waiters and subscriptions
 * for a hang-up; lock held. A watcher's socket stays open while it is
 * listed: its connection is parked, or its stream not yet closed.
 */
static void
notify_poll_hangups(void)
{
	struct pollfd *fds;
	struct notify_waiter *w;
	struct notify_sub *sub;
	size_t n = 0, i;

	for (w = notify_waiters; w != NULL; w = w->next)
		n += w->fd > 0 && !w->hung_up;
	for (sub = notify_subs; sub != NULL; sub = sub->next)
		n += sub->fd > 0 && !sub->hangup_due && !sub->hangup_told &&
		    !sub->stopped;
	if (n == 0)
		return;
	fds = xcalloc(n, sizeof(*fds));
	i = 0;
	for (w = notify_waiters; w != NULL; w = w->next)
		if (w->fd > 0 && !w->hung_up)
			fds[i++].fd = w->fd;
	for (sub = notify_subs; sub != NULL; sub = sub->next)
		if (sub->fd > 0 && !sub->hangup_due && !sub->hangup_told &&
		    !sub->stopped)
			fds[i++].fd = sub->fd;
	for (i = 0; i < n; i++)
		fds[i].events = POLLRDHUP;
	if (poll(fds, (nfds_t)n, 0) > 0) {
		/* Same order as above. */
		i = 0;
		for (w = notify_waiters; w != NULL; w = w->next)
			if (w->fd > 0 && !w->hung_up)
				w->hung_up = (fds[i++].revents & (POLLRDHUP |
				    POLLHUP | POLLERR)) != 0;
		for (sub = notify_subs; sub != NULL; sub = sub->next)
			if (sub->fd > 0 && !sub->hangup_due &&
			    !sub->hangup_told && !sub->stopped)
				sub->hangup_due = (fds[i++].revents &
				    (POLLRDHUP | POLLHUP | POLLERR)) != 0;
	}
	free(fds);
}

/*
 * One call out to a subscription due at now after c commits, lock held
 * (dropped during the call). Returns 1 when it called, 0 when none was
 * due.
 */
static int
notify_serve_subs(uint64_t c, int64_t now)
{
	struct notify_sub *sub;
	enum notify_why why;

	for (sub = notify_subs; sub != NULL; sub = sub->next) {
		if (sub->stopped)
			continue;
		if (sub->hangup_due) {
			why = NOTIFY_HANGUP;
			sub->hangup_due = 0;
			sub->hangup_told = 1;
		} else if (sub->seen != c) {
			why = NOTIFY_COMMITTED;
			sub->seen = c;
		} else if (sub->tick_ms > 0 && now >= sub->next_tick_ms) {
			why = NOTIFY_TICK;
			sub->next_tick_ms = now + sub->tick_ms;
		} else {
			continue;
		}
		sub->busy = 1;
		pthread_mutex_unlock(&notify_lock);
		sub->fn(sub->arg, why);
		pthread_mutex_lock(&notify_lock);
		sub->busy = 0;
		pthread_cond_broadcast(&notify_idle);
		return 1;
	}
	return 0;
}

/* One check of a waiter due at now after c commits, lock held (dropped
 * during the check). Returns 1 when it checked one, else 0. */
static int
notify_serve_waiters(uint64_t c, int64_t now)
{
	struct notify_waiter *w;
	int timed_out, answered;

	for (w = notify_waiters; w != NULL; w = w->next) {
		timed_out = w->hung_up || now >= w->deadline_ms;
		if (!timed_out && w->seen == c)
			continue;
		w->seen = c;
		w->busy = 1;
		pthread_mutex_unlock(&notify_lock);
		answered = w->check(w->arg, timed_out, w->resp);
		pthread_mutex_lock(&notify_lock);
		w->busy = 0;
		pthread_cond_broadcast(&notify_idle);
		if (w->hung_up)
			log_info("req=%s msg=\"client left while waiting\"",
			    w->request_id);
		if (answered || timed_out) {
			/* A check must answer once timed out; if it did not,
			 * resp has no body and the answer is empty. */
			notify_waiter_unlink(w);
			pthread_mutex_unlock(&notify_lock);
			notify_waiter_finish(w);
			pthread_mutex_lock(&notify_lock);
		}
		return 1;
	}
	return 0;
}

/* When the notifier must next look, with nothing kicking it (lock held). */
static int64_t
notify_next_due(int64_t now)
{
	int64_t due = now + 60000;
	struct notify_waiter *w;
	struct notify_sub *sub;
	int fds = 0;

	for (w = notify_waiters; w != NULL; w = w->next) {
		if (w->deadline_ms < due)
			due = w->deadline_ms;
		fds |= w->fd > 0;
	}
	for (sub = notify_subs; sub != NULL; sub = sub->next) {
		if (sub->stopped)
			continue;
		if (sub->tick_ms > 0 && sub->next_tick_ms < due)
			due = sub->next_tick_ms;
		fds |= sub->fd > 0;
	}
	if (fds && notify_next_poll_ms < due)
		due = notify_next_poll_ms;
	return due;
}

static void *
notify_main(void *arg)
{
	struct timespec until;
	int64_t now, due, wait;
	uint64_t c;

	(void)arg;
	pthread_mutex_lock(&notify_lock);
	while (!notify_thread_stop) {
		notify_kicked = 0;
		now = notify_mono_ms();
		if (now >= notify_next_poll_ms) {
			notify_poll_hangups();
			notify_next_poll_ms = now + NOTIFY_HANGUP_POLL_MS;
		}
		/* One pass: everything due at c commits and at now, once,
		 * subscriptions then waiters, so a storm of commits does not
		 * starve either; commits landing meanwhile make the next. */
		c = atomic_load(&notify_commits);
		while (notify_serve_subs(c, now))
			;
		while (notify_serve_waiters(c, now))
			;
		due = notify_next_due(now);
		if (notify_kicked || due <= now)
			continue;
		/* The condition variable runs on the wall clock; the wait is
		 * measured on the monotonic one. */
		wait = due - now;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait / 1000;
		until.tv_nsec += (wait % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		while (!notify_kicked && !notify_thread_stop)
			if (pthread_cond_timedwait(&notify_kick_cond,
			    &notify_lock, &until) == ETIMEDOUT)
				break;
	}
	pthread_mutex_unlock(&notify_lock);
	return NULL;
}

int
notify_start(void)
{
	pthread_mutex_lock(&notify_lock);
	notify_stopping = 0;
	notify_thread_stop = 0;
	pthread_mutex_unlock(&notify_lock);
	if (pthread_create(&notify_thread, NULL, notify_main, NULL) != 0) {
		log_error("msg=\"cannot start the notifier thread\"");
		return -1;
	}
	notify_started = 1;
	return 0;
}

void
notify_shutdown(void)
{
	struct notify_waiter *w;
	struct notify_sub *sub;

	pthread_mutex_lock(&notify_lock);
	notify_stopping = 1;
	for (;;) {
		for (w = notify_waiters; w != NULL && w->busy; w = w->next)
			;
		if (w != NULL) {
			notify_waiter_unlink(w);
			pthread_mutex_unlock(&notify_lock);
			notify_unavailable(w->resp);
			notify_waiter_finish(w);
			pthread_mutex_lock(&notify_lock);
			continue;
		}
		for (sub = notify_subs; sub != NULL && (sub->busy ||
		    sub->stopped); sub = sub->next)
			;
		if (sub != NULL) {
			sub->stopped = 1;
			sub->busy = 1;
			pthread_mutex_unlock(&notify_lock);
			sub->fn(sub->arg, NOTIFY_STOPPING);
			pthread_mutex_lock(&notify_lock);
			sub->busy = 0;
			pthread_cond_broadcast(&notify_idle);
			continue;
		}
		for (sub = notify_subs; sub != NULL && sub->stopped;
		    sub = sub->next)
			;
		if (notify_waiters == NULL && sub == NULL)
			break;
		/* Only busy ones left: their calls end soon. */
		pthread_cond_wait(&notify_idle, &notify_lock);
	}
	pthread_mutex_unlock(&notify_lock);
}

void
notify_stop(void)
{
	if (!notify_started)
		return;
	pthread_mutex_lock(&notify_lock);
	notify_thread_stop = 1;
	pthread_cond_signal(&notify_kick_cond);
	pthread_mutex_unlock(&notify_lock);
	pthread_join(notify_thread, NULL);
	notify_started = 0;
}
