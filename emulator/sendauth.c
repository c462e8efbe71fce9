/*
 * sendauth — sending authorization (see sendauth.h).
 */
#include "sendauth.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ident.h"
#include "store_policy.h"

#define SENDAUTH_REGION_MAX_BYTES 64
#define SENDAUTH_ACCOUNT_BYTES 13	/* 12 digits and NUL */
#define SENDAUTH_VALUE_MAX_BYTES 64	/* a number or boolean as text */
#define SENDAUTH_FAILED_MAX_BYTES 512

/* ---- matching helpers ---- */

/*
 * Glob match with '*' (any run) and '?' (one character); fold for
 * case-insensitive. Iterative, backtracking to the last star only, so a
 * pattern of many stars stays linear in practice.
 */
static int
sendauth_glob(const char *pat, const char *s, int fold)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat != '\0' && (*pat == '?' || *pat == *s ||
		    (fold && tolower((unsigned char)*pat) ==
		    tolower((unsigned char)*s)))) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static int
sendauth_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

int
sendauth_arn_parse(const char *arn, char *region, size_t regionlen,
    char *account, size_t accountlen, char *name, size_t namelen)
{
	const char *p, *q;

	/* arn:PARTITION:ses:REGION:ACCOUNT:identity/NAME */
	if (arn == NULL || strncmp(arn, "arn:", 4) != 0)
		return -1;
	if ((p = strchr(arn + 4, ':')) == NULL || p == arn + 4 ||
	    strncmp(p, ":ses:", 5) != 0)
		return -1;
	p += 5;
	if ((q = strchr(p, ':')) == NULL || q == p ||
	    (size_t)(q - p) >= regionlen)
		return -1;
	memcpy(region, p, (size_t)(q - p));
	region[q - p] = '\0';
	p = q + 1;
	if ((q = strchr(p, ':')) == NULL || q - p != 12 ||
	    !sendauth_digits(p, 12) || accountlen < SENDAUTH_ACCOUNT_BYTES)
		return -1;
	memcpy(account, p, 12);
	account[12] = '\0';
	p = q + 1;
	if (strncmp(p, "identity/", 9) != 0 || p[9] == '\0' ||
	    strlen(p + 9) >= namelen)
		return -1;
	strcpy(name, p + 9);
	return 0;
}

/* ---- the request context: condition keys and their values ---- */

struct sendauth_ctx {
	const struct sendauth_request *r;
	char now_iso[32];
	char epoch[24];
	char principal_arn[64];
	char region[SENDAUTH_REGION_MAX_BYTES];
	const char *api;
};

