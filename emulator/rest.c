/*
 * rest — the SES v2 REST-JSON protocol codec (see rest.h).
 */
#include "rest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "valid.h"
#include "xmem.h"

#define REST_PATH_MAX_BYTES 512
#define REST_BAD "BadRequestException"

/* ---- routing ---- */

struct rest_segs {
	char *v[REST_PATH_SEGMENTS_MAX];	/* raw, still percent-encoded */
	size_t n;
	char *copy;
};

static int
rest_split(const char *path, struct rest_segs *s)
{
	char *p, *save = NULL;

	s->n = 0;
	s->copy = xstrdup(path);
	for (p = strtok_r(s->copy, "/", &save); p != NULL;
	    p = strtok_r(NULL, "/", &save)) {
		if (s->n == REST_PATH_SEGMENTS_MAX)
			return -1;
		s->v[s->n++] = p;
	}
	return 0;
}

/* Returns the specificity of op for segs (literals * 2 - greedy), or -1. */
static int
rest_match_op(const struct model_op *op, const struct rest_segs *s)
{
	size_t i;

	for (i = 0; i < op->nsegments; i++) {
		const struct model_segment *t = &op->segments[i];

		if (t->greedy)
			return i < s->n ? (int)op->nliterals * 2 : -1;
		if (i >= s->n)
			return -1;
		if (t->literal != NULL && strcmp(t->literal, s->v[i]) != 0)
			return -1;
	}
	return i == s->n ? (int)op->nliterals * 2 + 1 : -1;
}

static char *
rest_unescape(const char *raw, size_t n)
{
	char *v = xstrndup(raw, n);
	long k = wire_percent_decode(v, n, 0);

	if (k < 0 || !wire_utf8_valid(v, (size_t)k)) {
		free(v);
		return NULL;
	}
	v[k] = '\0';
	return v;
}

const struct model_op *
rest_route(const struct model_service *svc, const char *method,
    const char *path, struct rest_match *m, struct awserr *e)
{
	const struct model_op *best = NULL, *other = NULL;
	struct rest_segs s;
	int score, best_score = -1;
	size_t i, k;

	memset(m, 0, sizeof(*m));
	if (rest_split(path, &s) == 0) {
		for (i = 0; i < svc->nops; i++) {
			const struct model_op *op = &svc->ops[i];

			if ((score = rest_match_op(op, &s)) < 0)
				continue;
			if (strcmp(op->method, method) != 0) {
				other = op;
				continue;
			}
			if (score > best_score) {
				best = op;
				best_score = score;
			}
		}
	}
	if (best == NULL) {
		/* AWS: Coral answers an unknown REST route with 404
		 * UnknownOperationException. */
		if (other != NULL)
			awserr_set(e, "UnknownOperationException", "%s %s is "
			    "not an operation: %s takes %s", method, path,
			    other->request_uri, other->method);
		else
			awserr_set(e, "UnknownOperationException", "%s %s is "
			    "not an SES v2 operation", method, path);
		free(s.copy);
		return NULL;
	}
	for (i = 0; i < best->nsegments && m->n < REST_LABELS_MAX; i++) {
		const struct model_segment *t = &best->segments[i];
		char *v;

		if (t->label == NULL)
			continue;
		if (t->greedy) {
			const char *start = s.v[i];
			const char *end = s.v[s.n - 1] + strlen(s.v[s.n - 1]);

			/* strtok_r wrote NULs between segments: restore. */
			for (k = i; k + 1 < s.n; k++)
				s.v[k][strlen(s.v[k])] = '/';
			v = rest_unescape(start, (size_t)(end - start));
		} else {
			v = rest_unescape(s.v[i], strlen(s.v[i]));
		}
		if (v == NULL) {
			awserr_set(e, REST_BAD, "Path label %s is not valid "
			    "percent-encoded UTF-8", t->label->name);
			free(s.copy);
			rest_match_fini(m);
			return NULL;
		}
		m->members[m->n] = t->label;
		m->values[m->n++] = v;
		if (t->greedy)
			break;
	}
	free(s.copy);
	return best;
}

void
rest_match_fini(struct rest_match *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->values[i]);
	m->n = 0;
}

/* ---- decoding ---- */

struct rest_dec {
	struct awserr *e;
	char path[REST_PATH_MAX_BYTES];
};

