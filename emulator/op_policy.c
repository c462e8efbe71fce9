/*
 * op_policy — sending-authorization policies on identities: v1
 * PutIdentityPolicy, GetIdentityPolicies, ListIdentityPolicies and
 * DeleteIdentityPolicy, v2 Create/Update/DeleteEmailIdentityPolicy and
 * GetEmailIdentityPolicies. Both APIs work on the same rows, so each sees
 * the other's policies; a twin differs from its sibling only in its error
 * codes and in how strict it is about things that are missing.
 *
 * A policy's structure is checked the way SES checks it before it is
 * stored (byte for byte, as sent). This module does not evaluate policies:
 * who may send as an identity is decided where mail is sent.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ident.h"
#include "model.h"
#include "op.h"
#include "store_policy.h"

/* AWS: "Identity owners can associate up to 20 policies with each unique
 * identity" and "Policies can't exceed 4 kilobytes (KB) in size"
 * (DG:policy-anatomy, "Policy requirements"). */
#define POLICY_MAX_PER_IDENTITY 20
#define POLICY_MAX_BYTES 4096
/* How much of an offending value an error message quotes. */
#define POLICY_SHOW_MAX_BYTES 200

/* What a write does with a name that exists or not. */
enum policy_mode {
	POLICY_UPSERT,		/* v1 Put: create or replace */
	POLICY_CREATE,		/* v2 Create: the name must be new */
	POLICY_UPDATE,		/* v2 Update: the name must exist */
};

/* ---- the policy checker ---- */

/*
 * Sets e to the invalid-policy error of the caller's API; returns -1.
 * AWS: v1 answers InvalidPolicy (the model's InvalidPolicyException,
 * SES-REFERENCE §1.4). EMU: the v2 model declares no policy error; its
 * code for bad input, BadRequestException, is used.
 */
static int __attribute__((format(printf, 3, 4)))
policy_bad(const struct op_ctx *ctx, struct awserr *e, const char *fmt, ...)
{
	char msg[AWSERR_MESSAGE_MAX_BYTES];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	awserr_set(e, ctx->v2 ? "BadRequestException" : "InvalidPolicy", "%s",
	    msg);
	return -1;
}

/* A value as an error message quotes it: strings bare, the rest as JSON. */
static void
policy_show(const json_t *v, char out[POLICY_SHOW_MAX_BYTES])
{
	char *dump;

	if (json_is_string(v)) {
		snprintf(out, POLICY_SHOW_MAX_BYTES, "%s", json_string_value(v));
		return;
	}
	dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(out, POLICY_SHOW_MAX_BYTES, "%s", dump ? dump : "?");
	free(dump);
}

/*
 * A string or a non-empty array of strings as an array (new reference), or
 * NULL when v is neither.
 */
static json_t *
policy_strings(json_t *v)
{
	json_t *x;
	size_t i;

	if (json_is_string(v))
		return json_pack("[O]", v);
	if (!json_is_array(v) || json_array_size(v) == 0)
		return NULL;
	json_array_foreach(v, i, x)
		if (!json_is_string(x))
			return NULL;
	return json_incref(v);
}

/* Non-zero when the n characters at p are all digits. */
static int
policy_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

/* Case-insensitive glob match with '*' and '?'. */
static int
policy_glob(const char *pat, const char *s)
{
	for (; *pat != '\0'; pat++, s++) {
		if (*pat == '*') {
			for (;; s++) {
				if (policy_glob(pat + 1, s))
					return 1;
				if (*s == '\0')
					return 0;
			}
		}
		if (*s == '\0' || (*pat != '?' && tolower((unsigned char)*pat) !=
		    tolower((unsigned char)*s)))
			return 0;
	}
	return *s == '\0';
}

/*
 * An AWS principal: "*", a 12-digit account or an IAM ARN in one
 * ("arn:aws:iam::123456789012:root", ":user/...", ":role/...").
 */
