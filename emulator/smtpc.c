/*
 * smtpc — the SMTP client of the delivery worker (see smtpc.h).
 *
 * The socket is non-blocking; every wait is a poll(2) bounded by the
 * deadline of the step under way, so a silent server costs a worker
 * thread no more than its timeout. TLS runs through a socket BIO of our
 * own that sends with MSG_NOSIGNAL (OpenSSL's writes with write(2), which
 * raises SIGPIPE on a closed peer); each session makes its own SSL_CTX
 * and BIO method, so nothing is shared between threads.
 *
 * A failure that leaves the stream in an unknown state (I/O error,
 * timeout, garbled reply, 421, failed handshake) marks the session
 * broken: its account is kept in c->fail, and only smtpc_close is left.
 */
#include "smtpc.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "wire.h"
#include "xmem.h"

/*
 * EMU: RFC 5321 §4.5.3.1.5 caps a reply line at 512 bytes, which real
 * servers overrun (long EHLO keyword lists, verbose refusals); 4 KiB
 * is generous for those and still bounds what a hostile server costs.
 */
#define SMTPC_LINE_MAX_BYTES 4096	/* a reply line, CRLF included */
#define SMTPC_READ_BYTES (2 * SMTPC_LINE_MAX_BYTES)
#define SMTPC_REPLY_LINES_MAX 100	/* lines in one reply */
#define SMTPC_CHUNK_BYTES 16384		/* writes of the message */
#define SMTPC_PIPELINE_MAX 100		/* commands sent before reading */
#define SMTPC_QUIT_TIMEOUT_MS 1000L
#define SMTPC_WHERE_MAX_BYTES (INET6_ADDRSTRLEN + 16)
#define SMTPC_QUOTE_MAX_BYTES 80	/* a garbled line, as quoted */
/* EMU: SES's EHLO name is its outbound host (a8-70.smtp-out.amazonses.com,
 * SES-REFERENCE §4.2); the worker passes whatever it reports as such. */
#define SMTPC_HELO_DEFAULT "localhost"

struct smtpc {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	BIO_METHOD *bio;
	int eof;			/* the BIO read the end of stream */
	int broken;			/* only smtpc_close is left */
	long command_ms, data_ms;
	long wait_ms;			/* the deadline's length (texts) */
	const char *step;		/* static: what is under way */
	struct smtpc_reply fail;	/* why the session broke */
	struct buf ext;			/* EHLO's "KEYWORD params\n" lines */
	char peer[INET6_ADDRSTRLEN];
	char where[SMTPC_WHERE_MAX_BYTES];	/* "192.0.2.1:25" */
	char in[SMTPC_READ_BYTES];	/* received, from in_off on unread */
	size_t in_off, in_len;
};

/* ---- small helpers ---- */

static int64_t
smtpc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long
smtpc_ms(long given, long dflt)
{
	return given > 0 ? given : dflt;
}

/* The deadline ms from now, remembering ms for the texts. */
static int64_t
smtpc_deadline(struct smtpc *c, long ms)
{
	c->wait_ms = ms;
	return smtpc_now_ms() + ms;
}

static void
smtpc_vreplyf(struct smtpc_reply *r, enum smtpc_kind kind,
    const char *enhanced, const char *fmt, va_list ap)
{
	r->code = 0;
	r->kind = kind;
	snprintf(r->enhanced, sizeof(r->enhanced), "%s", enhanced);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
}

/* Fills r with smtpc's own account (code 0). */
static void
smtpc_replyf(struct smtpc_reply *r, enum smtpc_kind kind,
    const char *enhanced, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
smtpc_replyf(struct smtpc_reply *r, enum smtpc_kind kind,
    const char *enhanced, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smtpc_vreplyf(r, kind, enhanced, fmt, ap);
	va_end(ap);
}

/* The session breaks: "<where>: <what> during <step>" into c->fail.
 * Returns -1. */
static int
smtpc_broke(struct smtpc *c, enum smtpc_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
smtpc_broke(struct smtpc *c, enum smtpc_kind kind, const char *fmt, ...)
{
	char what[SMTPC_TEXT_MAX_BYTES];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	smtpc_replyf(&c->fail, kind, "", "%s: %s during %s", c->where, what,
	    c->step);
	c->broken = 1;
	return -1;
}

static const char *
smtpc_errno(int e, char *tmp, size_t n)
{
	return strerror_r(e, tmp, n);	/* GNU: tmp or a static string */
}

/* The reason of the first queued OpenSSL error (static); clears the
 * queue. */
static const char *
smtpc_ssl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_error());

	ERR_clear_error();
	return r != NULL ? r : "unknown TLS error";
}

static enum smtpc_kind
smtpc_kind_of(int code)
{
	if (code >= 500)
		return SMTPC_PERMANENT;
	if (code >= 400)
		return SMTPC_TEMPORARY;
	return SMTPC_OK;
}

/* Length of the UTF-8 sequence s[0..n) starts with, or 0 when it is not
 * a whole, valid one. */
static size_t
smtpc_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;

	if (s[0] < 0x80)
		return 1;
	len = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
	    (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (len == 0 || len > n ||
	    !wire_utf8_valid((const char *)s, len))
		return 0;
	return len;
}

/*
 * Appends s[0..n) to the text out (size outsz, NUL-terminated, *len its
 * length) as SES can quote it: control characters and bytes that are
 * not part of valid UTF-8 become '?', and a character that does not fit
 * whole is left out with all after it.
 */
