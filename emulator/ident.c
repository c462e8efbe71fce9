/*
 * ident — the identity core shared by the identity-related operations
 * (see ident.h).
 */
#include "ident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "buf.h"
#include "cfg.h"
#include "dkim.h"
#include "dns.h"
#include "xmem.h"

const char *
ident_name(const char *arg)
{
	const char *p;

	/* AWS: operations taking an Identity accept "its name or its ARN"
	 * (BC-SES PutIdentityPolicy and friends). */
	if (strncmp(arg, "arn:", 4) == 0 &&
	    (p = strstr(arg, ":identity/")) != NULL)
		return p + strlen(":identity/");
	return arg;
}

/* Non-zero when one of name's records of type equals want (contains it,
 * with contains set); TXT values compare exactly, names without case. */
static int
ident_dns_has(const struct op_ctx *ctx, const char *name, enum dns_type type,
    const char *want, int contains)
{
	struct dns_answers a;
	size_t i;

	if (dns_query(ctx->cfg->dns_resolver, name, type, &a) != 0)
		return 0;
	for (i = 0; i < a.n; i++)
		if (contains ? strstr(a.v[i], want) != NULL : type == DNS_TXT ?
		    strcmp(a.v[i], want) == 0 : strcasecmp(a.v[i], want) == 0)
			return 1;
	return 0;
}

/* AWS: Easy DKIM verifies when every token's CNAME resolves
 * (SES-REFERENCE §9.2); BYODKIM when the selector's TXT has the key. */
static int
ident_dkim_published(const struct op_ctx *ctx, const struct store_identity *id)
{
	char name[512], want[512];
	json_t *tokens, *t;
	char *pub;
	size_t i;
	int ok = 1;

	if (strcmp(id->dkim_origin, "EXTERNAL") == 0) {
		if ((pub = dkim_public_key(id->dkim_private_key)) == NULL)
			return 0;
		snprintf(name, sizeof(name), "%s._domainkey.%s",
		    id->dkim_selector, id->name);
		snprintf(want, sizeof(want), "p=%s", pub);
		ok = ident_dns_has(ctx, name, DNS_TXT, want, 1);
		free(pub);
		return ok;
	}
	tokens = json_loads(id->dkim_tokens ? id->dkim_tokens : "[]", 0, NULL);
	json_array_foreach(tokens, i, t) {
		snprintf(name, sizeof(name), "%s._domainkey.%s",
		    json_string_value(t), id->name);
		snprintf(want, sizeof(want), "%s.dkim.amazonses.com",
		    json_string_value(t));
		if (!ident_dns_has(ctx, name, DNS_CNAME, want, 0))
			ok = 0;
	}
	ok = ok && json_array_size(tokens) > 0;
	json_decref(tokens);
	return ok;
}

static void
ident_set_status(char **slot, const char *status)
{
	free(*slot);
	*slot = xstrdup(status);
}

/*
 * dns mode: looks up what a pending domain, DKIM set-up or MAIL FROM
 * domain needs published and marks it Success when it is. Returns non-zero
 * when id changed.
 */
static int
ident_refresh_dns(struct op_ctx *ctx, struct store_identity *id)
{
	char name[512], want[512];
	int changed = 0, domain = strcmp(id->type, "Domain") == 0;

	if (strcmp(ctx->cfg->verification, "dns") != 0)
		return 0;
	if (domain && id->dkim_origin != NULL &&
	    strcmp(id->dkim_status, "Pending") == 0 &&
	    ident_dkim_published(ctx, id)) {
		ident_set_status(&id->dkim_status, "Success");
		changed = 1;
	}
	if (domain && strcmp(id->verification_status, "Pending") == 0) {
		/* AWS: the TXT record _amazonses.DOMAIN holds the token; a
		 * domain also verifies through its DKIM records (§9.1-2). */
		snprintf(name, sizeof(name), "_amazonses.%s", id->name);
		if (strcmp(id->dkim_status, "Success") == 0 ||
		    ident_dns_has(ctx, name, DNS_TXT, id->verification_token,
		    0)) {
			ident_set_status(&id->verification_status, "Success");
			id->status_ms = ctx->now_ms;
			changed = 1;
		}
	}
	if (id->mail_from_domain != NULL && id->mail_from_status != NULL &&
	    strcmp(id->mail_from_status, "Pending") == 0) {
		/* AWS: one MX, 10 feedback-smtp.REGION.amazonses.com
		 * (SES-REFERENCE §9.2). */
		snprintf(want, sizeof(want), "feedback-smtp.%s.amazonses.com",
		    ctx->region);
		if (ident_dns_has(ctx, id->mail_from_domain, DNS_MX, want, 0)) {
			ident_set_status(&id->mail_from_status, "Success");
			changed = 1;
		}
	}
	return changed;
}

