/*
 * http — the HTTP server (see http.h).
 *
 * The request context is created in the URI-log callback, which is the one
 * place libmicrohttpd shows the raw request target: SigV4 signs the path and
 * query string exactly as sent, so sesbox must not see them unescaped.
 */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "awserr.h"
#include "buf.h"
#include "log.h"
#include "notify.h"
#include "route.h"
#include "wire.h"
#include "store.h"
#include "xmem.h"

/* How long http_stop lets answers already queued finish going out. */
#define HTTP_STOP_DRAIN_MS 2000
/* What a stream's reader is offered at most per call. */
#define HTTP_STREAM_BLOCK_BYTES (16 * 1024)

/* http_req.commit: where a write's commit stands. */
enum {
	HTTP_COMMIT_RUNNING,	/* the worker still has the connection */
	HTTP_COMMIT_SUSPENDED,	/* the connection waits for the commit */
	HTTP_COMMIT_DONE,	/* told; commit_rc holds the outcome */
	HTTP_COMMIT_CLOSING	/* the connection is going: tell nobody */
};

struct http_req {
	struct MHD_Connection *con;
	char *target;		/* raw request target: path?query */
	struct buf body;
	int too_large;		/* body over the limit: read, not kept */
	int close;		/* close the connection after answering */
	int headers_seen;	/* the first access call has happened */
	struct awserr reject;	/* set: answer this, whatever was asked */
	struct timespec start;
	char request_id[ROUTE_REQUEST_ID_BYTES];
	/* The answer; a write's may wait for its batch's commit (see
	 * http_respond). */
	struct route_response resp;
	int pending;		/* counted in http_async until answered */
	int inflight;		/* counted in http_inflight until completed */
	int commit_rc;
	atomic_int commit;
};

/*
 * EMU: the limit is SES's largest message (40 MB after base64, v2) plus room
 * for the JSON around it; the code is the AWS common error for an oversized
 * request. The body is still read (so the client sees the answer, not a
 * reset) but not kept, and the connection closes after.
 */
static void
http_set_too_large(struct http_req *r)
{
	if (!awserr_isset(&r->reject))
		awserr_set_status(&r->reject, 413, "RequestEntityTooLarge",
		    "Request body exceeds the maximum of %d bytes",
		    HTTP_BODY_MAX_BYTES);
	r->too_large = 1;
	r->close = 1;
	buf_fini(&r->body);
}

struct http_headers {
	struct wire_header v[HTTP_HEADERS_MAX];
	size_t n;
};

/* What the request's framing headers say. */
struct http_framing {
	const char *length;	/* first Content-Length */
	int lengths_differ;	/* another Content-Length disagrees */
	int chunked;		/* Transfer-Encoding present */
};

static struct MHD_Daemon *http_daemon;
static uint16_t http_bound_port;

/*
 * libmicrohttpd aborts when stopped with a connection suspended, so
 * http_stop first turns new writes synchronous (http_stopping) and waits
 * for the requests already answering asynchronously (http_async) to finish.
 */
static atomic_int http_stopping;
static atomic_int http_async;
/* Answers queued and not yet sent in full: http_stop gives them a moment
 * (HTTP_STOP_DRAIN_MS) to go out, the answers it forced above among them. */
static atomic_int http_inflight;
static pthread_mutex_t http_async_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t http_async_done = PTHREAD_COND_INITIALIZER;

/* Whether a request may wait for its commit with its connection parked;
 * if so, http_async_end must follow once it is answered or closed. */
static int
http_async_begin(void)
{
	atomic_fetch_add(&http_async, 1);
	if (!atomic_load(&http_stopping))
		return 1;
	atomic_fetch_sub(&http_async, 1);
	return 0;
}

static void
http_async_end(void)
{
	if (atomic_fetch_sub(&http_async, 1) == 1 &&
	    atomic_load(&http_stopping)) {
		pthread_mutex_lock(&http_async_lock);
		pthread_cond_broadcast(&http_async_done);
		pthread_mutex_unlock(&http_async_lock);
	}
}

