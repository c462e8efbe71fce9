/*
 * cfg — start-up configuration of the emulator (see cfg.h).
 *
 * Everything below is driven by cfg_keys[]: a key's row says where its value
 * lives in struct cfg, how to parse and check it (its type, through
 * cfg_types[], plus the row's limits), its default as text, and the words
 * --help and docs/configuration.md show for it.
 */
#include "cfg.h"
#include "wire.h"
#include "xmem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#define CFG_ENV_PREFIX "SESBOX_"
#define CFG_ENV_NAME_MAX_BYTES 64
#define CFG_FLAG_TEXT_MAX_BYTES 128
#define CFG_PLACEHOLDER_MAX_BYTES 64
#define CFG_REASON_MAX_BYTES 320
#define CFG_GOT_MAX_CHARS 48	/* longer values are cut in messages */
#define CFG_GOT_MAX_BYTES (CFG_GOT_MAX_CHARS * 4 + 8)
#define CFG_PORT_MAX 65535
#define CFG_HOSTNAME_MAX_CHARS 253
#define CFG_HOST_LABEL_MAX_CHARS 63
#define CFG_HOST_MAX_BYTES 300	/* bracketed IPv6 or a host name, + NUL */
#define CFG_HELP_COLUMN_MIN 24

enum cfg_type {
	CFG_T_STRING,		/* char *, optionally checked by .check */
	CFG_T_BOOL,		/* int 0/1 */
	CFG_T_INT,		/* int in [.imin, .imax] */
	CFG_T_DOUBLE,		/* double, finite, above .dmin, at most .dmax */
	CFG_T_ENUM,		/* char *, one of .choices */
	CFG_T_CREDENTIALS,	/* struct cfg_credential *; size_t count too */
	CFG_T_SUBSCRIPTIONS,	/* struct cfg_subscription *; size_t count */
	CFG_T_ACTION,		/* no value: cfg_load returns .action */
};

/* Where a key may be set. */
#define CFG_FROM_FILE 0x1u
#define CFG_FROM_ENV 0x2u
#define CFG_FROM_CLI 0x4u
#define CFG_FROM_ANY (CFG_FROM_FILE | CFG_FROM_ENV | CFG_FROM_CLI)

/* Checks a string value; on failure writes a reason and returns -1. */
typedef int cfg_check_fn(const char *value, char *reason, size_t reason_size);

struct cfg_key {
	const char *name;		/* file key, --name, SESBOX_NAME */
	enum cfg_type type;
	size_t offset;			/* of the field in struct cfg */
	const char *def;		/* default, parsed as input, or NULL */
	const char *placeholder;	/* value in --help, e.g. "HOST:PORT" */
	const char *description;	/* one line, no final period */
	unsigned from;			/* CFG_FROM_* */
	char short_name;		/* -x on the command line, or 0 */
	/* Type-specific limits. */
	cfg_check_fn *check;		/* STRING */
	long imin, imax;		/* INT, within int's range */
	double dmin, dmax;		/* DOUBLE */
	int dmin_open;			/* DOUBLE: value must exceed dmin */
	const char *const *choices;	/* ENUM, NULL-terminated */
	size_t count_offset;		/* CREDENTIALS, SUBSCRIPTIONS: count */
	enum cfg_result action;		/* ACTION */
};

static cfg_check_fn cfg_check_nonempty;
static cfg_check_fn cfg_check_listen;
static cfg_check_fn cfg_check_listen_off;
static cfg_check_fn cfg_check_region;
static cfg_check_fn cfg_check_account;
static cfg_check_fn cfg_check_url;
static cfg_check_fn cfg_check_hostname_key;
static cfg_check_fn cfg_check_mx_hosts;
static cfg_check_fn cfg_check_transport_rules;

static const char *const cfg_deliver_modes[] = {
	"simulate", "relay", "mx", NULL,
};

static const char *const cfg_relay_tls_modes[] = {
	"off", "starttls", "require", "tls", NULL,
};

static const char *const cfg_verification_modes[] = {
	"auto", "link", "dns", NULL,
};

static const char *const cfg_log_levels[] = {
	"debug", "info", "warn", "error", NULL
};

#define CFG_FIELD(f) offsetof(struct cfg, f)

