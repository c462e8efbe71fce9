/*
 * valid — checks a decoded operation input against its model shape
 * (see valid.h).
 *
 * AWS: the message format is Coral's, as SES answers it, e.g. "1 validation
 * error detected: Value null at 'source' failed to satisfy constraint: Member
 * must not be null" (github.com/aws/aws-sdk-net/issues/1212) and "2
 * validation errors detected: Value null at 'message' ...; Value null at
 * 'destination' ..." (github.com/aws-amplify/aws-sdk-ios/issues/27).
 */
#include "valid.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"

#define VALID_PATH_MAX_BYTES 512
#define VALID_SHOWN_VALUE_MAX_BYTES 200

struct valid_run {
	struct buf msg;
	int count;
};

/*
 * AWS: members whose value SES checks in the operation, with its own code
 * and text, not in model validation: a bad NotificationType answers
 * InvalidParameterValue "Invalid notification type: X. Valid values are:
 * Bounce, Complaint, Delivery." (LS-SES capture, SES-REFERENCE §1.5).
 */
static const struct {
	const char *shape;
	const char *member;
} valid_self_checked[] = {
	{ "SetIdentityHeadersInNotificationsEnabledRequest",
	    "NotificationType" },
};

static int
valid_is_self_checked(const struct model_shape *s, const char *member)
{
	size_t i;

	for (i = 0; i < sizeof(valid_self_checked) /
	    sizeof(valid_self_checked[0]); i++)
		if (strcmp(valid_self_checked[i].shape, s->name) == 0 &&
		    strcmp(valid_self_checked[i].member, member) == 0)
			return 1;
	return 0;
}

void
valid_member_path(char *out, size_t outlen, const char *prefix,
    const char *name)
{
	int n = str_join(out, outlen, prefix, *prefix ? "." : "", name);
	size_t at = strlen(prefix) + (*prefix ? 1 : 0);

	if (n != 0 && at < outlen)
		out[at] = (char)tolower((unsigned char)out[at]);
}

