/*
 * rep — sending reputation and enforcement (see rep.h).
 */
#include "rep.h"

#include <string.h>

#include "store_int.h"
#include "store_send.h"
#include "wire.h"

static const char *const rep_names[] = { "HEALTHY", "PROBATION",
    "SHUTDOWN" };

const char *
rep_status_name(enum rep_status st)
{
	return rep_names[st];
}

/*
 * Reads the sends, bounces and complaints st sums (bound by the caller,
 * three columns) into out with their rates. Returns 0 or -1.
 */
static int
rep_sums(sqlite3_stmt *st, struct rep_view *out)
{
	int rc;

	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->sends = (long)sqlite3_column_int64(st, 0);
		out->bounces = (long)sqlite3_column_int64(st, 1);
		out->complaints = (long)sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return -1;
	if (out->sends > 0) {
		out->bounce_rate = 100.0 * (double)out->bounces /
		    (double)out->sends;
		out->complaint_rate = 100.0 * (double)out->complaints /
		    (double)out->sends;
	}
	return 0;
}

static int64_t
rep_window_start(const struct cfg *cfg, int64_t now_ms)
{
	return now_ms - (int64_t)cfg->reputation_window_hours * 3600000;
}

int
rep_evaluate(struct store *s, const struct cfg *cfg, const char *account,
    const char *region, int64_t now_ms, struct rep_view *out)
{
	static const char sql[] = "SELECT coalesce(sum(attempts), 0), "
	    "coalesce(sum(bounces), 0), coalesce(sum(complaints), 0) FROM "
	    "send_stats WHERE account_id = ?1 AND region = ?2 AND bucket_ms > "
	    "?3";
	sqlite3_stmt *st = store_stmt(s, sql);
	long bounces, complaints;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_int64(st, 3, rep_window_start(cfg, now_ms));
	if (rep_sums(st, out) != 0)
		return -1;
	bounces = out->bounces;
	complaints = out->complaints;
	/*
	 * AWS: ≥ 5 % bounces or ≥ 0.1 % complaints put an account under
	 * review, ≥ 10 % / ≥ 0.5 % may pause it, over a representative
	 * volume (SES-REFERENCE §11). EMU: the volume is
	 * reputation-min-sends; the status follows the window as it slides
	 * (SES's reviews take people).
	 */
	if (out->sends < cfg->reputation_min_sends)
		out->status = REP_HEALTHY;
	else if ((bounces > 0 && out->bounce_rate >=
	    cfg->bounce_rate_shutdown) || (complaints > 0 &&
	    out->complaint_rate >= cfg->complaint_rate_shutdown))
		out->status = REP_SHUTDOWN;
	else if ((bounces > 0 && out->bounce_rate >=
	    cfg->bounce_rate_review) || (complaints > 0 &&
	    out->complaint_rate >= cfg->complaint_rate_review))
		out->status = REP_PROBATION;
	else
		out->status = REP_HEALTHY;
	return 0;
}

int
rep_update(struct store *s, const struct cfg *cfg, const char *account,
    const char *region, int64_t now_ms)
{
	static const char put[] = "INSERT INTO reputation (account_id, region, "
	    "status, updated_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT "
	    "(account_id, region) DO UPDATE SET status = ?3, updated_ms = ?4";
	static const char del[] = "DELETE FROM reputation WHERE account_id = "
	    "?1 AND region = ?2";
	struct rep_view v;
	sqlite3_stmt *st;

	if (rep_evaluate(s, cfg, account, region, now_ms, &v) != 0 ||
	    (st = store_stmt(s, v.status == REP_HEALTHY ? del : put)) == NULL)
		return -1;
	store_bind_scope(st, account, region);
	if (v.status != REP_HEALTHY) {
		sqlite3_bind_text(st, 3, rep_status_name(v.status), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now_ms);
	}
	return store_step_done(s, st);
}

int
rep_paused(struct store *s, const struct cfg *cfg, const char *account,
    const char *region, int64_t now_ms)
{
	static const char sql[] = "SELECT status FROM reputation WHERE "
	    "account_id = ?1 AND region = ?2";
	sqlite3_stmt *st = store_stmt(s, sql);
	struct rep_view v;
	int rc, shut = 0;

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		shut = strcmp((const char *)sqlite3_column_text(st, 0),
		    "SHUTDOWN") == 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (!shut)
		return 0;
	/* The window may have slid past the bounces: look again. */
	if (rep_evaluate(s, cfg, account, region, now_ms, &v) != 0)
		return -1;
	return v.status == REP_SHUTDOWN;
}

/* ---- per configuration set ---- */

