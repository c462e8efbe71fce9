/*
 * queue — the delivery workers: claim the recipient rows that are due by
 * the test clock (store_queue), ask the transport what happened to each
 * (the mailbox simulator; SMTP comes later and plugs in here), and have
 * the delivery policy (dlv) settle them, in batches, on a worker thread
 * (worker.h: woken by commits, at once by clock moves, or when the next
 * row falls due). Decides nothing about SES semantics.
 */
#ifndef QUEUE_H
#define QUEUE_H

struct cfg;

/* Starts the worker (cfg borrowed for the process lifetime). Returns 0,
 * or -1 (logged). */
int queue_start(const struct cfg *cfg) __attribute__((warn_unused_result));
/* Stops the worker (the batch under way finishes). */
void queue_stop(void);
/* Something is due now: the clock moved. Any thread. */
void queue_kick(void);
/* A commit happened: new rows may be queued; the worker lets a little
 * more gather first. Any thread. */
void queue_committed(void);
/*
 * Waits until the worker has settled every row due by the test clock at
 * the time of the call (rows due later stay queued). Returns 0, or -1 when
 * the worker is not running or did not finish within timeout_ms.
 */
int queue_drain(long timeout_ms);

#endif
