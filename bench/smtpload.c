/*
 * smtpload: an SMTP submission load generator for make bench (bench/smtp.sh).
 *
 * N connections, one thread each, to a plaintext SMTP listener that takes
 * AUTH without TLS (sesbox --smtp-auth-without-tls). Each connection says
 * EHLO and AUTH PLAIN once, then until the run's time is up sends one small
 * message after another: MAIL, RCPT and DATA in one write (PIPELINING),
 * then the message and its final dot. A message's latency is from that
 * first write to its "250 Ok <MessageId>" (any 250 without -o). At the
 * end it prints the acknowledged count, messages per second and the
 * p50/p99/max latency, and with -o appends every acknowledged MessageId to
 * a file (one a line) so the caller can check that each one was captured.
 *
 * With -r N a message has N RCPTs (the -t address with 0 .. N-1 appended
 * to its local part when N > 1), and the last line also gives rcpts=, the
 * recipients accepted in acknowledged messages (bench/deliver.sh). With -m
 * it stops after that many messages in all, or at -d, whichever comes first.
 *
 * Not a test and not TLS: it measures the server's ingest path. It exits 1
 * when a connection cannot be set up or any reply is not the expected one
 * (the first few are printed), 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SMTPLOAD_LINE_MAX_BYTES 4096
#define SMTPLOAD_READ_BYTES 16384
#define SMTPLOAD_ERRORS_SHOWN 5
#define SMTPLOAD_MSGID_MAX_BYTES 128
#define SMTPLOAD_RCPTS_MAX 50		/* SES's recipients per message */

struct options {
	const char *host;
	int port;
	int conns;
	double seconds;
	const char *user;
	const char *password;
	const char *from;
	const char *to;
	const char *ids_path;
	int rcpts;		/* RCPTs per message, -r */
	long messages;		/* in all, -m; 0 for no limit */
};

struct conn {
	const struct options *opt;
	int fd;
	char in[SMTPLOAD_READ_BYTES];
	size_t in_len, in_off;
	char *msg;		/* the message, dot-free, ending in CRLF.CRLF */
	size_t msg_len;
	uint32_t *lat_us;	/* per acknowledged message */
	size_t n_acked, cap;
	uint64_t rcpts_acked;	/* accepted RCPTs of acknowledged messages */
	char *ids;		/* acknowledged MessageIds, '\n'-terminated */
	size_t ids_len, ids_cap;
	uint64_t errors;
	int dead;
};

static double deadline_s;
static atomic_long messages_claimed;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned errors_shown;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL) {
		perror("smtpload: realloc");
		exit(1);
	}
	return q;
}

static void
report(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	c->errors++;
	pthread_mutex_lock(&report_lock);
	if (errors_shown < SMTPLOAD_ERRORS_SHOWN) {
		errors_shown++;
		fputs("smtpload: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	pthread_mutex_unlock(&report_lock);
}

static int
write_all(struct conn *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(c->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			report(c, "write: %s", strerror(errno));
			c->dead = 1;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One reply line (without CRLF) into line; -1 on EOF or error. */
static int
read_line(struct conn *c, char *line, size_t cap)
{
	size_t len = 0;

	for (;;) {
		while (c->in_off < c->in_len) {
			char ch = c->in[c->in_off++];

			if (ch == '\n') {
				if (len > 0 && line[len - 1] == '\r')
					len--;
				line[len] = '\0';
				return 0;
			}
			if (len + 1 < cap)
				line[len++] = ch;
		}
		ssize_t r = read(c->fd, c->in, sizeof c->in);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			report(c, "read: %s", r == 0 ? "connection closed" :
			    strerror(errno));
			c->dead = 1;
			return -1;
		}
		c->in_len = (size_t)r;
		c->in_off = 0;
	}
}

/*
 * One whole reply (multi-line ones to their last line, which is left in
 * line); returns its code, or -1 when the connection failed.
 */
static int
read_reply(struct conn *c, char *line, size_t cap)
{
	for (;;) {
		if (read_line(c, line, cap) != 0)
			return -1;
		if (strlen(line) < 3 || line[3] != '-')
			break;
	}
	if (strlen(line) < 3)
		return 0;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

static int
expect(struct conn *c, int code, const char *what)
{
	char line[SMTPLOAD_LINE_MAX_BYTES];
	int got = read_reply(c, line, sizeof line);

	if (got < 0)
		return -1;
	if (got != code) {
		report(c, "%s: expected %d, got \"%s\"", what, code, line);
		return -1;
	}
	return 0;
}

static void
base64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*out++ = tab[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		*out++ = tab[in[i + 2] & 63];
	}
	if (n - i == 1) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[(in[i] & 3) << 4];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*out++ = tab[(in[i + 1] & 15) << 2];
		*out++ = '=';
	}
	*out = '\0';
}

static int
conn_open(struct conn *c)
{
	const struct options *o = c->opt;
	struct sockaddr_in sa;
	unsigned char creds[512];
	char b64[700], cmd[800];
	size_t ul = strlen(o->user), pl = strlen(o->password);
	int one = 1;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, o->host, &sa.sin_addr) != 1) {
		report(c, "not an IPv4 address: %s", o->host);
		return -1;
	}
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa,
	    sizeof sa) != 0) {
		report(c, "connect %s:%d: %s", o->host, o->port,
		    strerror(errno));
		return -1;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (expect(c, 220, "banner") != 0)
		return -1;
	if (write_all(c, "EHLO smtpload.example\r\n", 23) != 0 ||
	    expect(c, 250, "EHLO") != 0)
		return -1;
	creds[0] = '\0';
	memcpy(creds + 1, o->user, ul);
	creds[1 + ul] = '\0';
	memcpy(creds + 2 + ul, o->password, pl);
	base64(creds, ul + pl + 2, b64);
	snprintf(cmd, sizeof cmd, "AUTH PLAIN %s\r\n", b64);
	if (write_all(c, cmd, strlen(cmd)) != 0 ||
	    expect(c, 235, "AUTH") != 0)
		return -1;
	return 0;
}