/* The keys, in the order --help and the docs list them. */
static const struct cfg_key cfg_keys[] = {
	{ .name = "config", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(config), .def = NULL, .placeholder = "FILE",
	  .description = "Config file of 'key = value' lines to read",
	  .from = CFG_FROM_ENV | CFG_FROM_CLI, .check = cfg_check_nonempty },
	{ .name = "listen", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(listen), .def = "127.0.0.1:4579",
	  .placeholder = "HOST:PORT",
	  .description = "HTTP API address (IPv4, host name or [IPv6]); "
	      "port 0 picks a free port",
	  .from = CFG_FROM_ANY, .check = cfg_check_listen },
	{ .name = "data", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(data), .def = "./sesbox-data",
	  .placeholder = "DIR",
	  .description = "Data directory holding the store",
	  .from = CFG_FROM_ANY, .check = cfg_check_nonempty },
	{ .name = "ephemeral", .type = CFG_T_BOOL,
	  .offset = CFG_FIELD(ephemeral), .def = "false",
	  .description = "Use a temporary store, removed on exit",
	  .from = CFG_FROM_ANY },
	{ .name = "region", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(region), .def = "us-east-1",
	  .placeholder = "REGION",
	  .description = "AWS region the emulator answers as",
	  .from = CFG_FROM_ANY, .check = cfg_check_region },
	{ .name = "log-level", .type = CFG_T_ENUM,
	  .offset = CFG_FIELD(log_level), .def = "info",
	  .description = "Least severe log level written to stderr",
	  .from = CFG_FROM_ANY, .choices = cfg_log_levels },
	{ .name = "default-account", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(default_account), .def = "000000000000",
	  .placeholder = "ACCOUNT_ID",
	  .description = "12-digit account for access keys not in credentials",
	  .from = CFG_FROM_ANY, .check = cfg_check_account },
	{ .name = "credentials", .type = CFG_T_CREDENTIALS,
	  .offset = CFG_FIELD(credentials), .def = "",
	  .placeholder = "KEY:SECRET[:ACCOUNT],...",
	  .description = "Access keys: comma-separated "
	      "ACCESS_KEY:SECRET_KEY[:ACCOUNT_ID] entries",
	  .from = CFG_FROM_ANY, .count_offset = CFG_FIELD(ncredentials) },
	{ .name = "strict-auth", .type = CFG_T_BOOL,
	  .offset = CFG_FIELD(strict_auth), .def = "false",
	  .description = "Verify SigV4 signatures against the secret keys "
	      "in credentials",
	  .from = CFG_FROM_ANY },
	{ .name = "http-threads", .type = CFG_T_INT,
	  .offset = CFG_FIELD(http_threads), .def = "0", .placeholder = "N",
	  .description = "HTTP worker threads; 0 means one per CPU core",
	  .from = CFG_FROM_ANY, .imin = 0, .imax = 256 },
	{ .name = "max-24h-send", .type = CFG_T_DOUBLE,
	  .offset = CFG_FIELD(max_24h_send), .def = "50000",
	  .placeholder = "N",
	  .description = "Daily sending quota, reported by GetSendQuota as "
	      "Max24HourSend; -1 means unlimited",
	  .from = CFG_FROM_ANY, .dmin = -1, .dmax = HUGE_VAL },
	{ .name = "max-send-rate", .type = CFG_T_DOUBLE,
	  .offset = CFG_FIELD(max_send_rate), .def = "14",
	  .placeholder = "N",
	  .description = "Messages per second, reported by GetSendQuota as "
	      "MaxSendRate",
	  .from = CFG_FROM_ANY, .dmin = 0, .dmin_open = 1, .dmax = HUGE_VAL },
	{ .name = "sandbox", .type = CFG_T_BOOL,
	  .offset = CFG_FIELD(sandbox), .def = "false",
	  .description = "New accounts start in the SES sandbox: verified "
	      "recipients only, 200 messages a day, 1 a second",
	  .from = CFG_FROM_ANY },
	{ .name = "verification", .type = CFG_T_ENUM,
	  .offset = CFG_FIELD(verification), .def = "auto",
	  .description = "How identities verify: auto (at once), link (email "
	      "addresses when their verification link is opened), dns "
	      "(domains when their TXT or DKIM records resolve)",
	  .from = CFG_FROM_ANY, .choices = cfg_verification_modes },
	{ .name = "dns-resolver", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(dns_resolver), .def = NULL,
	  .placeholder = "HOST:PORT",
	  .description = "DNS server the dns verification mode asks (UDP); "
	      "unset: the first nameserver of /etc/resolv.conf",
	  .from = CFG_FROM_ANY, .check = cfg_check_listen },
	{ .name = "public-url", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(public_url), .def = NULL,
	  .placeholder = "URL",
	  .description = "Base URL of sesbox in links it hands out "
	      "(verification links; SNS SubscribeURL, UnsubscribeURL and "
	      "SigningCertURL); unset: http://HOST:PORT of the listen address",
	  .from = CFG_FROM_ANY, .check = cfg_check_nonempty },
	{ .name = "reputation-min-sends", .type = CFG_T_INT,
	  .offset = CFG_FIELD(reputation_min_sends), .def = "200",
	  .placeholder = "N",
	  .description = "Recipients an account must have sent to in the "
	      "reputation window before its bounce and complaint rates "
	      "change its enforcement status",
	  .from = CFG_FROM_ANY, .imin = 1, .imax = 1000000000 },
	{ .name = "reputation-window-hours", .type = CFG_T_INT,
	  .offset = CFG_FIELD(reputation_window_hours), .def = "168",
	  .placeholder = "N",
	  .description = "Hours of sending (by the test clock) the bounce "
	      "and complaint rates are taken over",
	  .from = CFG_FROM_ANY, .imin = 1, .imax = 24 * 366 },
	{ .name = "bounce-rate-review", .type = CFG_T_DOUBLE,
	  .offset = CFG_FIELD(bounce_rate_review), .def = "5",
	  .placeholder = "PERCENT",
	  .description = "Bounce rate at which an account goes under review "
	      "(EnforcementStatus PROBATION)",
	  .from = CFG_FROM_ANY, .dmin = 0, .dmax = 100 },
	{ .name = "bounce-rate-shutdown", .type = CFG_T_DOUBLE,
	  .offset = CFG_FIELD(bounce_rate_shutdown), .def = "10",
	  .placeholder = "PERCENT",
	  .description = "Bounce rate at which sending is paused "
	      "(EnforcementStatus SHUTDOWN)",
	  .from = CFG_FROM_ANY, .dmin = 0, .dmax = 100 },
	{ .name = "complaint-rate-review", .type = CFG_T_DOUBLE,
	  .offset = CFG_FIELD(complaint_rate_review), .def = "0.1",
	  .placeholder = "PERCENT",
	  .description = "Complaint rate at which an account goes under "
	      "review",
	  .from = CFG_FROM_ANY, .dmin = 0, .dmax = 100 },
	{ .name = "complaint-rate-shutdown", .type = CFG_T_DOUBLE,
	  .offset = CFG_FIELD(complaint_rate_shutdown), .def = "0.5",
	  .placeholder = "PERCENT",
	  .description = "Complaint rate at which sending is paused",
	  .from = CFG_FROM_ANY, .dmin = 0, .dmax = 100 },
	{ .name = "simulator-rules", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(simulator_rules), .def = NULL,
	  .placeholder = "FILE",
	  .description = "Mailbox simulator rules (JSON, docs/simulator.md): "
	      "address patterns and the outcome each gets; reloadable "
	      "through /_sesbox/api/v1/simulator/rules/reload",
	  .from = CFG_FROM_ANY, .check = cfg_check_nonempty },
	{ .name = "eventbridge-endpoint", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(eventbridge_endpoint), .def = NULL,
	  .placeholder = "URL",
	  .description = "EventBridge endpoint that events for EventBridge "
	      "event destinations are sent to as PutEvents calls (SigV4, "
	      "retried); unset: they are only recorded",
	  .from = CFG_FROM_ANY, .check = cfg_check_url },
	{ .name = "sns-endpoint", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(sns_endpoint), .def = NULL,
	  .placeholder = "URL",
	  .description = "SNS endpoint that SES's SNS publications (event "
	      "destinations, identity notifications) are sent to as Publish "
	      "calls (SigV4, retried) instead of sesbox's own topics",
	  .from = CFG_FROM_ANY, .check = cfg_check_url },
	{ .name = "sns-subscriptions", .type = CFG_T_SUBSCRIPTIONS,
	  .offset = CFG_FIELD(subscriptions), .def = "",
	  .placeholder = "TOPIC=URL,...",
	  .description = "HTTP/HTTPS endpoints subscribed (confirmed) to "
	      "sesbox's SNS topics at start-up and after a reset, each topic "
	      "made when missing: comma-separated TOPIC=URL entries, TOPIC a "
	      "name or arn:aws:sns:REGION:ACCOUNT:NAME",
	  .from = CFG_FROM_ANY, .count_offset = CFG_FIELD(nsubscriptions) },
	{ .name = "retention-max-messages", .type = CFG_T_INT,
	  .offset = CFG_FIELD(retention_max_messages), .def = "0",
	  .placeholder = "N",
	  .description = "Captured messages kept: the oldest beyond this many "
	      "are deleted in the background, with their events; 0 keeps "
	      "them all",
	  .from = CFG_FROM_ANY, .imin = 0, .imax = 1000000000 },
	{ .name = "retention-max-age-hours", .type = CFG_T_INT,
	  .offset = CFG_FIELD(retention_max_age_hours), .def = "0",
	  .placeholder = "N",
	  .description = "Hours (by the test clock) a captured message is "
	      "kept before it is deleted in the background, with its events; "
	      "0 keeps them however old",
	  .from = CFG_FROM_ANY, .imin = 0, .imax = 24 * 3660 },
	{ .name = "smtp", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(smtp), .def = "127.0.0.1:2587",
	  .placeholder = "HOST:PORT|off",
	  .description = "SES SMTP interface with STARTTLS (SES: ports 25, "
	      "587, 2587); off turns it off",
	  .from = CFG_FROM_ANY, .check = cfg_check_listen_off },
	{ .name = "smtps", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(smtps), .def = "127.0.0.1:2465",
	  .placeholder = "HOST:PORT|off",
	  .description = "SES SMTP interface with implicit TLS (SES: ports "
	      "465, 2465); off turns it off",
	  .from = CFG_FROM_ANY, .check = cfg_check_listen_off },
	{ .name = "smtp-tls-cert", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(smtp_tls_cert), .def = NULL,
	  .placeholder = "FILE",
	  .description = "PEM certificate (chain) of the SMTP listeners; "
	      "without it one is generated into the data directory",
	  .from = CFG_FROM_ANY, .check = cfg_check_nonempty },
	{ .name = "smtp-tls-key", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(smtp_tls_key), .def = NULL,
	  .placeholder = "FILE",
	  .description = "PEM private key of smtp-tls-cert",
	  .from = CFG_FROM_ANY, .check = cfg_check_nonempty },
	{ .name = "smtp-auth-without-tls", .type = CFG_T_BOOL,
	  .offset = CFG_FIELD(smtp_auth_without_tls), .def = "false",
	  .description = "Accept AUTH, and so mail, before STARTTLS "
	      "(plaintext; for benchmarks and local tools)",
	  .from = CFG_FROM_ANY },
	{ .name = "smtp-max-connections", .type = CFG_T_INT,
	  .offset = CFG_FIELD(smtp_max_connections), .def = "1000",
	  .placeholder = "N",
	  .description = "Concurrent SMTP sessions; the next is answered "
	      "421 and closed",
	  .from = CFG_FROM_ANY, .imin = 1, .imax = 100000 },
	{ .name = "smtp-timeout", .type = CFG_T_INT,
	  .offset = CFG_FIELD(smtp_timeout), .def = "10",
	  .placeholder = "SECONDS",
	  .description = "SMTP idle timeout (SES: about 10 seconds)",
	  .from = CFG_FROM_ANY, .imin = 1, .imax = 3600 },
	{ .name = "smtp-threads", .type = CFG_T_INT,
	  .offset = CFG_FIELD(smtp_threads), .def = "0", .placeholder = "N",
	  .description = "SMTP event-loop threads; 0 means one per CPU core",
	  .from = CFG_FROM_ANY, .imin = 0, .imax = 64 },
	{ .name = "deliver", .type = CFG_T_ENUM,
	  .offset = CFG_FIELD(deliver), .def = "simulate",
	  .description = "Where mail goes: simulate (the mailbox simulator; "
	      "nothing leaves the machine), relay (every recipient to the "
	      "relay smarthost), mx (to each recipient domain's MX); the "
	      "simulator's addresses are always simulated",
	  .from = CFG_FROM_ANY, .choices = cfg_deliver_modes },
	{ .name = "relay", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(relay), .def = NULL,
	  .placeholder = "HOST:PORT",
	  .description = "Smarthost that deliver relay (and relay transport "
	      "rules) hand mail to, e.g. a local Mailpit or Postfix",
	  .from = CFG_FROM_ANY, .check = cfg_check_listen },
	{ .name = "relay-user", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(relay_user), .def = NULL,
	  .placeholder = "USER",
	  .description = "AUTH user name for the relay (PLAIN or LOGIN); "
	      "unset: no AUTH",
	  .from = CFG_FROM_ANY, .check = cfg_check_nonempty },
	{ .name = "relay-password", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(relay_password), .def = NULL,
	  .placeholder = "PASSWORD",
	  .description = "AUTH password for the relay",
	  .from = CFG_FROM_ANY },
	{ .name = "relay-tls", .type = CFG_T_ENUM,
	  .offset = CFG_FIELD(relay_tls), .def = "starttls",
	  .description = "TLS to the relay: off, starttls (when offered), "
	      "require (STARTTLS or no delivery), tls (implicit, port 465)",
	  .from = CFG_FROM_ANY, .choices = cfg_relay_tls_modes },
	{ .name = "mx-hosts", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(mx_hosts), .def = NULL,
	  .placeholder = "DOMAIN=HOST:PORT,...",
	  .description = "Static MX map for deliver mx, looked at before DNS: "
	      "comma-separated DOMAIN=HOST:PORT entries (DOMAIN may be * for "
	      "every domain)",
	  .from = CFG_FROM_ANY, .check = cfg_check_mx_hosts },
	{ .name = "mx-port", .type = CFG_T_INT,
	  .offset = CFG_FIELD(mx_port), .def = "25", .placeholder = "PORT",
	  .description = "Port of the MX hosts found in DNS",
	  .from = CFG_FROM_ANY, .imin = 1, .imax = 65535 },
	{ .name = "transport-rules", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(transport_rules), .def = NULL,
	  .placeholder = "PATTERN=TRANSPORT,...",
	  .description = "Per-address transports, first match wins, else "
	      "deliver: comma-separated PATTERN=simulate|relay|mx entries, "
	      "PATTERN an address glob (*@example.test) or a domain",
	  .from = CFG_FROM_ANY, .check = cfg_check_transport_rules },
	{ .name = "delivery-tls-verify", .type = CFG_T_BOOL,
	  .offset = CFG_FIELD(delivery_tls_verify), .def = "false",
	  .description = "Check the certificates of relays and MX hosts "
	      "(SES: opportunistic TLS takes any)",
	  .from = CFG_FROM_ANY },
	{ .name = "delivery-ca-file", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(delivery_ca_file), .def = NULL,
	  .placeholder = "FILE",
	  .description = "PEM trust anchors for delivery-tls-verify; unset: "
	      "the system's",
	  .from = CFG_FROM_ANY, .check = cfg_check_nonempty },
	{ .name = "delivery-threads", .type = CFG_T_INT,
	  .offset = CFG_FIELD(delivery_threads), .def = "8",
	  .placeholder = "N",
	  .description = "SMTP delivery threads (each holds one connection "
	      "at a time)",
	  .from = CFG_FROM_ANY, .imin = 1, .imax = 256 },
	{ .name = "delivery-connections", .type = CFG_T_INT,
	  .offset = CFG_FIELD(delivery_connections), .def = "4",
	  .placeholder = "N",
	  .description = "Concurrent connections to one destination (relay "
	      "or MX domain)",
	  .from = CFG_FROM_ANY, .imin = 1, .imax = 256 },
	{ .name = "delivery-timeout", .type = CFG_T_INT,
	  .offset = CFG_FIELD(delivery_timeout), .def = "60",
	  .placeholder = "SECONDS",
	  .description = "Delivery deadline for the connection and for each "
	      "reply; passing it is a transient failure",
	  .from = CFG_FROM_ANY, .imin = 1, .imax = 3600 },
	{ .name = "delivery-hostname", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(delivery_hostname),
	  .def = "smtp-out.sesbox.localhost", .placeholder = "NAME",
	  .description = "Name sesbox says EHLO with when delivering, and the "
	      "reportingMTA of Delivery events",
	  .from = CFG_FROM_ANY, .check = cfg_check_hostname_key },
	{ .name = "feedback-domain", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(feedback_domain),
	  .def = "feedback.sesbox.localhost", .placeholder = "DOMAIN",
	  .description = "Domain of the envelope sender (MESSAGEID@DOMAIN) of "
	      "delivered mail without a verified custom MAIL FROM domain; "
	      "bounces to it belong at feedback-smtp",
	  .from = CFG_FROM_ANY, .check = cfg_check_hostname_key },
	{ .name = "feedback-smtp", .type = CFG_T_STRING,
	  .offset = CFG_FIELD(feedback_smtp), .def = "127.0.0.1:2525",
	  .placeholder = "HOST:PORT|off",
	  .description = "Inbound SMTP listener for asynchronous bounces "
	      "(DSN) and complaints (ARF) about delivered mail; off turns it "
	      "off",
	  .from = CFG_FROM_ANY, .check = cfg_check_listen_off },
	{ .name = "help", .type = CFG_T_ACTION, .short_name = 'h',
	  .description = "Print this help and exit",
	  .from = CFG_FROM_CLI, .action = CFG_HELP },
	{ .name = "version", .type = CFG_T_ACTION,
	  .description = "Print the version and exit",
	  .from = CFG_FROM_CLI, .action = CFG_VERSION },
	{ .name = "help-markdown", .type = CFG_T_ACTION,
	  .description = "Print this reference as Markdown "
	      "(docs/configuration.md) and exit",
	  .from = CFG_FROM_CLI, .action = CFG_HELP_MARKDOWN },
};