static int
policy_aws_principal(const char *p)
{
	size_t n = strlen(p);

	if (strcmp(p, "*") == 0 || (n == 12 && policy_digits(p, 12)))
		return 1;
	return strncmp(p, "arn:aws:iam::", 13) == 0 && n > 26 &&
	    policy_digits(p + 13, 12) && p[25] == ':';
}

/* A service principal: "<name>.amazonaws.com". */
static int
policy_service_principal(const char *p)
{
	static const char suffix[] = ".amazonaws.com";
	size_t n = strlen(p), k = sizeof(suffix) - 1;

	return n > k && strcmp(p + n - k, suffix) == 0;
}

static int
policy_principal(const struct op_ctx *ctx, json_t *principal,
    struct awserr *e)
{
	char show[POLICY_SHOW_MAX_BYTES];
	const char *type;
	json_t *list, *v, *x;
	size_t i;
	int aws, bad = 0;

	/* AWS: a principal is an account id or IAM ARN under "AWS", or a
	 * service under "Service" (DG:policy-anatomy). EMU: "*" is taken
	 * too, as IAM grammar allows; the wording of SES's refusals is not
	 * public, so these messages are sesbox's. */
	if (json_is_string(principal) &&
	    strcmp(json_string_value(principal), "*") == 0)
		return 0;
	if (!json_is_object(principal) || json_object_size(principal) == 0) {
		policy_show(principal, show);
		return policy_bad(ctx, e, "Invalid principal: %s. A principal "
		    "is \"*\" or an object with AWS or Service entries.", show);
	}
	json_object_foreach(principal, type, v) {
		aws = strcmp(type, "AWS") == 0;
		if (!aws && strcmp(type, "Service") != 0)
			return policy_bad(ctx, e, "Unsupported principal type: "
			    "%s. Valid types are AWS and Service.", type);
		if ((list = policy_strings(v)) == NULL)
			return policy_bad(ctx, e, "Principal %s must be a "
			    "string or a non-empty array of strings.", type);
		json_array_foreach(list, i, x) {
			if (aws ? policy_aws_principal(json_string_value(x)) :
			    policy_service_principal(json_string_value(x)))
				continue;
			policy_show(x, show);
			bad = 1;
			break;
		}
		json_decref(list);
		if (bad)
			return policy_bad(ctx, e, "Invalid principal: %s. %s",
			    show, aws ? "An AWS principal is an account id "
			    "or an IAM ARN." : "A service principal is a "
			    "name ending in .amazonaws.com.");
	}
	return 0;
}

/*
 * An action: "ses:" and an SES operation name, or a pattern matching at
 * least one ("ses:Send*", "ses:*"); case-insensitive as IAM is.
 */
static int
policy_action_ok(const char *action)
{
	const char *name = action + 4, *p;
	size_t i;

	if (strncasecmp(action, "ses:", 4) != 0 || *name == '\0')
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '*' && *p != '?')
			return 0;
	for (i = 0; i < model_op_count(); i++)
		if (policy_glob(name, model_op_at(i)->name))
			return 1;
	return 0;
}

static int
policy_actions(const struct op_ctx *ctx, json_t *actions, struct awserr *e)
{
	char show[POLICY_SHOW_MAX_BYTES];
	json_t *list, *x;
	size_t i;

	if ((list = policy_strings(actions)) == NULL)
		return policy_bad(ctx, e, "Action must be a string or a "
		    "non-empty array of strings.");
	json_array_foreach(list, i, x) {
		/* AWS: actions are SES ones: the sending actions, "ses:Send*"
		 * (DG:policy-anatomy) and, since identity authorization, the
		 * identity's management actions. EMU: any SES operation of
		 * either API, or a pattern matching one, is taken. */
		if (!policy_action_ok(json_string_value(x))) {
			policy_show(x, show);
			json_decref(list);
			return policy_bad(ctx, e, "Invalid action: %s. Actions "
			    "are SES operations such as ses:SendEmail, "
			    "ses:SendRawEmail or ses:Send*.", show);
		}
	}
	json_decref(list);
	return 0;
}

