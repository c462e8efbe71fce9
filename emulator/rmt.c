/*
 * rmt — the SMTP transports of the delivery core (see rmt.h).
 *
 * Threads take jobs from a per-destination FIFO under one lock, deliver
 * them with smtpc (blocking, with deadlines), and settle what they got in
 * batches: a thread that finishes a job while no settle is under way
 * becomes the settler and records every finished job in one write
 * transaction; the others go back to delivering meanwhile. A row is
 * counted as pending from rmt_submit until its outcome is committed, so
 * rmt_drain means "every event is recorded".
 */
#include "rmt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "buf.h"
#include "cfg.h"
#include "dkim.h"
#include "dlv.h"
#include "dns.h"
#include "log.h"
#include "send.h"
#include "smtpc.h"
#include "store.h"
#include "store_identity.h"
#include "tclock.h"
#include "wire.h"
#include "worker.h"
#include "xmem.h"

/* AWS: SES takes at most 50 recipients a message; one transaction each. */
#define RMT_JOB_RCPTS 50
/* EMU: an idle connection is kept this long for the next message... */
#define RMT_IDLE_KEEP_MS 5000
/* ...and checked with RSET before reuse once idle this long. */
#define RMT_IDLE_CHECK_MS 1000
#define RMT_HOSTS_MAX 16
#define RMT_HOST_MAX_BYTES 300

struct rmt_rule {
	char *pattern;			/* with '@': an address glob; else a
					 * domain glob */
	enum rmt_transport t;
};

struct rmt_mx {
	char *domain;			/* or "*" */
	char *host;
	char *port;
};

/* A recipient's outcome and the strings its dlv_result points into. */
struct rmt_out {
	struct dlv_result res;
	char *text;
	char status[SMTPC_ENHANCED_MAX_BYTES];
	char ip[INET6_ADDRSTRLEN];
};

struct rmt_dest;

/* One message's recipients for one destination: one SMTP transaction. */
struct rmt_job {
	struct rmt_job *next;
	struct rmt_dest *dest;
	struct store_queue_row *rows;	/* n, owned */
	struct rmt_out *out;		/* n */
	size_t n;
	int gone;			/* the message was deleted */
};

struct rmt_idle {
	struct smtpc *c;
	struct timespec since;
};

struct rmt_dest {
	struct rmt_dest *next;
	enum rmt_transport t;
	char *domain;			/* mx: the recipients' domain */
	struct rmt_job *head, *tail;
	int active;			/* connections threads hold */
	struct rmt_idle *idle;		/* delivery_connections slots */
	int nidle;
};

static const struct cfg *rmt_cfg;
static struct rmt_rule *rmt_rules;
static size_t rmt_nrules;
static struct rmt_mx *rmt_map;
static size_t rmt_nmap;
static enum rmt_transport rmt_default;
static char *rmt_reporting_mta;		/* "dsn; HOSTNAME" */
static char *rmt_relay_host, *rmt_relay_port;	/* --relay, split */

static pthread_mutex_t rmt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rmt_work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t rmt_idle_cv = PTHREAD_COND_INITIALIZER;
static pthread_t *rmt_threads;
static int rmt_nthreads, rmt_stopping;
static struct rmt_dest *rmt_dests;
static long rmt_pending;		/* rows submitted, not yet settled */
static struct rmt_job *rmt_done;	/* finished, waiting to be settled */
static int rmt_settling;
/* Metrics (under rmt_lock). */
static unsigned long rmt_connections, rmt_transactions;
static unsigned long rmt_rcpt_delivered, rmt_rcpt_bounced, rmt_rcpt_deferred;

static enum rmt_transport
rmt_parse_transport(const char *v)
{
	return strcmp(v, "relay") == 0 ? RMT_RELAY : strcmp(v, "mx") == 0 ?
	    RMT_MX : RMT_SIMULATE;
}

const char *
rmt_transport_name(enum rmt_transport t)
{
	return t == RMT_RELAY ? "relay" : t == RMT_MX ? "mx" : "simulate";
}

/* Walks cfg's "LEFT=RIGHT,..." (checked by cfg already). */
static void
rmt_pairs(const char *v, void (*add)(const char *, size_t, const char *,
    size_t))
{
	const char *p = v, *end, *eq;
	size_t len;

	while (v != NULL && *p != '\0') {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		eq = memchr(p, '=', len);
		if (eq != NULL)
			add(p, (size_t)(eq - p), eq + 1, len - (size_t)(eq - p) -
			    1);
		if (end == NULL)
			break;
		p = end + 1;
	}
}

static void
rmt_add_rule(const char *l, size_t ll, const char *r, size_t rl)
{
	char *t = xasprintf("%.*s", (int)rl, r);

	rmt_rules = xrealloc(rmt_rules, (rmt_nrules + 1) * sizeof(*rmt_rules));
	rmt_rules[rmt_nrules].pattern = xasprintf("%.*s", (int)ll, l);
	rmt_rules[rmt_nrules++].t = rmt_parse_transport(t);
	free(t);
}

