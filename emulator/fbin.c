/*
 * fbin — feedback received (see fbin.h).
 */
#include "fbin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg.h"
#include "dlv.h"
#include "fbr.h"
#include "log.h"
#include "store.h"
#include "store_feed.h"
#include "store_queue.h"
#include "tclock.h"

int
fbin_address(const char *address, char msgid[MSGID_BYTES])
{
	const char *at = strrchr(address, '@');
	size_t i;

	if (at == NULL || (size_t)(at - address) != MSGID_BYTES - 1 ||
	    at[1] == '\0')
		return 0;
	for (i = 0; i < MSGID_BYTES - 1; i++)
		if (!((address[i] >= '0' && address[i] <= '9') ||
		    (address[i] >= 'a' && address[i] <= 'f') ||
		    address[i] == '-'))
			return 0;
	memcpy(msgid, address, MSGID_BYTES - 1);
	msgid[MSGID_BYTES - 1] = '\0';
	return 1;
}

/*
 * The message a report is about: the feedback address it was sent to;
 * else the returned original's Message-ID (MESSAGEID@REGION-DOMAIN, as
 * SES writes it) or Return-Path. Returns 1 or 0.
 */
static int
fbin_message(const char *const *rcpts, size_t n, const struct fbr_report *r,
    char msgid[MSGID_BYTES])
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fbin_address(rcpts[i], msgid))
			return 1;
	return (r->original_message_id != NULL &&
	    fbin_address(r->original_message_id, msgid)) ||
	    (r->original_return_path != NULL &&
	    fbin_address(r->original_return_path, msgid));
}

/* The recipient row of msgid that address (or, NULL, the first) names:
 * 0, 2 when none does, or -1. */
static int
fbin_row(struct store *s, const char *msgid, const char *address,
    struct store_queue_row *row)
{
	char *kind = NULL;
	int rc = store_feed_recipient(s, msgid, address, row, &kind);

	free(kind);
	if (rc == 2 || rc == 1)
		store_queue_row_fini(row);
	return rc == 1 ? 2 : rc;
}

/*
 * A DSN's failed recipient as SES reports an asynchronous bounce. AWS: a
 * 5.x.x status is a Permanent/General bounce, a full mailbox or a too
 * large message Transient (§4.4); a 4.x.x one given up on is Transient.
 * The diagnostic code and the reporting MTA are the report's own.
 */
static void
fbin_bounce(const struct fbr_report *r, const struct fbr_recipient *b,
    struct dlv_result *res)
{
	memset(res, 0, sizeof(*res));
	res->kind = DLV_PERMANENT;
	res->bounce_type = b->status[0] == '5' ? "Permanent" : "Transient";
	res->bounce_subtype = "General";
	if (strcmp(b->status + 1, ".2.2") == 0) {
		res->bounce_type = "Transient";
		res->bounce_subtype = "MailboxFull";
	} else if (strcmp(b->status + 1, ".3.4") == 0) {
		res->bounce_type = "Transient";
		res->bounce_subtype = "MessageTooLarge";
	}
	res->action = "failed";
	res->status = b->status;
	res->diagnostic = b->diagnostic;
	res->reporting_mta = r->reporting_mta;
}

/* Records r's bounces and complaint about msgid on s; counts them.
 * Returns 0 or -1. */
