/*
 * fuzz_mime — libFuzzer target: arbitrary bytes as a raw message through
 * mime_parse and, when it parses, the header edits and serialisation the
 * send path makes; the address parsers on the From header; the HTML
 * rewrite open and click tracking makes (track_html on each HTML part),
 * checking that a rewrite that changes nothing keeps every byte.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "track.h"

/* mime_html_fn: the text as it came (so nothing may change). */
static char *
fuzz_same(void *arg, const char *html, size_t len, size_t *out_len)
{
	char *out = malloc(len + 1);

	(void)arg;
	assert(out != NULL && html[len] == '\0');
	memcpy(out, html, len + 1);
	*out_len = len;
	return out;
}

/* mime_html_fn: what send.c does for a tracked raw message. */
static char *
fuzz_track(void *arg, const char *html, size_t len, size_t *out_len)
{
	static const struct track_opts o = { .base = "http://127.0.0.1:8005",
	    .message_id = "0100018bcfe5687b-e2a6f110-19b1-47ca-b1cd-"
	    "62e0d575f85a-000000", .opens = 1, .clicks = 1 };
	char *out;

	if (memchr(html, '\0', len) != NULL)
		return NULL;
	out = track_html(html, &o, arg);
	*out_len = strlen(out);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[MIME_ERROR_MAX_BYTES], *out, *again, *addr = NULL;
	char *display = NULL;
	struct mime_msg *m;
	const char *from;
	json_t *list = NULL, *summary, *links;
	size_t len, alen;

	if ((m = mime_parse((const char *)data, size, err)) == NULL)
		return 0;
	if ((from = mime_header_get(m, "From")) != NULL) {
		if (mime_address_parse(from, &addr, &display, err) == 0) {
			free(addr);
			free(display);
		}
		if (mime_address_list(from, &list, err) == 0)
			json_decref(list);
	}
	summary = mime_summary(m);
	json_decref(summary);
	mime_header_remove(m, "X-SES-CONFIGURATION-SET");
	mime_header_set(m, "Message-ID", "<fuzz@email.amazonses.com>");
	out = mime_serialize(m, &len);
	assert(mime_html_rewrite(m, fuzz_same, NULL) == 0);
	again = mime_serialize(m, &alen);
	assert(alen == len && memcmp(out, again, len) == 0);
	free(again);
	free(out);
	links = json_array();
	(void)mime_html_rewrite(m, fuzz_track, links);
	json_decref(links);
	summary = mime_summary(m);
	json_decref(summary);
	(void)mime_contains(m, "EICAR", 5);
	out = mime_serialize(m, &len);
	free(out);
	mime_msg_free(m);
	return 0;
}