static void
smtpc_text_add(char *out, size_t outsz, size_t *len, const char *s,
    size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		k = smtpc_utf8_len(p + i, n - i);
		if (*len + (k > 0 ? k : 1) >= outsz)
			break;
		if (k == 0 || (k == 1 && (p[i] < 0x20 || p[i] == 0x7f) &&
		    p[i] != '\t')) {
			out[(*len)++] = '?';
			i++;
			continue;
		}
		memcpy(out + *len, p + i, k);
		*len += k;
		i += k;
	}
	out[*len] = '\0';
}

/*
 * The RFC 3463 status at the start of s[0..n) ("5.1.1 user unknown")
 * into out, else "". Class digit 2, 4 or 5, then 1-3 digits twice.
 */
static void
smtpc_enhanced(const char *s, size_t n, char out[SMTPC_ENHANCED_MAX_BYTES])
{
	size_t i = 1, part, d;

	out[0] = '\0';
	if (n < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5'))
		return;
	for (part = 0; part < 2; part++) {
		if (i >= n || s[i] != '.')
			return;
		i++;
		for (d = 0; i < n && d < 4 && s[i] >= '0' && s[i] <= '9';
		    d++)
			i++;
		if (d == 0 || d > 3)
			return;
	}
	if (i < n && s[i] != ' ')
		return;
	memcpy(out, s, i);
	out[i] = '\0';
}

/* Non-zero when s holds a byte >= 0x80. */
static int
smtpc_8bit(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* ---- the socket BIO: recv/send without SIGPIPE ---- */

static int
smtpc_bio_read(BIO *b, char *p, int n)
{
	struct smtpc *c = BIO_get_data(b);
	ssize_t r;

	BIO_clear_retry_flags(b);
	r = recv(c->fd, p, (size_t)n, 0);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		BIO_set_retry_read(b);
	else if (r == 0)
		c->eof = 1;
	return (int)r;
}

static int
smtpc_bio_write(BIO *b, const char *p, int n)
{
	struct smtpc *c = BIO_get_data(b);
	ssize_t r;

	BIO_clear_retry_flags(b);
	r = send(c->fd, p, (size_t)n, MSG_NOSIGNAL);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		BIO_set_retry_write(b);
	return (int)r;
}

static long
smtpc_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct smtpc *c = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_EOF:
		return c->eof;
	default:
		return 0;
	}
}

/* ---- waiting, reading and writing ---- */

/* Waits until the socket is ready for ev or the deadline passes.
 * Returns 0, or -1 (broken). */
static int
smtpc_wait(struct smtpc *c, short ev, int64_t deadline)
{
	char tmp[128];
	struct pollfd p;
	int64_t left;
	int r;

	for (;;) {
		if ((left = deadline - smtpc_now_ms()) <= 0)
			return smtpc_broke(c, SMTPC_TIMEOUT,
			    "timeout after %ld ms", c->wait_ms);
		p.fd = c->fd;
		p.events = ev;
		p.revents = 0;
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 0;	/* errors show in the next I/O */
		if (r < 0 && errno != EINTR)
			return smtpc_broke(c, SMTPC_NETWORK, "poll: %s",
			    smtpc_errno(errno, tmp, sizeof(tmp)));
	}
}

/*
 * What an SSL call that returned rc wants: waits for it (0: call again),
 * or breaks the session (-1) with kind for a TLS-level error.
 */
static int
smtpc_ssl_wait(struct smtpc *c, int rc, int64_t deadline)
{
	char tmp[128];
	int e = errno;

	switch (SSL_get_error(c->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		return smtpc_wait(c, POLLIN, deadline);
	case SSL_ERROR_WANT_WRITE:
		return smtpc_wait(c, POLLOUT, deadline);
	case SSL_ERROR_ZERO_RETURN:
		return smtpc_broke(c, SMTPC_NETWORK, "connection closed");
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		if (c->eof || e == 0)
			return smtpc_broke(c, SMTPC_NETWORK,
			    "connection closed");
		return smtpc_broke(c, SMTPC_NETWORK, "%s",
		    smtpc_errno(e, tmp, sizeof(tmp)));
	default:
		return smtpc_broke(c, SMTPC_NETWORK, "TLS: %s",
		    smtpc_ssl_reason());
	}
}

/* Reads what comes into c->in. Returns 0 (bytes added) or -1. */
static int
smtpc_fill(struct smtpc *c, int64_t deadline)
{
	char tmp[128];
	size_t room;
	ssize_t r;
	int rc;

	if (c->in_off > 0) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	room = sizeof(c->in) - c->in_len;
	assert(room > 0);
	for (;;) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			errno = 0;
			if ((rc = SSL_read(c->ssl, c->in + c->in_len,
			    (int)room)) > 0) {
				c->in_len += (size_t)rc;
				return 0;
			}
			if (smtpc_ssl_wait(c, rc, deadline) != 0)
				return -1;
			continue;
		}
		r = recv(c->fd, c->in + c->in_len, room, 0);
		if (r > 0) {
			c->in_len += (size_t)r;
			return 0;
		}
		if (r == 0)
			return smtpc_broke(c, SMTPC_NETWORK,
			    "connection closed");
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return smtpc_broke(c, SMTPC_NETWORK, "%s",
			    smtpc_errno(errno, tmp, sizeof(tmp)));
		if (smtpc_wait(c, POLLIN, deadline) != 0)
			return -1;
	}
}

/*
 * Writes p[0..n), each write that makes progress given command_ms more.
 * Returns 0 or -1.
 */
