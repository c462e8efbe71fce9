/*
 * store_policy — sending-authorization policies of identities: named JSON
 * documents kept byte for byte as the client sent them, one row per
 * (identity, name). Rows hang off their identity row and go with it (the
 * foreign key cascades), so callers check that the identity exists first.
 * This module neither parses nor validates policies (op_policy does) and
 * knows no AWS error.
 */
#ifndef STORE_POLICY_H
#define STORE_POLICY_H

#include <jansson.h>
#include <stdint.h>

#include "store.h"

/*
 * Policies of identity as a new JSON object {name: document text} in name
 * order, or NULL on a database error.
 */
json_t *store_policy_map(struct store *s, const char *account,
    const char *region, const char *identity);
/* Number of policies of identity, or -1. */
long store_policy_count(struct store *s, const char *account,
    const char *region, const char *identity);
/* 1 when identity has a policy called name, 0 when not, -1 on error. */
int store_policy_exists(struct store *s, const char *account,
    const char *region, const char *identity, const char *name);
/*
 * Creates policy name of identity (which must exist), or replaces its
 * document (keeping its creation time). policy is stored exactly as given.
 * Returns 0 or -1.
 */
int store_policy_put(struct store *s, const char *account,
    const char *region, const char *identity, const char *name,
    const char *policy, int64_t now_ms);
/* Deletes policy name of identity; returns rows deleted (0/1) or -1. */
int store_policy_delete(struct store *s, const char *account,
    const char *region, const char *identity, const char *name);

#endif