static void
rmt_add_mx(const char *l, size_t ll, const char *r, size_t rl)
{
	char *hp = xasprintf("%.*s", (int)rl, r);

	rmt_map = xrealloc(rmt_map, (rmt_nmap + 1) * sizeof(*rmt_map));
	rmt_map[rmt_nmap].domain = xasprintf("%.*s", (int)ll, l);
	(void)wire_hostport_split(hp, &rmt_map[rmt_nmap].host,
	    &rmt_map[rmt_nmap].port);	/* checked by cfg */
	rmt_nmap++;
	free(hp);
}

/* The domain of address (after its last '@'), or "". */
static const char *
rmt_domain(const char *address)
{
	const char *d = addr_domain(address);

	return d != NULL ? d : "";
}

enum rmt_transport
rmt_transport(const char *address)
{
	size_t i;

	if (send_is_simulator(address))
		return RMT_SIMULATE;
	for (i = 0; i < rmt_nrules; i++)
		if (fnmatch(rmt_rules[i].pattern, strchr(rmt_rules[i].pattern,
		    '@') != NULL ? address : rmt_domain(address),
		    FNM_CASEFOLD) == 0)
			return rmt_rules[i].t;
	return rmt_default;
}

/* ---- what goes on the wire ---- */

/* The address in a source that may carry a display name. */
static void
rmt_bare_address(const char *source, char *out, size_t n)
{
	const char *lt = strrchr(source, '<'), *gt;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL)
		snprintf(out, n, "%.*s", (int)(gt - lt - 1), lt + 1);
	else
		snprintf(out, n, "%s", source);
}

/* What the sender's identities say about signing and the envelope. */
struct rmt_sender {
	char *mail_from_domain;		/* verified custom MAIL FROM */
	char *dkim_domain, *dkim_selector, *dkim_key;
};

static void
rmt_sender_fini(struct rmt_sender *x)
{
	free(x->mail_from_domain);
	free(x->dkim_domain);
	free(x->dkim_selector);
	free(x->dkim_key);
}

/* The first Easy DKIM token of id. */
static char *
rmt_first_token(const struct store_identity *id)
{
	json_t *t = json_loads(id->dkim_tokens ? id->dkim_tokens : "[]", 0,
	    NULL);
	const char *v = json_string_value(json_array_get(t, 0));
	char *r = v != NULL ? xstrdup(v) : NULL;

	json_decref(t);
	return r;
}

/*
 * Looks at the sender's identities, most specific first: the address, its
 * domain, then the parent domains. AWS: the first with a verified custom
 * MAIL FROM domain gives the envelope's; the first domain with DKIM
 * signing on and verified signs (a subdomain inherits its parent's, DG:
 * send-email-authentication-dkim-easy). EMU: the sender is the send's
 * Source (SES signs for the From domain; they differ only for raw sends
 * that name another Source). Returns 0 or -1.
 */
static int
rmt_sender(struct store *s, const struct store_queue_row *row,
    struct rmt_sender *x)
{
	char addr[RMT_HOST_MAX_BYTES * 2];
	const char *names[64], *p;
	struct store_identity id;
	size_t n = 0, i;
	int rc;

	memset(x, 0, sizeof(*x));
	rmt_bare_address(row->source, addr, sizeof(addr));
	if (strchr(addr, '@') != NULL)
		names[n++] = addr;
	for (p = strchr(addr, '@') ? rmt_domain(addr) : addr; p != NULL &&
	    *p != '\0' && n < sizeof(names) / sizeof(names[0]);
	    p = strchr(p, '.') != NULL ? strchr(p, '.') + 1 : NULL)
		names[n++] = p;
	for (i = 0; i < n; i++) {
		if ((rc = store_identity_get(s, row->account, row->region,
		    names[i], &id)) < 0)
			return -1;
		if (rc == 1)
			continue;
		if (x->mail_from_domain == NULL && id.mail_from_domain !=
		    NULL && id.mail_from_status != NULL &&
		    strcmp(id.mail_from_status, "Success") == 0)
			x->mail_from_domain = xstrdup(id.mail_from_domain);
		if (x->dkim_key == NULL && strcmp(id.type, "Domain") == 0 &&
		    id.dkim_enabled && id.dkim_private_key != NULL &&
		    strcmp(id.dkim_status, "Success") == 0) {
			x->dkim_selector = id.dkim_origin != NULL &&
			    strcmp(id.dkim_origin, "EXTERNAL") == 0 ?
			    (id.dkim_selector ? xstrdup(id.dkim_selector) :
			    NULL) : rmt_first_token(&id);
			if (x->dkim_selector != NULL) {
				x->dkim_domain = xstrdup(id.name);
				x->dkim_key = xstrdup(id.dkim_private_key);
			}
		}
		store_identity_fini(&id);
	}
	return 0;
}

/*
 * The bytes that go out for row's message (new, *len set) and its
 * envelope sender (new): the headers SES adds, the DKIM signature when
 * the sender's domain signs, then the stored MIME unchanged. EMU: SES
 * writes Feedback-ID and X-SES-Outgoing at the end of the header section;
 * sesbox puts them first, so the stored message stays one byte-exact
 * block, and the outgoing IP is the loopback's. Returns NULL when the
 * message is gone, or on a store error (*gone says which).
 */
