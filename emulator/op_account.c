/*
 * op_account — account-level sending state and quota, v1 and v2 views of
 * the same rows: GetSendQuota / GetAccount.SendQuota,
 * Get/UpdateAccountSendingEnabled / PutAccountSendingAttributes,
 * PutAccountDetails (the production-access request), and the account-level
 * suppression list's settings (GetAccount.SuppressionAttributes,
 * PutAccountSuppressionAttributes; the list itself is op_supp's).
 */
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "op.h"
#include "quota.h"
#include "rep.h"
#include "store.h"
#include "store_supp.h"
#include "supp.h"
#include "xmem.h"


static int
account_load(struct op_ctx *ctx, struct store_account *a, struct awserr *e)
{
	int rc = store_account_get(ctx->store, ctx->account, ctx->region, a);

	if (rc < 0) {
		awserr_set(e, "InternalFailure", "cannot read account state");
		return -1;
	}
	/* An account with no row yet starts where the config says. */
	if (rc == 1)
		a->production_access = !ctx->cfg->sandbox;
	return 0;
}

static int
account_save(struct op_ctx *ctx, struct store_account *a, struct awserr *e)
{
	if (store_account_put(ctx->store, ctx->account, ctx->region, a,
	    ctx->now_ms) != 0) {
		awserr_set(e, "InternalFailure", "cannot write account state");
		return -1;
	}
	return 0;
}

/* The three SendQuota numbers, shared by GetSendQuota and GetAccount. */
static json_t *
account_quota(struct op_ctx *ctx, int *sandbox, struct awserr *e)
{
	struct quota_limits l;
	int64_t sent;

	if (quota_limits(ctx, &l, &sent, e) != 0)
		return NULL;
	if (sandbox != NULL)
		*sandbox = l.sandbox;
	return json_pack("{s:f,s:f,s:f}", "Max24HourSend", l.max_24h,
	    "MaxSendRate", l.max_rate, "SentLast24Hours", (double)sent);
}

static int
op_get_send_quota(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	(void)in;
	*out = account_quota(ctx, NULL, e);
	return *out != NULL ? 0 : -1;
}

static int
op_get_account_sending_enabled(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	struct store_account a;

	(void)in;
	if (account_load(ctx, &a, e) != 0)
		return -1;
	*out = json_pack("{s:b}", "Enabled", a.sending_enabled);
	store_account_fini(&a);
	return 0;
}

/* Shared by UpdateAccountSendingEnabled and PutAccountSendingAttributes. */
static int
account_set_sending(struct op_ctx *ctx, const json_t *enabled,
    struct awserr *e)
{
	struct store_account a;
	int rc;

	if (account_load(ctx, &a, e) != 0)
		return -1;
	/* AWS: Enabled is optional in both models; an SDK leaving it out
	 * sends nothing, which SES reads as false (Java Boolean default). */
	a.sending_enabled = json_is_true(enabled);
	rc = account_save(ctx, &a, e);
	store_account_fini(&a);
	return rc;
}

static int
op_update_account_sending_enabled(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	(void)out;
	return account_set_sending(ctx, json_object_get(in, "Enabled"), e);
}

static int
op_put_account_sending_attributes(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	(void)out;
	return account_set_sending(ctx, json_object_get(in, "SendingEnabled"),
	    e);
}

/*
 * GetAccount.SuppressionAttributes (new), or NULL with e set.
 * AWS: accounts made after 2019-11-25 suppress both reasons until told
 * otherwise (DG:sending-email-suppression-list; SES-REFERENCE §10).
 * EMU: the reasons come back in one order, BOUNCE before COMPLAINT,
 * whatever order they were put in.
 */
static json_t *
account_suppression(struct op_ctx *ctx, struct awserr *e)
{
	char *validation;
	json_t *res, *v;
	int bits;

	if (store_supp_reasons_get(ctx->store, ctx->account, ctx->region,
	    &bits, &validation) < 0) {
		awserr_set(e, "InternalFailure", "cannot read account state");
		return NULL;
	}
	res = json_pack("{s:o}", "SuppressedReasons", supp_reasons_json(bits));
	if (validation != NULL &&
	    (v = json_loads(validation, 0, NULL)) != NULL)
		json_object_set_new(res, "ValidationAttributes", v);
	free(validation);
	return res;
}