#define CFG_NKEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))
#define CFG_KEY_CONFIG "config"

/* Per-type behaviour; indexed by enum cfg_type. */
struct cfg_type_ops {
	/* Parses text into the key's field, replacing the old value. */
	int (*set)(struct cfg *, const struct cfg_key *, const char *,
	    char *, size_t);
	/* New text of the current value, or NULL when unset. */
	char *(*format)(const struct cfg *, const struct cfg_key *);
	/* Frees the field (may be NULL for plain values). */
	void (*release)(struct cfg *, const struct cfg_key *);
	/* Markdown sentence on accepted values, or NULL. */
	void (*accepts)(FILE *, const struct cfg_key *);
};

static int cfg_string_set(struct cfg *, const struct cfg_key *,
    const char *, char *, size_t);
static int cfg_bool_set(struct cfg *, const struct cfg_key *, const char *,
    char *, size_t);
static int cfg_int_set(struct cfg *, const struct cfg_key *, const char *,
    char *, size_t);
static int cfg_double_set(struct cfg *, const struct cfg_key *,
    const char *, char *, size_t);
static int cfg_enum_set(struct cfg *, const struct cfg_key *, const char *,
    char *, size_t);
static int cfg_credentials_set(struct cfg *, const struct cfg_key *,
    const char *, char *, size_t);
static int cfg_subscriptions_set(struct cfg *, const struct cfg_key *,
    const char *, char *, size_t);
static char *cfg_string_format(const struct cfg *, const struct cfg_key *);
static char *cfg_bool_format(const struct cfg *, const struct cfg_key *);
static char *cfg_int_format(const struct cfg *, const struct cfg_key *);
static char *cfg_double_format(const struct cfg *, const struct cfg_key *);
static char *cfg_credentials_format(const struct cfg *,
    const struct cfg_key *);
static char *cfg_subscriptions_format(const struct cfg *,
    const struct cfg_key *);
static void cfg_string_release(struct cfg *, const struct cfg_key *);
static void cfg_credentials_release(struct cfg *, const struct cfg_key *);
static void cfg_subscriptions_release(struct cfg *, const struct cfg_key *);
static void cfg_bool_accepts(FILE *, const struct cfg_key *);
static void cfg_int_accepts(FILE *, const struct cfg_key *);
static void cfg_double_accepts(FILE *, const struct cfg_key *);
static void cfg_enum_accepts(FILE *, const struct cfg_key *);

static const struct cfg_type_ops cfg_types[] = {
	[CFG_T_STRING] = { cfg_string_set, cfg_string_format,
	    cfg_string_release, NULL },
	[CFG_T_BOOL] = { cfg_bool_set, cfg_bool_format, NULL,
	    cfg_bool_accepts },
	[CFG_T_INT] = { cfg_int_set, cfg_int_format, NULL, cfg_int_accepts },
	[CFG_T_DOUBLE] = { cfg_double_set, cfg_double_format, NULL,
	    cfg_double_accepts },
	[CFG_T_ENUM] = { cfg_enum_set, cfg_string_format, cfg_string_release,
	    cfg_enum_accepts },
	[CFG_T_CREDENTIALS] = { cfg_credentials_set, cfg_credentials_format,
	    cfg_credentials_release, NULL },
	[CFG_T_SUBSCRIPTIONS] = { cfg_subscriptions_set,
	    cfg_subscriptions_format, cfg_subscriptions_release, NULL },
	[CFG_T_ACTION] = { NULL, NULL, NULL, NULL },
};

static const char *const cfg_bool_true[] = { "true", "yes", "on", "1", NULL };
static const char *const cfg_bool_false[] = { "false", "no", "off", "0",
	NULL };

/* A command-line setting, applied after the file and the environment. */
struct cfg_arg {
	const struct cfg_key *key;
	const char *value;	/* borrowed from argv or a literal */
	int negated;		/* given as --no-key */
};

/* ---- small helpers ---- */

static void *
cfg_field(struct cfg *c, const struct cfg_key *k)
{
	return (char *)c + k->offset;
}

static const void *
cfg_field_const(const struct cfg *c, const struct cfg_key *k)
{
	return (const char *)c + k->offset;
}

static int
cfg_is_lower(int ch)
{
	return ch >= 'a' && ch <= 'z';
}

static int
cfg_is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int
cfg_is_space(int ch)
{
	return ch == ' ' || ch == '\t';
}

static int
cfg_all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!cfg_is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Writes a reason and returns -1, so checks can "return cfg_fail(...)". */
static int __attribute__((format(printf, 3, 4)))
cfg_fail(char *reason, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Writes 'v' into buf for a "(got ...)" message: at most CFG_GOT_MAX_CHARS
 * characters, the rest cut to "...", and bytes outside printable ASCII as
 * \xNN so the error stays one line whatever the input held.
 */
static const char *
cfg_got(char *buf, size_t n, const char *v)
{
	size_t w = 0, i;

	w += snprintf(buf + w, n - w, "'");
	for (i = 0; i < CFG_GOT_MAX_CHARS && v[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch >= 0x20 && ch < 0x7f)
			w += snprintf(buf + w, n - w, "%c", ch);
		else
			w += snprintf(buf + w, n - w, "\\x%02x", ch);
	}
	snprintf(buf + w, n - w, "%s'", v[i] != '\0' ? "..." : "");
	return buf;
}

/* Replaces control bytes, so err is one line even with odd paths. */
static void
cfg_one_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static const struct cfg_key *
cfg_key_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < CFG_NKEYS; i++)
		if (strlen(cfg_keys[i].name) == len &&
		    memcmp(cfg_keys[i].name, name, len) == 0)
			return &cfg_keys[i];
	return NULL;
}

/* SESBOX_ + name in upper case, '-' as '_'. */
static void
cfg_env_name(const struct cfg_key *k, char *buf, size_t n)
{
	size_t w, i;

	w = snprintf(buf, n, "%s", CFG_ENV_PREFIX);
	for (i = 0; k->name[i] != '\0' && w + 1 < n; i++, w++) {
		char ch = k->name[i];

		buf[w] = ch == '-' ? '_' :
		    cfg_is_lower((unsigned char)ch) ? ch - 'a' + 'A' : ch;
	}
	buf[w] = '\0';
}

/* Why k cannot be set from a source that its row does not allow. */
static const char *
cfg_from_reason(const struct cfg_key *k)
{
	if (k->from & CFG_FROM_ENV)
		return "can only be given on the command line or in the "
		    "environment";
	return "can only be given on the command line";
}

static int
cfg_key_set(struct cfg *c, const struct cfg_key *k, const char *text,
    char *reason, size_t n)
{
	return cfg_types[k->type].set(c, k, text, reason, n);
}

/* ---- string checks ---- */

static int
cfg_check_nonempty(const char *v, char *reason, size_t n)
{
	if (*v == '\0')
		return cfg_fail(reason, n, "must not be empty");
	return 0;
}

static int
cfg_check_hostname(const char *h)
{
	size_t len = strlen(h), label = 0, i;

	if (len == 0 || len > CFG_HOSTNAME_MAX_CHARS)
		return -1;
	for (i = 0; i <= len; i++) {
		unsigned char ch = (unsigned char)h[i];

		if (ch == '.' || ch == '\0') {
			if (label == 0 || label > CFG_HOST_LABEL_MAX_CHARS ||
			    h[i - 1] == '-')
				return -1;
			label = 0;
			continue;
		}
		if (ch == '-' && label == 0)
			return -1;
		if (!cfg_is_lower(ch) && !(ch >= 'A' && ch <= 'Z') &&
		    !cfg_is_digit(ch) && ch != '-')
			return -1;
		label++;
	}
	return 0;
}

