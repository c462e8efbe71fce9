/*
 * test_smtpc — Check suite for emulator/smtpc.c, against a scripted fake
 * SMTP server: a thread on a loopback port that plays a list of steps
 * (expected client lines, canned replies, DATA, TLS, closes, silences),
 * records the messages it receives and notes the first departure from
 * the script, which the test then asserts did not happen.
 *
 * The server thread blocks SIGPIPE for itself only: the client runs on
 * the test's own thread with SIGPIPE at its default, so a client write
 * that raised it would kill the test.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "smtpc.h"
#include "tls.h"
#include "xmem.h"

#define FAKE_IO_TIMEOUT_S 5
#define FAKE_DATA_MAX 4
#define FAKE_IN_BYTES 65536
#define TIMEOUT_MS 200L		/* the deadline of the timeout tests */
#define SLACK_MS 800		/* how late a timeout may still fire */
#define BIG_BODY_BYTES (4 * 1024 * 1024)

/*
 * A scripted server. Steps: "C:line" the client sends line exactly;
 * "C~prefix" a line starting with prefix; "S:text" the server sends text
 * and CRLF (text may hold CRLF, for replies of several lines); "D" the
 * message up to CRLF "." CRLF, recorded; "T" a TLS handshake that must
 * succeed; "t" one that may fail, then the connection closes; "A" close
 * and accept the next connection; "X" close now; "H" read and ignore
 * until the client closes.
 */