static int
rest_type_error(struct rest_dec *d, const char *path, const char *want)
{
	/* EMU: Coral's deserializer wording is not captured anywhere; the
	 * error code is the one SES v2 models for bad input. */
	awserr_set(d->e, REST_BAD, "Value at '%s' failed to deserialize: "
	    "expected %s", *path ? path : "body", want);
	return -1;
}

/* Converts a text value (label, query, header) to the shape's type. */
static int
rest_from_text(struct rest_dec *d, const struct model_shape *s,
    const char *text, const char *path, json_t **out)
{
	char *end;
	long long ll;
	double dd;
	int64_t ms;

	switch (s->type) {
	case MODEL_STRING:
		*out = json_string_nocheck(text);
		return 0;
	case MODEL_BOOLEAN:
		if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0)
			return rest_type_error(d, path, "a boolean");
		*out = json_boolean(strcmp(text, "true") == 0);
		return 0;
	case MODEL_INTEGER:
	case MODEL_LONG:
		errno = 0;
		ll = strtoll(text, &end, 10);
		if (*text == '\0' || *end != '\0' || errno != 0)
			return rest_type_error(d, path, "an integer");
		*out = json_integer(ll);
		return 0;
	case MODEL_FLOAT:
	case MODEL_DOUBLE:
		dd = strtod(text, &end);
		if (*text == '\0' || *end != '\0')
			return rest_type_error(d, path, "a number");
		*out = json_real(dd);
		return 0;
	case MODEL_TIMESTAMP:
		if (wire_timestamp_parse(text, &ms) != 0)
			return rest_type_error(d, path, "a timestamp");
		*out = json_integer(ms);
		return 0;
	default:
		return rest_type_error(d, path, "a scalar value");
	}
}

static int rest_from_json(struct rest_dec *d, const struct model_shape *s,
    json_t *v, size_t plen, json_t **out);

/* Appends ".name" (".N.member" for list index >= 0) to d->path at plen. */
static size_t
rest_path_push(struct rest_dec *d, size_t plen, const char *name, int index)
{
	char seg[128];

	if (index >= 0)
		snprintf(seg, sizeof(seg), ".%d.member", index + 1);
	else
		valid_member_path(seg, sizeof(seg), "", name);
	snprintf(d->path + plen, sizeof(d->path) - plen, "%s%s",
	    plen && index < 0 ? "." : "", seg);
	return strlen(d->path);
}

static int
rest_from_struct(struct rest_dec *d, const struct model_shape *s, json_t *v,
    size_t plen, json_t **out)
{
	const struct model_member *m;
	const char *key;
	json_t *mv, *obj, *conv;
	size_t i, n;

	if (!json_is_object(v))
		return rest_type_error(d, d->path, "an object");
	obj = json_object();
	json_object_foreach(v, key, mv) {
		m = NULL;
		for (i = 0; i < s->nmembers; i++) {
			if (s->members[i].location == MODEL_LOC_BODY &&
			    strcmp(s->members[i].wire_name, key) == 0) {
				m = &s->members[i];
				break;
			}
		}
		if (m == NULL) {
			/* EMU: Coral ignores unknown JSON members; sesbox
			 * names them so a misspelt field fails loudly. */
			awserr_set(d->e, REST_BAD, "Unknown field '%s' in %s",
			    key, *d->path ? d->path : "the request body");
			json_decref(obj);
			return -1;
		}
		if (json_is_null(mv))
			continue;
		n = rest_path_push(d, plen, m->name, -1);
		conv = NULL;
		if (rest_from_json(d, m->shape, mv, n, &conv) != 0) {
			json_decref(obj);
			return -1;
		}
		d->path[plen] = '\0';
		json_object_set_new_nocheck(obj, m->name, conv);
	}
	*out = obj;
	return 0;
}