static void
sendauth_ctx_init(struct sendauth_ctx *c, const struct sendauth_request *r)
{
	char account[SENDAUTH_ACCOUNT_BYTES], name[IDENT_NAME_MAX_BYTES];
	time_t t = (time_t)(r->now_ms / 1000);
	struct tm tm;

	memset(c, 0, sizeof(*c));
	c->r = r;
	gmtime_r(&t, &tm);
	strftime(c->now_iso, sizeof(c->now_iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(c->epoch, sizeof(c->epoch), "%lld",
	    (long long)(r->now_ms / 1000));
	snprintf(c->principal_arn, sizeof(c->principal_arn),
	    "arn:aws:iam::%s:root", r->caller_account);
	if (sendauth_arn_parse(r->identity_arn, c->region, sizeof(c->region),
	    account, sizeof(account), name, sizeof(name)) != 0 ||
	    strcmp(c->region, "*") == 0)
		c->region[0] = '\0';
	/* AWS: ses:ApiVersion takes the API generation, "1" or "2", not the
	 * model date (IAM service authorization reference for SES; policies
	 * written against SES use "2", e.g. StringEquals {"ses:ApiVersion":
	 * "2"}). */
	c->api = r->api_version;
	if (c->api != NULL && strcmp(c->api, "2010-12-01") == 0)
		c->api = "1";
	else if (c->api != NULL && strcmp(c->api, "2019-09-27") == 0)
		c->api = "2";
}

/* A present value: non-NULL and non-empty. */
static size_t
sendauth_one(const char *v, const char **one)
{
	if (v == NULL || *v == '\0')
		return 0;
	*one = v;
	return 1;
}

/*
 * The values of condition key in the request (borrowed; *vals points at
 * one or at the recipients), and their count: 0 when the key is absent.
 * Keys are compared without case, as IAM does.
 */
static size_t
sendauth_values(const struct sendauth_ctx *c, const char *key,
    const char **one, const char *const **vals)
{
	const struct sendauth_request *r = c->r;

	*vals = one;
	if (strcasecmp(key, "ses:Recipients") == 0) {
		*vals = r->recipients;
		return r->recipients != NULL ? r->nrecipients : 0;
	}
	if (strcasecmp(key, "ses:FromAddress") == 0)
		return sendauth_one(r->from_address, one);
	if (strcasecmp(key, "ses:FromDisplayName") == 0)
		return sendauth_one(r->from_display, one);
	if (strcasecmp(key, "ses:FeedbackAddress") == 0)
		return sendauth_one(r->feedback_address, one);
	if (strcasecmp(key, "ses:ApiVersion") == 0)
		return sendauth_one(c->api, one);
	if (strcasecmp(key, "aws:CurrentTime") == 0)
		return sendauth_one(c->now_iso, one);
	if (strcasecmp(key, "aws:EpochTime") == 0)
		return sendauth_one(c->epoch, one);
	if (strcasecmp(key, "aws:SourceIp") == 0)
		return sendauth_one(r->source_ip, one);
	if (strcasecmp(key, "aws:PrincipalAccount") == 0)
		return sendauth_one(r->caller_account, one);
	if (strcasecmp(key, "aws:PrincipalArn") == 0)
		return sendauth_one(c->principal_arn, one);
	/* EMU: sesbox knows a caller by account only, i.e. as the account's
	 * root user, whose aws:PrincipalType is "Account". */
	if (strcasecmp(key, "aws:PrincipalType") == 0)
		return sendauth_one("Account", one);
	if (strcasecmp(key, "aws:RequestedRegion") == 0)
		return sendauth_one(c->region, one);
	/* EMU: every other key (aws:SecureTransport, aws:UserAgent,
	 * aws:PrincipalTag/..., ...) is absent from sesbox's requests. */
	return 0;
}

/* ---- condition operators ---- */

enum sendauth_kind {
	SA_STRING, SA_STRING_FOLD, SA_LIKE, SA_NUMERIC, SA_DATE, SA_BOOL,
	SA_IP, SA_ARN, SA_BINARY, SA_NULL,
};

enum sendauth_cmp { SA_EQ, SA_LT, SA_LE, SA_GT, SA_GE };

struct sendauth_op {
	const char *name;
	enum sendauth_kind kind;
	enum sendauth_cmp cmp;
	int negated;		/* true when no policy value matches */
};

/* AWS: IAM's condition operators (IAM User Guide, "IAM JSON policy
 * elements: Condition operators"); the same list op_policy accepts.
 * ArnEquals and ArnLike both take wildcards there. */
static const struct sendauth_op sendauth_ops[] = {
	{ "ArnEquals", SA_ARN, SA_EQ, 0 },
	{ "ArnLike", SA_ARN, SA_EQ, 0 },
	{ "ArnNotEquals", SA_ARN, SA_EQ, 1 },
	{ "ArnNotLike", SA_ARN, SA_EQ, 1 },
	{ "BinaryEquals", SA_BINARY, SA_EQ, 0 },
	{ "Bool", SA_BOOL, SA_EQ, 0 },
	{ "DateEquals", SA_DATE, SA_EQ, 0 },
	{ "DateGreaterThan", SA_DATE, SA_GT, 0 },
	{ "DateGreaterThanEquals", SA_DATE, SA_GE, 0 },
	{ "DateLessThan", SA_DATE, SA_LT, 0 },
	{ "DateLessThanEquals", SA_DATE, SA_LE, 0 },
	{ "DateNotEquals", SA_DATE, SA_EQ, 1 },
	{ "IpAddress", SA_IP, SA_EQ, 0 },
	{ "NotIpAddress", SA_IP, SA_EQ, 1 },
	{ "Null", SA_NULL, SA_EQ, 0 },
	{ "NumericEquals", SA_NUMERIC, SA_EQ, 0 },
	{ "NumericGreaterThan", SA_NUMERIC, SA_GT, 0 },
	{ "NumericGreaterThanEquals", SA_NUMERIC, SA_GE, 0 },
	{ "NumericLessThan", SA_NUMERIC, SA_LT, 0 },
	{ "NumericLessThanEquals", SA_NUMERIC, SA_LE, 0 },
	{ "NumericNotEquals", SA_NUMERIC, SA_EQ, 1 },
	{ "StringEquals", SA_STRING, SA_EQ, 0 },
	{ "StringEqualsIgnoreCase", SA_STRING_FOLD, SA_EQ, 0 },
	{ "StringLike", SA_LIKE, SA_EQ, 0 },
	{ "StringNotEquals", SA_STRING, SA_EQ, 1 },
	{ "StringNotEqualsIgnoreCase", SA_STRING_FOLD, SA_EQ, 1 },
	{ "StringNotLike", SA_LIKE, SA_EQ, 1 },
};

enum sendauth_set { SA_SET_NONE, SA_SET_ANY, SA_SET_ALL };

/* Parses an operator as op_policy accepts it; NULL when unknown. */
static const struct sendauth_op *
sendauth_op_find(const char *name, enum sendauth_set *set, int *if_exists)
{
	char base[64];
	size_t i, n;

	*set = SA_SET_NONE;
	*if_exists = 0;
	if (strncasecmp(name, "ForAnyValue:", 12) == 0) {
		*set = SA_SET_ANY;
		name += 12;
	} else if (strncasecmp(name, "ForAllValues:", 13) == 0) {
		*set = SA_SET_ALL;
		name += 13;
	}
	snprintf(base, sizeof(base), "%s", name);
	n = strlen(base);
	if (n > 8 && strcasecmp(base + n - 8, "IfExists") == 0 &&
	    strcasecmp(base, "NullIfExists") != 0) {
		base[n - 8] = '\0';
		*if_exists = 1;
	}
	for (i = 0; i < sizeof(sendauth_ops) / sizeof(sendauth_ops[0]); i++)
		if (strcasecmp(base, sendauth_ops[i].name) == 0)
			return &sendauth_ops[i];
	return NULL;
}

/* A policy value as text: strings as they are, numbers and booleans as
 * JSON writes them. NULL for anything else. */
static const char *
sendauth_text(const json_t *v, char buf[SENDAUTH_VALUE_MAX_BYTES])
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, SENDAUTH_VALUE_MAX_BYTES, "%lld",
		    (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, SENDAUTH_VALUE_MAX_BYTES, "%.17g",
		    json_real_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return NULL;
}

static int
sendauth_compare(double a, double b, enum sendauth_cmp cmp)
{
	switch (cmp) {
	case SA_EQ:
		return a == b;
	case SA_LT:
		return a < b;
	case SA_LE:
		return a <= b;
	case SA_GT:
		return a > b;
	case SA_GE:
		return a >= b;
	}
	return 0;
}

static int
sendauth_number(const char *s, double *out)
{
	char *end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	*out = strtod(s, &end);
	return *end == '\0' ? 0 : -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
sendauth_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
sendauth_fixed(const char **p, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/*
 * A date condition value as milliseconds: ISO 8601 ("2019-07-30",
 * "2019-07-30T00:00:00Z", with fractions or a "+hh:mm" offset) or epoch
 * seconds, as IAM takes them. Returns 0 or -1.
 */
static int
sendauth_date(const char *s, double *ms)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, sign;
	double frac = 0;
	const char *p = s;
	int64_t t;

	if (*s != '\0' && sendauth_digits(s, strlen(s))) {
		*ms = strtod(s, NULL) * 1000.0;
		return 0;
	}
	if (sendauth_fixed(&p, 4, &y) != 0 || *p++ != '-' ||
	    sendauth_fixed(&p, 2, &mo) != 0 || *p++ != '-' ||
	    sendauth_fixed(&p, 2, &d) != 0 || mo < 1 || mo > 12 || d < 1 ||
	    d > 31)
		return -1;
	if (*p == 'T' || *p == 't') {
		p++;
		if (sendauth_fixed(&p, 2, &h) != 0 || *p++ != ':' ||
		    sendauth_fixed(&p, 2, &mi) != 0)
			return -1;
		if (*p == ':') {
			p++;
			if (sendauth_fixed(&p, 2, &sec) != 0)
				return -1;
			if (*p == '.') {
				char *end;

				frac = strtod(p, &end);
				p = end;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
	}
	t = ((sendauth_days(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (sendauth_fixed(&p, 2, &oh) != 0)
			return -1;
		if (*p == ':')
			p++;
		if (sendauth_fixed(&p, 2, &om) != 0)
			return -1;
		t -= sign * (oh * 3600 + om * 60);
	}
	if (*p != '\0')
		return -1;
	*ms = ((double)t + frac) * 1000.0;
	return 0;
}

/* An address or CIDR block (IPv4 or IPv6) contains ip. */
static int
sendauth_ip(const char *cidr, const char *ip)
{
	unsigned char net[16], addr[16];
	char buf[64], *slash;
	int af, len, bits, i;

	snprintf(buf, sizeof(buf), "%s", cidr);
	af = strchr(buf, ':') != NULL ? AF_INET6 : AF_INET;
	len = af == AF_INET6 ? 16 : 4;
	bits = len * 8;
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (*slash == '\0' || !sendauth_digits(slash, strlen(slash)) ||
		    (bits = atoi(slash)) > len * 8)
			return 0;
	}
	if (inet_pton(af, buf, net) != 1 || inet_pton(af, ip, addr) != 1)
		return 0;
	for (i = 0; bits > 0; i++, bits -= 8) {
		unsigned char mask = bits >= 8 ? 0xff :
		    (unsigned char)(0xff << (8 - bits));

		if ((net[i] & mask) != (addr[i] & mask))
			return 0;
	}
	return 1;
}

/* One request value against one policy value, positively. */
static int
sendauth_match(const struct sendauth_op *op, const char *v, const char *p)
{
	double a, b;

	switch (op->kind) {
	case SA_STRING:
	case SA_BINARY:
		return strcmp(v, p) == 0;
	case SA_STRING_FOLD:
		return strcasecmp(v, p) == 0;
	case SA_LIKE:
	case SA_ARN:
		return sendauth_glob(p, v, 0);
	case SA_BOOL:
		return strcasecmp(v, p) == 0;
	case SA_NUMERIC:
		return sendauth_number(v, &a) == 0 &&
		    sendauth_number(p, &b) == 0 && sendauth_compare(a, b,
		    op->cmp);
	case SA_DATE:
		return sendauth_date(v, &a) == 0 && sendauth_date(p, &b) == 0 &&
		    sendauth_compare(a, b, op->cmp);
	case SA_IP:
		return sendauth_ip(p, v);
	case SA_NULL:
		break;
	}
	return 0;
}

/*
 * One request value against the policy values: for a positive operator,
 * some value matches; for a negated one, none does.
 */
static int
sendauth_match_any(const struct sendauth_op *op, const char *v,
    const json_t *pvals)
{
	char buf[SENDAUTH_VALUE_MAX_BYTES];
	const char *p;
	const json_t *x;
	size_t i;
	int hit = 0;

	if (json_is_array(pvals)) {
		json_array_foreach(pvals, i, x)
			if ((p = sendauth_text(x, buf)) != NULL &&
			    sendauth_match(op, v, p)) {
				hit = 1;
				break;
			}
	} else if ((p = sendauth_text(pvals, buf)) != NULL) {
		hit = sendauth_match(op, v, p);
	}
	return op->negated ? !hit : hit;
}

/* Null: "true" holds when the key is absent, "false" when present. */
static int
sendauth_null(size_t n, const json_t *pvals)
{
	char buf[SENDAUTH_VALUE_MAX_BYTES];
	const char *p;
	const json_t *x;
	size_t i;

	if (!json_is_array(pvals)) {
		p = sendauth_text(pvals, buf);
		return p != NULL && (strcasecmp(p, "true") == 0 ? n == 0 :
		    strcasecmp(p, "false") == 0 ? n > 0 : 0);
	}
	json_array_foreach(pvals, i, x)
		if (sendauth_null(n, x))
			return 1;
	return 0;
}

/* One key under one operator. */
static int
sendauth_condition_key(const struct sendauth_ctx *c, const char *opname,
    const char *key, const json_t *pvals)
{
	const struct sendauth_op *op;
	const char *one = NULL;
	const char *const *vals;
	enum sendauth_set set;
	int if_exists;
	size_t n, i, hits = 0;

	/* EMU: an operator op_policy would refuse cannot be stored; should
	 * one appear, its condition fails (nothing is granted by it). */
	if ((op = sendauth_op_find(opname, &set, &if_exists)) == NULL)
		return 0;
	n = sendauth_values(c, key, &one, &vals);
	if (op->kind == SA_NULL)
		return sendauth_null(n, pvals);
	/* AWS: a key absent from the request matches nothing: the
	 * condition is false, true for a negated operator ("...Not...") and
	 * for ...IfExists; ForAllValues holds for an empty set, ForAnyValue
	 * does not (IAM User Guide, "Condition element" and "Single-valued
	 * vs. multivalued context keys"). */
	if (n == 0) {
		if (if_exists || set == SA_SET_ALL)
			return 1;
		if (set == SA_SET_ANY)
			return 0;
		return op->negated;
	}
	for (i = 0; i < n; i++)
		if (sendauth_match_any(op, vals[i], pvals))
			hits++;
	switch (set) {
	case SA_SET_ALL:
		return hits == n;
	case SA_SET_ANY:
		return hits > 0;
	case SA_SET_NONE:
		break;
	}
	/* EMU: IAM wants a set operator for a multivalued key
	 * (ses:Recipients); without one, a positive operator holds when
	 * some recipient matches and a negated one when every recipient
	 * avoids all the values (the negation of the positive). */
	return op->negated ? hits == n : hits > 0;
}

/* Every operator and key of a Condition block holds. */
static int
sendauth_conditions(const struct sendauth_ctx *c, const json_t *cond)
{
	const char *opname, *key;
	json_t *keys, *pvals;

	if (cond == NULL)
		return 1;
	if (!json_is_object(cond))
		return 0;
	json_object_foreach((json_t *)cond, opname, keys) {
		if (!json_is_object(keys))
			return 0;
		json_object_foreach(keys, key, pvals)
			if (!sendauth_condition_key(c, opname, key, pvals))
				return 0;
	}
	return 1;
}

/* ---- statements ---- */

/* Some string of v (a string or array of them) globs s. */
static int
sendauth_any_glob(const json_t *v, const char *s, int fold)
{
	const json_t *x;
	size_t i;

	if (json_is_string(v))
		return sendauth_glob(json_string_value(v), s, fold);
	json_array_foreach(v, i, x)
		if (json_is_string(x) && sendauth_glob(json_string_value(x), s,
		    fold))
			return 1;
	return 0;
}

/* One AWS principal names the caller's account. */
static int
sendauth_aws_principal(const char *p, const char *account)
{
	/* AWS: "*", an account id, or an IAM ARN in it (root, user/...,
	 * role/...) (DG:sending-authorization-policy-examples). EMU: sesbox
	 * knows callers by account only, so a user or role of the account
	 * stands for any caller of that account. */
	if (strcmp(p, "*") == 0)
		return 1;
	if (strlen(p) == 12)
		return strcmp(p, account) == 0;
	return strncmp(p, "arn:aws:iam::", 13) == 0 &&
	    strncmp(p + 13, account, 12) == 0 && p[25] == ':';
}

static int
sendauth_principal(const json_t *principal, const char *account)
{
	const char *type;
	const json_t *v, *x;
	size_t i;

	if (json_is_string(principal))
		return strcmp(json_string_value(principal), "*") == 0;
	if (!json_is_object(principal))
		return 0;
	json_object_foreach((json_t *)principal, type, v) {
		/* "Service" principals are AWS services, never an API
		 * caller. */
		if (strcmp(type, "AWS") != 0)
			continue;
		if (json_is_string(v) && sendauth_aws_principal(
		    json_string_value(v), account))
			return 1;
		json_array_foreach(v, i, x)
			if (json_is_string(x) && sendauth_aws_principal(
			    json_string_value(x), account))
				return 1;
	}
	return 0;
}

/* The statement applies to the request. */
static int
sendauth_statement(const struct sendauth_ctx *c, const json_t *st)
{
	const struct sendauth_request *r = c->r;

	/* EMU: actions and resources compare without case, as op_policy
	 * checks them (IAM action names are case-insensitive). */
	return json_is_object(st) &&
	    sendauth_principal(json_object_get(st, "Principal"),
	    r->caller_account) &&
	    sendauth_any_glob(json_object_get(st, "Action"), r->action, 1) &&
	    sendauth_any_glob(json_object_get(st, "Resource"),
	    r->identity_arn, 1) &&
	    sendauth_conditions(c, json_object_get(st, "Condition"));
}

static const char *
sendauth_sid(const json_t *st, const char *fallback)
{
	const char *sid = json_string_value(json_object_get(st, "Sid"));

	return sid != NULL && *sid != '\0' ? sid : fallback;
}

int
sendauth_evaluate(const json_t *policies, const struct sendauth_request *r,
    const char **why)
{
	char region[SENDAUTH_REGION_MAX_BYTES], account[SENDAUTH_ACCOUNT_BYTES];
	char name[IDENT_NAME_MAX_BYTES];
	struct sendauth_ctx c;
	const char *allow = NULL, *effect, *dummy;
	const json_t *doc, *sts, *st;
	size_t i, j, nst;
	int owner;

	if (why == NULL)
		why = &dummy;
	sendauth_ctx_init(&c, r);
	/* AWS: identity owners send without a policy; an explicit Deny in a
	 * resource policy still binds principals of the owning account (IAM
	 * policy evaluation logic: explicit deny, then allow, else implicit
	 * deny). */
	owner = sendauth_arn_parse(r->identity_arn, region, sizeof(region),
	    account, sizeof(account), name, sizeof(name)) == 0 &&
	    r->caller_account != NULL && strcmp(account, r->caller_account) ==
	    0;
	json_array_foreach(policies, i, doc) {
		sts = json_object_get(doc, "Statement");
		nst = json_is_array(sts) ? json_array_size(sts) : 1;
		for (j = 0; j < nst; j++) {
			st = json_is_array(sts) ? json_array_get(sts, j) : sts;
			if (!sendauth_statement(&c, st))
				continue;
			effect = json_string_value(json_object_get(st,
			    "Effect"));
			if (effect != NULL && strcmp(effect, "Deny") == 0) {
				*why = sendauth_sid(st, "unnamed Deny "
				    "statement");
				return 0;
			}
			if (effect != NULL && strcmp(effect, "Allow") == 0 &&
			    allow == NULL)
				allow = sendauth_sid(st, "unnamed Allow "
				    "statement");
		}
	}
	if (allow != NULL) {
		*why = allow;
		return 1;
	}
	if (owner) {
		*why = "identity owner";
		return 1;
	}
	*why = "no statement allows";
	return 0;
}

/* ---- the check against the store ---- */

void
sendauth_error_denied(const struct sendauth_request *r, int v2,
    struct awserr *e)
{
	/* AWS: "User `arn:aws:iam::796463698701:user/ce100-s3upload' is not
	 * authorized to perform `ses:SendEmail' on resource
	 * `arn:aws:ses:eu-west-1:796463698701:identity/ce100.emf@gmail.com'"
	 * with code AccessDenied (v1, HTTP 403; emfoundation/ce100-app#572,
	 * danielireson/formplug#11) and AccessDeniedException (v2, 403;
	 * symfony/symfony#51461, aws-actionmailer-ses-ruby#10). EMU: the
	 * user is the caller's root, as sesbox knows only its account. */
	awserr_set(e, v2 ? "AccessDeniedException" : "AccessDenied",
	    "User `arn:aws:iam::%s:root' is not authorized to perform `%s' "
	    "on resource `%s'", r->caller_account, r->action,
	    r->identity_arn);
}

/*
 * AWS: MessageRejected "Email address is not verified. The following
 * identities failed the check in region US-EAST-1: a@x.com"
 * (SES-REFERENCE §1.5); inferred for an identity used by ARN.
 */
static int
sendauth_unverified(const struct op_ctx *ctx, const char *what,
    struct awserr *e)
{
	char region[SENDAUTH_REGION_MAX_BYTES];
	size_t i;

	for (i = 0; ctx->region[i] != '\0' && i + 1 < sizeof(region); i++)
		region[i] = (char)toupper((unsigned char)ctx->region[i]);
	region[i] = '\0';
	awserr_set(e, "MessageRejected", "Email address is not verified. The "
	    "following identities failed the check in region %s: %s", region,
	    what);
	return -1;
}

/*
 * address belongs to identity id: the address itself (or it without a
 * "+label"), or an address at the domain or one of its subdomains.
 */
static int
sendauth_covers(const struct store_identity *id, const char *address)
{
	const char *at = strrchr(address, '@'), *domain, *plus;
	size_t n, dn;

	if (at == NULL)
		return 0;
	domain = at + 1;
	if (strcmp(id->type, "Domain") == 0) {
		n = strlen(id->name);
		dn = strlen(domain);
		return strcasecmp(domain, id->name) == 0 || (dn > n &&
		    domain[dn - n - 1] == '.' && strcasecmp(domain + dn - n,
		    id->name) == 0);
	}
	/* AWS: a verified address may send as user+label@ too
	 * (SES-REFERENCE §9.1); the local part is case-sensitive, the
	 * domain not (ident_canonical). */
	if ((n = strlen(id->name)) == strlen(address) &&
	    strncmp(address, id->name, (size_t)(at - address)) == 0 &&
	    strcasecmp(domain, id->name + (at - address) + 1) == 0)
		return 1;
	plus = memchr(address, '+', (size_t)(at - address));
	if (plus == NULL)
		return 0;
	n = (size_t)(plus - address);
	return strncmp(address, id->name, n) == 0 && id->name[n] == '@' &&
	    strcasecmp(domain, id->name + n + 1) == 0;
}

/* The identity's policies as an array of documents (new), or NULL. */
static json_t *
sendauth_policies(struct op_ctx *ctx, const char *account, const char *name)
{
	json_t *map, *docs, *text, *doc;
	const char *pname;

	if ((map = store_policy_map(ctx->store, account, ctx->region, name)) ==
	    NULL)
		return NULL;
	docs = json_array();
	json_object_foreach(map, pname, text) {
		/* op_policy stored only what parses; anything else grants
		 * nothing. */
		if ((doc = json_loads(json_string_value(text), 0, NULL)) !=
		    NULL)
			json_array_append_new(docs, doc);
	}
	json_decref(map);
	return docs;
}

int
sendauth_check(struct op_ctx *ctx, const struct sendauth_request *r,
    struct awserr *e)
{
	char region[SENDAUTH_REGION_MAX_BYTES], account[SENDAUTH_ACCOUNT_BYTES];
	char name[IDENT_NAME_MAX_BYTES], arn[IDENT_ARN_MAX_BYTES];
	struct sendauth_request rr = *r;
	struct store_identity id;
	struct op_ctx owner_ctx;
	const char *address, *why;
	json_t *policies;
	int rc, owner, allowed;

	if (sendauth_arn_parse(r->identity_arn, region, sizeof(region),
	    account, sizeof(account), name, sizeof(name)) != 0) {
		/* EMU: SES's text for a malformed identity ARN is not
		 * captured. */
		awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "Invalid "
		    "identity ARN: %s. Expected arn:aws:ses:REGION:ACCOUNT:"
		    "identity/NAME.", r->identity_arn);
		return -1;
	}
	owner = strcmp(account, r->caller_account) == 0;
	/* AWS: "you have to connect to the Amazon SES endpoint in the AWS
	 * Region that the identity owner verified the identity in"; a
	 * global-endpoint ARN has "*" as its region
	 * (DG:sending-authorization-delegate-sender-tasks-email). EMU: an
	 * identity of another region cannot be seen from here, so nothing
	 * authorizes its use. */
	if (strcmp(region, "*") != 0 && strcmp(region, ctx->region) != 0) {
		sendauth_error_denied(r, ctx->v2, e);
		return -1;
	}
	owner_ctx = *ctx;
	owner_ctx.account = account;
	if ((rc = ident_load(&owner_ctx, name, &id, e)) < 0)
		return -1;
	address = r->address != NULL ? r->address : r->from_address;
	if (address == NULL)
		address = "";
	if (rc == 1) {
		/* EMU (inferred): an identity that does not exist holds no
		 * policy, so another account is not authorized; its owner
		 * sees the unverified-address refusal. */
		if (owner)
			return sendauth_unverified(ctx, *address != '\0' ?
			    address : name, e);
		sendauth_error_denied(r, ctx->v2, e);
		return -1;
	}
	ident_arn(&owner_ctx, id.name, arn);
	rr.identity_arn = arn;
	if ((policies = sendauth_policies(ctx, account, id.name)) == NULL) {
		store_identity_fini(&id);
		awserr_set(e, "InternalFailure", "cannot read policies");
		return -1;
	}
	allowed = sendauth_evaluate(policies, &rr, &why);
	json_decref(policies);
	rc = -1;
	if (!allowed)
		sendauth_error_denied(&rr, ctx->v2, e);
	else if (!ident_verified_for_sending(&id))
		sendauth_unverified(ctx, *address != '\0' ? address : id.name,
		    e);
	else if (*address != '\0' && !sendauth_covers(&id, address))
		sendauth_unverified(ctx, address, e);
	else
		rc = 0;
	store_identity_fini(&id);
	return rc;
}
