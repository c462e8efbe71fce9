/*
 * queue — the delivery workers (see queue.h).
 */
#include "queue.h"

#include <stdint.h>
#include <stdlib.h>

#include "dlv.h"
#include "log.h"
#include "sim.h"
#include "store.h"
#include "store_queue.h"
#include "tclock.h"
#include "worker.h"
#include "xmem.h"

/* Rows settled per transaction. */
#define QUEUE_BATCH 256

static struct worker *queue_worker;
static const struct cfg *queue_cfg;

void
queue_kick(void)
{
	worker_kick(queue_worker);
}

void
queue_committed(void)
{
	worker_committed(queue_worker);
}

int
queue_drain(long timeout_ms)
{
	return worker_drain(queue_worker, timeout_ms);
}

/*
 * One batch: claims the due rows, asks the transport, settles them. The
 * mailbox simulator answers in-process, so all of it is one transaction.
 * Returns the rows settled, 0 when none was due (*next_due set to the
 * earliest waiting row, or INT64_MAX), or -1.
 */
static long
queue_run_once(void *arg, int64_t *next_due)
{
	struct store_queue_row *rows = NULL;
	struct dlv_result *res = NULL;
	struct store *s;
	int64_t now = tclock_now_ms();
	long n, i;
	int rc = 0;

	(void)arg;
	if ((s = store_write_begin()) == NULL)
		return -1;
	if ((n = store_queue_claim(s, now, QUEUE_BATCH, &rows)) > 0) {
		struct sim_rules *rules = sim_rules_hold();
		int *decided = xcalloc((size_t)n, sizeof(*decided));

		res = xcalloc((size_t)n, sizeof(*res));
		rc = dlv_precheck_all(s, rows, res, decided, (size_t)n);
		for (i = 0; i < n && rc == 0; i++)
			if (!decided[i])
				sim_deliver(rules, &rows[i], &res[i]);
		free(decided);
		if (rc == 0)
			rc = dlv_settle(s, queue_cfg, rows, res, (size_t)n,
			    now);
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

int
queue_start(const struct cfg *cfg)
{
	queue_cfg = cfg;
	if ((queue_worker = worker_start(queue_run_once, NULL, QUEUE_BATCH)) ==
	    NULL) {
		log_error("msg=\"cannot start the delivery worker\"");
		return -1;
	}
	return 0;
}

void
queue_stop(void)
{
	worker_stop(queue_worker);
	queue_worker = NULL;
}