static char *
rmt_compose(const struct store_queue_row *row, size_t *len, char **mail_from,
    int *gone)
{
	struct store *s = store_get();
	struct rmt_sender x;
	unsigned char digest[SHA256_DIGEST_LENGTH];
	char *raw = NULL, *sig = NULL, *key, err[DKIM_ERROR_MAX_BYTES];
	int64_t now = tclock_now_ms();
	time_t secs = (time_t)(now / 1000);
	struct tm tm;
	struct buf b;
	size_t raw_len = 0;
	int rc;

	*gone = 0;
	memset(&x, 0, sizeof(x));
	if (s == NULL || store_begin(s) != 0)
		return NULL;
	if ((rc = store_queue_raw(s, row->message_id, &raw, &raw_len)) == 0)
		rc = rmt_sender(s, row, &x);
	if (rc != 0 || store_commit(s) != 0) {
		store_rollback(s);
		*gone = rc == 1;
		free(raw);
		rmt_sender_fini(&x);
		return NULL;
	}
	buf_init(&b);
	/* AWS: Feedback-ID "1.REGION.<base64>=:AmazonSES"; X-SES-Outgoing
	 * "YYYY.MM.DD-IP" (SES-REFERENCE §3). */
	key = xasprintf("%s/%s/%s", row->account, row->region,
	    row->configuration_set ? row->configuration_set : "");
	SHA256((const unsigned char *)key, strlen(key), digest);
	free(key);
	buf_printf(&b, "Feedback-ID: 1.%s.", row->region);
	buf_base64(&b, digest, sizeof(digest));
	buf_puts(&b, ":AmazonSES\r\n");
	gmtime_r(&secs, &tm);
	buf_printf(&b, "X-SES-Outgoing: %04d.%02d.%02d-127.0.0.1\r\n",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	buf_append(&b, raw, raw_len);
	free(raw);
	if (x.dkim_key != NULL) {
		sig = dkim_message_sign(x.dkim_key, x.dkim_domain,
		    x.dkim_selector, b.data, b.len, now / 1000, err);
		if (sig == NULL)
			log_warn("msg=\"cannot sign\" message_id=%s domain=%s "
			    "error=\"%s\"", row->message_id, x.dkim_domain, err);
	}
	*mail_from = xasprintf("%s@%s", row->message_id,
	    x.mail_from_domain != NULL ? x.mail_from_domain :
	    rmt_cfg->feedback_domain);
	rmt_sender_fini(&x);
	if (sig != NULL) {
		struct buf signed_msg;

		buf_init(&signed_msg);
		buf_puts(&signed_msg, sig);
		buf_append(&signed_msg, b.data, b.len);
		buf_fini(&b);
		b = signed_msg;
		free(sig);
	}
	*len = b.len;
	return b.data;
}

/* ---- outcomes ---- */

/* The enhanced status of reply r, or the class's "X.0.0". */
static void
rmt_status(const struct smtpc_reply *r, char *out, size_t n, char cls)
{
	if (r->enhanced[0] != '\0')
		snprintf(out, n, "%s", r->enhanced);
	else
		snprintf(out, n, "%c.0.0", cls);
}

/*
 * What reply r (the recipient's final word, on a connection to ip) means
 * for SES, into o. AWS: a delivery reports the final reply as
 * smtpResponse; a 5xx is a Permanent bounce with "smtp; REPLY" (a full
 * mailbox and a too-large message are Transient, §4.4); a 4xx or a
 * failure to talk is retried, with DeliveryDelay events, until expiry.
 */
static void
rmt_outcome(const struct smtpc_reply *r, const char *ip, struct rmt_out *o)
{
	struct dlv_result *res = &o->res;
	const char *text = r->text, *delay = "RecipientServerError";

	memset(res, 0, sizeof(*res));
	snprintf(o->ip, sizeof(o->ip), "%s", ip != NULL ? ip : "");
	res->remote_mta_ip = ip != NULL ? o->ip : NULL;
	res->reporting_mta = rmt_reporting_mta;
	res->delivery_mta = rmt_cfg->delivery_hostname;
	if (r->kind == SMTPC_OK) {
		res->kind = DLV_DELIVERED;
		o->text = xstrdup(r->text);
		res->smtp_response = o->text;
		return;
	}
	if (r->kind == SMTPC_PERMANENT && r->code >= 500) {
		rmt_status(r, o->status, sizeof(o->status), '5');
		res->kind = DLV_PERMANENT;
		res->bounce_type = "Permanent";
		res->bounce_subtype = "General";
		if (strcmp(o->status, "5.2.2") == 0 ||
		    strcmp(o->status, "5.3.4") == 0) {
			res->bounce_type = "Transient";
			res->bounce_subtype = o->status[2] == '2' ?
			    "MailboxFull" : "MessageTooLarge";
		}
		res->action = "failed";
		res->status = o->status;
		o->text = xasprintf("smtp; %s", text);
		res->diagnostic = o->text;
		return;
	}
	res->kind = DLV_TRANSIENT;
	res->bounce_subtype = "General";
	if (r->code >= 400 && r->code < 500) {
		rmt_status(r, o->status, sizeof(o->status), '4');
		if (strcmp(o->status + 1, ".2.2") == 0) {
			delay = "MailboxFull";
			res->bounce_subtype = "MailboxFull";
		}
		o->text = xasprintf("smtp; %s", text);
	} else if (r->kind == SMTPC_TIMEOUT) {
		/* EMU: SES's text for a server that stops answering. */
		snprintf(o->status, sizeof(o->status), "4.4.2");
		o->text = xstrdup("smtp; 421 4.4.2 Connection timed out");
		delay = "TransientCommunicationFailure";
	} else if (r->kind == SMTPC_TLS_FAILED) {
		/* AWS: TlsPolicy Require without TLS, as SES reports it
		 * (re:Post: "<421 4.4.1 Failed to establish connection>"). */
		snprintf(o->status, sizeof(o->status), "4.4.1");
		o->text = xstrdup("smtp; 421 4.4.1 Failed to establish "
		    "connection");
		delay = "TransientCommunicationFailure";
	} else if (r->kind == SMTPC_AUTH_FAILED) {
		/* EMU: a relay that refuses sesbox's credentials. */
		snprintf(o->status, sizeof(o->status), "4.7.0");
		o->text = xasprintf("smtp; 454 4.7.0 Authentication with the "
		    "relay failed: %s", text);
		delay = "InternalFailure";
	} else if (r->kind == SMTPC_PERMANENT) {
		/* A 5xx before any transaction (a banner or EHLO refusal)
		 * or an address smtpc cannot send: treated as the server's. */
		rmt_status(r, o->status, sizeof(o->status), '5');
		res->kind = DLV_PERMANENT;
		res->bounce_type = "Permanent";
		res->action = "failed";
		res->status = o->status;
		o->text = r->code != 0 ? xasprintf("smtp; %s", text) :
		    xasprintf("smtp; 550 %s %s", o->status, text);
		res->diagnostic = o->text;
		return;
	} else {
		/* AWS: the DeliveryDelay example of the Developer Guide. */
		snprintf(o->status, sizeof(o->status), "4.4.1");
		o->text = xstrdup("smtp; 421 4.4.1 Unable to connect to remote "
		    "host");
		delay = "TransientCommunicationFailure";
	}
	res->delay_type = delay;
	res->status = o->status;
	res->diagnostic = o->text;
}

/* ---- connections ---- */

static enum smtpc_tls
rmt_tls_mode(const struct rmt_dest *d, int required)
{
	const char *m = rmt_cfg->relay_tls;

	if (d->t == RMT_RELAY && strcmp(m, "tls") == 0)
		return SMTPC_TLS_IMPLICIT;
	if (required || (d->t == RMT_RELAY && strcmp(m, "require") == 0))
		return SMTPC_TLS_REQUIRED;
	if (d->t == RMT_RELAY && strcmp(m, "off") == 0)
		return SMTPC_TLS_NONE;
	return SMTPC_TLS_OPPORTUNISTIC;
}

/* A made-up reply for a failure before any server spoke (why). */
static void __attribute__((format(printf, 5, 6)))
rmt_why(struct smtpc_reply *why, enum smtpc_kind kind, int code,
    const char *enhanced, const char *fmt, ...)
{
	va_list ap;

	memset(why, 0, sizeof(*why));
	why->kind = kind;
	why->code = code;
	snprintf(why->enhanced, sizeof(why->enhanced), "%s", enhanced);
	va_start(ap, fmt);
	vsnprintf(why->text, sizeof(why->text), fmt, ap);
	va_end(ap);
}

/* One connection attempt to host:port (tls_name for TLS) with o. */
static struct smtpc *
rmt_open_one(struct smtpc_opts *o, const char *host, const char *port,
    const char *tls_name, struct smtpc_reply *why)
{
	o->host = host;
	o->port = port;
	o->tls_name = tls_name;
	return smtpc_open(o, why);
}

/* The MX hosts of domain by preference, each as (name, address) pairs
 * (new strings in names[]/addrs[]). Returns the count; 0 with *why set
 * when there is none to try. */
static size_t
rmt_mx_hosts(const char *domain, char names[][RMT_HOST_MAX_BYTES],
    char addrs[][INET6_ADDRSTRLEN], struct smtpc_reply *why)
{
	const char *resolver = rmt_cfg->dns_resolver;
	struct dns_answers mx, a;
	size_t order[DNS_ANSWERS_MAX], i, j, k, n = 0, t;
	int q;

	if (dns_query(resolver, domain, DNS_MX, &mx) != 0) {
		/* EMU: a resolver that does not answer is transient. */
		rmt_why(why, SMTPC_NETWORK, 421, "4.4.3", "421 4.4.3 Unable to "
		    "look up DNS for %s", domain);
		return 0;
	}
	if (mx.n == 0 && mx.nxdomain) {
		rmt_why(why, SMTPC_PERMANENT, 550, "5.1.2", "550 5.1.2 Domain "
		    "%s does not exist", domain);
		return 0;
	}
	if (mx.n == 0) {
		/* RFC 5321 §5.1: no MX, the domain itself is the host. */
		snprintf(mx.v[0], sizeof(mx.v[0]), "%s", domain);
		mx.pref[0] = 0;
		mx.n = 1;
	}
	for (i = 0; i < mx.n; i++)
		order[i] = i;
	for (i = 1; i < mx.n; i++)	/* by preference, stable */
		for (j = i; j > 0 && mx.pref[order[j - 1]] >
		    mx.pref[order[j]]; j--) {
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (i = 0; i < mx.n && n < RMT_HOSTS_MAX; i++) {
		const char *host = mx.v[order[i]];

		if (host[0] == '\0' || strcmp(host, ".") == 0) {
			/* RFC 7505: a null MX: the domain takes no mail. */
			rmt_why(why, SMTPC_PERMANENT, 550, "5.1.10", "550 "
			    "5.1.10 Domain %s does not accept mail (null MX)",
			    domain);
			return 0;
		}
		for (q = 0; q < 2; q++) {
			if (dns_query(resolver, host, q == 0 ? DNS_A :
			    DNS_AAAA, &a) != 0)
				continue;
			for (k = 0; k < a.n && n < RMT_HOSTS_MAX; k++) {
				snprintf(names[n], RMT_HOST_MAX_BYTES, "%s",
				    host);
				snprintf(addrs[n], INET6_ADDRSTRLEN, "%s",
				    a.v[k]);
				n++;
			}
		}
	}
	if (n == 0)
		rmt_why(why, SMTPC_NETWORK, 421, "4.4.3", "421 4.4.3 Unable to "
		    "look up the MX hosts of %s", domain);
	return n;
}

/*
 * A new connection to destination d (TLS as required says), or NULL with
 * *why saying why not. Tries the relay; or the mx-hosts map's entry; or
 * the domain's MX hosts in order.
 */
static struct smtpc *
rmt_connect(const struct rmt_dest *d, int required, struct smtpc_reply *why)
{
	char names[RMT_HOSTS_MAX][RMT_HOST_MAX_BYTES];
	char addrs[RMT_HOSTS_MAX][INET6_ADDRSTRLEN];
	long ms = (long)rmt_cfg->delivery_timeout * 1000;
	struct smtpc_opts o = { .tls = rmt_tls_mode(d, required),
	    .verify_peer = rmt_cfg->delivery_tls_verify,
	    .ca_file = rmt_cfg->delivery_ca_file,
	    .helo = rmt_cfg->delivery_hostname, .connect_timeout_ms = ms,
	    .command_timeout_ms = ms, .data_timeout_ms = ms };
	struct smtpc *c = NULL;
	char port[16];
	size_t i, n;

	if (d->t == RMT_RELAY) {
		o.user = rmt_cfg->relay_user;
		o.password = rmt_cfg->relay_password;
		return rmt_open_one(&o, rmt_relay_host, rmt_relay_port, NULL,
		    why);
	}
	for (i = 0; i < rmt_nmap; i++)
		if (strcasecmp(rmt_map[i].domain, d->domain) == 0)
			break;
	if (i == rmt_nmap)
		for (i = 0; i < rmt_nmap; i++)
			if (strcmp(rmt_map[i].domain, "*") == 0)
				break;
	if (i < rmt_nmap)
		return rmt_open_one(&o, rmt_map[i].host, rmt_map[i].port, NULL,
		    why);
	n = rmt_mx_hosts(d->domain, names, addrs, why);
	snprintf(port, sizeof(port), "%d", rmt_cfg->mx_port);
	for (i = 0; i < n && c == NULL; i++)
		c = rmt_open_one(&o, addrs[i], port, names[i], why);
	return c;
}

/* ---- one job ---- */

static int64_t
rmt_ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Every recipient of job j gets reply r (from ip, or NULL). */
static void
rmt_all(struct rmt_job *j, const struct smtpc_reply *r, const char *ip)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		rmt_outcome(r, ip, &j->out[i]);
}

/*
 * Delivers job j on *c (an open connection, or NULL: one is opened; left
 * NULL when it can no longer be used). Sets every j->out. Returns 0, or -1
 * when the message is gone (nothing to settle).
 */
static int
rmt_deliver(struct rmt_job *j, struct smtpc **c)
{
	const struct store_queue_row *row = &j->rows[0];
	struct smtpc_reply rcpt[RMT_JOB_RCPTS], data, why;
	const char *rcpts[RMT_JOB_RCPTS];
	char *msg, *mail_from = NULL;
	size_t len, i;
	int gone, accepted;

	if ((msg = rmt_compose(row, &len, &mail_from, &gone)) == NULL) {
		if (gone)
			return -1;
		rmt_why(&why, SMTPC_NETWORK, 0, "", "%s", "store error");
		rmt_all(j, &why, NULL);
		/* EMU: sesbox's own failure: retried as SES would its. */
		for (i = 0; i < j->n; i++)
			j->out[i].res.delay_type = "InternalFailure";
		return 0;
	}
	if (*c != NULL && row->tls_required && !smtpc_tls_active(*c)) {
		smtpc_close(*c);
		*c = NULL;
	}
	if (*c == NULL) {
		if ((*c = rmt_connect(j->dest, row->tls_required, &why)) ==
		    NULL) {
			rmt_all(j, &why, NULL);
			log_info("msg=\"delivery\" message_id=%s transport=%s "
			    "dest=%s rcpts=%zu accepted=0 error=\"%s\"",
			    row->message_id, rmt_transport_name(j->dest->t),
			    j->dest->domain ? j->dest->domain :
			    rmt_cfg->relay, j->n, why.text);
			free(msg);
			free(mail_from);
			return 0;
		}
		pthread_mutex_lock(&rmt_lock);
		rmt_connections++;
		pthread_mutex_unlock(&rmt_lock);
	}
	for (i = 0; i < j->n; i++)
		rcpts[i] = j->rows[i].address;
	accepted = smtpc_send(*c, mail_from, rcpts, j->n, msg, len, rcpt,
	    &data);
	for (i = 0; i < j->n; i++)
		rmt_outcome(&rcpt[i], smtpc_peer_ip(*c), &j->out[i]);
	log_info("msg=\"delivery\" message_id=%s transport=%s dest=%s ip=%s "
	    "tls=%s rcpts=%zu accepted=%d reply=\"%s\"", row->message_id,
	    rmt_transport_name(j->dest->t), j->dest->domain ?
	    j->dest->domain : rmt_cfg->relay, smtpc_peer_ip(*c),
	    smtpc_tls_active(*c) ? "yes" : "no", j->n, accepted < 0 ? 0 :
	    accepted, data.text);
	if (accepted < 0) {
		smtpc_close(*c);
		*c = NULL;
	}
	free(msg);
	free(mail_from);
	return 0;
}

static void
rmt_job_free(struct rmt_job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		store_queue_row_fini(&j->rows[i]);
		free(j->out[i].text);
	}
	free(j->rows);
	free(j->out);
	free(j);
}

