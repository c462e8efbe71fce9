#include "sns.h"
int sns_publish(struct store *s, const char *topic_arn, const char *subject, const char *message, int64_t now_ms)
{ (void)s; (void)topic_arn; (void)subject; (void)message; (void)now_ms; return 1; }
