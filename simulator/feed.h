/*
 * feed — the inspection API's view of what happened after a send:
 *
 *   GET /_sesbox/api/v1/events         events, filtered, cursor-paged,
 *                                      and a blocking wait (long-poll)
 *   GET /_sesbox/api/v1/notifications  publications and the outbound
 *                                      requests they caused, with attempts
 *   GET /_sesbox/api/v1/feed           a live feed of new messages and
 *                                      events (Server-Sent Events)
 *
 * and the routes of the actions on a captured message (action.h). Reads
 * only; waits through notify.h. The format is docs/feed.md.
 */
#ifndef FEED_H
#define FEED_H

#include <stddef.h>
#include <stdint.h>

#include "inspect.h"

#define FEED_LIST_MAX 1000
#define FEED_LIST_DEFAULT 100
/* A live feed's keepalive comment, unless ?keepalive_ms= says. */
#define FEED_KEEPALIVE_MS 15000
/* Rows of each kind a live feed reads from the store at a time. */
#define FEED_PULL_ROWS 200

/* The routes under /_sesbox/ this module serves (inspect.c lists them). */
extern const struct inspect_route feed_routes[];
extern const size_t feed_nroutes;

/*
 * A time parameter: ISO-8601 (wire_timestamp_parse) or epoch
 * milliseconds (digits only). Returns 0, or -1 when it is neither.
 */
int feed_time_parse(const char *s, int64_t *ms);

#endif