/* Records the outcomes of the jobs in list (every row still leased) in
 * one transaction. */
static void
rmt_settle(struct rmt_job *list)
{
	struct store_queue_row *rows;
	struct dlv_result *res;
	struct rmt_job *j;
	struct store *s;
	size_t n = 0, i;
	int rc = 0, k;

	for (j = list; j != NULL; j = j->next)
		n += j->n;
	rows = xcalloc(n + 1, sizeof(*rows));
	res = xcalloc(n + 1, sizeof(*res));
	n = 0;
	if ((s = store_write_begin()) == NULL) {
		rc = -1;
		goto out;
	}
	for (j = list; j != NULL && rc == 0; j = j->next)
		for (i = 0; i < j->n && rc == 0 && !j->gone; i++) {
			if ((k = store_queue_leased(s, &j->rows[i])) < 0)
				rc = -1;
			else if (k == 1) {
				rows[n] = j->rows[i];
				res[n++] = j->out[i].res;
			}
		}
	if (rc == 0 && n > 0)
		rc = dlv_settle(s, rmt_cfg, rows, res, n, tclock_now_ms());
	if (store_write_end(s, rc == 0) != 0)
		rc = -1;
out:
	if (rc != 0)
		log_error("msg=\"cannot settle deliveries\" rows=%zu", n);
	free(rows);
	free(res);
}

