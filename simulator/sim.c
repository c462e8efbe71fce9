/*
 * sim — the mailbox simulator (see sim.h).
 */
#include "sim.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "send.h"

/* What each built-in address does (SES-REFERENCE §4.1, §4.2). */
enum sim_builtin {
	SIM_NONE, SIM_SUCCESS, SIM_BOUNCE, SIM_OOTO, SIM_COMPLAINT,
	SIM_SUPPRESSIONLIST
};

static const struct {
	const char *local;
	enum sim_builtin kind;
} sim_builtins[] = {
	{ "success", SIM_SUCCESS },
	{ "bounce", SIM_BOUNCE },
	{ "ooto", SIM_OOTO },
	{ "complaint", SIM_COMPLAINT },
	{ "suppressionlist", SIM_SUPPRESSIONLIST },
};

/* AWS: "250 2.6.0 Message received" is what real simulator deliveries
 * report (§4.2); sesbox answers it for every delivered recipient. */
static const char sim_accepted[] = "250 2.6.0 Message received";

/* AWS: the suppression-list text, with SES's trailing space (§4.2). */
static const char sim_suppressed[] = "Amazon SES has suppressed sending to "
    "this address because it has a recent history of bouncing as an invalid "
    "address. For more information about how to remove an address from the "
    "suppression list, see the Amazon SES Developer Guide: "
    "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/"
    "remove-from-suppressionlist.html ";

static enum sim_builtin
sim_which(const char *address)
{
	const char *at = strrchr(address, '@'), *plus;
	size_t len, i;

	if (at == NULL || !send_is_simulator(address))
		return SIM_NONE;
	/* AWS: bounce+label@ acts as bounce@ (VERP testing). */
	plus = memchr(address, '+', (size_t)(at - address));
	len = (size_t)((plus != NULL ? plus : at) - address);
	for (i = 0; i < sizeof(sim_builtins) / sizeof(sim_builtins[0]); i++)
		if (strlen(sim_builtins[i].local) == len &&
		    strncasecmp(address, sim_builtins[i].local, len) == 0)
			return sim_builtins[i].kind;
	return SIM_NONE;
}

int
sim_is_builtin(const char *address)
{
	return sim_which(address) != SIM_NONE;
}

/*
 * The MTAs SES names in simulator notifications. AWS: us-east-1 captures
 * show a8-70.smtp-out.amazonses.com and 205.251.242.49, eu-west-1 ones
 * a7-12.smtp-out.eu-west-1.amazonses.com and 207.171.163.188 (§4.2). EMU:
 * every other region follows the eu-west-1 pattern with its own name.
 */
static void
sim_mtas(const char *region, struct dlv_result *out)
{
	static __thread char bounce[160], delivery[128];
	static __thread char region_seen[64];
	int east = strcmp(region, "us-east-1") == 0;

	if (strcmp(region_seen, region) != 0) {
		snprintf(region_seen, sizeof(region_seen), "%s", region);
		if (east)
			snprintf(delivery, sizeof(delivery),
			    "a8-70.smtp-out.amazonses.com");
		else
			snprintf(delivery, sizeof(delivery),
			    "a7-12.smtp-out.%s.amazonses.com", region);
		snprintf(bounce, sizeof(bounce), "dsn; %s", delivery);
	}
	out->remote_mta_ip = east ? "205.251.242.49" : "207.171.163.188";
	out->delivery_mta = delivery;
	out->reporting_mta = bounce;
}

void
sim_deliver(const char *address, const char *region, struct dlv_result *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = DLV_DELIVERED;
	out->smtp_response = sim_accepted;
	sim_mtas(region, out);
	switch (sim_which(address)) {
	case SIM_BOUNCE:
		/* AWS: a hard bounce; the address is not suppressed. */
		out->kind = DLV_PERMANENT;
		out->bounce_type = "Permanent";
		out->bounce_subtype = "General";
		out->action = "failed";
		out->status = "5.1.1";
		out->diagnostic = "smtp; 550 5.1.1 user unknown";
		break;
	case SIM_SUPPRESSIONLIST:
		/* AWS: refused before any MTA, at the send's own time: no
		 * remoteMtaIp, "dns;" (§4.2). */
		out->kind = DLV_PERMANENT;
		out->bounce_type = "Permanent";
		out->bounce_subtype = "Suppressed";
		out->action = "failed";
		out->status = "5.1.1";
		out->diagnostic = sim_suppressed;
		out->remote_mta_ip = NULL;
		out->reporting_mta = "dns; amazonses.com";
		out->at_acceptance = 1;
		break;
	case SIM_OOTO:
		out->auto_reply = 1;
		break;
	case SIM_COMPLAINT:
		out->complaint_type = "abuse";
		out->complaint_agent = "Amazon SES Mailbox Simulator";
		break;
	case SIM_SUCCESS:
	case SIM_NONE:
		break;
	}
}
