/*
 * msgid — SES MessageIds: "PPPP" region/cell prefix, 12 hex digits of the
 * acceptance time in ms, "-", a random v4 UUID, "-000000" (60 characters;
 * SES-REFERENCE §3.1), and the Message-ID header domain of each region.
 */
#ifndef MSGID_H
#define MSGID_H

#include <stdint.h>

#define MSGID_BYTES 61		/* 60 characters + NUL */
#define MSGID_DOMAIN_MAX_BYTES 64

/* Writes a new MessageId for region accepted at now_ms. */
void msgid_new(const char *region, int64_t now_ms, char out[MSGID_BYTES]);
/* Writes "email.amazonses.com" (us-east-1) or "REGION.amazonses.com". */
void msgid_domain(const char *region, char out[MSGID_DOMAIN_MAX_BYTES]);

#endif
