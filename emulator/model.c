/*
 * model — the SES service models as C tables (see model.h).
 *
 * Two passes per service: first every shape gets a slot (sorted by name so
 * look-ups are binary searches), then members, limits and operations are
 * filled in with pointers between slots. The JSON tree is dropped afterwards;
 * strings are copied so nothing points into it.
 */
#include "model.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed.h"
#include "xmem.h"

/* The embedded models, in index order: SES first (model_op_count counts
 * those), then SNS. */
static const struct {
	const char *name;
	const char *path;
} model_files[] = {
	{ "ses", "emulator/models/ses/2010-12-01/service-2.json" },
	{ "sesv2", "emulator/models/sesv2/2019-09-27/service-2.json" },
	{ "sns", "emulator/models/sns/2010-03-31/service-2.json" },
};
#define MODEL_NSERVICES (sizeof(model_files) / sizeof(model_files[0]))
#define MODEL_NSES 2		/* ses and sesv2 */

static struct model_service model_services[MODEL_NSERVICES];
static size_t model_nops_total;		/* every service */
static size_t model_nops_ses;		/* ses and sesv2 */
static const struct model_op **model_ops_by_index;

static const char *const model_type_names[] = {
	[MODEL_STRUCTURE] = "structure",
	[MODEL_LIST] = "list",
	[MODEL_MAP] = "map",
	[MODEL_STRING] = "string",
	[MODEL_INTEGER] = "integer",
	[MODEL_LONG] = "long",
	[MODEL_FLOAT] = "float",
	[MODEL_DOUBLE] = "double",
	[MODEL_BOOLEAN] = "boolean",
	[MODEL_TIMESTAMP] = "timestamp",
	[MODEL_BLOB] = "blob",
};

const char *
model_type_name(enum model_type t)
{
	return model_type_names[t];
}

static int
model_type_parse(const char *s, enum model_type *t)
{
	size_t i;

	for (i = 0; i < sizeof(model_type_names) / sizeof(model_type_names[0]);
	    i++) {
		if (strcmp(s, model_type_names[i]) == 0) {
			*t = (enum model_type)i;
			return 0;
		}
	}
	return -1;
}

static const char *
model_strdup_or_null(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? xstrdup(s) : NULL;
}

static int
model_cmp_shape(const void *a, const void *b)
{
	return strcmp(((const struct model_shape *)a)->name,
	    ((const struct model_shape *)b)->name);
}

static int
model_cmp_op(const void *a, const void *b)
{
	return strcmp(((const struct model_op *)a)->name,
	    ((const struct model_op *)b)->name);
}

const struct model_shape *
model_shape_find(const struct model_service *svc, const char *name)
{
	struct model_shape key = { .name = name };

	return bsearch(&key, svc->shapes, svc->nshapes, sizeof(key),
	    model_cmp_shape);
}

const struct model_op *
model_op_find(const struct model_service *svc, const char *name)
{
	struct model_op key = { .name = name };

	return bsearch(&key, svc->ops, svc->nops, sizeof(key), model_cmp_op);
}

const struct model_member *
model_member_find(const struct model_shape *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nmembers; i++)
		if (strcmp(s->members[i].name, name) == 0)
			return &s->members[i];
	return NULL;
}

const struct model_shape *
model_error_find(const struct model_service *svc, const char *code)
{
	size_t i;

	for (i = 0; i < svc->nshapes; i++)
		if (svc->shapes[i].exception &&
		    strcmp(svc->shapes[i].error_code, code) == 0)
			return &svc->shapes[i];
	return NULL;
}

/* Fills m from a member reference {"shape": ..., "location": ...}. */
static int
model_member_fill(struct model_service *svc, struct model_member *m,
    const char *name, json_t *ref, char *err, size_t errlen)
{
	const char *shape = json_string_value(json_object_get(ref, "shape"));
	const char *loc = json_string_value(json_object_get(ref, "location"));
	const char *wire = json_string_value(json_object_get(ref, "locationName"));

	m->name = xstrdup(name);
	m->wire_name = xstrdup(wire != NULL ? wire : name);
	if (shape == NULL ||
	    (m->shape = model_shape_find(svc, shape)) == NULL) {
		snprintf(err, errlen, "%s: member %s: unknown shape %s",
		    svc->name, name, shape ? shape : "(none)");
		return -1;
	}
	m->location = MODEL_LOC_BODY;
	if (loc == NULL)
		;
	else if (strcmp(loc, "uri") == 0)
		m->location = MODEL_LOC_URI;
	else if (strcmp(loc, "querystring") == 0)
		m->location = MODEL_LOC_QUERY;
	else if (strcmp(loc, "header") == 0)
		m->location = MODEL_LOC_HEADER;
	else if (strcmp(loc, "headers") == 0)
		m->location = MODEL_LOC_HEADERS;
	else if (strcmp(loc, "statusCode") == 0)
		m->location = MODEL_LOC_STATUS;
	else {
		snprintf(err, errlen, "%s: member %s: unknown location %s",
		    svc->name, name, loc);
		return -1;
	}
	m->idempotency_token =
	    json_is_true(json_object_get(ref, "idempotencyToken"));
	return 0;
}

