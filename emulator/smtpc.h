/*
 * smtpc — the SMTP client the delivery worker hands messages to a relay
 * (smarthost) or a recipient domain's MX with: connect (IPv4 or IPv6),
 * banner, EHLO (HELO as a fallback), STARTTLS or implicit TLS with optional
 * peer verification, AUTH PLAIN or LOGIN, then any number of transactions
 * on the one connection (MAIL, RCPT pipelined when offered, DATA with
 * dot-stuffing), each server reply reported as it was written.
 *
 * Blocking calls with deadlines (poll(2) on a non-blocking socket), meant
 * for worker threads: one connection belongs to one thread at a time. The
 * module keeps no global state, does not log, never raises SIGPIPE, and
 * does not decide what a reply means for SES: it sorts each one into a
 * kind, and dlv turns that into events, bounces and retries. It does not
 * look up MX records, choose hosts, retry, or sign messages.
 */
#ifndef SMTPC_H
#define SMTPC_H

#include <stddef.h>

enum smtpc_tls {
	SMTPC_TLS_NONE,		/* plain text, STARTTLS not used */
	SMTPC_TLS_OPPORTUNISTIC,	/* STARTTLS if offered; in plain text
					 * if not, or if TLS fails */
	SMTPC_TLS_REQUIRED,	/* STARTTLS, or fail with SMTPC_TLS_FAILED */
	SMTPC_TLS_IMPLICIT	/* TLS from connect (port 465) */
};

/* Defaults for timeouts given as 0. */
#define SMTPC_CONNECT_TIMEOUT_MS 30000L
#define SMTPC_COMMAND_TIMEOUT_MS 300000L /* RFC 5321 §4.5.3.2: 5 min */
#define SMTPC_DATA_TIMEOUT_MS 600000L	/* RFC 5321 §4.5.3.2: 10 min */

/* What smtpc_open needs (all strings borrowed for the call only). */
struct smtpc_opts {
	const char *host;	/* name or address to connect to (an IPv6
				 * address without brackets) */
	const char *port;	/* service: "25", "587", "465" */
	/* The server's name for SNI and certificate checks; NULL: host.
	 * E.g. connect to an MX's address, verify as the MX's name. An
	 * address here is checked against the certificate's IP entries
	 * and sent without SNI. */
	const char *tls_name;
	enum smtpc_tls tls;
	/* Check the server's certificate chain and name (tls_name); else
	 * any certificate is taken (opportunistic TLS, RFC 7435). */
	int verify_peer;
	const char *ca_file;	/* PEM trust anchors; NULL: system store */
	/* Credentials for AUTH PLAIN, or LOGIN when PLAIN is not offered;
	 * user NULL: no AUTH. They go whether or not TLS is up: only
	 * SMTPC_TLS_REQUIRED and SMTPC_TLS_IMPLICIT keep them encrypted. */
	const char *user, *password;
	const char *helo;	/* name for EHLO/HELO; NULL: "localhost" */
	/*
	 * Deadlines in ms (0: the default above). connect: the TCP
	 * connection, all of host's addresses together. command: each
	 * command's reply (the banner and STARTTLS's handshake included),
	 * and each write making progress, the message's chunks included.
	 * data: the reply to the message's final ".". Name resolution is
	 * bounded by the resolver's own timeouts, not by these.
	 */
	long connect_timeout_ms, command_timeout_ms, data_timeout_ms;
};

enum smtpc_kind {
	SMTPC_OK,		/* 2xx (3xx where one is due) */
	SMTPC_TEMPORARY,	/* 4xx */
	SMTPC_PERMANENT,	/* 5xx */
	SMTPC_NETWORK,		/* resolve, connect, reset, EOF */
	SMTPC_TIMEOUT,		/* a deadline passed */
	SMTPC_TLS_FAILED,	/* handshake or verification failed, or TLS
				 * required and not offered or refused */
	SMTPC_PROTOCOL,		/* not SMTP: a garbled or over-long
				 * reply, or a code where none is due */
	SMTPC_AUTH_FAILED	/* AUTH refused (code and text say how),
				 * or no mechanism smtpc knows offered */
};

#define SMTPC_ENHANCED_MAX_BYTES 16
#define SMTPC_TEXT_MAX_BYTES 1024

