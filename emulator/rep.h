/*
 * rep — sending reputation and enforcement: an account's bounce and
 * complaint rates over its recent sends (GetSendStatistics' counts, so
 * simulator traffic, soft bounces and account-suppressed addresses are out)
 * and the EnforcementStatus they give — HEALTHY, PROBATION at the review
 * rates, SHUTDOWN at the shutdown rates (thresholds, window and minimum
 * volume from the configuration). While SHUTDOWN, sends are refused. It
 * reads the store; it neither records statistics nor renders errors.
 */
#ifndef REP_H
#define REP_H

#include <stdint.h>

#include "cfg.h"
#include "store.h"

enum rep_status { REP_HEALTHY, REP_PROBATION, REP_SHUTDOWN };

struct rep_view {
	enum rep_status status;
	long sends;			/* recipients in the window */
	double bounce_rate;		/* percent */
	double complaint_rate;		/* percent */
};

/* "HEALTHY", "PROBATION", "SHUTDOWN". */
const char *rep_status_name(enum rep_status st);
/* Evaluates (account, region) at now_ms into *out. Returns 0 or -1. */
int rep_evaluate(struct store *s, const struct cfg *cfg, const char *account,
    const char *region, int64_t now_ms, struct rep_view *out);
/* Non-zero when sending is paused for (account, region) at now_ms (-1 on
 * a store error). Cheap when the account is healthy. */
int rep_paused(struct store *s, const struct cfg *cfg, const char *account,
    const char *region, int64_t now_ms);
/* After new bounces or complaints: re-evaluates and remembers the status
 * for rep_paused. Returns 0 or -1. */
int rep_update(struct store *s, const struct cfg *cfg, const char *account,
    const char *region, int64_t now_ms);

#endif
