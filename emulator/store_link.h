/*
 * store_link — outstanding verification links: the random token in a
 * verification email's URL and what opening it verifies (an identity, and
 * for custom templates where to redirect). A link is used once.
 */
#ifndef STORE_LINK_H
#define STORE_LINK_H

#include <stdint.h>

#include "store.h"

struct store_link {
	char *token;
	char *account;
	char *region;
	char *identity;
	char *template;		/* custom template name, or NULL */
	char *success_url;	/* custom templates only */
	char *failure_url;
	int64_t created_ms;
};

/* Inserts l (borrowed). Returns 0 or -1. */
int store_link_insert(struct store *s, const struct store_link *l);
/* Reads the link for token: 0 found (release with store_link_fini), 1 none,
 * -1 error. */
int store_link_get(struct store *s, const char *token, struct store_link *l);
/* Deletes the link for token. Returns 0 or -1. */
int store_link_delete(struct store *s, const char *token);
void store_link_fini(struct store_link *l);

#endif
