/*
 * rep — sending reputation and enforcement (see rep.h).
 */
#include "rep.h"

#include <string.h>

#include "store_int.h"

static const char *const rep_names[] = { "HEALTHY", "PROBATION",
    "SHUTDOWN" };

const char *
rep_status_name(enum rep_status st)
{
	return rep_names[st];
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
	int64_t bounces = 0, complaints = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_int64(st, 3, now_ms - (int64_t)cfg->reputation_window_hours
	    * 3600000);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->sends = (long)sqlite3_column_int64(st, 0);
		bounces = sqlite3_column_int64(st, 1);
		complaints = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return -1;
	if (out->sends > 0) {
		out->bounce_rate = 100.0 * (double)bounces /
		    (double)out->sends;
		out->complaint_rate = 100.0 * (double)complaints /
		    (double)out->sends;
	}
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