static int
rest_from_json(struct rest_dec *d, const struct model_shape *s, json_t *v,
    size_t plen, json_t **out)
{
	const char *key;
	json_t *e, *conv, *res;
	size_t i, n;
	unsigned char *bytes;
	long blen;
	int64_t ms;

	switch (s->type) {
	case MODEL_STRUCTURE:
		return rest_from_struct(d, s, v, plen, out);
	case MODEL_LIST:
		if (!json_is_array(v))
			return rest_type_error(d, d->path, "a list");
		res = json_array();
		json_array_foreach(v, i, e) {
			n = rest_path_push(d, plen, "", (int)i);
			if (json_is_null(e) ||
			    rest_from_json(d, s->member->shape, e, n, &conv) !=
			    0) {
				if (json_is_null(e))
					rest_type_error(d, d->path, "a value, "
					    "not null");
				json_decref(res);
				return -1;
			}
			json_array_append_new(res, conv);
		}
		d->path[plen] = '\0';
		*out = res;
		return 0;
	case MODEL_MAP:
		if (!json_is_object(v))
			return rest_type_error(d, d->path, "a map");
		res = json_object();
		json_object_foreach(v, key, e) {
			snprintf(d->path + plen, sizeof(d->path) - plen, ".%s",
			    key);
			if (json_is_null(e) ||
			    rest_from_json(d, s->value->shape, e, strlen(
			    d->path), &conv) != 0) {
				if (json_is_null(e))
					rest_type_error(d, d->path, "a value, "
					    "not null");
				json_decref(res);
				return -1;
			}
			json_object_set_new(res, key, conv);
		}
		d->path[plen] = '\0';
		*out = res;
		return 0;
	case MODEL_STRING:
		if (!json_is_string(v))
			return rest_type_error(d, d->path, "a string");
		*out = json_incref(v);
		return 0;
	case MODEL_BOOLEAN:
		if (!json_is_boolean(v))
			return rest_type_error(d, d->path, "a boolean");
		*out = json_incref(v);
		return 0;
	case MODEL_INTEGER:
	case MODEL_LONG:
		if (!json_is_integer(v))
			return rest_type_error(d, d->path, "an integer");
		*out = json_incref(v);
		return 0;
	case MODEL_FLOAT:
	case MODEL_DOUBLE:
		if (!json_is_number(v))
			return rest_type_error(d, d->path, "a number");
		*out = json_real(json_number_value(v));
		return 0;
	case MODEL_TIMESTAMP:
		/* AWS: rest-json timestamps are epoch seconds; ISO-8601
		 * strings are accepted as well. */
		if (json_is_number(v))
			ms = (int64_t)(json_number_value(v) * 1000.0);
		else if (!json_is_string(v) ||
		    wire_timestamp_parse(json_string_value(v), &ms) != 0)
			return rest_type_error(d, d->path, "a timestamp");
		*out = json_integer(ms);
		return 0;
	case MODEL_BLOB:
		if (!json_is_string(v))
			return rest_type_error(d, d->path, "a base64 string");
		bytes = xmalloc(json_string_length(v) / 4 * 3 + 1);
		blen = buf_base64_decode(json_string_value(v),
		    json_string_length(v), bytes);
		if (blen < 0) {
			free(bytes);
			return rest_type_error(d, d->path, "a base64 string");
		}
		*out = json_stringn_nocheck((const char *)bytes, (size_t)blen);
		free(bytes);
		return 0;
	}
	return -1;
}

static int
rest_has_body_members(const struct model_shape *s)
{
	size_t i;

	for (i = 0; i < s->nmembers; i++)
		if (s->members[i].location == MODEL_LOC_BODY)
			return 1;
	return 0;
}

/* Adds the query-string members of op's input to in. */
static int
rest_decode_query(struct rest_dec *d, const struct model_op *op,
    const char *query, json_t *in)
{
	char *copy, *p, *save = NULL, *eq;
	const struct model_member *m;
	json_t *v, *list;
	long k;
	size_t i;
	int rc = 0;

	if (query == NULL || *query == '\0')
		return 0;
	copy = xstrdup(query);
	for (p = strtok_r(copy, "&", &save); p != NULL && rc == 0;
	    p = strtok_r(NULL, "&", &save)) {
		char *val = p + strlen(p);	/* writable: "" in the copy */

		if ((eq = strchr(p, '=')) != NULL) {
			*eq = '\0';
			val = eq + 1;
		}
		if ((k = wire_percent_decode(p, strlen(p), 1)) < 0)
			goto malformed;
		p[k] = '\0';
		if ((k = wire_percent_decode(val, strlen(val), 1)) < 0 ||
		    !wire_utf8_valid(val, (size_t)k))
			goto malformed;
		val[k] = '\0';
		m = NULL;
		for (i = 0; i < op->input->nmembers; i++)
			if (op->input->members[i].location ==
			    MODEL_LOC_QUERY &&
			    strcmp(op->input->members[i].wire_name, p) == 0)
				m = &op->input->members[i];
		/* Other parameters (presigning, cache busters) are ignored. */
		if (m == NULL)
			continue;
		valid_member_path(d->path, sizeof(d->path), "", m->name);
		v = NULL;
		if (m->shape->type == MODEL_LIST) {
			if ((list = json_object_get(in, m->name)) == NULL) {
				list = json_array();
				json_object_set_new(in, m->name, list);
			}
			if ((rc = rest_from_text(d, m->shape->member->shape, val,
			    d->path, &v)) == 0)
				json_array_append_new(list, v);
		} else if (json_object_get(in, m->name) == NULL &&
		    (rc = rest_from_text(d, m->shape, val, d->path, &v)) == 0) {
			json_object_set_new(in, m->name, v);
		}
	}
	free(copy);
	return rc;
malformed:
	awserr_set(d->e, REST_BAD, "Malformed query string: invalid "
	    "percent-encoding or UTF-8 in parameter %s", p);
	free(copy);
	return -1;
}