static void
http_inflight_end(void)
{
	if (atomic_fetch_sub(&http_inflight, 1) == 1 &&
	    atomic_load(&http_stopping)) {
		pthread_mutex_lock(&http_async_lock);
		pthread_cond_broadcast(&http_async_done);
		pthread_mutex_unlock(&http_async_lock);
	}
}

static void *
http_uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct http_req *r = xcalloc(1, sizeof(*r));

	(void)cls;
	r->con = con;
	r->target = xstrdup(uri);
	buf_init(&r->body);
	awserr_init(&r->reject);
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	route_request_id(r->request_id);
	return r;
}

static void
http_completed(void *cls, struct MHD_Connection *con, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req *r = *con_cls;

	(void)cls;
	(void)con;
	(void)toe;
	if (r == NULL)
		return;
	if (r->pending) {
		/* Closed while waiting: the commit (or the notifier) must not
		 * touch r once it is freed. A wait for an answer is taken
		 * back at once; a write's commit is hurried and awaited. */
		if (atomic_exchange(&r->commit, HTTP_COMMIT_CLOSING) !=
		    HTTP_COMMIT_DONE && !notify_cancel(r)) {
			store_write_flush();
			while (atomic_load(&r->commit) != HTTP_COMMIT_DONE)
				sched_yield();
		}
		route_response_fini(&r->resp);
		http_async_end();
	}
	if (r->inflight)
		http_inflight_end();
	free(r->target);
	buf_fini(&r->body);
	free(r);
	*con_cls = NULL;
}

static enum MHD_Result
http_collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct http_headers *h = cls;

	(void)kind;
	if (h->n < HTTP_HEADERS_MAX) {
		h->v[h->n].name = key;
		h->v[h->n++].value = value ? value : "";
	}
	return MHD_YES;
}

static enum MHD_Result
http_collect_framing(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct http_framing *f = cls;

	(void)kind;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (f->length == NULL)
			f->length = value ? value : "";
		else if (strcmp(f->length, value ? value : "") != 0)
			f->lengths_differ = 1;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		f->chunked = 1;
	}
	return MHD_YES;
}

/*
 * First look at a request, headers only: refuses broken framing and
 * declared bodies over the limit before anything is buffered.
 */
static void
http_check_framing(struct MHD_Connection *con, struct http_req *r)
{
	struct http_framing f = { .length = NULL };

	MHD_get_connection_values(con, MHD_HEADER_KIND, http_collect_framing,
	    &f);
	if (f.lengths_differ) {
		/* RFC 9112 §6.3: differing Content-Length values are an
		 * unrecoverable framing error. EMU: AWS's front end answers
		 * 400 without an AWS error body; sesbox says why. */
		awserr_set_status(&r->reject, 400, "BadRequest", "Conflicting "
		    "Content-Length headers");
		r->close = 1;
	} else if (f.chunked && f.length != NULL) {
		/* RFC 9112 §6.1: served by its chunked framing, and the
		 * connection closed after, so nothing can be smuggled. */
		r->close = 1;
	}
	if (f.length != NULL && strtoull(f.length, NULL, 10) >
	    HTTP_BODY_MAX_BYTES)
		http_set_too_large(r);
}

static void
http_client_ip(struct MHD_Connection *con, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(con,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, n, "-");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    out, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		    (socklen_t)n);
}

/*
 * A streamed answer (route_stream): its own allocation, since the
 * response outlives the request context and wakes come from any thread.
 * It counts in http_async from its start to its end, so http_stop waits
 * for it to be unparked and finished (libmicrohttpd cannot stop with a
 * connection suspended).
 */
enum {
	HTTP_STREAM_RUNNING,	/* a read is under way, or about to be */
	HTTP_STREAM_PARKED,	/* suspended until woken */
	HTTP_STREAM_WOKEN	/* woken: the next read looks again */
};