struct fake {
	const char *const *script;
	SSL_CTX *tls;
	int lfd, fd;
	SSL *ssl;
	char port[16];
	char in[FAKE_IN_BYTES];
	size_t in_len;
	pthread_t thread;
	char err[1024];
	struct buf data[FAKE_DATA_MAX];
	int ndata;
	int conns;
	char sni[256];
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Notes the first departure from the script. */
static void
fake_fail(struct fake *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fake_fail(struct fake *f, const char *fmt, ...)
{
	va_list ap;

	if (f->err[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(f->err, sizeof(f->err), fmt, ap);
	va_end(ap);
}

static void
fake_close(struct fake *f)
{
	if (f->ssl != NULL) {
		SSL_free(f->ssl);
		f->ssl = NULL;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	f->in_len = 0;
}

static void
fake_accept(struct fake *f)
{
	struct timeval tv = { FAKE_IO_TIMEOUT_S, 0 };

	fake_close(f);
	if ((f->fd = accept(f->lfd, NULL, NULL)) < 0) {
		fake_fail(f, "accept: %s", strerror(errno));
		return;
	}
	setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(f->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	f->conns++;
}

/* More bytes into f->in: > 0, 0 at the end of stream, -1 on error. */
static int
fake_fill(struct fake *f)
{
	size_t room = sizeof(f->in) - f->in_len;
	ssize_t r;

	if (room == 0)
		return -1;
	if (f->ssl != NULL) {
		r = SSL_read(f->ssl, f->in + f->in_len, (int)room);
		if (r <= 0) {
			ERR_clear_error();
			return SSL_get_error(f->ssl, (int)r) ==
			    SSL_ERROR_ZERO_RETURN ? 0 : -1;
		}
	} else if ((r = recv(f->fd, f->in + f->in_len, room, 0)) < 0)
		return -1;
	f->in_len += (size_t)r;
	return r > 0;
}

static void
fake_take(struct fake *f, size_t n)
{
	memmove(f->in, f->in + n, f->in_len - n);
	f->in_len -= n;
}

/* The next CRLF-ended line into line; 0, or -1 (error noted). */
static int
fake_line(struct fake *f, char *line, size_t n, const char *want)
{
	char *nl;
	size_t len;

	while ((nl = memchr(f->in, '\n', f->in_len)) == NULL)
		if (fake_fill(f) <= 0) {
			fake_fail(f, "connection ended while expecting %s",
			    want);
			return -1;
		}
	len = (size_t)(nl - f->in);
	if (len == 0 || nl[-1] != '\r') {
		fake_fail(f, "bare LF from the client before %s", want);
		return -1;
	}
	if (len - 1 >= n) {
		fake_fail(f, "line too long for %s", want);
		return -1;
	}
	memcpy(line, f->in, len - 1);
	line[len - 1] = '\0';
	fake_take(f, len + 1);
	return 0;
}

static void
fake_send(struct fake *f, const char *text)
{
	char *s = xasprintf("%s\r\n", text);
	size_t n = strlen(s), off = 0;
	ssize_t r;

	while (off < n) {
		r = f->ssl != NULL ? SSL_write(f->ssl, s + off,
		    (int)(n - off)) : send(f->fd, s + off, n - off,
		    MSG_NOSIGNAL);
		if (r <= 0) {
			fake_fail(f, "cannot send \"%s\"", text);
			break;
		}
		off += (size_t)r;
	}
	free(s);
}

/* The message and its terminator, recorded as received. */
static void
fake_data(struct fake *f)
{
	const char *end;
	size_t n;

	if (f->ndata == FAKE_DATA_MAX) {
		fake_fail(f, "%s", "too many messages");
		return;
	}
	for (;;) {
		if (f->in_len >= 3 && memcmp(f->in, ".\r\n", 3) == 0) {
			n = 3;
			break;
		}
		end = memmem(f->in, f->in_len, "\r\n.\r\n", 5);
		if (end != NULL) {
			n = (size_t)(end - f->in) + 5;
			break;
		}
		if (fake_fill(f) <= 0) {
			fake_fail(f, "%s", "connection ended in DATA");
			return;
		}
	}
	buf_append(&f->data[f->ndata++], f->in, n);
	fake_take(f, n);
}

static int
fake_sni(SSL *s, int *al, void *arg)
{
	struct fake *f = arg;
	const char *name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);

	(void)al;
	snprintf(f->sni, sizeof(f->sni), "%s", name != NULL ? name : "");
	return SSL_TLSEXT_ERR_OK;
}

static void
fake_tls(struct fake *f, int must)
{
	if (f->in_len != 0) {
		fake_fail(f, "%s", "plain text pipelined into TLS");
		return;
	}
	f->ssl = SSL_new(f->tls);
	SSL_set_fd(f->ssl, f->fd);
	if (SSL_accept(f->ssl) != 1) {
		ERR_clear_error();
		if (must)
			fake_fail(f, "%s", "TLS handshake failed");
		fake_close(f);
	}
}

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	const char *const *s;
	char line[8192];
	sigset_t pipe;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	fake_accept(f);
	for (s = f->script; *s != NULL && f->err[0] == '\0'; s++) {
		switch ((*s)[0]) {
		case 'C':
			if (fake_line(f, line, sizeof(line), *s) != 0)
				break;
			if ((*s)[1] == ':' ? strcmp(line, *s + 2) != 0 :
			    strncmp(line, *s + 2, strlen(*s + 2)) != 0) {
				fake_fail(f, "got \"%.400s\" where the script "
				    "says \"%.400s\"", line, *s);
			}
			break;
		case 'S':
			fake_send(f, *s + 2);
			break;
		case 'D':
			fake_data(f);
			break;
		case 'T':
		case 't':
			fake_tls(f, (*s)[0] == 'T');
			break;
		case 'A':
			fake_accept(f);
			break;
		case 'X':
			fake_close(f);
			break;
		case 'H':
			while (fake_fill(f) > 0)
				f->in_len = 0;
			break;
		default:
			fake_fail(f, "bad step %s", *s);
		}
	}
	fake_close(f);
	return NULL;
}

/* Starts a server for script on the loopback address of family. */
static void
fake_start(struct fake *f, const char *const *script, SSL_CTX *tls,
    int family)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	struct timeval tv = { FAKE_IO_TIMEOUT_S, 0 };
	socklen_t len = sizeof(ss);
	int i;

	memset(f, 0, sizeof(*f));
	f->script = script;
	f->tls = tls;
	f->fd = -1;
	for (i = 0; i < FAKE_DATA_MAX; i++)
		buf_init(&f->data[i]);
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
	} else {
		in4->sin_family = AF_INET;
		in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	f->lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(f->lfd, 0);
	ck_assert_int_eq(bind(f->lfd, (struct sockaddr *)&ss, family ==
	    AF_INET6 ? sizeof(*in6) : sizeof(*in4)), 0);
	ck_assert_int_eq(listen(f->lfd, 8), 0);
	setsockopt(f->lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ck_assert_int_eq(getsockname(f->lfd, (struct sockaddr *)&ss, &len), 0);
	snprintf(f->port, sizeof(f->port), "%u", ntohs(family == AF_INET6 ?
	    in6->sin6_port : in4->sin_port));
	if (tls != NULL) {
		SSL_CTX_set_tlsext_servername_callback(tls, fake_sni);
		SSL_CTX_set_tlsext_servername_arg(tls, f);
	}
	ck_assert_int_eq(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

/* Waits for the script's end; asserts it was played as written. */
static void
fake_end(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->lfd);
	ck_assert_msg(f->err[0] == '\0', "server: %s", f->err);
}

/* Frees what f recorded. */
static void
fake_free(struct fake *f)
{
	int i;

	for (i = 0; i < FAKE_DATA_MAX; i++)
		buf_fini(&f->data[i]);
}

static void
fake_data_is(const struct fake *f, int i, const char *want, size_t n)
{
	ck_assert_int_gt(f->ndata, i);
	ck_assert_uint_eq(f->data[i].len, n);
	ck_assert_mem_eq(f->data[i].data, want, n);
}

/* Options for f's server: plain, short deadlines. */
static struct smtpc_opts
opts_for(const struct fake *f)
{
	struct smtpc_opts o;

	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = f->port;
	o.helo = "client.test";
	o.connect_timeout_ms = 2000;
	o.command_timeout_ms = 2000;
	o.data_timeout_ms = 2000;
	return o;
}

static struct smtpc *
open_ok(const struct smtpc_opts *o)
{
	struct smtpc_reply why;
	struct smtpc *c;

	memset(&why, 0, sizeof(why));
	c = smtpc_open(o, &why);
	ck_assert_msg(c != NULL, "open: %d %s", why.kind, why.text);
	return c;
}

static void
reply_is(const struct smtpc_reply *r, enum smtpc_kind kind, int code,
    const char *enhanced, const char *text)
{
	ck_assert_msg(r->kind == kind, "kind %d, want %d (%s)", r->kind, kind,
	    r->text);
	ck_assert_int_eq(r->code, code);
	ck_assert_str_eq(r->enhanced, enhanced);
	if (text != NULL)
		ck_assert_str_eq(r->text, text);
}

/* A temporary directory with the generated server pair; ctx for it and
 * the certificate as a CA file. */
struct tlsfix {
	char *dir;
	SSL_CTX *ctx;
	char ca[512];
};

static void
tlsfix_init(struct tlsfix *t)
{
	const char *tmp = getenv("TMPDIR");
	char err[256] = "";

	t->dir = xasprintf("%s/test_smtpc.XXXXXX", tmp != NULL ? tmp :
	    "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	t->ctx = tls_server_ctx(NULL, NULL, t->dir, NULL, NULL, t->ca,
	    sizeof(t->ca), err, sizeof(err));
	ck_assert_msg(t->ctx != NULL, "%s", err);
}

static void
tlsfix_fini(struct tlsfix *t)
{
	DIR *d = opendir(t->dir);
	struct dirent *e;
	char *p;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", t->dir, e->d_name);
		unlink(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(t->dir);
	free(t->dir);
	SSL_CTX_free(t->ctx);
}

#define BANNER "S:220 mx.test ESMTP ready"
#define EHLO "C:EHLO client.test"
#define QUIT "C:QUIT", "S:221 2.0.0 Bye"

/* ---- plain sessions ---- */

START_TEST(t_pipelining)
{
	static const char msg[] = "Subject: t\r\n\r\nhello\r\n";
	const char *rcpts[] = { "a@y.test", "b@y.test", "c@y.test" };
	struct smtpc_reply rr[3], data;
	char mail[128];
	const char *script[] = {
		"S:220-mx.test ESMTP\r\n220 ready", EHLO,
		"S:250-mx.test greets client.test\r\n250-PIPELINING\r\n"
		    "250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n"
		    "250 8BITMIME",
		mail, "C:RCPT TO:<a@y.test>", "C:RCPT TO:<b@y.test>",
		"C:RCPT TO:<c@y.test>",
		/* Only after all four: a client that waited for MAIL's
		 * reply before its RCPTs would time out here. */
		"S:250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n450 4.2.1 Try later\r\n"
		    "550 5.1.1 user unknown",
		"C:DATA", "S:354 End data with <CR><LF>.<CR><LF>", "D",
		"S:250 2.0.0 OK 1693000416 l9-20020a.664 - gsmtp",
		QUIT, NULL
	};
	struct smtpc_opts o;
	struct smtpc *c;
	struct fake f;

	snprintf(mail, sizeof(mail), "C:MAIL FROM:<from@x.test> SIZE=%zu",
	    sizeof(msg) - 1);
	fake_start(&f, script, NULL, AF_INET);
	o = opts_for(&f);
	c = open_ok(&o);
	ck_assert_str_eq(smtpc_peer_ip(c), "127.0.0.1");
	ck_assert(smtpc_has(c, "PIPELINING"));
	ck_assert(smtpc_has(c, "size"));
	ck_assert(smtpc_has(c, "8BITMIME"));
	ck_assert(!smtpc_has(c, "STARTTLS"));
	ck_assert(!smtpc_has(c, "PIPE"));
	ck_assert(!smtpc_tls_active(c));
	ck_assert_int_eq(smtpc_send(c, "from@x.test", rcpts, 3, msg,
	    sizeof(msg) - 1, rr, &data), 1);
	reply_is(&rr[0], SMTPC_OK, 250, "2.0.0",
	    "250 2.0.0 OK 1693000416 l9-20020a.664 - gsmtp");
	reply_is(&rr[1], SMTPC_TEMPORARY, 450, "4.2.1", "450 4.2.1 Try later");
	reply_is(&rr[2], SMTPC_PERMANENT, 550, "5.1.1",
	    "550 5.1.1 user unknown");
	reply_is(&data, SMTPC_OK, 250, "2.0.0", rr[0].text);
	smtpc_close(c);
	fake_end(&f);
	fake_data_is(&f, 0, "Subject: t\r\n\r\nhello\r\n.\r\n",
	    sizeof(msg) - 1 + 3);
	fake_free(&f);
}
END_TEST

START_TEST(t_multiline)
{
	static const char gmail[] =
	    "S:550-5.1.1 The email account that you tried to reach does not "
	    "exist. Please try\r\n"
	    "550-5.1.1 double-checking the recipient's email address for "
	    "typos or\r\n"
	    "550-5.1.1 unnecessary spaces. Learn more at\r\n"
	    "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser "
	    "d66si1436855pga.778 - gsmtp";
	static const char gmail_text[] =
	    "550-5.1.1 The email account that you tried to reach does not "
	    "exist. Please try\n"
	    "550-5.1.1 double-checking the recipient's email address for "
	    "typos or\n"
	    "550-5.1.1 unnecessary spaces. Learn more at\n"
	    "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser "
	    "d66si1436855pga.778 - gsmtp";
	const char *rcpts[] = { "gone@y.test", "later@y.test", "odd@y.test",
	    "ctl@y.test", "ok@y.test" };
	struct smtpc_reply rr[5], data;
	const char *script[] = {
		"S:220-mx.test ESMTP\r\n220-more\r\n220 ready", EHLO,
		"S:250-mx.test\r\n250 ENHANCEDSTATUSCODES",
		/* No PIPELINING: one command, one reply. */
		"C:MAIL FROM:<>", "S:250 2.1.0 Ok",
		"C:RCPT TO:<gone@y.test>", gmail,
		"C:RCPT TO:<later@y.test>", "S:451-first\r\n451 second",
		"C:RCPT TO:<odd@y.test>", "S:550 4.1.1 class does not match",
		"C:RCPT TO:<ctl@y.test>", "S:553 a\tb\x01" "c\xff" "d\xc3\xa9",
		"C:RCPT TO:<ok@y.test>", "S:250-2.1.5 one\r\n250 2.1.5 two",
		"C:DATA", "S:354 go", "D", "S:250", QUIT, NULL
	};
	struct smtpc_opts o;
	struct smtpc *c;
	struct fake f;

	fake_start(&f, script, NULL, AF_INET);
	o = opts_for(&f);
	c = open_ok(&o);
	ck_assert_msg(smtpc_send(c, "", rcpts, 5, "x", 1, rr, &data) == 1,
	    "%s", data.text);
	reply_is(&rr[0], SMTPC_PERMANENT, 550, "5.1.1", gmail_text);
	reply_is(&rr[1], SMTPC_TEMPORARY, 451, "", "451-first\n451 second");
	reply_is(&rr[2], SMTPC_PERMANENT, 550, "",
	    "550 4.1.1 class does not match");
	reply_is(&rr[3], SMTPC_PERMANENT, 553, "", "553 a\tb?c?d\xc3\xa9");
	reply_is(&rr[4], SMTPC_OK, 250, "", "250");
	reply_is(&data, SMTPC_OK, 250, "", "250");
	smtpc_close(c);
	fake_end(&f);
	fake_data_is(&f, 0, "x\r\n.\r\n", 6);
	fake_free(&f);
}
END_TEST

START_TEST(t_data_refused)
{
	const char *rcpts[] = { "a@y.test", "b@y.test", "c@y.test" };
	struct smtpc_reply rr[3], data;
	const char *script[] = {
		BANNER, EHLO, "S:250-mx.test\r\n250 PIPELINING",
		"C:MAIL FROM:<f@x.test>", "C:RCPT TO:<a@y.test>",
		"C:RCPT TO:<b@y.test>", "C:RCPT TO:<c@y.test>",
		"S:250 Ok\r\n250 Ok\r\n550 5.1.1 no\r\n250 Ok",
		"C:DATA", "S:554 5.7.1 Message rejected: not today",
		"C:RSET", "S:250 2.0.0 Ok",
		/* The session goes on; now the end of data is refused. */
		"C:MAIL FROM:<f@x.test>", "C:RCPT TO:<a@y.test>",
		"C:RCPT TO:<b@y.test>", "C:RCPT TO:<c@y.test>",
		"S:250 Ok\r\n250 Ok\r\n250 Ok\r\n550 5.1.1 no",
		"C:DATA", "S:354 go", "D",
		"S:554 5.6.0 Transaction failed: Duplicate header",
		QUIT, NULL
	};
	struct smtpc_opts o;
	struct smtpc *c;
	struct fake f;

	fake_start(&f, script, NULL, AF_INET);
	o = opts_for(&f);
	c = open_ok(&o);
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpts, 3, "m\r\n", 3, rr,
	    &data), 0);
	reply_is(&rr[0], SMTPC_PERMANENT, 554, "5.7.1",
	    "554 5.7.1 Message rejected: not today");
	reply_is(&rr[1], SMTPC_PERMANENT, 550, "5.1.1", "550 5.1.1 no");
	reply_is(&rr[2], SMTPC_PERMANENT, 554, "5.7.1", NULL);
	reply_is(&data, SMTPC_PERMANENT, 554, "5.7.1", NULL);
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpts, 3, "m\r\n", 3, rr,
	    &data), 0);
	reply_is(&rr[0], SMTPC_PERMANENT, 554, "5.6.0",
	    "554 5.6.0 Transaction failed: Duplicate header");
	reply_is(&rr[1], SMTPC_PERMANENT, 554, "5.6.0", NULL);
	reply_is(&rr[2], SMTPC_PERMANENT, 550, "5.1.1", NULL);
	reply_is(&data, SMTPC_PERMANENT, 554, "5.6.0", NULL);
	smtpc_close(c);
	fake_end(&f);
	fake_free(&f);
}
END_TEST

START_TEST(t_mail_refused)
{
	const char *rcpts[] = { "a@y.test", "b@y.test" };
	struct smtpc_reply rr[2], data;
	const char *script[] = {
		BANNER, EHLO, "S:250-mx.test\r\n250 PIPELINING",
		"C:MAIL FROM:<f@x.test>", "C:RCPT TO:<a@y.test>",
		"C:RCPT TO:<b@y.test>",
		"S:451 4.3.0 Try again later\r\n503 5.5.1 need MAIL\r\n"
		    "503 5.5.1 need MAIL",
		"C:RSET", "S:250 Ok",
		/* Every recipient refused: no DATA, RSET. */
		"C:MAIL FROM:<f@x.test>", "C:RCPT TO:<a@y.test>",
		"C:RCPT TO:<b@y.test>",
		"S:250 Ok\r\n550 5.1.1 no a\r\n550 5.1.1 no b",
		"C:RSET", "S:250 Ok", QUIT, NULL
	};
	struct smtpc_opts o;
	struct smtpc *c;
	struct fake f;

	fake_start(&f, script, NULL, AF_INET);
	o = opts_for(&f);
	c = open_ok(&o);
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpts, 2, "m", 1, rr,
	    &data), 0);
	reply_is(&rr[0], SMTPC_TEMPORARY, 451, "4.3.0",
	    "451 4.3.0 Try again later");
	reply_is(&rr[1], SMTPC_TEMPORARY, 451, "4.3.0", NULL);
	reply_is(&data, SMTPC_TEMPORARY, 451, "4.3.0", NULL);
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpts, 2, "m", 1, rr,
	    &data), 0);
	reply_is(&rr[0], SMTPC_PERMANENT, 550, "5.1.1", "550 5.1.1 no a");
	reply_is(&rr[1], SMTPC_PERMANENT, 550, "5.1.1", "550 5.1.1 no b");
	reply_is(&data, SMTPC_PERMANENT, 550, "5.1.1", "550 5.1.1 no b");
	smtpc_close(c);
	fake_end(&f);
	fake_free(&f);
}
END_TEST

