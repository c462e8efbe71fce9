/*
 * smtpsink: a fast SMTP sink for make bench (bench/deliver.sh), the relay
 * sesbox delivers to. Not an MTA: no TLS, no checks, nothing stored.
 *
 * Listens on 127.0.0.1:PORT (0: a free port) and prints "port=N". One
 * thread, one level-triggered epoll loop (over 40,000 messages/s from
 * smtpload on two cores); all the replies to one read go out in one write.
 * It takes any MAIL, RCPT, AUTH and message, and counts a message and its
 * accepted recipients when it answers its end of data 250. It prints
 * "messages=M rcpts=R" on SIGUSR1 and when the recipients reach -n (then
 * exits 0 with -x). -d MS holds each such answer that long, to model a
 * slower server (the connection reads nothing meanwhile). Exits 1 when it
 * cannot listen, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SINK_READ_BYTES 16384	/* a longer command line closes it */
#define SINK_EVENTS_MAX 64

struct conn {
	int fd;
	uint32_t events;	/* what epoll watches for now */
	int in_data;		/* between 354 and the final dot */
	int dot;		/* how much of "\r\n.\r\n" the data ended with */
	int mail;		/* inside a transaction (MAIL accepted) */
	int rcpts;		/* RCPTs accepted in the transaction */
	int auth;		/* AUTH lines still expected from the client */
	int quit;		/* close once out[] is written */
	int held;		/* end of data unanswered for -d */
	int64_t due_ms;		/* when a held answer goes out */
	struct conn *next;	/* in the FIFO of held connections */
	char *out;		/* replies not yet written */
	size_t out_len, out_off, out_cap;
	size_t in_len;
	char in[SINK_READ_BYTES];
};

enum verb_op {
	VERB_REPLY, VERB_AUTH, VERB_MAIL, VERB_RCPT, VERB_DATA, VERB_RSET,
	VERB_QUIT
};

struct verb {
	const char *name;
	enum verb_op op;
	const char *reply;	/* when it is accepted */
};

static int ep, listen_fd, signal_fd;
static int64_t delay_ms;
static uint64_t target_rcpts, n_messages, n_rcpts;
static int exit_at_target, reached;	/* reached: the last answer hit -n */
static struct conn *held_head, *held_tail;
/* Tags of the two fds that are not connections, in epoll's data.ptr. */
static char listen_tag, signal_tag;

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL) {
		perror("smtpsink: realloc");
		exit(1);
	}
	return q;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
counts_print(void)
{
	printf("messages=%" PRIu64 " rcpts=%" PRIu64 "\n", n_messages,
	    n_rcpts);
	fflush(stdout);
}

static void
reply(struct conn *c, const char *text)
{
	size_t n = strlen(text);

	if (c->out_len + n > c->out_cap) {
		c->out_cap = (c->out_len + n) * 2;
		c->out = xrealloc(c->out, c->out_cap);
	}
	memcpy(c->out + c->out_len, text, n);
	c->out_len += n;
}

#define SINK_OK "250 2.0.0 Ok\r\n"
#define SINK_AUTH_OK "235 2.7.0 Authentication successful\r\n"
#define SINK_USERNAME "334 VXNlcm5hbWU6\r\n"
#define SINK_PASSWORD "334 UGFzc3dvcmQ6\r\n"

static const struct verb verbs[] = {
	{ "EHLO", VERB_REPLY, "250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
	    "250-SIZE 41943040\r\n250-AUTH PLAIN LOGIN\r\n250 SMTPUTF8\r\n" },
	{ "HELO", VERB_REPLY, "250 sink\r\n" }, { "NOOP", VERB_REPLY, SINK_OK },
	{ "RSET", VERB_RSET, SINK_OK }, { "AUTH", VERB_AUTH, SINK_AUTH_OK },
	{ "MAIL", VERB_MAIL, "250 2.1.0 Ok\r\n" },
	{ "RCPT", VERB_RCPT, "250 2.1.5 Ok\r\n" },
	{ "DATA", VERB_DATA, "354 End data with <CR><LF>.<CR><LF>\r\n" },
	{ "QUIT", VERB_QUIT, "221 2.0.0 Bye\r\n" },
};

/*
 * What v does to c; returns its reply (v's own when it is accepted). Any
 * credentials do: "AUTH PLAIN b64", "AUTH PLAIN" and a line, or AUTH LOGIN
 * with the user name on the command or on a line of its own.
 */
