/*
 * inspect — sesbox's own HTTP API under /_sesbox/: health, the test hooks
 * (reset, the test clock, the operation list), the captured messages
 * (list and get; filters, events and wait come with the capture store
 * issue), the verification links mailed by sesbox, and SNS's side: the
 * signing certificate, the delivery attempts and their flush. Answers plain JSON
 * (HTML for the links); it is not an AWS API, so errors are {"code": ...,
 * "message": ...} with a fitting HTTP status.
 */
#ifndef INSPECT_H
#define INSPECT_H

#include "route.h"

#define INSPECT_PREFIX "/_sesbox/"

/* Handles a request whose path starts with INSPECT_PREFIX. */
void inspect_handle(const struct route_request *req,
    struct route_response *resp);

#endif
