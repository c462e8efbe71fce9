/*
 * inspect — sesbox's own HTTP API under /_sesbox/: health and the test
 * hooks (reset and the operation list so far; messages, events, wait and clock come with the
 * capture store). Answers plain JSON; it is not an AWS API, so errors are
 * {"code": ..., "message": ...} with a fitting HTTP status.
 */
#ifndef INSPECT_H
#define INSPECT_H

#include "route.h"

#define INSPECT_PREFIX "/_sesbox/"

/* Handles a request whose path starts with INSPECT_PREFIX. */
void inspect_handle(const struct route_request *req,
    struct route_response *resp);

#endif