/*
 * One server reply, or a failure before one came. code is the reply code,
 * 0 when smtpc itself failed (kinds NETWORK, TIMEOUT, PROTOCOL, most of
 * TLS_FAILED) or refused an address (see smtpc_send). enhanced is the
 * RFC 3463 status the reply starts with ("5.1.1"), "" when it has none or
 * one of another class than its code.
 *
 * text is the reply as SES quotes it after "smtp; " in diagnosticCode and
 * as smtpResponse: every line with its code and separator, the lines
 * joined by "\n" ("550-5.1.1 The email account...\n550 5.1.1 ..."),
 * control characters and bytes that are not UTF-8 shown as '?', cut at
 * SMTPC_TEXT_MAX_BYTES - 1 bytes. With code 0 it is smtpc's own account
 * for the log, e.g. "connect to 192.0.2.1:25: Connection refused".
 */
struct smtpc_reply {
	int code;
	char enhanced[SMTPC_ENHANCED_MAX_BYTES];
	char text[SMTPC_TEXT_MAX_BYTES];
	enum smtpc_kind kind;
};

struct smtpc;

/*
 * Connects to o->host:o->port (each address getaddrinfo gives, in turn,
 * each given an equal share of what is left of the connect timeout),
 * reads the banner, says EHLO (HELO when EHLO gets a 5xx), starts TLS as
 * o->tls says and says EHLO again, and authenticates when o->user is set.
 * With SMTPC_TLS_OPPORTUNISTIC, a failed handshake or certificate check
 * makes it connect again and go on in plain text.
 *
 * Returns the session (new; smtpc_close it), or NULL with *why (may be
 * NULL) saying what failed: a server's refusal (banner, EHLO and HELO) with
 * its code's kind, or a local failure.
 */
struct smtpc *smtpc_open(const struct smtpc_opts *o, struct smtpc_reply *why)
    __attribute__((warn_unused_result));

/* The address connected to, numeric ("192.0.2.1", "2001:db8::1"), as SES
 * reports it as remoteMtaIp. Valid until smtpc_close. */
const char *smtpc_peer_ip(const struct smtpc *c);

/* Non-zero when the last EHLO offered ext (case-insensitive keyword:
 * "PIPELINING", "SIZE", "8BITMIME", "STARTTLS", "SMTPUTF8", "AUTH"). */
int smtpc_has(const struct smtpc *c, const char *ext);

/* Non-zero when the session runs over TLS. */
int smtpc_tls_active(const struct smtpc *c);

/*
 * One transaction: MAIL FROM:<mail_from> ("" for the null sender), with
 * SIZE= when SIZE is offered, BODY=8BITMIME when 8BITMIME is offered and
 * msg has 8-bit bytes, SMTPUTF8 when offered and an address is not ASCII;
 * RCPT TO:<rcpts[i]> for each of the n (> 0) recipients, pipelined with
 * MAIL when PIPELINING is offered; DATA when any was accepted, and msg
 * (len bytes) with CRLF line ends (a bare LF is sent as CRLF; a bare CR
 * as it is), dot-stuffed, a CRLF added when it does not end with one, and
 * ".". All strings are borrowed for the call.
 *
 * rcpt[i] (n of them) gets recipient i's final word: the reply to the
 * final "." when its RCPT was accepted; its RCPT reply when refused; the
 * reply refusing MAIL or DATA; or the failure that ended the connection.
 * An address with CR or LF in it is refused without asking (code 0,
 * SMTPC_PERMANENT, enhanced 5.1.3; 5.1.7 for mail_from, which refuses all).
 * *data gets the reply that ended the transaction: the final one, DATA's
 * or MAIL's refusal, the last recipient's refusal when none was accepted,
 * or the failure.
 *
 * Returns how many recipients the final reply accepted (those whose
 * rcpt[i].kind is SMTPC_OK; 0 when none), or -1 when the connection can no
 * longer be used (network, timeout, protocol error, a 421 reply): every
 * recipient without a final word then has the failure, and the session is
 * only good for smtpc_close. After a refused MAIL or DATA, or when no
 * recipient was accepted, the session is RSET and usable.
 */
int smtpc_send(struct smtpc *c, const char *mail_from,
    const char *const *rcpts, size_t n, const char *msg, size_t len,
    struct smtpc_reply *rcpt, struct smtpc_reply *data);

/* RSET, as a check that an idle session still works before reusing it.
 * Returns 0, or -1 when it does not (the session is then only good for
 * smtpc_close). */
int smtpc_rset(struct smtpc *c) __attribute__((warn_unused_result));

/* QUIT (best effort, with a short deadline), closes and frees c.
 * smtpc_close(NULL) does nothing. */
void smtpc_close(struct smtpc *c);

#endif