static int
smtpc_write(struct smtpc *c, const char *p, size_t n)
{
	int64_t deadline = smtpc_deadline(c, c->command_ms);
	char tmp[128];
	ssize_t r;
	int rc;

	while (n > 0) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			errno = 0;
			rc = SSL_write(c->ssl, p, n > INT_MAX ? INT_MAX :
			    (int)n);
			if (rc <= 0) {
				if (smtpc_ssl_wait(c, rc, deadline) != 0)
					return -1;
				continue;
			}
			r = rc;
		} else if ((r = send(c->fd, p, n, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return smtpc_broke(c, SMTPC_NETWORK, "%s",
				    smtpc_errno(errno, tmp, sizeof(tmp)));
			if (smtpc_wait(c, POLLOUT, deadline) != 0)
				return -1;
			continue;
		}
		p += r;
		n -= (size_t)r;
		deadline = smtpc_deadline(c, c->command_ms);
	}
	return 0;
}

/* Writes line and CRLF as one write. */
static int
smtpc_command(struct smtpc *c, const char *step, const char *line)
{
	struct buf b;
	int rc;

	c->step = step;
	buf_init(&b);
	buf_puts(&b, line);
	buf_append(&b, "\r\n", 2);
	rc = smtpc_write(c, b.data, b.len);
	OPENSSL_cleanse(b.data, b.len);	/* AUTH lines carry secrets */
	buf_fini(&b);
	return rc;
}

/* The next line, without its CR LF, at *line (valid until the next read)
 * of *len bytes. Returns 0 or -1. */
static int
smtpc_line(struct smtpc *c, int64_t deadline, char **line, size_t *len)
{
	char *start, *nl;

	for (;;) {
		start = c->in + c->in_off;
		nl = memchr(start, '\n', c->in_len - c->in_off);
		if ((nl != NULL ? (size_t)(nl - start) + 1 : c->in_len -
		    c->in_off) > SMTPC_LINE_MAX_BYTES)
			return smtpc_broke(c, SMTPC_PROTOCOL, "reply line "
			    "longer than %d bytes", SMTPC_LINE_MAX_BYTES);
		if (nl != NULL) {
			*line = start;
			*len = (size_t)(nl - start);
			if (*len > 0 && start[*len - 1] == '\r')
				(*len)--;
			c->in_off = (size_t)(nl + 1 - c->in);
			return 0;
		}
		if (smtpc_fill(c, deadline) != 0)
			return -1;
	}
}

/* Breaks the session over line, quoted. */
static int
smtpc_garbled(struct smtpc *c, const char *why, const char *line,
    size_t n)
{
	char q[SMTPC_QUOTE_MAX_BYTES];
	size_t len = 0;

	smtpc_text_add(q, sizeof(q), &len, line, n);
	return smtpc_broke(c, SMTPC_PROTOCOL, "%s: \"%s\"", why, q);
}

/* A reply whose code is not the one due: the session breaks. */
static int
smtpc_unexpected(struct smtpc *c, struct smtpc_reply *r)
{
	smtpc_garbled(c, "unexpected reply", r->text, strlen(r->text));
	*r = c->fail;
	return -1;
}

/*
 * Reads one reply, for step, within ms, into *r. When lines is not NULL,
 * each line's text after the code goes there, '\n' after each. Returns 0,
 * or -1 when the session broke: then *r is the failure, or the 421 reply
 * after which the server closes (RFC 5321 §3.8).
 */
static int
smtpc_read(struct smtpc *c, const char *step, long ms,
    struct smtpc_reply *r, struct buf *lines)
{
	int64_t deadline = smtpc_deadline(c, ms);
	size_t nlines = 0, tlen = 0, len = 0;
	int code = 0;
	char *line = NULL;

	c->step = step;
	r->enhanced[0] = '\0';
	r->text[0] = '\0';
	for (;;) {
		if (smtpc_line(c, deadline, &line, &len) != 0)
			goto broken;
		if (len < 3 || line[0] < '2' || line[0] > '5' ||
		    line[1] < '0' || line[1] > '9' || line[2] < '0' ||
		    line[2] > '9' || (len > 3 && line[3] != ' ' &&
		    line[3] != '-')) {
			smtpc_garbled(c, "not an SMTP reply", line, len);
			goto broken;
		}
		if (++nlines > SMTPC_REPLY_LINES_MAX) {
			smtpc_broke(c, SMTPC_PROTOCOL, "reply of more than "
			    "%d lines", SMTPC_REPLY_LINES_MAX);
			goto broken;
		}
		/* EMU: a reply whose lines disagree takes the last
		 * line's code, as Postfix does; RFC 5321 §4.2.1 wants
		 * them all the same. */
		code = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
		    (line[2] - '0');
		/* EMU: the status is read whether or not the server
		 * offered ENHANCEDSTATUSCODES, as Postfix does; the
		 * first line's counts. */
		if (nlines == 1 && len > 4)
			smtpc_enhanced(line + 4, len - 4, r->enhanced);
		/* AWS: SES quotes a reply of several lines whole, each
		 * with its code and separator, joined by "\n": Gmail's
		 * "smtp; 550-5.1.1 The email account that you tried to
		 * reach does not exist. Please try\n550-5.1.1 double-
		 * checking ...\n550 5.1.1  https://support.google.com/
		 * mail/?p=NoSuchUser ... - gsmtp" in real Bounce
		 * notifications (us-east-1 2016, ap-south-1 2023). */
		if (nlines > 1 && tlen + 1 < sizeof(r->text)) {
			r->text[tlen++] = '\n';
			r->text[tlen] = '\0';
		}
		smtpc_text_add(r->text, sizeof(r->text), &tlen, line, len);
		if (lines != NULL) {
			if (len > 4)
				buf_append(lines, line + 4, len - 4);
			buf_putc(lines, '\n');
		}
		if (len == 3 || line[3] == ' ')
			break;
	}
	r->code = code;
	r->kind = smtpc_kind_of(code);
	if (r->enhanced[0] != '\0' && r->enhanced[0] != '0' + code / 100)
		r->enhanced[0] = '\0';	/* RFC 3463: classes must agree */
	if (code == 421) {
		c->fail = *r;
		c->broken = 1;
		return -1;
	}
	return 0;
broken:
	*r = c->fail;
	return -1;
}

