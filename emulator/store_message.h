/*
 * store_message — captured mail: what sesbox produced or accepted, as the
 * recipient side received it (sends, verification emails, the feedback
 * mailed back). Rows are written in the request's transaction, so a
 * message exists exactly when the request that made it was acknowledged.
 * Listing, filtering and deleting them is store_capture's.
 */
#ifndef STORE_MESSAGE_H
#define STORE_MESSAGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct store_message {
	const char *message_id;
	const char *account;
	const char *region;
	const char *kind;		/* "verification", ... */
	const char *source;
	const json_t *destinations;	/* array of strings */
	const char *subject;
	const char *raw;		/* MIME text */
	size_t raw_len;
	int64_t created_ms;
	/* Sends only (NULL otherwise): */
	const char *api;		/* "v1", "v2", "smtp" */
	const char *operation;
	const char *configuration_set;
	const json_t *tags;		/* {"name": ["value"]} */
	const char *source_ip;
	const char *caller;
	const char *verdict;		/* "virus", or NULL (see 004) */
	/* raw sends: the sender's Message-ID and Date, or NULL (see 013) */
	const json_t *submitted;
};

/* Inserts m (all borrowed). Returns 0 or -1. */
int store_message_insert(struct store *s, const struct store_message *m);
#endif