/* Renders v the way Coral quotes a value: 'text', '5', '[a, b]' or null. */
static void
valid_show(struct buf *b, const json_t *v)
{
	size_t i, start = b->len;

	if (v == NULL) {
		buf_puts(b, "null");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		buf_putc(b, '\'');
		buf_append(b, json_string_value(v), json_string_length(v));
		buf_putc(b, '\'');
		break;
	case JSON_INTEGER:
		buf_printf(b, "'%lld'", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		buf_printf(b, "'%g'", json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		buf_printf(b, "'%s'", json_is_true(v) ? "true" : "false");
		break;
	case JSON_ARRAY:
		buf_puts(b, "'[");
		for (i = 0; i < json_array_size(v); i++) {
			const json_t *e = json_array_get(v, i);

			if (i)
				buf_puts(b, ", ");
			if (json_is_string(e))
				buf_puts(b, json_string_value(e));
			else
				buf_puts(b, "...");
			if (b->len - start > VALID_SHOWN_VALUE_MAX_BYTES)
				break;
		}
		buf_puts(b, "]'");
		break;
	default:
		buf_puts(b, "null");
		break;
	}
	if (b->len - start > VALID_SHOWN_VALUE_MAX_BYTES) {
		b->len = start + VALID_SHOWN_VALUE_MAX_BYTES;
		b->data[b->len] = '\0';
		buf_puts(b, "...'");
	}
}

static void
valid_fail(struct valid_run *r, const char *path, const json_t *v,
    const char *constraint)
{
	r->count++;
	if (r->count > VALID_ERRORS_MAX)
		return;
	if (r->count > 1)
		buf_puts(&r->msg, "; ");
	buf_puts(&r->msg, "Value ");
	valid_show(&r->msg, v);
	buf_printf(&r->msg, " at '%s' failed to satisfy constraint: %s", path,
	    constraint);
}

/* Coral prints limits as integers: "less than or equal to 64". */
static void
valid_fail_limit(struct valid_run *r, const char *path, const json_t *v,
    const char *what, const char *cmp, double limit)
{
	char c[128];

	snprintf(c, sizeof(c), "Member must have %s %s %.0f", what, cmp,
	    limit);
	valid_fail(r, path, v, c);
}

static void valid_value(struct valid_run *r, const struct model_shape *s,
    const json_t *v, const char *path);

static void
valid_enum(struct valid_run *r, const struct model_shape *s, const json_t *v,
    const char *path)
{
	struct buf set, c;
	size_t i;

	for (i = 0; i < s->nenums; i++)
		if (strcmp(s->enums[i], json_string_value(v)) == 0)
			return;
	buf_init(&set);
	buf_putc(&set, '[');
	for (i = 0; i < s->nenums; i++) {
		if (i)
			buf_puts(&set, ", ");
		buf_puts(&set, s->enums[i]);
	}
	buf_putc(&set, ']');
	buf_init(&c);
	buf_printf(&c, "Member must satisfy enum value set: %s", set.data);
	valid_fail(r, path, v, c.data);
	buf_fini(&c);
	buf_fini(&set);
}

static void
valid_length(struct valid_run *r, const struct model_shape *s,
    const json_t *v, const char *path, size_t len)
{
	if (s->has_min && (double)len < s->min)
		valid_fail_limit(r, path, v, "length", "greater than or equal "
		    "to", s->min);
	if (s->has_max && (double)len > s->max)
		valid_fail_limit(r, path, v, "length", "less than or equal to",
		    s->max);
}

/*
 * Whether c is in the bracket expression [cls, end): single characters,
 * ranges a-b, \w and backslash-escaped characters.
 */
static int
valid_in_class(const char *cls, const char *end, unsigned char c)
{
	const char *p = cls;
	unsigned char lo, hi;

	while (p < end) {
		if (*p == '\\' && p + 1 < end) {
			if (p[1] == 'w' && (isalnum(c) || c == '_'))
				return 1;
			lo = hi = (unsigned char)p[1];
			p += 2;
		} else {
			lo = hi = (unsigned char)*p++;
		}
		if (p + 1 < end && *p == '-' && p[1] != '\\') {
			hi = (unsigned char)p[1];
			p += 2;
		}
		if (c >= lo && c <= hi)
			return 1;
	}
	return 0;
}

/*
 * AWS: Coral matches a member's pattern against the whole value. The
 * models' patterns that matter here are one bracket expression repeated
 * (^[!-9;-@A-~]+$, [ -~]*); this matches that form and returns 1 or 0,
 * or -1 for any other pattern, which is left to the operation.
 */
static int
valid_pattern_match(const char *pat, const char *v, size_t n)
{
	const char *open = pat + (*pat == '^'), *close;
	size_t plen = strlen(pat), i;
	char q;

	if (*open != '[' || open[1] == '^' ||
	    (close = strchr(open + 1, ']')) == NULL || close[-1] == '\\')
		return -1;
	q = close[1];
	if ((q != '+' && q != '*') || (close + 2 != pat + plen &&
	    (close + 3 != pat + plen || close[2] != '$')))
		return -1;
	if (n == 0)
		return q == '*';
	for (i = 0; i < n; i++)
		if (!valid_in_class(open + 1, close, (unsigned char)v[i]))
			return 0;
	return 1;
}

static void
valid_pattern(struct valid_run *r, const struct model_shape *s,
    const json_t *v, const char *path)
{
	struct buf c;

	if (valid_pattern_match(s->pattern, json_string_value(v),
	    json_string_length(v)) != 0)
		return;
	buf_init(&c);
	buf_printf(&c, "Member must satisfy regular expression pattern: %s",
	    s->pattern);
	valid_fail(r, path, v, c.data);
	buf_fini(&c);
}

static size_t
valid_utf8_chars(const char *s, size_t n)
{
	size_t i, chars = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
	return chars;
}

static void
valid_struct(struct valid_run *r, const struct model_shape *s,
    const json_t *v, const char *path)
{
	char sub[VALID_PATH_MAX_BYTES];
	size_t i;

	for (i = 0; i < s->nmembers; i++) {
		const struct model_member *m = &s->members[i];
		const json_t *mv = json_object_get(v, m->name);

		valid_member_path(sub, sizeof(sub), path, m->name);
		if (mv == NULL || json_is_null(mv)) {
			if (m->required)
				valid_fail(r, sub, NULL, "Member must not be "
				    "null");
			continue;
		}
		if (!valid_is_self_checked(s, m->name))
			valid_value(r, m->shape, mv, sub);
	}
}

static void
valid_value(struct valid_run *r, const struct model_shape *s,
    const json_t *v, const char *path)
{
	char sub[VALID_PATH_MAX_BYTES];
	const char *key;
	json_t *e;
	size_t i;
	double d;

	switch (s->type) {
	case MODEL_STRUCTURE:
		valid_struct(r, s, v, path);
		break;
	case MODEL_LIST:
		valid_length(r, s, v, path, json_array_size(v));
		json_array_foreach(v, i, e) {
			char num[24];

			num[0] = '.';
			str_size(num + 1, i + 1);
			str_join(sub, sizeof(sub), path, num, ".member");
			valid_value(r, s->member->shape, e, sub);
		}
		break;
	case MODEL_MAP:
		valid_length(r, s, v, path, json_object_size(v));
		json_object_foreach((json_t *)v, key, e) {
			str_join(sub, sizeof(sub), path, ".", key);
			valid_value(r, s->value->shape, e, sub);
		}
		break;
	case MODEL_STRING:
		if (s->nenums > 0)
			valid_enum(r, s, v, path);
		valid_length(r, s, v, path, valid_utf8_chars(
		    json_string_value(v), json_string_length(v)));
		if (s->pattern != NULL)
			valid_pattern(r, s, v, path);
		break;
	case MODEL_BLOB:
		valid_length(r, s, v, path, json_string_length(v));
		break;
	case MODEL_INTEGER:
	case MODEL_LONG:
	case MODEL_FLOAT:
	case MODEL_DOUBLE:
		d = json_number_value(v);
		if (s->has_min && d < s->min)
			valid_fail_limit(r, path, v, "value", "greater than or "
			    "equal to", s->min);
		if (s->has_max && d > s->max)
			valid_fail_limit(r, path, v, "value", "less than or "
			    "equal to", s->max);
		break;
	default:
		break;
	}
}

int
valid_input(const struct model_shape *shape, const json_t *in,
    const char *code, struct awserr *e)
{
	struct valid_run r = { .count = 0 };

	if (shape == NULL)
		return 0;
	buf_init(&r.msg);
	valid_struct(&r, shape, in, "");
	if (r.count == 0) {
		buf_fini(&r.msg);
		return 0;
	}
	awserr_set(e, code, "%d validation error%s detected: %s", r.count,
	    r.count == 1 ? "" : "s", r.msg.data);
	buf_fini(&r.msg);
	return -1;
}