static struct model_member *
model_member_new(struct model_service *svc, const char *name, json_t *ref,
    char *err, size_t errlen)
{
	struct model_member *m = xcalloc(1, sizeof(*m));

	if (model_member_fill(svc, m, name, ref, err, errlen) != 0)
		return NULL;
	return m;
}

static int
model_shape_fill(struct model_service *svc, struct model_shape *s, json_t *j,
    char *err, size_t errlen)
{
	json_t *v, *members, *req, *err_trait;
	const char *key;
	size_t i;

	if ((v = json_object_get(j, "min")) != NULL && json_is_number(v)) {
		s->has_min = 1;
		s->min = json_number_value(v);
	}
	if ((v = json_object_get(j, "max")) != NULL && json_is_number(v)) {
		s->has_max = 1;
		s->max = json_number_value(v);
	}
	s->pattern = model_strdup_or_null(j, "pattern");
	s->timestamp_format = model_strdup_or_null(j, "timestampFormat");
	s->flattened = json_is_true(json_object_get(j, "flattened"));
	s->sensitive = json_is_true(json_object_get(j, "sensitive"));
	if ((v = json_object_get(j, "enum")) != NULL) {
		s->nenums = json_array_size(v);
		s->enums = xcalloc(s->nenums, sizeof(*s->enums));
		for (i = 0; i < s->nenums; i++)
			s->enums[i] = xstrdup(json_string_value(
			    json_array_get(v, i)));
	}
	if ((members = json_object_get(j, "members")) != NULL) {
		s->nmembers = json_object_size(members);
		s->members = xcalloc(s->nmembers, sizeof(*s->members));
		i = 0;
		/* Model order: jansson keeps insertion order of objects. */
		json_object_foreach(members, key, v) {
			if (model_member_fill(svc, &s->members[i++], key, v,
			    err, errlen) != 0)
				return -1;
		}
		req = json_object_get(j, "required");
		for (i = 0; i < json_array_size(req); i++) {
			const char *rn = json_string_value(json_array_get(req, i));
			struct model_member *m = (struct model_member *)
			    model_member_find(s, rn ? rn : "");

			if (m == NULL) {
				snprintf(err, errlen, "%s: %s: required "
				    "member %s is not a member", svc->name,
				    s->name, rn ? rn : "(null)");
				return -1;
			}
			m->required = 1;
		}
	}
	if ((v = json_object_get(j, "member")) != NULL &&
	    (s->member = model_member_new(svc, "member", v, err, errlen)) ==
	    NULL)
		return -1;
	if ((v = json_object_get(j, "key")) != NULL &&
	    (s->key = model_member_new(svc, "key", v, err, errlen)) == NULL)
		return -1;
	if ((v = json_object_get(j, "value")) != NULL &&
	    (s->value = model_member_new(svc, "value", v, err, errlen)) == NULL)
		return -1;
	if (json_is_true(json_object_get(j, "exception"))) {
		err_trait = json_object_get(j, "error");
		s->exception = 1;
		s->fault = json_is_true(json_object_get(j, "fault"));
		key = json_string_value(json_object_get(err_trait, "code"));
		s->error_code = xstrdup(key != NULL ? key : s->name);
		v = json_object_get(err_trait, "httpStatusCode");
		s->error_status = json_is_integer(v) ?
		    (int)json_integer_value(v) : (s->fault ? 500 : 400);
	}
	return 0;
}

/* The uri-bound input member whose wire name is label, or NULL. */
static const struct model_member *
model_uri_member(const struct model_shape *in, const char *label)
{
	size_t i;

	for (i = 0; in != NULL && i < in->nmembers; i++)
		if (in->members[i].location == MODEL_LOC_URI &&
		    strcmp(in->members[i].wire_name, label) == 0)
			return &in->members[i];
	return NULL;
}