/* HOST:PORT with HOST an IPv4 address, a host name or [IPv6]. */
static int
cfg_check_listen(const char *v, char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES], host[CFG_HOST_MAX_BYTES];
	unsigned char addr[sizeof(struct in6_addr)];
	const char *colon = strrchr(v, ':'), *port;
	size_t hlen, plen;
	unsigned long p;

	if (colon == NULL)
		return cfg_fail(reason, n, "expected HOST:PORT (got %s)",
		    cfg_got(got, sizeof(got), v));
	hlen = colon - v;
	port = colon + 1;
	plen = strlen(port);
	if (hlen == 0)
		return cfg_fail(reason, n, "host is empty (expected "
		    "HOST:PORT, e.g. 127.0.0.1:4579)");
	if (hlen >= sizeof(host))
		return cfg_fail(reason, n, "host is longer than %d characters",
		    CFG_HOSTNAME_MAX_CHARS);
	memcpy(host, v, hlen);
	host[hlen] = '\0';
	if (host[0] == '[') {
		host[hlen - 1] = '\0';
		if (hlen < 3 || v[hlen - 1] != ']' ||
		    inet_pton(AF_INET6, host + 1, addr) != 1) {
			host[hlen - 1] = v[hlen - 1];
			return cfg_fail(reason, n, "invalid IPv6 address "
			    "(got %s)", cfg_got(got, sizeof(got), host));
		}
	} else if (strchr(host, ':') != NULL) {
		return cfg_fail(reason, n, "IPv6 address must be in brackets, "
		    "e.g. [::1]:4579 (got %s)",
		    cfg_got(got, sizeof(got), host));
	} else if (strspn(host, "0123456789.") == hlen) {
		if (inet_pton(AF_INET, host, addr) != 1)
			return cfg_fail(reason, n, "invalid IPv4 address "
			    "(got %s)", cfg_got(got, sizeof(got), host));
	} else if (cfg_check_hostname(host) == -1) {
		return cfg_fail(reason, n, "invalid host name (got %s)",
		    cfg_got(got, sizeof(got), host));
	}
	/* Port 0 asks the kernel for a free port (tests use it). */
	if (plen == 0 || !cfg_all_digits(port, plen))
		return cfg_fail(reason, n, "port must be 1-65535 (got %s)",
		    cfg_got(got, sizeof(got), port));
	errno = 0;
	p = strtoul(port, NULL, 10);
	if (errno != 0 || p > CFG_PORT_MAX)
		return cfg_fail(reason, n, "port must be 1-65535 (got %.*s%s)",
		    CFG_GOT_MAX_CHARS, port,
		    plen > CFG_GOT_MAX_CHARS ? "..." : "");
	return 0;
}

/* HOST:PORT, or "off". */
static int
cfg_check_listen_off(const char *v, char *reason, size_t n)
{
	return strcmp(v, "off") == 0 ? 0 : cfg_check_listen(v, reason, n);
}

/* AWS region syntax (wire_region_valid), e.g. us-gov-west-1. */
static int
cfg_check_region(const char *v, char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES];

	if (wire_region_valid(v))
		return 0;
	return cfg_fail(reason, n, "expected an AWS region such as us-east-1 "
	    "(got %s)", cfg_got(got, sizeof(got), v));
}

static int
cfg_account_valid(const char *v)
{
	return strlen(v) == CFG_ACCOUNT_ID_CHARS &&
	    cfg_all_digits(v, CFG_ACCOUNT_ID_CHARS);
}

static int
cfg_check_account(const char *v, char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES];

	if (!cfg_account_valid(v))
		return cfg_fail(reason, n, "account id must be %d digits "
		    "(got %s)", CFG_ACCOUNT_ID_CHARS,
		    cfg_got(got, sizeof(got), v));
	return 0;
}

/* "http://HOST..." or "https://HOST...": where sesbox sends requests. */
static int
cfg_url_valid(const char *v)
{
	size_t skip;

	if (strncmp(v, "http://", 7) == 0)
		skip = 7;
	else if (strncmp(v, "https://", 8) == 0)
		skip = 8;
	else
		return 0;
	/* A host, and nothing that would end the URL or the header line. */
	if (v[skip] == '\0' || v[skip] == '/' || v[skip] == ':')
		return 0;
	for (v += skip; *v != '\0'; v++)
		if ((unsigned char)*v <= 0x20 || *v == 0x7f)
			return 0;
	return 1;
}

static int
cfg_check_url(const char *v, char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES];

	if (!cfg_url_valid(v))
		return cfg_fail(reason, n, "expected an http:// or https:// "
		    "URL (got %s)", cfg_got(got, sizeof(got), v));
	return 0;
}

/* A host name (no address, no port). */
static int
cfg_check_hostname_key(const char *v, char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES];

	if (strlen(v) > CFG_HOSTNAME_MAX_CHARS || cfg_check_hostname(v) != 0)
		return cfg_fail(reason, n, "invalid host name (got %s)",
		    cfg_got(got, sizeof(got), v));
	return 0;
}

/*
 * Walks "LEFT=RIGHT,..." (no empty entry), checking each side with the
 * callbacks; what is wrong is named with the entry's number.
 */
static int
cfg_check_pairs(const char *v, int (*left)(const char *, char *, size_t),
    int (*right)(const char *, char *, size_t), const char *form,
    char *reason, size_t n)
{
	char entry[CFG_HOST_MAX_BYTES * 2], why[CFG_REASON_MAX_BYTES];
	char got[CFG_GOT_MAX_BYTES];
	const char *p = v, *end, *eq;
	size_t len;
	int i = 1;

	for (;; i++) {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len >= sizeof(entry))
			return cfg_fail(reason, n, "entry %d is too long", i);
		memcpy(entry, p, len);
		entry[len] = '\0';
		if ((eq = strchr(entry, '=')) == NULL || eq == entry ||
		    eq[1] == '\0')
			return cfg_fail(reason, n, "entry %d: expected %s (got "
			    "%s)", i, form, cfg_got(got, sizeof(got), entry));
		entry[eq - entry] = '\0';
		if (left(entry, why, sizeof(why)) != 0 ||
		    right(eq + 1, why, sizeof(why)) != 0)
			return cfg_fail(reason, n, "entry %d: %s", i, why);
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

/* An MX map's domain: a host name, or "*". */
static int
cfg_check_mx_domain(const char *v, char *reason, size_t n)
{
	return strcmp(v, "*") == 0 ? 0 : cfg_check_hostname_key(v, reason, n);
}

static int
cfg_check_mx_hosts(const char *v, char *reason, size_t n)
{
	return cfg_check_pairs(v, cfg_check_mx_domain, cfg_check_listen,
	    "DOMAIN=HOST:PORT", reason, n);
}

/* A transport rule's pattern: a glob without spaces or commas. */
static int
cfg_check_pattern(const char *v, char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES];
	const char *p;

	for (p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return cfg_fail(reason, n, "pattern has a space or a "
			    "control character (got %s)",
			    cfg_got(got, sizeof(got), v));
	return 0;
}

static int
cfg_check_transport(const char *v, char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES];
	size_t i;

	for (i = 0; cfg_deliver_modes[i] != NULL; i++)
		if (strcmp(v, cfg_deliver_modes[i]) == 0)
			return 0;
	return cfg_fail(reason, n, "transport must be simulate, relay or mx "
	    "(got %s)", cfg_got(got, sizeof(got), v));
}

static int
cfg_check_transport_rules(const char *v, char *reason, size_t n)
{
	return cfg_check_pairs(v, cfg_check_pattern, cfg_check_transport,
	    "PATTERN=TRANSPORT", reason, n);
}

/*
 * What one key's value needs of another's, checked once all are read:
 * relaying needs a relay.
 */
static int
cfg_cross_check(const struct cfg *c, char *err)
{
	if (c->relay == NULL && (strcmp(c->deliver, "relay") == 0 ||
	    (c->transport_rules != NULL && strstr(c->transport_rules,
	    "=relay") != NULL))) {
		snprintf(err, CFG_ERROR_MAX_BYTES, "relay: must be set when "
		    "mail is relayed (%s)", strcmp(c->deliver, "relay") == 0 ?
		    "deliver is relay" : "a transport rule says relay");
		return -1;
	}
	if ((c->relay_user == NULL) != (c->relay_password == NULL)) {
		snprintf(err, CFG_ERROR_MAX_BYTES, "%s: must be set with %s",
		    c->relay_user == NULL ? "relay-user" : "relay-password",
		    c->relay_user == NULL ? "relay-password" : "relay-user");
		return -1;
	}
	return 0;
}

/* ---- types ---- */

static int
cfg_string_set(struct cfg *c, const struct cfg_key *k, const char *text,
    char *reason, size_t n)
{
	char **field = cfg_field(c, k);

	if (k->check != NULL && k->check(text, reason, n) == -1)
		return -1;
	free(*field);
	*field = xstrdup(text);
	return 0;
}

static char *
cfg_string_format(const struct cfg *c, const struct cfg_key *k)
{
	char *const *field = cfg_field_const(c, k);

	return *field != NULL ? xstrdup(*field) : NULL;
}

static void
cfg_string_release(struct cfg *c, const struct cfg_key *k)
{
	char **field = cfg_field(c, k);

	free(*field);
	*field = NULL;
}

static int
cfg_word_in(const char *text, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcasecmp(text, *words) == 0)
			return 1;
	return 0;
}

static int
cfg_bool_set(struct cfg *c, const struct cfg_key *k, const char *text,
    char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES];
	int *field = cfg_field(c, k);

	if (cfg_word_in(text, cfg_bool_true))
		*field = 1;
	else if (cfg_word_in(text, cfg_bool_false))
		*field = 0;
	else
		return cfg_fail(reason, n, "expected true or false (got %s)",
		    cfg_got(got, sizeof(got), text));
	return 0;
}

static char *
cfg_bool_format(const struct cfg *c, const struct cfg_key *k)
{
	const int *field = cfg_field_const(c, k);

	return xstrdup(*field ? "true" : "false");
}

static void
cfg_bool_accepts(FILE *out, const struct cfg_key *k)
{
	(void)k;
	fprintf(out, "`true` or `false`.");
}

static int
cfg_int_set(struct cfg *c, const struct cfg_key *k, const char *text,
    char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES];
	int *field = cfg_field(c, k);
	const char *digits = text[0] == '-' ? text + 1 : text;
	long v;

	if (*digits == '\0' || !cfg_all_digits(digits, strlen(digits)))
		goto bad;
	errno = 0;
	v = strtol(text, NULL, 10);
	if (errno != 0 || v < k->imin || v > k->imax)
		goto bad;
	*field = (int)v;
	return 0;
bad:
	return cfg_fail(reason, n, "expected an integer %ld-%ld (got %s)",
	    k->imin, k->imax, cfg_got(got, sizeof(got), text));
}

