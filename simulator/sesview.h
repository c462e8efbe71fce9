/*
 * sesview — the SES views of the inspection API, for the web UI and for
 * tests: an account's identities with their status and DNS records, its
 * templates with a render preview, its configuration sets with their event
 * destinations, its suppression list (list, add, remove) and its
 * GetSendStatistics buckets, each scoped by ?account=&region=.
 *
 * It reads the same rows the SES operations do and renders the same
 * template errors; it is not an AWS API (answers are plain JSON, errors
 * {"code", "message"}) and decides nothing about sending.
 */
#ifndef SESVIEW_H
#define SESVIEW_H

#include <jansson.h>
#include <stddef.h>

#include "inspect.h"
#include "store_identity.h"

/* This module's route table (for inspect_tables[]). */
extern const struct inspect_route sesview_routes[];
extern const size_t sesview_nroutes;

/*
 * The DNS records identity id (in region) needs published, as the SES
 * console lists them: a new array of {Type, Name, Value, Purpose, Status}.
 */
json_t *sesview_identity_records(const struct store_identity *id,
    const char *region);

#endif