/* Writes line (a command for step) and reads its reply into *r, as
 * smtpc_read does. Returns 0 or -1. */
static int
smtpc_ask(struct smtpc *c, const char *step, const char *line,
    struct smtpc_reply *r, struct buf *lines)
{
	if (smtpc_command(c, step, line) != 0) {
		*r = c->fail;
		return -1;
	}
	return smtpc_read(c, step, c->command_ms, r, lines);
}

/* ---- the session: connect, TLS, EHLO, AUTH ---- */

static void
smtpc_where(struct smtpc *c, const struct sockaddr *sa, socklen_t len,
    const char *port)
{
	if (getnameinfo(sa, len, c->peer, sizeof(c->peer), NULL, 0,
	    NI_NUMERICHOST) != 0)
		snprintf(c->peer, sizeof(c->peer), "?");
	if (sa->sa_family == AF_INET6)
		snprintf(c->where, sizeof(c->where), "[%s]:%s", c->peer, port);
	else
		snprintf(c->where, sizeof(c->where), "%s:%s", c->peer, port);
}

/* Connects c->fd to one address by deadline. Returns 0 or -1. */
static int
smtpc_connect_one(struct smtpc *c, const struct addrinfo *a,
    int64_t deadline)
{
	socklen_t elen = sizeof(int);
	char tmp[128];
	int one = 1, e = 0;

	c->fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, a->ai_protocol);
	if (c->fd < 0)
		return smtpc_broke(c, SMTPC_NETWORK, "socket: %s",
		    smtpc_errno(errno, tmp, sizeof(tmp)));
	if (connect(c->fd, a->ai_addr, a->ai_addrlen) != 0) {
		if (errno != EINPROGRESS)
			e = errno;
		else if (smtpc_wait(c, POLLOUT, deadline) != 0)
			return -1;
		else if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e,
		    &elen) != 0)
			e = errno;
		if (e != 0)
			return smtpc_broke(c, SMTPC_NETWORK, "%s",
			    smtpc_errno(e, tmp, sizeof(tmp)));
	}
	/* Commands go out whole; replies are awaited after each group. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}

/*
 * Connects to o's host and port: each address in turn, each given an
 * equal share of what is left of the connect timeout. Returns 0 or -1.
 */
static int
smtpc_connect(struct smtpc *c, const struct smtpc_opts *o)
{
	long ms = smtpc_ms(o->connect_timeout_ms, SMTPC_CONNECT_TIMEOUT_MS);
	int64_t end = smtpc_now_ms() + ms, left;
	struct addrinfo hints, *ai = NULL, *a;
	size_t n = 0;
	char tmp[128];
	int rc;

	c->step = "connect";
	snprintf(c->where, sizeof(c->where), "%s:%s", o->host, o->port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(o->host, o->port, &hints, &ai)) != 0)
		return smtpc_broke(c, SMTPC_NETWORK, "cannot resolve: %s",
		    rc == EAI_SYSTEM ? smtpc_errno(errno, tmp, sizeof(tmp)) :
		    gai_strerror(rc));
	for (a = ai; a != NULL; a = a->ai_next)
		n++;
	rc = -1;
	for (a = ai; a != NULL && rc != 0; a = a->ai_next, n--) {
		if (c->fd >= 0) {
			close(c->fd);
			c->fd = -1;
		}
		smtpc_where(c, a->ai_addr, a->ai_addrlen, o->port);
		if ((left = end - smtpc_now_ms()) <= 0) {
			c->wait_ms = ms;
			smtpc_broke(c, SMTPC_TIMEOUT, "timeout after %ld ms",
			    ms);
			break;
		}
		c->wait_ms = (long)(left / (int64_t)n);
		c->broken = 0;
		rc = smtpc_connect_one(c, a, smtpc_now_ms() + left /
		    (int64_t)n);
	}
	freeaddrinfo(ai);
	return rc;
}

/*
 * Starts TLS on the connected socket as o says, within command_ms.
 * Returns 0, or -1 (broken) with c->fail of kind SMTPC_TLS_FAILED.
 */