/* Splits "/v2/email/identities/{EmailIdentity}" into segments. */
static int
model_op_uri(struct model_service *svc, struct model_op *op, char *err,
    size_t errlen)
{
	char *uri = xstrdup(op->request_uri), *q, *p, *seg, *save = NULL;
	size_t n = 0, len;
	int rc = 0;

	if ((q = strchr(uri, '?')) != NULL)
		*q = '\0';
	for (p = uri; *p; p++)
		if (*p == '/')
			n++;
	op->segments = xcalloc(n + 1, sizeof(*op->segments));
	for (seg = strtok_r(uri, "/", &save); seg != NULL;
	    seg = strtok_r(NULL, "/", &save)) {
		struct model_segment *s = &op->segments[op->nsegments++];

		len = strlen(seg);
		if (seg[0] == '{' && len > 2 && seg[len - 1] == '}') {
			seg[len - 1] = '\0';
			seg++;
			if ((len = strlen(seg)) > 0 && seg[len - 1] == '+') {
				s->greedy = 1;
				seg[len - 1] = '\0';
			}
			s->label = model_uri_member(op->input, seg);
			if (s->label == NULL) {
				snprintf(err, errlen, "%s: %s: URI label %s "
				    "is not an input member", svc->name,
				    op->name, seg);
				rc = -1;
				break;
			}
		} else {
			s->literal = xstrdup(seg);
			op->nliterals++;
		}
	}
	free(uri);
	return rc;
}

static int
model_op_fill(struct model_service *svc, struct model_op *op, json_t *j,
    char *err, size_t errlen)
{
	json_t *http = json_object_get(j, "http"), *errors, *v;
	const char *name;
	size_t i;

	op->service = svc;
	op->method = model_strdup_or_null(http, "method");
	op->request_uri = model_strdup_or_null(http, "requestUri");
	v = json_object_get(http, "responseCode");
	op->response_code = json_is_integer(v) ? (int)json_integer_value(v) :
	    200;
	if (op->method == NULL || op->request_uri == NULL) {
		snprintf(err, errlen, "%s: %s: no http binding", svc->name,
		    op->name);
		return -1;
	}
	if ((name = json_string_value(json_object_get(json_object_get(j,
	    "input"), "shape"))) != NULL &&
	    (op->input = model_shape_find(svc, name)) == NULL)
		goto unknown;
	v = json_object_get(j, "output");
	if ((name = json_string_value(json_object_get(v, "shape"))) != NULL &&
	    (op->output = model_shape_find(svc, name)) == NULL)
		goto unknown;
	op->result_wrapper = model_strdup_or_null(v, "resultWrapper");
	errors = json_object_get(j, "errors");
	op->errors = xcalloc(json_array_size(errors) + 1, sizeof(*op->errors));
	for (i = 0; i < json_array_size(errors); i++) {
		name = json_string_value(json_object_get(json_array_get(errors,
		    i), "shape"));
		if (name == NULL ||
		    (op->errors[op->nerrors++] = model_shape_find(svc, name)) ==
		    NULL)
			goto unknown;
	}
	return model_op_uri(svc, op, err, errlen);
unknown:
	snprintf(err, errlen, "%s: %s: unknown shape %s", svc->name, op->name,
	    name ? name : "(none)");
	return -1;
}