static char *
cfg_int_format(const struct cfg *c, const struct cfg_key *k)
{
	const int *field = cfg_field_const(c, k);

	return xasprintf("%d", *field);
}

static void
cfg_int_accepts(FILE *out, const struct cfg_key *k)
{
	fprintf(out, "Integer %ld-%ld.", k->imin, k->imax);
}

/* "a number >= -1", "a number > 0 and <= 10": the range of a DOUBLE key. */
static void
cfg_double_range(const struct cfg_key *k, char *buf, size_t n)
{
	int w;

	w = snprintf(buf, n, "%s %g", k->dmin_open ? ">" : ">=", k->dmin);
	if (isfinite(k->dmax) && w >= 0 && (size_t)w < n)
		snprintf(buf + w, n - w, " and <= %g", k->dmax);
}

/* Plain decimal only: strtod alone would also take "inf", "nan", "0x1p3". */
static int
cfg_decimal_syntax(const char *s)
{
	size_t digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	for (; cfg_is_digit((unsigned char)*s); s++)
		digits++;
	if (*s == '.')
		for (s++; cfg_is_digit((unsigned char)*s); s++)
			digits++;
	if (digits == 0)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!cfg_is_digit((unsigned char)*s))
			return 0;
		while (cfg_is_digit((unsigned char)*s))
			s++;
	}
	return *s == '\0';
}

static int
cfg_double_set(struct cfg *c, const struct cfg_key *k, const char *text,
    char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES], range[64];
	double *field = cfg_field(c, k);
	double v;

	if (!cfg_decimal_syntax(text))
		goto bad;
	v = strtod(text, NULL);
	if (!isfinite(v) || v < k->dmin || (k->dmin_open && v == k->dmin) ||
	    v > k->dmax)
		goto bad;
	*field = v;
	return 0;
bad:
	cfg_double_range(k, range, sizeof(range));
	return cfg_fail(reason, n, "expected a number %s (got %s)", range,
	    cfg_got(got, sizeof(got), text));
}

/*
 * Shortest text that reads back as the same double, without an exponent
 * while the integer part fits 17 digits ("50000", not "5e+04").
 */
static char *
cfg_double_format(const struct cfg *c, const struct cfg_key *k)
{
	const double *field = cfg_field_const(c, k);
	char buf[64], *e;
	int prec;
	long exp10;

	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, *field);
		if (strtod(buf, NULL) == *field)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*e", prec - 1, *field);
	if ((e = strchr(buf, 'e')) != NULL) {
		exp10 = strtol(e + 1, NULL, 10);
		if (exp10 >= prec && exp10 < 17)
			prec = (int)exp10 + 1;
	}
	snprintf(buf, sizeof(buf), "%.*g", prec, *field);
	return xstrdup(buf);
}

static void
cfg_double_accepts(FILE *out, const struct cfg_key *k)
{
	char range[64];

	cfg_double_range(k, range, sizeof(range));
	fprintf(out, "Number %s.", range);
}

/* "debug, info, warn, error" (sep ", ") or "debug|info|..." (sep "|"). */
static void
cfg_enum_join(const struct cfg_key *k, const char *sep, const char *quote,
    char *buf, size_t n)
{
	size_t w = 0, i;

	buf[0] = '\0';
	for (i = 0; k->choices[i] != NULL && w < n; i++)
		w += snprintf(buf + w, n - w, "%s%s%s%s", i > 0 ? sep : "",
		    quote, k->choices[i], quote);
}

static int
cfg_enum_set(struct cfg *c, const struct cfg_key *k, const char *text,
    char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES], list[CFG_FLAG_TEXT_MAX_BYTES];
	char **field = cfg_field(c, k);
	size_t i;

	for (i = 0; k->choices[i] != NULL; i++)
		if (strcmp(text, k->choices[i]) == 0) {
			free(*field);
			*field = xstrdup(text);
			return 0;
		}
	cfg_enum_join(k, ", ", "", list, sizeof(list));
	return cfg_fail(reason, n, "expected one of %s (got %s)", list,
	    cfg_got(got, sizeof(got), text));
}

static void
cfg_enum_accepts(FILE *out, const struct cfg_key *k)
{
	char list[CFG_FLAG_TEXT_MAX_BYTES];

	cfg_enum_join(k, ", ", "`", list, sizeof(list));
	fprintf(out, "One of %s.", list);
}

/* ---- comma-separated lists ---- */

/* The most entries text can hold (its commas plus one). */
static size_t
cfg_entries_max(const char *text)
{
	size_t max = 1;

	for (; *text != '\0'; text++)
		if (*text == ',')
			max++;
	return max;
}

/*
 * Calls fn(arg, s, len, no, ...) for each comma-separated entry of text,
 * spaces around it trimmed, no counting from 1; an empty entry is an
 * error. *no ends as the number of entries fn was called for. Returns 0,
 * or -1 with reason set when fn or the list fails.
 */
static int
cfg_entries(const char *text, int (*fn)(void *arg, const char *s,
    size_t len, size_t no, char *reason, size_t n), void *arg, size_t *no,
    char *reason, size_t n)
{
	const char *p = text, *end, *comma;

	while (cfg_is_space((unsigned char)*p))
		p++;
	while (*p != '\0') {
		comma = strchr(p, ',');
		end = comma != NULL ? comma : p + strlen(p);
		while (p < end && cfg_is_space((unsigned char)*p))
			p++;
		while (end > p && cfg_is_space((unsigned char)end[-1]))
			end--;
		if (end == p)
			return cfg_fail(reason, n, "entry %zu is empty",
			    *no + 1);
		if (fn(arg, p, (size_t)(end - p), ++*no, reason, n) != 0)
			return -1;
		if (comma == NULL)
			break;
		p = comma + 1;
		if (*p == '\0')
			return cfg_fail(reason, n, "entry %zu is empty",
			    *no + 1);
	}
	return 0;
}

/* ---- credentials ---- */

static void
cfg_credential_list_free(struct cfg_credential *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].access_key);
		free(list[i].secret_key);
		free(list[i].account_id);
	}
	free(list);
}

static void
cfg_credentials_release(struct cfg *c, const struct cfg_key *k)
{
	struct cfg_credential **field = cfg_field(c, k);
	size_t *count = (size_t *)((char *)c + k->count_offset);

	cfg_credential_list_free(*field, *count);
	*field = NULL;
	*count = 0;
}

/*
 * One "ACCESS_KEY:SECRET_KEY[:ACCOUNT_ID]" entry of s[0..len), the entry
 * number no (from 1) for messages. Messages never quote the secret, nor an
 * access key that failed its check (it may be a secret put first by mistake).
 * The account stays NULL when not given: cfg_load resolves it against
 * default-account once every source has been read.
 */
static int
cfg_credential_parse(const char *s, size_t len, size_t no,
    struct cfg_credential *cr, char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES];
	const char *f[3];
	size_t flen[3], nf = 0, i, start = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ':')
			continue;
		if (nf < 3) {
			f[nf] = s + start;
			flen[nf] = i - start;
		}
		nf++;
		start = i + 1;
	}
	if (nf < 2 || nf > 3)
		return cfg_fail(reason, n, "entry %zu: expected "
		    "ACCESS_KEY:SECRET_KEY[:ACCOUNT_ID] (got %zu field%s)", no,
		    nf, nf == 1 ? "" : "s");
	if (flen[0] == 0 || flen[0] > CFG_ACCESS_KEY_MAX_CHARS)
		return cfg_fail(reason, n, "entry %zu: access key must be "
		    "1-%d characters of A-Z and 0-9 (got %zu characters)", no,
		    CFG_ACCESS_KEY_MAX_CHARS, flen[0]);
	for (i = 0; i < flen[0]; i++) {
		unsigned char ch = (unsigned char)f[0][i];

		if ((ch >= 'A' && ch <= 'Z') || cfg_is_digit(ch))
			continue;
		if (ch >= 0x20 && ch < 0x7f)
			snprintf(got, sizeof(got), "'%c'", ch);
		else
			snprintf(got, sizeof(got), "\\x%02x", ch);
		return cfg_fail(reason, n, "entry %zu: access key must be "
		    "1-%d characters of A-Z and 0-9 (got %s at position %zu)",
		    no, CFG_ACCESS_KEY_MAX_CHARS, got, i + 1);
	}
	cr->access_key = xstrndup(f[0], flen[0]);
	if (flen[1] == 0)
		return cfg_fail(reason, n, "entry %zu (%s): secret key is "
		    "empty", no, cr->access_key);
	cr->secret_key = xstrndup(f[1], flen[1]);
	if (nf == 3) {
		cr->account_id = xstrndup(f[2], flen[2]);
		if (!cfg_account_valid(cr->account_id))
			return cfg_fail(reason, n, "entry %zu (%s): account id "
			    "must be %d digits (got %s)", no, cr->access_key,
			    CFG_ACCOUNT_ID_CHARS,
			    cfg_got(got, sizeof(got), cr->account_id));
	}
	return 0;
}

/* One credentials entry into list[no - 1], unique by access key. */
static int
cfg_credential_entry(void *arg, const char *s, size_t len, size_t no,
    char *reason, size_t n)
{
	struct cfg_credential *list = arg;
	size_t j;

	if (cfg_credential_parse(s, len, no, &list[no - 1], reason, n) != 0)
		return -1;
	for (j = 0; j + 1 < no; j++)
		if (strcmp(list[j].access_key, list[no - 1].access_key) == 0)
			return cfg_fail(reason, n, "entry %zu (%s): duplicate "
			    "access key (also entry %zu)", no,
			    list[j].access_key, j + 1);
	return 0;
}

static int
cfg_credentials_set(struct cfg *c, const struct cfg_key *k, const char *text,
    char *reason, size_t n)
{
	struct cfg_credential **field = cfg_field(c, k);
	size_t *count = (size_t *)((char *)c + k->count_offset);
	struct cfg_credential *list = xcalloc(cfg_entries_max(text),
	    sizeof(*list));
	size_t nlist = 0;

	if (cfg_entries(text, cfg_credential_entry, list, &nlist, reason,
	    n) != 0) {
		/* A failed entry may hold what it parsed: freed too. */
		cfg_credential_list_free(list, nlist);
		return -1;
	}
	cfg_credential_list_free(*field, *count);
	if (nlist == 0) {
		free(list);
		list = NULL;
	}
	*field = list;
	*count = nlist;
	return 0;
}

