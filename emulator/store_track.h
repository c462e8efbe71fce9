/*
 * store_track — the SQL of open and click tracking: the links a message's
 * HTML had rewritten, and the account a tracked message belongs to.
 */
#ifndef STORE_TRACK_H
#define STORE_TRACK_H

#include <jansson.h>

#include "store.h"

/* Keeps link n of message_id (url and tags borrowed). Returns 0 or -1. */
int store_track_link_put(struct store *s, const char *message_id, int n,
    const char *url, const json_t *tags);
/* Link n of message_id: *url new, *tags new. Returns 0, 1 when unknown,
 * or -1. */
int store_track_link_get(struct store *s, const char *message_id, int n,
    char **url, json_t **tags);
/* The n of message_id's first tracked link to url (borrowed). Returns 0,
 * 1 when it has none, or -1. */
int store_track_link_find(struct store *s, const char *message_id,
    const char *url, int *n);
/* The account and region of message_id (new strings). Returns 0, 1 when
 * there is no such message, or -1. */
int store_track_owner(struct store *s, const char *message_id,
    char **account, char **region);

#endif