static int
smtpc_tls_start(struct smtpc *c, const struct smtpc_opts *o)
{
	const char *name = o->tls_name != NULL ? o->tls_name : o->host;
	unsigned char addr[sizeof(struct in6_addr)];
	int64_t deadline;
	long verify;
	BIO *bio;
	int ip, rc, ok = 1;

	c->step = "the TLS handshake";
	ip = inet_pton(AF_INET, name, addr) == 1 ||
	    inet_pton(AF_INET6, name, addr) == 1;
	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		abort();	/* only fails without memory */
	/* EMU: OpenSSL's default protocol floor (the system's policy,
	 * TLS 1.2 on Debian 12); SES itself still speaks TLS 1.0 and
	 * 1.1 to receivers that want them (DG:security). */
	SSL_CTX_set_mode(c->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_options(c->ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_session_cache_mode(c->ctx, SSL_SESS_CACHE_OFF);
	if (o->verify_peer) {
		SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
		ok = o->ca_file != NULL ?
		    SSL_CTX_load_verify_locations(c->ctx, o->ca_file,
		    NULL) : SSL_CTX_set_default_verify_paths(c->ctx);
		if (!ok) {
			smtpc_broke(c, SMTPC_TLS_FAILED, "cannot load "
			    "trust anchors from %s: %s", o->ca_file != NULL ?
			    o->ca_file : "the system store",
			    smtpc_ssl_reason());
			return -1;
		}
	}
	if ((c->bio = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	    "smtpc socket")) == NULL ||
	    !BIO_meth_set_read(c->bio, smtpc_bio_read) ||
	    !BIO_meth_set_write(c->bio, smtpc_bio_write) ||
	    !BIO_meth_set_ctrl(c->bio, smtpc_bio_ctrl) ||
	    (c->ssl = SSL_new(c->ctx)) == NULL ||
	    (bio = BIO_new(c->bio)) == NULL)
		abort();	/* only fail without memory */
	BIO_set_data(bio, c);
	BIO_set_init(bio, 1);
	SSL_set_bio(c->ssl, bio, bio);
	/* SNI carries names only (RFC 6066 §3). */
	if (!ip && SSL_set_tlsext_host_name(c->ssl, name) != 1)
		ok = 0;
	if (o->verify_peer)
		ok = ok && (ip ? X509_VERIFY_PARAM_set1_ip_asc(
		    SSL_get0_param(c->ssl), name) : SSL_set1_host(c->ssl,
		    name)) == 1;
	if (!ok) {
		smtpc_broke(c, SMTPC_TLS_FAILED, "bad TLS name \"%.64s\": %s",
		    name, smtpc_ssl_reason());
		return -1;
	}
	SSL_set_connect_state(c->ssl);
	deadline = smtpc_deadline(c, c->command_ms);
	for (;;) {
		ERR_clear_error();
		errno = 0;
		if ((rc = SSL_do_handshake(c->ssl)) == 1)
			break;
		if (o->verify_peer &&
		    SSL_get_error(c->ssl, rc) == SSL_ERROR_SSL &&
		    (verify = SSL_get_verify_result(c->ssl)) != X509_V_OK) {
			ERR_clear_error();
			smtpc_broke(c, SMTPC_TLS_FAILED, "certificate "
			    "verification failed: %s",
			    X509_verify_cert_error_string(verify));
			return -1;
		}
		if (smtpc_ssl_wait(c, rc, deadline) != 0) {
			c->fail.kind = SMTPC_TLS_FAILED;
			return -1;
		}
	}
	ERR_clear_error();
	return 0;
}

/* The EHLO keyword line for ext ("KEYWORD params" or "KEYWORD=params"),
 * NULL when not offered. */
static const char *
smtpc_ext(const struct smtpc *c, const char *ext)
{
	size_t n = strlen(ext);
	const char *p = c->ext.data;

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, ext, n) == 0 && (p[n] == ' ' ||
		    p[n] == '=' || p[n] == '\n'))
			return p;
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return NULL;
}

/* Non-zero when an AUTH line offers mechanism mech. */
static int
smtpc_auth_offers(const struct smtpc *c, const char *mech)
{
	size_t n = strlen(mech);
	const char *p = c->ext.data, *params, *e;

	/* Every AUTH line counts: some servers add "AUTH=LOGIN" for
	 * old clients besides "AUTH PLAIN LOGIN". */
	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, "AUTH", 4) == 0 && (p[4] == ' ' ||
		    p[4] == '=')) {
			params = p + 5;
			e = strchr(params, '\n');
			while (params < e) {
				if ((size_t)(e - params) >= n &&
				    strncasecmp(params, mech, n) == 0 &&
				    (params[n] == ' ' || params + n == e))
					return 1;
				params += strcspn(params, " \n");
				params += *params == ' ';
			}
		}
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return 0;
}

/*
 * Greets with EHLO (the extensions kept), or HELO when EHLO gets a 5xx
 * (none kept). Returns 0; 1 refused (*r the server's reply); -1 broken.
 */
static int
smtpc_ehlo(struct smtpc *c, const char *helo, struct smtpc_reply *r)
{
	struct buf lines;
	char *cmd;
	const char *nl;
	int rc;

	buf_fini(&c->ext);
	buf_init(&c->ext);
	buf_init(&lines);
	cmd = xasprintf("EHLO %s", helo);
	rc = smtpc_ask(c, "EHLO", cmd, r, &lines);
	free(cmd);
	if (rc == 0 && r->kind == SMTPC_OK && r->code / 100 == 2) {
		/* The first line is the server's greeting. */
		if (lines.data != NULL && (nl = strchr(lines.data, '\n')) !=
		    NULL)
			buf_puts(&c->ext, nl + 1);
		buf_fini(&lines);
		return 0;
	}
	buf_fini(&lines);
	if (rc != 0)
		return -1;
	if (r->kind != SMTPC_PERMANENT)
		return r->kind == SMTPC_TEMPORARY ? 1 : smtpc_unexpected(c, r);
	cmd = xasprintf("HELO %s", helo);
	rc = smtpc_ask(c, "HELO", cmd, r, NULL);
	free(cmd);
	if (rc != 0)
		return -1;
	if (r->kind == SMTPC_OK)
		return r->code / 100 == 2 ? 0 : smtpc_unexpected(c, r);
	return 1;
}

/*
 * STARTTLS and the handshake, then EHLO again. Returns 0; 1 not done
 * (*r says why: not offered, or refused); -1 broken (a failed handshake
 * with kind SMTPC_TLS_FAILED).
 */
