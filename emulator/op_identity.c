/*
 * op_identity — identity operations. For now the listings
 * (ListIdentities, ListEmailIdentities) over the identity table; the
 * create/verify/delete operations come with the identities issue.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "op.h"
#include "store.h"
#include "store_identity.h"
#include "xmem.h"

/* AWS: ListIdentities MaxItems is 1-1000 (SES-REFERENCE §7); the v2
 * PageSize default is 100 (BC-V2 ListEmailIdentities docs). */
#define IDENTITY_PAGE_MAX 1000
#define IDENTITY_V1_PAGE_DEFAULT 1000
#define IDENTITY_V2_PAGE_DEFAULT 100

/* Opaque paging token: base64 of the last name returned. */
static char *
identity_token_encode(const char *name)
{
	struct buf b;

	buf_init(&b);
	buf_base64(&b, (const unsigned char *)name, strlen(name));
	return buf_steal(&b, NULL);
}

static char *
identity_token_decode(const char *token)
{
	size_t n = strlen(token);
	unsigned char *out = xmalloc(n / 4 * 3 + 1);
	long k = buf_base64_decode(token, n, out);

	if (k <= 0) {
		free(out);
		return NULL;
	}
	out[k] = '\0';
	return (char *)out;
}

/*
 * One page of identities: the shared core of the v1 and v2 listings.
 * Returns the count to show with *rows set (*nrows rows to free) and *next
 * set (new) when more follow.
 */
static long
identity_page(struct op_ctx *ctx, const char *type, const json_t *token,
    const json_t *size, size_t def, struct store_identity **rows,
    size_t *nrows, char **next, const char *bad_token_code,
    struct awserr *e)
{
	char *after = NULL;
	json_int_t want = json_is_integer(size) ? json_integer_value(size) :
	    0;
	size_t limit = def;
	long n;

	*next = NULL;
	/* EMU: out-of-range page sizes are clamped, not rejected: the
	 * models set no range and SES's reply is not captured. */
	if (want > 0)
		limit = want > IDENTITY_PAGE_MAX ? IDENTITY_PAGE_MAX :
		    (size_t)want;
	if (json_is_string(token) &&
	    (after = identity_token_decode(json_string_value(token))) ==
	    NULL) {
		awserr_set(e, bad_token_code, "Invalid NextToken: %s",
		    json_string_value(token));
		return -1;
	}
	n = store_identity_list(ctx->store, ctx->account, ctx->region, type,
	    NULL, after, limit, rows);
	free(after);
	if (n < 0) {
		awserr_set(e, "InternalFailure", "cannot list identities");
		return -1;
	}
	*nrows = (size_t)n;
	if ((size_t)n > limit) {
		n = (long)limit;
		*next = identity_token_encode((*rows)[n - 1].name);
	}
	return n;
}

static int
op_list_identities(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	struct store_identity *rows;
	size_t nrows;
	char *next;
	json_t *list;
	long n, i;

	n = identity_page(ctx, json_string_value(json_object_get(in,
	    "IdentityType")), json_object_get(in, "NextToken"),
	    json_object_get(in, "MaxItems"), IDENTITY_V1_PAGE_DEFAULT, &rows,
	    &nrows, &next, "InvalidParameterValue", e);
	if (n < 0)
		return -1;
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_string(rows[i].name));
	*out = json_pack("{s:o}", "Identities", list);
	if (next != NULL)
		json_object_set_new(*out, "NextToken", json_string(next));
	free(next);
	store_identities_free(rows, nrows);
	return 0;
}

/* v1 "Success"/"TemporaryFailure" -> v2 "SUCCESS"/"TEMPORARY_FAILURE". */
static json_t *
identity_status_v2(const char *v1)
{
	struct buf b;
	const char *p;

	buf_init(&b);
	for (p = v1; *p; p++) {
		if (p != v1 && *p >= 'A' && *p <= 'Z')
			buf_putc(&b, '_');
		buf_putc(&b, (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p));
	}
	return json_stringn(b.data, b.len);
}

static int
op_list_email_identities(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	struct store_identity *rows;
	size_t nrows;
	char *next;
	json_t *list;
	long n, i;

	n = identity_page(ctx, NULL, json_object_get(in, "NextToken"),
	    json_object_get(in, "PageSize"), IDENTITY_V2_PAGE_DEFAULT, &rows,
	    &nrows, &next, "BadRequestException", e);
	if (n < 0)
		return -1;
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:b,s:o}",
		    "IdentityName", rows[i].name,
		    "IdentityType", strcmp(rows[i].type, "Domain") == 0 ?
		    "DOMAIN" : "EMAIL_ADDRESS",
		    "SendingEnabled", rows[i].sending_enabled,
		    "VerificationStatus",
		    identity_status_v2(rows[i].verification_status)));
	*out = json_pack("{s:o}", "EmailIdentities", list);
	if (next != NULL)
		json_object_set_new(*out, "NextToken", json_string(next));
	free(next);
	store_identities_free(rows, nrows);
	return 0;
}

const struct op_entry op_identity_table[] = {
	{ "ses", "ListIdentities", op_list_identities },
	{ "sesv2", "ListEmailIdentities", op_list_email_identities },
	{ NULL, NULL, NULL },
};
