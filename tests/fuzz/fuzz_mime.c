/*
 * fuzz_mime — libFuzzer target: arbitrary bytes as a raw message through
 * mime_parse and, when it parses, the header edits and serialisation the
 * send path makes; the address parsers on the From header.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mime.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[MIME_ERROR_MAX_BYTES], *out, *addr = NULL, *display = NULL;
	struct mime_msg *m;
	const char *from;
	json_t *list = NULL, *summary;
	size_t len;

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
	free(out);
	mime_msg_free(m);
	return 0;
}
