/*
 * awserr — the error an operation, codec or transport layer reports
 * (see awserr.h).
 */
#include "awserr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * AWS: statuses of the common errors every AWS API may answer, from the
 * "Common Errors" page of the AWS API references (e.g.
 * docs.aws.amazon.com/ses/latest/APIReference/CommonErrors.html). v2 answers
 * the same statuses through x-amzn-ErrorType, except the REST-only codes.
 */
static const struct {
	const char *code;
	int v1_status;
	int v2_status;
} awserr_unmodelled[] = {
	{ "AccessDenied", 403, 403 },
	{ "AccessDeniedException", 400, 403 },
	{ "IncompleteSignature", 400, 400 },
	{ "InternalFailure", 500, 500 },
	{ "InvalidAction", 400, 400 },
	{ "InvalidClientTokenId", 403, 403 },
	{ "InvalidParameterCombination", 400, 400 },
	{ "InvalidParameterValue", 400, 400 },
	{ "InvalidQueryParameter", 400, 400 },
	{ "MalformedQueryString", 404, 404 },
	{ "MissingAction", 400, 400 },
	{ "MissingAuthenticationToken", 403, 403 },
	{ "MissingParameter", 400, 400 },
	{ "NotImplemented", 501, 501 },
	{ "RequestEntityTooLarge", 413, 413 },
	{ "RequestExpired", 400, 400 },
	{ "SerializationException", 400, 400 },
	{ "ServiceUnavailable", 503, 503 },
	{ "SignatureDoesNotMatch", 403, 403 },
	{ "Throttling", 400, 429 },
	{ "UnknownOperationException", 404, 404 },
	{ "ValidationError", 400, 400 },
	{ "ValidationException", 400, 400 },
};

void
awserr_init(struct awserr *e)
{
	e->code[0] = '\0';
	e->message[0] = '\0';
	e->http_status = 0;
}

static void
awserr_vset(struct awserr *e, int status, const char *code, const char *fmt,
    va_list ap)
{
	snprintf(e->code, sizeof(e->code), "%s", code);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	e->http_status = status;
}

void
awserr_set(struct awserr *e, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	awserr_vset(e, 0, code, fmt, ap);
	va_end(ap);
}

void
awserr_set_status(struct awserr *e, int status, const char *code,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	awserr_vset(e, status, code, fmt, ap);
	va_end(ap);
}

int
awserr_isset(const struct awserr *e)
{
	return e->code[0] != '\0';
}

int
awserr_status_unmodelled(const char *code, int v2)
{
	size_t i;

	for (i = 0; i < sizeof(awserr_unmodelled) / sizeof(awserr_unmodelled[0]);
	    i++) {
		if (strcmp(awserr_unmodelled[i].code, code) == 0)
			return v2 ? awserr_unmodelled[i].v2_status :
			    awserr_unmodelled[i].v1_status;
	}
	return 0;
}