static const char *
verb_run(struct conn *c, const struct verb *v, const char *arg)
{
	switch (v->op) {
	case VERB_AUTH:
		if (strncasecmp(arg, "LOGIN", 5) == 0) {
			c->auth = arg[5] == ' ' ? 1 : 2;
			return c->auth == 2 ? SINK_USERNAME : SINK_PASSWORD;
		}
		if (strcasecmp(arg, "PLAIN") == 0) {
			c->auth = 1;
			return "334 \r\n";
		}
		break;
	case VERB_MAIL:
		if (c->mail)
			return "503 5.5.1 Error: nested MAIL command\r\n";
		c->mail = 1;
		break;
	case VERB_RCPT:
		if (!c->mail)
			return "503 5.5.1 Error: need MAIL command\r\n";
		c->rcpts++;
		break;
	case VERB_DATA:
		if (c->rcpts == 0)
			return "503 5.5.1 Error: need RCPT command\r\n";
		c->in_data = 1;
		c->dot = 2;	/* the data starts a line */
		break;
	case VERB_RSET:
		c->mail = c->rcpts = 0;
		break;
	case VERB_QUIT:
		c->quit = 1;
		break;
	default:
		break;
	}
	return v->reply;
}

/* line: one command line, NUL-terminated, without its CRLF. */
static void
command(struct conn *c, const char *line)
{
	size_t i, n = strcspn(line, " ");

	if (c->auth > 0) {	/* a line of an AUTH exchange */
		reply(c, --c->auth == 1 ? SINK_PASSWORD : SINK_AUTH_OK);
		return;
	}
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (n == 4 && strncasecmp(line, verbs[i].name, 4) == 0) {
			reply(c, verb_run(c, &verbs[i],
			    line + n + (line[n] == ' ')));
			return;
		}
	}
	reply(c, "502 5.5.2 Error: command not recognized\r\n");
}

/* Counts the message and answers its end of data. */
static void
data_answer(struct conn *c)
{
	uint64_t before = n_rcpts;

	n_messages++;
	n_rcpts += (uint64_t)c->rcpts;
	c->mail = c->rcpts = 0;
	reply(c, "250 2.0.0 Ok: queued\r\n");
	if (target_rcpts > 0 && before < target_rcpts &&
	    n_rcpts >= target_rcpts)
		reached = 1;
}

/* Consumes message data up to and including its final dot, if there. */
static size_t
data_scan(struct conn *c, const char *p, size_t n)
{
	static const char end[] = "\r\n.\r\n";
	size_t i;

	for (i = 0; i < n; i++) {
		/* In "\r\n.\r\n" only a CR can start the match anew. */
		if (p[i] == end[c->dot])
			c->dot++;
		else
			c->dot = p[i] == '\r';
		if (c->dot == 5) {
			c->in_data = 0;
			return i + 1;
		}
	}
	return n;
}

/*
 * Runs every complete command and message in in[], until QUIT or a held
 * end of data, and keeps the rest.
 */
static void
conn_process(struct conn *c)
{
	size_t off = 0;

	while (off < c->in_len && !c->held && !c->quit) {
		char *p = c->in + off, *nl;
		size_t n = c->in_len - off;

		if (c->in_data) {
			off += data_scan(c, p, n);
			if (c->in_data)
				continue;
			if (delay_ms == 0) {
				data_answer(c);
				continue;
			}
			/* Held for -d: the FIFO is in due order. */
			c->held = 1;
			c->due_ms = now_ms() + delay_ms;
			*(held_tail ? &held_tail->next : &held_head) = c;
			held_tail = c;
			c->next = NULL;
			continue;
		}
		nl = memchr(p, '\n', n);
		if (nl == NULL)
			break;
		off += (size_t)(nl - p) + 1;
		if (nl > p && nl[-1] == '\r')
			nl--;
		*nl = '\0';
		command(c, p);
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
}

static void
conn_close(struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	if (!c->held) {		/* else freed when it leaves the FIFO */
		free(c->out);
		free(c);
	}
}

/*
 * Writes what out[] holds; then, if an answer in it reached -n, prints the
 * counts (and exits with -x). Closes c after QUIT's answer or on an error,
 * else sets what epoll waits for: room while replies are pending (no
 * reading, so out[] stays bounded), nothing while held, else input.
 */
static void
conn_flush(struct conn *c)
{
	struct epoll_event ev = { .data.ptr = c };
	ssize_t w = 0;

	/* SIGUSR1 is blocked: no EINTR. */
	while (c->out_off < c->out_len && (w = send(c->fd, c->out + c->out_off,
	    c->out_len - c->out_off, MSG_NOSIGNAL)) > 0)
		c->out_off += (size_t)w;
	if (reached) {		/* its few bytes went out at once */
		reached = 0;
		counts_print();
		if (exit_at_target)
			exit(0);
	}
	if ((w < 0 && errno != EAGAIN) ||
	    (c->quit && c->out_off == c->out_len)) {
		conn_close(c);
		return;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	ev.events = c->out_len > 0 ? EPOLLOUT : c->held ? 0 : EPOLLIN;
	if (ev.events != c->events) {
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		c->events = ev.events;
	}
}

static void
conn_event(struct conn *c, uint32_t events)
{
	if (events & EPOLLERR) {
		conn_close(c);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP)) {
		ssize_t r = read(c->fd, c->in + c->in_len,
		    sizeof c->in - c->in_len);

		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_close(c);
			return;
		}
		if (r > 0)
			c->in_len += (size_t)r;
	}
	conn_process(c);
	conn_flush(c);
}

