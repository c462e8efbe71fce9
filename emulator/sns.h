/* TEMPORARY stub until the sns branch lands. */
#ifndef SNS_H
#define SNS_H
#include <stdint.h>
struct store;
int sns_publish(struct store *s, const char *topic_arn, const char *subject, const char *message, int64_t now_ms);
#endif