/* Job j is finished: settled now, or by whichever thread is settling. */
static void
rmt_finish(struct rmt_job *j)
{
	struct rmt_job *list, *next;
	long rows;
	size_t i;

	pthread_mutex_lock(&rmt_lock);
	rmt_transactions++;
	for (i = 0; i < j->n && !j->gone; i++)
		if (j->out[i].res.kind == DLV_DELIVERED)
			rmt_rcpt_delivered++;
		else if (j->out[i].res.kind == DLV_TRANSIENT)
			rmt_rcpt_deferred++;
		else
			rmt_rcpt_bounced++;
	j->next = rmt_done;
	rmt_done = j;
	if (rmt_settling) {
		pthread_mutex_unlock(&rmt_lock);
		return;
	}
	rmt_settling = 1;
	while ((list = rmt_done) != NULL) {
		rmt_done = NULL;
		pthread_mutex_unlock(&rmt_lock);
		rmt_settle(list);
		for (rows = 0; list != NULL; list = next) {
			next = list->next;
			rows += (long)list->n;
			rmt_job_free(list);
		}
		pthread_mutex_lock(&rmt_lock);
		rmt_pending -= rows;
		if (rmt_pending == 0)
			pthread_cond_broadcast(&rmt_idle_cv);
	}
	rmt_settling = 0;
	pthread_mutex_unlock(&rmt_lock);
}