/* Dot-stuffing, bare LF, a missing final line end, 8-bit content, and
 * three transactions on one connection with RSET between them. */
START_TEST(t_stuffing_and_reuse)
{
	static const char msg[] = "From: a\n.hidden\r\n..two\r\n.\r\n"
	    "bare\ncaf\xc3\xa9\nend.";
	static const char want[] = "From: a\r\n..hidden\r\n...two\r\n..\r\n"
	    "bare\r\ncaf\xc3\xa9\r\nend.\r\n.\r\n";
	const char *rcpt1[] = { "a@y.test" };
	struct smtpc_reply rr[1], data;
	char mail[128];
	const char *script[] = {
		BANNER, EHLO,
		"S:250-mx.test\r\n250-SIZE\r\n250-8BITMIME\r\n250 PIPELINING",
		mail, "C:RCPT TO:<a@y.test>", "S:250 Ok\r\n250 Ok",
		"C:DATA", "S:354 go", "D", "S:250 Ok one",
		"C:RSET", "S:250 Ok",
		"C:MAIL FROM:<f@x.test> SIZE=5", "C:RCPT TO:<a@y.test>",
		"S:250 Ok\r\n250 Ok", "C:DATA", "S:354 go", "D",
		"S:250 Ok two",
		"C:RSET", "S:250 Ok",
		"C:MAIL FROM:<f@x.test> SIZE=0", "C:RCPT TO:<a@y.test>",
		"S:250 Ok\r\n250 Ok", "C:DATA", "S:354 go", "D",
		"S:250 Ok three",
		"C:RSET", "X", NULL
	};
	struct smtpc_opts o;
	struct smtpc *c;
	struct fake f;

	/* SIZE counts CRLF line ends, not the stuffing (RFC 1870). */
	snprintf(mail, sizeof(mail), "C:MAIL FROM:<f@x.test> SIZE=%zu "
	    "BODY=8BITMIME", sizeof(msg) - 1 + 3 + 2);
	fake_start(&f, script, NULL, AF_INET);
	o = opts_for(&f);
	c = open_ok(&o);
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpt1, 1, msg,
	    sizeof(msg) - 1, rr, &data), 1);
	reply_is(&rr[0], SMTPC_OK, 250, "", "250 Ok one");
	ck_assert_int_eq(smtpc_rset(c), 0);
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpt1, 1, ".\n\r\n", 4, rr,
	    &data), 1);
	reply_is(&rr[0], SMTPC_OK, 250, "", "250 Ok two");
	ck_assert_int_eq(smtpc_rset(c), 0);
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpt1, 1, "", 0, rr,
	    &data), 1);
	reply_is(&rr[0], SMTPC_OK, 250, "", "250 Ok three");
	/* The server has gone away meanwhile: the reuse check says so. */
	ck_assert_int_eq(smtpc_rset(c), -1);
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpt1, 1, "", 0, rr,
	    &data), -1);
	ck_assert_int_eq(rr[0].kind, SMTPC_NETWORK);
	smtpc_close(c);
	fake_end(&f);
	fake_data_is(&f, 0, want, sizeof(want) - 1);
	fake_data_is(&f, 1, "..\r\n\r\n.\r\n", 9);
	fake_data_is(&f, 2, ".\r\n", 3);
	fake_free(&f);
}
END_TEST

