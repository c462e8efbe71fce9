/*
 * cfg — start-up configuration of the emulator.
 *
 * One static table of keys (cfg.c) drives everything: the command-line flags
 * (--key VALUE, --key=VALUE, --no-key for booleans), the environment
 * (SESBOX_KEY, upper case with '-' as '_'), the optional config file
 * (--config FILE or SESBOX_CONFIG; "key = value" lines), the --help text and
 * the generated docs/configuration.md. Precedence, lowest first: built-in
 * defaults, config file, environment, command line. Every value, defaults
 * included, goes through the same parser, so a bad value fails start-up with
 * one line naming where it came from and the key: "FILE:LINE: KEY: REASON",
 * "SESBOX_KEY: KEY: REASON" or "--key: KEY: REASON".
 *
 * SESBOX_* variables that name no key are ignored, because other tools (the
 * test harness, wrappers) set their own; a misspelt variable is therefore
 * ignored too. Unknown keys in the file and unknown flags are errors.
 *
 * This module does not act on the values: it opens no socket or directory,
 * prints nothing unless asked (cfg_help, cfg_markdown), and has no global
 * mutable state. Adding a key is one row in the table plus one field here.
 */
#ifndef CFG_H
#define CFG_H

#include <stddef.h>
#include <stdio.h>

#define CFG_ERROR_MAX_BYTES 512
#define CFG_ACCESS_KEY_MAX_CHARS 128
#define CFG_ACCOUNT_ID_CHARS 12
#define CFG_TOPIC_NAME_MAX_CHARS 256

/* One entry of the credentials key. */
struct cfg_credential {
	char *access_key;	/* [A-Z0-9], unique within the list */
	char *secret_key;	/* non-empty; never log it */
	char *account_id;	/* 12 digits; default-account when not given */
};

/*
 * One entry of the sns-subscriptions key: a topic and an HTTP/HTTPS
 * endpoint subscribed to it, confirmed, at start-up and after a reset.
 */
struct cfg_subscription {
	char *topic;	/* a name, or arn:aws:sns:REGION:ACCOUNT:NAME */
	char *endpoint;	/* http:// or https:// URL */
};

struct cfg {
	char *listen;		/* HTTP API, HOST:PORT; port 0: any free port */
	char *data;		/* data directory */
	int ephemeral;		/* temporary store, removed on exit */
	char *config;		/* config file read, or NULL */
	char *region;		/* e.g. "us-east-1" */
	char *log_level;	/* "debug", "info", "warn" or "error" */
	char *default_account;	/* 12 digits, for keys not in credentials */
	struct cfg_credential *credentials;
	size_t ncredentials;
	int strict_auth;	/* verify SigV4 signatures */
	int http_threads;	/* 0: one per CPU core */
	double max_24h_send;	/* GetSendQuota Max24HourSend; -1: unlimited */
	double max_send_rate;	/* GetSendQuota MaxSendRate, per second */
	int sandbox;		/* accounts start in the sandbox */
	char *verification;	/* "auto", "link" or "dns" */
	char *dns_resolver;	/* HOST:PORT for dns mode, or NULL */
	char *public_url;	/* base of links sesbox mails, or NULL */
	char *simulator_rules;	/* rules file, or NULL */
	/* Reputation (rep.c): rates in percent over a window of sends. */
	int reputation_min_sends;
	int reputation_window_hours;
	double bounce_rate_review;
	double bounce_rate_shutdown;
	double complaint_rate_review;
	double complaint_rate_shutdown;
	/* Forwarding (forward.c) and SNS subscriptions from configuration. */
	char *eventbridge_endpoint;	/* PutEvents URL; NULL: recorded */
	char *sns_endpoint;	/* Publish URL; NULL: local topics */
	struct cfg_subscription *subscriptions;
	size_t nsubscriptions;
	/* Retention of captured messages (capture.c); 0: no limit. */
	int retention_max_messages;
	int retention_max_age_hours;
	/* The SES SMTP interface (smtp.c). */
	char *smtp;		/* STARTTLS listener HOST:PORT, or "off" */
	char *smtps;		/* implicit TLS listener HOST:PORT, or "off" */
	char *smtp_tls_cert;	/* PEM files, or NULL: generated in data */
	char *smtp_tls_key;
	int smtp_auth_without_tls;	/* AUTH (and mail) before STARTTLS */
	int smtp_max_connections;
	int smtp_timeout;	/* idle seconds */
	int smtp_threads;	/* 0: one per CPU core */
	/* The delivery core (rmt.c) and the feedback listener. */
	char *deliver;		/* "simulate", "relay" or "mx" */
	char *relay;		/* smarthost HOST:PORT, or NULL */
	char *relay_user;	/* AUTH with the relay, or NULL */
	char *relay_password;
	char *relay_tls;	/* "off", "starttls", "require" or "tls" */
	char *mx_hosts;		/* "DOMAIN=HOST:PORT,...", or NULL */
	int mx_port;		/* port of MX hosts found in DNS */
	char *transport_rules;	/* "PATTERN=TRANSPORT,...", or NULL */
	int delivery_tls_verify;	/* check relays' and MX certificates */
	char *delivery_ca_file;	/* PEM trust anchors, or NULL: system */
	int delivery_threads;
	int delivery_connections;	/* per destination */
	int delivery_timeout;	/* seconds: connect, each reply */
	char *delivery_hostname;	/* EHLO name, reportingMTA */
	char *feedback_domain;	/* of the envelope sender SES uses */
	char *feedback_smtp;	/* feedback listener HOST:PORT, or "off" */
};

