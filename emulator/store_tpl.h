/*
 * store_tpl — email template rows (v1 CreateTemplate, v2
 * CreateEmailTemplate), one per (account, region, name): subject, text and
 * HTML parts, any of which may be absent. v1 and v2 share them.
 *
 * It does not parse or render templates (tpl does), check quotas or
 * names (op_tpl does), or keep tags (store_tag, by the template's ARN).
 *
 * The send path loads a template by name with store_tpl_get and renders it
 * with tpl_render (tpl.h).
 */
#ifndef STORE_TPL_H
#define STORE_TPL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct store_tpl {
	char *name;
	char *subject;		/* NULL when the template has none */
	char *text;		/* NULL when the template has none */
	char *html;		/* NULL when the template has none */
	int64_t created_ms;
	int64_t updated_ms;
};

/* Frees the strings of t (a zeroed or filled row); t may then be reused. */
void store_tpl_fini(struct store_tpl *t);
/*
 * Reads template name (exact match) of (account, region). Returns 0 when
 * found (out filled; release with store_tpl_fini), 1 when there is none
 * (out zeroed), -1 on a database error.
 */
int store_tpl_get(struct store *s, const char *account, const char *region,
    const char *name, struct store_tpl *out)
    __attribute__((warn_unused_result));
/*
 * Creates the row named t->name, or replaces its parts when it exists (its
 * created_ms is kept). Returns 0 or -1.
 */
int store_tpl_put(struct store *s, const char *account, const char *region,
    const struct store_tpl *t) __attribute__((warn_unused_result));
/* Deletes the row; returns rows deleted (0 or 1) or -1. */
int store_tpl_delete(struct store *s, const char *account,
    const char *region, const char *name);
/* Templates in (account, region), or -1. */
long store_tpl_count(struct store *s, const char *account,
    const char *region);
/*
 * Lists templates in name order, those after `after` (NULL: from the
 * start), with only name and times set; at most limit + 1 rows so the
 * caller can tell whether more follow. Returns the count (rows in *out,
 * new; release with store_tpls_free) or -1.
 */
long store_tpl_list(struct store *s, const char *account, const char *region,
    const char *after, size_t limit, struct store_tpl **out);
void store_tpls_free(struct store_tpl *v, size_t n);

#endif