START_TEST(t_bad_addresses)
{
	const char *rcpts[] = { "evil@y.test>\r\nDATA", "ok@y.test" };
	struct smtpc_reply rr[2], data;
	const char *script[] = {
		BANNER, EHLO, "S:250 mx.test",
		"C:MAIL FROM:<f@x.test>", "S:250 Ok",
		"C:RCPT TO:<ok@y.test>", "S:250 Ok",
		"C:DATA", "S:354 go", "D", "S:250 Ok", QUIT, NULL
	};
	struct smtpc_opts o;
	struct smtpc *c;
	struct fake f;

	fake_start(&f, script, NULL, AF_INET);
	o = opts_for(&f);
	c = open_ok(&o);
	/* A sender with a line break refuses all, asking nothing. */
	ck_assert_int_eq(smtpc_send(c, "f@x.test\nRSET", rcpts, 2, "m", 1,
	    rr, &data), 0);
	reply_is(&rr[0], SMTPC_PERMANENT, 0, "5.1.7", NULL);
	reply_is(&rr[1], SMTPC_PERMANENT, 0, "5.1.7", NULL);
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpts, 2, "m", 1, rr,
	    &data), 1);
	reply_is(&rr[0], SMTPC_PERMANENT, 0, "5.1.3", NULL);
	reply_is(&rr[1], SMTPC_OK, 250, "", "250 Ok");
	smtpc_close(c);
	fake_end(&f);
	fake_free(&f);
}
END_TEST

