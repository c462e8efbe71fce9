/*
 * store_supp — the account-level suppression list: one row per suppressed
 * address of an (account, region), and the reasons for which the account
 * adds addresses automatically. Addresses arrive already in canonical form
 * (supp does that); this module neither validates nor canonicalizes, and
 * does not decide whether a send is suppressed (supp does).
 */
#ifndef STORE_SUPP_H
#define STORE_SUPP_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Reasons as bits, the form account_suppression.reasons keeps. */
#define STORE_SUPP_BOUNCE 1
#define STORE_SUPP_COMPLAINT 2
#define STORE_SUPP_ALL (STORE_SUPP_BOUNCE | STORE_SUPP_COMPLAINT)

struct store_supp {
	char *address;
	char *reason;			/* "BOUNCE" or "COMPLAINT" */
	int64_t updated_ms;
	char *message_id;		/* NULL when not known */
	char *feedback_id;		/* NULL when not known */
};

/* Frees the strings of d; d may then be reused. */
void store_supp_fini(struct store_supp *d);
/*
 * Reads address's entry. Returns 0 when found (release with
 * store_supp_fini), 1 when the address is not listed (out zeroed), -1 on a
 * database error.
 */
/* Whether (account, region) has any suppressed destination: 1, 0, -1. */
int store_supp_any(struct store *s, const char *account, const char *region);
int store_supp_get(struct store *s, const char *account, const char *region,
    const char *address, struct store_supp *out);
/* Creates or replaces d->address's entry (every field). Returns 0 or -1. */
int store_supp_put(struct store *s, const char *account, const char *region,
    const struct store_supp *d);
/* Deletes address's entry; returns rows deleted (0 or 1) or -1. */
int store_supp_delete(struct store *s, const char *account,
    const char *region, const char *address);

/* What store_supp_list selects. */
struct store_supp_filter {
	int reasons;			/* bits; 0: every reason */
	int64_t start_ms;		/* updated_ms >= this; -1: any */
	int64_t end_ms;			/* updated_ms <= this; -1: any */
	const char *after;		/* addresses after this one; NULL: all */
};

/*
 * Entries matching f in address order, at most limit + 1 so the caller can
 * tell whether more follow. Returns the count (*out new; release with
 * store_supp_list_free) or -1.
 */
long store_supp_list(struct store *s, const char *account,
    const char *region, const struct store_supp_filter *f, size_t limit,
    struct store_supp **out);
void store_supp_list_free(struct store_supp *v, size_t n);

/*
 * The account's reasons (bits) and ValidationAttributes (*validation: new
 * JSON text, or NULL). Returns 0 when set, 1 when never set (*reasons =
 * STORE_SUPP_ALL, *validation = NULL), -1 on a database error. validation
 * may be NULL when not wanted.
 */
int store_supp_reasons_get(struct store *s, const char *account,
    const char *region, int *reasons, char **validation);
/* Sets the account's reasons and ValidationAttributes (NULL: none).
 * Returns 0 or -1. */
int store_supp_reasons_put(struct store *s, const char *account,
    const char *region, int reasons, const char *validation, int64_t now_ms);

#endif