/* ---- threads ---- */

/* A destination with a job a thread may take now (rmt_lock held). */
static struct rmt_dest *
rmt_ready(void)
{
	struct rmt_dest *d;

	for (d = rmt_dests; d != NULL; d = d->next)
		if (d->head != NULL && (d->nidle > 0 || d->active + d->nidle <
		    rmt_cfg->delivery_connections))
			return d;
	return NULL;
}

static struct rmt_job *
rmt_pop(struct rmt_dest *d)
{
	struct rmt_job *j = d->head;

	if (j != NULL && (d->head = j->next) == NULL)
		d->tail = NULL;
	return j;
}

/* An idle connection of d to reuse (rmt_lock held), or NULL; stale ones
 * are closed (after the lock is dropped: *stale). */
static struct smtpc *
rmt_take_idle(struct rmt_dest *d, struct smtpc **stale, int64_t *idle_ms)
{
	struct rmt_idle it;

	*stale = NULL;
	if (d->nidle == 0)
		return NULL;
	it = d->idle[--d->nidle];
	*idle_ms = rmt_ms_since(&it.since);
	if (*idle_ms > RMT_IDLE_KEEP_MS) {
		*stale = it.c;
		return NULL;
	}
	return it.c;
}

static void *
rmt_main(void *arg)
{
	struct rmt_dest *d;
	struct rmt_job *j;
	struct smtpc *c, *stale;
	int64_t idle_ms = 0;

	(void)arg;
	pthread_mutex_lock(&rmt_lock);
	while (!rmt_stopping) {
		if ((d = rmt_ready()) == NULL) {
			pthread_cond_wait(&rmt_work, &rmt_lock);
			continue;
		}
		j = rmt_pop(d);
		c = rmt_take_idle(d, &stale, &idle_ms);
		d->active++;
		pthread_mutex_unlock(&rmt_lock);
		smtpc_close(stale);
		if (c != NULL && idle_ms > RMT_IDLE_CHECK_MS &&
		    smtpc_rset(c) != 0) {
			smtpc_close(c);
			c = NULL;
		}
		for (;;) {
			j->gone = rmt_deliver(j, &c) != 0;
			rmt_finish(j);
			pthread_mutex_lock(&rmt_lock);
			if (c == NULL || rmt_stopping ||
			    (j = rmt_pop(d)) == NULL)
				break;
			pthread_mutex_unlock(&rmt_lock);
		}
		d->active--;
		if (c != NULL && !rmt_stopping) {
			d->idle[d->nidle].c = c;
			clock_gettime(CLOCK_MONOTONIC, &d->idle[d->nidle].since);
			d->nidle++;
			c = NULL;
		}
		pthread_cond_signal(&rmt_work);
		if (c != NULL) {
			pthread_mutex_unlock(&rmt_lock);
			smtpc_close(c);
			pthread_mutex_lock(&rmt_lock);
		}
	}
	pthread_mutex_unlock(&rmt_lock);
	store_release();
	return NULL;
}

