/*
 * op_tpl — email templates: v1 Create/Get/Update/Delete/ListTemplate(s)
 * and TestRenderTemplate, v2 Create/Get/Update/Delete/ListEmailTemplate(s)
 * and TestRenderEmailTemplate, over one table (store_tpl) so both APIs see
 * the same templates. Each action has one core function; the twins differ
 * in member names (SubjectPart / Subject …) and in the codes they answer
 * (tpl_codes). Syntax and rendering are tpl's; this file checks names,
 * sizes and the per-region quota. Sending with a template is not here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op.h"
#include "store.h"
#include "store_tag.h"
#include "store_tpl.h"
#include "tpl.h"
#include "xmem.h"

/* AWS: "Maximum number of email templates per Region: 10,000" and
 * "Maximum size of each email template: 500 KB" (DG:quotas,
 * SES-REFERENCE §7). EMU: 500 KB is read as 500 × 1024 bytes of subject,
 * text and HTML together. */
#define TPL_MAX_PER_REGION 10000
#define TPL_TEMPLATE_MAX_BYTES (500 * 1024)
/* AWS: ListTemplates MaxItems 1-100, default 10 (BC-SES docs; LS-SES);
 * v2 PageSize the same (API reference). */
#define TPL_PAGE_MAX 100
#define TPL_PAGE_DEFAULT 10
#define TPL_NAME_MAX_BYTES 64
#define TPL_NAME_SHOWN_MAX 80
#define TPL_ARN_MAX_BYTES 512

enum tpl_code {
	TPL_C_EXISTS,
	TPL_C_MISSING,
	TPL_C_INVALID,		/* bad syntax or size */
	TPL_C_PARAM,
	TPL_C_LIMIT,
	TPL_C_RENDER_PARAM,
	TPL_C_RENDER_MISSING,
};

/* The code each condition answers in v1 and in v2 (SES-REFERENCE §1.4,
 * §2.3; the v2 model lists only BadRequest and NotFound for these). */
static const struct {
	const char *v1;
	const char *v2;
} tpl_codes[] = {
	[TPL_C_EXISTS] = { "AlreadyExists", "AlreadyExistsException" },
	[TPL_C_MISSING] = { "TemplateDoesNotExist", "NotFoundException" },
	[TPL_C_INVALID] = { "InvalidTemplate", "BadRequestException" },
	[TPL_C_PARAM] = { "InvalidParameterValue", "BadRequestException" },
	[TPL_C_LIMIT] = { "LimitExceeded", "LimitExceededException" },
	[TPL_C_RENDER_PARAM] = { "InvalidRenderingParameter",
	    "BadRequestException" },
	[TPL_C_RENDER_MISSING] = { "MissingRenderingAttribute",
	    "BadRequestException" },
};

/* Member names of a template's parts: v1 Template, v2 TemplateContent. */
static const char *const tpl_members[2][3] = {
	{ "SubjectPart", "TextPart", "HtmlPart" },
	{ "Subject", "Text", "Html" },
};

