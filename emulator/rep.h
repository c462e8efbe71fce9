/*
 * rep — sending reputation and enforcement: an account's bounce and
 * complaint rates over its recent sends (GetSendStatistics' counts, so
 * simulator traffic, soft bounces and account-suppressed addresses are out)
 * and the EnforcementStatus they give — HEALTHY, PROBATION at the review
 * rates, SHUTDOWN at the shutdown rates (thresholds, window and minimum
 * volume from the configuration). While SHUTDOWN, sends are refused. Also
 * the per-configuration-set metrics of sets with ReputationMetricsEnabled
 * (their own sends, bounces and complaints, counted by the delivery
 * policy through rep_cs_count), and the report and Prometheus gauges the
 * inspection API shows. It renders no errors.
 */
#ifndef REP_H
#define REP_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "cfg.h"
#include "store.h"

enum rep_status { REP_HEALTHY, REP_PROBATION, REP_SHUTDOWN };

struct rep_view {
	enum rep_status status;
	long sends;			/* recipients in the window */
	long bounces, complaints;
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

/*
 * Adds to configuration set cs's counts for the hour of now_ms when the
 * set has its reputation metrics enabled (else nothing). Returns 0 or -1.
 */
int rep_cs_count(struct store *s, const char *account, const char *region,
    const char *cs, int64_t now_ms, int sends, int bounces, int complaints);
/* AWS: a fresh start (sending re-enabled) resets cs's metrics: forgets its
 * counts. Returns 0 or -1. */
int rep_cs_fresh_start(struct store *s, const char *account,
    const char *region, const char *cs);
/*
 * The reputation of (account, region) at now_ms (new), or NULL on a store
 * error: {"Account", "Region", "EnforcementStatus", "WindowHours", "Sends",
 * "Bounces", "Complaints", "BounceRate", "ComplaintRate", "MinimumSends",
 * "Thresholds": {"BounceRateReview", "BounceRateShutdown",
 * "ComplaintRateReview", "ComplaintRateShutdown"}, "ConfigurationSets": [{"Name", "LastFreshStart", "Sends", "Bounces",
 * "Complaints", "BounceRate", "ComplaintRate"}]} — rates as fractions, as
 * CloudWatch's Reputation.* metrics; sets with metrics enabled only.
 */
json_t *rep_report(struct store *s, const struct cfg *cfg,
    const char *account, const char *region, int64_t now_ms);
/*
 * Writes the reputation gauges in Prometheus text: every account and
 * region with sends in the window, and every set with metrics enabled
 * (label configuration_set). Returns 0 or -1.
 */
int rep_metrics(struct store *s, const struct cfg *cfg, int64_t now_ms,
    FILE *out);

#endif
