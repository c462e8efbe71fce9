/*
 * capture — the captured mail's HTTP side: listing messages with filters
 * and cursor paging, one message taken apart (envelope, headers, text,
 * HTML under a strict Content-Security-Policy, attachments), its unread
 * state, deleting messages, LocalStack's GET/DELETE /_aws/ses, and the
 * retention pruner that keeps the store within retention-max-messages
 * and retention-max-age-hours (a background worker, on the test clock).
 *
 * Routes are served through inspect.c's tables (capture_routes); the SQL
 * is store_capture.c's; MIME is mime.c's. A listing with wait_ms waits
 * through notify.c, which runs capture_list_eval again after commits.
 */
#ifndef CAPTURE_H
#define CAPTURE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect.h"
#include "route.h"
#include "store_capture.h"

#define CAPTURE_MESSAGES_PATH "/_sesbox/api/v1/messages"
#define CAPTURE_LOCALSTACK_PATH "/_aws/ses"
#define CAPTURE_LIMIT_DEFAULT 100
#define CAPTURE_PARAM_MAX_BYTES 512
#define CAPTURE_SHORT_MAX_BYTES 128
#define CAPTURE_ERROR_MAX_BYTES 200
/* base64url of 16 bytes, unpadded, and a NUL */
#define CAPTURE_CURSOR_CHARS 22
#define CAPTURE_CURSOR_BYTES (CAPTURE_CURSOR_CHARS + 1)
/* Messages deleted per retention transaction. */
#define CAPTURE_PRUNE_BATCH 500

struct cfg;

/* A parsed listing request: the store filter points into the buffers. */
struct capture_query {
	struct store_capture_filter f;
	size_t limit;
	char account[INSPECT_ACCOUNT_MAX_BYTES];
	char region[INSPECT_REGION_MAX_BYTES];
	char kind[CAPTURE_SHORT_MAX_BYTES];
	char api[CAPTURE_SHORT_MAX_BYTES];
	char operation[CAPTURE_SHORT_MAX_BYTES];
	char configuration_set[CAPTURE_SHORT_MAX_BYTES];
	char event[CAPTURE_SHORT_MAX_BYTES];
	char to[CAPTURE_PARAM_MAX_BYTES];
	char from[CAPTURE_PARAM_MAX_BYTES];
	char subject[CAPTURE_PARAM_MAX_BYTES];
	char q[CAPTURE_PARAM_MAX_BYTES];
	char tag[CAPTURE_PARAM_MAX_BYTES];
	long wait_ms;		/* -1: no wait */
	long count;		/* messages the wait wants */
};

/*
 * Parses a query string (raw, without '?'; NULL for none) of the listing:
 * to, from, subject, configuration_set, tag (NAME:VALUE), api, operation,
 * since, until, event, kind, account, region, q, limit, cursor, and the
 * wait's wait_ms (0-60000) and count (1-limit, default 1). Other
 * parameters are ignored; an empty value is as good as absent. Returns
 * 0, or -1 with err set to the message a 400 answer carries.
 */
int capture_query_parse(const char *query, struct capture_query *cq,
    char err[CAPTURE_ERROR_MAX_BYTES]) __attribute__((warn_unused_result));
/*
 * Runs cq in a read transaction of its own: a new {"messages": [SUMMARY],
 * "next_cursor": "..." or null}, or NULL when the store fails. Call it
 * again for a fresh answer (cq is not changed).
 */
json_t *capture_list_eval(const struct capture_query *cq);

/* The paging key (created_ms, capture id) as an opaque cursor. */
void capture_cursor_encode(int64_t ms, int64_t id,
    char out[CAPTURE_CURSOR_BYTES]);
/* Reads a cursor capture_cursor_encode wrote: 0, or -1 when it is not
 * one. */
int capture_cursor_decode(const char *s, int64_t *ms, int64_t *id);
/* A since/until value: ISO-8601 ("2024-01-31T15:31:00.123Z") or epoch
 * milliseconds ("1706715060123"). Returns 0 or -1. */
int capture_time_parse(const char *s, int64_t *ms);

/* The /_sesbox/ routes this module serves (for inspect.c's tables). */
extern const struct inspect_route capture_routes[];
extern const size_t capture_nroutes;

/* GET and DELETE /_aws/ses (route.c sends them here). */
void capture_localstack(const struct route_request *req,
    struct route_response *resp);

/*
 * Retention: starts the pruner when cfg sets retention-max-messages or
 * retention-max-age-hours (else nothing runs). 0, or -1 when the thread
 * cannot start.
 */
int capture_start(const struct cfg *cfg);
void capture_stop(void);
/* A commit happened (messages may have arrived); any thread. */
void capture_committed(void);
/* The test clock moved; any thread. */
void capture_kick(void);

#endif
