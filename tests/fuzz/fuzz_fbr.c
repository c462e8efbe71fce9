/*
 * fuzz_fbr — libFuzzer target: arbitrary bytes as an inbound feedback
 * report through fbr_parse. A refusal must leave the report zeroed and
 * say why in one line of printable text; a report that parses must hold
 * what fbr.h promises (recipients with address, action and status, within
 * the limits; ARF with a Feedback-Type).
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fbr.h"

static void
fuzz_value(const char *v)
{
	if (v != NULL)
		assert(strlen(v) <= FBR_FIELD_MAX_BYTES);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fbr_report zero;
	struct fbr_report r;
	char err[FBR_ERROR_MAX_BYTES];
	size_t i;

	if (fbr_parse((const char *)data, size, &r, err, sizeof(err)) != 0) {
		assert(memcmp(&r, &zero, sizeof(r)) == 0);
		assert(err[0] != '\0');
		for (i = 0; err[i] != '\0'; i++)
			assert(err[i] >= 0x20 && err[i] < 0x7f);
		return 0;
	}
	assert(r.kind == FBR_DSN || r.kind == FBR_ARF);
	if (r.kind == FBR_DSN) {
		assert(r.nrcpts >= 1 && r.nrcpts <= FBR_RECIPIENTS_MAX);
		for (i = 0; i < r.nrcpts; i++) {
			assert(r.rcpts[i].final_recipient[0] != '\0');
			assert(r.rcpts[i].action[0] != '\0');
			assert(r.rcpts[i].status[0] != '\0');
			fuzz_value(r.rcpts[i].diagnostic);
			fuzz_value(r.rcpts[i].remote_mta);
		}
	} else {
		assert(r.feedback_type != NULL && r.nrcpts == 0);
		assert(r.noriginal_rcpt_tos <= FBR_RECIPIENTS_MAX);
	}
	fuzz_value(r.subject);
	fuzz_value(r.reporting_mta);
	fuzz_value(r.user_agent);
	fbr_fini(&r);
	return 0;
}