int
rep_cs_count(struct store *s, const char *account, const char *region,
    const char *cs, int64_t now_ms, int sends, int bounces, int complaints)
{
	/* AWS: a set's metrics are collected only while it has them enabled
	 * (ReputationMetricsEnabled, SES-REFERENCE §11). */
	static const char sql[] = "INSERT INTO cs_stats (account_id, region, "
	    "configuration_set, bucket_ms, sends, bounces, complaints) SELECT "
	    "?1, ?2, ?3, ?4, ?5, ?6, ?7 FROM configuration_set WHERE "
	    "account_id = ?1 AND region = ?2 AND name = ?3 AND "
	    "reputation_metrics_enabled ON CONFLICT (account_id, region, "
	    "configuration_set, bucket_ms) DO UPDATE SET sends = sends + ?5, "
	    "bounces = bounces + ?6, complaints = complaints + ?7";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, cs, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_ms - now_ms % STORE_STATS_BUCKET_MS);
	sqlite3_bind_int(st, 5, sends);
	sqlite3_bind_int(st, 6, bounces);
	sqlite3_bind_int(st, 7, complaints);
	return store_step_done(s, st);
}

int
rep_cs_fresh_start(struct store *s, const char *account, const char *region,
    const char *cs)
{
	static const char sql[] = "DELETE FROM cs_stats WHERE account_id = ?1 "
	    "AND region = ?2 AND configuration_set = ?3";
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, cs, -1, SQLITE_STATIC);
	return store_step_done(s, st);
}

/* cs's counts over the window at now_ms into *out. Returns 0 or -1. */
static int
rep_cs_evaluate(struct store *s, const struct cfg *cfg, const char *account,
    const char *region, const char *cs, int64_t now_ms, struct rep_view *out)
{
	static const char sql[] = "SELECT coalesce(sum(sends), 0), "
	    "coalesce(sum(bounces), 0), coalesce(sum(complaints), 0) FROM "
	    "cs_stats WHERE account_id = ?1 AND region = ?2 AND "
	    "configuration_set = ?3 AND bucket_ms > ?4";
	sqlite3_stmt *st = store_stmt(s, sql);

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_text(st, 3, cs, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, rep_window_start(cfg, now_ms));
	return rep_sums(st, out);
}

/* The counts and rates of v (fractions) set on o. */
static void
rep_view_json(json_t *o, const struct rep_view *v)
{
	json_object_set_new(o, "Sends", json_integer(v->sends));
	json_object_set_new(o, "Bounces", json_integer(v->bounces));
	json_object_set_new(o, "Complaints", json_integer(v->complaints));
	json_object_set_new(o, "BounceRate", json_real(v->bounce_rate / 100));
	json_object_set_new(o, "ComplaintRate",
	    json_real(v->complaint_rate / 100));
}

/*
 * Calls fn for each configuration set of (account, region) — every
 * account and region when account is NULL — with metrics enabled.
 * Returns 0 or -1.
 */
static int
rep_cs_each(struct store *s, const char *account, const char *region,
    int (*fn)(void *arg, const char *account, const char *region,
    const char *name, int64_t fresh_ms), void *arg)
{
	static const char sql[] = "SELECT account_id, region, name, "
	    "coalesce(last_fresh_start_ms, -1) FROM configuration_set WHERE "
	    "reputation_metrics_enabled AND (?1 IS NULL OR (account_id = ?1 "
	    "AND region = ?2)) ORDER BY account_id, region, name";
	sqlite3_stmt *st = store_stmt(s, sql);
	json_t *rows = json_array(), *r;
	size_t i;
	int rc;

	if (st == NULL) {
		json_decref(rows);
		return -1;
	}
	store_bind_scope(st, account, region);
	/* Collected first: fn runs statements of its own. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(rows, json_pack("[s,s,s,I]",
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (json_int_t)sqlite3_column_int64(st, 3)));
	sqlite3_reset(st);
	rc = rc == SQLITE_DONE ? 0 : -1;
	json_array_foreach(rows, i, r) {
		if (rc != 0)
			break;
		rc = fn(arg, json_string_value(json_array_get(r, 0)),
		    json_string_value(json_array_get(r, 1)),
		    json_string_value(json_array_get(r, 2)),
		    json_integer_value(json_array_get(r, 3)));
	}
	json_decref(rows);
	return rc;
}

struct rep_walk {
	struct store *s;
	const struct cfg *cfg;
	int64_t now_ms;
	json_t *list;		/* rep_report's */
	FILE *out;		/* rep_metrics' */
	int rate;		/* rep_metrics': 0 bounces, 1 complaints */
};

static int
rep_report_cs(void *arg, const char *account, const char *region,
    const char *name, int64_t fresh_ms)
{
	struct rep_walk *w = arg;
	struct rep_view v;
	char ts[WIRE_TIMESTAMP_MAX_BYTES];
	json_t *o;

	if (rep_cs_evaluate(w->s, w->cfg, account, region, name, w->now_ms,
	    &v) != 0)
		return -1;
	o = json_pack("{s:s}", "Name", name);
	if (fresh_ms >= 0) {
		wire_timestamp_iso(fresh_ms, ts);
		json_object_set_new(o, "LastFreshStart", json_string(ts));
	} else
		json_object_set_new(o, "LastFreshStart", json_null());
	rep_view_json(o, &v);
	json_array_append_new(w->list, o);
	return 0;
}

