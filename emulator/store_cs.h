/*
 * store_cs — configuration set rows, one per (account, region, name): the
 * sending and reputation flags, the last fresh start and the option blocks
 * (tracking, delivery, suppression, VDM, archiving) as JSON text shaped
 * like the v2 model's structures. v1 and v2 read and write the same rows.
 * It does not validate names or options (cs and op_cs do), keeps no tags
 * (store_tag, by the set's ARN) and no event destinations (store_evdest,
 * whose rows a set takes with it when deleted).
 */
#ifndef STORE_CS_H
#define STORE_CS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct store_cs {
	char *name;
	int64_t created_ms;
	int sending_enabled;
	int reputation_metrics_enabled;
	int64_t last_fresh_start_ms;	/* -1: never */
	char *tracking;			/* JSON text, or NULL when unset */
	char *delivery;
	char *suppression;
	char *vdm;
	char *archiving;
};

/* Frees the strings of c (a zeroed or filled row); c may then be reused. */
void store_cs_fini(struct store_cs *c);
/*
 * Reads set name (exact match). Returns 0 when found (release with
 * store_cs_fini), 1 when there is none (out zeroed), -1 on a database error.
 */
int store_cs_get(struct store *s, const char *account, const char *region,
    const char *name, struct store_cs *out);
/*
 * Creates the row named c->name, or replaces every field but created_ms
 * when it exists. Returns 0 or -1.
 */
int store_cs_put(struct store *s, const char *account, const char *region,
    const struct store_cs *c);
/* Deletes the row; returns rows deleted (0 or 1) or -1. */
int store_cs_delete(struct store *s, const char *account, const char *region,
    const char *name);
/* Configuration sets in (account, region), or -1. */
long store_cs_count(struct store *s, const char *account, const char *region);
/*
 * Names of the sets after `after` (NULL: from the start) in name order, at
 * most limit + 1 so the caller can tell whether more follow. Returns the
 * count (*out new, each name new; release with store_cs_names_free) or -1.
 */
long store_cs_names(struct store *s, const char *account, const char *region,
    const char *after, size_t limit, char ***out);
void store_cs_names_free(char **v, size_t n);

#endif
