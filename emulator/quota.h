/*
 * quota — the sending quotas: MaxSendRate as a token bucket per account and
 * region (kept in memory, refilled by the test clock) and Max24HourSend as
 * a rolling 24-hour count of recipients (kept in the store). Answers
 * whether a send may go; it does not record the send (the send path does,
 * in its transaction) nor render errors.
 */
#ifndef QUOTA_H
#define QUOTA_H

#include <stdint.h>

#include "op.h"

#define QUOTA_DAY_MS (24LL * 3600 * 1000)
#define QUOTA_BUCKETS_MAX 1024

/* The quota numbers an account has now (sandbox or production). */
struct quota_limits {
	double max_24h;		/* -1: unlimited */
	double max_rate;	/* per second */
	int sandbox;
};

/*
 * Reads the account's limits and usage. Returns 0, or -1 with e set
 * (InternalFailure).
 */
int quota_limits(struct op_ctx *ctx, struct quota_limits *out,
    int64_t *sent_24h, struct awserr *e) __attribute__((warn_unused_result));

/*
 * Takes rate_recipients from the rate bucket and checks day_recipients
 * against the daily quota. AWS: a send may go while any rate budget
 * remains, however many recipients it has; the bucket then runs into debt
 * that later sends wait out (SES blog via django-ses#59). Returns 0, or -1
 * with e set: v1 Throttling "Maximum sending rate exceeded." / "Daily
 * message quota exceeded."; v2 TooManyRequestsException /
 * LimitExceededException with the same texts.
 */
int quota_take(struct op_ctx *ctx, const struct quota_limits *l,
    int64_t sent_24h, int rate_recipients, int day_recipients,
    struct awserr *e) __attribute__((warn_unused_result));

/* Empties every bucket (reset). */
void quota_reset(void);

#endif