static int
fbin_record(struct store *s, const struct cfg *cfg, const char *msgid,
    const struct fbr_report *r, int *bounces, int *complaints)
{
	struct store_queue_row row;
	struct dlv_result res;
	int64_t now = tclock_now_ms();
	size_t i;
	int rc;

	if (r->kind == FBR_ARF) {
		/* One complaint per Original-Rcpt-To that is a recipient;
		 * EMU: when none is, the message's first recipient. */
		memset(&res, 0, sizeof(res));
		res.kind = DLV_DELIVERED;
		res.complaint_type = r->feedback_type;
		res.complaint_agent = r->user_agent;
		for (i = 0; i <= r->noriginal_rcpt_tos; i++) {
			if (i == r->noriginal_rcpt_tos && *complaints > 0)
				break;
			rc = fbin_row(s, msgid, i < r->noriginal_rcpt_tos ?
			    r->original_rcpt_tos[i] : NULL, &row);
			if (rc < 0)
				return -1;
			if (rc == 2)
				continue;
			rc = dlv_manual(s, cfg, &row, &res, now);
			store_queue_row_fini(&row);
			if (rc != 0)
				return -1;
			(*complaints)++;
		}
		return 0;
	}
	for (i = 0; i < r->nrcpts; i++) {
		const struct fbr_recipient *b = &r->rcpts[i];

		/* Only a failure is a bounce; "delayed", "delivered",
		 * "relayed" and "expanded" report no outcome SES has. */
		if (b->action == NULL || strcmp(b->action, "failed") != 0 ||
		    b->status == NULL)
			continue;
		rc = b->original_recipient != NULL ? fbin_row(s, msgid,
		    b->original_recipient, &row) : 2;
		if (rc == 2 && b->final_recipient != NULL)
			rc = fbin_row(s, msgid, b->final_recipient, &row);
		if (rc < 0)
			return -1;
		if (rc == 2) {
			log_info("msg=\"feedback for no recipient\" "
			    "message_id=%s recipient=\"%s\"", msgid,
			    b->final_recipient ? b->final_recipient : "");
			continue;
		}
		fbin_bounce(r, b, &res);
		rc = dlv_manual(s, cfg, &row, &res, now);
		store_queue_row_fini(&row);
		if (rc != 0)
			return -1;
		(*bounces)++;
	}
	return 0;
}

int
fbin_ingest(const struct cfg *cfg, const char *const *rcpts, size_t n,
    const char *msg, size_t len, char reply[FBIN_REPLY_MAX_BYTES])
{
	char err[FBR_ERROR_MAX_BYTES], msgid[MSGID_BYTES];
	struct store_queue_row row;
	struct fbr_report r;
	struct store *s;
	int bounces = 0, complaints = 0, rc;

	if (fbr_parse(msg, len, &r, err, sizeof(err)) != 0) {
		/* EMU: what sesbox cannot read it refuses, saying why. */
		snprintf(reply, FBIN_REPLY_MAX_BYTES, "550 5.6.0 Not a "
		    "delivery status or feedback report: %s", err);
		return 550;
	}
	if (!fbin_message(rcpts, n, &r, msgid)) {
		fbr_fini(&r);
		snprintf(reply, FBIN_REPLY_MAX_BYTES, "550 5.1.1 The report "
		    "names no message sesbox sent");
		return 550;
	}
	if ((s = store_write_begin()) == NULL) {
		fbr_fini(&r);
		snprintf(reply, FBIN_REPLY_MAX_BYTES, "451 4.3.0 Temporary "
		    "failure, try again later");
		return 451;
	}
	if ((rc = fbin_row(s, msgid, NULL, &row)) == 0) {
		store_queue_row_fini(&row);
		rc = fbin_record(s, cfg, msgid, &r, &bounces, &complaints);
	}
	if (store_write_end(s, rc >= 0) != 0 || rc < 0) {
		fbr_fini(&r);
		snprintf(reply, FBIN_REPLY_MAX_BYTES, "451 4.3.0 Temporary "
		    "failure, try again later");
		return 451;
	}
	if (rc == 2) {
		fbr_fini(&r);
		snprintf(reply, FBIN_REPLY_MAX_BYTES, "550 5.1.1 No message "
		    "%s", msgid);
		return 550;
	}
	log_info("msg=\"feedback received\" message_id=%s kind=%s "
	    "bounces=%d complaints=%d", msgid, r.kind == FBR_ARF ? "arf" :
	    "dsn", bounces, complaints);
	snprintf(reply, FBIN_REPLY_MAX_BYTES, "250 2.0.0 Ok: %d bounce%s, %d "
	    "complaint%s recorded", bounces, bounces == 1 ? "" : "s",
	    complaints, complaints == 1 ? "" : "s");
	fbr_fini(&r);
	return 250;
}