const char *
ident_canonical(const char *arg, char out[IDENT_NAME_MAX_BYTES])
{
	char *p;

	snprintf(out, IDENT_NAME_MAX_BYTES, "%s", ident_name(arg));
	if (strchr(out, '@') == NULL)
		for (p = out; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	return out;
}

int
ident_load(struct op_ctx *ctx, const char *arg, struct store_identity *id,
    struct awserr *e)
{
	char name[IDENT_NAME_MAX_BYTES];
	int rc = store_identity_get(ctx->store, ctx->account, ctx->region,
	    ident_canonical(arg, name), id);
	int domain;

	if (rc < 0)
		awserr_set(e, "InternalFailure", "cannot read identities");
	if (rc != 0)
		return rc;
	if (ident_refresh_dns(ctx, id) && ident_save(ctx, id, e) != 0)
		return -1;
	if (strcmp(id->verification_status, "Pending") != 0)
		return rc;
	/* AWS: a pending address fails 24 h after its request, a pending
	 * domain after 72 h (SES-REFERENCE §9.1); by the test clock. */
	domain = strcmp(id->type, "Domain") == 0;
	if (ctx->now_ms - id->status_ms > (domain ? IDENT_DOMAIN_TTL_MS :
	    IDENT_EMAIL_LINK_TTL_MS)) {
		free(id->verification_status);
		id->verification_status = xstrdup("Failed");
	}
	return rc;
}

void
ident_arn(const struct op_ctx *ctx, const char *name,
    char out[IDENT_ARN_MAX_BYTES])
{
	snprintf(out, IDENT_ARN_MAX_BYTES, "arn:aws:ses:%s:%s:identity/%s",
	    ctx->region, ctx->account, name);
}

json_t *
ident_status_v2(const char *v1)
{
	struct buf b;
	const char *p;
	json_t *s;

	if (v1 == NULL)
		return NULL;
	buf_init(&b);
	for (p = v1; *p; p++) {
		if (p != v1 && *p >= 'A' && *p <= 'Z')
			buf_putc(&b, '_');
		buf_putc(&b, (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p));
	}
	s = json_stringn(b.data, b.len);
	buf_fini(&b);
	return s;
}

int
ident_require(struct op_ctx *ctx, const char *arg, struct store_identity *id,
    struct awserr *e)
{
	int rc = ident_load(ctx, arg, id, e);

	if (rc == 1) {
		if (ctx->v2)
			/* AWS: "Email identity <X> does not exist." (a capture
			 * in floci-io/floci PR #1750). */
			awserr_set(e, "NotFoundException", "Email identity <%s> "
			    "does not exist.", ident_name(arg));
		else
			/* AWS: "Identity unknown@example.com is not verified
			 * or does not exist." with MessageRejected
			 * (LS-SES, SetIdentityHeadersInNotificationsEnabled);
			 * EMU: used for every v1 setter. */
			awserr_set(e, "MessageRejected", "Identity %s is not "
			    "verified or does not exist.", ident_name(arg));
	}
	return rc == 0 ? 0 : -1;
}

const char *
ident_initial_status(const struct op_ctx *ctx, int domain)
{
	const char *mode = ctx->cfg->verification;

	if ((domain && strcmp(mode, "dns") == 0) ||
	    (!domain && strcmp(mode, "link") == 0))
		return "Pending";
	return "Success";
}

int
ident_save(struct op_ctx *ctx, const struct store_identity *id,
    struct awserr *e)
{
	if (store_identity_put(ctx->store, ctx->account, ctx->region, id) !=
	    0) {
		awserr_set(e, "InternalFailure", "cannot write identity");
		return -1;
	}
	return 0;
}

int
ident_create(struct op_ctx *ctx, const char *name, int *created,
    struct store_identity *id, struct awserr *e)
{
	char why[ADDR_WHY_MAX_BYTES], token[DKIM_VERIFY_TOKEN_CHARS + 1];
	char canonical[IDENT_NAME_MAX_BYTES];
	int domain = strchr(name, '@') == NULL;
	long n;
	int rc;

	*created = 0;
	if (domain ? addr_domain_check(name, why) : addr_check(name, why)) {
		if (domain)
			/* EMU: SES's text for a bad domain is not captured. */
			awserr_set(e, op_err_code(ctx, OP_ERR_INVALID),
			    "Invalid domain name %s: %s.", name, why);
		else
			/* AWS: "Invalid email address<ADDR>." with no space
			 * (SES-REFERENCE §1.5, GH Optum/dce#143). */
			awserr_set(e, op_err_code(ctx, OP_ERR_INVALID),
			    "Invalid email address<%s>.", name);
		return -1;
	}
	if ((rc = ident_load(ctx, name, id, e)) <= 0)
		return rc;
	if ((n = store_identity_count(ctx->store, ctx->account,
	    ctx->region)) < 0) {
		awserr_set(e, "InternalFailure", "cannot count identities");
		return -1;
	}
	if (n >= IDENT_MAX_PER_REGION) {
		/* EMU: the limit is SES's; its wording is not captured. */
		awserr_set(e, op_err_code(ctx, OP_ERR_LIMIT), "Maximum number "
		    "of identities (%d) reached in region %s.",
		    IDENT_MAX_PER_REGION, ctx->region);
		return -1;
	}
	store_identity_init(id);
	id->name = xstrdup(ident_canonical(name, canonical));
	id->type = xstrdup(domain ? "Domain" : "EmailAddress");
	id->verification_status = xstrdup(ident_initial_status(ctx, domain));
	id->status_ms = id->created_ms = ctx->now_ms;
	if (domain) {
		dkim_verification_token(token);
		id->verification_token = xstrdup(token);
	}
	*created = 1;
	return ident_save(ctx, id, e);
}

void
ident_easy_dkim(struct op_ctx *ctx, struct store_identity *id, int bits)
{
	char token[DKIM_TOKEN_CHARS + 1];
	json_t *tokens;
	int i;

	if (id->dkim_tokens == NULL || id->dkim_origin == NULL ||
	    strcmp(id->dkim_origin, "AWS_SES") != 0) {
		tokens = json_array();
		for (i = 0; i < DKIM_EASY_TOKENS; i++) {
			dkim_token(token);
			json_array_append_new(tokens, json_string(token));
		}
		free(id->dkim_tokens);
		id->dkim_tokens = json_dumps(tokens, JSON_COMPACT);
		json_decref(tokens);
	}
	free(id->dkim_origin);
	id->dkim_origin = xstrdup("AWS_SES");
	free(id->dkim_private_key);
	id->dkim_private_key = dkim_key_generate(bits);
	free(id->dkim_key_length);
	id->dkim_key_length = xstrdup(bits == 1024 ? "RSA_1024_BIT" :
	    "RSA_2048_BIT");
	free(id->dkim_selector);
	id->dkim_selector = NULL;
	free(id->dkim_status);
	id->dkim_status = xstrdup(ident_initial_status(ctx, 1));
	id->dkim_enabled = 1;
	id->dkim_ms = ctx->now_ms;
}

int
ident_verified_for_sending(const struct store_identity *id)
{
	/* AWS: a domain also becomes verified when its DKIM is
	 * (SES-REFERENCE §9.1). */
	return strcmp(id->verification_status, "Success") == 0 ||
	    (id->dkim_status != NULL && strcmp(id->dkim_status, "Success") ==
	    0 && strcmp(id->type, "Domain") == 0);
}

/* 1 when identity name has the type ("EmailAddress" or "Domain") and may
 * send, 0 when not, -1 with e set on a store error. */
static int
ident_type_verified(struct op_ctx *ctx, const char *name, const char *type,
    struct awserr *e)
{
	struct store_identity id;
	int rc, ok;

	if ((rc = ident_load(ctx, name, &id, e)) != 0)
		return rc < 0 ? -1 : 0;
	ok = strcmp(id.type, type) == 0 && ident_verified_for_sending(&id);
	store_identity_fini(&id);
	return ok;
}

int
ident_sender_verified(struct op_ctx *ctx, const char *address,
    struct awserr *e)
{
	const char *domain = addr_domain(address), *plus, *d;
	char *base;
	int rc;

	if (domain == NULL || *domain == '\0' || domain == address + 1)
		return 0;
	if ((rc = ident_type_verified(ctx, address, "EmailAddress", e)) != 0)
		return rc;
	/* AWS: "user+label@" of a verified address may be used as the
	 * sender (SES-REFERENCE §9.1, DG:creating-identities). */
	plus = memchr(address, '+', (size_t)(domain - 1 - address));
	if (plus != NULL) {
		base = xasprintf("%.*s@%s", (int)(plus - address), address,
		    domain);
		rc = ident_type_verified(ctx, base, "EmailAddress", e);
		free(base);
		if (rc != 0)
			return rc;
	}
	/* AWS: "The address or domain you specify must be verified"
	 * (DG:send-email-verify-address-custom); a verified domain covers
	 * its subdomains (SES-REFERENCE §9.1). */
	for (d = domain; strchr(d, '.') != NULL; d = strchr(d, '.') + 1)
		if ((rc = ident_type_verified(ctx, d, "Domain", e)) != 0)
			return rc;
	return 0;
}
