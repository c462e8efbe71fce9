/*
 * sim — the mailbox simulator (see sim.h).
 */
#include "sim.h"

#include <fnmatch.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "send.h"
#include "xmem.h"

enum sim_outcome {
	SIM_DELIVER, SIM_BOUNCE_RULE, SIM_SOFT_BOUNCE, SIM_COMPLAINT_RULE,
	SIM_AUTO_REPLY, SIM_REJECT
};

static const char *const sim_outcomes[] = {
	"deliver", "bounce", "soft-bounce", "complaint", "auto-reply", "reject",
};

/* AWS: bounce types and subtypes (SES-REFERENCE §4.4). */
static const char *const sim_bounce_types[] = {
	"Undetermined", "Permanent", "Transient",
};
static const char *const sim_bounce_subtypes[] = {
	"Undetermined", "General", "NoEmail", "Suppressed",
	"OnAccountSuppressionList", "MailboxFull", "MessageTooLarge",
	"ContentRejected", "AttachmentRejected",
};
/* AWS: complaint feedback types (§4.5) and delay types (§4.6). */
static const char *const sim_feedback_types[] = {
	"abuse", "auth-failure", "fraud", "not-spam", "other", "virus",
};
static const char *const sim_delay_types[] = {
	"InternalFailure", "General", "MailboxFull", "SpamDetected",
	"RecipientServerError", "IPFailure", "TransientCommunicationFailure",
	"BYOIPHostNameLookupUnavailable", "Undetermined", "SendingDeferral",
};

#define SIM_N(a) (sizeof(a) / sizeof((a)[0]))

/* One rule; strings borrowed from the set's document. */
struct sim_rule {
	const char *match;
	enum sim_outcome outcome;
	struct dlv_result res;
	int failures;		/* soft-bounce: failing attempts; -1 all */
};

struct sim_rules {
	atomic_int refs;
	json_t *doc;		/* {"rules": [...]}, owned */
	struct sim_rule *v;
	size_t n;
};

static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_rules sim_empty = { .refs = 1 };
static struct sim_rules *sim_active = &sim_empty;
static char *sim_path;

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

/*
 * The MTAs SES names in simulator notifications. AWS: us-east-1 captures
 * show a8-70.smtp-out.amazonses.com and 205.251.242.49, eu-west-1 ones
 * a7-12.smtp-out.eu-west-1.amazonses.com and 207.171.163.188 (§4.2). EMU:
 * every other region follows the eu-west-1 pattern with its own name.
 */
void
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
		/*
		 * AWS: a bounce's reportingMTA is "dns; HOST" (RFC 3464's
		 * name type) in every capture since 2021: signed bounce@
		 * notification 2022-04-01 ("dns; a48-30.smtp-out..."),
		 * bounce@ events 2022-01-04, 2022-03-05 and 2026-03-26,
		 * notifications 2022-02 to 2022-09. Captures of 2016-2020,
		 * SES-REFERENCE §4.2's among them, had "dsn; HOST".
		 */
		snprintf(bounce, sizeof(bounce), "dns; %s", delivery);
	}
	out->remote_mta_ip = east ? "205.251.242.49" : "207.171.163.188";
	out->delivery_mta = delivery;
	out->reporting_mta = bounce;
}

/* ---- rules ---- */

static int
sim_pick(const char *v, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v, set[i]) == 0)
			return (int)i;
	return -1;
}

/* rule's string field key, checked against set (when given); NULL when
 * absent. Returns -1 with err when present and wrong. */
