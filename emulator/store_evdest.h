/*
 * store_evdest — configuration-set event destination rows, one per
 * (account, region, configuration set, name): the enabled flag, the
 * matching event types and the one target, as JSON text in the v2 model's
 * names (see schema/005_event_destinations.sql). v1 and v2 read and write
 * the same rows; a set's rows go with it (ON DELETE CASCADE).
 *
 * It does not validate names, types or targets, translate between the
 * APIs or choose errors (evdest does), and does not publish events.
 */
#ifndef STORE_EVDEST_H
#define STORE_EVDEST_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct store_evdest {
	char *name;
	int enabled;
	char *event_types;	/* JSON text: array of v2 EventType values */
	char *destination;	/* JSON text: {"<v2 member>": {...}} */
	int64_t created_ms;
	int64_t updated_ms;
};

/* Frees the strings of d (a zeroed or filled row); d may then be reused. */
void store_evdest_fini(struct store_evdest *d);
/*
 * Reads destination name of set cs (exact match). Returns 0 when found
 * (release with store_evdest_fini), 1 when there is none (out zeroed), -1
 * on a database error.
 */
int store_evdest_get(struct store *s, const char *account, const char *region,
    const char *cs, const char *name, struct store_evdest *out);
/*
 * Creates the row named d->name in set cs, or replaces every field but
 * created_ms when it exists. The set must exist (foreign key). Returns 0
 * or -1.
 */
int store_evdest_put(struct store *s, const char *account, const char *region,
    const char *cs, const struct store_evdest *d);
/* Deletes the row; returns rows deleted (0 or 1) or -1. */
int store_evdest_delete(struct store *s, const char *account,
    const char *region, const char *cs, const char *name);
/* Destinations of set cs, or -1. */
long store_evdest_count(struct store *s, const char *account,
    const char *region, const char *cs);
/*
 * Every destination of set cs in name order. Returns the count (*out new;
 * release with store_evdests_free) or -1 (*out NULL).
 */
long store_evdest_list(struct store *s, const char *account,
    const char *region, const char *cs, struct store_evdest **out);
void store_evdests_free(struct store_evdest *v, size_t n);

#endif