static int
policy_resources(const struct op_ctx *ctx, json_t *resources,
    const char *arn, struct awserr *e)
{
	char show[POLICY_SHOW_MAX_BYTES];
	json_t *list, *x;
	size_t i;

	if ((list = policy_strings(resources)) == NULL)
		return policy_bad(ctx, e, "Resource must be a string or a "
		    "non-empty array of strings.");
	json_array_foreach(list, i, x) {
		/* AWS: "Each policy has to specify one resource, and that
		 * resource has to be the ARN of the identity that the policy
		 * is attached to" (DG:policy-anatomy). EMU: compared without
		 * case, as identity names are. */
		if (strcasecmp(json_string_value(x), arn) != 0) {
			policy_show(x, show);
			json_decref(list);
			return policy_bad(ctx, e, "Invalid resource: %s. The "
			    "resource must be the ARN of the identity the "
			    "policy is attached to: %s.", show, arn);
		}
	}
	json_decref(list);
	return 0;
}

/* IAM condition operators, without ForAnyValue:/ForAllValues:/IfExists. */
static const char *const policy_operators[] = {
	"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "BinaryEquals",
	"Bool", "DateEquals", "DateGreaterThan", "DateGreaterThanEquals",
	"DateLessThan", "DateLessThanEquals", "DateNotEquals", "IpAddress",
	"NotIpAddress", "Null", "NumericEquals", "NumericGreaterThan",
	"NumericGreaterThanEquals", "NumericLessThan", "NumericLessThanEquals",
	"NumericNotEquals", "StringEquals", "StringEqualsIgnoreCase",
	"StringLike", "StringNotEquals", "StringNotEqualsIgnoreCase",
	"StringNotLike",
};

/* AWS: the SES condition keys (DG:policy-anatomy, "Conditions"). */
static const char *const policy_ses_keys[] = {
	"ses:FeedbackAddress", "ses:FromAddress", "ses:FromDisplayName",
	"ses:Recipients", "ses:ApiVersion",
};

static int
policy_operator_ok(const char *op)
{
	char base[64];
	size_t i, n;

	if (strncasecmp(op, "ForAnyValue:", 12) == 0)
		op += 12;
	else if (strncasecmp(op, "ForAllValues:", 13) == 0)
		op += 13;
	snprintf(base, sizeof(base), "%s", op);
	n = strlen(base);
	if (n > 8 && strcasecmp(base + n - 8, "IfExists") == 0 &&
	    strcasecmp(base, "NullIfExists") != 0)
		base[n - 8] = '\0';
	for (i = 0; i < sizeof(policy_operators) / sizeof(policy_operators[0]);
	    i++)
		if (strcasecmp(base, policy_operators[i]) == 0)
			return 1;
	return 0;
}

static int
policy_condition_key_ok(const char *key)
{
	size_t i;

	/* EMU: every global "aws:" key is taken; which of them SES accepts
	 * has changed over time and is not listed. */
	if (strncasecmp(key, "aws:", 4) == 0 && key[4] != '\0')
		return 1;
	for (i = 0; i < sizeof(policy_ses_keys) / sizeof(policy_ses_keys[0]);
	    i++)
		if (strcasecmp(key, policy_ses_keys[i]) == 0)
			return 1;
	return 0;
}

/* A condition value: a scalar, or a non-empty array of scalars. */
static int
policy_condition_value_ok(const json_t *v)
{
	const json_t *x;
	size_t i;

	if (json_is_string(v) || json_is_number(v) || json_is_boolean(v))
		return 1;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return 0;
	json_array_foreach(v, i, x)
		if (!json_is_string(x) && !json_is_number(x) &&
		    !json_is_boolean(x))
			return 0;
	return 1;
}