/*
 * Returns 0 when line acknowledges the message, -1 when it does not. -o
 * needs the MessageId of "250 Ok <MessageId>"; without it any 250 will do
 * (bench/smtpsink's, say).
 */
static int
record(struct conn *c, double started, const char *line)
{
	const char *id = line + 7;		/* after "250 Ok " */
	size_t n = 0;

	if (strncmp(line, "250 Ok ", 7) == 0)
		n = strlen(id);
	if (c->opt->ids_path == NULL ? strncmp(line, "250 ", 4) != 0 :
	    n == 0 || n > SMTPLOAD_MSGID_MAX_BYTES) {
		report(c, "end of data: expected %s, got \"%s\"",
		    c->opt->ids_path ? "250 Ok <MessageId>" : "250", line);
		return -1;
	}
	if (c->n_acked == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4096;
		c->lat_us = xrealloc(c->lat_us, c->cap * sizeof *c->lat_us);
	}
	c->lat_us[c->n_acked++] = (uint32_t)((now_s() - started) * 1e6);
	if (c->opt->ids_path != NULL) {
		if (c->ids_len + n + 2 > c->ids_cap) {
			c->ids_cap = c->ids_cap ? c->ids_cap * 2 : 65536;
			c->ids = xrealloc(c->ids, c->ids_cap);
		}
		memcpy(c->ids + c->ids_len, id, n);
		c->ids_len += n;
		c->ids[c->ids_len++] = '\n';
	}
	return 0;
}

/*
 * MAIL, the RCPTs and DATA in one string (new): the -t address itself for
 * one recipient, else its local part with 0 .. N-1 appended.
 */
static char *
envelope_new(const struct options *o, size_t *len)
{
	size_t cap = 64 + strlen(o->from) +
	    (size_t)o->rcpts * (strlen(o->to) + 24);
	char *env = xrealloc(NULL, cap);
	const char *at = strrchr(o->to, '@');
	int local = at ? (int)(at - o->to) : (int)strlen(o->to), i;
	size_t n;

	n = (size_t)snprintf(env, cap, "MAIL FROM:<%s>\r\n", o->from);
	for (i = 0; i < o->rcpts; i++) {
		if (o->rcpts == 1)
			n += (size_t)snprintf(env + n, cap - n,
			    "RCPT TO:<%s>\r\n", o->to);
		else
			n += (size_t)snprintf(env + n, cap - n,
			    "RCPT TO:<%.*s%d%s>\r\n", local, o->to, i,
			    o->to + local);
	}
	n += (size_t)snprintf(env + n, cap - n, "DATA\r\n");
	*len = n;
	return env;
}