static int
sim_field(const json_t *rule, size_t i, const char *key,
    const char *const *set, size_t nset, const char **out, char *err,
    size_t errlen)
{
	const json_t *v = json_object_get(rule, key);
	size_t k;

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0) {
		snprintf(err, errlen, "rules[%zu].%s: must be a non-empty "
		    "string", i, key);
		return -1;
	}
	if (set != NULL && sim_pick(json_string_value(v), set, nset) < 0) {
		int n = snprintf(err, errlen, "rules[%zu].%s: must be one of ",
		    i, key);

		for (k = 0; k < nset && n > 0 && (size_t)n < errlen; k++)
			n += snprintf(err + n, errlen - (size_t)n, "%s%s",
			    k ? ", " : "", set[k]);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* rule's non-negative integer field key (absent: def). */
static int
sim_int(const json_t *rule, size_t i, const char *key, json_int_t def,
    json_int_t *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(rule, key);

	*out = def;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(err, errlen, "rules[%zu].%s: must be a non-negative "
		    "integer", i, key);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

/* The string fields a rule may give, and where each goes (sim_fields
 * says which outcome takes which). */
struct sim_strfield {
	const char *key;
	const char *const *set;		/* allowed values, or NULL: any */
	size_t nset;
	size_t off;			/* in struct dlv_result */
};

static const struct sim_strfield sim_strfields[] = {
	{ "smtpResponse", NULL, 0, offsetof(struct dlv_result,
	    smtp_response) },
	{ "bounceType", sim_bounce_types, SIM_N(sim_bounce_types),
	    offsetof(struct dlv_result, bounce_type) },
	{ "bounceSubType", sim_bounce_subtypes, SIM_N(sim_bounce_subtypes),
	    offsetof(struct dlv_result, bounce_subtype) },
	{ "action", NULL, 0, offsetof(struct dlv_result, action) },
	{ "status", NULL, 0, offsetof(struct dlv_result, status) },
	{ "diagnosticCode", NULL, 0, offsetof(struct dlv_result, diagnostic) },
	{ "delayType", sim_delay_types, SIM_N(sim_delay_types),
	    offsetof(struct dlv_result, delay_type) },
	{ "feedbackType", sim_feedback_types, SIM_N(sim_feedback_types),
	    offsetof(struct dlv_result, complaint_type) },
	{ "userAgent", NULL, 0, offsetof(struct dlv_result, complaint_agent) },
};

int
sim_value_check(const char *key, const char *value, const char **canon,
    char *err, size_t errlen)
{
	const struct sim_strfield *f = NULL;
	size_t k;
	int i, n;

	for (k = 0; k < SIM_N(sim_strfields) && f == NULL; k++)
		if (strcmp(sim_strfields[k].key, key) == 0)
			f = &sim_strfields[k];
	*canon = value;
	if (f == NULL || f->set == NULL)
		return 0;
	if ((i = sim_pick(value, f->set, f->nset)) >= 0) {
		*canon = f->set[i];
		return 0;
	}
	n = snprintf(err, errlen, "%s: must be one of ", key);
	for (k = 0; k < f->nset && n > 0 && (size_t)n < errlen; k++)
		n += snprintf(err + n, errlen - (size_t)n, "%s%s", k ? ", " :
		    "", f->set[k]);
	return -1;
}

/* Fields each outcome takes; anything else is a misspelling. */
static const char *const sim_fields[][8] = {
	[SIM_DELIVER] = { "smtpResponse" },
	[SIM_BOUNCE_RULE] = { "bounceType", "bounceSubType", "action",
	    "status", "diagnosticCode" },
	[SIM_SOFT_BOUNCE] = { "delayType", "status", "diagnosticCode",
	    "failures", "bounceSubType" },
	[SIM_COMPLAINT_RULE] = { "feedbackType", "userAgent", "delayMs" },
	[SIM_AUTO_REPLY] = { "delayMs" },
	[SIM_REJECT] = { NULL },
};

static int
sim_rule_parse(const json_t *rule, size_t i, struct sim_rule *r, char *err,
    size_t errlen)
{
	const char *outcome, *key, *v;
	const json_t *val;
	json_int_t n;
	size_t k;
	int known;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(rule)) {
		snprintf(err, errlen, "rules[%zu]: must be an object", i);
		return -1;
	}
	if (sim_field(rule, i, "match", NULL, 0, &r->match, err, errlen) != 0 ||
	    sim_field(rule, i, "outcome", sim_outcomes, SIM_N(sim_outcomes),
	    &outcome, err, errlen) != 0)
		return -1;
	if (r->match == NULL || outcome == NULL) {
		snprintf(err, errlen, "rules[%zu]: needs match and outcome", i);
		return -1;
	}
	r->outcome = (enum sim_outcome)sim_pick(outcome, sim_outcomes,
	    SIM_N(sim_outcomes));
	json_object_foreach((json_t *)rule, key, val) {
		known = strcmp(key, "match") == 0 || strcmp(key, "outcome") ==
		    0;
		for (k = 0; !known && k < 8 && sim_fields[r->outcome][k]; k++)
			known = strcmp(key, sim_fields[r->outcome][k]) == 0;
		if (!known) {
			snprintf(err, errlen, "rules[%zu].%s: not a field of "
			    "outcome %s", i, key, outcome);
			return -1;
		}
	}
	/* Each outcome's defaults; then the fields the rule gives. */
	r->res.kind = DLV_DELIVERED;
	r->res.smtp_response = sim_accepted;
	switch (r->outcome) {
	case SIM_DELIVER:
	case SIM_AUTO_REPLY:
		r->res.auto_reply = r->outcome == SIM_AUTO_REPLY;
		break;
	case SIM_BOUNCE_RULE:
		r->res.kind = DLV_PERMANENT;
		r->res.bounce_type = "Permanent";
		r->res.bounce_subtype = "General";
		r->res.action = "failed";
		r->res.status = "5.1.1";
		r->res.diagnostic = "smtp; 550 5.1.1 user unknown";
		break;
	case SIM_SOFT_BOUNCE:
		r->res.kind = DLV_TRANSIENT;
		r->res.delay_type = "General";
		r->res.bounce_subtype = "General";
		r->res.status = "4.4.7";
		r->res.diagnostic = "smtp; 421 4.4.7 Delivery time expired";
		break;
	case SIM_COMPLAINT_RULE:
		r->res.complaint_type = "abuse";
		break;
	case SIM_REJECT:
		r->res.kind = DLV_REJECT;
		break;
	}
	for (k = 0; k < SIM_N(sim_strfields); k++) {
		const struct sim_strfield *f = &sim_strfields[k];

		if (sim_field(rule, i, f->key, f->set, f->nset, &v, err,
		    errlen) != 0)
			return -1;
		if (v != NULL)
			*(const char **)((char *)&r->res + f->off) = v;
	}
	if (sim_int(rule, i, "failures", -1, &n, err, errlen) != 0)
		return -1;
	r->failures = n > 1000 ? 1000 : (int)n;
	if (sim_int(rule, i, "delayMs", 0, &n, err, errlen) != 0)
		return -1;
	r->res.follow_up_ms = n;
	return 0;
}

static void
sim_rules_free(struct sim_rules *r)
{
	if (r == NULL || r == &sim_empty)
		return;
	json_decref(r->doc);
	free(r->v);
	free(r);
}

/* A new set from doc (copied), or NULL with err. */
static struct sim_rules *
sim_rules_new(const json_t *doc, char *err, size_t errlen)
{
	struct sim_rules *r;
	const json_t *list = json_object_get(doc, "rules"), *rule;
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(doc) || !json_is_array(list)) {
		snprintf(err, errlen, "rules: expected {\"rules\": [...]}");
		return NULL;
	}
	json_object_foreach((json_t *)doc, key, v) {
		if (strcmp(key, "rules") != 0) {
			snprintf(err, errlen, "%s: unknown key", key);
			return NULL;
		}
	}
	r = xcalloc(1, sizeof(*r));
	atomic_init(&r->refs, 1);
	r->doc = json_deep_copy(doc);
	list = json_object_get(r->doc, "rules");
	r->n = json_array_size(list);
	r->v = xcalloc(r->n + 1, sizeof(*r->v));
	json_array_foreach(list, i, rule) {
		if (sim_rule_parse(rule, i, &r->v[i], err, errlen) != 0) {
			sim_rules_free(r);
			return NULL;
		}
	}
	return r;
}