static int
rest_decode_headers(struct rest_dec *d, const struct model_op *op,
    const struct wire_header *headers, size_t nheaders, json_t *in)
{
	const struct model_member *m;
	json_t *v, *map;
	size_t i, k, plen;

	for (i = 0; i < op->input->nmembers; i++) {
		m = &op->input->members[i];
		if (m->location == MODEL_LOC_HEADER) {
			for (k = 0; k < nheaders; k++) {
				if (strcasecmp(headers[k].name, m->wire_name))
					continue;
				valid_member_path(d->path, sizeof(d->path), "",
				    m->name);
				if (rest_from_text(d, m->shape,
				    headers[k].value, d->path, &v) != 0)
					return -1;
				json_object_set_new(in, m->name, v);
				break;
			}
		} else if (m->location == MODEL_LOC_HEADERS) {
			plen = strlen(m->wire_name);
			map = json_object();
			for (k = 0; k < nheaders; k++)
				if (strncasecmp(headers[k].name, m->wire_name,
				    plen) == 0)
					json_object_set_new(map,
					    headers[k].name + plen,
					    json_string(headers[k].value));
			if (json_object_size(map) > 0)
				json_object_set_new(in, m->name, map);
			else
				json_decref(map);
		}
	}
	return 0;
}

int
rest_decode(const struct model_op *op, const struct rest_match *m,
    const char *query, const struct wire_header *headers, size_t nheaders,
    const char *body, size_t body_len, json_t **in, struct awserr *e)
{
	struct rest_dec d = { .e = e };
	json_t *obj = NULL, *parsed, *v;
	json_error_t jerr;
	size_t i;

	*in = NULL;
	if (op->input == NULL) {
		*in = json_object();
		return 0;
	}
	if (rest_has_body_members(op->input) && body_len > 0) {
		parsed = json_loadb(body, body_len, JSON_REJECT_DUPLICATES,
		    &jerr);
		if (parsed == NULL) {
			/* EMU: SES v2 models BadRequestException for input
			 * it cannot read. */
			awserr_set(e, REST_BAD, "Malformed JSON body: %s "
			    "(line %d, column %d)", jerr.text, jerr.line,
			    jerr.column);
			return -1;
		}
		if (!json_is_object(parsed)) {
			json_decref(parsed);
			awserr_set(e, REST_BAD, "The request body must be a "
			    "JSON object");
			return -1;
		}
		d.path[0] = '\0';
		i = rest_from_struct(&d, op->input, parsed, 0, &obj);
		json_decref(parsed);
		if (i != 0)
			return -1;
	}
	if (obj == NULL)
		obj = json_object();
	for (i = 0; i < m->n; i++) {
		valid_member_path(d.path, sizeof(d.path), "", m->members[i]->name);
		if (rest_from_text(&d, m->members[i]->shape, m->values[i],
		    d.path, &v) != 0)
			goto fail;
		json_object_set_new(obj, m->members[i]->name, v);
	}
	if (rest_decode_query(&d, op, query, obj) != 0 ||
	    rest_decode_headers(&d, op, headers, nheaders, obj) != 0 ||
	    valid_input(op->input, obj, REST_BAD, e) != 0)
		goto fail;
	*in = obj;
	return 0;
fail:
	json_decref(obj);
	return -1;
}

