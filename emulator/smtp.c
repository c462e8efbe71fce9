/*
 * smtp — the SES SMTP interface (see smtp.h and docs/smtp.md).
 *
 * One session per connection, a small state machine fed by whatever bytes
 * arrive: commands are taken a line at a time (PIPELINING: as many as are
 * buffered), DATA is unstuffed as it streams in. Replies are buffered and
 * written when the socket takes them; while too much waits to go out, the
 * session stops reading, so a client that does not read cannot grow it.
 */
#include "smtp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "awserr.h"
#include "buf.h"
#include "cfg.h"
#include "fbin.h"
#include "log.h"
#include "msgid.h"
#include "op.h"
#include "route.h"
#include "send.h"
#include "sigv4.h"
#include "store.h"
#include "tclock.h"
#include "tls.h"
#include "wire.h"
#include "xmem.h"

/* AWS: the name SES's replies give, whatever the region (§6.1). */
#define SMTP_HOST "email-smtp.amazonaws.com"
/* AWS: 40 MB for SMTP (SES-REFERENCE §7), as SIZE advertises it. */
#define SMTP_MAX_BYTES SEND_V2_MAX_BYTES
/* EMU: limits SES does not publish. */
#define SMTP_LINE_MAX 4096		/* a command line, CRLF included */
#define SMTP_ERRORS_MAX 20		/* bad commands before 421 */
#define SMTP_AUTH_MAX 1024		/* an AUTH response line */
#define SMTP_READ_CHUNK 16384
#define SMTP_READ_MAX (256 * 1024)	/* per turn, so others get theirs */
#define SMTP_OUT_HIGH (64 * 1024)	/* stop reading past this backlog */
#define SMTP_TICK_MS 250		/* timeout scan */
#define SMTP_EVENTS 64
#define SMTP_BACKLOG 1024
#define SMTP_STOP_WAIT_MS 5000		/* for commits under way at stop */
#define SMTP_ID_CHARS 10
#define SMTP_TOKEN_CHARS 20

enum smtp_state {
	SMTP_HANDSHAKE,		/* TLS handshake under way */
	SMTP_COMMAND,
	SMTP_AUTH_PLAIN,	/* PLAIN's response awaited */
	SMTP_AUTH_USER,		/* LOGIN's user name awaited */
	SMTP_AUTH_PASS,		/* LOGIN's password awaited */
	SMTP_DATA,
	SMTP_COMMIT,		/* the message's batch is committing */
	SMTP_CLOSING,		/* last reply going out, then close */
};

struct smtp_loop;

struct smtp_sess {
	struct smtp_loop *loop;
	struct smtp_sess *prev, *next;	/* the loop's sessions */
	struct smtp_sess *done_next;	/* the loop's committed list */
	int fd;
	SSL *ssl;
	int implicit;			/* --smtps: TLS from the start */
	int feedback;			/* the feedback listener's */
	enum smtp_state state;
	struct buf in;			/* received, from in_off on unread */
	size_t in_off;
	struct buf out;			/* to send, from out_off on */
	size_t out_off;
	uint32_t events;		/* epoll interest */
	int64_t deadline;		/* monotonic ms */
	int starttls;			/* TLS starts once out is sent */
	int io_wants_write;		/* an SSL read waits for writability */
	int skip_line;			/* dropping an over-long line */
	int errors;			/* bad commands so far */
	int authed;
	char *user;			/* access key given to AUTH */
	char *auth_user;		/* LOGIN: the user name so far */
	char *mail_from;
	json_t *rcpts;			/* envelope recipients */
	struct buf data;		/* the message, unstuffed */
	int data_over;			/* past SMTP_MAX_BYTES: dropped */
	int line_start;			/* DATA: at the start of a line */
	int commit_rc;			/* set by smtp_committed */
	int gone;			/* closed while committing */
	int eof;			/* the peer sent all it will */
	char peer[INET6_ADDRSTRLEN];
	char msgid[MSGID_BYTES];
	char request_id[ROUTE_REQUEST_ID_BYTES];
	struct timespec t0;		/* end of data, for the log */
};

struct smtp_loop {
	pthread_t thread;
	int ep;
	int wake;			/* eventfd */
	struct smtp_sess *sessions;
	long pending;			/* sessions in SMTP_COMMIT */
	pthread_mutex_t lock;		/* guards done */
	struct smtp_sess *done;
};

struct smtp_listener {
	int fd;
	int implicit;
	int feedback;			/* reports about delivered mail */
	const char *key;		/* its configuration key */
	char addr[SMTP_ADDR_MAX_BYTES];
};

static const struct cfg *smtp_cfg;
static SSL_CTX *smtp_tls;
#define SMTP_NLISTENERS 3
static struct smtp_listener smtp_listeners[SMTP_NLISTENERS] = {
	{ -1, 0, 0, "smtp", "off" }, { -1, 1, 0, "smtps", "off" },
	{ -1, 0, 1, "feedback-smtp", "off" } };
static struct smtp_loop *smtp_loops;
static unsigned smtp_nloops;
static atomic_int smtp_stopping;
static atomic_int smtp_open;		/* sessions, all loops */
/* For /_sesbox/metrics: since start-up. */
static atomic_ulong smtp_refused_total;	/* over the connection cap */
static const int smtp_reply_codes[] = { 250, 451, 454, 552, 554 };
#define SMTP_NREPLY_CODES \
	(sizeof(smtp_reply_codes) / sizeof(smtp_reply_codes[0]))
static atomic_ulong smtp_messages_total[SMTP_NREPLY_CODES];

/* ---- small helpers ---- */

static int64_t
smtp_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
smtp_touch(struct smtp_sess *s)
{
	s->deadline = smtp_mono_ms() + (int64_t)smtp_cfg->smtp_timeout * 1000;
}

static void
smtp_reply(struct smtp_sess *s, const char *line)
{
	buf_puts(&s->out, line);
	buf_append(&s->out, "\r\n", 2);
}