static void
sim_rules_swap(struct sim_rules *r)
{
	struct sim_rules *old;

	pthread_mutex_lock(&sim_lock);
	old = sim_active;
	sim_active = r;
	pthread_mutex_unlock(&sim_lock);
	sim_rules_drop(old);
}

int
sim_rules_set(const json_t *doc, char *err, size_t errlen)
{
	struct sim_rules *r = sim_rules_new(doc, err, errlen);

	if (r == NULL)
		return -1;
	sim_rules_swap(r);
	return 0;
}

int
sim_rules_load(const char *path, char *err, size_t errlen)
{
	char why[SIM_ERROR_MAX_BYTES];
	struct sim_rules *r;
	json_error_t je;
	json_t *doc;

	if ((doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL) {
		if (je.line > 0)
			snprintf(err, errlen, "%s:%d:%d: %s", path, je.line,
			    je.column, je.text);
		else
			snprintf(err, errlen, "%s: %s", path, je.text);
		return -1;
	}
	r = sim_rules_new(doc, why, sizeof(why));
	json_decref(doc);
	if (r == NULL) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -1;
	}
	pthread_mutex_lock(&sim_lock);
	if (sim_path == NULL || strcmp(sim_path, path) != 0) {
		free(sim_path);
		sim_path = xstrdup(path);
	}
	pthread_mutex_unlock(&sim_lock);
	sim_rules_swap(r);
	return 0;
}