static char *
cfg_credentials_format(const struct cfg *c, const struct cfg_key *k)
{
	struct cfg_credential *const *field = cfg_field_const(c, k);
	const size_t *count = (const size_t *)((const char *)c +
	    k->count_offset);
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 0; i < *count; i++) {
		const struct cfg_credential *cr = &(*field)[i];

		t = xasprintf("%s%s%s:%s%s%s", s, i > 0 ? "," : "",
		    cr->access_key, cr->secret_key,
		    cr->account_id != NULL ? ":" : "",
		    cr->account_id != NULL ? cr->account_id : "");
		free(s);
		s = t;
	}
	return s;
}

static void
cfg_credentials_resolve(struct cfg *c)
{
	size_t i;

	for (i = 0; i < c->ncredentials; i++)
		if (c->credentials[i].account_id == NULL)
			c->credentials[i].account_id =
			    xstrdup(c->default_account);
}

/* ---- sns-subscriptions ---- */

static void
cfg_subscription_list_free(struct cfg_subscription *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].topic);
		free(list[i].endpoint);
	}
	free(list);
}

static void
cfg_subscriptions_release(struct cfg *c, const struct cfg_key *k)
{
	struct cfg_subscription **field = cfg_field(c, k);
	size_t *count = (size_t *)((char *)c + k->count_offset);

	cfg_subscription_list_free(*field, *count);
	*field = NULL;
	*count = 0;
}

/* 1-256 characters of A-Z, a-z, 0-9, '-' and '_' (SNS's standard topic
 * names), s[0..n). */
static int
cfg_topic_name_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > CFG_TOPIC_NAME_MAX_CHARS)
		return 0;
	for (i = 0; i < n; i++)
		if (!cfg_is_lower((unsigned char)s[i]) && !(s[i] >= 'A' &&
		    s[i] <= 'Z') && !cfg_is_digit((unsigned char)s[i]) &&
		    s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/* A topic name, or arn:aws:sns:REGION:ACCOUNT:NAME. */
static int
cfg_topic_valid(const char *t)
{
	char region[64];
	const char *p, *colon;
	size_t n;

	if (strncmp(t, "arn:", 4) != 0)
		return cfg_topic_name_valid(t, strlen(t));
	if (strncmp(t, "arn:aws:sns:", 12) != 0)
		return 0;
	p = t + 12;
	if ((colon = strchr(p, ':')) == NULL ||
	    (n = (size_t)(colon - p)) >= sizeof(region))
		return 0;
	memcpy(region, p, n);
	region[n] = '\0';
	p = colon + 1;
	if (!wire_region_valid(region) || (colon = strchr(p, ':')) == NULL ||
	    colon - p != CFG_ACCOUNT_ID_CHARS ||
	    !cfg_all_digits(p, CFG_ACCOUNT_ID_CHARS))
		return 0;
	return cfg_topic_name_valid(colon + 1, strlen(colon + 1));
}

/* One "TOPIC=URL" entry of s[0..len), number no (from 1) for messages. */
static int
cfg_subscription_parse(const char *s, size_t len, size_t no,
    struct cfg_subscription *sub, char *reason, size_t n)
{
	char got[CFG_GOT_MAX_BYTES], *entry = xstrndup(s, len), *eq, *end;
	int rc = -1;

	if ((eq = strchr(entry, '=')) == NULL) {
		cfg_fail(reason, n, "entry %zu: expected TOPIC=URL (got %s)",
		    no, cfg_got(got, sizeof(got), entry));
		goto out;
	}
	for (end = eq; end > entry && cfg_is_space((unsigned char)end[-1]);
	    end--)
		;
	*end = '\0';
	for (eq++; cfg_is_space((unsigned char)*eq); eq++)
		;
	if (!cfg_topic_valid(entry)) {
		cfg_fail(reason, n, "entry %zu: expected a topic name (1-%d "
		    "characters of A-Z, a-z, 0-9, - and _) or "
		    "arn:aws:sns:REGION:ACCOUNT:NAME (got %s)", no,
		    CFG_TOPIC_NAME_MAX_CHARS, cfg_got(got, sizeof(got), entry));
		goto out;
	}
	if (!cfg_url_valid(eq)) {
		cfg_fail(reason, n, "entry %zu (%s): expected an http:// or "
		    "https:// URL (got %s)", no, entry,
		    cfg_got(got, sizeof(got), eq));
		goto out;
	}
	sub->topic = xstrdup(entry);
	sub->endpoint = xstrdup(eq);
	rc = 0;
out:
	free(entry);
	return rc;
}

/* One sns-subscriptions entry into list[no - 1], unique by topic and
 * endpoint. */
static int
cfg_subscription_entry(void *arg, const char *s, size_t len, size_t no,
    char *reason, size_t n)
{
	struct cfg_subscription *list = arg, *last = &list[no - 1];
	size_t j;

	if (cfg_subscription_parse(s, len, no, last, reason, n) != 0)
		return -1;
	for (j = 0; j + 1 < no; j++)
		if (strcmp(list[j].topic, last->topic) == 0 &&
		    strcmp(list[j].endpoint, last->endpoint) == 0)
			return cfg_fail(reason, n, "entry %zu (%s): duplicate "
			    "subscription (also entry %zu)", no, last->topic,
			    j + 1);
	return 0;
}

/* Spaces around an entry's '=' are ignored too. */
static int
cfg_subscriptions_set(struct cfg *c, const struct cfg_key *k,
    const char *text, char *reason, size_t n)
{
	struct cfg_subscription **field = cfg_field(c, k);
	size_t *count = (size_t *)((char *)c + k->count_offset);
	struct cfg_subscription *list = xcalloc(cfg_entries_max(text),
	    sizeof(*list));
	size_t nlist = 0;

	if (cfg_entries(text, cfg_subscription_entry, list, &nlist, reason,
	    n) != 0) {
		cfg_subscription_list_free(list, nlist);
		return -1;
	}
	cfg_subscription_list_free(*field, *count);
	if (nlist == 0) {
		free(list);
		list = NULL;
	}
	*field = list;
	*count = nlist;
	return 0;
}

static char *
cfg_subscriptions_format(const struct cfg *c, const struct cfg_key *k)
{
	struct cfg_subscription *const *field = cfg_field_const(c, k);
	const size_t *count = (const size_t *)((const char *)c +
	    k->count_offset);
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 0; i < *count; i++) {
		t = xasprintf("%s%s%s=%s", s, i > 0 ? "," : "",
		    (*field)[i].topic, (*field)[i].endpoint);
		free(s);
		s = t;
	}
	return s;
}

/* ---- sources ---- */

static void
cfg_defaults(struct cfg *c)
{
	char reason[CFG_REASON_MAX_BYTES];
	size_t i;

	for (i = 0; i < CFG_NKEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (k->def == NULL || k->type == CFG_T_ACTION)
			continue;
		if (cfg_key_set(c, k, k->def, reason, sizeof(reason)) == -1) {
			/* Broken invariant: the table itself is wrong. */
			fprintf(stderr, "level=fatal msg=\"bad default\" "
			    "key=%s reason=\"%s\"\n", k->name, reason);
			abort();
		}
	}
}

/*
 * The value part of a config-file line, in place. A quoted value takes \"
 * and \\ as escapes and may be followed by a comment; an unquoted one ends
 * at a '#' that starts the value or follows a blank, and loses the blanks
 * around it.
 */
static int
cfg_file_value(char *p, char **value, char *reason, size_t n)
{
	char *r, *w, *end;

	while (cfg_is_space((unsigned char)*p))
		p++;
	if (*p == '"') {
		for (w = p, r = p + 1; *r != '"'; ) {
			if (*r == '\0')
				return cfg_fail(reason, n, "unterminated "
				    "quoted value (missing closing '\"')");
			if (*r == '\\') {
				if (r[1] != '"' && r[1] != '\\')
					return cfg_fail(reason, n,
					    "unsupported escape in quoted "
					    "value (only \\\" and \\\\)");
				r++;
			}
			*w++ = *r++;
		}
		*w = '\0';
		for (r++; cfg_is_space((unsigned char)*r); r++)
			;
		if (*r != '\0' && *r != '#')
			return cfg_fail(reason, n, "unexpected text after "
			    "closing quote");
		*value = p;
		return 0;
	}
	for (end = p; *end != '\0'; end++)
		if (*end == '#' && (end == p ||
		    cfg_is_space((unsigned char)end[-1])))
			break;
	while (end > p && cfg_is_space((unsigned char)end[-1]))
		end--;
	*end = '\0';
	*value = p;
	return 0;
}