struct http_stream {
	struct MHD_Connection *con;
	struct route_stream *src;
	atomic_int state;
	int ended;		/* counted out of http_async */
};

/* route_stream.wake: any thread. Resumes the connection only when the
 * reader parked it, so only while libmicrohttpd holds it suspended. */
static void
http_stream_wake(void *arg)
{
	struct http_stream *hs = arg;

	if (atomic_exchange(&hs->state, HTTP_STREAM_WOKEN) ==
	    HTTP_STREAM_PARKED)
		MHD_resume_connection(hs->con);
}

static void
http_stream_end(struct http_stream *hs)
{
	if (!hs->ended) {
		hs->ended = 1;
		http_async_end();
	}
}

/*
 * libmicrohttpd's content reader: what the stream has ready; with nothing,
 * the connection is suspended and 0 returned, the pattern microhttpd.h
 * prescribes, until http_stream_wake resumes it.
 */
static ssize_t
http_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_stream *hs = cls;
	int expected = HTTP_STREAM_RUNNING;
	long n;

	(void)pos;
	/* A wake from here on is for this read or the next. */
	atomic_store(&hs->state, HTTP_STREAM_RUNNING);
	if ((n = hs->src->read(hs->src, buf, max)) > 0)
		return (ssize_t)n;
	if (n < 0) {
		http_stream_end(hs);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	MHD_suspend_connection(hs->con);
	if (!atomic_compare_exchange_strong(&hs->state, &expected,
	    HTTP_STREAM_PARKED))
		MHD_resume_connection(hs->con);	/* woken in between */
	return 0;
}

/* The response is destroyed: the client left or the end was sent. */
static void
http_stream_free(void *cls)
{
	struct http_stream *hs = cls;

	hs->src->close(hs->src);
	http_stream_end(hs);
	free(hs);
}

/* The libmicrohttpd response for resp: its stream, or its body (taken). */
static struct MHD_Response *
http_response(struct MHD_Connection *con, struct route_response *resp)
{
	struct http_stream *hs;
	struct MHD_Response *mr;

	if (resp->stream != NULL && !http_async_begin()) {
		/* Stopping: no new streams. */
		resp->stream->close(resp->stream);
		resp->stream = NULL;
		free(resp->body);
		resp->body = NULL;
		route_json(resp, 503, json_pack("{s:s,s:s}", "code",
		    "ServiceUnavailable", "message", "sesbox is stopping"));
		snprintf(resp->error, sizeof(resp->error),
		    "ServiceUnavailable");
	}
	if (resp->stream == NULL) {
		mr = MHD_create_response_from_buffer(resp->body_len,
		    resp->body, MHD_RESPMEM_MUST_FREE);
		resp->body = NULL;
		return mr;
	}
	hs = xcalloc(1, sizeof(*hs));
	hs->con = con;
	hs->src = resp->stream;
	atomic_init(&hs->state, HTTP_STREAM_RUNNING);
	hs->src->wake = http_stream_wake;
	hs->src->wake_arg = hs;
	resp->stream = NULL;
	mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
	    HTTP_STREAM_BLOCK_BYTES, http_stream_read, hs, http_stream_free);
	if (mr == NULL)
		http_stream_free(hs);
	return mr;
}