enum cfg_result {
	CFG_OK = 0,	/* c is filled; release it with cfg_fini */
	CFG_HELP,	/* --help or -h: print cfg_help, exit 0 */
	CFG_VERSION,	/* --version: print the version, exit 0 */
	CFG_HELP_MARKDOWN, /* --help-markdown: print cfg_markdown, exit 0 */
	CFG_ERROR,	/* err holds one line; exit non-zero */
};

/*
 * Fills c from the defaults, the config file, envp (a NULL-terminated array
 * of "NAME=VALUE" like environ; NULL means empty) and argv[1..argc-1], in
 * that order of precedence. argv and envp are borrowed for the call only:
 * every string left in c is new. On CFG_OK c holds new memory to release
 * with cfg_fini. On any other result c is left zeroed and, for CFG_ERROR,
 * err holds one line without a trailing newline (truncated to fit).
 * --help, --help-markdown and --version win as soon as the command-line
 * scan reaches them, before the config file is read, so a broken file does
 * not hide the help.
 */
enum cfg_result cfg_load(struct cfg *c, int argc, char **argv, char **envp,
    char err[CFG_ERROR_MAX_BYTES]) __attribute__((warn_unused_result));

/* Frees what cfg_load allocated and zeroes c; safe on a zeroed struct. */
void cfg_fini(struct cfg *c);

/*
 * Writes the usage text to out: one line per key with its flag, value
 * placeholder, description, default and environment variable.
 */
void cfg_help(FILE *out, const char *progname);

/*
 * Writes docs/configuration.md to out: precedence, environment naming, the
 * file syntax with an example, and a table of every key. The output depends
 * on the table only, so it is byte-for-byte reproducible.
 */
void cfg_markdown(FILE *out);

/*
 * Account id for access_key: the one of its credentials entry, else
 * c->default_account. Borrowed, valid until cfg_fini(c).
 */
const char *cfg_account_for_key(const struct cfg *c, const char *access_key);

/*
 * The credentials entry for access_key (exact match), or NULL. Borrowed,
 * valid until cfg_fini(c).
 */
const struct cfg_credential *cfg_credential_find(const struct cfg *c,
    const char *access_key);

/*
 * New string: the value of key in c, in the syntax the parser accepts
 * (booleans "true"/"false", credentials with their resolved accounts and
 * secrets, so never log it), or NULL when key is unknown or holds no value
 * (the actions help, version, help-markdown; an unset config). The caller
 * frees it.
 */
char *cfg_value_format(const struct cfg *c, const char *key);

/* Number of keys in the table. */
size_t cfg_key_count(void);
/* Name of key i < cfg_key_count(), e.g. "log-level"; static storage. */
const char *cfg_key_name(size_t i);

#endif
