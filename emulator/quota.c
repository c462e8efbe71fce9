/*
 * quota — the sending quotas (see quota.h).
 */
#include "quota.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "store.h"

/* AWS: sandbox quota, 200 messages per 24 h at 1 per second (§7). */
#define QUOTA_SANDBOX_MAX_24H 200.0
#define QUOTA_SANDBOX_MAX_RATE 1.0

struct quota_bucket {
	char key[96];		/* "account/region"; "" = free slot */
	double tokens;
	int64_t at_ms;		/* when tokens was last brought up to date */
};

static struct quota_bucket quota_buckets[QUOTA_BUCKETS_MAX];
static pthread_mutex_t quota_lock = PTHREAD_MUTEX_INITIALIZER;

int
quota_limits(struct op_ctx *ctx, struct quota_limits *out, int64_t *sent_24h,
    struct awserr *e)
{
	struct store_account a;
	int rc = store_account_get(ctx->store, ctx->account, ctx->region, &a);

	if (rc < 0 || store_quota_used(ctx->store, ctx->account, ctx->region,
	    ctx->now_ms - QUOTA_DAY_MS, sent_24h) != 0) {
		store_account_fini(&a);
		awserr_set(e, "InternalFailure", "cannot read sending quota");
		return -1;
	}
	/* An account with no row yet starts where the config says. */
	out->sandbox = rc == 1 ? ctx->cfg->sandbox : !a.production_access;
	out->max_24h = out->sandbox ? QUOTA_SANDBOX_MAX_24H :
	    ctx->cfg->max_24h_send;
	out->max_rate = out->sandbox ? QUOTA_SANDBOX_MAX_RATE :
	    ctx->cfg->max_send_rate;
	store_account_fini(&a);
	return 0;
}

/* The bucket for ctx's account and region, created full; lock held. */
static struct quota_bucket *
quota_bucket_get(struct op_ctx *ctx, double capacity)
{
	char key[96];
	size_t i, free_slot = QUOTA_BUCKETS_MAX, oldest = 0;

	snprintf(key, sizeof(key), "%s/%s", ctx->account, ctx->region);
	for (i = 0; i < QUOTA_BUCKETS_MAX; i++) {
		if (strcmp(quota_buckets[i].key, key) == 0)
			return &quota_buckets[i];
		if (quota_buckets[i].key[0] == '\0' &&
		    free_slot == QUOTA_BUCKETS_MAX)
			free_slot = i;
		if (quota_buckets[i].at_ms < quota_buckets[oldest].at_ms)
			oldest = i;
	}
	/* EMU: past QUOTA_BUCKETS_MAX accounts*regions the stalest bucket
	 * is recycled (it starts full again). */
	i = free_slot != QUOTA_BUCKETS_MAX ? free_slot : oldest;
	snprintf(quota_buckets[i].key, sizeof(quota_buckets[i].key), "%s",
	    key);
	quota_buckets[i].tokens = capacity;
	quota_buckets[i].at_ms = ctx->now_ms;
	return &quota_buckets[i];
}

int
quota_take(struct op_ctx *ctx, const struct quota_limits *l, int64_t sent_24h,
    int rate_recipients, int day_recipients, struct awserr *e)
{
	struct quota_bucket *b;
	double capacity = l->max_rate < 1.0 ? 1.0 : l->max_rate;
	int ok;

	if (day_recipients > 0 && l->max_24h >= 0 &&
	    (double)(sent_24h + day_recipients) > l->max_24h) {
		/* AWS: "Daily message quota exceeded." (SES-REFERENCE §1.5;
		 * v2 LimitExceededException, §2.3). */
		awserr_set(e, ctx->v2 ? "LimitExceededException" : "Throttling",
		    "Daily message quota exceeded.");
		return -1;
	}
	if (rate_recipients <= 0)
		return 0;
	pthread_mutex_lock(&quota_lock);
	b = quota_bucket_get(ctx, capacity);
	if (ctx->now_ms > b->at_ms) {
		b->tokens += (double)(ctx->now_ms - b->at_ms) / 1000.0 *
		    l->max_rate;
		if (b->tokens > capacity)
			b->tokens = capacity;
	}
	b->at_ms = ctx->now_ms > b->at_ms ? ctx->now_ms : b->at_ms;
	if ((ok = b->tokens > 0.0))
		b->tokens -= rate_recipients;
	pthread_mutex_unlock(&quota_lock);
	if (!ok) {
		/* AWS: "Maximum sending rate exceeded." with Throttling, 400
		 * (v1); TooManyRequestsException, 429 (v2). */
		awserr_set(e, ctx->v2 ? "TooManyRequestsException" :
		    "Throttling", "Maximum sending rate exceeded.");
		return -1;
	}
	return 0;
}

void
quota_reset(void)
{
	pthread_mutex_lock(&quota_lock);
	memset(quota_buckets, 0, sizeof(quota_buckets));
	pthread_mutex_unlock(&quota_lock);
}
