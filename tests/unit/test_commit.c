/*
 * Unit tests: group commit (store_commit.c) — callers that wait and callers
 * that are told later, a request undone inside a batch, a COMMIT that fails,
 * and the answer route gives a parked request whose commit failed.
 */
#include <check.h>
#include <pthread.h>
#include <sqlite3.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cfg.h"
#include "fixture.h"
#include "op.h"
#include "route.h"
#include "store.h"
#include "store_int.h"

#define WAIT_S 10

/* What the committer told the callbacks. */
struct told {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int calls, failures;
};

static struct told told = { PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_COND_INITIALIZER, 0, 0 };

static void
tell(void *arg, int rc)
{
	struct told *t = arg;

	pthread_mutex_lock(&t->lock);
	t->calls++;
	t->failures += rc != 0;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

/* Waits (bounded) until the callbacks have been told calls times. */
static void
await_calls(int calls)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_S;
	pthread_mutex_lock(&told.lock);
	while (told.calls < calls)
		if (pthread_cond_timedwait(&told.cond, &told.lock, &until) !=
		    0)
			break;
	ck_assert_int_eq(told.calls, calls);
	pthread_mutex_unlock(&told.lock);
}

static void
exec_ok(struct store *s, const char *sql)
{
	char *msg = NULL;

	ck_assert_msg(sqlite3_exec(store_db(s), sql, NULL, NULL, &msg) ==
	    SQLITE_OK, "%s: %s", sql, msg ? msg : "");
}