START_TEST(t_helo_fallback)
{
	const char *rcpts[] = { "a@y.test" };
	struct smtpc_reply rr[1], data;
	const char *script[] = {
		BANNER, EHLO, "S:500 5.5.1 Command unrecognized",
		"C:HELO client.test", "S:250 mx.test",
		"C:MAIL FROM:<f@x.test>", "S:250 Ok",
		"C:RCPT TO:<a@y.test>", "S:250 Ok",
		"C:DATA", "S:354 go", "D", "S:250 Ok", QUIT, NULL
	};
	struct smtpc_opts o;
	struct smtpc *c;
	struct fake f;

	fake_start(&f, script, NULL, AF_INET);
	o = opts_for(&f);
	c = open_ok(&o);
	ck_assert(!smtpc_has(c, "PIPELINING"));
	ck_assert(!smtpc_has(c, "SIZE"));
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpts, 1, "m\xff", 2, rr,
	    &data), 1);
	smtpc_close(c);
	fake_end(&f);
	fake_data_is(&f, 0, "m\xff\r\n.\r\n", 7);
	fake_free(&f);
}
END_TEST

START_TEST(t_refusals_at_open)
{
	const char *s1[] = { "S:554 5.7.1 No SMTP service here", QUIT,
		NULL };
	const char *s2[] = { BANNER, EHLO, "S:421 4.3.2 Shutting down",
		NULL };
	const char *s3[] = { BANNER, EHLO, "S:550 5.7.1 go away",
		"C:HELO client.test", "S:550 5.7.1 still no", QUIT, NULL };
	const char *const *scripts[] = { s1, s2, s3 };
	static const struct {
		enum smtpc_kind kind;
		int code;
		const char *enhanced, *text;
	} want[] = {
		{ SMTPC_PERMANENT, 554, "5.7.1",
		    "554 5.7.1 No SMTP service here" },
		{ SMTPC_TEMPORARY, 421, "4.3.2", "421 4.3.2 Shutting down" },
		{ SMTPC_PERMANENT, 550, "5.7.1", "550 5.7.1 still no" },
	};
	struct smtpc_reply why;
	struct smtpc_opts o;
	struct fake f;
	size_t i;

	for (i = 0; i < 3; i++) {
		fake_start(&f, scripts[i], NULL, AF_INET);
		o = opts_for(&f);
		ck_assert_ptr_null(smtpc_open(&o, &why));
		reply_is(&why, want[i].kind, want[i].code, want[i].enhanced,
		    NULL);
		ck_assert_str_eq(why.text, want[i].text);
		fake_end(&f);
		fake_free(&f);
	}
}
END_TEST

/* ---- AUTH ---- */

/* Plays script, opening a session as alice with password s3cret. */
static void
auth_ok(const char *const *script)
{
	struct smtpc_opts o;
	struct fake f;

	fake_start(&f, script, NULL, AF_INET);
	o = opts_for(&f);
	o.user = "alice";
	o.password = "s3cret";
	smtpc_close(open_ok(&o));
	fake_end(&f);
	fake_free(&f);
}

START_TEST(t_auth_plain)
{
	const char *script[] = {
		BANNER, EHLO, "S:250-mx.test\r\n250-AUTH LOGIN PLAIN\r\n"
		    "250 8BITMIME",
		"C:AUTH PLAIN AGFsaWNlAHMzY3JldA==",
		"S:235 2.7.0 Authentication successful", QUIT, NULL
	};

	auth_ok(script);
}
END_TEST

START_TEST(t_auth_login)
{
	const char *script[] = {
		BANNER, EHLO, "S:250-mx.test\r\n250-AUTH=LOGIN\r\n250 SIZE",
		"C:AUTH LOGIN", "S:334 VXNlcm5hbWU6", "C:YWxpY2U=",
		"S:334 UGFzc3dvcmQ6", "C:czNjcmV0",
		"S:235 Authentication successful.", QUIT, NULL
	};

	auth_ok(script);
}
END_TEST

START_TEST(t_auth_refused)
{
	const char *s1[] = {
		BANNER, EHLO, "S:250-mx.test\r\n250 AUTH PLAIN",
		"C:AUTH PLAIN AGFsaWNlAHMzY3JldA==",
		"S:535 Authentication Credentials Invalid", QUIT, NULL
	};
	const char *s2[] = { BANNER, EHLO, "S:250-mx.test\r\n250 AUTH CRAM-MD5",
		QUIT, NULL };
	struct smtpc_reply why;
	struct smtpc_opts o;
	struct fake f;

	fake_start(&f, s1, NULL, AF_INET);
	o = opts_for(&f);
	o.user = "alice";
	o.password = "s3cret";
	ck_assert_ptr_null(smtpc_open(&o, &why));
	reply_is(&why, SMTPC_AUTH_FAILED, 535, "",
	    "535 Authentication Credentials Invalid");
	fake_end(&f);
	fake_free(&f);

	fake_start(&f, s2, NULL, AF_INET);
	o.port = f.port;
	ck_assert_ptr_null(smtpc_open(&o, &why));
	reply_is(&why, SMTPC_AUTH_FAILED, 0, "", NULL);
	ck_assert_ptr_nonnull(strstr(why.text, "no AUTH PLAIN or LOGIN"));
	fake_end(&f);
	fake_free(&f);
}
END_TEST

/* ---- TLS ---- */

/* STARTTLS with verification as "localhost" while connecting to
 * 127.0.0.1, then a transaction over TLS. */
