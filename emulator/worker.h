/*
 * worker — a background thread that does one kind of batch work whenever
 * there may be some: after commits (lingering WORKER_LINGER_MS so that
 * more gathers and one transaction takes many), at once when kicked (the
 * test clock moved, a test asked to drain), or when the next item falls
 * due by the test clock. The delivery queue and the event publisher are
 * workers. It knows nothing of what the work is.
 */
#ifndef WORKER_H
#define WORKER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * After new work arrives, how long a worker lets more gather: under load
 * one transaction then takes hundreds of items instead of a few, and the
 * senders keep the write lock.
 */
#define WORKER_LINGER_MS 5

/*
 * One batch: returns how many items it did (batch or more: call again at
 * once), 0 when nothing is due (*next_due set to when something will be,
 * by the test clock, or INT64_MAX), or -1 on error (retried in a second).
 */
typedef long (*worker_fn)(void *arg, int64_t *next_due);

struct worker;

/* Starts a thread calling fn(arg, ...) as above; NULL when it cannot. */
struct worker *worker_start(worker_fn fn, void *arg, long batch);
/* Stops and frees w (the batch under way finishes); NULL is fine. */
void worker_stop(struct worker *w);
/* Work is due now. Any thread; NULL is fine. */
void worker_kick(struct worker *w);
/* Sets *until to the CLOCK_REALTIME time ms from now: a deadline for
 * pthread_cond_timedwait (any thread may use it). */
void worker_deadline(int64_t ms, struct timespec *until);
/* A commit happened: work may have arrived. Any thread; NULL is fine. */
void worker_committed(struct worker *w);
/*
 * Waits until w has done everything due by the test clock at the time of
 * the call. Returns 0, or -1 when w is NULL or did not finish in time.
 */
int worker_drain(struct worker *w, long timeout_ms);

#endif