static int tpl_op_fail(struct awserr *e, int v2, enum tpl_code c,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Sets e to condition c in the API's code; always returns -1. */
static int
tpl_op_fail(struct awserr *e, int v2, enum tpl_code c, const char *fmt, ...)
{
	char msg[AWSERR_MESSAGE_MAX_BYTES];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	awserr_set(e, v2 ? tpl_codes[c].v2 : tpl_codes[c].v1, "%s", msg);
	return -1;
}

static int
tpl_store_fail(struct awserr *e)
{
	awserr_set(e, "InternalFailure", "cannot access email templates");
	return -1;
}

static const char *
tpl_str(const json_t *in, const char *member)
{
	return json_string_value(json_object_get(in, member));
}

static void
tpl_arn(const struct op_ctx *ctx, const char *name,
    char out[TPL_ARN_MAX_BYTES])
{
	/* AWS: resource type "template" (IAM service authorization
	 * reference for SES). */
	snprintf(out, TPL_ARN_MAX_BYTES, "arn:aws:ses:%s:%s:template/%s",
	    ctx->region, ctx->account, name);
}

/* The "does not exist" error of Get, Update, Delete and TestRender. */
static int
tpl_missing(struct awserr *e, int v2, const char *name)
{
	/* AWS: "Template foobar does not exist." (SES-REFERENCE §1.5, real
	 * TemplateDoesNotExist on send). EMU: v2's NotFoundException says
	 * the same. */
	return tpl_op_fail(e, v2, TPL_C_MISSING, "Template %.*s does not "
	    "exist.", TPL_NAME_SHOWN_MAX, name);
}

/*
 * EMU: names are 1-64 letters, digits, '_' and '-', the rule the SES
 * console and CloudFormation (AWS::SES::Template) state; the API
 * reference states none. It also keeps names safe in v2 URL paths.
 */
static int
tpl_name_check(const char *name, int v2, struct awserr *e)
{
	size_t n = strlen(name);

	if (n == 0)
		return tpl_op_fail(e, v2, TPL_C_PARAM, "The template name "
		    "must be specified.");
	if (n > TPL_NAME_MAX_BYTES || strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n)
		return tpl_op_fail(e, v2, TPL_C_PARAM, "Invalid template name "
		    "<%.*s>: it must be at most %d characters, of letters, "
		    "digits, '_' and '-'.", TPL_NAME_SHOWN_MAX, name,
		    TPL_NAME_MAX_BYTES);
	return 0;
}

/*
 * The shared checks of Create and Update: name, subject, syntax of each
 * part, size. parts is v1 Template or v2 TemplateContent. Returns 0 or -1.
 */
static int
tpl_content_check(const char *name, const json_t *parts, int v2,
    struct awserr *e)
{
	char err[TPL_ERROR_MAX_BYTES];
	const json_t *v;
	const char *subject;
	size_t total = 0, i;

	if (tpl_name_check(name, v2, e) != 0)
		return -1;
	subject = tpl_str(parts, tpl_members[v2][0]);
	/* AWS: "The subject must be specified." (InvalidParameterValue,
	 * SES-REFERENCE §1.5 via moto #3670). EMU: v2 says it too. */
	if (subject == NULL || subject[0] == '\0')
		return tpl_op_fail(e, v2, TPL_C_PARAM, "The subject must be "
		    "specified.");
	for (i = 0; i < 3; i++) {
		v = json_object_get(parts, tpl_members[v2][i]);
		if (!json_is_string(v))
			continue;
		total += json_string_length(v);
		/* AWS: a template that does not parse is InvalidTemplate
		 * (BC-SES CreateTemplate errors). EMU: the text names the
		 * part and tpl's reason. */
		if (tpl_check(json_string_value(v), json_string_length(v),
		    err) != 0)
			return tpl_op_fail(e, v2, TPL_C_INVALID, "Template "
			    "%s is invalid: %s: %s", name,
			    tpl_members[v2][i], err);
	}
	if (total > TPL_TEMPLATE_MAX_BYTES)
		return tpl_op_fail(e, v2, TPL_C_INVALID, "Template %s is too "
		    "large: its subject, text and HTML parts are %zu bytes; "
		    "the limit is 500 KB (%d bytes).", name, total,
		    TPL_TEMPLATE_MAX_BYTES);
	return 0;
}

/* Copies the parts present in `parts` into t (absent parts: NULL). */
static void
tpl_apply(struct store_tpl *t, const json_t *parts, int v2)
{
	char **dst[] = { &t->subject, &t->text, &t->html };
	const char *v;
	size_t i;

	for (i = 0; i < 3; i++) {
		free(*dst[i]);
		v = tpl_str(parts, tpl_members[v2][i]);
		*dst[i] = v != NULL ? xstrdup(v) : NULL;
	}
}

/* ---- the six actions, each shared by its v1 and v2 twin ---- */

static int
tpl_create(struct op_ctx *ctx, const char *name, const json_t *parts,
    const json_t *tags, int v2, struct awserr *e)
{
	char arn[TPL_ARN_MAX_BYTES];
	struct store_tpl t;
	long n;
	int rc;

	if (tpl_content_check(name, parts, v2, e) != 0)
		return -1;
	if ((rc = store_tpl_get(ctx->store, ctx->account, ctx->region, name,
	    &t)) < 0)
		return tpl_store_fail(e);
	store_tpl_fini(&t);
	/* EMU: SES's text for a duplicate was not found (SES-REFERENCE
	 * §1.5); this one follows its "does not exist" text. */
	if (rc == 0)
		return tpl_op_fail(e, v2, TPL_C_EXISTS, "Template %s already "
		    "exists.", name);
	if ((n = store_tpl_count(ctx->store, ctx->account, ctx->region)) < 0)
		return tpl_store_fail(e);
	/* EMU: the quota is documented (DG:quotas); SES's message for it
	 * was not found, this one names the limit. */
	if (n >= TPL_MAX_PER_REGION)
		return tpl_op_fail(e, v2, TPL_C_LIMIT, "You have reached the "
		    "limit of %d email templates in %s.", TPL_MAX_PER_REGION,
		    ctx->region);
	memset(&t, 0, sizeof(t));
	t.name = xstrdup(name);
	tpl_apply(&t, parts, v2);
	t.created_ms = t.updated_ms = ctx->now_ms;
	rc = store_tpl_put(ctx->store, ctx->account, ctx->region, &t);
	store_tpl_fini(&t);
	if (rc != 0)
		return tpl_store_fail(e);
	if (json_array_size(tags) > 0) {
		tpl_arn(ctx, name, arn);
		if (store_tag_put(ctx->store, ctx->account, ctx->region, arn,
		    tags) != 0)
			return tpl_store_fail(e);
	}
	return 0;
}

/* Reads template name into *t: 0, or -1 with e set (missing or store). */
static int
tpl_load(struct op_ctx *ctx, const char *name, int v2, struct store_tpl *t,
    struct awserr *e)
{
	int rc = store_tpl_get(ctx->store, ctx->account, ctx->region, name, t);

	if (rc < 0)
		return tpl_store_fail(e);
	if (rc > 0)
		return tpl_missing(e, v2, name);
	return 0;
}

/* The parts of t as v1 Template or v2 TemplateContent (absent: left
 * out). */
static json_t *
tpl_parts_json(const struct store_tpl *t, int v2)
{
	const char *v[] = { t->subject, t->text, t->html };
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < 3; i++)
		if (v[i] != NULL)
			json_object_set_new(o, tpl_members[v2][i],
			    json_string(v[i]));
	return o;
}