/* The destination of transport t and domain (rmt_lock held). */
static struct rmt_dest *
rmt_dest_get(enum rmt_transport t, const char *domain)
{
	struct rmt_dest *d;

	for (d = rmt_dests; d != NULL; d = d->next)
		if (d->t == t && (t == RMT_RELAY ||
		    strcasecmp(d->domain, domain) == 0))
			return d;
	d = xcalloc(1, sizeof(*d));
	d->t = t;
	d->domain = t == RMT_MX ? xstrdup(domain) : NULL;
	d->idle = xcalloc((size_t)rmt_cfg->delivery_connections,
	    sizeof(*d->idle));
	d->next = rmt_dests;
	rmt_dests = d;
	return d;
}

void
rmt_submit(struct store_queue_row *rows, size_t n)
{
	struct rmt_job **made = xcalloc(n + 1, sizeof(*made)), *j;
	struct rmt_dest *d;
	enum rmt_transport t;
	size_t nmade = 0, i, k;

	pthread_mutex_lock(&rmt_lock);
	for (i = 0; i < n; i++) {
		t = rmt_transport(rows[i].address);
		d = rmt_dest_get(t, rmt_domain(rows[i].address));
		for (j = NULL, k = 0; k < nmade && j == NULL; k++)
			if (made[k]->dest == d && made[k]->n < RMT_JOB_RCPTS &&
			    strcmp(made[k]->rows[0].message_id,
			    rows[i].message_id) == 0)
				j = made[k];
		if (j == NULL) {
			j = xcalloc(1, sizeof(*j));
			j->dest = d;
			j->rows = xcalloc(RMT_JOB_RCPTS, sizeof(*j->rows));
			j->out = xcalloc(RMT_JOB_RCPTS, sizeof(*j->out));
			made[nmade++] = j;
			if (d->tail != NULL)
				d->tail->next = j;
			else
				d->head = j;
			d->tail = j;
		}
		j->rows[j->n++] = rows[i];
	}
	rmt_pending += (long)n;
	pthread_cond_broadcast(&rmt_work);
	pthread_mutex_unlock(&rmt_lock);
	free(made);
	free(rows);
}