/* ---- encoding ---- */

static json_t *
rest_to_json(const struct model_shape *s, const json_t *v)
{
	const char *key;
	json_t *res, *e, *mv;
	struct buf b;
	size_t i;
	int64_t ms = 0;

	switch (s->type) {
	case MODEL_STRUCTURE:
		res = json_object();
		for (i = 0; i < s->nmembers; i++) {
			const struct model_member *m = &s->members[i];

			if (m->location != MODEL_LOC_BODY)
				continue;
			mv = json_object_get(v, m->name);
			if (mv != NULL && !json_is_null(mv))
				json_object_set_new(res, m->wire_name,
				    rest_to_json(m->shape, mv));
		}
		return res;
	case MODEL_LIST:
		res = json_array();
		json_array_foreach(v, i, e)
			json_array_append_new(res, rest_to_json(
			    s->member->shape, e));
		return res;
	case MODEL_MAP:
		res = json_object();
		json_object_foreach((json_t *)v, key, e)
			json_object_set_new(res, key, rest_to_json(
			    s->value->shape, e));
		return res;
	case MODEL_TIMESTAMP:
		if (json_is_integer(v))
			ms = json_integer_value(v);
		else if (json_is_real(v))
			return json_real(json_real_value(v));
		else if (json_is_string(v) &&
		    wire_timestamp_parse(json_string_value(v), &ms) != 0)
			ms = 0;
		/* AWS: rest-json timestamps are epoch seconds. */
		if (ms % 1000 == 0)
			return json_integer(ms / 1000);
		return json_real((double)ms / 1000.0);
	case MODEL_DOUBLE:
	case MODEL_FLOAT:
		return json_real(json_number_value(v));
	case MODEL_BLOB:
		buf_init(&b);
		buf_base64(&b, (const unsigned char *)json_string_value(v),
		    json_string_length(v));
		res = json_stringn(b.data ? b.data : "", b.len);
		buf_fini(&b);
		return res;
	default:
		return json_incref((json_t *)v);
	}
}

void
rest_out_header(struct rest_out *r, const char *name, const char *value)
{
	if (r->nheaders == REST_OUT_HEADERS_MAX)
		return;
	r->headers[r->nheaders].name = name;
	r->headers[r->nheaders++].value = xstrdup(value);
}

void
rest_encode(const struct model_op *op, const json_t *out, struct rest_out *r)
{
	json_t *body;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->status = op->response_code;
	if (op->output == NULL || out == NULL) {
		r->body = xstrdup("{}");
		r->body_len = 2;
		return;
	}
	for (i = 0; i < op->output->nmembers; i++) {
		const struct model_member *m = &op->output->members[i];
		const json_t *mv = json_object_get(out, m->name);

		if (mv == NULL)
			continue;
		if (m->location == MODEL_LOC_STATUS && json_is_integer(mv))
			r->status = (int)json_integer_value(mv);
		else if (m->location == MODEL_LOC_HEADER &&
		    json_is_string(mv))
			rest_out_header(r, m->wire_name,
			    json_string_value(mv));
	}
	body = rest_to_json(op->output, out);
	r->body = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(16));
	r->body_len = strlen(r->body);
	json_decref(body);
}

void
rest_error(const struct model_service *svc, const struct awserr *e,
    struct rest_out *r)
{
	const struct model_shape *ex;
	json_t *body;

	memset(r, 0, sizeof(*r));
	if (e->http_status != 0)
		r->status = e->http_status;
	else if ((ex = model_error_find(svc, e->code)) != NULL)
		r->status = ex->error_status;
	else if ((r->status = awserr_status_unmodelled(e->code, 1)) == 0)
		r->status = 400;
	/* AWS: the code travels in x-amzn-ErrorType, the text in "message"
	 * (botocore RestJSONParser; SES-REFERENCE §2.2). */
	rest_out_header(r, "x-amzn-ErrorType", e->code);
	body = json_pack("{s:s}", "message", e->message);
	r->body = json_dumps(body, JSON_COMPACT);
	r->body_len = strlen(r->body);
	json_decref(body);
}

void
rest_out_fini(struct rest_out *r)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		free((char *)r->headers[i].value);
	free(r->body);
	memset(r, 0, sizeof(*r));
}