static int
cfg_file_apply(struct cfg *c, const char *path, char *err)
{
	char reason[CFG_REASON_MAX_BYTES];
	FILE *f;
	char *line = NULL, *p, *eq, *kend, *value = NULL;
	size_t cap = 0, lineno = 0, *seen = NULL;
	ssize_t len;
	const struct cfg_key *k;
	int rc = -1, saved;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, CFG_ERROR_MAX_BYTES, "%s: cannot read: %s", path,
		    strerror(errno));
		return -1;
	}
	seen = xcalloc(CFG_NKEYS, sizeof(*seen));
	for (;;) {
		errno = 0;
		if ((len = getline(&line, &cap, f)) == -1)
			break;
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		p = line;
		if (lineno == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3;
		while (cfg_is_space((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		eq = strchr(p, '=');
		for (kend = eq; kend != NULL && kend > p &&
		    cfg_is_space((unsigned char)kend[-1]); kend--)
			;
		if (eq == NULL || kend == p) {
			snprintf(err, CFG_ERROR_MAX_BYTES, "%s:%zu: syntax: "
			    "expected 'key = value'", path, lineno);
			goto fail;
		}
		*kend = '\0';
		if ((k = cfg_key_find(p, strlen(p))) == NULL) {
			snprintf(err, CFG_ERROR_MAX_BYTES, "%s:%zu: %s: "
			    "unknown key", path, lineno, p);
			goto fail;
		}
		if (!(k->from & CFG_FROM_FILE)) {
			snprintf(err, CFG_ERROR_MAX_BYTES, "%s:%zu: %s: %s",
			    path, lineno, k->name, cfg_from_reason(k));
			goto fail;
		}
		if (seen[k - cfg_keys] != 0) {
			snprintf(err, CFG_ERROR_MAX_BYTES, "%s:%zu: %s: "
			    "already set on line %zu", path, lineno, k->name,
			    seen[k - cfg_keys]);
			goto fail;
		}
		seen[k - cfg_keys] = lineno;
		if (cfg_file_value(eq + 1, &value, reason,
		    sizeof(reason)) == -1 ||
		    cfg_key_set(c, k, value, reason, sizeof(reason)) == -1) {
			snprintf(err, CFG_ERROR_MAX_BYTES, "%s:%zu: %s: %s",
			    path, lineno, k->name, reason);
			goto fail;
		}
	}
	saved = errno;
	if (ferror(f)) {
		snprintf(err, CFG_ERROR_MAX_BYTES, "%s: cannot read: %s", path,
		    strerror(saved != 0 ? saved : EIO));
		goto fail;
	}
	rc = 0;
fail:
	free(line);
	free(seen);
	fclose(f);
	return rc;
}

/*
 * Applies the SESBOX_* variables of envp, only those of key only when it is
 * not NULL. Names that match no key settable from the environment are
 * ignored, as are entries without '='.
 */
static int
cfg_env_apply(struct cfg *c, char **envp, const struct cfg_key *only,
    char *err)
{
	char name[CFG_ENV_NAME_MAX_BYTES], reason[CFG_REASON_MAX_BYTES];
	const char *e, *eq;
	size_t i, j, plen = strlen(CFG_ENV_PREFIX);

	for (i = 0; envp != NULL && envp[i] != NULL; i++) {
		e = envp[i];
		if (strncmp(e, CFG_ENV_PREFIX, plen) != 0 ||
		    (eq = strchr(e, '=')) == NULL)
			continue;
		for (j = 0; j < CFG_NKEYS; j++) {
			const struct cfg_key *k = &cfg_keys[j];

			if (!(k->from & CFG_FROM_ENV) ||
			    (only != NULL && k != only))
				continue;
			cfg_env_name(k, name, sizeof(name));
			if (strlen(name) != (size_t)(eq - e) ||
			    memcmp(name, e, eq - e) != 0)
				continue;
			if (cfg_key_set(c, k, eq + 1, reason,
			    sizeof(reason)) == -1) {
				snprintf(err, CFG_ERROR_MAX_BYTES, "%s: %s: %s",
				    name, k->name, reason);
				return -1;
			}
			break;
		}
	}
	return 0;
}

/*
 * Splits argv into settings without applying them, so that the config file
 * named on the command line can be read first. Stops at --help or --version
 * (returning its result) or at the first malformed argument (CFG_ERROR).
 * A value that starts with "--" is taken for a forgotten value, not as the
 * value: "--data --ephemeral" is "--data: data: missing value"; such a
 * value can still be given as --data=--odd.
 */
static enum cfg_result
cfg_argv_scan(int argc, char **argv, struct cfg_arg *args, size_t *nargs,
    char *err)
{
	const struct cfg_key *k;
	const char *a, *name, *eq;
	size_t len, i;
	int ai, negated;

	*nargs = 0;
	for (ai = 1; ai < argc; ai++) {
		a = argv[ai];
		if (strcmp(a, "--") == 0) {
			if (ai + 1 < argc) {
				snprintf(err, CFG_ERROR_MAX_BYTES, "%s: "
				    "unexpected argument (see --help)",
				    argv[ai + 1]);
				return CFG_ERROR;
			}
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			snprintf(err, CFG_ERROR_MAX_BYTES, "%s: unexpected "
			    "argument (see --help)", a);
			return CFG_ERROR;
		}
		if (a[1] != '-') {
			k = NULL;
			for (i = 0; i < CFG_NKEYS && a[2] == '\0'; i++)
				if (cfg_keys[i].short_name == a[1])
					k = &cfg_keys[i];
			if (k == NULL) {
				snprintf(err, CFG_ERROR_MAX_BYTES, "%s: "
				    "unknown option (see --help)", a);
				return CFG_ERROR;
			}
			eq = NULL;
			negated = 0;
		} else {
			name = a + 2;
			eq = strchr(name, '=');
			len = eq != NULL ? (size_t)(eq - name) : strlen(name);
			k = cfg_key_find(name, len);
			negated = 0;
			if (k == NULL && len > 3 &&
			    strncmp(name, "no-", 3) == 0) {
				k = cfg_key_find(name + 3, len - 3);
				if (k != NULL && k->type != CFG_T_BOOL)
					k = NULL;
				negated = 1;
			}
			if (k == NULL) {
				snprintf(err, CFG_ERROR_MAX_BYTES, "--%.*s: "
				    "unknown option (see --help)", (int)len,
				    name);
				return CFG_ERROR;
			}
		}
		if ((k->type == CFG_T_ACTION || negated) && eq != NULL) {
			snprintf(err, CFG_ERROR_MAX_BYTES, "--%s%s: %s: takes "
			    "no value", negated ? "no-" : "", k->name,
			    k->name);
			return CFG_ERROR;
		}
		if (k->type == CFG_T_ACTION)
			return k->action;
		args[*nargs].key = k;
		args[*nargs].negated = negated;
		if (negated)
			args[*nargs].value = "false";
		else if (eq != NULL)
			args[*nargs].value = eq + 1;
		else if (k->type == CFG_T_BOOL)
			args[*nargs].value = "true";
		else if (ai + 1 < argc && strncmp(argv[ai + 1], "--", 2) != 0)
			args[*nargs].value = argv[++ai];
		else {
			snprintf(err, CFG_ERROR_MAX_BYTES, "--%s: %s: missing "
			    "value", k->name, k->name);
			return CFG_ERROR;
		}
		(*nargs)++;
	}
	return CFG_OK;
}

/* Applies scanned settings, in order (the last of a key wins). */
static int
cfg_argv_apply(struct cfg *c, const struct cfg_arg *args, size_t nargs,
    const struct cfg_key *only, char *err)
{
	char reason[CFG_REASON_MAX_BYTES];
	size_t i;

	for (i = 0; i < nargs; i++) {
		const struct cfg_key *k = args[i].key;

		if (only != NULL && k != only)
			continue;
		if (cfg_key_set(c, k, args[i].value, reason,
		    sizeof(reason)) == -1) {
			snprintf(err, CFG_ERROR_MAX_BYTES, "--%s%s: %s: %s",
			    args[i].negated ? "no-" : "", k->name, k->name,
			    reason);
			return -1;
		}
	}
	return 0;
}

enum cfg_result
cfg_load(struct cfg *c, int argc, char **argv, char **envp,
    char err[CFG_ERROR_MAX_BYTES])
{
	const struct cfg_key *config = cfg_key_find(CFG_KEY_CONFIG,
	    strlen(CFG_KEY_CONFIG));
	struct cfg_arg *args;
	size_t nargs = 0;
	enum cfg_result r;

	memset(c, 0, sizeof(*c));
	err[0] = '\0';
	cfg_defaults(c);
	args = xcalloc(argc > 0 ? (size_t)argc : 1, sizeof(*args));
	if ((r = cfg_argv_scan(argc, argv, args, &nargs, err)) != CFG_OK)
		goto out;
	r = CFG_ERROR;
	/* The file's name comes first, by the same precedence as the rest. */
	if (cfg_env_apply(c, envp, config, err) == -1 ||
	    cfg_argv_apply(c, args, nargs, config, err) == -1)
		goto out;
	if (c->config != NULL && cfg_file_apply(c, c->config, err) == -1)
		goto out;
	if (cfg_env_apply(c, envp, NULL, err) == -1 ||
	    cfg_argv_apply(c, args, nargs, NULL, err) == -1)
		goto out;
	cfg_credentials_resolve(c);
	if (cfg_cross_check(c, err) != 0)
		goto out;
	r = CFG_OK;
out:
	free(args);
	if (r != CFG_OK)
		cfg_fini(c);
	if (r == CFG_ERROR)
		cfg_one_line(err);
	return r;
}

void
cfg_fini(struct cfg *c)
{
	size_t i;

	for (i = 0; i < CFG_NKEYS; i++)
		if (cfg_types[cfg_keys[i].type].release != NULL)
			cfg_types[cfg_keys[i].type].release(c, &cfg_keys[i]);
	memset(c, 0, sizeof(*c));
}

/* ---- lookups ---- */

const struct cfg_credential *
cfg_credential_find(const struct cfg *c, const char *access_key)
{
	size_t i;

	for (i = 0; i < c->ncredentials; i++)
		if (strcmp(c->credentials[i].access_key, access_key) == 0)
			return &c->credentials[i];
	return NULL;
}

const char *
cfg_account_for_key(const struct cfg *c, const char *access_key)
{
	const struct cfg_credential *cr = cfg_credential_find(c, access_key);

	if (cr != NULL && cr->account_id != NULL)
		return cr->account_id;
	return c->default_account;
}

char *
cfg_value_format(const struct cfg *c, const char *key)
{
	const struct cfg_key *k = cfg_key_find(key, strlen(key));

	if (k == NULL || cfg_types[k->type].format == NULL)
		return NULL;
	return cfg_types[k->type].format(c, k);
}

size_t
cfg_key_count(void)
{
	return CFG_NKEYS;
}

const char *
cfg_key_name(size_t i)
{
	return i < CFG_NKEYS ? cfg_keys[i].name : NULL;
}

/* ---- help and docs ---- */

/* "a, b and c": the names of the keys that cannot be set from source. */
static void
cfg_names_without(FILE *out, unsigned source, const char *quote)
{
	size_t i, n = 0, total = 0;

	for (i = 0; i < CFG_NKEYS; i++)
		if (!(cfg_keys[i].from & source))
			total++;
	for (i = 0; i < CFG_NKEYS; i++) {
		if (cfg_keys[i].from & source)
			continue;
		n++;
		fprintf(out, "%s%s%s%s", n == 1 ? "" : n == total ? " and " :
		    ", ", quote, cfg_keys[i].name, quote);
	}
}

/* The value placeholder: the row's, or the choices of an enum. */
static void
cfg_placeholder(const struct cfg_key *k, char *buf, size_t n)
{
	if (k->type == CFG_T_ENUM)
		cfg_enum_join(k, "|", "", buf, n);
	else
		snprintf(buf, n, "%s", k->placeholder != NULL ?
		    k->placeholder : "");
}

/* "--listen HOST:PORT", "--ephemeral, --no-ephemeral", "-h, --help". */
static void
cfg_flag_text(const struct cfg_key *k, char *buf, size_t n)
{
	char ph[CFG_PLACEHOLDER_MAX_BYTES];

	cfg_placeholder(k, ph, sizeof(ph));
	if (k->type == CFG_T_ACTION && k->short_name != 0)
		snprintf(buf, n, "-%c, --%s", k->short_name, k->name);
	else if (k->type == CFG_T_ACTION)
		snprintf(buf, n, "--%s", k->name);
	else if (k->type == CFG_T_BOOL)
		snprintf(buf, n, "--%s, --no-%s", k->name, k->name);
	else
		snprintf(buf, n, "--%s %s", k->name, ph);
}

void
cfg_help(FILE *out, const char *progname)
{
	char flag[CFG_FLAG_TEXT_MAX_BYTES], env[CFG_ENV_NAME_MAX_BYTES];
	size_t i, width = CFG_HELP_COLUMN_MIN;
	const struct cfg_key *k;
	const char *sep;

	for (i = 0; i < CFG_NKEYS; i++) {
		cfg_flag_text(&cfg_keys[i], flag, sizeof(flag));
		if (strlen(flag) + 2 > width)
			width = strlen(flag) + 2;
	}
	fprintf(out, "Usage: %s [OPTION]...\n"
	    "Run sesbox, a local Amazon SES emulator.\n\n"
	    "Options:\n", progname);
	for (i = 0; i < CFG_NKEYS; i++) {
		k = &cfg_keys[i];
		cfg_flag_text(k, flag, sizeof(flag));
		sep = " (";
		fprintf(out, "  %-*s%s", (int)width, flag, k->description);
		if (k->def != NULL) {
			fprintf(out, "%sdefault: %s", sep,
			    *k->def != '\0' ? k->def : "none");
			sep = "; ";
		}
		if (k->from & CFG_FROM_ENV) {
			cfg_env_name(k, env, sizeof(env));
			fprintf(out, "%senv: %s", sep, env);
			sep = "; ";
		}
		fprintf(out, "%s\n", *sep == ';' ? ")" : "");
	}
	fprintf(out, "\nConfig file: 'key = value' lines; not for ");
	cfg_names_without(out, CFG_FROM_FILE, "");
	fprintf(out, ".\nEnvironment: SESBOX_KEY, upper case with '-' as '_'; "
	    "not for ");
	cfg_names_without(out, CFG_FROM_ENV, "");
	fprintf(out, ".\n"
	    "Precedence: defaults < config file < environment < command "
	    "line.\n"
	    "Booleans take true/false, yes/no, on/off or 1/0. See "
	    "docs/configuration.md.\n");
}

/* Text for a Markdown table cell: '|' escaped. */
static void
cfg_md_cell(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s, out);
	}
}

void
cfg_markdown(FILE *out)
{
	char flag[CFG_FLAG_TEXT_MAX_BYTES], env[CFG_ENV_NAME_MAX_BYTES];
	const struct cfg_key *k;
	size_t i;

	fprintf(out,
	    "# Configuration\n"
	    "\n"
	    "<!-- Generated by `sesbox --help-markdown` from the key table in "
	    "emulator/cfg.c.\n"
	    "     Do not edit: change the table and regenerate. -->\n"
	    "\n"
	    "Every setting is a key with a built-in default that three "
	    "sources can\n"
	    "override. Precedence, lowest first (a later source wins):\n"
	    "\n"
	    "1. built-in defaults;\n"
	    "2. the config file named by `--config FILE` or "
	    "`SESBOX_CONFIG`;\n"
	    "3. environment variables;\n"
	    "4. command-line flags.\n"
	    "\n"
	    "A bad value stops sesbox at start-up with one line saying where "
	    "it came from,\n"
	    "the key and what was expected, e.g.\n"
	    "`sesbox.conf:3: listen: port must be 1-65535 (got 70000)`,\n"
	    "`SESBOX_LISTEN: listen: ...` or `--listen: listen: ...`.\n"
	    "\n"
	    "## Command line\n"
	    "\n"
	    "Each key is a flag: `--key VALUE` or `--key=VALUE`. A boolean "
	    "flag alone means\n"
	    "true; `--key=false` and `--no-key` mean false. If a flag is "
	    "repeated, the last\n"
	    "one wins. A value that starts with `--` must use the `=` form. "
	    "Unknown flags and\n"
	    "positional arguments are errors. `--help` (`-h`), "
	    "`--help-markdown` and\n"
	    "`--version` print and exit.\n"
	    "\n"
	    "## Environment\n"
	    "\n");
	fprintf(out, "Each key except ");
	cfg_names_without(out, CFG_FROM_ENV, "`");
	fprintf(out, " is read from `SESBOX_` followed by the key\n"
	    "in upper case with `-` written `_`: `log-level` is "
	    "`SESBOX_LOG_LEVEL`. A value\n"
	    "is used as given: an empty variable is an empty value, not an "
	    "unset one.\n"
	    "\n"
	    "Variables that start with `SESBOX_` but name no key are "
	    "ignored, because other\n"
	    "tools (test harnesses, wrappers) define their own. This means a "
	    "misspelt name,\n"
	    "such as `SESBOX_LOGLEVEL`, is ignored too and not reported: "
	    "check names against\n"
	    "the table below.\n"
	    "\n"
	    "## Config file\n"
	    "\n"
	    "The file holds one `key = value` per line; spaces around the key "
	    "and the value\n"
	    "are dropped. Blank lines and lines starting with `#` are "
	    "ignored, and an\n"
	    "unquoted value ends at a `#` that follows a space. A value may "
	    "be double-quoted to\n"
	    "keep spaces or `#`; inside quotes, `\\\"` is a quote and `\\\\` "
	    "a backslash. A\n"
	    "key may appear once. ");
	cfg_names_without(out, CFG_FROM_FILE, "`");
	fprintf(out, " cannot be set in the file.\n"
	    "\n"
	    "```\n"
	    "# sesbox.conf\n"
	    "listen = 0.0.0.0:4579\n"
	    "data = \"/var/lib/sesbox\"\n"
	    "log-level = debug        # or info, warn, error\n"
	    "strict-auth = true\n"
	    "credentials = AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	    ":111111111111\n"
	    "```\n"
	    "\n"
	    "Booleans take `true`, `yes`, `on`, `1` or `false`, `no`, `off`, "
	    "`0` (any case).\n"
	    "\n"
	    "## Credentials\n"
	    "\n"
	    "`credentials` maps access keys to accounts and, with "
	    "`strict-auth`, holds the\n"
	    "secret keys SigV4 signatures are checked against: a "
	    "comma-separated list of\n"
	    "`ACCESS_KEY:SECRET_KEY[:ACCOUNT_ID]`. An access key is 1-%d "
	    "characters of `A-Z`\n"
	    "and `0-9` and may appear once; an entry without an account "
	    "belongs to\n"
	    "`default-account`, as does any access key not in the list.\n"
	    "\n"
	    "## Forwarding\n"
	    "\n"
	    "`eventbridge-endpoint` and `sns-endpoint` name EventBridge and "
	    "SNS endpoints\n"
	    "(LocalStack, moto, a test double or AWS itself) that SES's "
	    "events are sent to\n"
	    "as `PutEvents` and `Publish` calls, durably and with retries "
	    "(docs/events.md).\n"
	    "Calls are SigV4-signed for the service `events` or `sns` in the "
	    "region of the\n"
	    "target's ARN, with the first `credentials` entry of the sending "
	    "account, else\n"
	    "with the account id as access key and `sesbox` as secret key "
	    "(LocalStack files\n"
	    "a request signed with a 12-digit access key under that "
	    "account).\n"
	    "\n"
	    "## SNS subscriptions\n"
	    "\n"
	    "`sns-subscriptions` is a comma-separated list of `TOPIC=URL`. "
	    "TOPIC is a topic\n"
	    "name, in `default-account` and `region`, or a topic ARN "
	    "`arn:aws:sns:REGION:ACCOUNT:NAME`;\n"
	    "URL is an `http://` or `https://` endpoint (a comma in it is "
	    "written `%%2C`). At\n"
	    "start-up and after every `POST /_sesbox/api/v1/reset` each topic "
	    "is made when\n"
	    "missing and the endpoint subscribed to it, confirmed at once: "
	    "no\n"
	    "SubscriptionConfirmation is sent (docs/sns.md).\n"
	    "\n"
	    "```\n"
	    "sns-subscriptions = ses-events=http://127.0.0.1:8000/hook, "
	    "arn:aws:sns:eu-west-1:111111111111:bounces="
	    "https://example.test/b\n"
	    "```\n"
	    "\n"
	    "## Keys\n"
	    "\n"
	    "| Key | Flag | Environment | Default | Description |\n"
	    "| --- | --- | --- | --- | --- |\n", CFG_ACCESS_KEY_MAX_CHARS);
	for (i = 0; i < CFG_NKEYS; i++) {
		k = &cfg_keys[i];
		fprintf(out, "| `%s` | ", k->name);
		cfg_flag_text(k, flag, sizeof(flag));
		fputc('`', out);
		cfg_md_cell(out, flag);
		fputc('`', out);
		fprintf(out, " | ");
		if (k->from & CFG_FROM_ENV) {
			cfg_env_name(k, env, sizeof(env));
			fprintf(out, "`%s`", env);
		} else {
			fprintf(out, "-");
		}
		fprintf(out, " | ");
		if (k->def == NULL)
			fprintf(out, "*(none)*");
		else if (*k->def == '\0')
			fprintf(out, "*(empty)*");
		else {
			fputc('`', out);
			cfg_md_cell(out, k->def);
			fputc('`', out);
		}
		fprintf(out, " | ");
		cfg_md_cell(out, k->description);
		fprintf(out, ".");
		if (cfg_types[k->type].accepts != NULL) {
			fprintf(out, " ");
			cfg_types[k->type].accepts(out, k);
		}
		if ((k->from & CFG_FROM_ENV) && !(k->from & CFG_FROM_FILE))
			fprintf(out, " Not in the config file.");
		fprintf(out, " |\n");
	}
}