static int
policy_condition(const struct op_ctx *ctx, json_t *cond, struct awserr *e)
{
	const char *op, *key;
	json_t *keys, *v;

	if (!json_is_object(cond))
		return policy_bad(ctx, e, "Condition must be a JSON object.");
	json_object_foreach(cond, op, keys) {
		if (!policy_operator_ok(op))
			return policy_bad(ctx, e, "Unknown condition operator: "
			    "%s.", op);
		if (!json_is_object(keys) || json_object_size(keys) == 0)
			return policy_bad(ctx, e, "Condition operator %s must "
			    "map condition keys to values.", op);
		json_object_foreach(keys, key, v) {
			/* AWS: "Unknown or unapplicable condition field
			 * 'AWS:SourceAccount'." (awsdocs/amazon-cognito-
			 * developer-guide#41, InvalidPolicy). */
			if (!policy_condition_key_ok(key))
				return policy_bad(ctx, e, "Unknown or "
				    "unapplicable condition field '%s'.", key);
			if (!policy_condition_value_ok(v))
				return policy_bad(ctx, e, "Invalid value for "
				    "condition field '%s': values are "
				    "strings, numbers, booleans or arrays of "
				    "them.", key);
		}
	}
	return 0;
}

static int
policy_statement(const struct op_ctx *ctx, json_t *st, const char *arn,
    struct awserr *e)
{
	static const char *const known[] = {
		"Sid", "Effect", "Principal", "Action", "Resource",
		"Condition",
	};
	char show[POLICY_SHOW_MAX_BYTES];
	const char *key, *effect;
	json_t *v;
	size_t i;

	if (!json_is_object(st))
		return policy_bad(ctx, e, "Each statement must be a JSON "
		    "object.");
	/* AWS: a statement has Sid, Effect, Resource, Principal, Action
	 * and Condition (DG:policy-anatomy). EMU: IAM's NotPrincipal,
	 * NotAction and NotResource are refused like any other element the
	 * SES page does not list. */
	json_object_foreach(st, key, v) {
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(key, known[i]) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0]))
			return policy_bad(ctx, e, "Unknown statement element: "
			    "%s.", key);
	}
	if ((v = json_object_get(st, "Sid")) != NULL && !json_is_string(v))
		return policy_bad(ctx, e, "Sid must be a string.");
	if ((v = json_object_get(st, "Effect")) == NULL)
		return policy_bad(ctx, e, "Statement is missing Effect.");
	effect = json_string_value(v);
	if (effect == NULL || (strcmp(effect, "Allow") != 0 &&
	    strcmp(effect, "Deny") != 0)) {
		policy_show(v, show);
		return policy_bad(ctx, e, "Invalid effect: %s. Valid values "
		    "are Allow and Deny.", show);
	}
	if ((v = json_object_get(st, "Principal")) == NULL)
		return policy_bad(ctx, e, "Statement is missing Principal.");
	if (policy_principal(ctx, v, e) != 0)
		return -1;
	if ((v = json_object_get(st, "Action")) == NULL)
		return policy_bad(ctx, e, "Statement is missing Action.");
	if (policy_actions(ctx, v, e) != 0)
		return -1;
	if ((v = json_object_get(st, "Resource")) == NULL)
		return policy_bad(ctx, e, "Statement is missing Resource.");
	if (policy_resources(ctx, v, arn, e) != 0)
		return -1;
	if ((v = json_object_get(st, "Condition")) != NULL &&
	    policy_condition(ctx, v, e) != 0)
		return -1;
	return 0;
}

/*
 * Checks policy text for the identity whose ARN is arn. Returns 0, or -1
 * with e set to the caller's invalid-policy error naming the first
 * problem found.
 */
static int
policy_check(const struct op_ctx *ctx, const char *text, const char *arn,
    struct awserr *e)
{
	json_error_t jerr;
	json_t *doc, *v, *st;
	const char *key;
	size_t i;
	int rc = -1;

