/*
 * op_supp — the account-level suppression list through SES v2: Put, Get,
 * Delete and ListSuppressedDestinations. The account's SuppressedReasons
 * (Get/PutAccountSuppressionAttributes) are in op_account; what the list
 * means for a send is supp's (supp_check, supp_record).
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "op.h"
#include "store_supp.h"
#include "supp.h"
#include "xmem.h"

/* AWS: probed on SES by floci-io/floci (SesListPaging): 24 entries came
 * back whole without a PageSize, the bound is 1000, so the default is
 * taken to be the bound. */
#define SUPP_PAGE_DEFAULT 1000
#define SUPP_PAGE_MAX 1000

static const char *
supp_str(const json_t *in, const char *member)
{
	return json_string_value(json_object_get(in, member));
}

static int
supp_store_fail(struct awserr *e)
{
	awserr_set(e, "InternalFailure", "cannot access the suppression list");
	return -1;
}

/*
 * The canonical form of in's EmailAddress (new), or NULL with e set when
 * it is not an address.
 * EMU: SES's text for a malformed address here was not captured; this is
 * the one VerifyEmailIdentity answers (SES-REFERENCE §1.5), with the
 * address as given. Get and Delete check it too: such an address can never
 * be on the list.
 */
static char *
supp_address(const json_t *in, struct awserr *e)
{
	const char *given = supp_str(in, "EmailAddress");
	char why[ADDR_WHY_MAX_BYTES], *canon;

	canon = supp_address_canonical(given);
	if (addr_check(canon, why) != 0) {
		awserr_set(e, "BadRequestException", "Invalid email "
		    "address<%s>.", given);
		free(canon);
		return NULL;
	}
	return canon;
}

/* AWS: "Email address X does not exist on your suppression list.", with
 * the canonical address (floci-io/floci, probed on SES v2). */
static int
supp_missing(const char *address, struct awserr *e)
{
	awserr_set(e, "NotFoundException", "Email address %s does not exist "
	    "on your suppression list.", address);
	return -1;
}

static int
op_put(struct op_ctx *ctx, const json_t *in, json_t **out, struct awserr *e)
{
	struct store_supp d;
	int rc;

	(void)out;
	memset(&d, 0, sizeof(d));
	if ((d.address = supp_address(in, e)) == NULL)
		return -1;
	/* AWS: production access is needed for bulk imports only (Developer
	 * Guide, suppression list); a sandbox account may add one address. */
	/* EMU: a manual put replaces the entry, so MessageId and FeedbackId
	 * of an earlier bounce or complaint go with it. */
	d.reason = xstrdup(supp_str(in, "Reason"));
	d.updated_ms = ctx->now_ms;
	rc = store_supp_put(ctx->store, ctx->account, ctx->region, &d);
	store_supp_fini(&d);
	return rc != 0 ? supp_store_fail(e) : 0;
}

static int
op_get(struct op_ctx *ctx, const json_t *in, json_t **out, struct awserr *e)
{
	struct store_supp d;
	json_t *dest, *attrs;
	char *address;
	int rc;

	if ((address = supp_address(in, e)) == NULL)
		return -1;
	rc = store_supp_get(ctx->store, ctx->account, ctx->region, address, &d);
	if (rc != 0) {
		rc = rc < 0 ? supp_store_fail(e) : supp_missing(address, e);
		free(address);
		return rc;
	}
	free(address);
	dest = json_pack("{s:s,s:s,s:I}", "EmailAddress", d.address, "Reason",
	    d.reason, "LastUpdateTime", (json_int_t)d.updated_ms);
	/* Attributes only with what is known: an address put by hand has
	 * neither (EMU: SES's answer for one was not captured). */
	if (d.message_id != NULL || d.feedback_id != NULL) {
		attrs = json_object();
		if (d.message_id != NULL)
			json_object_set_new(attrs, "MessageId",
			    json_string(d.message_id));
		if (d.feedback_id != NULL)
			json_object_set_new(attrs, "FeedbackId",
			    json_string(d.feedback_id));
		json_object_set_new(dest, "Attributes", attrs);
	}
	store_supp_fini(&d);
	*out = json_pack("{s:o}", "SuppressedDestination", dest);
	return 0;
}

static int
op_delete(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	char *address;
	int rc;

	(void)out;
	if ((address = supp_address(in, e)) == NULL)
		return -1;
	rc = store_supp_delete(ctx->store, ctx->account, ctx->region, address);
	if (rc <= 0)
		rc = rc < 0 ? supp_store_fail(e) : supp_missing(address, e);
	else
		rc = 0;
	free(address);
	return rc;
}

