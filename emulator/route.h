/*
 * route — what to do with one HTTP request, given in full.
 *
 * Picks the door (inspection API under /_sesbox/, SES v2 under /v2/, SES v1
 * at /, and SNS at / for requests signed for "sns" or naming an SNS-only
 * action), reads the caller's SigV4 identity (access key -> account, scope
 * -> region; verified in strict mode), has the right codec decode the input,
 * runs the operation inside one store transaction and renders the result or
 * error. It owns no sockets: http.c feeds it and writes what it returns.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "awserr.h"
#include "store.h"
#include "wire.h"

#define ROUTE_REQUEST_ID_BYTES 37	/* UUID + NUL */
#define ROUTE_HEADERS_MAX 10

struct cfg;

struct route_request {
	const char *method;
	const char *path;		/* raw, percent-encoded */
	const char *query;		/* raw, without '?'; NULL when none */
	const struct wire_header *headers;
	size_t nheaders;
	const char *body;
	size_t body_len;
	const char *source_ip;
	const char *request_id;
	/* Set when the HTTP layer refused the request (body over the limit,
	 * broken framing): answered with this error in the door's shape. */
	const struct awserr *reject;
	/* Set when the caller can wait for a commit without blocking its
	 * thread: a write may then answer with resp->pending set, and
	 * commit_fn(commit_arg, rc) follows once, from any thread. */
	store_commit_fn commit_fn;
	void *commit_arg;
	/* The client's socket, for noticing that it hung up while its answer
	 * waits (notify.h); 0 or less when unknown (zero-initialised
	 * callers). Only polled, never read. */
	int client_fd;
};

/*
 * A body sent as it is produced (a live feed) rather than all at once:
 * the HTTP layer sends it chunked, calling read whenever the client can
 * take more. The producer embeds this struct.
 */
struct route_stream {
	/*
	 * Copies up to max bytes of what is ready into buf and returns the
	 * count; 0 when nothing is ready (the connection is parked until
	 * wake(wake_arg) runs); -1 at the end of the stream. On the server's
	 * thread for the connection.
	 */
	long (*read)(struct route_stream *st, char *buf, size_t max);
	/* The server is done with st (the end was read, or the client
	 * left): releases it. Once it returns, wake is not called again. */
	void (*close)(struct route_stream *st);
	/* Set by the server before the first read: resumes a parked read;
	 * any thread, until close returns. */
	void (*wake)(void *wake_arg);
	void *wake_arg;
};

struct route_response {
	int status;
	const char *content_type;	/* static */
	struct wire_header headers[ROUTE_HEADERS_MAX];	/* values new */
	size_t nheaders;
	char *body;			/* new */
	size_t body_len;
	/* For the access log line. */
	const char *op;			/* borrowed model name, or "-" */
	char account[16];
	char region[32];
	char error[64];
	/* The answer is ready but may go out only after commit_fn is told
	 * 0; told -1, route_commit_failed rewrites it. */
	int pending;
	int door;			/* which renderer made it (route.c) */
	/* Set: the body is this stream (status, content type and headers
	 * as usual; body unused); the HTTP layer takes it. */
	struct route_stream *stream;
};

/* Binds the configuration (borrowed for the process lifetime). */
void route_init(const struct cfg *cfg);
/* The configuration route_init bound (borrowed). */
const struct cfg *route_cfg_get(void);
/* Handles req into resp (release with route_response_fini). */
void route_handle(const struct route_request *req,
    struct route_response *resp);
void route_response_fini(struct route_response *resp);
/* A pending answer's commit failed: resp becomes the door's
 * InternalFailure error for the request named request_id. */
void route_commit_failed(struct route_response *resp,
    const char *request_id);
/* Writes a new random (v4) lowercase UUID, as SES's RequestIds are. */
void route_request_id(char out[ROUTE_REQUEST_ID_BYTES]);
/* Adds a response header (value copied). */
void route_header(struct route_response *resp, const char *name,
    const char *value);
/* Sets a JSON body (takes body) with status. */
void route_json(struct route_response *resp, int status, json_t *body);

#endif