	/* EMU: the size and syntax refusals are SES's (DG:policy-anatomy);
	 * their wording is not public. */
	if (strlen(text) > POLICY_MAX_BYTES)
		return policy_bad(ctx, e, "Policy is %zu bytes; the maximum is "
		    "%d (4 KB).", strlen(text), POLICY_MAX_BYTES);
	if ((doc = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL)
		return policy_bad(ctx, e, "Policy is not valid JSON (line %d, "
		    "column %d).", jerr.line, jerr.column);
	if (!json_is_object(doc)) {
		policy_bad(ctx, e, "Policy must be a JSON object.");
		goto done;
	}
	json_object_foreach(doc, key, v) {
		if (strcmp(key, "Version") != 0 && strcmp(key, "Id") != 0 &&
		    strcmp(key, "Statement") != 0) {
			policy_bad(ctx, e, "Unknown policy element: %s.", key);
			goto done;
		}
	}
	/* AWS: Version and Id are optional and take "any string"
	 * (DG:policy-anatomy, "Policy-wide information"). */
	if ((v = json_object_get(doc, "Version")) != NULL &&
	    !json_is_string(v)) {
		policy_bad(ctx, e, "Version must be a string.");
		goto done;
	}
	if ((v = json_object_get(doc, "Id")) != NULL && !json_is_string(v)) {
		policy_bad(ctx, e, "Id must be a string.");
		goto done;
	}
	/* AWS: "Each policy has to include at least one statement"
	 * (DG:policy-anatomy, "Policy requirements"). */
	v = json_object_get(doc, "Statement");
	if (v == NULL || (json_is_array(v) && json_array_size(v) == 0)) {
		policy_bad(ctx, e, "Policy must contain at least one "
		    "statement.");
		goto done;
	}
	if (json_is_object(v)) {
		if (policy_statement(ctx, v, arn, e) != 0)
			goto done;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, st)
			if (policy_statement(ctx, st, arn, e) != 0)
				goto done;
	} else {
		policy_bad(ctx, e, "Statement must be an object or an array "
		    "of objects.");
		goto done;
	}
	rc = 0;
done:
	json_decref(doc);
	return rc;
}

/* ---- the operations ---- */

/* AWS: "can only include alphanumeric characters, dashes, and
 * underscores" (BC-SES PolicyName); the length (1-64) is the model's. */
static int
policy_name_ok(const char *name)
{
	const char *p;

	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return 0;
	return 1;
}

/*
 * The shared core of Put, Create and Update: identity arg (name or ARN)
 * gets policy name with document text, as mode allows.
 */
