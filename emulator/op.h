/*
 * op — the table of operation handlers and the context they run in.
 *
 * Every operation of every model (SES v1 and v2, SNS) has a slot; a slot
 * without a handler answers NotImplemented naming the operation (never a
 * fake success).
 * Handlers see decoded input and fill output as json_t shaped like the
 * model; they never see HTTP, XML or SigV4, and never choose a status code.
 * v1 and v2 twins call the same core function. This module does not decode,
 * route or render.
 */
#ifndef OP_H
#define OP_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "awserr.h"
#include "model.h"

struct cfg;
struct store;

struct op_ctx {
	const struct cfg *cfg;		/* borrowed, process lifetime */
	struct store *store;		/* this thread's; inside a transaction */
	const char *account;		/* 12-digit account id */
	const char *region;
	const char *request_id;
	const char *source_ip;
	const char *access_key;		/* "" when unsigned */
	int64_t now_ms;
	int v2;				/* called through SES v2 */
};

/* Kinds of failure whose error code differs between the two APIs. */
enum op_err {
	OP_ERR_INVALID,		/* v1 InvalidParameterValue, v2 BadRequest */
	OP_ERR_NOT_FOUND,	/* v2 NotFoundException */
	OP_ERR_EXISTS,		/* v1 AlreadyExists, v2 AlreadyExistsException */
	OP_ERR_LIMIT,		/* v1 LimitExceeded, v2 LimitExceededException */
};

/* The code for kind in the API ctx was called through (static string). */
const char *op_err_code(const struct op_ctx *ctx, enum op_err kind);

/*
 * Opaque paging tokens for listings in name order: base64 of the last
 * name returned. encode: new string. decode: new string, or NULL when the
 * token is not one of ours.
 */
char *op_token_encode(const char *name);
char *op_token_decode(const char *token);

/*
 * A handler: reads in (borrowed), sets *out (new; may stay NULL for an empty
 * result) and returns 0, or returns -1 with e set.
 */
typedef int (*op_fn)(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e);

/*
 * Binds the handler table to the loaded model. Returns 0, or -1 with err set
 * when the table names an operation the model lacks (a build defect).
 */
int op_init(char *err, size_t errlen) __attribute__((warn_unused_result));
void op_fini(void);

/* Handler for op, or NULL when not implemented yet. */
op_fn op_handler(const struct model_op *op);
/* Non-zero when op changes state (runs in a write transaction). */
int op_writes(const struct model_op *op);
/*
 * Runs op's handler, or sets NotImplemented naming the operation when it
 * has none. Same contract as op_fn.
 */
int op_call(struct op_ctx *ctx, const struct model_op *op, const json_t *in,
    json_t **out, struct awserr *e);
/* Writes docs/api-coverage.md: every operation and its state. */
void op_coverage_markdown(FILE *out);

/* ---- handler tables, one per op_*.c file ---- */

/* One row of a handler table; a table ends with a row whose name is NULL. */
struct op_entry {
	const char *service;	/* "ses", "sesv2" or "sns" */
	const char *name;	/* operation name as in the model */
	op_fn fn;
};

extern const struct op_entry op_account_table[];	/* op_account.c */
extern const struct op_entry op_identity_table[];	/* op_identity.c */
extern const struct op_entry op_policy_table[];	/* op_policy.c */
extern const struct op_entry op_cvt_table[];	/* op_cvt.c */
extern const struct op_entry op_send_table[];	/* op_send.c */
extern const struct op_entry op_cs_table[];	/* op_cs.c */
extern const struct op_entry op_evdest_table[];	/* op_evdest.c */
extern const struct op_entry op_tpl_table[];	/* op_tpl.c */
extern const struct op_entry op_supp_table[];	/* op_supp.c */
extern const struct op_entry op_sns_table[];	/* op_sns.c */

#endif