static void
starttls_session(enum smtpc_tls mode)
{
	const char *rcpts[] = { "a@y.test" };
	struct smtpc_reply rr[1], data;
	const char *script[] = {
		BANNER, EHLO, "S:250-mx.test\r\n250-STARTTLS\r\n250 SIZE",
		"C:STARTTLS", "S:220 2.0.0 Ready to start TLS", "T",
		EHLO, "S:250-mx.test\r\n250 PIPELINING",
		"C:MAIL FROM:<f@x.test>", "C:RCPT TO:<a@y.test>",
		"S:250 Ok\r\n250 Ok", "C:DATA", "S:354 go", "D",
		"S:250 Ok", QUIT, NULL
	};
	struct smtpc_opts o;
	struct tlsfix t;
	struct smtpc *c;
	struct fake f;

	tlsfix_init(&t);
	fake_start(&f, script, t.ctx, AF_INET);
	o = opts_for(&f);
	o.tls = mode;
	o.tls_name = "localhost";
	o.verify_peer = 1;
	o.ca_file = t.ca;
	c = open_ok(&o);
	ck_assert(smtpc_tls_active(c));
	/* The list after TLS replaces the one before. */
	ck_assert(!smtpc_has(c, "STARTTLS"));
	ck_assert(!smtpc_has(c, "SIZE"));
	ck_assert(smtpc_has(c, "PIPELINING"));
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpts, 1, "tls\n", 4, rr,
	    &data), 1);
	smtpc_close(c);
	fake_end(&f);
	ck_assert_str_eq(f.sni, "localhost");
	fake_data_is(&f, 0, "tls\r\n.\r\n", 8);
	fake_free(&f);
	tlsfix_fini(&t);
}

START_TEST(t_starttls_opportunistic)
{
	starttls_session(SMTPC_TLS_OPPORTUNISTIC);
}
END_TEST

START_TEST(t_starttls_required)
{
	starttls_session(SMTPC_TLS_REQUIRED);
}
END_TEST

START_TEST(t_starttls_not_offered)
{
	const char *s1[] = { BANNER, EHLO, "S:250-mx.test\r\n250 SIZE", QUIT,
		NULL };
	const char *s2[] = { BANNER, EHLO, "S:250-mx.test\r\n250 STARTTLS",
		"C:STARTTLS", "S:454 4.7.0 TLS not available", QUIT, NULL };
	const char *const *scripts[] = { s1, s2 };
	struct smtpc_reply why;
	struct smtpc_opts o;
	struct smtpc *c;
	struct fake f;
	size_t i;

	for (i = 0; i < 2; i++) {
		/* Required: no session. */
		fake_start(&f, scripts[i], NULL, AF_INET);
		o = opts_for(&f);
		o.tls = SMTPC_TLS_REQUIRED;
		ck_assert_ptr_null(smtpc_open(&o, &why));
		reply_is(&why, SMTPC_TLS_FAILED, i == 0 ? 0 : 454,
		    i == 0 ? "" : "4.7.0", i == 0 ? NULL :
		    "454 4.7.0 TLS not available");
		fake_end(&f);
		fake_free(&f);
		/* Opportunistic: a plain one. */
		fake_start(&f, scripts[i], NULL, AF_INET);
		o.port = f.port;
		o.tls = SMTPC_TLS_OPPORTUNISTIC;
		c = open_ok(&o);
		ck_assert(!smtpc_tls_active(c));
		smtpc_close(c);
		fake_end(&f);
		fake_free(&f);
	}
}
END_TEST

/* A certificate that does not verify: required fails; opportunistic
 * connects again and goes on in plain text. */
START_TEST(t_starttls_verify_fails)
{
	const char *s1[] = {
		BANNER, EHLO, "S:250-mx.test\r\n250 STARTTLS",
		"C:STARTTLS", "S:220 Ready", "t", NULL
	};
	const char *s2[] = {
		BANNER, EHLO, "S:250-mx.test\r\n250 STARTTLS",
		"C:STARTTLS", "S:220 Ready", "t", "A",
		BANNER, EHLO, "S:250-mx.test\r\n250 STARTTLS", QUIT, NULL
	};
	struct smtpc_reply why;
	struct smtpc_opts o;
	struct tlsfix t;
	struct smtpc *c;
	struct fake f;

	tlsfix_init(&t);
	fake_start(&f, s1, t.ctx, AF_INET);
	o = opts_for(&f);
	o.tls = SMTPC_TLS_REQUIRED;
	o.tls_name = "mx.elsewhere.test";
	o.verify_peer = 1;
	o.ca_file = t.ca;
	ck_assert_ptr_null(smtpc_open(&o, &why));
	reply_is(&why, SMTPC_TLS_FAILED, 0, "", NULL);
	ck_assert_msg(strstr(why.text, "certificate verification failed") !=
	    NULL, "%s", why.text);
	fake_end(&f);
	fake_free(&f);

	fake_start(&f, s2, t.ctx, AF_INET);
	o.port = f.port;
	o.tls = SMTPC_TLS_OPPORTUNISTIC;
	c = open_ok(&o);
	ck_assert(!smtpc_tls_active(c));
	ck_assert(smtpc_has(c, "STARTTLS"));
	smtpc_close(c);
	fake_end(&f);
	ck_assert_int_eq(f.conns, 2);
	fake_free(&f);
	tlsfix_fini(&t);
}
END_TEST

START_TEST(t_implicit_tls)
{
	const char *script[] = {
		"T", BANNER, EHLO, "S:250-mx.test\r\n250 AUTH PLAIN LOGIN",
		"C:AUTH PLAIN AGFsaWNlAHMzY3JldA==", "S:235 ok", QUIT, NULL
	};
	struct smtpc_opts o;
	struct tlsfix t;
	struct smtpc *c;
	struct fake f;

	tlsfix_init(&t);
	fake_start(&f, script, t.ctx, AF_INET);
	o = opts_for(&f);
	o.tls = SMTPC_TLS_IMPLICIT;
	o.host = "localhost";
	o.verify_peer = 1;
	o.ca_file = t.ca;
	o.user = "alice";
	o.password = "s3cret";
	c = open_ok(&o);
	ck_assert(smtpc_tls_active(c));
	ck_assert_str_eq(smtpc_peer_ip(c), "127.0.0.1");
	smtpc_close(c);
	fake_end(&f);
	ck_assert_str_eq(f.sni, "localhost");
	fake_free(&f);
	tlsfix_fini(&t);
}
END_TEST

/* ---- failures ---- */

START_TEST(t_banner_timeout)
{
	const char *script[] = { "H", NULL };
	struct smtpc_reply why;
	struct smtpc_opts o;
	struct fake f;
	int64_t t0, ms;

	fake_start(&f, script, NULL, AF_INET);
	o = opts_for(&f);
	o.command_timeout_ms = TIMEOUT_MS;
	t0 = now_ms();
	ck_assert_ptr_null(smtpc_open(&o, &why));
	ms = now_ms() - t0;
	reply_is(&why, SMTPC_TIMEOUT, 0, "", NULL);
	ck_assert_msg(ms >= TIMEOUT_MS - 5 && ms < TIMEOUT_MS + SLACK_MS,
	    "%lld ms", (long long)ms);
	ck_assert_msg(strstr(why.text, "timeout after 200 ms during the "
	    "banner") != NULL, "%s", why.text);
	fake_end(&f);
	fake_free(&f);
}
END_TEST

