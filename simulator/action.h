/*
 * action — what a recipient does with a captured message, on request:
 *
 *   POST /_sesbox/api/v1/messages/{MessageId}/actions/open
 *   POST .../actions/click      {"link": URL} or {"n": N}
 *   POST .../actions/complain   {"feedbackType": ...}
 *   POST .../actions/bounce     {"bounceType": ..., "bounceSubType": ...}
 *
 * each with an optional "recipient" (default: the first). They record
 * exactly what the real thing would: an open or a click through track.c's
 * recording (as the tracking URLs do), a complaint or a bounce through the
 * delivery policy (dlv_manual: the event, suppression, statistics,
 * reputation), in one store transaction; the event publisher then
 * publishes them like any other. It decides nothing about what they mean.
 * The format is docs/feed.md.
 */
#ifndef ACTION_H
#define ACTION_H

#include "route.h"

/* The actions' route: a prefix, '*' standing for the MessageId. */
#define ACTION_PATH "/_sesbox/api/v1/messages/*/actions/"

/* Serves POST ACTION_PATH{open,click,complain,bounce}. */
void action_handle(const struct route_request *req,
    struct route_response *resp);

#endif