static void
smtp_replyf(struct smtp_sess *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
smtp_replyf(struct smtp_sess *s, const char *fmt, ...)
{
	char line[SMTP_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	smtp_reply(s, line);
}

/* A bad command: counted, and the session ends at SMTP_ERRORS_MAX. */
static void
smtp_bad(struct smtp_sess *s, const char *line)
{
	smtp_reply(s, line);
	if (++s->errors >= SMTP_ERRORS_MAX) {
		/* EMU: SES's limit and text are not published. */
		smtp_reply(s, "421 Too many errors");
		s->state = SMTP_CLOSING;
	}
}

/* Random letters and digits, as in SES's banner. */
static void
smtp_token(char *out, size_t n)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[SMTP_TOKEN_CHARS];
	size_t i;

	if (RAND_bytes(r, (int)n) != 1)
		memset(r, 0, sizeof(r));
	for (i = 0; i < n; i++)
		out[i] = digits[r[i] % (sizeof(digits) - 1)];
	out[n] = '\0';
}

static void
smtp_banner(struct smtp_sess *s)
{
	char id[SMTP_ID_CHARS + 1], token[SMTP_TOKEN_CHARS + 1];

	if (s->feedback) {
		/* EMU: SES's feedback MX (feedback-smtp.REGION.amazonses.com)
		 * does not publish its banner. */
		smtp_replyf(s, "220 %s ESMTP sesbox feedback",
		    smtp_cfg->feedback_domain);
		return;
	}
	smtp_token(id, SMTP_ID_CHARS);
	smtp_token(token, SMTP_TOKEN_CHARS);
	smtp_replyf(s, "220 " SMTP_HOST " ESMTP SimpleEmailService-d-%s %s",
	    id, token);
}

/* Forgets the mail transaction (RSET, after DATA, after STARTTLS). */
static void
smtp_reset(struct smtp_sess *s)
{
	free(s->mail_from);
	s->mail_from = NULL;
	json_decref(s->rcpts);
	s->rcpts = NULL;
	buf_fini(&s->data);
	buf_init(&s->data);
	s->data_over = 0;
}

static int
smtp_tls_active(const struct smtp_sess *s)
{
	return s->ssl != NULL;
}

/* AUTH may be used: after TLS, or before it when configured so. */
static int
smtp_auth_allowed(const struct smtp_sess *s)
{
	return smtp_tls_active(s) || smtp_cfg->smtp_auth_without_tls;
}

/* ---- I/O (plain or TLS) ---- */

/* Bytes read (> 0), 0 at end of stream, -1 when none now, -2 broken. */
static ssize_t
smtp_recv(struct smtp_sess *s, char *p, size_t n)
{
	ssize_t r;
	int rc;

	s->io_wants_write = 0;
	if (s->ssl == NULL) {
		r = recv(s->fd, p, n, 0);
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR ? -1 : -2;
		return r;
	}
	ERR_clear_error();
	if ((rc = SSL_read(s->ssl, p, (int)n)) > 0)
		return rc;
	switch (SSL_get_error(s->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		return -1;
	case SSL_ERROR_WANT_WRITE:
		s->io_wants_write = 1;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		return -2;
	}
}

/* Bytes written (> 0), -1 when none now, -2 broken. */
static ssize_t
smtp_send(struct smtp_sess *s, const char *p, size_t n)
{
	ssize_t r;
	int rc;

	if (s->ssl == NULL) {
		r = send(s->fd, p, n, MSG_NOSIGNAL);
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR ? -1 : -2;
		return r;
	}
	ERR_clear_error();
	if ((rc = SSL_write(s->ssl, p, (int)n)) > 0)
		return rc;
	switch (SSL_get_error(s->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return -1;
	default:
		return -2;
	}
}

/* Sends what is buffered. Returns 0, or -1 when the peer is gone. */
static int
smtp_flush(struct smtp_sess *s)
{
	ssize_t r;

	while (s->out_off < s->out.len) {
		r = smtp_send(s, s->out.data + s->out_off, s->out.len -
		    s->out_off);
		if (r == -1)
			return 0;
		if (r < 0)
			return -1;
		s->out_off += (size_t)r;
	}
	s->out.len = s->out_off = 0;
	return 0;
}

static void
smtp_interest(struct smtp_sess *s)
{
	struct epoll_event ev;
	uint32_t want = 0;

	/* Not while committing or closing: a half-closed peer would wake
	 * the loop for nothing (it is read again once the commit is told). */
	if (s->state != SMTP_COMMIT && s->state != SMTP_CLOSING && !s->eof &&
	    s->out.len - s->out_off < SMTP_OUT_HIGH)
		want |= EPOLLIN | EPOLLRDHUP;
	if (s->out_off < s->out.len || s->io_wants_write)
		want |= EPOLLOUT;
	if (s->state == SMTP_HANDSHAKE)
		want = s->events;	/* set by the handshake step */
	if (want == s->events)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = want;
	ev.data.ptr = s;
	if (epoll_ctl(s->loop->ep, EPOLL_CTL_MOD, s->fd, &ev) == 0)
		s->events = want;
}

/* ---- authentication ---- */

/*
 * Checks user and password. Default mode takes any; strict mode wants an
 * access key of credentials and the SES SMTP password of its secret for
 * the region sesbox answers as (SES-REFERENCE §6.2).
 */
static int
smtp_credentials_ok(const char *user, const char *password)
{
	char want[SIGV4_SMTP_PASSWORD_BYTES];
	const struct cfg_credential *c;
	size_t n = strlen(password);

	if (!smtp_cfg->strict_auth)
		return 1;
	if ((c = cfg_credential_find(smtp_cfg, user)) == NULL)
		return 0;
	sigv4_smtp_password(c->secret_key, smtp_cfg->region, want);
	return n == strlen(want) && CRYPTO_memcmp(want, password, n) == 0;
}

static void
smtp_authenticated(struct smtp_sess *s, const char *user,
    const char *password)
{
	s->state = SMTP_COMMAND;
	if (*user == '\0' || !smtp_credentials_ok(user, password)) {
		log_info("msg=\"smtp auth failed\" peer=%s user=\"%.64s\"",
		    s->peer, user);
		smtp_bad(s, "535 Authentication Credentials Invalid");
		return;
	}
	s->authed = 1;
	free(s->user);
	s->user = xstrdup(user);
	log_info("msg=\"smtp auth\" peer=%s access_key=\"%.64s\" account=%s",
	    s->peer, user, cfg_account_for_key(smtp_cfg, user));
	smtp_reply(s, "235 Authentication successful.");
}

/*
 * Decodes one base64 AUTH line into out (NUL-terminated, NULs inside
 * kept; *len set). Returns 0, or -1 (the reply given) when cancelled or
 * not base64.
 */
static int
smtp_auth_decode(struct smtp_sess *s, const char *line, char *out,
    size_t *len)
{
	size_t n = strlen(line);
	long got;

	if (strcmp(line, "*") == 0) {
		s->state = SMTP_COMMAND;
		smtp_bad(s, "501 Authentication cancelled");
		return -1;
	}
	if (n > SMTP_AUTH_MAX || (got = buf_base64_decode(line, n,
	    (unsigned char *)out)) < 0) {
		s->state = SMTP_COMMAND;
		smtp_bad(s, "501 Invalid base64 data");
		return -1;
	}
	out[got] = '\0';
	*len = (size_t)got;
	return 0;
}

/* PLAIN's response: authzid NUL authcid NUL password (RFC 4616). */
static void
smtp_auth_plain(struct smtp_sess *s, const char *line)
{
	char dec[SMTP_AUTH_MAX];
	const char *user, *pass, *end;
	size_t n;

	if (smtp_auth_decode(s, line, dec, &n) != 0)
		return;
	end = dec + n;
	user = memchr(dec, '\0', n);
	pass = user != NULL ? memchr(user + 1, '\0', (size_t)(end - user -
	    1)) : NULL;
	if (user == NULL || pass == NULL) {
		s->state = SMTP_COMMAND;
		smtp_bad(s, "535 Authentication Credentials Invalid");
		return;
	}
	smtp_authenticated(s, user + 1, pass + 1);
}

static void
smtp_cmd_auth(struct smtp_sess *s, const char *arg)
{
	const char *sp = strchr(arg, ' ');
	size_t mlen = sp != NULL ? (size_t)(sp - arg) : strlen(arg);

	if (!smtp_auth_allowed(s)) {
		/* EMU: SES's text for AUTH before STARTTLS is not
		 * published; this is the usual one. */
		smtp_bad(s, "530 Must issue a STARTTLS command first");
		return;
	}
	if (s->authed) {
		smtp_bad(s, "503 Already authenticated");
		return;
	}
	if (mlen == 5 && strncasecmp(arg, "PLAIN", 5) == 0) {
		if (sp != NULL && sp[1] != '\0') {
			smtp_auth_plain(s, sp + 1);
			return;
		}
		s->state = SMTP_AUTH_PLAIN;
		smtp_reply(s, "334 ");
		return;
	}
	if (mlen == 5 && strncasecmp(arg, "LOGIN", 5) == 0) {
		if (sp != NULL && sp[1] != '\0') {
			char dec[SMTP_AUTH_MAX];
			size_t n;

			if (smtp_auth_decode(s, sp + 1, dec, &n) != 0)
				return;
			free(s->auth_user);
			s->auth_user = xstrdup(dec);
			s->state = SMTP_AUTH_PASS;
			smtp_reply(s, "334 UGFzc3dvcmQ6");	/* Password: */
			return;
		}
		s->state = SMTP_AUTH_USER;
		smtp_reply(s, "334 VXNlcm5hbWU6");		/* Username: */
		return;
	}
	smtp_bad(s, "504 Unrecognized authentication type");
}

static void
smtp_auth_line(struct smtp_sess *s, const char *line)
{
	char dec[SMTP_AUTH_MAX];
	size_t n;

	if (s->state == SMTP_AUTH_PLAIN) {
		smtp_auth_plain(s, line);
		return;
	}
	if (smtp_auth_decode(s, line, dec, &n) != 0)
		return;
	if (s->state == SMTP_AUTH_USER) {
		free(s->auth_user);
		s->auth_user = xstrdup(dec);
		s->state = SMTP_AUTH_PASS;
		smtp_reply(s, "334 UGFzc3dvcmQ6");
		return;
	}
	smtp_authenticated(s, s->auth_user ? s->auth_user : "", dec);
	free(s->auth_user);
	s->auth_user = NULL;
}

/* ---- the mail transaction ---- */

/*
 * The address of "FROM:<a@b> params" / "TO:<a@b>" (new string; "" for
 * "<>"), *params set past it; NULL when the syntax is wrong.
 */
static char *
smtp_path(const char *arg, const char *prefix, const char **params)
{
	size_t plen = strlen(prefix);
	const char *p, *end;

	if (strncasecmp(arg, prefix, plen) != 0)
		return NULL;
	p = arg + plen;
	while (*p == ' ')
		p++;
	if (*p == '<') {
		if ((end = strchr(p, '>')) == NULL)
			return NULL;
		*params = end + 1;
		return xstrndup(p + 1, (size_t)(end - p - 1));
	}
	/* Without brackets, as some clients send it. */
	end = p + strcspn(p, " ");
	*params = end;
	return xstrndup(p, (size_t)(end - p));
}

/* The address as a reply shows it: bounded, no control characters. */
static void
smtp_shown(const char *a, char *out, size_t n)
{
	size_t i, k = 0;

	for (i = 0; a[i] != '\0' && k + 1 < n; i++)
		out[k++] = (unsigned char)a[i] < 0x20 ? '?' : a[i];
	out[k] = '\0';
}

static void
smtp_cmd_mail(struct smtp_sess *s, const char *arg)
{
	char why[ADDR_WHY_MAX_BYTES], shown[256], line[360];
	const char *params = "", *p;
	char *addr;

	if (!s->authed && !s->feedback) {
		smtp_bad(s, "530 Authentication required");
		return;
	}
	if (s->mail_from != NULL) {
		smtp_bad(s, "503 Sender already specified");
		return;
	}
	if ((addr = smtp_path(arg, "FROM:", &params)) == NULL) {
		smtp_bad(s, "501 Syntax: MAIL FROM:<address>");
		return;
	}
	/* A report comes from the null sender (RFC 3464 §2). */
	if ((*addr == '\0' && !s->feedback) || (*addr != '\0' &&
	    addr_check(addr, why) != 0)) {
		smtp_shown(addr, shown, sizeof(shown));
		snprintf(line, sizeof(line), "553 <%s> Invalid email address",
		    shown);
		smtp_bad(s, line);
		free(addr);
		return;
	}
	/* SIZE=n (RFC 1870): refused at once when over the limit. */
	for (p = params; (p = strcasestr(p, "SIZE=")) != NULL; p += 5)
		if ((p == params || p[-1] == ' ') &&
		    strtoull(p + 5, NULL, 10) > SMTP_MAX_BYTES) {
			smtp_reply(s, "552 Message is too long.");
			free(addr);
			return;
		}
	s->mail_from = addr;
	s->rcpts = json_array();
	smtp_reply(s, "250 Ok");
}

static void
smtp_cmd_rcpt(struct smtp_sess *s, const char *arg)
{
	char why[ADDR_WHY_MAX_BYTES], shown[256], line[360];
	char msgid[MSGID_BYTES];
	const char *params = "";
	char *addr;

	if (s->mail_from == NULL) {
		smtp_bad(s, s->authed || s->feedback ? "503 Need MAIL command" :
		    "530 Authentication required");
		return;
	}
	if ((addr = smtp_path(arg, "TO:", &params)) == NULL) {
		smtp_bad(s, "501 Syntax: RCPT TO:<address>");
		return;
	}
	if (*addr == '\0' || addr_check(addr, why) != 0) {
		smtp_shown(addr, shown, sizeof(shown));
		snprintf(line, sizeof(line), "553 <%s> address unknown", shown);
		smtp_bad(s, line);
		free(addr);
		return;
	}
	if (s->feedback && !fbin_address(addr, msgid)) {
		/* EMU: the feedback listener takes feedback addresses
		 * (MESSAGEID@DOMAIN) only. */
		smtp_shown(addr, shown, sizeof(shown));
		snprintf(line, sizeof(line), "550 5.1.1 <%s>: Recipient "
		    "address rejected: not a feedback address", shown);
		smtp_bad(s, line);
		free(addr);
		return;
	}
	if (json_array_size(s->rcpts) >= SEND_RECIPIENTS_MAX) {
		/* EMU: the API's text in SES's SMTP form for a rejected
		 * parameter (SES-REFERENCE §6.3). */
		smtp_replyf(s, "554 Transaction failed: Recipient count "
		    "exceeds %d.", SEND_RECIPIENTS_MAX);
		free(addr);
		return;
	}
	json_array_append_new(s->rcpts, json_string(addr));
	free(addr);
	smtp_reply(s, "250 Ok");
}

/* Replies for a send the send path refused; returns the reply code. */
static int
smtp_refused(struct smtp_sess *s, const struct awserr *e)
{
	if (strcmp(e->code, "Throttling") == 0) {
		smtp_replyf(s, "454 Throttling failure: %s", e->message);
		return 454;
	}
	if (strcmp(e->code, "InternalFailure") == 0) {
		smtp_reply(s, "451 Temporary service failure");
		return 451;
	}
	if (strcmp(e->code, "MessageRejected") == 0 ||
	    strstr(e->code, "Paused") != NULL)
		smtp_replyf(s, "554 Message rejected: %s", e->message);
	else
		/* AWS: a rejected parameter, e.g. malformed MIME, is "554
		 * Transaction failed: <reason>" (SES-REFERENCE §6.3). */
		smtp_replyf(s, "554 Transaction failed: %s", e->message);
	return 554;
}

static void
smtp_log_send(struct smtp_sess *s, int code, const char *account)
{
	struct timespec t1;
	double ms;

	for (size_t i = 0; i < SMTP_NREPLY_CODES; i++)
		if (smtp_reply_codes[i] == code)
			atomic_fetch_add(&smtp_messages_total[i], 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - s->t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - s->t0.tv_nsec) / 1e6;
	log_info("req=%s proto=smtp op=SendSmtpEmail reply=%d account=%s "
	    "region=%s peer=%s ms=%.3f%s%s", s->request_id, code, account,
	    smtp_cfg->region, s->peer, ms, code == 250 ? " message_id=" : "",
	    code == 250 ? s->msgid : "");
}

/* Called by whichever thread committed the message's batch. */
static void
smtp_committed(void *arg, int rc)
{
	struct smtp_sess *s = arg;
	struct smtp_loop *l = s->loop;
	uint64_t one = 1;

	s->commit_rc = rc;
	pthread_mutex_lock(&l->lock);
	s->done_next = l->done;
	l->done = s;
	pthread_mutex_unlock(&l->lock);
	if (write(l->wake, &one, sizeof(one)) < 0)
		log_error("msg=\"cannot wake the smtp loop\"");
}

/*
 * The end of data: the message goes through the send path as
 * SendRawEmail does, with the envelope as Source and Destinations. On
 * acceptance the session waits for its batch to commit.
 */
/*
 * The end of a report sent to the feedback listener: recorded at once on
 * this thread (reports are few; the commit is a short wait).
 */
static void
smtp_feedback(struct smtp_sess *s)
{
	const char **rcpts = xcalloc(json_array_size(s->rcpts) + 1,
	    sizeof(*rcpts));
	char reply[FBIN_REPLY_MAX_BYTES];
	size_t i;
	int code;

	for (i = 0; i < json_array_size(s->rcpts); i++)
		rcpts[i] = json_string_value(json_array_get(s->rcpts, i));
	code = fbin_ingest(smtp_cfg, rcpts, i, s->data.data != NULL ?
	    s->data.data : "", s->data.len, reply);
	free(rcpts);
	smtp_reply(s, reply);
	log_info("proto=smtp op=feedback reply=%d peer=%s", code, s->peer);
	smtp_reset(s);
}

static void
smtp_deliver(struct smtp_sess *s)
{
	struct send_request r;
	struct op_ctx ctx;
	struct awserr e;
	int rc, end;

	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	route_request_id(s->request_id);
	s->state = SMTP_COMMAND;
	if (s->data_over) {
		smtp_reply(s, "552 Message is too long.");
		smtp_log_send(s, 552, "-");
		smtp_reset(s);
		return;
	}
	if (s->feedback) {
		smtp_feedback(s);
		return;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = smtp_cfg;
	ctx.account = cfg_account_for_key(smtp_cfg, s->user);
	ctx.region = smtp_cfg->region;
	ctx.request_id = s->request_id;
	ctx.source_ip = s->peer;
	ctx.access_key = s->user;
	ctx.now_ms = tclock_now_ms();
	memset(&r, 0, sizeof(r));
	/* EMU: "SendSmtpEmail", the operation SES names SMTP sends by. */
	r.operation = "SendSmtpEmail";
	r.api = "smtp";
	r.max_bytes = SMTP_MAX_BYTES;
	r.from = s->mail_from;
	r.destinations = s->rcpts;
	r.raw = s->data.data != NULL ? s->data.data : "";
	r.raw_len = s->data.len;
	awserr_init(&e);
	if ((ctx.store = store_write_begin()) == NULL) {
		smtp_reply(s, "451 Temporary service failure");
		smtp_log_send(s, 451, ctx.account);
		smtp_reset(s);
		return;
	}
	rc = send_accept(&ctx, &r, s->msgid, &e);
	s->state = SMTP_COMMIT;
	s->loop->pending++;
	end = store_write_end_async(ctx.store, rc == 0, smtp_committed, s);
	if (end == 1)
		return;		/* smtp_committed follows */
	s->loop->pending--;
	s->state = SMTP_COMMAND;
	if (rc != 0) {
		smtp_log_send(s, smtp_refused(s, &e), ctx.account);
	} else if (end != 0) {
		smtp_reply(s, "451 Temporary service failure");
		smtp_log_send(s, 451, ctx.account);
	} else {
		smtp_replyf(s, "250 Ok %s", s->msgid);
		smtp_log_send(s, 250, ctx.account);
	}
	smtp_reset(s);
}

/*
 * DATA bytes: lines are unstuffed (a leading '.' dropped), bare LF taken
 * as CRLF, and "." alone ends the message. Returns the bytes consumed;
 * fewer than n when the rest must wait for more (or the message ended).
 */
static size_t
smtp_data_feed(struct smtp_sess *s, const char *p, size_t n)
{
	size_t used = 0, len, take;
	const char *lf;

	while (used < n && s->state == SMTP_DATA) {
		const char *q = p + used;
		size_t left = n - used;

		if (s->line_start && q[0] == '.') {
			if (left < 2 || (q[1] == '\r' && left < 3))
				break;		/* wait: "." or ".\r" so far */
			if (q[1] == '\n' || (q[1] == '\r' && q[2] == '\n')) {
				used += q[1] == '\n' ? 2 : 3;
				smtp_deliver(s);
				break;
			}
			used++;			/* the stuffed dot */
			q++;
			left--;
		}
		if ((lf = memchr(q, '\n', left)) != NULL) {
			len = (size_t)(lf - q);
			take = len + 1;
			if (len > 0 && q[len - 1] == '\r')
				len--;
			s->line_start = 1;
		} else {
			/* A line still coming: keep a trailing CR back. */
			len = take = left;
			if (len > 0 && q[len - 1] == '\r')
				len = take = left - 1;
			if (take == 0)
				break;
			s->line_start = 0;
		}
		if (!s->data_over) {
			if (s->data.len + len + 2 > SMTP_MAX_BYTES) {
				s->data_over = 1;
				buf_fini(&s->data);
				buf_init(&s->data);
			} else {
				buf_append(&s->data, q, len);
				if (s->line_start)
					buf_append(&s->data, "\r\n", 2);
			}
		}
		used += take;
	}
	return used;
}

/* ---- commands ---- */

static void
smtp_ehlo(struct smtp_sess *s, int extended, const char *arg)
{
	if (*arg == '\0') {
		smtp_bad(s, extended ? "501 Syntax: EHLO hostname" :
		    "501 Syntax: HELO hostname");
		return;
	}
	smtp_reset(s);
	if (!extended) {
		smtp_replyf(s, "250 %s", s->feedback ?
		    smtp_cfg->feedback_domain : SMTP_HOST);
		return;
	}
	/* AWS: SES's list (§6.1), with SIZE and PIPELINING, which
	 * sesbox honours. */
	smtp_replyf(s, "250-%s", s->feedback ? smtp_cfg->feedback_domain :
	    SMTP_HOST);
	smtp_reply(s, "250-8BITMIME");
	smtp_replyf(s, "250-SIZE %d", SMTP_MAX_BYTES);
	smtp_reply(s, "250-PIPELINING");
	if (!smtp_tls_active(s))
		smtp_reply(s, "250-STARTTLS");
	if (!s->feedback)
		smtp_reply(s, "250-AUTH PLAIN LOGIN");
	smtp_reply(s, "250 Ok");
}

/* Is line the command name (case-insensitive), alone or before a space? */
static const char *
smtp_verb(const char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncasecmp(line, name, n) != 0)
		return NULL;
	if (line[n] == '\0')
		return line + n;
	if (line[n] != ' ')
		return NULL;
	line += n;
	while (*line == ' ')
		line++;
	return line;
}

static void
smtp_command(struct smtp_sess *s, char *line)
{
	const char *arg;

	if ((arg = smtp_verb(line, "EHLO")) != NULL) {
		smtp_ehlo(s, 1, arg);
	} else if ((arg = smtp_verb(line, "HELO")) != NULL) {
		smtp_ehlo(s, 0, arg);
	} else if ((arg = smtp_verb(line, "MAIL")) != NULL) {
		smtp_cmd_mail(s, arg);
	} else if ((arg = smtp_verb(line, "RCPT")) != NULL) {
		smtp_cmd_rcpt(s, arg);
	} else if (smtp_verb(line, "DATA") != NULL) {
		if (s->mail_from == NULL)
			smtp_bad(s, s->authed || s->feedback ? "503 Need MAIL "
			    "command" : "530 Authentication required");
		else if (json_array_size(s->rcpts) == 0)
			smtp_bad(s, "503 Need RCPT command");
		else {
			s->state = SMTP_DATA;
			s->line_start = 1;
			smtp_reply(s, "354 End data with <CR><LF>.<CR><LF>");
		}
	} else if ((arg = smtp_verb(line, "AUTH")) != NULL && s->feedback) {
		smtp_bad(s, "502 5.5.1 AUTH not available here");
	} else if (arg != NULL) {
		smtp_cmd_auth(s, arg);
	} else if (smtp_verb(line, "STARTTLS") != NULL) {
		if (smtp_tls_active(s) || smtp_tls == NULL) {
			smtp_bad(s, "503 TLS already active");
		} else {
			smtp_reply(s, "220 Ready to start TLS");
			s->starttls = 1;
		}
	} else if (smtp_verb(line, "RSET") != NULL) {
		smtp_reset(s);
		smtp_reply(s, "250 Ok");
	} else if (smtp_verb(line, "NOOP") != NULL) {
		smtp_reply(s, "250 Ok");
	} else if (smtp_verb(line, "QUIT") != NULL) {
		smtp_reply(s, "221 Bye");
		s->state = SMTP_CLOSING;
	} else if (smtp_verb(line, "HELP") != NULL) {
		/* EMU: SES's HELP and VRFY replies are not published. */
		smtp_reply(s, "214 See https://docs.aws.amazon.com/ses/latest/"
		    "dg/send-email-smtp.html");
	} else if (smtp_verb(line, "VRFY") != NULL) {
		smtp_reply(s, "252 Cannot VRFY user");
	} else {
		smtp_bad(s, "500 Unrecognized command");
	}
}

/* Takes what is buffered, as far as the state lets it go. */
static void
smtp_process(struct smtp_sess *s)
{
	char *line, *lf;
	size_t n, used;

	while (s->in_off < s->in.len && !s->starttls) {
		line = s->in.data + s->in_off;
		n = s->in.len - s->in_off;
		if (s->state == SMTP_DATA) {
			used = smtp_data_feed(s, line, n);
			s->in_off += used;
			smtp_touch(s);
			if (used == 0 || s->state == SMTP_DATA)
				break;
			continue;
		}
		if (s->state != SMTP_COMMAND && s->state != SMTP_AUTH_PLAIN &&
		    s->state != SMTP_AUTH_USER && s->state != SMTP_AUTH_PASS)
			break;
		if ((lf = memchr(line, '\n', n)) == NULL) {
			if (n >= SMTP_LINE_MAX) {
				if (!s->skip_line)
					smtp_bad(s, "500 Line too long");
				s->skip_line = 1;
				s->in_off = s->in.len;
			}
			break;
		}
		s->in_off += (size_t)(lf - line) + 1;
		if (s->skip_line || (size_t)(lf - line) + 1 > SMTP_LINE_MAX) {
			if (!s->skip_line)
				smtp_bad(s, "500 Line too long");
			s->skip_line = 0;
			continue;
		}
		n = (size_t)(lf - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		smtp_touch(s);
		if (memchr(line, '\0', n) != NULL) {
			s->state = SMTP_COMMAND;
			smtp_bad(s, "500 Unrecognized command");
			continue;
		}
		if (s->state == SMTP_COMMAND)
			smtp_command(s, line);
		else
			smtp_auth_line(s, line);
	}
	/* Keep the buffer small: drop what has been taken. */
	if (s->in_off == s->in.len) {
		s->in.len = s->in_off = 0;
	} else if (s->in_off > SMTP_READ_CHUNK) {
		memmove(s->in.data, s->in.data + s->in_off, s->in.len -
		    s->in_off);
		s->in.len -= s->in_off;
		s->in_off = 0;
	}
}

/* ---- sessions ---- */

static void
smtp_close(struct smtp_sess *s)
{
	struct smtp_loop *l = s->loop;

	if (s->fd >= 0) {
		/* The slot is free before the peer can see the close, so
		 * it may connect again at once (another loop accepts). */
		atomic_fetch_sub(&smtp_open, 1);
		epoll_ctl(l->ep, EPOLL_CTL_DEL, s->fd, NULL);
		if (s->ssl != NULL && SSL_is_init_finished(s->ssl))
			(void)SSL_shutdown(s->ssl);
		close(s->fd);
		s->fd = -1;
	}
	if (s->state == SMTP_COMMIT) {
		s->gone = 1;	/* freed when its commit is told */
		return;
	}
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		l->sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	SSL_free(s->ssl);
	smtp_reset(s);
	buf_fini(&s->in);
	buf_fini(&s->out);
	buf_fini(&s->data);
	free(s->user);
	free(s->auth_user);
	free(s);
}

/* One TLS handshake step. Returns 0 (done or waiting) or -1 (failed). */
static int
smtp_handshake(struct smtp_sess *s)
{
	int rc;

	ERR_clear_error();
	if ((rc = SSL_accept(s->ssl)) == 1) {
		s->state = SMTP_COMMAND;
		s->events = 0;
		smtp_touch(s);
		if (s->implicit)
			smtp_banner(s);
		return 0;
	}
	switch (SSL_get_error(s->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		s->events = EPOLLIN | EPOLLRDHUP;
		break;
	case SSL_ERROR_WANT_WRITE:
		s->events = EPOLLOUT | EPOLLRDHUP;
		break;
	default:
		log_debug("msg=\"smtp tls handshake failed\" peer=%s",
		    s->peer);
		return -1;
	}
	{
		struct epoll_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.events = s->events;
		ev.data.ptr = s;
		epoll_ctl(s->loop->ep, EPOLL_CTL_MOD, s->fd, &ev);
	}
	return 0;
}

static int
smtp_start_tls(struct smtp_sess *s)
{
	if ((s->ssl = SSL_new(smtp_tls)) == NULL ||
	    SSL_set_fd(s->ssl, s->fd) != 1)
		return -1;
	s->starttls = 0;
	s->state = SMTP_HANDSHAKE;
	/* RFC 3207: nothing known from before TLS counts after it (bytes
	 * pipelined after STARTTLS included). */
	s->in.len = s->in_off = 0;
	s->authed = 0;
	free(s->user);
	s->user = NULL;
	smtp_reset(s);
	return smtp_handshake(s);
}

/*
 * Everything a session can do now: handshake, write, read and take
 * commands, until it waits on the peer or a commit. Returns -1 when it
 * was closed.
 */
static int
smtp_run(struct smtp_sess *s)
{
	char chunk[SMTP_READ_CHUNK];
	size_t got = 0;
	ssize_t r;

	for (;;) {
		if (s->state == SMTP_HANDSHAKE) {
			if (smtp_handshake(s) != 0)
				goto close;
			if (s->state == SMTP_HANDSHAKE)
				return 0;
		}
		if (smtp_flush(s) != 0)
			goto close;
		if (s->out_off < s->out.len)
			break;		/* the peer reads slowly */
		if (s->starttls) {
			if (smtp_start_tls(s) != 0)
				goto close;
			continue;
		}
		if (s->state == SMTP_CLOSING)
			goto close;
		if (s->state == SMTP_COMMIT)
			break;
		/* Fairness; TLS bytes already decrypted raise no event. */
		if (got >= SMTP_READ_MAX && (s->ssl == NULL ||
		    SSL_pending(s->ssl) == 0))
			break;
		r = s->eof ? 0 : smtp_recv(s, chunk, sizeof(chunk));
		if (r == -2)
			goto close;
		if (r > 0) {
			got += (size_t)r;
			buf_append(&s->in, chunk, (size_t)r);
			smtp_process(s);
			continue;
		}
		/* Nothing more now (-1) or ever (0): take what an earlier
		 * turn left (it waited on a commit), then wait or close. */
		s->eof = r == 0;
		smtp_process(s);
		if (s->out_off < s->out.len || s->starttls ||
		    s->state == SMTP_CLOSING)
			continue;
		if (s->eof && s->state != SMTP_COMMIT)
			goto close;
		break;
	}
	smtp_interest(s);
	return 0;
close:
	smtp_close(s);
	return -1;
}

static void
smtp_accept(struct smtp_loop *l, const struct smtp_listener *ls)
{
	struct sockaddr_storage sa;
	socklen_t salen = sizeof(sa);
	struct epoll_event ev;
	struct smtp_sess *s;
	int fd, one = 1;

	while ((fd = accept4(ls->fd, (struct sockaddr *)&sa, &salen,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		salen = sizeof(sa);
		if (atomic_fetch_add(&smtp_open, 1) >= smtp_cfg->
		    smtp_max_connections) {
			static const char busy[] =
			    "421 Too many concurrent SMTP connections\r\n";

			atomic_fetch_sub(&smtp_open, 1);
			atomic_fetch_add(&smtp_refused_total, 1);
			/* AWS: SES's reply (§6.3); on the TLS port there is
			 * no TLS yet to say it in, so it just closes. */
			if (!ls->implicit && send(fd, busy, sizeof(busy) - 1,
			    MSG_NOSIGNAL) < 0)
				log_debug("msg=\"smtp busy reply failed\"");
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		s = xcalloc(1, sizeof(*s));
		s->loop = l;
		s->fd = fd;
		s->implicit = ls->implicit;
		s->feedback = ls->feedback;
		buf_init(&s->in);
		buf_init(&s->out);
		buf_init(&s->data);
		if (sa.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->
			    sin6_addr, s->peer, sizeof(s->peer));
		else
			inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->
			    sin_addr, s->peer, sizeof(s->peer));
		s->next = l->sessions;
		if (l->sessions != NULL)
			l->sessions->prev = s;
		l->sessions = s;
		smtp_touch(s);
		memset(&ev, 0, sizeof(ev));
		ev.events = s->events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = s;
		if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			smtp_close(s);
			continue;
		}
		log_debug("msg=\"smtp connection\" peer=%s tls=%d", s->peer,
		    s->implicit);
		if (s->implicit) {
			if ((s->ssl = SSL_new(smtp_tls)) == NULL ||
			    SSL_set_fd(s->ssl, fd) != 1) {
				smtp_close(s);
				continue;
			}
			s->state = SMTP_HANDSHAKE;
		} else {
			s->state = SMTP_COMMAND;
			smtp_banner(s);
		}
		(void)smtp_run(s);
	}
}

/* Sessions whose commit has been told: answered, and on they go. */
static void
smtp_done(struct smtp_loop *l)
{
	struct smtp_sess *s, *next;
	uint64_t n;

	if (read(l->wake, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_debug("msg=\"smtp wake read failed\"");
	pthread_mutex_lock(&l->lock);
	s = l->done;
	l->done = NULL;
	pthread_mutex_unlock(&l->lock);
	for (; s != NULL; s = next) {
		next = s->done_next;
		l->pending--;
		s->state = SMTP_COMMAND;
		if (s->commit_rc == 0) {
			smtp_replyf(s, "250 Ok %s", s->msgid);
			smtp_log_send(s, 250, cfg_account_for_key(smtp_cfg,
			    s->user));
		} else {
			smtp_reply(s, "451 Temporary service failure");
			smtp_log_send(s, 451, cfg_account_for_key(smtp_cfg,
			    s->user));
		}
		smtp_reset(s);
		if (s->gone) {
			smtp_close(s);
			continue;
		}
		(void)smtp_run(s);
	}
}

/* Closes sessions idle past their deadline, with SES's 451. */
static void
smtp_expire(struct smtp_loop *l)
{
	int64_t now = smtp_mono_ms();
	struct smtp_sess *s, *next;

	for (s = l->sessions; s != NULL; s = next) {
		next = s->next;
		if (s->fd < 0 || s->state == SMTP_COMMIT || s->deadline > now)
			continue;
		if (s->state == SMTP_HANDSHAKE || s->state == SMTP_CLOSING) {
			smtp_close(s);
			continue;
		}
		/* AWS: "451 4.4.2 Timeout waiting for data from client."
		 * (SES-REFERENCE §6.3). */
		smtp_reply(s, "451 4.4.2 Timeout waiting for data from "
		    "client.");
		s->state = SMTP_CLOSING;
		s->deadline = now + 1000;	/* for the reply to go */
		(void)smtp_run(s);
	}
}

static void *
smtp_loop_main(void *arg)
{
	struct smtp_loop *l = arg;
	struct epoll_event ev[SMTP_EVENTS];
	int64_t next_scan = smtp_mono_ms() + SMTP_TICK_MS, stop_by = 0;
	int n, i;

	for (;;) {
		if (atomic_load(&smtp_stopping)) {
			if (stop_by == 0)
				stop_by = smtp_mono_ms() + SMTP_STOP_WAIT_MS;
			if (l->pending == 0 || smtp_mono_ms() > stop_by)
				break;
		}
		n = epoll_wait(l->ep, ev, SMTP_EVENTS, SMTP_TICK_MS);
		for (i = 0; i < n; i++) {
			void *p = ev[i].data.ptr;

			if (p >= (void *)&smtp_listeners[0] &&
			    p < (void *)&smtp_listeners[SMTP_NLISTENERS]) {
				if (!atomic_load(&smtp_stopping))
					smtp_accept(l, p);
			} else if (p == l) {
				smtp_done(l);
			} else {
				struct smtp_sess *s = p;

				if (s->fd >= 0)
					(void)smtp_run(s);
			}
		}
		if (smtp_mono_ms() >= next_scan) {
			smtp_expire(l);
			next_scan = smtp_mono_ms() + SMTP_TICK_MS;
		}
	}
	while (l->sessions != NULL) {
		struct smtp_sess *s = l->sessions;

		if (s->state == SMTP_COMMIT) {
			/* Its commit is still to be told: leave it be. */
			log_warn("msg=\"smtp stopped with a commit under way\" "
			    "peer=%s", s->peer);
			l->sessions = s->next;
			continue;
		}
		smtp_close(s);
	}
	store_release();
	return NULL;
}

/* ---- start and stop ---- */

static int
smtp_listen(struct smtp_listener *ls, const char *spec, char *err,
    size_t errlen)
{
	struct addrinfo *ai = NULL;
	struct sockaddr_storage sa;
	socklen_t salen = sizeof(sa);
	char name[INET6_ADDRSTRLEN];
	const char *key = ls->key;
	int gai, fd, one = 1;

	if (strcmp(spec, "off") == 0)
		return 0;
	if ((gai = wire_listen_resolve(spec, &ai)) != 0) {
		snprintf(err, errlen, "%s: %s: %s", key, spec,
		    gai_strerror(gai));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, SMTP_BACKLOG) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) != 0) {
		snprintf(err, errlen, "%s: %s: cannot listen: %s", key, spec,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	if (sa.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr,
		    name, sizeof(name));
		snprintf(ls->addr, sizeof(ls->addr), "[%s]:%u", name,
		    ntohs(((struct sockaddr_in6 *)&sa)->sin6_port));
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr,
		    name, sizeof(name));
		snprintf(ls->addr, sizeof(ls->addr), "%s:%u", name,
		    ntohs(((struct sockaddr_in *)&sa)->sin_port));
	}
	ls->fd = fd;
	return 0;
}

static int
smtp_loop_init(struct smtp_loop *l, char *err, size_t errlen)
{
	struct epoll_event ev;
	size_t i;

	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	l->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->ep < 0 || l->wake < 0)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = l;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, l->wake, &ev) != 0)
		goto fail;
	for (i = 0; i < SMTP_NLISTENERS; i++) {
		if (smtp_listeners[i].fd < 0)
			continue;
		/* Every loop waits on the listeners; one is woken. */
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.ptr = &smtp_listeners[i];
		if (epoll_ctl(l->ep, EPOLL_CTL_ADD, smtp_listeners[i].fd,
		    &ev) != 0)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "smtp: cannot set up the event loop: %s",
	    strerror(errno));
	return -1;
}

static void
smtp_loop_fini(struct smtp_loop *l)
{
	if (l->ep >= 0)
		close(l->ep);
	if (l->wake >= 0)
		close(l->wake);
	pthread_mutex_destroy(&l->lock);
}

int
smtp_start(const struct cfg *cfg, char *err, size_t errlen)
{
	char fp[TLS_FINGERPRINT_BYTES], path[4096];
	long ncpu;
	unsigned i;
	int generated = 0;

	smtp_cfg = cfg;
	atomic_store(&smtp_stopping, 0);
	atomic_store(&smtp_open, 0);
	if (strcmp(cfg->smtp, "off") == 0 && strcmp(cfg->smtps, "off") == 0 &&
	    strcmp(cfg->feedback_smtp, "off") == 0)
		return 0;
	if ((smtp_tls = tls_server_ctx(cfg->smtp_tls_cert, cfg->smtp_tls_key,
	    store_dir(), fp, &generated, path, sizeof(path), err, errlen)) ==
	    NULL)
		return -1;
	log_info("msg=\"smtp tls\" cert=%s fingerprint=%s generated=%d", path, fp,
	    generated);
	if (smtp_listen(&smtp_listeners[0], cfg->smtp, err, errlen) != 0 ||
	    smtp_listen(&smtp_listeners[1], cfg->smtps, err, errlen) != 0 ||
	    smtp_listen(&smtp_listeners[2], cfg->feedback_smtp, err,
	    errlen) != 0)
		goto fail;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	smtp_nloops = cfg->smtp_threads > 0 ? (unsigned)cfg->smtp_threads :
	    (unsigned)(ncpu > 0 ? ncpu : 1);
	smtp_loops = xcalloc(smtp_nloops, sizeof(*smtp_loops));
	for (i = 0; i < smtp_nloops; i++) {
		if (smtp_loop_init(&smtp_loops[i], err, errlen) != 0 ||
		    pthread_create(&smtp_loops[i].thread, NULL,
		    smtp_loop_main, &smtp_loops[i]) != 0) {
			if (err[0] == '\0')
				snprintf(err, errlen, "smtp: cannot start a "
				    "thread");
			smtp_loop_fini(&smtp_loops[i]);
			smtp_nloops = i;
			smtp_stop();
			return -1;
		}
	}
	return 0;
fail:
	smtp_stop();
	return -1;
}

void
smtp_stop(void)
{
	unsigned i;
	uint64_t one = 1;

	atomic_store(&smtp_stopping, 1);
	for (i = 0; i < smtp_nloops; i++)
		if (write(smtp_loops[i].wake, &one, sizeof(one)) < 0)
			log_debug("msg=\"cannot wake an smtp loop\"");
	for (i = 0; i < smtp_nloops; i++) {
		pthread_join(smtp_loops[i].thread, NULL);
		smtp_loop_fini(&smtp_loops[i]);
	}
	free(smtp_loops);
	smtp_loops = NULL;
	smtp_nloops = 0;
	for (i = 0; i < SMTP_NLISTENERS; i++) {
		if (smtp_listeners[i].fd >= 0)
			close(smtp_listeners[i].fd);
		smtp_listeners[i].fd = -1;
		snprintf(smtp_listeners[i].addr, SMTP_ADDR_MAX_BYTES, "off");
	}
	SSL_CTX_free(smtp_tls);
	smtp_tls = NULL;
}

void
smtp_bound(enum smtp_listener_kind which, char out[SMTP_ADDR_MAX_BYTES])
{
	snprintf(out, SMTP_ADDR_MAX_BYTES, "%s", smtp_listeners[which].addr);
}

void
smtp_metrics(FILE *out)
{
	size_t i;

	fprintf(out, "# HELP sesbox_smtp_sessions Open SMTP sessions.\n"
	    "# TYPE sesbox_smtp_sessions gauge\n"
	    "sesbox_smtp_sessions %d\n"
	    "# HELP sesbox_smtp_connections_refused_total Connections "
	    "closed at the connection cap.\n"
	    "# TYPE sesbox_smtp_connections_refused_total counter\n"
	    "sesbox_smtp_connections_refused_total %lu\n"
	    "# HELP sesbox_smtp_messages_total Messages submitted over SMTP, "
	    "by the reply to their end of data.\n"
	    "# TYPE sesbox_smtp_messages_total counter\n",
	    atomic_load(&smtp_open), atomic_load(&smtp_refused_total));
	for (i = 0; i < SMTP_NREPLY_CODES; i++)
		fprintf(out, "sesbox_smtp_messages_total{reply=\"%d\"} %lu\n",
		    smtp_reply_codes[i], atomic_load(&smtp_messages_total[i]));
}