/* The reply to the final "." waits on data_timeout_ms, not
 * command_timeout_ms; a timeout leaves the recipients without a final
 * word marked TIMEOUT and the refused one as it was. */
START_TEST(t_data_timeout)
{
	const char *rcpts[] = { "a@y.test", "b@y.test" };
	struct smtpc_reply rr[2], data;
	const char *script[] = {
		BANNER, EHLO, "S:250 mx.test",
		"C:MAIL FROM:<f@x.test>", "S:250 Ok",
		"C:RCPT TO:<a@y.test>", "S:550 5.1.1 no",
		"C:RCPT TO:<b@y.test>", "S:250 Ok",
		"C:DATA", "S:354 go", "D", "H", NULL
	};
	struct smtpc_opts o;
	struct smtpc *c;
	struct fake f;
	int64_t t0, ms;

	fake_start(&f, script, NULL, AF_INET);
	o = opts_for(&f);
	o.data_timeout_ms = TIMEOUT_MS;
	c = open_ok(&o);
	t0 = now_ms();
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpts, 2, "m", 1, rr,
	    &data), -1);
	ms = now_ms() - t0;
	ck_assert_msg(ms >= TIMEOUT_MS - 5 && ms < TIMEOUT_MS + SLACK_MS,
	    "%lld ms", (long long)ms);
	reply_is(&rr[0], SMTPC_PERMANENT, 550, "5.1.1", NULL);
	reply_is(&rr[1], SMTPC_TIMEOUT, 0, "", NULL);
	reply_is(&data, SMTPC_TIMEOUT, 0, "", rr[1].text);
	ck_assert_int_eq(smtpc_rset(c), -1);
	smtpc_close(c);		/* no QUIT on a broken session */
	fake_end(&f);
	fake_free(&f);
}
END_TEST

START_TEST(t_connect_refused)
{
	struct sockaddr_in in;
	socklen_t len = sizeof(in);
	struct smtpc_reply why;
	struct smtpc_opts o;
	char port[16];
	int fd;

	/* A bound port nobody listens on refuses connections. */
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&in, &len), 0);
	snprintf(port, sizeof(port), "%u", ntohs(in.sin_port));
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = port;
	ck_assert_ptr_null(smtpc_open(&o, &why));
	reply_is(&why, SMTPC_NETWORK, 0, "", NULL);
	ck_assert_msg(strstr(why.text, "Connection refused") != NULL, "%s",
	    why.text);
	close(fd);

	o.host = "no-such-host.invalid";
	ck_assert_ptr_null(smtpc_open(&o, &why));
	reply_is(&why, SMTPC_NETWORK, 0, "", NULL);
	ck_assert_ptr_nonnull(strstr(why.text, "cannot resolve"));
}
END_TEST

/* The server goes away in the middle of a big message, over plain text
 * and over TLS: -1, the accepted recipients NETWORK, no SIGPIPE. */
static void
close_mid_data(int tls)
{
	const char *rcpts[] = { "a@y.test", "b@y.test", "c@y.test" };
	struct smtpc_reply rr[3], data;
	const char *plain[] = {
		BANNER, EHLO, "S:250-mx.test\r\n250 PIPELINING",
		"C:MAIL FROM:<f@x.test>", "C:RCPT TO:<a@y.test>",
		"C:RCPT TO:<b@y.test>", "C:RCPT TO:<c@y.test>",
		"S:250 Ok\r\n250 Ok\r\n550 5.1.1 no\r\n250 Ok",
		"C:DATA", "S:354 go", "X", NULL
	};
	const char *over_tls[] = {
		BANNER, EHLO, "S:250-mx.test\r\n250 STARTTLS", "C:STARTTLS",
		"S:220 go", "T",
		EHLO, "S:250-mx.test\r\n250 PIPELINING",
		"C:MAIL FROM:<f@x.test>", "C:RCPT TO:<a@y.test>",
		"C:RCPT TO:<b@y.test>", "C:RCPT TO:<c@y.test>",
		"S:250 Ok\r\n250 Ok\r\n550 5.1.1 no\r\n250 Ok",
		"C:DATA", "S:354 go", "X", NULL
	};
	struct smtpc_opts o;
	struct tlsfix t;
	struct smtpc *c;
	struct fake f;
	char *big = xmalloc(BIG_BODY_BYTES);

	memset(big, 'x', BIG_BODY_BYTES);
	if (tls)
		tlsfix_init(&t);
	fake_start(&f, tls ? over_tls : plain, tls ? t.ctx : NULL, AF_INET);
	o = opts_for(&f);
	o.tls = tls ? SMTPC_TLS_REQUIRED : SMTPC_TLS_NONE;
	c = open_ok(&o);
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpts, 3, big,
	    BIG_BODY_BYTES, rr, &data), -1);
	reply_is(&rr[0], SMTPC_NETWORK, 0, "", NULL);
	reply_is(&rr[1], SMTPC_PERMANENT, 550, "5.1.1", NULL);
	reply_is(&rr[2], SMTPC_NETWORK, 0, "", NULL);
	reply_is(&data, SMTPC_NETWORK, 0, "", NULL);
	ck_assert_msg(strstr(data.text, "during the message") != NULL, "%s",
	    data.text);
	smtpc_close(c);
	fake_end(&f);
	fake_free(&f);
	if (tls)
		tlsfix_fini(&t);
	free(big);
}

START_TEST(t_close_mid_data)
{
	close_mid_data(0);
}
END_TEST

START_TEST(t_close_mid_data_tls)
{
	close_mid_data(1);
}
END_TEST