/* Answers the held ends of data that are due, in order. */
static void
held_release(void)
{
	int64_t now = now_ms();
	struct conn *c;

	while ((c = held_head) != NULL && c->due_ms <= now) {
		held_head = c->next;
		if (held_head == NULL)
			held_tail = NULL;
		c->held = 0;
		if (c->fd < 0) {	/* closed while held */
			free(c->out);
			free(c);
			continue;
		}
		data_answer(c);
		conn_process(c);
		conn_flush(c);
	}
}

/* Adds fd to the loop for input, with ptr (a conn or a tag) as its data. */
static int
watch(int fd, void *ptr)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ptr };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void
conn_accept(void)
{
	struct conn *c;
	int fd, one = 1;

	while ((fd = accept4(listen_fd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c = xrealloc(NULL, sizeof *c);
		memset(c, 0, sizeof *c);
		c->fd = fd;
		c->events = EPOLLIN;
		if (watch(fd, c) != 0) {
			close(fd);
			free(c);
			continue;
		}
		reply(c, "220 sink ESMTP\r\n");
		conn_flush(c);
	}
}

static void
loop_run(void)
{
	struct epoll_event evs[SINK_EVENTS_MAX];
	struct signalfd_siginfo si;

	for (;;) {
		int timeout = -1, n, i;

		if (held_head != NULL) {
			int64_t left = held_head->due_ms - now_ms();

			timeout = left > 0 ? (int)left : 0;
		}
		n = epoll_wait(ep, evs, SINK_EVENTS_MAX, timeout);
		if (n < 0 && errno != EINTR) {
			perror("smtpsink: epoll_wait");
			exit(1);
		}
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &listen_tag)
				conn_accept();
			else if (p == &signal_tag) {
				while (read(signal_fd, &si, sizeof si) > 0)
					counts_print();
			} else
				conn_event(p, evs[i].events);
		}
		held_release();
	}
}

/*
 * Blocks SIGUSR1 for the loop's signalfd, creates the loop and listens on
 * 127.0.0.1:port; returns the port, or -1 when any of it failed.
 */
static int
sink_open(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	sigset_t usr1;
	int one = 1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, NULL) != 0 ||
	    (signal_fd = signalfd(-1, &usr1, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof one) != 0 ||
	    bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(listen_fd, SOMAXCONN) != 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&sa, &len) != 0 ||
	    watch(listen_fd, &listen_tag) != 0 ||
	    watch(signal_fd, &signal_tag) != 0) {
		fprintf(stderr, "smtpsink: listen on 127.0.0.1:%d: %s\n", port,
		    strerror(errno));
		return -1;
	}
	return ntohs(sa.sin_port);
}

static void
usage(void)
{
	fprintf(stderr, "usage: smtpsink [-n RCPTS [-x]] [-d MS] [PORT]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int ch, port = 0;

	while ((ch = getopt(argc, argv, "n:xd:")) != -1) {
		switch (ch) {
		case 'n': target_rcpts = strtoull(optarg, NULL, 10); break;
		case 'x': exit_at_target = 1; break;
		case 'd': delay_ms = atoll(optarg); break;
		default: usage();
		}
	}
	if (optind < argc)
		port = atoi(argv[optind++]);
	if (optind != argc || delay_ms < 0 || port < 0 || port > 65535)
		usage();
	if ((port = sink_open(port)) < 0)
		return 1;
	printf("port=%d\n", port);
	fflush(stdout);
	loop_run();
	return 0;
}