static int
op_get_account(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	struct store_account a;
	json_t *quota, *details, *supp;
	struct rep_view rep;
	int sandbox;

	(void)in;
	if (account_load(ctx, &a, e) != 0)
		return -1;
	if ((quota = account_quota(ctx, &sandbox, e)) == NULL) {
		store_account_fini(&a);
		return -1;
	}
	if ((supp = account_suppression(ctx, e)) == NULL) {
		json_decref(quota);
		store_account_fini(&a);
		return -1;
	}
	if (rep_evaluate(ctx->store, ctx->cfg, ctx->account, ctx->region,
	    ctx->now_ms, &rep) != 0) {
		json_decref(quota);
		json_decref(supp);
		store_account_fini(&a);
		awserr_set(e, "InternalFailure", "cannot read account state");
		return -1;
	}
	*out = json_pack("{s:b,s:s,s:b,s:o,s:b,s:o}",
	    "DedicatedIpAutoWarmupEnabled", 0,
	    "EnforcementStatus", rep_status_name(rep.status),
	    "ProductionAccessEnabled", !sandbox,
	    "SendQuota", quota,
	    "SendingEnabled", a.sending_enabled,
	    "SuppressionAttributes", supp);
	if (a.details != NULL &&
	    (details = json_loads(a.details, 0, NULL)) != NULL)
		json_object_set_new(*out, "Details", details);
	store_account_fini(&a);
	return 0;
}

static int
op_put_account_details(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	static const char *const copied[] = {
		"AdditionalContactEmailAddresses", "ContactLanguage",
		"MailType", "UseCaseDescription", "WebsiteURL",
	};
	struct store_account a;
	json_t *details, *v;
	size_t i;
	int rc;

	(void)out;
	if (account_load(ctx, &a, e) != 0)
		return -1;
	details = json_object();
	for (i = 0; i < sizeof(copied) / sizeof(copied[0]); i++)
		if ((v = json_object_get(in, copied[i])) != NULL)
			json_object_set(details, copied[i], v);
	if (json_is_true(json_object_get(in, "ProductionAccessEnabled"))) {
		/* EMU: the production-access review is granted at once; a
		 * local emulator has nobody to wait for. CaseId is made
		 * from the request id so it is unique. */
		json_object_set_new(details, "ReviewDetails", json_pack(
		    "{s:s,s:s}", "Status", "GRANTED", "CaseId",
		    ctx->request_id));
		a.production_access = 1;
	}
	free(a.details);
	a.details = json_dumps(details, JSON_COMPACT);
	json_decref(details);
	rc = account_save(ctx, &a, e);
	store_account_fini(&a);
	return rc;
}

static int
op_put_account_suppression_attributes(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	const json_t *validation = json_object_get(in, "ValidationAttributes");
	char *text = NULL;
	int rc;

	(void)out;
	/* AWS: the request replaces the settings; an absent or empty
	 * SuppressedReasons turns automatic additions off (BC-V2: "can
	 * contain any or all"; floci-io/floci, probed). EMU: the
	 * ValidationAttributes are kept and read back, and act on nothing. */
	if (validation != NULL)
		text = json_dumps(validation, JSON_COMPACT | JSON_SORT_KEYS);
	rc = store_supp_reasons_put(ctx->store, ctx->account, ctx->region,
	    supp_reasons_bits(json_object_get(in, "SuppressedReasons")), text,
	    ctx->now_ms);
	free(text);
	if (rc != 0) {
		awserr_set(e, "InternalFailure", "cannot write account state");
		return -1;
	}
	return 0;
}

const struct op_entry op_account_table[] = {
	{ "ses", "GetAccountSendingEnabled", op_get_account_sending_enabled },
	{ "ses", "GetSendQuota", op_get_send_quota },
	{ "ses", "UpdateAccountSendingEnabled",
	    op_update_account_sending_enabled },
	{ "sesv2", "GetAccount", op_get_account },
	{ "sesv2", "PutAccountDetails", op_put_account_details },
	{ "sesv2", "PutAccountSendingAttributes",
	    op_put_account_sending_attributes },
	{ "sesv2", "PutAccountSuppressionAttributes",
	    op_put_account_suppression_attributes },
	{ NULL, NULL, NULL },
};