static int
tpl_get(struct op_ctx *ctx, const json_t *in, int v2, json_t **out,
    struct awserr *e)
{
	const char *name = tpl_str(in, "TemplateName");
	char arn[TPL_ARN_MAX_BYTES];
	struct store_tpl t;
	json_t *parts, *tags;

	if (tpl_load(ctx, name, v2, &t, e) != 0)
		return -1;
	parts = tpl_parts_json(&t, v2);
	store_tpl_fini(&t);
	if (!v2) {
		json_object_set_new(parts, "TemplateName", json_string(name));
		*out = json_pack("{s:o}", "Template", parts);
		return 0;
	}
	tpl_arn(ctx, name, arn);
	if ((tags = store_tag_list(ctx->store, ctx->account, ctx->region,
	    arn)) == NULL) {
		json_decref(parts);
		return tpl_store_fail(e);
	}
	*out = json_pack("{s:s,s:o,s:o}", "TemplateName", name,
	    "TemplateContent", parts, "Tags", tags);
	return 0;
}

static int
tpl_update(struct op_ctx *ctx, const char *name, const json_t *parts,
    int v2, struct awserr *e)
{
	struct store_tpl t;
	int rc;

	if (tpl_content_check(name, parts, v2, e) != 0 ||
	    tpl_load(ctx, name, v2, &t, e) != 0)
		return -1;
	/* AWS: UpdateTemplate replaces the whole template (BC-SES: "Updates
	 * an email template"; parts not given are gone). */
	tpl_apply(&t, parts, v2);
	t.updated_ms = ctx->now_ms;
	rc = store_tpl_put(ctx->store, ctx->account, ctx->region, &t);
	store_tpl_fini(&t);
	return rc != 0 ? tpl_store_fail(e) : 0;
}

