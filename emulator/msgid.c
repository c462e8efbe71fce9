/*
 * msgid — SES MessageIds (see msgid.h).
 */
#include "msgid.h"

#include <stdio.h>
#include <string.h>

#include "route.h"

/* AWS: prefixes seen in real Message-IDs (SES-REFERENCE §3.1); EMU: other
 * regions use 0100. */
static const struct {
	const char *region;
	const char *prefix;
} msgid_prefixes[] = {
	{ "us-east-1", "0100" }, { "us-west-2", "0101" },
	{ "eu-west-1", "0102" }, { "ap-northeast-1", "0106" },
	{ "eu-central-1", "0107" }, { "ap-southeast-2", "0108" },
	{ "ap-south-1", "0109" }, { "ap-southeast-1", "010e" },
	{ "us-east-2", "010f" },
};

void
msgid_new(const char *region, int64_t now_ms, char out[MSGID_BYTES])
{
	const char *prefix = "0100";
	char uuid[ROUTE_REQUEST_ID_BYTES];
	size_t i;

	for (i = 0; i < sizeof(msgid_prefixes) / sizeof(msgid_prefixes[0]);
	    i++)
		if (strcmp(msgid_prefixes[i].region, region) == 0)
			prefix = msgid_prefixes[i].prefix;
	route_request_id(uuid);
	snprintf(out, MSGID_BYTES, "%s%012llx-%s-000000", prefix,
	    (unsigned long long)now_ms & 0xffffffffffffULL, uuid);
}

void
msgid_domain(const char *region, char out[MSGID_DOMAIN_MAX_BYTES])
{
	/* AWS: <id>@email.amazonses.com in us-east-1, else
	 * <id>@REGION.amazonses.com (SES-REFERENCE §3.2). */
	if (strcmp(region, "us-east-1") == 0)
		snprintf(out, MSGID_DOMAIN_MAX_BYTES, "email.amazonses.com");
	else
		snprintf(out, MSGID_DOMAIN_MAX_BYTES, "%s.amazonses.com",
		    region);
}
