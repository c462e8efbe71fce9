/*
 * track — open and click tracking (see track.h).
 */
#include "track.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "evt.h"
#include "log.h"
#include "store.h"
#include "store_send.h"
#include "store_track.h"
#include "tclock.h"
#include "wire.h"
#include "xmem.h"

/* AWS: open and click URLs end in a 28-character signature (SES-REFERENCE
 * §12). EMU: sesbox's is a digest of the MessageId, not checked. */
#define TRACK_SIG_CHARS 28

/* A 1x1 transparent GIF. */
static const unsigned char track_gif[] = {
	0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
};

static void
track_sig(const char *message_id, char out[TRACK_SIG_CHARS + 1])
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789-_";
	uint64_t h = 1469598103934665603ULL;
	const char *p;
	int i;

	for (p = message_id; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (i = 0; i < TRACK_SIG_CHARS; i++) {
		out[i] = digits[h % 64];
		h = h * 6364136223846793005ULL + 1442695040888963407ULL;
	}
	out[TRACK_SIG_CHARS] = '\0';
}

/* AWS: the link percent-encoded into one path segment, ':' kept (§12). */
static void
track_encode(struct buf *b, const char *url, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)url[i];
		if (isalnum(c) || strchr("-._~:", c) != NULL) {
			buf_putc(b, (char)c);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

/* One attribute of a tag: [name, name_end), value [val, val_end) (no
 * quotes), the whole [start, end). */
struct track_attr {
	const char *start, *end, *name, *name_end, *val, *val_end;
};

/* Parses the next attribute at *p (inside a tag). Returns 0 at '>'. */
static int
track_next_attr(const char **p, const char *end, struct track_attr *a)
{
	const char *q = *p;
	char quote;

	while (q < end && isspace((unsigned char)*q))
		q++;
	if (q >= end || *q == '>' || (*q == '/' && q + 1 < end &&
	    q[1] == '>'))
		return (*p = q, 0);
	a->start = a->name = q;
	while (q < end && !isspace((unsigned char)*q) && *q != '=' &&
	    *q != '>')
		q++;
	a->name_end = q;
	a->val = a->val_end = q;
	if (q < end && *q == '=') {
		q++;
		if (q < end && (*q == '"' || *q == '\'')) {
			quote = *q++;
			a->val = q;
			while (q < end && *q != quote)
				q++;
			a->val_end = q;
			if (q < end)
				q++;
		} else {
			a->val = q;
			while (q < end && !isspace((unsigned char)*q) &&
			    *q != '>')
				q++;
			a->val_end = q;
		}
	}
	a->end = q;
	*p = q;
	return 1;
}

static int
track_attr_is(const struct track_attr *a, const char *name)
{
	size_t n = strlen(name);

	return (size_t)(a->name_end - a->name) == n &&
	    strncasecmp(a->name, name, n) == 0;
}

/* AWS: ses:tags="k1:v1;k2:v2;" → {"k1": ["v1"], "k2": ["v2"]} (§12). */
static json_t *
track_tags(const char *s, const char *end)
{
	json_t *tags = json_object();
	const char *semi, *colon;
	char *k, *v;

	while (s < end) {
		if ((semi = memchr(s, ';', (size_t)(end - s))) == NULL)
			semi = end;
		if ((colon = memchr(s, ':', (size_t)(semi - s))) != NULL &&
		    colon > s) {
			k = xstrndup(s, (size_t)(colon - s));
			v = xstrndup(colon + 1, (size_t)(semi - colon - 1));
			json_object_set_new(tags, k, json_pack("[s]", v));
			free(k);
			free(v);
		}
		s = semi + (semi < end);
	}
	return tags;
}

/* An href value as the link it stands for: HTML's &amp; undone (new). */
static char *
track_link(const char *v, const char *end)
{
	char *out = xmalloc((size_t)(end - v) + 1), *o = out;

	while (v < end) {
		if (end - v >= 5 && strncmp(v, "&amp;", 5) == 0) {
			*o++ = '&';
			v += 5;
		} else {
			*o++ = *v++;
		}
	}
	*o = '\0';
	return out;
}

/* One <a ...> tag at [p, end) (p at '<'), rewritten into b. Returns the
 * position after it. */
static const char *
track_anchor(struct buf *b, const char *p, const char *end,
    const struct track_opts *o, json_t *links)
{
	struct track_attr a, attrs[64], *href = NULL, *tags = NULL;
	const char *q = p + 2, *tag_end;
	char sig[TRACK_SIG_CHARS + 1], *link;
	int no_track = 0;
	size_t n = 0, i;

	while (n < 64 && track_next_attr(&q, end, &a)) {
		attrs[n++] = a;
		if (track_attr_is(&a, "href"))
			href = &attrs[n - 1];
		else if (track_attr_is(&a, "ses:no-track"))
			no_track = 1;
		else if (track_attr_is(&a, "ses:tags"))
			tags = &attrs[n - 1];
	}
	if ((tag_end = memchr(q, '>', (size_t)(end - q))) == NULL) {
		buf_append(b, p, (size_t)(end - p));
		return end;
	}
	tag_end++;
	buf_puts(b, "<a");
	for (i = 0; i < n; i++) {
		/* AWS: ses:no-track and ses:tags are not delivered. */
		if (track_attr_is(&attrs[i], "ses:no-track") ||
		    track_attr_is(&attrs[i], "ses:tags"))
			continue;
		buf_putc(b, ' ');
		if (&attrs[i] != href || no_track || !o->clicks ||
		    !((attrs[i].val_end - attrs[i].val > 7 &&
		    strncasecmp(attrs[i].val, "http://", 7) == 0) ||
		    (attrs[i].val_end - attrs[i].val > 8 &&
		    strncasecmp(attrs[i].val, "https://", 8) == 0))) {
			buf_append(b, attrs[i].start, (size_t)(attrs[i].end -
			    attrs[i].start));
			continue;
		}
		link = track_link(href->val, href->val_end);
		json_array_append_new(links, json_pack("{s:s,s:o}", "url",
		    link, "tags", tags != NULL ? track_tags(tags->val,
		    tags->val_end) : json_object()));
		track_sig(o->message_id, sig);
		buf_printf(b, "href=\"%s%sL0/", o->base, TRACK_PATH);
		track_encode(b, link, strlen(link));
		free(link);
		buf_printf(b, "/1/%s/%s=%zu\"", o->message_id, sig,
		    json_array_size(links));
	}
	buf_append(b, q, (size_t)(tag_end - q));
	return tag_end;
}

char *
track_html(const char *html, const struct track_opts *o, json_t *links)
{
	static const char tracker[] = "{{ses:openTracker}}";
	const char *p = html, *end = html + strlen(html), *lt, *mark;
	char sig[TRACK_SIG_CHARS + 1], pixel[512];
	struct buf b;

	buf_init(&b);
	track_sig(o->message_id, sig);
	/* AWS: the pixel's markup as SES writes it (§12). */
	snprintf(pixel, sizeof(pixel), "<img alt=\"\" src=\"%s%sI0/%s/%s\" "
	    "style=\"display: none; width: 1px; height: 1px;\">", o->base,
	    TRACK_PATH, o->message_id, sig);
	mark = o->opens ? strstr(html, tracker) : NULL;
	while (p < end) {
		lt = strchr(p, '<');
		if (mark != NULL && mark >= p && (lt == NULL || mark < lt)) {
			buf_append(&b, p, (size_t)(mark - p));
			buf_puts(&b, pixel);
			p = mark + sizeof(tracker) - 1;
			mark = NULL;
			continue;
		}
		if (lt == NULL) {
			buf_puts(&b, p);
			break;
		}
		buf_append(&b, p, (size_t)(lt - p));
		if ((lt[1] == 'a' || lt[1] == 'A') && lt + 2 < end &&
		    isspace((unsigned char)lt[2])) {
			p = track_anchor(&b, lt, end, o, links);
		} else {
			buf_putc(&b, '<');
			p = lt + 1;
		}
	}
	if (o->opens && strstr(html, tracker) == NULL)
		buf_puts(&b, pixel);
	return buf_steal(&b, NULL);
}

/* ---- the endpoints ---- */

static const char *
track_header(const struct route_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return "";
}

static void
track_not_found(struct route_response *resp)
{
	route_json(resp, 404, json_pack("{s:s,s:s}", "code", "NotFound",
	    "message", "no such tracked message or link"));
}

/* Records an event of message_id's in s's transaction. Returns 0, 1 when
 * there is no such message, or -1. */
static int
track_record(struct store *s, const char *message_id, const char *type,
    const json_t *detail, int64_t now)
{
	char *account = NULL, *region = NULL;
	int rc;

	rc = store_track_owner(s, message_id, &account, &region);
	if (rc == 0)
		rc = store_event_insert(s, account, region, message_id, type,
		    now, detail);
	free(account);
	free(region);
	return rc;
}

int
track_open_record(struct store *s, const char *message_id, const char *ip,
    const char *user_agent, int64_t now_ms)
{
	json_t *detail = evt_open_detail(&(struct evt_open){ .timestamp_ms =
	    now_ms, .user_agent = user_agent, .ip_address = ip });
	int rc = track_record(s, message_id, "Open", detail, now_ms);

	json_decref(detail);
	return rc;
}

int
track_click_record(struct store *s, const char *message_id, int n,
    const char *ip, const char *user_agent, int64_t now_ms, char **link)
{
	json_t *tags = NULL, *detail;
	int rc;

	*link = NULL;
	if ((rc = store_track_link_get(s, message_id, n, link, &tags)) != 0)
		return rc;
	detail = evt_click_detail(&(struct evt_click){ .timestamp_ms = now_ms,
	    .ip_address = ip, .user_agent = user_agent, .link = *link,
	    .link_tags = json_object_size(tags) ? tags : NULL });
	rc = track_record(s, message_id, "Click", detail, now_ms);
	json_decref(detail);
	json_decref(tags);
	if (rc != 0) {
		free(*link);
		*link = NULL;
	}
	return rc;
}

/* Runs an open (n 0) or a click (n > 0) in its own transaction. Returns
 * 0, or non-zero when there is nothing to record or it failed. */
static int
track_hit(const char *message_id, int n, const struct route_request *req,
    int64_t now, char **link)
{
	struct store *s = store_write_begin();
	const char *ua = track_header(req, "User-Agent");
	int rc;

	*link = NULL;
	if (s == NULL)
		return -1;
	rc = n == 0 ? track_open_record(s, message_id, req->source_ip, ua,
	    now) : track_click_record(s, message_id, n, req->source_ip, ua,
	    now, link);
	if (store_write_end(s, rc == 0) != 0)
		rc = -1;
	if (rc != 0) {
		free(*link);
		*link = NULL;
	}
	return rc;
}

void
track_handle(const struct route_request *req, struct route_response *resp)
{
	const char *rest = req->path + strlen(TRACK_PATH), *slash, *eq;
	char mid[128], *link = NULL;
	int64_t now = tclock_now_ms();
	long n;

	if (strncmp(rest, "I0/", 3) == 0) {
		/* I0/<MessageId>/<signature> */
		if ((slash = strchr(rest + 3, '/')) == NULL ||
		    (size_t)(slash - rest - 3) >= sizeof(mid))
			return track_not_found(resp);
		snprintf(mid, sizeof(mid), "%.*s", (int)(slash - rest - 3),
		    rest + 3);
		if (track_hit(mid, 0, req, now, &link) != 0)
			return track_not_found(resp);
		resp->status = 200;
		resp->content_type = "image/gif";
		resp->body = xmalloc(sizeof(track_gif));
		memcpy(resp->body, track_gif, sizeof(track_gif));
		resp->body_len = sizeof(track_gif);
		return;
	}
	/* L0/<link>/1/<MessageId>/<signature>=<n>: read from the end. */
	if (strncmp(rest, "L0/", 3) != 0 || (eq = strrchr(rest, '=')) ==
	    NULL || (n = strtol(eq + 1, NULL, 10)) < 1 || n > INT32_MAX ||
	    (slash = strrchr(rest, '/')) == NULL || slash < rest + 3)
		return track_not_found(resp);
	{
		const char *mid_end = slash, *mid_start = mid_end;

		while (mid_start > rest && mid_start[-1] != '/')
			mid_start--;
		if ((size_t)(mid_end - mid_start) >= sizeof(mid))
			return track_not_found(resp);
		snprintf(mid, sizeof(mid), "%.*s", (int)(mid_end - mid_start),
		    mid_start);
	}
	if (track_hit(mid, (int)n, req, now, &link) != 0)
		return track_not_found(resp);
	resp->status = 302;
	resp->content_type = "text/plain";
	route_header(resp, "Location", link);
	resp->body = xstrdup("");
	resp->body_len = 0;
	free(link);
}
