/*
 * pub — the event publisher: takes every recorded SES event in order (the
 * event table is its outbox; a cursor marks how far it got) and publishes
 * it where SES would:
 *
 * - to the enabled event destinations of the message's configuration set
 *   that match the event's type (evdest), in the event-publishing format:
 *   SNS topics (sns_publish; Subject "Amazon SES Email Event
 *   Notification"), Firehose delivery streams (a JSON line appended under
 *   DATA/firehose/, as SES → Firehose → S3 would leave it), EventBridge
 *   and Pinpoint (recorded), CloudWatch (counters on /_sesbox/metrics);
 * - Bounce, Complaint and Delivery also to the sending identity's
 *   notification topics, in the identity-notification format (no Subject),
 *   with headers when the identity asked for them.
 *
 * Every publication is recorded with its payload (store_pub), so tests
 * assert on exact JSON. Payloads are built by evt; this module decides only
 * where they go. Runs on a worker thread (worker.h).
 */
#ifndef PUB_H
#define PUB_H

#include <stdio.h>

/* Starts the publisher. Returns 0, or -1 (logged). */
int pub_start(void) __attribute__((warn_unused_result));
void pub_stop(void);
/* A commit happened: events may have been recorded. Any thread. */
void pub_committed(void);
/* Returns once every event recorded so far has been published (-1 when
 * the publisher is not running or did not finish within timeout_ms). */
int pub_drain(long timeout_ms);
/* Writes the CloudWatch-destination counters in Prometheus text format. */
void pub_metrics(FILE *out);
/* Forgets the counters (a reset). */
void pub_metrics_reset(void);

#endif
