/*
 * Unit tests: the notifier (notify.c) — a deferred answer answered at
 * once, after a commit, at its deadline (real time), when its client hangs
 * up, taken back (cancel), refused and forced at shutdown; subscriptions
 * told of commits, ticks, hang-ups and the stop.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "notify.h"
#include "route.h"

#define WAIT_S 10

/* What the request side sees: commit_fn's calls. */
struct told {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int calls;
	int rc;
};

static struct told told = { PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_COND_INITIALIZER, 0, 0 };

static void
tell(void *arg, int rc)
{
	struct told *t = arg;

	pthread_mutex_lock(&t->lock);
	t->calls++;
	t->rc = rc;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

/* Waits (bounded) for commit_fn's first call; returns the calls made. */
static int
await_told(void)
{
	struct timespec until;
	int n;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_S;
	pthread_mutex_lock(&told.lock);
	while (told.calls == 0)
		if (pthread_cond_timedwait(&told.cond, &told.lock, &until) != 0)
			break;
	n = told.calls;
	pthread_mutex_unlock(&told.lock);
	return n;
}

static int
told_calls(void)
{
	int n;

	pthread_mutex_lock(&told.lock);
	n = told.calls;
	pthread_mutex_unlock(&told.lock);
	return n;
}

/* A check: answers 200 once ready is set, 408 when timed out. */
struct probe {
	atomic_int ready;
	atomic_int checks;
	atomic_int timed_out;
	atomic_int freed;
};

static int
check(void *arg, int timed_out, struct route_response *resp)
{
	struct probe *p = arg;

	atomic_fetch_add(&p->checks, 1);
	if (timed_out)
		atomic_fetch_add(&p->timed_out, 1);
	if (atomic_load(&p->ready)) {
		route_json(resp, 200, json_pack("{s:b}", "ready", 1));
		return 1;
	}
	if (timed_out) {
		route_json(resp, 408, json_pack("{s:b}", "ready", 0));
		return 1;
	}
	return 0;
}

static void
probe_free(void *arg)
{
	struct probe *p = arg;

	atomic_fetch_add(&p->freed, 1);
}

static struct route_request
request(int fd)
{
	struct route_request req;

	memset(&req, 0, sizeof(req));
	req.request_id = "11111111-2222-4333-8444-555555555555";
	req.commit_fn = tell;
	req.commit_arg = &told;
	req.client_fd = fd;
	return req;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
setup(void)
{
	told.calls = 0;
	ck_assert_int_eq(notify_start(), 0);
}

static void
teardown(void)
{
	notify_shutdown();
	notify_stop();
}

START_TEST(t_answered_at_once)
{
	struct route_request req = request(-1);
	struct route_response resp;
	struct probe p = { 1, 0, 0, 0 };

	memset(&resp, 0, sizeof(resp));
	notify_wait(&req, &resp, check, &p, probe_free, 10000);
	ck_assert_int_eq(resp.pending, 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(p.checks, 1);
	ck_assert_int_eq(p.freed, 1);
	ck_assert_int_eq(told_calls(), 0);
	route_response_fini(&resp);
}
END_TEST

START_TEST(t_answered_after_a_commit)
{
	struct route_request req = request(-1);
	struct route_response resp;
	struct probe p = { 0, 0, 0, 0 };

	memset(&resp, 0, sizeof(resp));
	notify_wait(&req, &resp, check, &p, probe_free, 30000);
	ck_assert_int_eq(resp.pending, 1);
	ck_assert_int_eq(p.freed, 0);
	atomic_store(&p.ready, 1);
	notify_committed();
	ck_assert_int_eq(await_told(), 1);
	ck_assert_int_eq(told.rc, 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(p.timed_out, 0);
	ck_assert_int_eq(p.freed, 1);
	route_response_fini(&resp);
}
END_TEST

START_TEST(t_rechecked_only_after_commits)
{
	struct route_request req = request(-1);
	struct route_response resp;
	struct probe p = { 0, 0, 0, 0 };
	int64_t t0 = mono_ms();

	memset(&resp, 0, sizeof(resp));
	notify_wait(&req, &resp, check, &p, probe_free, 400);
	/* Ready without a commit: seen only at the deadline. */
	atomic_store(&p.ready, 1);
	ck_assert_int_eq(await_told(), 1);
	ck_assert_int_ge(mono_ms() - t0, 350);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(p.timed_out, 1);
	route_response_fini(&resp);
}
END_TEST

START_TEST(t_timeout_in_real_time)
{
	struct route_request req = request(-1);
	struct route_response resp;
	struct probe p = { 0, 0, 0, 0 };
	int64_t t0 = mono_ms(), took;

	memset(&resp, 0, sizeof(resp));
	notify_wait(&req, &resp, check, &p, probe_free, 300);
	ck_assert_int_eq(await_told(), 1);
	took = mono_ms() - t0;
	ck_assert_int_ge(took, 250);
	ck_assert_int_lt(took, 5000);
	ck_assert_int_eq(resp.status, 408);
	ck_assert_int_eq(p.timed_out, 1);
	ck_assert_int_eq(p.freed, 1);
	route_response_fini(&resp);
}
END_TEST

START_TEST(t_zero_wait_checks_once)
{
	struct route_request req = request(-1);
	struct route_response resp;
	struct probe p = { 0, 0, 0, 0 };

	memset(&resp, 0, sizeof(resp));
	notify_wait(&req, &resp, check, &p, probe_free, 0);
	ck_assert_int_eq(resp.pending, 0);
	ck_assert_int_eq(resp.status, 408);
	ck_assert_int_eq(p.timed_out, 1);
	ck_assert_int_eq(p.freed, 1);
	ck_assert_int_eq(told_calls(), 0);
	route_response_fini(&resp);
}
END_TEST

START_TEST(t_cancel_takes_the_wait_back)
{
	struct route_request req = request(-1);
	struct route_response resp;
	struct probe p = { 0, 0, 0, 0 };

	memset(&resp, 0, sizeof(resp));
	notify_wait(&req, &resp, check, &p, probe_free, 30000);
	ck_assert_int_eq(notify_cancel(&told), 1);
	ck_assert_int_eq(p.freed, 1);
	ck_assert_int_eq(notify_cancel(&told), 0);
	atomic_store(&p.ready, 1);
	notify_committed();
	/* Nothing to tell any more; shutdown has nothing to force. */
	notify_shutdown();
	ck_assert_int_eq(told_calls(), 0);
	route_response_fini(&resp);
}
END_TEST

START_TEST(t_cannot_wait_without_commit_fn)
{
	struct route_request req = request(-1);
	struct route_response resp;
	struct probe p = { 0, 0, 0, 0 };

	req.commit_fn = NULL;
	memset(&resp, 0, sizeof(resp));
	notify_wait(&req, &resp, check, &p, probe_free, 30000);
	ck_assert_int_eq(resp.pending, 0);
	ck_assert_int_eq(resp.status, 503);
	ck_assert_str_eq(resp.body, "{\"code\":\"ServiceUnavailable\","
	    "\"message\":\"sesbox is stopping\"}");
	ck_assert_int_eq(p.freed, 1);
	route_response_fini(&resp);
}
END_TEST

static void
record(void *arg, enum notify_why why)
{
	atomic_int *seen = arg;

	atomic_fetch_or(&seen[0], 1 << why);
	atomic_fetch_add(&seen[1 + why], 1);
}

START_TEST(t_shutdown_forces_answers_and_ends_subscriptions)
{
	struct route_request req = request(-1);
	struct route_response resp, late;
	struct probe p = { 0, 0, 0, 0 }, q = { 0, 0, 0, 0 };
	atomic_int seen[5] = { 0 };
	struct notify_sub *sub;

	memset(&resp, 0, sizeof(resp));
	memset(&late, 0, sizeof(late));
	sub = notify_subscribe(record, seen, 0, -1);
	ck_assert_ptr_nonnull(sub);
	notify_wait(&req, &resp, check, &p, probe_free, 30000);
	notify_shutdown();
	ck_assert_int_eq(told_calls(), 1);
	ck_assert_int_eq(resp.status, 503);
	ck_assert_str_eq(resp.error, "ServiceUnavailable");
	ck_assert_int_eq(p.freed, 1);
	ck_assert_int_eq(seen[1 + NOTIFY_STOPPING], 1);
	/* After it: refused. */
	notify_wait(&req, &late, check, &q, probe_free, 30000);
	ck_assert_int_eq(late.pending, 0);
	ck_assert_int_eq(late.status, 503);
	ck_assert_ptr_null(notify_subscribe(record, seen, 0, -1));
	notify_unsubscribe(sub);
	route_response_fini(&resp);
	route_response_fini(&late);
}
END_TEST

START_TEST(t_hangup_ends_the_wait)
{
	struct route_request req;
	struct route_response resp;
	struct probe p = { 0, 0, 0, 0 };
	int sv[2];
	int64_t t0;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	req = request(sv[0]);
	memset(&resp, 0, sizeof(resp));
	notify_wait(&req, &resp, check, &p, probe_free, 30000);
	t0 = mono_ms();
	close(sv[1]);
	ck_assert_int_eq(await_told(), 1);
	ck_assert_int_lt(mono_ms() - t0, 5000);
	ck_assert_int_eq(resp.status, 408);
	ck_assert_int_eq(p.timed_out, 1);
	close(sv[0]);
	route_response_fini(&resp);
}
END_TEST

/* Waits (bounded) until seen has bit why. */
static int
await_seen(atomic_int *seen, enum notify_why why)
{
	int64_t until = mono_ms() + WAIT_S * 1000;
	struct timespec ms = { 0, 5 * 1000000 };

	while (!(atomic_load(&seen[0]) & (1 << why)) && mono_ms() < until)
		nanosleep(&ms, NULL);
	return (atomic_load(&seen[0]) & (1 << why)) != 0;
}

START_TEST(t_subscription_told_commits_ticks_hangups)
{
	atomic_int seen[5] = { 0 };
	struct notify_sub *sub;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	sub = notify_subscribe(record, seen, 50, sv[0]);
	notify_committed();
	notify_committed();
	ck_assert(await_seen(seen, NOTIFY_COMMITTED));
	ck_assert(await_seen(seen, NOTIFY_TICK));
	ck_assert_int_eq(seen[1 + NOTIFY_HANGUP], 0);
	close(sv[1]);
	ck_assert(await_seen(seen, NOTIFY_HANGUP));
	notify_unsubscribe(sub);
	/* Told once; nothing after unsubscribing. */
	ck_assert_int_eq(seen[1 + NOTIFY_HANGUP], 1);
	notify_shutdown();
	ck_assert_int_eq(seen[1 + NOTIFY_STOPPING], 0);
	close(sv[0]);
}
END_TEST

static Suite *
notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("notify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_answered_at_once);
	tcase_add_test(tc, t_answered_after_a_commit);
	tcase_add_test(tc, t_rechecked_only_after_commits);
	tcase_add_test(tc, t_timeout_in_real_time);
	tcase_add_test(tc, t_zero_wait_checks_once);
	tcase_add_test(tc, t_cancel_takes_the_wait_back);
	tcase_add_test(tc, t_cannot_wait_without_commit_fn);
	tcase_add_test(tc, t_shutdown_forces_answers_and_ends_subscriptions);
	tcase_add_test(tc, t_hangup_ends_the_wait);
	tcase_add_test(tc, t_subscription_told_commits_ticks_hangups);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return fixture_run(notify_suite());
}