/*
 * Paging tokens: base64 of "<reasons bits>/<account>/<region>/<last
 * address>". AWS: a token belongs to the Reason filter it was issued with
 * and to its region; replayed with another filter it is
 * InvalidNextTokenException "Token is invalid.", as is an empty or
 * unreadable one (floci-io/floci, probed; the region binding was probed on
 * other lists). EMU: bound to the account as well.
 */
static char *
supp_token_text(struct op_ctx *ctx, int reasons, const char *address)
{
	return xasprintf("%d/%s/%s/%s", reasons, ctx->account, ctx->region,
	    address);
}

/* The address to list after (new), or NULL with e set. */
static char *
supp_token_after(struct op_ctx *ctx, const char *token, int reasons,
    struct awserr *e)
{
	char *text = op_token_decode(token), *scope, *after = NULL;
	size_t n;

	if (text != NULL) {
		scope = supp_token_text(ctx, reasons, "");
		n = strlen(scope);
		if (strncmp(text, scope, n) == 0 && text[n] != '\0')
			after = xstrdup(text + n);
		free(scope);
		free(text);
	}
	if (after == NULL)
		awserr_set(e, "InvalidNextTokenException", "Token is invalid.");
	return after;
}

static char *
supp_token_new(struct op_ctx *ctx, int reasons, const char *address)
{
	char *text = supp_token_text(ctx, reasons, address), *token;

	token = op_token_encode(text);
	free(text);
	return token;
}

/*
 * EMU: SES's order is not stable between calls (floci-io/floci, probed);
 * sesbox lists in address order, so that a listing paged while entries
 * are refreshed still sees each address once. StartDate and EndDate both
 * include their instant (SES's edges were not captured).
 */
static int
op_list(struct op_ctx *ctx, const json_t *in, json_t **out, struct awserr *e)
{
	const json_t *size = json_object_get(in, "PageSize");
	const char *token = supp_str(in, "NextToken");
	struct store_supp_filter f;
	struct store_supp *v;
	size_t limit = SUPP_PAGE_DEFAULT;
	json_int_t want;
	json_t *list;
	char *after = NULL, *next;
	long n, i;

	if (json_is_integer(size)) {
		want = json_integer_value(size);
		/* AWS: text probed by floci-io/floci. */
		if (want < 1 || want > SUPP_PAGE_MAX) {
			awserr_set(e, "BadRequestException", "Page size %lld "
			    "is invalid, expected a number between 1 and %d",
			    (long long)want, SUPP_PAGE_MAX);
			return -1;
		}
		limit = (size_t)want;
	}
	memset(&f, 0, sizeof(f));
	f.reasons = supp_reasons_bits(json_object_get(in, "Reasons"));
	f.start_ms = json_is_integer(json_object_get(in, "StartDate")) ?
	    json_integer_value(json_object_get(in, "StartDate")) : -1;
	f.end_ms = json_is_integer(json_object_get(in, "EndDate")) ?
	    json_integer_value(json_object_get(in, "EndDate")) : -1;
	if (token != NULL && (after = supp_token_after(ctx, token,
	    f.reasons, e)) == NULL)
		return -1;
	f.after = after;
	n = store_supp_list(ctx->store, ctx->account, ctx->region, &f, limit,
	    &v);
	free(after);
	if (n < 0)
		return supp_store_fail(e);
	list = json_array();
	for (i = 0; i < n && (size_t)i < limit; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:I}",
		    "EmailAddress", v[i].address, "Reason", v[i].reason,
		    "LastUpdateTime", (json_int_t)v[i].updated_ms));
	*out = json_pack("{s:o}", "SuppressedDestinationSummaries", list);
	if ((size_t)n > limit) {
		next = supp_token_new(ctx, f.reasons,
		    v[limit - 1].address);
		json_object_set_new(*out, "NextToken", json_string(next));
		free(next);
	}
	store_supp_list_free(v, (size_t)n);
	return 0;
}

const struct op_entry op_supp_table[] = {
	{ "sesv2", "DeleteSuppressedDestination", op_delete },
	{ "sesv2", "GetSuppressedDestination", op_get },
	{ "sesv2", "ListSuppressedDestinations", op_list },
	{ "sesv2", "PutSuppressedDestination", op_put },
	{ NULL, NULL, NULL },
};
