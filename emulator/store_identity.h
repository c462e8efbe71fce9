/*
 * store_identity — identity rows: one per email address or domain, with
 * their verification, DKIM, MAIL FROM and notification settings. Handlers
 * read a whole row, change it and write it back inside their transaction.
 * Policies and tags live in their own tables (store_policy, store_tag).
 */
#ifndef STORE_IDENTITY_H
#define STORE_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct store_identity {
	char *name;
	char *type;			/* "EmailAddress" or "Domain" */
	char *verification_status;	/* v1 casing: "Pending", "Success" */
	char *verification_token;	/* domains; NULL for addresses */
	int64_t status_ms;		/* when verification (re)started */
	int sending_enabled;
	int64_t created_ms;
	int dkim_enabled;		/* DKIM signing on */
	char *dkim_origin;		/* "AWS_SES", "EXTERNAL" or NULL */
	char *dkim_status;		/* v1 casing; "NotStarted" when none */
	char *dkim_tokens;		/* JSON array text, or NULL */
	char *dkim_key_length;		/* "RSA_1024_BIT" / "RSA_2048_BIT" */
	char *dkim_private_key;		/* PEM; never leaves sesbox */
	char *dkim_selector;		/* BYODKIM selector */
	int64_t dkim_ms;
	char *mail_from_domain;		/* NULL: default MAIL FROM */
	char *mail_from_behavior;	/* "UseDefaultValue" / "RejectMessage" */
	char *mail_from_status;		/* v1 casing, NULL when no domain */
	int64_t mail_from_ms;
	char *bounce_topic;
	char *complaint_topic;
	char *delivery_topic;
	int forwarding_enabled;
	int headers_bounce;
	int headers_complaint;
	int headers_delivery;
	char *configuration_set;
};

/* Sets a new, empty row's defaults (all strings NULL but behaviour). */
void store_identity_init(struct store_identity *id);
/* Frees the strings of id; the struct may be reused after _init. */
void store_identity_fini(struct store_identity *id);
/*
 * Reads identity name (case-insensitive). Returns 0 when found (release with
 * store_identity_fini), 1 when there is none, -1 on a database error.
 */
int store_identity_get(struct store *s, const char *account,
    const char *region, const char *name, struct store_identity *out);
/* What the event publisher needs of an identity (strings new, NULL when
 * unset). */
struct store_identity_feedback {
	char *name;
	int verified;
	char *bounce_topic;
	char *complaint_topic;
	char *delivery_topic;
	int forwarding_enabled;
	int headers_bounce;
	int headers_complaint;
	int headers_delivery;
};

/* Reads name's feedback settings. Returns 0 when found (release with
 * store_identity_feedback_fini), 1 when there is none, -1 on error. */
int store_identity_feedback_get(struct store *s, const char *account,
    const char *region, const char *name,
    struct store_identity_feedback *out);
void store_identity_feedback_fini(struct store_identity_feedback *f);
/* Creates or updates the row named id->name (policies are kept). */
int store_identity_put(struct store *s, const char *account,
    const char *region, const struct store_identity *id);
/* Deletes the row and its policies; returns rows deleted (0/1) or -1. */
int store_identity_delete(struct store *s, const char *account,
    const char *region, const char *name);
/* Identities in (account, region), or -1. */
long store_identity_count(struct store *s, const char *account,
    const char *region);
/*
 * Lists identities in name order, those after `after` (NULL: from the
 * start), of type (NULL: any) and, when status is not NULL, in that
 * verification status; at most limit + 1 rows so the caller can tell
 * whether more follow. Returns the count (rows in *out, new; release with
 * store_identities_free) or -1.
 */
long store_identity_list(struct store *s, const char *account,
    const char *region, const char *type, const char *status,
    const char *after, size_t limit, struct store_identity **out);
void store_identities_free(struct store_identity *v, size_t n);

#endif