int
rmt_drain(long timeout_ms)
{
	struct timespec until;
	int rc = 0;

	worker_deadline(timeout_ms, &until);
	pthread_mutex_lock(&rmt_lock);
	while (rmt_pending > 0 && rc == 0)
		if (pthread_cond_timedwait(&rmt_idle_cv, &rmt_lock, &until) ==
		    ETIMEDOUT)
			rc = -1;
	pthread_mutex_unlock(&rmt_lock);
	return rc;
}

void
rmt_metrics(FILE *out)
{
	pthread_mutex_lock(&rmt_lock);
	fprintf(out, "# HELP sesbox_delivery_connections_total SMTP "
	    "connections opened to deliver mail.\n"
	    "# TYPE sesbox_delivery_connections_total counter\n"
	    "sesbox_delivery_connections_total %lu\n"
	    "# HELP sesbox_delivery_transactions_total SMTP transactions "
	    "(one message, one destination) attempted.\n"
	    "# TYPE sesbox_delivery_transactions_total counter\n"
	    "sesbox_delivery_transactions_total %lu\n"
	    "# HELP sesbox_delivery_recipients_total Recipients attempted "
	    "over SMTP, by outcome.\n"
	    "# TYPE sesbox_delivery_recipients_total counter\n"
	    "sesbox_delivery_recipients_total{outcome=\"delivered\"} %lu\n"
	    "sesbox_delivery_recipients_total{outcome=\"deferred\"} %lu\n"
	    "sesbox_delivery_recipients_total{outcome=\"bounced\"} %lu\n"
	    "# HELP sesbox_delivery_pending Recipients handed to SMTP "
	    "delivery and not yet settled.\n"
	    "# TYPE sesbox_delivery_pending gauge\n"
	    "sesbox_delivery_pending %ld\n", rmt_connections,
	    rmt_transactions, rmt_rcpt_delivered, rmt_rcpt_deferred,
	    rmt_rcpt_bounced, rmt_pending);
	pthread_mutex_unlock(&rmt_lock);
}

int
rmt_start(const struct cfg *cfg)
{
	int i, remote;

	rmt_cfg = cfg;
	rmt_default = rmt_parse_transport(cfg->deliver);
	rmt_pairs(cfg->transport_rules, rmt_add_rule);
	rmt_pairs(cfg->mx_hosts, rmt_add_mx);
	rmt_reporting_mta = xasprintf("dsn; %s", cfg->delivery_hostname);
	if (cfg->relay != NULL)
		(void)wire_hostport_split(cfg->relay, &rmt_relay_host,
		    &rmt_relay_port);	/* checked by cfg */
	remote = rmt_default != RMT_SIMULATE;
	for (i = 0; (size_t)i < rmt_nrules; i++)
		remote |= rmt_rules[i].t != RMT_SIMULATE;
	rmt_stopping = 0;
	rmt_pending = 0;
	if (!remote)
		return 0;
	rmt_threads = xcalloc((size_t)cfg->delivery_threads,
	    sizeof(*rmt_threads));
	for (i = 0; i < cfg->delivery_threads; i++) {
		if (pthread_create(&rmt_threads[i], NULL, rmt_main, NULL) !=
		    0) {
			log_error("msg=\"cannot start the delivery threads\"");
			rmt_nthreads = i;
			rmt_stop();
			return -1;
		}
		rmt_nthreads = i + 1;
	}
	return 0;
}

void
rmt_stop(void)
{
	struct rmt_dest *d, *dn;
	struct rmt_job *j, *jn;
	size_t i;
	int k;

	pthread_mutex_lock(&rmt_lock);
	rmt_stopping = 1;
	pthread_cond_broadcast(&rmt_work);
	pthread_mutex_unlock(&rmt_lock);
	for (k = 0; k < rmt_nthreads; k++)
		pthread_join(rmt_threads[k], NULL);
	free(rmt_threads);
	rmt_threads = NULL;
	rmt_nthreads = 0;
	for (d = rmt_dests; d != NULL; d = dn) {
		dn = d->next;
		for (j = d->head; j != NULL; j = jn) {
			jn = j->next;
			rmt_job_free(j);
		}
		for (k = 0; k < d->nidle; k++)
			smtpc_close(d->idle[k].c);
		free(d->idle);
		free(d->domain);
		free(d);
	}
	rmt_dests = NULL;
	for (i = 0; i < rmt_nrules; i++)
		free(rmt_rules[i].pattern);
	free(rmt_rules);
	rmt_rules = NULL;
	rmt_nrules = 0;
	for (i = 0; i < rmt_nmap; i++) {
		free(rmt_map[i].domain);
		free(rmt_map[i].host);
		free(rmt_map[i].port);
	}
	free(rmt_map);
	rmt_map = NULL;
	rmt_nmap = 0;
	free(rmt_reporting_mta);
	rmt_reporting_mta = NULL;
	free(rmt_relay_host);
	free(rmt_relay_port);
	rmt_relay_host = rmt_relay_port = NULL;
}
