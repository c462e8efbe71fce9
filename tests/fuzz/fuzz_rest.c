/*
 * fuzz_rest — libFuzzer target: the first input line is a request target
 * ("/v2/email/...?query"), the rest a JSON body; both go through v2 routing
 * (tried with each HTTP method), decoding and validation.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rest.h"
#include "xmem.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "PUT",
	    "DELETE" };
	static int loaded;
	const uint8_t *nl = memchr(data, '\n', size);
	const struct model_op *op;
	struct rest_match m;
	struct awserr e;
	char err[256], *target, *query;
	json_t *in;
	size_t i;

	if (!loaded) {
		if (model_load(err, sizeof(err)) != 0)
			abort();
		loaded = 1;
	}
	if (nl == NULL)
		return 0;
	target = xstrndup((const char *)data, (size_t)(nl - data));
	if ((query = strchr(target, '?')) != NULL)
		*query++ = '\0';
	for (i = 0; i < 4; i++) {
		awserr_init(&e);
		op = rest_route(model_sesv2(), methods[i], target, &m, &e);
		if (op == NULL)
			continue;
		in = NULL;
		if (rest_decode(op, &m, query, NULL, 0, (const char *)nl + 1,
		    size - (size_t)(nl - data) - 1, &in, &e) == 0)
			json_decref(in);
		rest_match_fini(&m);
	}
	free(target);
	return 0;
}