json_t *
rep_report(struct store *s, const struct cfg *cfg, const char *account,
    const char *region, int64_t now_ms)
{
	struct rep_walk w = { .s = s, .cfg = cfg, .now_ms = now_ms };
	struct rep_view v;
	json_t *o;

	if (rep_evaluate(s, cfg, account, region, now_ms, &v) != 0)
		return NULL;
	o = json_pack("{s:s,s:s,s:s,s:i}", "Account", account, "Region",
	    region, "EnforcementStatus", rep_status_name(v.status),
	    "WindowHours", cfg->reputation_window_hours);
	rep_view_json(o, &v);
	/* What the status is judged by (fractions, like the rates). */
	json_object_set_new(o, "MinimumSends",
	    json_integer(cfg->reputation_min_sends));
	json_object_set_new(o, "Thresholds", json_pack("{s:f,s:f,s:f,s:f}",
	    "BounceRateReview", cfg->bounce_rate_review / 100,
	    "BounceRateShutdown", cfg->bounce_rate_shutdown / 100,
	    "ComplaintRateReview", cfg->complaint_rate_review / 100,
	    "ComplaintRateShutdown", cfg->complaint_rate_shutdown / 100));
	w.list = json_array();
	json_object_set_new(o, "ConfigurationSets", w.list);
	if (rep_cs_each(s, account, region, rep_report_cs, &w) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * EMU: label values need no escaping: account ids are digits, regions
 * [a-z0-9-], set names [A-Za-z0-9_-] (the model's pattern).
 */
static int
rep_metrics_cs(void *arg, const char *account, const char *region,
    const char *name, int64_t fresh_ms)
{
	struct rep_walk *w = arg;
	struct rep_view v;
	char d[WIRE_DOUBLE_MAX_BYTES];

	(void)fresh_ms;
	if (rep_cs_evaluate(w->s, w->cfg, account, region, name, w->now_ms,
	    &v) != 0)
		return -1;
	wire_double_java((w->rate ? v.complaint_rate : v.bounce_rate) / 100,
	    d);
	fprintf(w->out, "sesbox_reputation_%s_rate{account=\"%s\","
	    "region=\"%s\",configuration_set=\"%s\"} %s\n",
	    w->rate ? "complaint" : "bounce", account, region, name, d);
	return 0;
}

int
rep_metrics(struct store *s, const struct cfg *cfg, int64_t now_ms,
    FILE *out)
{
	static const char sql[] = "SELECT DISTINCT account_id, region FROM "
	    "send_stats WHERE bucket_ms > ?1 ORDER BY account_id, region";
	static const char *const help[] = { "bounce", "bounces",
	    "complaint", "complaints" };
	struct rep_walk w = { .s = s, .cfg = cfg, .now_ms = now_ms,
	    .out = out };
	sqlite3_stmt *st = store_stmt(s, sql);
	struct rep_view v;
	char d[WIRE_DOUBLE_MAX_BYTES];
	json_t *scopes = json_array(), *r;
	size_t i;
	int rc;

	if (st == NULL) {
		json_decref(scopes);
		return -1;
	}
	sqlite3_bind_int64(st, 1, rep_window_start(cfg, now_ms));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(scopes, json_pack("[s,s]",
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1)));
	sqlite3_reset(st);
	rc = rc == SQLITE_DONE ? 0 : -1;
	/* AWS: CloudWatch's Reputation.BounceRate and
	 * Reputation.ComplaintRate, fractions, per account and per set
	 * (dimension ses:configuration-set). */
	for (w.rate = 0; w.rate < 2 && rc == 0; w.rate++) {
		fprintf(out, "# HELP sesbox_reputation_%s_rate Share of sends "
		    "in the reputation window that %s (Reputation.%sRate).\n"
		    "# TYPE sesbox_reputation_%s_rate gauge\n",
		    help[2 * w.rate], help[2 * w.rate + 1],
		    w.rate ? "Complaint" : "Bounce", help[2 * w.rate]);
		json_array_foreach(scopes, i, r) {
			const char *a = json_string_value(json_array_get(r, 0));
			const char *g = json_string_value(json_array_get(r, 1));

			if ((rc = rep_evaluate(s, cfg, a, g, now_ms, &v)) != 0)
				break;
			wire_double_java((w.rate ? v.complaint_rate :
			    v.bounce_rate) / 100, d);
			fprintf(out, "sesbox_reputation_%s_rate{account=\"%s\","
			    "region=\"%s\"} %s\n", help[2 * w.rate], a, g, d);
		}
		if (rc == 0)
			rc = rep_cs_each(s, NULL, NULL, rep_metrics_cs, &w);
	}
	json_decref(scopes);
	return rc;
}
