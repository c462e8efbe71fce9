/*
 * store_tag — tags of taggable resources, by ARN: v2 TagResource /
 * UntagResource / ListTagsForResource and the Tags of create operations.
 * Tags are {"Key", "Value"} pairs as the v2 model shapes them.
 */
#ifndef STORE_TAG_H
#define STORE_TAG_H

#include <jansson.h>

#include "store.h"

/* Tags of arn as a new JSON array [{"Key","Value"}...] in key order, or
 * NULL on a database error. */
json_t *store_tag_list(struct store *s, const char *account,
    const char *region, const char *arn);
/* Adds or replaces the tags in the array (borrowed). Returns 0 or -1. */
int store_tag_put(struct store *s, const char *account, const char *region,
    const char *arn, const json_t *tags);
/* Removes every tag of arn. Returns 0 or -1. */
int store_tag_delete_all(struct store *s, const char *account,
    const char *region, const char *arn);

#endif