/* 421 closes the session: every recipient without a final word gets it. */
START_TEST(t_421)
{
	const char *rcpts[] = { "a@y.test", "b@y.test", "c@y.test" };
	struct smtpc_reply rr[3], data;
	const char *script[] = {
		BANNER, EHLO, "S:250-mx.test\r\n250 PIPELINING",
		"C:MAIL FROM:<f@x.test>", "C:RCPT TO:<a@y.test>",
		"C:RCPT TO:<b@y.test>", "C:RCPT TO:<c@y.test>",
		"S:250 Ok\r\n250 Ok\r\n421 4.7.0 Too many errors", NULL
	};
	struct smtpc_opts o;
	struct smtpc *c;
	struct fake f;

	fake_start(&f, script, NULL, AF_INET);
	o = opts_for(&f);
	c = open_ok(&o);
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpts, 3, "m", 1, rr,
	    &data), -1);
	reply_is(&rr[0], SMTPC_TEMPORARY, 421, "4.7.0",
	    "421 4.7.0 Too many errors");
	reply_is(&rr[1], SMTPC_TEMPORARY, 421, "4.7.0", NULL);
	reply_is(&rr[2], SMTPC_TEMPORARY, 421, "4.7.0", NULL);
	reply_is(&data, SMTPC_TEMPORARY, 421, "4.7.0", NULL);
	smtpc_close(c);
	fake_end(&f);
	fake_free(&f);
}
END_TEST

START_TEST(t_protocol_errors)
{
	char *long_line = xmalloc(5001 + 2);
	const char *s1[] = { long_line, "H", NULL };
	const char *s2[] = { "S:hello there", "H", NULL };
	const char *s3[] = { BANNER, EHLO, "S:250 mx.test",
		"C:MAIL FROM:<f@x.test>", "S:354 what", "H", NULL };
	const char *rcpts[] = { "a@y.test" };
	struct smtpc_reply why, rr[1], data;
	struct smtpc_opts o;
	struct smtpc *c;
	struct fake f;

	memcpy(long_line, "S:220 ", 6);
	memset(long_line + 6, 'a', 5001 - 6);
	long_line[5001] = '\0';
	fake_start(&f, s1, NULL, AF_INET);
	o = opts_for(&f);
	ck_assert_ptr_null(smtpc_open(&o, &why));
	reply_is(&why, SMTPC_PROTOCOL, 0, "", NULL);
	ck_assert_ptr_nonnull(strstr(why.text, "longer than 4096 bytes"));
	fake_end(&f);
	fake_free(&f);

	fake_start(&f, s2, NULL, AF_INET);
	o.port = f.port;
	ck_assert_ptr_null(smtpc_open(&o, &why));
	reply_is(&why, SMTPC_PROTOCOL, 0, "", NULL);
	ck_assert_msg(strstr(why.text, "not an SMTP reply: \"hello there\"") !=
	    NULL, "%s", why.text);
	fake_end(&f);
	fake_free(&f);

	fake_start(&f, s3, NULL, AF_INET);
	o.port = f.port;
	c = open_ok(&o);
	ck_assert_int_eq(smtpc_send(c, "f@x.test", rcpts, 1, "m", 1, rr,
	    &data), -1);
	reply_is(&rr[0], SMTPC_PROTOCOL, 0, "", NULL);
	ck_assert_ptr_nonnull(strstr(rr[0].text, "unexpected reply"));
	smtpc_close(c);
	fake_end(&f);
	fake_free(&f);
	free(long_line);
}
END_TEST

START_TEST(t_ipv6)
{
	const char *script[] = { BANNER, EHLO, "S:250 mx.test", QUIT, NULL };
	struct smtpc_opts o;
	struct smtpc *c;
	struct fake f;
	int probe = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 in6;

	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	in6.sin6_addr = in6addr_loopback;
	if (probe < 0 || bind(probe, (struct sockaddr *)&in6,
	    sizeof(in6)) != 0) {
		if (probe >= 0)
			close(probe);
		return;		/* no IPv6 loopback here */
	}
	close(probe);
	fake_start(&f, script, NULL, AF_INET6);
	o = opts_for(&f);
	o.host = "::1";
	c = open_ok(&o);
	ck_assert_str_eq(smtpc_peer_ip(c), "::1");
	smtpc_close(c);
	fake_end(&f);
	fake_free(&f);
}
END_TEST

/*
 * A connection that is never accepted: a listener with a full backlog
 * drops further SYNs, so connect waits for connect_timeout_ms.
 */
START_TEST(t_connect_timeout)
{
	struct sockaddr_in in;
	socklen_t len = sizeof(in);
	struct smtpc_reply why;
	struct smtpc_opts o;
	int lfd, fill[8], nfill = 0, i;
	int64_t t0, ms;
	char port[16];

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&in, sizeof(in)), 0);
	ck_assert_int_eq(listen(lfd, 0), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&in, &len), 0);
	snprintf(port, sizeof(port), "%u", ntohs(in.sin_port));
	for (i = 0; i < 8; i++) {
		fill[nfill] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[nfill], (struct sockaddr *)&in, sizeof(in));
		nfill++;
	}
	usleep(50000);
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = port;
	o.connect_timeout_ms = TIMEOUT_MS;
	t0 = now_ms();
	ck_assert_ptr_null(smtpc_open(&o, &why));
	ms = now_ms() - t0;
	reply_is(&why, SMTPC_TIMEOUT, 0, "", NULL);
	ck_assert_msg(ms >= TIMEOUT_MS - 5 && ms < TIMEOUT_MS + SLACK_MS,
	    "%lld ms", (long long)ms);
	for (i = 0; i < nfill; i++)
		close(fill[i]);
	close(lfd);
}
END_TEST

static Suite *
smtpc_suite(void)
{
	Suite *s = suite_create("smtpc");
	TCase *tc;

	tc = tcase_create("session");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_pipelining);
	tcase_add_test(tc, t_multiline);
	tcase_add_test(tc, t_data_refused);
	tcase_add_test(tc, t_mail_refused);
	tcase_add_test(tc, t_stuffing_and_reuse);
	tcase_add_test(tc, t_bad_addresses);
	tcase_add_test(tc, t_helo_fallback);
	tcase_add_test(tc, t_refusals_at_open);
	tcase_add_test(tc, t_auth_plain);
	tcase_add_test(tc, t_auth_login);
	tcase_add_test(tc, t_auth_refused);
	tcase_add_test(tc, t_ipv6);
	suite_add_tcase(s, tc);

	tc = tcase_create("tls");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_starttls_opportunistic);
	tcase_add_test(tc, t_starttls_required);
	tcase_add_test(tc, t_starttls_not_offered);
	tcase_add_test(tc, t_starttls_verify_fails);
	tcase_add_test(tc, t_implicit_tls);
	suite_add_tcase(s, tc);

	tc = tcase_create("failures");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_banner_timeout);
	tcase_add_test(tc, t_data_timeout);
	tcase_add_test(tc, t_connect_refused);
	tcase_add_test(tc, t_connect_timeout);
	tcase_add_test(tc, t_close_mid_data);
	tcase_add_test(tc, t_close_mid_data_tls);
	tcase_add_test(tc, t_421);
	tcase_add_test(tc, t_protocol_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(smtpc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