static int
smtpc_starttls(struct smtpc *c, const struct smtpc_opts *o,
    const char *helo, struct smtpc_reply *r)
{
	if (smtpc_ext(c, "STARTTLS") == NULL) {
		smtpc_replyf(r, SMTPC_TLS_FAILED, "", "%s: STARTTLS not "
		    "offered", c->where);
		return 1;
	}
	if (smtpc_ask(c, "STARTTLS", "STARTTLS", r, NULL) != 0)
		return -1;
	if (r->kind != SMTPC_OK)
		return 1;
	if (r->code != 220)
		return smtpc_unexpected(c, r);
	/* RFC 3207 §6: nothing from before the handshake may count
	 * after it; bytes already here are an injection attempt. */
	if (c->in_off < c->in_len) {
		smtpc_garbled(c, "data after STARTTLS's reply", c->in +
		    c->in_off, c->in_len - c->in_off);
		c->fail.kind = SMTPC_TLS_FAILED;
		*r = c->fail;
		return -1;
	}
	if (smtpc_tls_start(c, o) != 0) {
		*r = c->fail;
		return -1;
	}
	switch (smtpc_ehlo(c, helo, r)) {
	case 0:
		return 0;
	case 1:
		return 2;	/* refused after TLS: a plain failure */
	default:
		return -1;
	}
}

/* Sends an AUTH response line (base64 of p[0..n)) and reads the reply. */
static int
smtpc_auth_step(struct smtpc *c, const char *prefix, const void *p,
    size_t n, struct smtpc_reply *r)
{
	struct buf b;
	int rc;

	buf_init(&b);
	buf_puts(&b, prefix);
	buf_base64(&b, p, n);
	rc = smtpc_ask(c, "AUTH", b.data, r, NULL);
	OPENSSL_cleanse(b.data, b.len);
	buf_fini(&b);
	return rc;
}

/*
 * AUTH PLAIN when offered, else LOGIN. Returns 0; 1 refused (*r, kind
 * SMTPC_AUTH_FAILED with the server's code, or code 0 when no mechanism
 * fits); -1 broken.
 */
static int
smtpc_auth(struct smtpc *c, const struct smtpc_opts *o,
    struct smtpc_reply *r)
{
	const char *pass = o->password != NULL ? o->password : "";
	size_t ulen = strlen(o->user), plen = strlen(pass);
	char *plain;
	int rc;

	if (smtpc_auth_offers(c, "PLAIN")) {
		/* RFC 4616: authzid (empty) NUL authcid NUL password. */
		plain = xmalloc(ulen + plen + 2);
		plain[0] = '\0';
		memcpy(plain + 1, o->user, ulen);
		plain[ulen + 1] = '\0';
		memcpy(plain + ulen + 2, pass, plen);
		rc = smtpc_auth_step(c, "AUTH PLAIN ", plain, ulen + plen + 2,
		    r);
		/* A server that wants the response on a line of its own. */
		if (rc == 0 && r->code == 334)
			rc = smtpc_auth_step(c, "", plain, ulen + plen + 2, r);
		OPENSSL_cleanse(plain, ulen + plen + 2);
		free(plain);
	} else if (smtpc_auth_offers(c, "LOGIN")) {
		rc = smtpc_ask(c, "AUTH", "AUTH LOGIN", r, NULL);
		if (rc == 0 && r->code == 334)
			rc = smtpc_auth_step(c, "", o->user, ulen, r);
		if (rc == 0 && r->code == 334)
			rc = smtpc_auth_step(c, "", pass, plen, r);
	} else {
		smtpc_replyf(r, SMTPC_AUTH_FAILED, "", "%s: no AUTH PLAIN or "
		    "LOGIN offered", c->where);
		return 1;
	}
	if (rc != 0)
		return -1;
	if (r->code == 235)
		return 0;
	if (r->code == 334)
		c->broken = 1;	/* still in the exchange: no QUIT */
	r->kind = SMTPC_AUTH_FAILED;
	return 1;
}

/*
 * One attempt at a session on c with TLS mode tls. Returns 0, or -1 with
 * *r saying why.
 */
static int
smtpc_session(struct smtpc *c, const struct smtpc_opts *o,
    enum smtpc_tls tls, struct smtpc_reply *r)
{
	const char *helo = o->helo != NULL ? o->helo : SMTPC_HELO_DEFAULT;
	int rc;

	if (smtpc_connect(c, o) != 0 || (tls == SMTPC_TLS_IMPLICIT &&
	    smtpc_tls_start(c, o) != 0)) {
		*r = c->fail;
		return -1;
	}
	if (smtpc_read(c, "the banner", c->command_ms, r, NULL) != 0)
		return -1;
	if (r->kind != SMTPC_OK)
		return -1;
	if (r->code != 220)
		return smtpc_unexpected(c, r);
	if (smtpc_ehlo(c, helo, r) != 0)
		return -1;
	if (tls == SMTPC_TLS_OPPORTUNISTIC || tls == SMTPC_TLS_REQUIRED) {
		rc = smtpc_starttls(c, o, helo, r);
		if (rc < 0 || rc == 2 || (rc == 1 &&
		    tls == SMTPC_TLS_REQUIRED)) {
			if (rc == 1)
				r->kind = SMTPC_TLS_FAILED;
			return -1;
		}
	}
	if (o->user != NULL && smtpc_auth(c, o, r) != 0)
		return -1;
	return 0;
}