static int
model_service_load(struct model_service *svc, const char *name,
    const char *path, char *err, size_t errlen)
{
	const struct embed_file *f = embed_find(path);
	json_t *root, *meta, *shapes, *ops, *v;
	json_error_t jerr;
	const char *key;
	size_t i;
	int rc = -1;

	if (f == NULL) {
		snprintf(err, errlen, "%s: not embedded", path);
		return -1;
	}
	if ((root = json_loadb((const char *)f->data, f->len, 0, &jerr)) ==
	    NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	meta = json_object_get(root, "metadata");
	svc->name = xstrdup(name);
	svc->api_version = model_strdup_or_null(meta, "apiVersion");
	svc->protocol = model_strdup_or_null(meta, "protocol");
	svc->xml_namespace = model_strdup_or_null(meta, "xmlNamespace");
	svc->botocore_version = model_strdup_or_null(meta,
	    "sesboxBotocoreVersion");
	if (svc->api_version == NULL || svc->protocol == NULL) {
		snprintf(err, errlen, "%s: metadata incomplete", path);
		goto out;
	}
	svc->rest = strcmp(svc->protocol, "rest-json") == 0;

	shapes = json_object_get(root, "shapes");
	svc->nshapes = json_object_size(shapes);
	svc->shapes = xcalloc(svc->nshapes, sizeof(*svc->shapes));
	i = 0;
	json_object_foreach(shapes, key, v) {
		struct model_shape *s = &svc->shapes[i++];
		const char *type = json_string_value(json_object_get(v, "type"));

		s->name = xstrdup(key);
		if (type == NULL || model_type_parse(type, &s->type) != 0) {
			snprintf(err, errlen, "%s: shape %s: bad type", path,
			    key);
			goto out;
		}
	}
	qsort(svc->shapes, svc->nshapes, sizeof(*svc->shapes),
	    model_cmp_shape);
	for (i = 0; i < svc->nshapes; i++)
		if (model_shape_fill(svc, &svc->shapes[i],
		    json_object_get(shapes, svc->shapes[i].name), err,
		    errlen) != 0)
			goto out;

	ops = json_object_get(root, "operations");
	svc->nops = json_object_size(ops);
	svc->ops = xcalloc(svc->nops, sizeof(*svc->ops));
	i = 0;
	json_object_foreach(ops, key, v)
		svc->ops[i++].name = xstrdup(key);
	qsort(svc->ops, svc->nops, sizeof(*svc->ops), model_cmp_op);
	for (i = 0; i < svc->nops; i++)
		if (model_op_fill(svc, &svc->ops[i], json_object_get(ops,
		    svc->ops[i].name), err, errlen) != 0)
			goto out;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int
model_load(char *err, size_t errlen)
{
	size_t i, j, n = 0;

	model_nops_total = model_nops_ses = 0;
	for (i = 0; i < MODEL_NSERVICES; i++) {
		if (model_service_load(&model_services[i], model_files[i].name,
		    model_files[i].path, err, errlen) != 0)
			return -1;
		model_nops_total += model_services[i].nops;
		if (i < MODEL_NSES)
			model_nops_ses += model_services[i].nops;
	}
	model_ops_by_index = xcalloc(model_nops_total,
	    sizeof(*model_ops_by_index));
	for (i = 0; i < MODEL_NSERVICES; i++) {
		for (j = 0; j < model_services[i].nops; j++) {
			model_services[i].ops[j].index = n;
			model_ops_by_index[n++] = &model_services[i].ops[j];
		}
	}
	return 0;
}

static void
model_member_fini(struct model_member *m)
{
	if (m == NULL)
		return;
	free((char *)m->name);
	free((char *)m->wire_name);
}

static void
model_service_free(struct model_service *svc)
{
	size_t i, k;

	for (i = 0; i < svc->nshapes; i++) {
		struct model_shape *s = &svc->shapes[i];
		struct model_member *one[] = { s->member, s->key, s->value };

		free((char *)s->name);
		free((char *)s->pattern);
		free((char *)s->timestamp_format);
		free((char *)s->error_code);
		for (k = 0; k < s->nenums; k++)
			free((char *)s->enums[k]);
		free(s->enums);
		for (k = 0; k < s->nmembers; k++)
			model_member_fini(&s->members[k]);
		free(s->members);
		for (k = 0; k < 3; k++) {
			model_member_fini(one[k]);
			free(one[k]);
		}
	}
	for (i = 0; i < svc->nops; i++) {
		struct model_op *op = &svc->ops[i];

		free((char *)op->name);
		free((char *)op->method);
		free((char *)op->request_uri);
		free((char *)op->result_wrapper);
		for (k = 0; k < op->nsegments; k++)
			free((char *)op->segments[k].literal);
		free(op->segments);
		free(op->errors);
	}
	free(svc->shapes);
	free(svc->ops);
	free((char *)svc->name);
	free((char *)svc->api_version);
	free((char *)svc->protocol);
	free((char *)svc->xml_namespace);
	free((char *)svc->botocore_version);
	memset(svc, 0, sizeof(*svc));
}

void
model_free(void)
{
	size_t i;

	for (i = 0; i < MODEL_NSERVICES; i++)
		model_service_free(&model_services[i]);
	free(model_ops_by_index);
	model_ops_by_index = NULL;
	model_nops_total = model_nops_ses = 0;
}

const struct model_service *
model_ses(void)
{
	return &model_services[0];
}

const struct model_service *
model_sesv2(void)
{
	return &model_services[1];
}

const struct model_service *
model_sns(void)
{
	return &model_services[2];
}

size_t
model_op_count(void)
{
	return model_nops_ses;
}

size_t
model_op_slots(void)
{
	return model_nops_total;
}

const struct model_op *
model_op_at(size_t index)
{
	return index < model_nops_ses ? model_ops_by_index[index] : NULL;
}