static void *
conn_run(void *arg)
{
	struct conn *c = arg;
	const struct options *o = c->opt;
	char line[SMTPLOAD_LINE_MAX_BYTES], *envelope;
	size_t n;

	if (conn_open(c) != 0) {
		c->dead = 1;
		return NULL;
	}
	envelope = envelope_new(o, &n);
	while (!c->dead && now_s() < deadline_s) {
		double started = now_s();
		int mail, rcpt = -1, data, i, accepted = 0;

		if (o->messages > 0 && atomic_fetch_add(&messages_claimed, 1) >=
		    o->messages)
			break;
		if (write_all(c, envelope, n) != 0)
			break;
		mail = read_reply(c, line, sizeof line);
		if (mail != 250 && mail >= 0)
			report(c, "MAIL: \"%s\"", line);
		for (i = 0; i < o->rcpts && mail >= 0; i++) {
			rcpt = read_reply(c, line, sizeof line);
			if (rcpt < 0)
				break;
			if (rcpt == 250)
				accepted++;
			else
				report(c, "RCPT: \"%s\"", line);
		}
		data = rcpt < 0 ? -1 : read_reply(c, line, sizeof line);
		if (data < 0)
			break;
		if (data != 354) {
			if (mail == 250 && accepted == o->rcpts)
				report(c, "DATA: \"%s\"", line);
			continue;
		}
		if (write_all(c, c->msg, c->msg_len) != 0 ||
		    read_reply(c, line, sizeof line) < 0)
			break;
		if (record(c, started, line) == 0)
			c->rcpts_acked += (uint64_t)accepted;
	}
	if (!c->dead && write_all(c, "QUIT\r\n", 6) == 0)
		(void)expect(c, 221, "QUIT");
	free(envelope);
	return NULL;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: smtpload [-c CONNS] [-d SECONDS] [-u USER] [-p PASSWORD]\n"
	    "                [-f FROM] [-t TO] [-r RCPTS] [-m MESSAGES]\n"
	    "                [-o IDS_FILE] HOST:PORT\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct options o = {
		.conns = 16, .seconds = 10, .user = "AKIDSMTPLOAD",
		.password = "smtpload", .from = "bench@example.com",
		.to = "rcpt@example.net", .rcpts = 1,
	};
	struct conn *conns;
	pthread_t *threads;
	uint32_t *all;
	size_t total = 0, k;
	uint64_t errors = 0, rcpts = 0;
	double start, elapsed;
	char *colon, body[512];
	int ch, i, dead = 0, rcpts_given = 0;

	while ((ch = getopt(argc, argv, "c:d:u:p:f:t:o:r:m:")) != -1) {
		switch (ch) {
		case 'c': o.conns = atoi(optarg); break;
		case 'd': o.seconds = atof(optarg); break;
		case 'u': o.user = optarg; break;
		case 'p': o.password = optarg; break;
		case 'f': o.from = optarg; break;
		case 't': o.to = optarg; break;
		case 'o': o.ids_path = optarg; break;
		case 'r': o.rcpts = atoi(optarg); rcpts_given = 1; break;
		case 'm': o.messages = atol(optarg); break;
		default: usage();
		}
	}
	if (optind + 1 != argc || o.conns < 1 || o.conns > 10000 ||
	    o.seconds <= 0 || strlen(o.user) > 200 ||
	    strlen(o.password) > 200 || strlen(o.from) > 300 ||
	    strlen(o.to) > 300 || o.rcpts < 1 ||
	    o.rcpts > SMTPLOAD_RCPTS_MAX || o.messages < 0)
		usage();
	o.host = argv[optind];
	colon = strrchr(argv[optind], ':');
	if (colon == NULL)
		usage();
	*colon = '\0';
	o.port = atoi(colon + 1);
	if (o.port < 1 || o.port > 65535)
		usage();

	snprintf(body, sizeof body,
	    "From: %s\r\nTo: %s\r\nSubject: smtpload\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "\r\n"
	    "A small message from smtpload, the SMTP ingest benchmark.\r\n"
	    ".\r\n", o.from, o.to);
	conns = calloc((size_t)o.conns, sizeof *conns);
	threads = calloc((size_t)o.conns, sizeof *threads);
	if (conns == NULL || threads == NULL) {
		perror("smtpload: calloc");
		return 1;
	}
	start = now_s();
	deadline_s = start + o.seconds;
	for (i = 0; i < o.conns; i++) {
		conns[i].opt = &o;
		conns[i].fd = -1;
		conns[i].msg = body;
		conns[i].msg_len = strlen(body);
		if (pthread_create(&threads[i], NULL, conn_run, &conns[i])) {
			perror("smtpload: pthread_create");
			return 1;
		}
	}
	for (i = 0; i < o.conns; i++) {
		pthread_join(threads[i], NULL);
		total += conns[i].n_acked;
		errors += conns[i].errors;
		rcpts += conns[i].rcpts_acked;
		dead += conns[i].dead;
	}
	elapsed = now_s() - start;

	all = malloc((total ? total : 1) * sizeof *all);
	if (all == NULL) {
		perror("smtpload: malloc");
		return 1;
	}
	for (i = 0, k = 0; i < o.conns; i++) {
		memcpy(all + k, conns[i].lat_us,
		    conns[i].n_acked * sizeof *all);
		k += conns[i].n_acked;
	}
	qsort(all, total, sizeof *all, cmp_u32);
	if (o.ids_path != NULL) {
		FILE *f = fopen(o.ids_path, "a");

		if (f == NULL) {
			perror(o.ids_path);
			return 1;
		}
		for (i = 0; i < o.conns; i++)
			fwrite(conns[i].ids, 1, conns[i].ids_len, f);
		if (fclose(f) != 0) {
			perror(o.ids_path);
			return 1;
		}
	}
	printf("conns=%d seconds=%.2f acked=%zu errors=%" PRIu64
	    " msgs_per_s=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f",
	    o.conns, elapsed, total, errors, total / elapsed,
	    total ? all[total / 2] / 1e3 : 0.0,
	    total ? all[(size_t)((double)(total - 1) * 0.99)] / 1e3 : 0.0,
	    total ? all[total - 1] / 1e3 : 0.0);
	if (rcpts_given)
		printf(" rcpts=%" PRIu64, rcpts);
	putchar('\n');
	for (i = 0; i < o.conns; i++) {
		if (conns[i].fd >= 0)
			close(conns[i].fd);
		free(conns[i].lat_us);
		free(conns[i].ids);
	}
	free(all);
	free(conns);
	free(threads);
	return errors || dead ? 1 : 0;
}