int
sim_rules_reload(char *err, size_t errlen)
{
	char *path;
	int rc;

	pthread_mutex_lock(&sim_lock);
	path = sim_path != NULL ? xstrdup(sim_path) : NULL;
	pthread_mutex_unlock(&sim_lock);
	if (path == NULL) {
		snprintf(err, errlen, "no rules file was given "
		    "(--simulator-rules)");
		return -1;
	}
	rc = sim_rules_load(path, err, errlen);
	free(path);
	return rc;
}

json_t *
sim_rules_get(void)
{
	struct sim_rules *r = sim_rules_hold();
	json_t *out;

	pthread_mutex_lock(&sim_lock);
	out = json_pack("{s:o,s:o}", "rules", r->doc != NULL ?
	    json_deep_copy(json_object_get(r->doc, "rules")) : json_array(),
	    "file", sim_path != NULL ? json_string(sim_path) : json_null());
	pthread_mutex_unlock(&sim_lock);
	sim_rules_drop(r);
	return out;
}

struct sim_rules *
sim_rules_hold(void)
{
	struct sim_rules *r;

	pthread_mutex_lock(&sim_lock);
	r = sim_active;
	atomic_fetch_add(&r->refs, 1);
	pthread_mutex_unlock(&sim_lock);
	return r;
}

void
sim_rules_drop(struct sim_rules *r)
{
	if (r != NULL && atomic_fetch_sub(&r->refs, 1) == 1)
		sim_rules_free(r);
}

void
sim_rules_fini(void)
{
	sim_rules_swap(&sim_empty);
	free(sim_path);
	sim_path = NULL;
}

/* The first rule matching address, or NULL. */
static const struct sim_rule *
sim_rule_for(const struct sim_rules *rules, const char *address)
{
	size_t i;

	for (i = 0; i < rules->n; i++)
		if (fnmatch(rules->v[i].match, address, FNM_CASEFOLD) == 0)
			return &rules->v[i];
	return NULL;
}

void
sim_deliver(const struct sim_rules *rules, const struct store_queue_row *row,
    struct dlv_result *out)
{
	const struct sim_rule *rule;
	const char *address = row->address;

	memset(out, 0, sizeof(*out));
	out->kind = DLV_DELIVERED;
	out->smtp_response = sim_accepted;
	sim_mtas(row->region, out);
	if (sim_which(address) == SIM_NONE &&
	    (rule = sim_rule_for(rules, address)) != NULL) {
		const char *ip = out->remote_mta_ip, *dmta = out->delivery_mta;
		const char *bmta = out->reporting_mta;

		*out = rule->res;
		out->remote_mta_ip = ip;
		out->delivery_mta = dmta;
		out->reporting_mta = bmta;
		/* A soft bounce that gives way after its failures. */
		if (rule->outcome == SIM_SOFT_BOUNCE && rule->failures >= 0 &&
		    row->attempts >= rule->failures) {
			memset(out, 0, sizeof(*out));
			out->kind = DLV_DELIVERED;
			out->smtp_response = sim_accepted;
			sim_mtas(row->region, out);
		}
		return;
	}
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
