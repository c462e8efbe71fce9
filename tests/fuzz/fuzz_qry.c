/*
 * fuzz_qry — libFuzzer target: arbitrary bytes as a v1 form body through
 * the whole Query decode path (parameter parsing, Action, shape decoding,
 * validation) and, on success, the XML encoder fed the decoded input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "model.h"
#include "qry.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int loaded;
	struct qry_params *p;
	const struct model_op *op;
	struct awserr e;
	json_t *in = NULL;
	char err[256], *xml;
	size_t len;
	int status;

	if (!loaded) {
		if (model_load(err, sizeof(err)) != 0)
			abort();
		loaded = 1;
	}
	p = qry_params_new();
	awserr_init(&e);
	if (qry_params_add(p, (const char *)data, size, &e) == 0 &&
	    qry_decode(model_ses(), p, &op, &in, &e) == 0) {
		xml = qry_encode(op, NULL, "rid", &len);
		free(xml);
	} else {
		xml = qry_error(model_ses(), &e, "rid", &status, &len);
		free(xml);
	}
	json_decref(in);
	qry_params_free(p);
	return 0;
}