/* Rows in t as this thread's read connection sees them. */
static long
count_rows(void)
{
	struct store *r = store_get();
	sqlite3_stmt *st;
	long n = -1;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(sqlite3_prepare_v2(store_db(r), "SELECT count(*) "
	    "FROM t", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
setup(void)
{
	char err[STORE_ERROR_MAX_BYTES];
	struct store *s;

	ck_assert_msg(store_init(NULL, 1, err, sizeof(err)) == 0, "%s", err);
	told.calls = told.failures = 0;
	s = store_write_begin();
	ck_assert_ptr_nonnull(s);
	exec_ok(s, "CREATE TABLE t (v INTEGER); CREATE TABLE parent "
	    "(id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER "
	    "REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");
	ck_assert_int_eq(store_write_end(s, 1), 0);
}

static void
teardown(void)
{
	store_shutdown();
}

START_TEST(t_sync_write_is_committed_on_return)
{
	struct store *s = store_write_begin();

	exec_ok(s, "INSERT INTO t VALUES (1)");
	ck_assert_int_eq(store_write_end(s, 1), 0);
	ck_assert_int_eq(count_rows(), 1);
}
END_TEST

START_TEST(t_async_writes_are_told_once_after_commit)
{
	int i, waiting = 0, rc;

	for (i = 0; i < 50; i++) {
		struct store *s = store_write_begin();

		ck_assert_ptr_nonnull(s);
		exec_ok(s, "INSERT INTO t VALUES (1)");
		rc = store_write_end_async(s, 1, tell, &told);
		/* 1: told later; 0: committed already (never for a kept
		 * change with a callback, unless the batch was full). */
		ck_assert_int_eq(rc, 1);
		waiting++;
	}
	await_calls(waiting);
	ck_assert_int_eq(told.failures, 0);
	ck_assert_int_eq(count_rows(), 50);
}
END_TEST

START_TEST(t_undone_request_leaves_the_batch_intact)
{
	struct store *s;
	int i;

	for (i = 0; i < 9; i++) {
		s = store_write_begin();
		exec_ok(s, "INSERT INTO t VALUES (1)");
		/* Every third request fails: undone, nothing to wait for. */
		if (i % 3 == 2)
			ck_assert_int_eq(store_write_end_async(s, 0, tell,
			    &told), 0);
		else
			ck_assert_int_eq(store_write_end_async(s, 1, tell,
			    &told), 1);
	}
	await_calls(6);
	ck_assert_int_eq(told.failures, 0);
	ck_assert_int_eq(count_rows(), 6);
}
END_TEST

START_TEST(t_failed_commit_is_told_and_keeps_nothing)
{
	struct store *s = store_write_begin();

	/* A deferred foreign key: the statement succeeds, COMMIT fails. */
	exec_ok(s, "INSERT INTO t VALUES (1); INSERT INTO child VALUES (42)");
	ck_assert_int_eq(store_write_end_async(s, 1, tell, &told), 1);
	await_calls(1);
	ck_assert_int_eq(told.failures, 1);
	ck_assert_int_eq(count_rows(), 0);

	/* The same for a caller that waits; the store still works after. */
	s = store_write_begin();
	exec_ok(s, "INSERT INTO child VALUES (42)");
	ck_assert_int_eq(store_write_end(s, 1), -1);
	s = store_write_begin();
	exec_ok(s, "INSERT INTO t VALUES (1)");
	ck_assert_int_eq(store_write_end(s, 1), 0);
	ck_assert_int_eq(count_rows(), 1);
}
END_TEST

START_TEST(t_flush_commits_the_open_batch)
{
	struct store *s = store_write_begin();

	exec_ok(s, "INSERT INTO t VALUES (1)");
	ck_assert_int_eq(store_write_end_async(s, 1, tell, &told), 1);
	store_write_flush();
	await_calls(1);
	ck_assert_int_eq(count_rows(), 1);
}
END_TEST

/* ---- route: a parked answer whose commit failed ---- */

static void
route_answer(const char *method, const char *path, const char *body,
    struct route_response *resp)
{
	static const struct wire_header h[] = {
		{ "Content-Type", "application/x-www-form-urlencoded" },
	};
	struct route_request req = { .method = method, .path = path,
	    .headers = h, .nheaders = 1, .body = body,
	    .body_len = strlen(body), .source_ip = "127.0.0.1",
	    .request_id = "11111111-2222-4333-8444-555555555555" };

	route_handle(&req, resp);
}

static size_t
header_count(const struct route_response *resp, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < resp->nheaders; i++)
		n += strcasecmp(resp->headers[i].name, name) == 0;
	return n;
}

START_TEST(t_commit_failed_answers_internal_failure)
{
	static char region[] = "us-east-1", account[] = "000000000000";
	struct cfg cfg;
	struct route_response resp;
	char err[256];

	fixture_model_setup();
	ck_assert_msg(op_init(err, sizeof(err)) == 0, "%s", err);
	memset(&cfg, 0, sizeof(cfg));
	cfg.region = region;
	cfg.default_account = account;
	route_init(&cfg);

	route_answer("POST", "/", "Action=GetSendQuota", &resp);
	ck_assert_int_eq(resp.status, 200);
	route_commit_failed(&resp, "11111111-2222-4333-8444-555555555555");
	ck_assert_int_eq(resp.status, 500);
	ck_assert_str_eq(resp.content_type, "text/xml");
	ck_assert_ptr_nonnull(strstr(resp.body, "<Code>InternalFailure</Code>"));
	ck_assert_ptr_nonnull(strstr(resp.body, "<RequestId>11111111-2222-"
	    "4333-8444-555555555555</RequestId>"));
	ck_assert_str_eq(resp.error, "InternalFailure");
	ck_assert_uint_eq(header_count(&resp, "x-amzn-RequestId"), 1);
	route_response_fini(&resp);

	route_answer("GET", "/v2/email/account", "", &resp);
	ck_assert_int_eq(resp.status, 200);
	route_commit_failed(&resp, "11111111-2222-4333-8444-555555555555");
	ck_assert_int_eq(resp.status, 500);
	ck_assert_str_eq(resp.content_type, "application/json");
	ck_assert_ptr_nonnull(strstr(resp.body, "the transaction did not "
	    "commit"));
	ck_assert_uint_eq(header_count(&resp, "x-amzn-RequestId"), 1);
	ck_assert_uint_eq(header_count(&resp, "x-amzn-ErrorType"), 1);
	route_response_fini(&resp);
	op_fini();
	fixture_model_teardown();
}
END_TEST

static Suite *
commit_suite(void)
{
	Suite *s = suite_create("commit");
	TCase *tc = tcase_create("group");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_sync_write_is_committed_on_return);
	tcase_add_test(tc, t_async_writes_are_told_once_after_commit);
	tcase_add_test(tc, t_undone_request_leaves_the_batch_intact);
	tcase_add_test(tc, t_failed_commit_is_told_and_keeps_nothing);
	tcase_add_test(tc, t_flush_commits_the_open_batch);
	tcase_add_test(tc, t_commit_failed_answers_internal_failure);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return fixture_run(commit_suite());
}
