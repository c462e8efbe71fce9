/*
 * notify — what happens after commits, for requests that wait on them.
 *
 * One notifier thread, woken by every successful commit (main hooks
 * notify_committed into store_on_commit; a burst of commits is one pass),
 * by the deadlines it keeps and by clients hanging up. It serves two kinds
 * of watcher:
 *
 * - deferred answers (long-polls): a handler that cannot answer yet hands
 *   its request over with notify_wait; the notifier re-runs the handler's
 *   check after commits until it answers, or runs it once more at the
 *   deadline (real time, not the test clock) to render the timeout. The
 *   connection stays parked meanwhile, through the same pending mechanism
 *   a write uses to wait for its group commit (route.h: commit_fn).
 * - subscriptions (live feeds): a function told after commits, at its own
 *   period, when its client hung up and when the server stops; it only
 *   signals (wakes a parked stream), it does not read the store.
 *
 * Checks run on the notifier thread with its own store connection, never
 * on the committer's thread nor under the store's write lock. This module
 * knows nothing of what is being waited for (the check functions do) nor
 * of HTTP beyond route.h.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdint.h>

#include "route.h"

/* The longest a request may wait for its answer. */
#define NOTIFY_WAIT_MAX_MS 60000
/* How often a client's socket is looked at for a hang-up while it waits. */
#define NOTIFY_HANGUP_POLL_MS 250

/*
 * A deferred answer's check: renders the answer into resp (status and
 * body; headers already there are kept) and returns 1 when the wait is
 * over, else returns 0 and leaves resp alone. With timed_out set it must
 * answer (the deadline passed, or the client hung up). Errors are answers
 * too (a 500). Runs first on the request's thread, then on the notifier
 * thread; never twice at once.
 */
typedef int (*notify_check_fn)(void *arg, int timed_out,
    struct route_response *resp);

/*
 * Answers req into resp now or later. check(arg, 0, resp) runs at once; if
 * it answers, that is all. Otherwise the request waits: resp->pending is
 * set, and once a commit makes check answer, or wait_ms of real time pass
 * (check(arg, 1, resp)), or the client hangs up (the same), or the server
 * stops (a 503 ServiceUnavailable), req->commit_fn(req->commit_arg, 0)
 * says the answer is ready. Takes arg: free_arg(arg) is called when it is
 * no longer needed (free_arg NULL: nothing to free). A request that cannot
 * wait (no commit_fn, or the server is stopping) is answered 503 at once
 * unless the first check answers. resp is borrowed until commit_fn runs
 * or notify_cancel takes the request back. wait_ms is clamped to
 * 0..NOTIFY_WAIT_MAX_MS.
 */
void notify_wait(const struct route_request *req,
    struct route_response *resp, notify_check_fn check, void *arg,
    void (*free_arg)(void *), long wait_ms);

/*
 * The connection of the request whose commit_arg is commit_arg is going
 * away: forgets its wait without calling commit_fn (a check under way
 * finishes first). Returns 1 when it was waiting here, 0 when not (it was
 * never deferred, or its answer is already being handed over: commit_fn
 * then runs at once, if it has not).
 */
int notify_cancel(void *commit_arg);

enum notify_why {
	NOTIFY_COMMITTED,	/* commits happened since the last call */
	NOTIFY_TICK,		/* the subscription's period elapsed */
	NOTIFY_HANGUP,		/* its client's socket was closed */
	NOTIFY_STOPPING		/* the server stops: the last call */
};

struct notify_sub;

/*
 * Subscribes fn(arg, why), called on the notifier thread (never two calls
 * at once) after commits, every tick_ms of real time (0: never), when the
 * socket client_fd (0 or less: none) hangs up, and once with
 * NOTIFY_STOPPING. fn must be quick: it may take its own locks and signal,
 * not read the store. Returns the subscription, or NULL when the server is
 * stopping.
 */
struct notify_sub *notify_subscribe(void (*fn)(void *arg,
    enum notify_why why), void *arg, long tick_ms, int client_fd);
/* Ends sub (waits for a call under way); NULL is fine. fn is not called
 * again once this returns. */
void notify_unsubscribe(struct notify_sub *sub);

/* A commit happened. Any thread; cheap (it only signals). */
void notify_committed(void);

/* Starts the notifier thread. Returns 0, or -1 (logged). */
int notify_start(void) __attribute__((warn_unused_result));
/*
 * The server stops: every waiting request is answered 503 (its commit_fn
 * told), every subscription is told NOTIFY_STOPPING and dropped, and new
 * waits and subscriptions are refused. Returns once that is done.
 */
void notify_shutdown(void);
/* Stops the notifier thread (after notify_shutdown). */
void notify_stop(void);

#endif