static int
policy_write(struct op_ctx *ctx, const char *arg, const char *name,
    const char *text, enum policy_mode mode, struct awserr *e)
{
	char arn[IDENT_ARN_MAX_BYTES];
	struct store_identity id;
	long count;
	int exists, rc = -1;

	/* AWS (v2): NotFoundException for an identity that does not exist.
	 * EMU (v1): real SES stores a policy for an identity that does not
	 * exist (floci-io/floci#1750, probed against SES); here a policy
	 * belongs to its identity row and goes with it, so v1 is refused
	 * with SES's v1 "not verified or does not exist" (ident_require). */
	if (ident_require(ctx, arg, &id, e) != 0)
		return -1;
	if (!policy_name_ok(name)) {
		/* AWS: InvalidParameterValue in v1, BadRequestException in
		 * v2, with this text (floci-io/floci#1750,
		 * SesPolicyService.java, probed against SES). */
		awserr_set(e, op_err_code(ctx, OP_ERR_INVALID), "PolicyName is "
		    "invalid. Policy names must only include alpha-numeric "
		    "characters, dashes, and underscores.");
		goto done;
	}
	ident_arn(ctx, id.name, arn);
	if (policy_check(ctx, text, arn, e) != 0)
		goto done;
	if ((exists = store_policy_exists(ctx->store, ctx->account,
	    ctx->region, id.name, name)) < 0) {
		awserr_set(e, "InternalFailure", "cannot read policies");
		goto done;
	}
	/* AWS: the texts "Policy <NAME> already exists" and "Policy <NAME>
	 * does not exist" (floci-io/floci#1750, probed against SES). */
	if (exists && mode == POLICY_CREATE) {
		awserr_set(e, "AlreadyExistsException", "Policy <%s> already "
		    "exists", name);
		goto done;
	}
	if (!exists && mode == POLICY_UPDATE) {
		awserr_set(e, "NotFoundException", "Policy <%s> does not exist",
		    name);
		goto done;
	}
	if (!exists) {
		if ((count = store_policy_count(ctx->store, ctx->account,
		    ctx->region, id.name)) < 0) {
			awserr_set(e, "InternalFailure", "cannot count "
			    "policies");
			goto done;
		}
		/* AWS: v1 answers InvalidParameterValue (not LimitExceeded)
		 * and v2 LimitExceededException, with this text naming the
		 * identity as the request did (floci-io/floci#1750,
		 * SesPolicyService.java, probed against SES). */
		if (count >= POLICY_MAX_PER_IDENTITY) {
			awserr_set(e, ctx->v2 ? "LimitExceededException" :
			    "InvalidParameterValue", "Number of policies for "
			    "<%s> exceeds max allowed number of policies per "
			    "resource", arg);
			goto done;
		}
	}
	if (store_policy_put(ctx->store, ctx->account, ctx->region, id.name,
	    name, text, ctx->now_ms) != 0) {
		awserr_set(e, "InternalFailure", "cannot write policy");
		goto done;
	}
	rc = 0;
done:
	store_identity_fini(&id);
	return rc;
}

/*
 * The shared core of the reads: every policy of identity arg as a new
 * object {name: text} in *map. With strict, an unknown identity is an
 * error (v2); without, it has no policies (v1).
 */
static int
policy_read(struct op_ctx *ctx, const char *arg, int strict, json_t **map,
    struct awserr *e)
{
	struct store_identity id;
	int rc;

	*map = NULL;
	if (strict) {
		if (ident_require(ctx, arg, &id, e) != 0)
			return -1;
	} else if ((rc = ident_load(ctx, arg, &id, e)) != 0) {
		/* AWS: v1 reads do not check the identity; one without
		 * policies lists none (floci-io/floci#1750, probed against
		 * SES). */
		if (rc < 0)
			return -1;
		*map = json_object();
		return 0;
	}
	*map = store_policy_map(ctx->store, ctx->account, ctx->region,
	    id.name);
	store_identity_fini(&id);
	if (*map == NULL) {
		awserr_set(e, "InternalFailure", "cannot read policies");
		return -1;
	}
	return 0;
}

/*
 * The shared core of the deletes. With strict (v2), an unknown identity
 * or policy is NotFoundException; without (v1), deleting what is not
 * there succeeds.
 */
static int
policy_delete(struct op_ctx *ctx, const char *arg, const char *name,
    int strict, struct awserr *e)
{
	struct store_identity id;
	int rc;

	if (strict) {
		if (ident_require(ctx, arg, &id, e) != 0)
			return -1;
	} else if ((rc = ident_load(ctx, arg, &id, e)) != 0) {
		/* AWS: v1 DeleteIdentityPolicy is idempotent and does not
		 * check the identity (floci-io/floci#1750, probed against
		 * SES). */
		return rc < 0 ? -1 : 0;
	}
	rc = store_policy_delete(ctx->store, ctx->account, ctx->region,
	    id.name, name);
	store_identity_fini(&id);
	if (rc < 0) {
		awserr_set(e, "InternalFailure", "cannot delete policy");
		return -1;
	}
	if (rc == 0 && strict) {
		awserr_set(e, "NotFoundException", "Policy <%s> does not exist",
		    name);
		return -1;
	}
	return 0;
}

