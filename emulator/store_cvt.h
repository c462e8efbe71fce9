/*
 * store_cvt — custom verification email template rows, one per
 * (account, region, name): the sender, subject, HTML content and the two
 * redirection URLs that v1 and v2 Create/Get/Update/Delete/List share.
 * It does not check content, senders or quotas (op_cvt does) and keeps no
 * tags (store_tag, by the template's ARN).
 */
#ifndef STORE_CVT_H
#define STORE_CVT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct store_cvt {
	char *name;
	char *from_address;
	char *subject;
	char *content;		/* NULL in rows from store_cvt_list */
	char *success_url;
	char *failure_url;
	int64_t created_ms;
	int64_t updated_ms;
};

/* Frees the strings of t (a zeroed or filled row); t may then be reused. */
void store_cvt_fini(struct store_cvt *t);
/*
 * Reads template name (exact match). Returns 0 when found (release with
 * store_cvt_fini), 1 when there is none (out zeroed), -1 on a database
 * error.
 */
int store_cvt_get(struct store *s, const char *account, const char *region,
    const char *name, struct store_cvt *out);
/*
 * Creates the row named t->name, or replaces its fields when it exists
 * (its created_ms is kept). Returns 0 or -1.
 */
int store_cvt_put(struct store *s, const char *account, const char *region,
    const struct store_cvt *t);
/* Deletes the row; returns rows deleted (0 or 1) or -1. */
int store_cvt_delete(struct store *s, const char *account,
    const char *region, const char *name);
/* Templates in (account, region), or -1. */
long store_cvt_count(struct store *s, const char *account,
    const char *region);
/*
 * Lists templates in name order, those after `after` (NULL: from the
 * start), without their content; at most limit + 1 rows so the caller can
 * tell whether more follow. Returns the count (rows in *out, new; release
 * with store_cvts_free) or -1.
 */
long store_cvt_list(struct store *s, const char *account, const char *region,
    const char *after, size_t limit, struct store_cvt **out);
void store_cvts_free(struct store_cvt *v, size_t n);

#endif
