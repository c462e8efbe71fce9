/*
 * qry — the SES v1 Query protocol codec (see qry.h).
 *
 * Parameters are kept sorted by name, so an exact look-up and the "does any
 * parameter start with X." test are both binary searches; decoding walks the
 * input shape and asks for the names it expects, marking each one used.
 * Whatever is left unused afterwards is an unknown parameter.
 */
#include "qry.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "valid.h"
#include "wire.h"
#include "xmem.h"

struct qry_param {
	char *name;
	char *value;
	size_t value_len;
	int used;
	size_t seq;	/* arrival order: the first of equal names wins */
};

struct qry_params {
	struct qry_param *v;
	size_t n;
	size_t cap;
	int sorted;
};

/*
 * Parameters that carry protocol or signature data rather than input:
 * never reported as unknown.
 */
static const char *const qry_meta_params[] = {
	"AWSAccessKeyId", "Action", "Expires", "SecurityToken", "Signature",
	"SignatureMethod", "SignatureVersion", "Timestamp", "Version",
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-Security-Token", "X-Amz-Signature", "X-Amz-SignedHeaders",
};

struct qry_params *
qry_params_new(void)
{
	return xcalloc(1, sizeof(struct qry_params));
}

void
qry_params_free(struct qry_params *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		free(p->v[i].name);	/* value shares the allocation */
	free(p->v);
	free(p);
}

static int
qry_param_decode(char *s, size_t n, size_t *out, const char *what,
    struct awserr *e)
{
	long k = wire_percent_decode(s, n, 1);

	if (k < 0) {
		/* AWS: MalformedQueryString, "The query string contains a
		 * syntax error." (AWS Common Errors) */
		awserr_set(e, "MalformedQueryString", "The query string "
		    "contains a syntax error: invalid percent-encoding in %s",
		    what);
		return -1;
	}
	s[k] = '\0';
	if (!wire_utf8_valid(s, (size_t)k)) {
		awserr_set(e, "MalformedQueryString", "The query string "
		    "contains a syntax error: %s is not valid UTF-8", what);
		return -1;
	}
	*out = (size_t)k;
	return 0;
}

int
qry_params_add(struct qry_params *p, const char *s, size_t n,
    struct awserr *e)
{
	const char *end = s + n, *amp;
	struct qry_param *q;
	size_t len, nlen, vlen;
	char *copy, *eq, *value;

	while (s < end) {
		if ((amp = memchr(s, '&', (size_t)(end - s))) == NULL)
			amp = end;
		len = (size_t)(amp - s);
		if (len == 0) {
			s = amp + 1;
			continue;
		}
		if (p->n >= QRY_PARAMS_MAX) {
			awserr_set(e, "MalformedQueryString", "The query "
			    "string contains a syntax error: more than %d "
			    "parameters", QRY_PARAMS_MAX);
			return -1;
		}
		copy = xmalloc(len + 2);
		memcpy(copy, s, len);
		copy[len] = copy[len + 1] = '\0';
		if ((eq = memchr(copy, '=', len)) != NULL) {
			nlen = (size_t)(eq - copy);
			value = eq + 1;
			vlen = len - nlen - 1;
			*eq = '\0';
		} else {
			nlen = len;
			value = copy + len + 1;
			vlen = 0;
		}
		if (qry_param_decode(copy, nlen, &nlen, "a parameter name",
		    e) != 0 ||
		    qry_param_decode(value, vlen, &vlen, copy, e) != 0) {
			free(copy);
			return -1;
		}
		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 16;
			p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
		}
		q = &p->v[p->n++];
		q->name = copy;
		q->value = value;
		q->value_len = vlen;
		q->used = 0;
		q->seq = p->n;
		p->sorted = 0;
		s = amp + 1;
	}
	return 0;
}

static int
qry_cmp_param(const void *a, const void *b)
{
	int c = strcmp(((const struct qry_param *)a)->name,
	    ((const struct qry_param *)b)->name);

	if (c == 0)
		c = ((const struct qry_param *)a)->seq <
		    ((const struct qry_param *)b)->seq ? -1 : 1;
	return c;
}