static int
tpl_delete(struct op_ctx *ctx, const json_t *in, int v2, struct awserr *e)
{
	const char *name = tpl_str(in, "TemplateName");
	char arn[TPL_ARN_MAX_BYTES];
	int rc;

	rc = store_tpl_delete(ctx->store, ctx->account, ctx->region, name);
	if (rc < 0)
		return tpl_store_fail(e);
	/* AWS: v1 DeleteTemplate of a missing template answers 200 (boto/
	 * boto3#3140, reproduced by an SDK maintainer; the v1 model lists
	 * no error); v2 answers NotFoundException (its model). */
	if (rc == 0)
		return v2 ? tpl_missing(e, v2, name) : 0;
	tpl_arn(ctx, name, arn);
	if (store_tag_delete_all(ctx->store, ctx->account, ctx->region,
	    arn) != 0)
		return tpl_store_fail(e);
	return 0;
}

static int
tpl_list(struct op_ctx *ctx, const json_t *token, const json_t *size,
    const char *size_name, int v2, json_t **out, struct awserr *e)
{
	struct store_tpl *rows;
	char *after = NULL, *next = NULL;
	size_t limit = TPL_PAGE_DEFAULT;
	json_t *list;
	long n, i;

	if (json_is_integer(size)) {
		/* EMU: the models give no range; the documented 1-100 is
		 * enforced with a message of sesbox's. */
		if (json_integer_value(size) < 1 ||
		    json_integer_value(size) > TPL_PAGE_MAX)
			return tpl_op_fail(e, v2, TPL_C_PARAM, "%s must be "
			    "between 1 and %d.", size_name, TPL_PAGE_MAX);
		limit = (size_t)json_integer_value(size);
	}
	if (json_is_string(token) && (after =
	    op_token_decode(json_string_value(token))) == NULL)
		return tpl_op_fail(e, v2, TPL_C_PARAM, "Invalid NextToken: %s",
		    json_string_value(token));
	n = store_tpl_list(ctx->store, ctx->account, ctx->region, after,
	    limit, &rows);
	free(after);
	if (n < 0)
		return tpl_store_fail(e);
	if ((size_t)n > limit)
		next = op_token_encode(rows[limit - 1].name);
	list = json_array();
	for (i = 0; i < n && (size_t)i < limit; i++)
		json_array_append_new(list, json_pack("{s:s,s:I}",
		    v2 ? "TemplateName" : "Name", rows[i].name,
		    "CreatedTimestamp", (json_int_t)rows[i].created_ms));
	store_tpls_free(rows, (size_t)n);
	*out = json_pack("{s:o}", "TemplatesMetadata", list);
	if (next != NULL)
		json_object_set_new(*out, "NextToken", json_string(next));
	free(next);
	return 0;
}

static int
tpl_test_render(struct op_ctx *ctx, const json_t *in, int v2, json_t **out,
    struct awserr *e)
{
	const char *name = tpl_str(in, "TemplateName");
	const json_t *raw = json_object_get(in, "TemplateData");
	char err[TPL_ERROR_MAX_BYTES];
	enum tpl_error kind;
	struct store_tpl t;
	json_error_t jerr;
	json_t *data;
	char *msg;
	size_t len;