/* A required string member (the codecs have checked it is there). */
static const char *
policy_arg(const json_t *in, const char *member)
{
	const char *v = json_string_value(json_object_get(in, member));

	return v != NULL ? v : "";
}

static int
op_put_identity_policy(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	(void)out;
	return policy_write(ctx, policy_arg(in, "Identity"), policy_arg(in,
	    "PolicyName"), policy_arg(in, "Policy"), POLICY_UPSERT, e);
}

static int
op_create_email_identity_policy(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	(void)out;
	return policy_write(ctx, policy_arg(in, "EmailIdentity"),
	    policy_arg(in, "PolicyName"), policy_arg(in, "Policy"),
	    POLICY_CREATE, e);
}

static int
op_update_email_identity_policy(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	(void)out;
	return policy_write(ctx, policy_arg(in, "EmailIdentity"),
	    policy_arg(in, "PolicyName"), policy_arg(in, "Policy"),
	    POLICY_UPDATE, e);
}

static int
op_get_identity_policies(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	json_t *all, *want, *name, *text, *got;
	size_t i;

	if (policy_read(ctx, policy_arg(in, "Identity"), 0, &all, e) != 0)
		return -1;
	/* AWS: only the names asked for, and of those only the ones that
	 * exist (BC-SES GetIdentityPolicies; floci-io/floci#1750). */
	got = json_object();
	want = json_object_get(in, "PolicyNames");
	json_array_foreach(want, i, name)
		if ((text = json_object_get(all,
		    json_string_value(name))) != NULL)
			json_object_set(got, json_string_value(name), text);
	json_decref(all);
	*out = json_pack("{s:o}", "Policies", got);
	return 0;
}

static int
op_list_identity_policies(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	const char *name;
	json_t *all, *names, *text;

	if (policy_read(ctx, policy_arg(in, "Identity"), 0, &all, e) != 0)
		return -1;
	/* EMU: names in name order; SES's order is not documented. */
	names = json_array();
	json_object_foreach(all, name, text)
		json_array_append_new(names, json_string(name));
	json_decref(all);
	*out = json_pack("{s:o}", "PolicyNames", names);
	return 0;
}

static int
op_get_email_identity_policies(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	json_t *all;

	if (policy_read(ctx, policy_arg(in, "EmailIdentity"), 1, &all, e) !=
	    0)
		return -1;
	*out = json_pack("{s:o}", "Policies", all);
	return 0;
}

static int
op_delete_identity_policy(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	(void)out;
	return policy_delete(ctx, policy_arg(in, "Identity"), policy_arg(in,
	    "PolicyName"), 0, e);
}

static int
op_delete_email_identity_policy(struct op_ctx *ctx, const json_t *in,
    json_t **out, struct awserr *e)
{
	(void)out;
	return policy_delete(ctx, policy_arg(in, "EmailIdentity"),
	    policy_arg(in, "PolicyName"), 1, e);
}

const struct op_entry op_policy_table[] = {
	{ "ses", "DeleteIdentityPolicy", op_delete_identity_policy },
	{ "ses", "GetIdentityPolicies", op_get_identity_policies },
	{ "ses", "ListIdentityPolicies", op_list_identity_policies },
	{ "ses", "PutIdentityPolicy", op_put_identity_policy },
	{ "sesv2", "CreateEmailIdentityPolicy",
	    op_create_email_identity_policy },
	{ "sesv2", "DeleteEmailIdentityPolicy",
	    op_delete_email_identity_policy },
	{ "sesv2", "GetEmailIdentityPolicies", op_get_email_identity_policies },
	{ "sesv2", "UpdateEmailIdentityPolicy",
	    op_update_email_identity_policy },
	{ NULL, NULL, NULL },
};
