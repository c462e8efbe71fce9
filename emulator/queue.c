/*
 * queue — the delivery workers (see queue.h).
 */
#include "queue.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dlv.h"
#include "log.h"
#include "rmt.h"
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
	/* The worker hands what it claims to rmt before its idle scan; a
	 * retry falls due a minute later at the soonest. */
	return worker_drain(queue_worker, timeout_ms) != 0 ||
	    rmt_drain(timeout_ms) != 0 ? -1 : 0;
}

/*
 * Whether row goes to an SMTP transport: a 'queued' row SES itself did
 * not decide, for a recipient no rule simulates.
 */
static int
queue_remote(const struct store_queue_row *row, int decided)
{
	return !decided && strcmp(row->state, "queued") == 0 &&
	    rmt_transport(row->address) != RMT_SIMULATE;
}

/*
 * One batch: claims the due rows; settles at once those SES decides
 * itself and those the mailbox simulator answers (in-process, so in this
 * transaction), leases the rest ('sending') and, once that is committed,
 * hands them to the SMTP transports (rmt), which settle them later.
 * Returns the rows claimed, 0 when none was due (*next_due set to the
 * earliest waiting row, or INT64_MAX), or -1.
 */
static long
queue_run_once(void *arg, int64_t *next_due)
{
	struct store_queue_row *rows = NULL, *local = NULL, *remote = NULL;
	struct dlv_result *res = NULL;
	int *decided = NULL;
	struct store *s;
	int64_t now = tclock_now_ms();
	size_t nremote = 0, nlocal = 0;
	long n, i;
	int rc = 0;

	(void)arg;
	if ((s = store_write_begin()) == NULL)
		return -1;
	if ((n = store_queue_claim(s, now, QUEUE_BATCH, &rows)) > 0) {
		struct sim_rules *rules = sim_rules_hold();

		decided = xcalloc((size_t)n, sizeof(*decided));
		res = xcalloc((size_t)n, sizeof(*res));
		local = xcalloc((size_t)n, sizeof(*local));
		remote = xcalloc((size_t)n, sizeof(*remote));
		rc = dlv_precheck_all(s, rows, res, decided, (size_t)n);
		/* Shallow copies: rows keeps the strings until the end. */
		for (i = 0; i < n && rc == 0; i++) {
			if (queue_remote(&rows[i], decided[i])) {
				rc = store_queue_lease(s, &rows[i]);
				remote[nremote++] = rows[i];
				decided[i] = -1;	/* rmt's now */
				continue;
			}
			if (!decided[i])
				sim_deliver(rules, &rows[i], &res[i]);
			local[nlocal] = rows[i];
			res[nlocal++] = res[i];
		}
		if (rc == 0 && nlocal > 0)
			rc = dlv_settle(s, queue_cfg, local, res, nlocal, now);
		sim_rules_drop(rules);
	} else if (n == 0) {
		rc = store_queue_next_due(s, next_due);
	}
	if (store_write_end(s, n >= 0 && rc == 0) != 0 || n < 0 || rc != 0) {
		log_error("msg=\"cannot settle deliveries\" rows=%ld", n);
		rc = -1;
	}
	for (i = 0; i < n; i++)
		if (rc != 0 || decided[i] != -1)
			store_queue_row_fini(&rows[i]);
	if (rc == 0 && nremote > 0)
		rmt_submit(remote, nremote);
	else
		free(remote);
	free(rows);
	free(local);
	free(res);
	free(decided);
	return rc == 0 ? n : -1;
}

int
queue_start(const struct cfg *cfg)
{
	struct store *s;
	int n;

	queue_cfg = cfg;
	/* AWS: at least once: what a stopped process was sending goes
	 * again; its outcome was never recorded. */
	if ((s = store_write_begin()) == NULL)
		return -1;
	n = store_queue_recover(s);
	if (store_write_end(s, n >= 0) != 0 || n < 0) {
		log_error("msg=\"cannot recover the delivery queue\"");
		return -1;
	}
	if (n > 0)
		log_info("msg=\"deliveries recovered\" rows=%d", n);
	if (rmt_start(cfg) != 0)
		return -1;
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
	rmt_stop();
}