	if (tpl_load(ctx, name, v2, &t, e) != 0)
		return -1;
	data = json_loadb(json_string_value(raw), json_string_length(raw), 0,
	    &jerr);
	if (!json_is_object(data)) {
		json_decref(data);
		store_tpl_fini(&t);
		/* AWS: TemplateData that is not a JSON object is
		 * InvalidRenderingParameter (BC-SES). EMU: the text is
		 * moto's, SES's was not found. */
		return tpl_op_fail(e, v2, TPL_C_RENDER_PARAM, "Template "
		    "rendering data is invalid");
	}
	msg = tpl_render_message_at(t.subject, t.text, t.html, data,
	    ctx->now_ms, &len, &kind, err);
	json_decref(data);
	store_tpl_fini(&t);
	if (msg == NULL)
		/* AWS: a missing attribute is MissingRenderingAttribute
		 * with tpl's text (SES-REFERENCE §8.2). A stored template
		 * always parses, so what remains is a render over the
		 * limits: the data's fault. */
		return tpl_op_fail(e, v2, kind == TPL_ERR_MISSING ?
		    TPL_C_RENDER_MISSING : TPL_C_RENDER_PARAM, "%s", err);
	*out = json_object();
	json_object_set_new(*out, "RenderedTemplate", json_stringn(msg, len));
	free(msg);
	return 0;
}

/* ---- handlers ---- */

static int
op_create_v1(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const json_t *t = json_object_get(in, "Template");

	(void)out;
	return tpl_create(ctx, tpl_str(t, "TemplateName"), t, NULL, 0, e);
}

static int
op_create_v2(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	(void)out;
	return tpl_create(ctx, tpl_str(in, "TemplateName"),
	    json_object_get(in, "TemplateContent"), json_object_get(in,
	    "Tags"), 1, e);
}

static int
op_get_v1(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	return tpl_get(ctx, in, 0, out, e);
}

static int
op_get_v2(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	return tpl_get(ctx, in, 1, out, e);
}

static int
op_update_v1(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const json_t *t = json_object_get(in, "Template");

	(void)out;
	return tpl_update(ctx, tpl_str(t, "TemplateName"), t, 0, e);
}

static int
op_update_v2(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	(void)out;
	return tpl_update(ctx, tpl_str(in, "TemplateName"),
	    json_object_get(in, "TemplateContent"), 1, e);
}

static int
op_delete_v1(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	(void)out;
	return tpl_delete(ctx, in, 0, e);
}

static int
op_delete_v2(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	(void)out;
	return tpl_delete(ctx, in, 1, e);
}

static int
op_list_v1(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	return tpl_list(ctx, json_object_get(in, "NextToken"),
	    json_object_get(in, "MaxItems"), "MaxItems", 0, out, e);
}

static int
op_list_v2(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	return tpl_list(ctx, json_object_get(in, "NextToken"),
	    json_object_get(in, "PageSize"), "PageSize", 1, out, e);
}

static int
op_render_v1(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	return tpl_test_render(ctx, in, 0, out, e);
}

static int
op_render_v2(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	return tpl_test_render(ctx, in, 1, out, e);
}

const struct op_entry op_tpl_table[] = {
	{ "ses", "CreateTemplate", op_create_v1 },
	{ "ses", "DeleteTemplate", op_delete_v1 },
	{ "ses", "GetTemplate", op_get_v1 },
	{ "ses", "ListTemplates", op_list_v1 },
	{ "ses", "TestRenderTemplate", op_render_v1 },
	{ "ses", "UpdateTemplate", op_update_v1 },
	{ "sesv2", "CreateEmailTemplate", op_create_v2 },
	{ "sesv2", "DeleteEmailTemplate", op_delete_v2 },
	{ "sesv2", "GetEmailTemplate", op_get_v2 },
	{ "sesv2", "ListEmailTemplates", op_list_v2 },
	{ "sesv2", "TestRenderEmailTemplate", op_render_v2 },
	{ "sesv2", "UpdateEmailTemplate", op_update_v2 },
	{ NULL, NULL, NULL },
};