/* Queues r->resp on con and writes the access log line. */
static enum MHD_Result
http_send(struct MHD_Connection *con, const char *method, struct http_req *r)
{
	struct route_response *resp = &r->resp;
	struct MHD_Response *mr;
	struct timespec end;
	char lpath[256], lerr[96], lacct[48], lregion[80];
	enum MHD_Result rc;
	size_t i;
	double ms;

	/* Counted before it leaves http_async, so http_stop sees it in one
	 * count or the other. */
	if (!r->inflight) {
		r->inflight = 1;
		atomic_fetch_add(&http_inflight, 1);
	}
	if (r->pending) {
		r->pending = 0;
		http_async_end();
	}
	if ((mr = http_response(con, resp)) == NULL) {
		route_response_fini(resp);
		return MHD_NO;
	}
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
	    resp->content_type ? resp->content_type : "application/json");
	for (i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(mr, resp->headers[i].name,
		    resp->headers[i].value);
	if (r->close)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION,
		    "close");
	rc = MHD_queue_response(con, (unsigned)resp->status, mr);
	MHD_destroy_response(mr);

	clock_gettime(CLOCK_MONOTONIC, &end);
	ms = (double)(end.tv_sec - r->start.tv_sec) * 1e3 +
	    (double)(end.tv_nsec - r->start.tv_nsec) / 1e6;
	log_info("req=%s method=%s path=%s op=%s status=%d account=%s "
	    "region=%s ms=%.3f%s%s", r->request_id, method,
	    log_quote(lpath, sizeof(lpath), r->target), resp->op,
	    resp->status, log_quote(lacct, sizeof(lacct), resp->account),
	    log_quote(lregion, sizeof(lregion), resp->region), ms,
	    resp->error[0] ? " error=" : "",
	    resp->error[0] ? log_quote(lerr, sizeof(lerr), resp->error) : "");
	route_response_fini(resp);
	return rc;
}

/*
 * The group commit's word on a write that waited (store_commit.c); any
 * thread.
 * Once commit says DONE the worker may free r, so r is not touched after.
 */
static void
http_committed(void *arg, int rc)
{
	struct http_req *r = arg;
	struct MHD_Connection *con = r->con;

	r->commit_rc = rc;
	if (atomic_exchange(&r->commit, HTTP_COMMIT_DONE) ==
	    HTTP_COMMIT_SUSPENDED)
		MHD_resume_connection(con);
}

/* Answers r once its write committed (or right away when it failed). */
static enum MHD_Result
http_send_committed(struct MHD_Connection *con, const char *method,
    struct http_req *r)
{
	if (r->commit_rc != 0)
		route_commit_failed(&r->resp, r->request_id);
	return http_send(con, method, r);
}

static enum MHD_Result
http_respond(struct MHD_Connection *con, const char *method,
    struct http_req *r)
{
	struct route_request req;
	struct http_headers h = { .n = 0 };
	char ip[INET6_ADDRSTRLEN + 1], *query;
	const union MHD_ConnectionInfo *ci;
	int expected = HTTP_COMMIT_RUNNING;

	MHD_get_connection_values(con, MHD_HEADER_KIND, http_collect_header,
	    &h);
	http_client_ip(con, ip, sizeof(ip));
	if ((query = strchr(r->target, '?')) != NULL)
		*query++ = '\0';
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = r->target;
	req.query = query;
	req.headers = h.v;
	req.nheaders = h.n;
	req.body = r->body.data ? r->body.data : "";
	req.body_len = r->body.len;
	req.reject = awserr_isset(&r->reject) ? &r->reject : NULL;
	req.source_ip = ip;
	req.request_id = r->request_id;
	ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
	req.client_fd = ci != NULL ? ci->connect_fd : -1;
	atomic_init(&r->commit, HTTP_COMMIT_RUNNING);
	if (http_async_begin()) {
		req.commit_fn = http_committed;
		req.commit_arg = r;
		r->pending = 1;
	}
	route_handle(&req, &r->resp);
	if (!r->resp.pending)
		return http_send(con, method, r);
	/*
	 * The answer is ready but its batch has not committed yet: park the
	 * connection (this thread serves others meanwhile) until
	 * http_committed resumes it, unless the commit already happened.
	 */
	if (atomic_load(&r->commit) == HTTP_COMMIT_DONE)
		return http_send_committed(con, method, r);
	MHD_suspend_connection(con);
	if (!atomic_compare_exchange_strong(&r->commit, &expected,
	    HTTP_COMMIT_SUSPENDED))
		MHD_resume_connection(con);	/* told in between */
	return MHD_YES;
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *con, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_req *r = *con_cls;