static struct smtpc *
smtpc_new(const struct smtpc_opts *o)
{
	struct smtpc *c = xcalloc(1, sizeof(*c));

	c->fd = -1;
	c->command_ms = smtpc_ms(o->command_timeout_ms,
	    SMTPC_COMMAND_TIMEOUT_MS);
	c->data_ms = smtpc_ms(o->data_timeout_ms, SMTPC_DATA_TIMEOUT_MS);
	c->step = "connect";
	buf_init(&c->ext);
	return c;
}

struct smtpc *
smtpc_open(const struct smtpc_opts *o, struct smtpc_reply *why)
{
	enum smtpc_tls tls = o->tls;
	struct smtpc_reply r;
	struct smtpc *c;

	assert(o->host != NULL && o->port != NULL);
	for (;;) {
		c = smtpc_new(o);
		if (smtpc_session(c, o, tls, &r) == 0) {
			ERR_clear_error();
			return c;
		}
		smtpc_close(c);
		/* AWS: SES's TLS is opportunistic unless a configuration
		 * set's TlsPolicy is Require: "If Amazon SES can't
		 * establish a secure connection, it sends the message
		 * unencrypted" (DG:security). A failed handshake leaves
		 * the stream unusable, so that is a new connection. */
		if (tls == SMTPC_TLS_OPPORTUNISTIC &&
		    r.kind == SMTPC_TLS_FAILED) {
			tls = SMTPC_TLS_NONE;
			continue;
		}
		if (why != NULL)
			*why = r;
		ERR_clear_error();
		return NULL;
	}
}

const char *
smtpc_peer_ip(const struct smtpc *c)
{
	return c->peer;
}

int
smtpc_has(const struct smtpc *c, const char *ext)
{
	return smtpc_ext(c, ext) != NULL;
}

int
smtpc_tls_active(const struct smtpc *c)
{
	return c->ssl != NULL;
}

/* ---- transactions ---- */

