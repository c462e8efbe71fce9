/*
 * awserr — the error an operation, codec or transport layer reports.
 *
 * Holds an AWS error code and message. Operations fill code and message only;
 * the codec (qry for v1, rest for v2) alone turns it into XML or JSON and an
 * HTTP status, from the service model or from this module's table of
 * unmodelled codes. Layers below the operations (HTTP framing, SigV4) may pin
 * a status with awserr_set_status because no model names their errors.
 * This module does not render anything.
 */
#ifndef AWSERR_H
#define AWSERR_H

#define AWSERR_CODE_MAX_BYTES 64
#define AWSERR_MESSAGE_MAX_BYTES 1024

struct awserr {
	char code[AWSERR_CODE_MAX_BYTES];	/* e.g. "MessageRejected" */
	char message[AWSERR_MESSAGE_MAX_BYTES];	/* plain text, unescaped */
	int http_status;	/* 0: codec decides; else pinned by a transport layer */
};

/* Clears e (no error). */
void awserr_init(struct awserr *e);
/* Sets code and a printf-formatted message (truncated to fit); status 0. */
void awserr_set(struct awserr *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like awserr_set, and pins the HTTP status (transport-level errors only). */
void awserr_set_status(struct awserr *e, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Non-zero when e holds an error. */
int awserr_isset(const struct awserr *e);

/*
 * HTTP status for an error code that no service model defines (InvalidAction,
 * NotImplemented, SignatureDoesNotMatch, ...), for protocol "query" (v1) or
 * "rest-json" (v2). Returns 0 when the code is not in the table.
 */
int awserr_status_unmodelled(const char *code, int v2);

#endif