	(void)cls;
	(void)url;
	(void)version;
	if (r == NULL)		/* no URI-log callback ran: cannot happen */
		return MHD_NO;
	if (r->pending)		/* resumed: the commit has been told */
		return http_send_committed(con, method, r);
	if (!r->headers_seen) {
		r->headers_seen = 1;
		http_check_framing(con, r);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!r->too_large && r->body.len + *upload_data_size >
		    HTTP_BODY_MAX_BYTES)
			http_set_too_large(r);
		if (!r->too_large)
			buf_append(&r->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return http_respond(con, method, r);
}

static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512], q[600];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warn("msg=%s component=httpd", log_quote(q, sizeof(q), msg));
}

int
http_start(const char *listen, unsigned threads, char *err, size_t errlen)
{
	struct addrinfo *ai = NULL;
	const union MHD_DaemonInfo *info;
	int gai;

	if ((gai = wire_listen_resolve(listen, &ai)) != 0) {
		snprintf(err, errlen, "listen: %s: %s", listen,
		    gai_strerror(gai));
		return -1;
	}
	/*
	 * poll, not epoll: libmicrohttpd 0.9.75 (Debian 12) in epoll mode
	 * misses a FIN that arrives together with an incomplete request, so
	 * a half-closed client was held until the idle timeout. poll sees
	 * it, at the same throughput for the few connections a local
	 * emulator has.
	 */
	http_daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
	    (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL,
	    http_access, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_URI_LOG_CALLBACK, http_uri_log, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONNECTION_TIMEOUT_S,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024,
	    MHD_OPTION_END);
	freeaddrinfo(ai);
	if (http_daemon == NULL) {
		snprintf(err, errlen, "listen: %s: cannot start the HTTP "
		    "server (address in use or not available?)", listen);
		return -1;
	}
	info = MHD_get_daemon_info(http_daemon, MHD_DAEMON_INFO_BIND_PORT);
	http_bound_port = info ? info->port : 0;
	return 0;
}

uint16_t
http_port(void)
{
	return http_bound_port;
}

void
http_base_url(const char *public_url, const char *listen, struct buf *b)
{
	const char *colon;
	size_t n;

	if (public_url != NULL) {
		n = strlen(public_url);
		while (n > 0 && public_url[n - 1] == '/')
			n--;
		buf_append(b, public_url, n);
		return;
	}
	colon = strrchr(listen, ':');
	n = colon != NULL ? (size_t)(colon - listen) : strlen(listen);
	buf_puts(b, "http://");
	/* A wildcard bind is reached on loopback. */
	if (n == 7 && strncmp(listen, "0.0.0.0", n) == 0)
		buf_puts(b, "127.0.0.1");
	else if (n == 4 && strncmp(listen, "[::]", n) == 0)
		buf_puts(b, "[::1]");
	else
		buf_append(b, listen, n);
	buf_printf(b, ":%u", (unsigned)http_port());
}

void
http_stop(void)
{
	struct timespec until;

	if (http_daemon == NULL)
		return;
	atomic_store(&http_stopping, 1);
	/* Waiting answers get a 503 and live feeds end, so that nothing
	 * stays parked. */
	notify_shutdown();
	pthread_mutex_lock(&http_async_lock);
	while (atomic_load(&http_async) > 0)
		pthread_cond_wait(&http_async_done, &http_async_lock);
	/* Then the answers on their way, for a moment: a slow reader does
	 * not hold the stop up. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += HTTP_STOP_DRAIN_MS / 1000;
	until.tv_nsec += (HTTP_STOP_DRAIN_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (atomic_load(&http_inflight) > 0)
		if (pthread_cond_timedwait(&http_async_done, &http_async_lock,
		    &until) != 0)
			break;
	pthread_mutex_unlock(&http_async_lock);
	MHD_stop_daemon(http_daemon);
	http_daemon = NULL;
}