/* Non-zero when s may go into a command: no CR or LF. */
static int
smtpc_address_ok(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

/* RSET after a transaction that did not reach its end. 0 or -1. */
static int
smtpc_reset(struct smtpc *c)
{
	struct smtpc_reply r;

	if (smtpc_ask(c, "RSET", "RSET", &r, NULL) != 0)
		return -1;
	if (r.kind != SMTPC_OK || r.code / 100 != 2) {
		c->fail = r;
		c->broken = 1;
		return -1;
	}
	return 0;
}

/*
 * Writes msg as DATA's content: CRLF line ends, dot-stuffed, ending with
 * CRLF "." CRLF. Returns 0 or -1.
 */
static int
smtpc_body(struct smtpc *c, const char *msg, size_t len)
{
	char out[SMTPC_CHUNK_BYTES];
	size_t i, k = 0;
	int bol = 1;

	c->step = "the message";
	for (i = 0; i < len; i++) {
		if (k + 3 > sizeof(out)) {
			if (smtpc_write(c, out, k) != 0)
				return -1;
			k = 0;
		}
		if (bol && msg[i] == '.')
			out[k++] = '.';		/* RFC 5321 §4.5.2 */
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			out[k++] = '\r';
		out[k++] = msg[i];
		bol = msg[i] == '\n';
	}
	if (k + 5 > sizeof(out)) {
		if (smtpc_write(c, out, k) != 0)
			return -1;
		k = 0;
	}
	if (!bol) {
		out[k++] = '\r';
		out[k++] = '\n';
	}
	memcpy(out + k, ".\r\n", 3);
	return smtpc_write(c, out, k + 3);
}

/*
 * The MAIL command for mail_from and msg (new string): SIZE as the
 * message goes out before stuffing (RFC 1870 §3), BODY and SMTPUTF8 when
 * due and offered.
 */
static char *
smtpc_mail_cmd(const struct smtpc *c, const char *mail_from,
    const char *const *rcpts, size_t n, const char *msg, size_t len)
{
	size_t i, size = len;
	int utf8 = smtpc_8bit(mail_from, strlen(mail_from));
	struct buf b;

	for (i = 0; i < len; i++)
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			size++;
	if (len > 0 && msg[len - 1] != '\n')
		size += 2;
	for (i = 0; i < n && !utf8; i++)
		utf8 = smtpc_8bit(rcpts[i], strlen(rcpts[i]));
	buf_init(&b);
	buf_printf(&b, "MAIL FROM:<%s>", mail_from);
	if (smtpc_has(c, "SIZE"))
		buf_printf(&b, " SIZE=%zu", size);
	/* EMU: 8-bit content goes as it is when the server does not offer
	 * 8BITMIME (no conversion to quoted-printable), and so do UTF-8
	 * addresses without SMTPUTF8: the server has the last word. */
	if (smtpc_has(c, "8BITMIME") && smtpc_8bit(msg, len))
		buf_puts(&b, " BODY=8BITMIME");
	if (utf8 && smtpc_has(c, "SMTPUTF8"))
		buf_puts(&b, " SMTPUTF8");
	return buf_steal(&b, NULL);
}

int
smtpc_send(struct smtpc *c, const char *mail_from,
    const char *const *rcpts, size_t n, const char *msg, size_t len,
    struct smtpc_reply *rcpt, struct smtpc_reply *data)
{
	/* final[i]: rcpt[i] is recipient i's final word; ok[i]: its RCPT
	 * was accepted. */
	char *final = xcalloc(n, 1), *ok = xcalloc(n, 1), *cmd;
	size_t i, next = 0, sent, want, nok = 0, nbad = 0;
	struct smtpc_reply r, mail, last = { 0 };
	int window, rc = -1, mail_done = 0;
	struct buf group;

	assert(n > 0);
	buf_init(&group);
	if (c->broken)
		goto broken;
	if (!smtpc_address_ok(mail_from)) {
		smtpc_replyf(&mail, SMTPC_PERMANENT, "5.1.7", "smtpc: sender "
		    "address with CR or LF");
		for (i = 0; i < n; i++)
			rcpt[i] = mail;
		*data = mail;
		rc = 0;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!smtpc_address_ok(rcpts[i])) {
			smtpc_replyf(&rcpt[i], SMTPC_PERMANENT, "5.1.3",
			    "smtpc: recipient address with CR or LF");
			last = rcpt[i];
			final[i] = 1;
			nbad++;
		}
	if (nbad == n) {
		*data = last;
		rc = 0;
		goto out;
	}

	/*
	 * MAIL, then the recipients' RCPTs: in groups of up to
	 * SMTPC_PIPELINE_MAX written at once, their replies read in order,
	 * when PIPELINING is offered (RFC 2920), else one at a time. DATA
	 * waits for them all, so no message goes to no one.
	 */
	window = smtpc_has(c, "PIPELINING") ? SMTPC_PIPELINE_MAX : 1;
	mail.kind = SMTPC_OK;
	while (!mail_done || next < n) {
		buf_fini(&group);
		buf_init(&group);
		sent = 0;
		if (!mail_done) {
			cmd = smtpc_mail_cmd(c, mail_from, rcpts, n, msg, len);
			buf_puts(&group, cmd);
			buf_append(&group, "\r\n", 2);
			free(cmd);
			sent++;
		}
		for (i = next; i < n && sent < (size_t)window; i++) {
			if (final[i])
				continue;
			buf_printf(&group, "RCPT TO:<%s>\r\n", rcpts[i]);
			sent++;
		}
		want = i;
		c->step = mail_done ? "RCPT TO" : "MAIL FROM";
		if (smtpc_write(c, group.data, group.len) != 0)
			goto broken;
		if (!mail_done) {
			if (smtpc_read(c, "MAIL FROM", c->command_ms, &mail,
			    NULL) != 0)
				goto broken;
			if (mail.kind == SMTPC_OK && mail.code / 100 != 2) {
				smtpc_unexpected(c, &mail);
				goto broken;
			}
			mail_done = 1;
		}
		for (; next < want; next++) {
			if (final[next])
				continue;
			if (smtpc_read(c, "RCPT TO", c->command_ms, &r,
			    NULL) != 0)
				goto broken;
			if (mail.kind != SMTPC_OK)
				continue;	/* 503s after a refused MAIL */
			if (r.kind == SMTPC_OK && r.code / 100 != 2) {
				smtpc_unexpected(c, &r);
				goto broken;
			}
			if (r.kind == SMTPC_OK) {
				ok[next] = 1;
				nok++;
				continue;
			}
			rcpt[next] = r;
			final[next] = 1;
			last = r;
		}
		if (mail.kind != SMTPC_OK)
			break;
	}
	if (mail.kind != SMTPC_OK || nok == 0) {
		/* Refused MAIL: its reply is every recipient's word. */
		for (i = 0; i < n; i++)
			if (!final[i]) {
				rcpt[i] = mail;
				final[i] = 1;
			}
		*data = mail.kind != SMTPC_OK ? mail : last;
		rc = smtpc_reset(c) == 0 ? 0 : -1;
		goto out;
	}

	if (smtpc_ask(c, "DATA", "DATA", &r, NULL) != 0)
		goto broken;
	if (r.kind != SMTPC_OK) {
		for (i = 0; i < n; i++)
			if (ok[i]) {
				rcpt[i] = r;
				final[i] = 1;
			}
		*data = r;
		rc = smtpc_reset(c) == 0 ? 0 : -1;
		goto out;
	}
	if (r.code != 354) {
		smtpc_unexpected(c, &r);
		goto broken;
	}
	if (smtpc_body(c, msg, len) != 0 ||
	    smtpc_read(c, "the end of data", c->data_ms, &r, NULL) != 0)
		goto broken;
	if (r.kind == SMTPC_OK && r.code / 100 != 2) {
		smtpc_unexpected(c, &r);
		goto broken;
	}
	for (i = 0; i < n; i++)
		if (ok[i]) {
			rcpt[i] = r;
			final[i] = 1;
		}
	*data = r;
	rc = r.kind == SMTPC_OK ? (int)nok : 0;
	goto out;
broken:
	for (i = 0; i < n; i++)
		if (!final[i])
			rcpt[i] = c->fail;
	*data = c->fail;
	rc = -1;
out:
	buf_fini(&group);
	free(final);
	free(ok);
	ERR_clear_error();
	return rc;
}

int
smtpc_rset(struct smtpc *c)
{
	int rc = c->broken ? -1 : smtpc_reset(c);

	ERR_clear_error();
	return rc;
}

void
smtpc_close(struct smtpc *c)
{
	struct smtpc_reply r;

	if (c == NULL)
		return;
	if (!c->broken && c->fd >= 0) {
		/* RFC 5321 §4.1.1.10; the reply hardly matters. */
		if (c->command_ms > SMTPC_QUIT_TIMEOUT_MS)
			c->command_ms = SMTPC_QUIT_TIMEOUT_MS;
		(void)smtpc_ask(c, "QUIT", "QUIT", &r, NULL);
	}
	if (c->ssl != NULL) {
		/* One close_notify, without waiting for the answer. */
		if (!c->broken && SSL_is_init_finished(c->ssl))
			(void)SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	SSL_CTX_free(c->ctx);
	BIO_meth_free(c->bio);
	if (c->fd >= 0)
		close(c->fd);
	buf_fini(&c->ext);
	ERR_clear_error();
	free(c);
}
