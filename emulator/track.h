/*
 * track — open and click tracking: rewrites a message's HTML as SES does
 * when its configuration set publishes OPEN or CLICK events (every http and
 * https link through sesbox's click endpoint, an open pixel at the first
 * {{ses:openTracker}} or at the end), and records the Open and Click events
 * when those endpoints are hit. The URLs keep SES's shape
 * (.../I0/<MessageId>/<signature> and .../L0/<link>/1/<MessageId>/
 * <signature>=<n>) under sesbox's base URL, or the set's custom redirect
 * domain. It does not decide whether a message is tracked (send.c does).
 */
#ifndef TRACK_H
#define TRACK_H

#include <jansson.h>
#include <stdint.h>

#include "route.h"
#include "store.h"

/* Under the base URL: the open pixel and the click redirect. */
#define TRACK_PATH "/_sesbox/t/"

struct track_opts {
	const char *base;		/* "http://HOST:PORT" (no slash) */
	const char *message_id;
	int opens;			/* add the open pixel */
	int clicks;			/* rewrite links */
};

/*
 * html rewritten as o asks (new). Each rewritten link is appended to links
 * (borrowed) as {"url", "tags": {"k": ["v"]}}, and its click URL carries
 * n = its index in links + 1: a message whose HTML comes in several parts
 * passes the same array for each, so n runs on across them. The caller
 * keeps the array with the message.
 */
char *track_html(const char *html, const struct track_opts *o,
    json_t *links);

/*
 * What opening message_id (an Open event) or clicking its tracked link n
 * (a Click event with the link and its tags) records, in s's transaction
 * at now_ms, with the opener's ip and user_agent (borrowed): what the
 * tracking URLs record, for the inspection API's actions too. Return 0, 1
 * when there is no such message (or link), or -1. *link gets the clicked
 * URL (new; NULL unless 0 is returned).
 */
int track_open_record(struct store *s, const char *message_id,
    const char *ip, const char *user_agent, int64_t now_ms);
int track_click_record(struct store *s, const char *message_id, int n,
    const char *ip, const char *user_agent, int64_t now_ms, char **link);

/* Serves GET TRACK_PATH...: records the event, answers the pixel or the
 * redirect (or 404). */
void track_handle(const struct route_request *req,
    struct route_response *resp);

#endif