static void
qry_params_sort(struct qry_params *p)
{
	if (!p->sorted) {
		if (p->n > 1)
			qsort(p->v, p->n, sizeof(*p->v), qry_cmp_param);
		p->sorted = 1;
	}
}

/* Index of the first parameter whose name is >= key. */
static size_t
qry_lower_bound(const struct qry_params *p, const char *key)
{
	size_t lo = 0, hi = p->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(p->v[mid].name, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct qry_param *
qry_find(struct qry_params *p, const char *name)
{
	size_t i;

	qry_params_sort(p);
	i = qry_lower_bound(p, name);
	if (i < p->n && strcmp(p->v[i].name, name) == 0)
		return &p->v[i];
	return NULL;
}

const char *
qry_params_get(struct qry_params *p, const char *name)
{
	struct qry_param *q = qry_find(p, name);

	return q != NULL ? q->value : NULL;
}

/* Non-zero when some parameter is called prefix or starts with "prefix.". */
static int
qry_present(struct qry_params *p, const char *prefix)
{
	size_t i, n = strlen(prefix);

	qry_params_sort(p);
	i = qry_lower_bound(p, prefix);
	for (; i < p->n && strncmp(p->v[i].name, prefix, n) == 0; i++)
		if (p->v[i].name[n] == '\0' || p->v[i].name[n] == '.')
			return 1;
	return 0;
}

struct qry_dec {
	struct qry_params *p;
	struct awserr *e;
	char name[QRY_NAME_MAX_BYTES];
};

static int qry_decode_value(struct qry_dec *d, const struct model_shape *s,
    size_t plen, json_t **out);

/* Appends ".part" (or "part" at the start) to d->name; -1 when too long. */
static int
qry_name_push(struct qry_dec *d, size_t plen, const char *part)
{
	return str_join(d->name + plen, sizeof(d->name) - plen,
	    plen ? "." : "", part, "");
}

/* Writes "{prefix}{i}" (prefix at most 10 bytes) into idx[32]. */
static void
qry_index(char *idx, const char *prefix, size_t i)
{
	size_t n = strlen(prefix);

	memcpy(idx, prefix, n);
	str_size(idx + n, i);
}

static int
qry_type_error(struct qry_dec *d, const char *value, const char *want)
{
	char path[QRY_NAME_MAX_BYTES];
	size_t i;

	/* Coral paths lower-case each segment's first letter. */
	snprintf(path, sizeof(path), "%s", d->name);
	for (i = 0; path[i] != '\0'; i++)
		if (i == 0 || path[i - 1] == '.')
			path[i] = (char)tolower((unsigned char)path[i]);
	/* EMU: Coral's wording for a value that does not parse as its type
	 * is not captured anywhere; this follows its constraint style. */
	awserr_set(d->e, "ValidationError", "1 validation error detected: "
	    "Value '%s' at '%s' failed to satisfy constraint: Member must be "
	    "%s", value, path, want);
	return -1;
}

static int
qry_decode_scalar(struct qry_dec *d, const struct model_shape *s,
    struct qry_param *q, json_t **out)
{
	const char *v = q->value;
	char *end;
	long long ll;
	double dd;
	int64_t ms;
	unsigned char *bytes;
	long blen;

	q->used = 1;
	switch (s->type) {
	case MODEL_STRING:
		*out = json_stringn_nocheck(v, q->value_len);
		return 0;
	case MODEL_BOOLEAN:
		if (strcmp(v, "true") == 0)
			*out = json_true();
		else if (strcmp(v, "false") == 0)
			*out = json_false();
		else
			return qry_type_error(d, v, "a boolean (true or "
			    "false)");
		return 0;
	case MODEL_INTEGER:
	case MODEL_LONG:
		errno = 0;
		ll = strtoll(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 ||
		    (s->type == MODEL_INTEGER && (ll > 2147483647LL ||
		    ll < -2147483648LL)))
			return qry_type_error(d, v, s->type == MODEL_INTEGER ?
			    "an integer" : "a long integer");
		*out = json_integer(ll);
		return 0;
	case MODEL_FLOAT:
	case MODEL_DOUBLE:
		dd = strtod(v, &end);
		if (*v == '\0' || *end != '\0')
			return qry_type_error(d, v, "a number");
		*out = json_real(dd);
		return 0;
	case MODEL_TIMESTAMP:
		if (wire_timestamp_parse(v, &ms) != 0)
			return qry_type_error(d, v, "a timestamp (ISO-8601 or "
			    "epoch seconds)");
		*out = json_integer(ms);
		return 0;
	case MODEL_BLOB:
		bytes = xmalloc(q->value_len / 4 * 3 + 1);
		blen = buf_base64_decode(v, q->value_len, bytes);
		if (blen < 0) {
			free(bytes);
			return qry_type_error(d, "...", "base64-encoded");
		}
		*out = json_stringn_nocheck((const char *)bytes, (size_t)blen);
		free(bytes);
		return 0;
	default:
		return -1;
	}
}

static int
qry_decode_struct(struct qry_dec *d, const struct model_shape *s, size_t plen,
    json_t **out)
{
	json_t *obj = NULL, *v;
	size_t i;
	int n;

	for (i = 0; i < s->nmembers; i++) {
		const struct model_member *m = &s->members[i];

		if ((n = qry_name_push(d, plen, m->wire_name)) < 0)
			continue;
		v = NULL;
		if (qry_decode_value(d, m->shape, plen + (size_t)n, &v) != 0) {
			json_decref(obj);
			return -1;
		}
		if (v != NULL) {
			if (obj == NULL)
				obj = json_object();
			json_object_set_new_nocheck(obj, m->name, v);
		}
	}
	*out = obj;
	return 0;
}

static int
qry_decode_list(struct qry_dec *d, const struct model_shape *s, size_t plen,
    json_t **out)
{
	struct qry_param *empty;
	json_t *arr = NULL, *v;
	size_t i;
	int n;

	/* AWS: an empty list is sent as "Name=" (botocore query serializer). */
	d->name[plen] = '\0';
	if ((empty = qry_find(d->p, d->name)) != NULL &&
	    empty->value_len == 0) {
		empty->used = 1;
		arr = json_array();
	}
	for (i = 1;; i++) {
		char idx[32];

		qry_index(idx, s->flattened ? "" : "member.", i);
		if ((n = qry_name_push(d, plen, idx)) < 0 ||
		    !qry_present(d->p, d->name))
			break;
		v = NULL;
		if (qry_decode_value(d, s->member->shape, plen + (size_t)n,
		    &v) != 0) {
			json_decref(arr);
			return -1;
		}
		if (arr == NULL)
			arr = json_array();
		json_array_append_new(arr, v != NULL ? v : json_object());
	}
	*out = arr;
	return 0;
}

static int
qry_decode_map(struct qry_dec *d, const struct model_shape *s, size_t plen,
    json_t **out)
{
	json_t *obj = NULL, *k, *v;
	size_t i;
	int n;

	for (i = 1;; i++) {
		char idx[32];

		qry_index(idx, s->flattened ? "" : "entry.", i);
		if ((n = qry_name_push(d, plen, idx)) < 0 ||
		    !qry_present(d->p, d->name))
			break;
		k = v = NULL;
		if (qry_name_push(d, plen + (size_t)n, s->key->wire_name) < 0 ||
		    qry_decode_value(d, s->key->shape, strlen(d->name), &k) !=
		    0)
			goto fail;
		if (qry_name_push(d, plen + (size_t)n, s->value->wire_name) <
		    0 || qry_decode_value(d, s->value->shape, strlen(d->name),
		    &v) != 0)
			goto fail;
		if (obj == NULL)
			obj = json_object();
		if (json_is_string(k))
			json_object_setn_new_nocheck(obj, json_string_value(k),
			    json_string_length(k), v != NULL ? v : json_null());
		else
			json_decref(v);
		json_decref(k);
	}
	*out = obj;
	return 0;
fail:
	json_decref(k);
	json_decref(v);
	json_decref(obj);
	return -1;
}

static int
qry_decode_value(struct qry_dec *d, const struct model_shape *s, size_t plen,
    json_t **out)
{
	struct qry_param *q;

	d->name[plen] = '\0';
	switch (s->type) {
	case MODEL_STRUCTURE:
		return qry_decode_struct(d, s, plen, out);
	case MODEL_LIST:
		return qry_decode_list(d, s, plen, out);
	case MODEL_MAP:
		return qry_decode_map(d, s, plen, out);
	default:
		if ((q = qry_find(d->p, d->name)) == NULL)
			return 0;
		return qry_decode_scalar(d, s, q, out);
	}
}

static int
qry_is_meta(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(qry_meta_params) / sizeof(qry_meta_params[0]);
	    i++)
		if (strcmp(name, qry_meta_params[i]) == 0)
			return 1;
	return 0;
}

int
qry_decode_input(const struct model_shape *shape, struct qry_params *p,
    json_t **in, struct awserr *e)
{
	struct qry_dec d = { .p = p, .e = e };

	*in = NULL;
	if (shape != NULL && qry_decode_struct(&d, shape, 0, in) != 0)
		return -1;
	if (*in == NULL)
		*in = json_object();
	return 0;
}

int
qry_decode(const struct model_service *svc, struct qry_params *p,
    const struct model_op **op, json_t **in, struct awserr *e)
{
	const char *action = qry_params_get(p, "Action");
	json_t *v = NULL;
	size_t i;

	*in = NULL;
	if (action == NULL || *action == '\0') {
		/* AWS: MissingAction (AWS Common Errors). */
		awserr_set(e, "MissingAction", "Missing Action");
		return -1;
	}
	if ((*op = model_op_find(svc, action)) == NULL) {
		/* AWS: InvalidAction, 400 (AWS Common Errors). */
		awserr_set(e, "InvalidAction", "The action %s is not valid "
		    "for this web service.", action);
		return -1;
	}
	if (qry_decode_input((*op)->input, p, &v, e) != 0)
		return -1;
	for (i = 0; i < p->n; i++) {
		/* Sorted: a repeat of a used name is taken as used (the
		 * first one wins). */
		if (i > 0 && p->v[i - 1].used &&
		    strcmp(p->v[i - 1].name, p->v[i].name) == 0)
			p->v[i].used = 1;
		if (!p->v[i].used && !qry_is_meta(p->v[i].name)) {
			/* EMU: real SES ignores parameters its model does not
			 * know; sesbox names them so typos fail loudly. */
			awserr_set(e, "ValidationError", "1 validation error "
			    "detected: Parameter '%s' is not a member of "
			    "%s's input", p->v[i].name, (*op)->name);
			json_decref(v);
			return -1;
		}
	}
	if (valid_input((*op)->input, v, "ValidationError", e) != 0) {
		json_decref(v);
		return -1;
	}
	*in = v;
	return 0;
}

/* ---- encoding ---- */

static void qry_xml_value(struct buf *b, const struct model_shape *s,
    const json_t *v);

static void
qry_xml_timestamp(struct buf *b, const json_t *v)
{
	char ts[WIRE_TIMESTAMP_MAX_BYTES];
	int64_t ms = 0;

	if (json_is_integer(v))
		ms = json_integer_value(v);
	else if (json_is_real(v))
		ms = (int64_t)(json_real_value(v) * 1000.0);
	else if (json_is_string(v) &&
	    wire_timestamp_parse(json_string_value(v), &ms) != 0)
		ms = 0;
	wire_timestamp_iso(ms, ts);
	buf_puts(b, ts);
}

static void
qry_xml_element(struct buf *b, const char *name, const struct model_shape *s,
    const json_t *v)
{
	buf_printf(b, "<%s>", name);
	qry_xml_value(b, s, v);
	buf_printf(b, "</%s>", name);
}

static void
qry_xml_value(struct buf *b, const struct model_shape *s, const json_t *v)
{
	char num[WIRE_DOUBLE_MAX_BYTES];
	const char *key;
	json_t *e;
	size_t i, k;

	switch (s->type) {
	case MODEL_STRUCTURE:
		for (i = 0; i < s->nmembers; i++) {
			const struct model_member *m = &s->members[i];
			const json_t *mv = json_object_get(v, m->name);

			if (mv == NULL || json_is_null(mv))
				continue;
			if (m->shape->type == MODEL_LIST &&
			    m->shape->flattened) {
				json_array_foreach(mv, k, e)
					qry_xml_element(b, m->wire_name,
					    m->shape->member->shape, e);
				continue;
			}
			qry_xml_element(b, m->wire_name, m->shape, mv);
		}
		break;
	case MODEL_LIST:
		json_array_foreach(v, i, e)
			qry_xml_element(b, strcmp(s->member->wire_name,
			    "member") ? s->member->wire_name : "member",
			    s->member->shape, e);
		break;
	case MODEL_MAP:
		json_object_foreach((json_t *)v, key, e) {
			buf_puts(b, "<entry><key>");
			buf_xml_escape(b, key, strlen(key));
			buf_puts(b, "</key>");
			qry_xml_element(b, "value", s->value->shape, e);
			buf_puts(b, "</entry>");
		}
		break;
	case MODEL_STRING:
		if (json_is_string(v))
			buf_xml_escape(b, json_string_value(v),
			    json_string_length(v));
		break;
	case MODEL_BOOLEAN:
		buf_puts(b, json_is_true(v) ? "true" : "false");
		break;
	case MODEL_INTEGER:
	case MODEL_LONG:
		buf_printf(b, "%lld", (long long)json_number_value(v));
		break;
	case MODEL_FLOAT:
	case MODEL_DOUBLE:
		wire_double_java(json_number_value(v), num);
		buf_puts(b, num);
		break;
	case MODEL_TIMESTAMP:
		qry_xml_timestamp(b, v);
		break;
	case MODEL_BLOB:
		buf_base64(b, (const unsigned char *)json_string_value(v),
		    json_string_length(v));
		break;
	}
}

char *
qry_encode(const struct model_op *op, const json_t *out,
    const char *request_id, size_t *len)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "<%sResponse xmlns=\"%s\">\n", op->name,
	    op->service->xml_namespace);
	if (op->output != NULL) {
		const char *wrap = op->result_wrapper ? op->result_wrapper :
		    "Result";
		size_t mark;

		buf_printf(&b, "  <%s>", wrap);
		mark = b.len;
		if (out != NULL)
			qry_xml_value(&b, op->output, out);
		if (b.len == mark) {
			/* AWS: an empty result is an empty element,
			 * e.g. <VerifyEmailIdentityResult/>. */
			b.len -= 1;
			buf_puts(&b, "/>\n");
		} else {
			buf_printf(&b, "</%s>\n", wrap);
		}
	}
	buf_printf(&b, "  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n"
	    "  </ResponseMetadata>\n</%sResponse>\n", request_id, op->name);
	return buf_steal(&b, len);
}

char *
qry_error(const struct model_service *svc, const struct awserr *e,
    const char *request_id, int *status, size_t *len)
{
	const struct model_shape *ex;
	struct buf b;

	if (e->http_status != 0)
		*status = e->http_status;
	else if ((*status = awserr_status_unmodelled(e->code, 0)) == 0)
		*status = (ex = model_error_find(svc, e->code)) != NULL ?
		    ex->error_status : 400;
	buf_init(&b);
	/* AWS: RequestId is a child of ErrorResponse, not of
	 * ResponseMetadata (SES-REFERENCE §1.3). */
	buf_printf(&b, "<ErrorResponse xmlns=\"%s\">\n  <Error>\n"
	    "    <Type>%s</Type>\n    <Code>", svc->xml_namespace,
	    *status >= 500 ? "Receiver" : "Sender");
	buf_xml_escape(&b, e->code, strlen(e->code));
	buf_puts(&b, "</Code>\n    <Message>");
	buf_xml_escape(&b, e->message, strlen(e->message));
	buf_printf(&b, "</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n"
	    "</ErrorResponse>\n", request_id);
	return buf_steal(&b, len);
}
